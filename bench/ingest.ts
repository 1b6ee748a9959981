// Ingest benchmark: shots/s for indexing and for feature extraction, each against ffmpeg decoding the same
// files to null (the floor any ingest built on ffmpeg can reach), and the sampler's batches/s.
//
//   node --import tsx bench/ingest.ts [DIR] [--titles N] [--seconds S] [--batch B] [--crop PX] [--steps K] [--step-ms MS] [--json]
//   (LSSD_SAMPLER=inline compares against building batches on the main thread)
//
// Without DIR it builds N lavfi titles of S seconds (hard cuts every ~4–7 s, 4 audio tracks) in a temp dir.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { indexDirectory } from '../runtime/media/index.ts';
import { extractAll, featureConfig } from '../runtime/media/features.ts';
import { ensureDataset } from '../runtime/media/ensure.ts';
import { runFfmpeg } from '../runtime/media/decode.ts';
import { mapLimit } from '../runtime/media/fsutil.ts';
import { prepareBackend } from '../runtime/media/logmel.ts';
import { makeTitle } from '../test/media/make-media.ts';
import { testSpec } from '../test/media/spec-fixture.ts';

const args = process.argv.slice(2);
const opt = (k: string, d: number) => { const i = args.indexOf(k); return i >= 0 ? Number(args[i + 1]) : d; };
const json = args.includes('--json');
const dirArg = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--') && args[i - 1] !== '--json'));
const nTitles = opt('--titles', 6), seconds = opt('--seconds', 60), batch = opt('--batch', 32), steps = opt('--steps', 30);

