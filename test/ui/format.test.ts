import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bar, sparkline, duration, describe } from '../../runtime/ui/format.ts';

test('bar: width is constant and fill is proportional', () => {
  for (const f of [0, 0.01, 0.33, 0.5, 0.999, 1]) assert.equal([...bar(f, 20)].length, 20, `fraction ${f}`);
  assert.equal(bar(0, 10), '░'.repeat(10));
  assert.equal(bar(1, 10), '█'.repeat(10));
  assert.equal(bar(0.5, 10), '█████░░░░░');
  assert.equal(bar(2, 4), '████', 'clamped above');
  assert.equal(bar(Number.NaN, 4), '░░░░', 'NaN as empty');
});

test('sparkline: min→lowest block, max→highest, keeps the last `width` values', () => {
  assert.equal(sparkline([3, 2, 1], 10), '█▄▁');
  assert.equal(sparkline([1, 1, 1], 10), '▄▄▄');
  assert.equal(sparkline([], 5), '');
  assert.equal(sparkline([0, 1, 2, 3, 4, 5], 3), '▁▄█');
});

test('duration formats seconds, minutes and hours', () => {
  assert.equal(duration(4.25), '4.3s');
  assert.equal(duration(75), '1m15s');
  assert.equal(duration(3725), '1h02m');
  assert.equal(duration(-1), '—');
});

test('describe: live-only events have no finished line, finished ones name their run', () => {
  assert.equal(describe({ type: 'step', step: 1, epoch: 1, loss: { L: 1, L_v: 1, L_a: 1, total: 1 }, lr: 1e-3, clipsPerSec: 1, dataWaitMs: 0 }), null);
  assert.match(describe({ type: 'epoch-end', epoch: 1, loss: { L: 1.5, L_v: 0.5, L_a: 0.25, total: 1.5 }, seconds: 12, run: 'A4' })!, /^\[A4\] epoch 2 · loss 1\.5000 \(L 1\.5000 · L_v 0\.5000 · L_a 0\.2500\) · 12s$/);
  assert.match(describe({ type: 'diagnostic', severity: 'error', code: 'LSSD5802', message: 'busy', hint: 'wait' })!, /error LSSD5802: busy\n {2}hint: wait/);
});

test('describe: passing self-tests are silent, failing ones are shown', () => {
  assert.equal(describe({ type: 'selftest', op: 'relu', ok: true, maxRelErr: 1e-5 }), null);
  assert.equal(describe({ type: 'selftest', op: 'relu', ok: false, maxRelErr: 0.05, run: 'Q' }), '[Q] ✗ backend self-test relu failed (max rel. error 5.0e-2)');
});

test('describe: the run header says how the backend runs when the trainer says (wasm threads and why)', () => {
  const e = { type: 'run-start', name: 'q', runDir: 'runs/x', backend: 'wasm', seed: 1, totalSteps: 10, stepsPerEpoch: 5, resumedFrom: null, specHash: 'h' } as const;
  assert.equal(describe(e), '▶ q · backend wasm · seed 1 · 10 steps (5/epoch) · runs/x');
  assert.equal(describe({ ...e, backendDetail: '2 threads: 2 cores for this run' }), '▶ q · backend wasm (2 threads: 2 cores for this run) · seed 1 · 10 steps (5/epoch) · runs/x');
});
