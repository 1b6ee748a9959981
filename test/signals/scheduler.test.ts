// A scheduler's stop, as SLURM delivers it: SIGTERM to every process of the job and the batch script's
// forwarded SIGUSR1 (executors/slurm/plan.ts), i.e. two signals in a row. Unlike a second Ctrl-C, the
// duplicate must not skip the checkpoint: the run stops within a step, checkpoints at that step, exits 143.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkpoints, lssdc, preparedRoot, SIG_SPEC, steps } from './helpers.ts';

for (const [first, second] of [['SIGTERM', 'SIGUSR1'], ['SIGUSR1', 'SIGTERM'], ['SIGTERM', 'SIGTERM']] as const) {
  test(`${first} then ${second}: one stop, a checkpoint at the last step, exit 143`, { timeout: 240_000 }, async () => {
    const root = await preparedRoot('lssd-sched-');
    let sentAt = -1;
    const p = lssdc(['run', SIG_SPEC, '--root', root, '--json', '--steps', '150', '--no-probe'], (e, pp) => {
      if (e.type === 'step' && e.step >= 3 && sentAt < 0) { sentAt = e.step; pp.child.kill(first); setTimeout(() => pp.child.kill(second), 20); }
    });
    const r = await p.done;
    const tail = `stderr: ${p.stderr().slice(-2000)}`;
    assert.equal(r.code, 143, tail);
    const last = Math.max(...steps(p));
    assert.ok(last <= sentAt + 2, `stopped within a step (sent after ${sentAt}, last ${last})`);
    assert.equal(checkpoints(p).at(-1)?.step, last, `checkpointed at the last step: ${JSON.stringify(checkpoints(p))}`);
    const runDir = (p.events.find((e) => e.type === 'run-start') as { runDir: string }).runDir;
    assert.equal(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).status, 'interrupted');
    rmSync(root, { recursive: true, force: true });
  });
}
