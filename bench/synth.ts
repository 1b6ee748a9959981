// Synthetic-corpus generation benchmark: wall time of `synthesize()` for a size (default: the quickstart's
// 24 titles × 1 min × 7 languages), split into titles and probe tasks, with media minutes per wall second,
// disk size, CPU time and load average (the machine is often shared: report load with the timing).
//
//   node --import tsx bench/synth.ts [--titles N] [--minutes M] [--languages en,es,…] [--concurrency C] [--json]
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { synthesize, LANGS } from '../runtime/media/synth/index.ts';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const titles = Number(opt('--titles', '24')), minutes = Number(opt('--minutes', '1')), concurrency = Number(opt('--concurrency', '2'));
const languages = opt('--languages', LANGS.join(',')).split(',');
const json = args.includes('--json');

const du = (d: string): number => readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? du(join(d, e.name)) : statSync(join(d, e.name)).size), 0);

const dir = mkdtempSync(join(tmpdir(), 'lssd-bench-synth-'));
try {
  const load0 = loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let titlesDone = 0;
  await synthesize({
    outDir: dir, titles, minutesPerTitle: minutes, seed: 0, languages, concurrency,
    onProgress: (e) => {
      if (e.detail?.startsWith('syn') && ++titlesDone === titles) titlesDone = performance.now() - t0;
      if (!json) process.stderr.write(`\r\x1b[K${e.done}/${e.total} ${((performance.now() - t0) / 1000).toFixed(0)}s ${e.detail ?? ''}`);
    },
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const r = {
    titles, minutes, languages: languages.length, concurrency,
    wallSeconds: wall,
    titlesSeconds: titlesDone / 1000,
    tasksSeconds: wall - titlesDone / 1000,
    mediaMinutesPerWallSecond: (titles * minutes) / wall,
    nodeCpuSeconds: (cpu.user + cpu.system) / 1e6, // JS side only (eSpeak, beds, mixing); ffmpeg runs in children
    megabytes: du(dir) / 1e6,
    loadAverage: { before: load0, after: loadavg()[0] },
    cores: cpus().length,
  };
  if (json) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    process.stderr.write('\r\x1b[K');
    console.log(`synth ${titles} titles × ${minutes} min × ${languages.length} languages (concurrency ${concurrency}, ${r.cores} cores, load ${load0.toFixed(1)} → ${r.loadAverage.after.toFixed(1)})`);
    console.log(`  wall ${wall.toFixed(1)} s = titles ${r.titlesSeconds.toFixed(1)} s + probe tasks ${r.tasksSeconds.toFixed(1)} s; node CPU ${r.nodeCpuSeconds.toFixed(1)} s`);
    console.log(`  ${r.mediaMinutesPerWallSecond.toFixed(2)} media min per wall s; ${r.megabytes.toFixed(0)} MB on disk`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
