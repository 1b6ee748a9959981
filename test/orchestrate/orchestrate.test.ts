import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runProgram, prepareRun, type RunOptions } from '../../runtime/orchestrate/index.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { spec, program, tmp, fakeDeps, collector, readJsonl } from './helpers.ts';

const opts = (root: string, extra: Partial<RunOptions> & Pick<RunOptions, 'deps'>): RunOptions => {
  const c = collector();
  return { file: '/x/test.lssd', root, emit: c.emit, signal: new AbortController().signal, ...extra, ...(extra.emit ? {} : { emit: c.emit }), _events: c.events } as RunOptions;
};
const eventsOf = (o: RunOptions) => (o as unknown as { _events: ReturnType<typeof collector>['events'] })._events;

test('a run fills its run directory: spec, plan, run.json, metrics, checkpoints, probe results', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const o = opts(root, { deps });
  const out = await runProgram(program(spec('Q', { steps: 10, seed: 3 })), o);
  assert.equal(out.value?.status, 'done');
  const h = stageHashes(spec('Q', { steps: 10, seed: 3 }));
  const dir = join(root, 'runs', h.pretrain.slice(0, 12));
  assert.equal(out.value!.cells[0].runDir, dir);
  assert.deepEqual(readdirSync(dir).sort(), ['checkpoints', 'metrics.jsonl', 'plan.json', 'probes', 'refs', 'run.json', 'spec.json']);
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'done');
  assert.equal(run.backend, 'cpu');
  assert.equal(run.seed, 3);
  assert.deepEqual(run.hashes, h);
  assert.equal(run.attempts.length, 1);
  assert.ok(run.ended);
  assert.equal(JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')).name, 'Q');
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), ['final', 'step-4', 'step-8']);
  const steps = readJsonl(join(dir, 'metrics.jsonl')).map((m) => m.step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(existsSync(join(dir, 'probes', h.probe.slice(0, 12), 'results.json')));
  assert.equal(existsSync(join(dir, 'LOCK')), false, 'lock released');
  assert.deepEqual(log.probed, ['Q']);
  const ev = eventsOf(o);
  assert.equal(ev[0].type, 'program-start');
  assert.ok(ev.every((e) => e.type === 'program-start' || e.type === 'results' || e.run === 'Q'), 'every cell event is tagged');
  const results = ev.find((e) => e.type === 'results');
  assert.deepEqual(results && results.type === 'results' && results.table.rows[0].values, [{ value: 0.5, std: null }]);
});

test('the share of secondary views that fell back to a second augmentation is recorded in run.json and said', async () => {
  const root = tmp();
  const asked: number[] = [];
  const { deps } = fakeDeps({ lowerOptim: true, secondaryViews: (steps) => {
    asked.push(steps);
    return { policy: 'fixed', steps, sampledSteps: steps, views: steps * 4, dubbed: steps * 3, fellBack: steps, fraction: 0.25 };
  } });
  const o = opts(root, { deps });
  const out = await runProgram(program(spec('F', { steps: 6 })), o);
  assert.equal(out.value?.status, 'done');
  assert.deepEqual(asked, [6], 'counted over every step of the plan\'s schedule');
  const run = JSON.parse(readFileSync(join(out.value!.cells[0].runDir, 'run.json'), 'utf8'));
  assert.deepEqual(run.secondaryViews, { policy: 'fixed', steps: 6, sampledSteps: 6, views: 24, dubbed: 18, fellBack: 6, fraction: 0.25 });
  const warn = eventsOf(o).find((e) => e.type === 'warning' && /fell back/.test(e.message));
  assert.ok(warn && warn.type === 'warning' && warn.message.startsWith('25.0% of secondary audio views (6 of 24)'), JSON.stringify(warn));
});

test('re-running a finished spec is a no-op', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  await runProgram(program(spec('Q')), opts(root, { deps }));
  const o2 = opts(root, { deps });
  const out = await runProgram(program(spec('Q')), o2);
  assert.equal(out.value?.status, 'done');
  assert.equal(log.trained.length, 1);
  assert.equal(log.probed.length, 1);
  assert.deepEqual(out.value!.cells.map((c) => c.outcome), ['cached']);
  assert.ok(eventsOf(o2).some((e) => e.type === 'results' && e.table.rows[0].values[0]?.value === 0.5), 'the table still shows the cached results');
});

