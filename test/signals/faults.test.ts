// kill -9 at random points of a training run, resumed each time, ends in the same final checkpoint,
// byte for byte, as an uninterrupted run (cpu backend, fixed seed). The full sweep (≥ 20 kills over
// 100 steps) is bench/fuzz-faults.ts; this runs the same code with 2 kills over 12 steps of sig-cpu.lssd
// (a tower small enough for the pure-JS backend: ~0.4 s of CPU a step against ~3 s), plus a second
// uninterrupted run as a control, to tell a backend's own nondeterminism from a resume bug. On the
// tensorflow backend (graph mode) `bench/fuzz-faults.ts --backend tensorflow --points 24 --control`
// measured both bit-identical (README, hostile input); an earlier 3-kill sweep there had differed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { killSweep, prepareRoot } from '../../bench/fuzz-faults.ts';
import { SIG_CPU_SPEC } from './helpers.ts';

test('kill -9s over a 12-step run (cpu backend, sig-cpu.lssd), each resumed: the final checkpoint is bit-identical to an uninterrupted run', { timeout: 900_000 }, async () => {
  const prepared = await prepareRoot();
  try {
    const res = await killSweep({ prepared, points: 2, steps: 12, seed: 7, backend: 'cpu', spec: SIG_CPU_SPEC, control: true });
    assert.deepEqual(res.controlDifferences, [], 'two uninterrupted runs differ: the backend is not deterministic');
    const kills = res.attempts.filter((a) => a.signal === 'SIGKILL');
    assert.ok(kills.length >= 1, `a kill landed: ${JSON.stringify(res.attempts)}`);
    // Every attempt after a kill resumed from a checkpoint (none restarted from step 0 once one existed).
    for (const [i, a] of res.attempts.entries()) if (i > 0 && res.attempts[i - 1].lastStep! >= 4) assert.ok((a.resumedFrom ?? 0) >= 4, JSON.stringify(res.attempts));
    assert.deepEqual(res.differences, [], `final checkpoints differ in ${res.differences.join(', ')}`);
  } finally { rmSync(prepared, { recursive: true, force: true }); }
});
