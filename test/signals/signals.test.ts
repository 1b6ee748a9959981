// SIGINT / SIGTERM during training, with real `lssdc run` children on a tiny spec (test/signals/fixtures):
// the step loop stops within a step, writes a checkpoint, run.json says `interrupted`, the exit code is
// 130 (143 for TERM); a second SIGINT exits at once and leaves every listed checkpoint complete; grid
// cells running in their own processes (--jobs) get the signal too; kill -9 leaves a stale attempt that
// the next run marks as such. Every test uses its own --steps (its own run directory) under one root,
// so the synthetic corpus is generated once.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpoints, lssdc, preparedRoot, SIG_SPEC, steps, type Proc } from './helpers.ts';

let root = '';
const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
const runDirOf = (p: Proc) => (p.events.find((e) => e.type === 'run-start') as { runDir: string }).runDir;
const why = (p: Proc) => `stderr: ${p.stderr().slice(-3000)}\nevents: ${p.events.filter((e) => e.type !== 'data-progress').map((e) => JSON.stringify(e)).join('\n').slice(-3000)}`;

/** Every checkpoint directory present is complete (manifest + weights it lists). */
function assertCheckpointsComplete(dir: string): string[] {
  const ck = join(dir, 'checkpoints');
  const names = existsSync(ck) ? readdirSync(ck) : [];
  for (const n of names.filter((x) => !x.startsWith('.'))) {
    const m = JSON.parse(readFileSync(join(ck, n, 'manifest.json'), 'utf8'));
    assert.equal(typeof m.step, 'number', `${n}: manifest has a step`);
  }
  return names;
}

before(async () => {
  // The corpus and features, prepared once (a 1-step run; shared with the other signal tests' files).
  root = await preparedRoot();
});

async function interruptAt(sig: NodeJS.Signals, nSteps: number, at: number, extra: string[] = []) {
  let sentAt = -1;
  const p = lssdc(['run', SIG_SPEC, '--root', root, '--json', '--steps', String(nSteps), '--no-probe', ...extra], (e, pp) => {
    if (e.type === 'step' && e.step >= at && sentAt < 0) { sentAt = e.step; pp.child.kill(sig); }
  });
  const r = await p.done;
  return { p, r, sentAt };
}

test('SIGINT: the step loop stops within a step, checkpoints, marks the run interrupted, exits 130', { timeout: 240_000 }, async () => {
  const { p, r, sentAt } = await interruptAt('SIGINT', 150, 5);
  assert.ok(sentAt >= 5, `signal sent after step 5: ${why(p)}`);
  assert.equal(r.code, 130, why(p));
  const last = Math.max(...steps(p));
  assert.ok(last <= sentAt + 2, `stopped within a step of the signal (sent after ${sentAt}, last step ${last})`);
  const ck = checkpoints(p).at(-1)!;
  assert.ok(ck && ck.step === last && /step-\d+$/.test(ck.path), `checkpoint at the last step: ${JSON.stringify(ck)}`);
  const dir = runDirOf(p);
  const run = runJson(dir);
  assert.equal(run.status, 'interrupted');
  assert.equal(run.attempts.at(-1).status, 'interrupted');
  assert.ok(run.ended);
  assert.ok(!p.events.some((e) => e.type === 'run-end' && e.status === 'done'), 'no "done" event');
  assert.ok(!existsSync(join(dir, 'LOCK')));
  assertCheckpointsComplete(dir);
});

test('SIGTERM: same, exit 143', { timeout: 240_000 }, async () => {
  const { p, r, sentAt } = await interruptAt('SIGTERM', 151, 3);
  assert.equal(r.code, 143, why(p));
  const last = Math.max(...steps(p));
  assert.ok(last <= sentAt + 2, `stopped within a step (sent after ${sentAt}, last ${last})`);
  assert.equal(runJson(runDirOf(p)).status, 'interrupted');
  assert.equal(checkpoints(p).at(-1)!.step, last);
});