test('an interrupted run checkpoints, and the re-run resumes from it with every metric exactly once', async () => {
  const root = tmp();
  const ac = new AbortController();
  const { deps, log } = fakeDeps({ onStep: (_n, step) => { if (step === 6) ac.abort(); } });
  const out = await runProgram(program(spec('Q', { steps: 10 })), opts(root, { deps, signal: ac.signal }));
  assert.equal(out.value?.status, 'interrupted');
  const dir = out.value!.cells[0].runDir;
  assert.equal(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status, 'interrupted');
  assert.ok(existsSync(join(dir, 'checkpoints', 'step-6')));
  assert.equal(existsSync(join(dir, 'LOCK')), false);
  const out2 = await runProgram(program(spec('Q', { steps: 10 })), opts(root, { deps }));
  assert.equal(out2.value?.status, 'done');
  assert.equal(log.trained[1].resumedFrom, 6);
  assert.deepEqual(log.trained[1].steps, [7, 8, 9, 10]);
  const steps = readJsonl(join(dir, 'metrics.jsonl')).map((m) => m.step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.deepEqual(run.attempts.map((a: { status: string }) => a.status), ['interrupted', 'done']);
});

test('a run killed with kill -9 (LOCK of a dead pid, no final checkpoint) is taken over and resumed', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const out = await runProgram(program(spec('Q', { steps: 8 })), opts(root, { deps }));
  const dir = out.value!.cells[0].runDir;
  // What kill -9 at step 6 leaves: step-4 checkpoint, no final, no probes, run.json 'running', LOCK of a dead pid.
  const { rmSync } = await import('node:fs');
  for (const n of ['final', 'step-8']) rmSync(join(dir, 'checkpoints', n), { recursive: true, force: true });
  rmSync(join(dir, 'probes'), { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')), status: 'running', ended: null }));
  const dead = await deadPid();
  writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: dead, host: (await import('node:os')).hostname(), started: 'earlier' }));
  const o = opts(root, { deps });
  const out2 = await runProgram(program(spec('Q', { steps: 8 })), o);
  assert.equal(out2.value?.status, 'done');
  const warn = eventsOf(o).find((e) => e.type === 'diagnostic');
  assert.ok(warn && warn.type === 'diagnostic' && warn.code === 'LSSD5803' && warn.severity === 'warning' && warn.message.includes(String(dead)), 'stale lock taken over with a warning');
  assert.equal(log.trained[1].resumedFrom, 4);
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'done');
  assert.equal(run.attempts.length, 2);
  assert.equal(run.attempts[1].resumedFrom, 4);
  assert.equal(existsSync(join(dir, 'LOCK')), false);
});

test('Ctrl-C while data is still being prepared stops waiting for it and reports interrupted', async () => {
  const root = tmp();
  const ac = new AbortController();
  const { deps, log } = fakeDeps();
  let release!: () => void;
  const slow = deps.ensureDataset;
  deps.ensureDataset = (s, o) => new Promise((res) => { release = () => res(slow(s, o)); });
  const o = opts(root, { deps, signal: ac.signal });
  const p = runProgram(program(spec('Q')), o);
  while (!release) await new Promise((r) => setTimeout(r, 5));
  ac.abort();
  const out = await p;
  assert.equal(out.value?.status, 'interrupted');
  assert.equal(log.trained.length, 0);
  assert.equal(JSON.parse(readFileSync(join(out.value!.cells[0].runDir, 'run.json'), 'utf8')).status, 'interrupted');
  assert.equal(existsSync(join(out.value!.cells[0].runDir, 'LOCK')), false);
  release();
});

test('a second run on a directory held by a live process is refused with LSSD5802', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const prep = await prepareRun(program(spec('Q')), opts(root, { deps }));
  const dir = prep.value!.cells[0].runDir;
  mkdirSync(dir, { recursive: true });
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  try {
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: holder.pid, host: (await import('node:os')).hostname(), started: 'now' }));
    const o = opts(root, { deps });
    const out = await runProgram(program(spec('Q')), o);
    assert.equal(out.value?.status, 'failed');
    assert.equal(log.trained.length, 0);
    const d = eventsOf(o).find((e) => e.type === 'diagnostic');
    assert.ok(d && d.type === 'diagnostic' && d.code === 'LSSD5802' && d.message.includes(String(holder.pid)));
    assert.ok(existsSync(join(dir, 'LOCK')), 'the other run\'s lock is left alone');
  } finally { holder.kill(); }
});

