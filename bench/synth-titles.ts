// Title rendering alone (no probe tasks): planTitle + renderTitle for titles 0..N-1 of the default corpus
// (seed 0, 1 min, 7 languages), in-process; prints node CPU seconds (ffmpeg children excluded), wall time
// and the load average. ROOT points at another checkout to compare generators (before/after a change).
//
//   node --import tsx bench/synth-titles.ts [N=3] [ROOT=this checkout]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = Number(process.argv[2] ?? 3);
const ROOT = process.argv[3] ?? fileURLToPath(new URL('..', import.meta.url));
const { planTitle } = await import(join(ROOT, 'runtime/media/synth/plan.ts'));
const { renderTitle } = await import(join(ROOT, 'runtime/media/synth/render.ts'));
const { espeak } = await import(join(ROOT, 'runtime/media/synth/espeak.ts'));
await espeak();
const out = mkdtempSync(join(tmpdir(), 'lssd-bench-titles-'));
try {
  for (const d of ['titles', 'truth', 'work']) mkdirSync(join(out, d), { recursive: true });
  const l0 = loadavg()[0], c0 = process.cpuUsage(), t0 = performance.now();
  let dubs = 0;
  for (let i = 0; i < N; i++) {
    const plan = planTitle({ seed: 0, index: i, minutesPerTitle: 1, languages: ['en', 'es', 'fr', 'ja', 'de', 'it', 'ko'] });
    dubs += plan.dubs.length;
    await renderTitle(plan, { seed: 0, outDir: out, workDir: join(out, 'work') });
  }
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ root: ROOT, titles: N, dubs, nodeCpuSeconds: (c.user + c.system) / 1e6, wallSeconds: (performance.now() - t0) / 1000, load: [l0, loadavg()[0]] }));
} finally {
  rmSync(out, { recursive: true, force: true });
}