const tmp = mkdtempSync(join(tmpdir(), 'lssd-bench-ingest-'));
const log = (s: string) => { if (!json) process.stderr.write(s + '\n'); };
try {
  let dir = dirArg;
  if (!dir) {
    dir = join(tmp, 'media');
    mkdirSync(dir);
    log(`building ${nTitles} titles × ${seconds} s …`);
    await mapLimit(Array.from({ length: nTitles }, (_, i) => i), 2, async (i) => {
      const shots: number[] = [];
      let left = seconds, k = i;
      while (left > 0) { const d = Math.min(left, 4 + ((k * 7) % 4)); shots.push(d); left -= d; k++; }
      await makeTitle(join(dir!, `t${String(i).padStart(3, '0')}.mkv`), {
        shots, size: '320x240',
        audio: [{ lang: 'eng', title: 'original', freq: 300 + i }, { lang: 'spa', title: 'dub', freq: 400 + i }, { lang: 'fre', title: 'dub', freq: 500 + i }, { lang: 'zxx', title: 'speech_removed', freq: 200 + i }],
      });
    });
  }
  const root = join(tmp, '.lssd');
  const files = (await import('../runtime/media/index.ts')).listMedia(dir);
  const time = async <T>(f: () => Promise<T>) => { const t = process.hrtime.bigint(); const r = await f(); return { r, s: Number(process.hrtime.bigint() - t) / 1e9 }; };

  const nullAll = await time(() => mapLimit(files, 2, (f) => runFfmpeg(['-v', 'error', '-i', f, '-map', '0', '-f', 'null', '-'])));
  const idx = await time(() => indexDirectory(dir!, { root, method: 'scene', threshold: 0.3 }));
  const reidx = await time(() => indexDirectory(dir!, { root, method: 'scene', threshold: 0.3 }));
  const shots = idx.r.shots.total;

  // Defaults follow stdlib/cpu.lssd `cpu_small` (the quickstart): 8 frames at 4 fps, 36..44 px → 32 px crops,
  // 16 kHz, n_fft 512, hop 320, 64 mels, 2 s windows; --crop scales the video side (scale range crop+4..crop+12).
  const crop = opt('--crop', 32);
  const spec = testSpec(dir, {
    data: { batch: { per_device: batch, devices: 1, same_title_per_device: Math.max(1, Math.round(batch / 8)) }, windows: { count: 2, length: 2 } },
    views: { video: { fps: 4, frames: 8, scale: { min: crop + 4, max: crop + 12 }, crop, flip: true }, audio: { sample_rate: 16000, n_fft: 512, hop: 320, mels: 64, time_mask: 0.2, freq_mask: 0.2 } },
  });
  const cfg = featureConfig(spec);
  const backend = await prepareBackend();
  const feat = await time(() => extractAll(idx.r.titles, cfg, { root, video: true }));
  const featAgain = await time(() => extractAll(idx.r.titles, cfg, { root, video: true }));
  const ds = await ensureDataset(spec, { root });
  await ds.batchAt(0);
  const samp = await time(async () => { for (let s = 1; s <= steps; s++) await ds.batchAt(s); });
  const b = await ds.batchAt(steps + 1);
  // A trainer that keeps the main thread busy for `stepMs` per step (as tfjs on wasm/cpu does): how long does
  // it then wait on batchAt? With the worker the next batches are built meanwhile.
  const stepMs = opt('--step-ms', 100);
  const busy = (ms: number) => { const end = Date.now() + ms; while (Date.now() < end) { /* simulated training step */ } };
  let waited = 0;
  for (let s = steps + 2; s < steps + 2 + 20; s++) {
    const t = process.hrtime.bigint();
    await ds.batchAt(s);
    waited += Number(process.hrtime.bigint() - t) / 1e6;
    busy(stepMs);
  }
  await ds.close();

  const out = {
    machine: { cpus: cpus().length, node: process.version, tfjsBackend: backend },
    corpus: { dir, files: files.length, titles: idx.r.titles.length, shots, hours: idx.r.titles.reduce((a, t) => a + t.duration, 0) / 3600 },
    ffmpegNull: { seconds: nullAll.s, shotsPerSec: shots / nullAll.s },
    index: { seconds: idx.s, shotsPerSec: shots / idx.s, vsFfmpegNull: idx.s / nullAll.s, reindexSeconds: reidx.s },
    features: { seconds: feat.s, shotsPerSec: shots / feat.s, vsFfmpegNull: feat.s / nullAll.s, cachedSeconds: featAgain.s, config: cfg },
    sampler: { batch: b.size, audioShape: b.audioShape, videoShape: b.videoShape, batchesPerSec: steps / samp.s, clipsPerSec: (steps * b.size) / samp.s,
      dataWaitMsPerStep: { trainerStepMs: stepMs, waitMs: waited / 20 } },
  };
  if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else {
    const f = (x: number) => x.toFixed(x < 10 ? 2 : 1);
    process.stdout.write([
      `corpus: ${out.corpus.titles} titles, ${shots} shots, ${f(out.corpus.hours * 60)} min (${out.machine.cpus} cpus, tfjs ${backend})`,
      `ffmpeg -f null (all streams):   ${f(nullAll.s)} s   ${f(out.ffmpegNull.shotsPerSec)} shots/s`,
      `index (probe+scene cuts+hash):  ${f(idx.s)} s   ${f(out.index.shotsPerSec)} shots/s   ×${f(out.index.vsFfmpegNull)} of ffmpeg null; re-index ${f(reidx.s)} s`,
      `features (video+${f(idx.r.titles.reduce((a, t) => a + t.audio.length, 0) / idx.r.titles.length)} log-mels):  ${f(feat.s)} s   ${f(out.features.shotsPerSec)} shots/s   ×${f(out.features.vsFfmpegNull)} of ffmpeg null; cached ${f(featAgain.s)} s`,
      `sampler: ${f(out.sampler.batchesPerSec)} batches/s of ${b.size} (${f(out.sampler.clipsPerSec)} clips/s), video ${JSON.stringify(b.videoShape)}, audio ${JSON.stringify(b.audioShape)}`,
      `data wait with a ${stepMs} ms training step on the main thread: ${f(waited / 20)} ms per step (${process.env.LSSD_SAMPLER === 'inline' ? 'inline' : 'worker'} sampler)`,
    ].join('\n') + '\n');
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
