// The content-based cut detector (runtime/media/shots.ts) on generated footage with known boundaries
// (test/media/make-shots.ts): cuts between look-alike shots, fades through black, flashes and fast pans
// inside shots. The F1 goal (≥ 0.95 within ±1 frame for cuts, ±2 for fades) is what bench/shots.ts
// reports on the embedded corpus; here it holds on the generated sets, and fails below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSets, type GeneratedClip } from './make-shots.ts';
import { DETECTOR_DEFAULTS, detectCuts, detectSceneCuts, scoreBoundaries, scoreVideo, type FrameStats } from '../../runtime/media/shots.ts';

let tmp: string;
let clips: GeneratedClip[];
const found = new Map<string, number[]>();

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lssd-shots-'));
  clips = await renderSets(tmp);
  for (const c of clips) found.set(c.name, (await detectSceneCuts(c.path, 0.3, { width: 160, height: 90 })));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const truthOf = (c: GeneratedClip) => c.boundaries.map((b) => ({ time: b.time, tolerance: (b.kind === 'fade' ? 2 : 1) / c.fps + 1e-3 }));

test('generated footage: shot-boundary F1 ≥ 0.95 over all sets (±1 frame for cuts, ±2 for fades)', () => {
  let tp = 0, fp = 0, fn = 0;
  for (const c of clips) { const r = scoreBoundaries(truthOf(c), found.get(c.name)!); tp += r.tp; fp += r.fp; fn += r.fn; }
  const p = tp / (tp + fp), r = tp / (tp + fn), f1 = (2 * p * r) / (p + r);
  assert.ok(f1 >= 0.95, `F1 ${f1.toFixed(3)} (P ${p.toFixed(3)}, R ${r.toFixed(3)}; tp ${tp} fp ${fp} fn ${fn})`);
});

test('flashes and fast pans inside a shot are not cuts; every cut between them is found', () => {
  for (const name of ['flashes', 'motion']) {
    const c = clips.find((x) => x.name === name)!;
    const r = scoreBoundaries(truthOf(c), found.get(name)!);
    assert.deepEqual(r.extra, [], `${name}: false cuts`);
    assert.deepEqual(r.missed, [], `${name}: missed cuts`);
  }
});

test('fades through black: one boundary per fade, in the dark', () => {
  const c = clips.find((x) => x.name === 'fades')!;
  const r = scoreBoundaries(truthOf(c), found.get('fades')!);
  assert.equal(r.tp, c.boundaries.length, `found ${found.get('fades')} for ${c.boundaries.map((b) => b.time)}`);
  assert.equal(r.fp, 0);
});

test('the replaced fixed threshold misses look-alike cuts that the adaptive score finds', async () => {
  const c = clips.find((x) => x.name === 'similar')!;
  const st = await scoreVideo(c.path, { width: 160, height: 90 });
  const r = scoreBoundaries(truthOf(c), detectCuts(st).map((x) => x.time));
  assert.ok(r.recall >= 0.85, `recall ${r.recall}`);
  // A fixed score threshold of 0.3 (a cut is any frame changing that much) finds fewer of them.
  const fixed = st.times.filter((_, i) => st.score[i] > 0.3);
  assert.ok(scoreBoundaries(truthOf(c), fixed).tp < r.tp, 'a fixed threshold does worse on look-alike shots');
});

/** Frame statistics for a clip of `n` frames at 25 fps whose features are `feat(i)` (one block). */
function synthetic(n: number, feat: (i: number) => [number, number, number], luma: (i: number) => number = () => 100): FrameStats {
  const features = Array.from({ length: n }, (_, i) => Float32Array.from(feat(i)));
  const score = features.map((f, i) => (i ? (0.5 * Math.abs(f[0] - features[i - 1][0]) + Math.abs(f[1] - features[i - 1][1]) + Math.abs(f[2] - features[i - 1][2])) / 255 : 0));
  return { times: features.map((_, i) => i / 25), score, luma: features.map((_, i) => luma(i)), spread: features.map((_, i) => (luma(i) < 16 ? 1 : 40)), features };
}

test('detectCuts (pure): a step is a cut, a two-frame flash is not, a dip to black is one fade, cuts closer than min_scene keep the stronger', () => {
  const wobble = (i: number) => Math.sin(i) * 0.5;
  const step = synthetic(100, (i) => [0, i < 50 ? 20 + wobble(i) : 60 + wobble(i), 10]);
  assert.deepEqual(detectCuts(step).map((c) => [c.frame, c.kind]), [[50, 'cut']]);
  const flash = synthetic(100, (i) => [0, i === 40 || i === 41 ? 120 : 20 + wobble(i), 10]);
  assert.deepEqual(detectCuts(flash), []);
  // Into black over 8 frames and out again (chroma fades with the light), the content changes in the dark.
  const light = (i: number) => Math.min(100, Math.max(2, Math.abs(i - 50) * 12));
  const dip = synthetic(100, (i) => [0, (i < 50 ? 20 : 60) * light(i) / 100, 10 * light(i) / 100], light);
  const d = detectCuts(dip);
  assert.deepEqual(d.map((c) => c.kind), ['fade'], JSON.stringify(d));
  assert.ok(Math.abs(d[0].frame - 50) <= 1);
  const close = synthetic(100, (i) => [0, i < 50 ? 20 + wobble(i) : i < 55 ? 40 + wobble(i) : 100 + wobble(i), 10]);
  const cc = detectCuts(close, { ...DETECTOR_DEFAULTS, minScene: 0.6 });
  assert.deepEqual(cc.map((c) => c.frame), [55], '5 frames apart at 25 fps: one cut, the stronger');
});

test('scoreBoundaries: one-to-one matching within the tolerance', () => {
  const r = scoreBoundaries([{ time: 1, tolerance: 0.05 }, { time: 2, tolerance: 0.05 }], [1.04, 1.02, 3]);
  assert.deepEqual([r.tp, r.fp, r.fn], [1, 2, 1]);
  assert.deepEqual(r.missed, [2]);
  assert.equal(r.f1, 2 * (1 / 3) * 0.5 / (1 / 3 + 0.5));
});