test('a second SIGINT exits at once; every checkpoint left is complete and the run resumes from the newest', { timeout: 240_000 }, async () => {
  let sent = 0;
  const p = lssdc(['run', SIG_SPEC, '--root', root, '--json', '--steps', '152', '--no-probe'], (e, pp) => {
    // After a step checkpoint exists, interrupt twice in a row: the second lands while the first's
    // checkpoint is (likely) being written.
    if (e.type === 'step' && e.step >= 6 && sent === 0) { sent = 2; pp.child.kill('SIGINT'); setTimeout(() => pp.child.kill('SIGINT'), 5); }
  });
  const r = await p.done;
  assert.equal(r.code, 130, why(p));
  const dir = runDirOf(p);
  const names = assertCheckpointsComplete(dir);
  assert.ok(names.some((n) => n === 'step-4'), `the periodic checkpoint survives: ${names}`);
  assert.ok(!existsSync(join(dir, 'LOCK')), 'the lock is released even on the fast exit');
  assert.equal(runJson(dir).status, 'interrupted');
  // Resume: starts from the newest complete checkpoint.
  const newest = Math.max(...names.map((n) => Number(/^step-(\d+)$/.exec(n)?.[1] ?? -1)));
  let resumed: number | null | undefined;
  const q = lssdc(['run', SIG_SPEC, '--root', root, '--json', '--steps', '152', '--no-probe'], (e, qq) => {
    if (e.type === 'run-start') { resumed = e.resumedFrom; qq.child.kill('SIGINT'); }
  });
  const rq = await q.done;
  assert.equal(rq.code, 130, why(q));
  assert.equal(resumed, newest);
});

test('grid cells in their own processes (--jobs 2) get the signal and checkpoint; the parent exits 130', { timeout: 300_000 }, async () => {
  const grid = join(root, 'grid.lssd');
  writeFileSync(grid, `import "${SIG_SPEC.replace(/\\/g, '/')}"\n\n/// two cells, trained in parallel\ngrid g extends sig_tiny {\n  axis seed = [1, 2] -> optim.seed\n  name = "g{#}"\n}\n`);
  const seen = new Map<string, number>();
  let sent = false;
  const p = lssdc(['run', grid, '--root', root, '--json', '--steps', '153', '--no-probe', '--jobs', '2'], (e, pp) => {
    if (e.type === 'step' && e.run) seen.set(e.run, e.step);
    if (!sent && seen.size === 2 && [...seen.values()].every((s) => s >= 2)) { sent = true; pp.child.kill('SIGINT'); }
  }, { LSSD_ALLOW_IMPORT: SIG_SPEC.replace(/\/[^/]+$/, '') }); // the grid lives in the tmp root, its base in the repo
  const r = await p.done;
  assert.ok(sent, `both cells trained: ${why(p)}`);
  assert.equal(r.code, 130, why(p));
  const starts = p.events.filter((e) => e.type === 'run-start') as { runDir: string; run?: string }[];
  assert.equal(starts.length, 2);
  for (const s of starts) {
    const run = runJson(s.runDir);
    assert.equal(run.status, 'interrupted', `${s.run}: ${JSON.stringify(run)}`);
    assert.ok(!existsSync(join(s.runDir, 'LOCK')), `${s.run}: lock released`);
    const ck = checkpoints(p).filter((c) => c.path.startsWith(s.runDir));
    assert.ok(ck.length >= 1 && ck.at(-1)!.step < 150, `${s.run} checkpointed on the signal`);
  }
});

test('kill -9 leaves a running attempt; the next run marks it stale', { timeout: 240_000 }, async () => {
  let killed = false;
  const p = lssdc(['run', SIG_SPEC, '--root', root, '--json', '--steps', '154', '--no-probe'], (e, pp) => {
    if (e.type === 'step' && e.step >= 2 && !killed) { killed = true; pp.child.kill('SIGKILL'); }
  });
  const r = await p.done;
  assert.equal(r.signal, 'SIGKILL');
  const dir = runDirOf(p);
  const before = runJson(dir);
  assert.equal(before.status, 'running');
  assert.equal(before.ended, null);
  const q = lssdc(['run', SIG_SPEC, '--root', root, '--json', '--steps', '154', '--no-probe'], (e, qq) => {
    if (e.type === 'run-start') qq.child.kill('SIGINT');
  });
  const rq = await q.done;
  assert.equal(rq.code, 130, why(q));
  const after = runJson(dir);
  assert.equal(after.attempts.length, 2);
  assert.equal(after.attempts[0].status, 'stale', JSON.stringify(after.attempts[0]));
  assert.equal(after.attempts[0].pid, p.child.pid);
  assert.equal(after.attempts[1].status, 'interrupted');
});
