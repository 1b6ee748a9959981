// kill -9 at random points of a training run, resumed each time, ends in the same final checkpoint,
// byte for byte, as an uninterrupted run (cpu backend, fixed seed). The full sweep (≥ 20 kills over
// 100 steps) is bench/fuzz-faults.ts; this runs the same code with 3 kills over 40 steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { killSweep, prepareRoot } from '../../bench/fuzz-faults.ts';

test('3 kill -9s over a 40-step run, each resumed: the final checkpoint is bit-identical to an uninterrupted run', { timeout: 600_000 }, async () => {
  const prepared = await prepareRoot();
  try {
    const res = await killSweep({ prepared, points: 3, steps: 40, seed: 7 });
    const kills = res.attempts.filter((a) => a.signal === 'SIGKILL');
    assert.ok(kills.length >= 2, `at least 2 kills landed: ${JSON.stringify(res.attempts)}`);
    // Every attempt after a kill resumed from a checkpoint (none restarted from step 0 once one existed).
    for (const [i, a] of res.attempts.entries()) if (i > 0 && res.attempts[i - 1].lastStep! >= 4) assert.ok((a.resumedFrom ?? 0) >= 4, JSON.stringify(res.attempts));
    assert.deepEqual(res.differences, [], `final checkpoints differ in ${res.differences.join(', ')}`);
  } finally { rmSync(prepared, { recursive: true, force: true }); }
});