test('lineage: a cell waits for its `init from` parent and starts from its final checkpoint', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const A = spec('A'); const B = spec('B', { parent: 'A' });
  const out = await runProgram(program(B, A), opts(root, { deps, jobs: 2, mode: 'inprocess' }));
  assert.equal(out.value?.status, 'done');
  assert.deepEqual(log.trained.map((t) => t.name), ['A', 'B']);
  assert.equal(log.trained[1].init, join(out.value!.cells.find((c) => c.name === 'A')!.runDir, 'checkpoints', 'final'));
  const run = JSON.parse(readFileSync(join(out.value!.cells.find((c) => c.name === 'B')!.runDir, 'run.json'), 'utf8'));
  assert.equal(run.init.from, 'A');
  // Changing the parent makes the child stale (its hash folds in the parent's).
  const out2 = await runProgram(program(B, spec('A', { seed: 1 })), opts(root, { deps }));
  assert.deepEqual(out2.value!.cells.map((c) => c.outcome), ['done', 'done']);
  assert.equal(log.trained.length, 4);
});

test('--cell runs the named cell plus the ancestors it needs; its row only in the table', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const o = opts(root, { deps, cells: ['B'] });
  const out = await runProgram(program(spec('A'), spec('B', { parent: 'A' }), spec('C')), o);
  assert.deepEqual(log.trained.map((t) => t.name), ['A', 'B']);
  assert.deepEqual(log.probed, ['B'], 'an ancestor pulled in for its checkpoint is not probed');
  assert.deepEqual(out.value!.table.rows.map((r) => r.name), ['B']);
  const bad = await runProgram(program(spec('A1')), opts(root, { deps, cells: ['a2'] }));
  assert.equal(bad.value, undefined);
  assert.equal(bad.diagnostics[0].code, 'LSSD5804');
  assert.match(bad.diagnostics[0].hint!, /did you mean 'A1'/);
});

test('independent cells run in parallel up to --jobs; a failed parent skips its children only', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps({ stepDelayMs: 5, failTrain: ['A'] });
  const o = opts(root, { deps, jobs: 2, mode: 'inprocess' });
  const out = await runProgram(program(spec('A'), spec('B', { seed: 1 }), spec('C', { seed: 2 }), spec('D', { parent: 'A' })), o);
  assert.equal(log.maxConcurrent, 2);
  assert.equal(out.value?.status, 'failed');
  assert.deepEqual(Object.fromEntries(out.value!.cells.map((c) => [c.name, c.outcome])), { A: 'failed', B: 'done', C: 'done', D: 'skipped' });
  const codes = eventsOf(o).filter((e) => e.type === 'diagnostic').map((e) => e.type === 'diagnostic' && `${e.run}:${e.code}`);
  assert.deepEqual(codes.sort(), ['A:LSSD5806', 'D:LSSD5805']);
  assert.equal(JSON.parse(readFileSync(join(out.value!.cells[0].runDir, 'run.json'), 'utf8')).status, 'failed');
});

test('an external (paper-scale) catalog is refused before any work with LSSD5801', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const out = await runProgram(program(spec('A1', { catalog: { kind: 'external', name: 'paper-movies-episodes' } })), opts(root, { deps }));
  assert.equal(out.value, undefined);
  assert.equal(out.diagnostics[0].code, 'LSSD5801');
  assert.match(out.diagnostics[0].hint!, /lssdc run .* --profile cpu/);
  assert.equal(log.datasets.length, 0);
  assert.equal(existsSync(join(root, 'runs')), false);
});

test('--steps changes the hash and is recorded; --no-probe trains only; --force keeps the old run aside', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const a = await runProgram(program(spec('Q', { steps: 12 })), opts(root, { deps, steps: 3, probe: false }));
  const dir = a.value!.cells[0].runDir;
  assert.equal(dir, join(root, 'runs', stageHashes(spec('Q', { steps: 3 })).pretrain.slice(0, 12)));
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).overrides, { steps: 3 });
  assert.deepEqual(log.trained[0].steps, [1, 2, 3]);
  assert.deepEqual(log.probed, []);
  const b = await runProgram(program(spec('Q', { steps: 12 })), opts(root, { deps, steps: 3, probe: false, force: true }));
  assert.equal(b.value?.status, 'done');
  assert.equal(log.trained.length, 2);
  assert.equal(readdirSync(join(root, 'runs')).filter((n) => n.includes('.replaced-')).length, 1);
});

/** A pid that is certainly not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => c.on('exit', r));
  return c.pid!;
}
