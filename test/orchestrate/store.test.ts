// The run store (runtime/store, runtime/orchestrate): entries keyed by the pretrain hash alone, shared
// across names, labels, probe plans and grid cells; `init from` through the store; the old layout
// migrated; `lssdc runs` / `lssdc gc`; the LOCK between real processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runProgram, type RunOptions } from '../../runtime/orchestrate/index.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';
import { listStore } from '../../runtime/store/inventory.ts';
import { applyGc, planGc } from '../../runtime/store/gc.ts';
import { readRefs } from '../../runtime/store/refs.ts';
import type { TaggedRunEvent } from '../../runtime/contracts.ts';
import { spec, program, tmp, fakeDeps, readJsonl } from './helpers.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (n: string) => fileURLToPath(new URL(`./fixtures/${n}`, import.meta.url));

function opts(root: string, extra: Partial<RunOptions>): RunOptions & { events: TaggedRunEvent[] } {
  const events: TaggedRunEvent[] = [];
  return { file: '/x/test.lssd', root, emit: (e) => { events.push(e); }, signal: new AbortController().signal, events, ...extra };
}
const steps = (dir: string) => readJsonl(join(dir, 'metrics.jsonl')).map((m) => m.step);

test('renaming an experiment, changing its label or adding a probe never retrains', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const first = await runProgram(program(spec('quickstart', { steps: 10 })), opts(root, { deps }));
  const dir = first.value!.cells[0].runDir;
  assert.equal(dir, join(root, 'runs', stageHashes(spec('quickstart', { steps: 10 })).pretrain.slice(0, 12)), 'keyed by the pretrain hash alone');

  const renamed = { ...spec('hidden', { steps: 10 }), label: 'Hidden (relabelled)' };
  const o2 = opts(root, { deps });
  const second = await runProgram(program(renamed), o2);
  assert.deepEqual(second.value!.cells.map((c) => [c.outcome, c.runDir]), [['cached', dir]]);
  assert.equal(o2.events.find((e) => e.type === 'results' )?.type, 'results');

  const more = await runProgram(program(spec('hidden', { steps: 10, probes: ['scene', 'speakers'] })), opts(root, { deps }));
  assert.deepEqual(more.value!.cells.map((c) => [c.outcome, c.runDir]), [['done', dir]]);
  assert.equal(log.trained.length, 1, 'trained once');
  assert.deepEqual(log.probed, ['quickstart', 'hidden'], 'only the new probe plan ran');
  assert.deepEqual(steps(dir), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'every step logged once');
  assert.deepEqual(more.value!.table.rows[0].values.length, 2);
  assert.deepEqual(readRefs(dir).map((r) => r.name).sort(), ['hidden', 'quickstart'], 'refs/ name every experiment that maps to the entry');
  assert.equal(JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')).name, 'quickstart', 'spec.json stays the one that trained it');
});

test('compiled: an `extends` with another label and probes, and grid cells differing only in probes, train once', async () => {
  const out = compileFile(fixture('shared.lssd'), nodeHost());
  assert.ok(out.value, JSON.stringify(out.diagnostics));
  assert.deepEqual(out.value.experiments.map((e) => e.name).length, 4);
  const root = tmp();
  const { deps, log } = fakeDeps({ stepDelayMs: 2 });
  const r = await runProgram(out.value, opts(root, { deps, jobs: 2, mode: 'inprocess' }));
  assert.equal(r.value?.status, 'done');
  assert.equal(new Set(r.value!.cells.map((c) => c.runDir)).size, 1, 'one store entry');
  assert.equal(log.trained.length, 1, `one training run, not ${log.trained.map((t) => t.name)}`);
  // G_synth_scene probes exactly what base probes (same probe hash): its results are base's.
  assert.deepEqual(log.probed.sort(), ['G_synth_scene_synth_language_id', 'base', 'hidden'], 'each distinct probe plan probed once');
  assert.deepEqual(r.value!.table.rows.map((row) => [row.name, row.values.filter(Boolean).length]),
    [['base', 1], ['hidden', 2], ['G_synth_scene', 1], ['G_synth_scene_synth_language_id', 2]]);
  assert.equal(log.maxConcurrent, 1);
  assert.deepEqual(steps(r.value!.cells[0].runDir), [1, 2, 3, 4, 5, 6]);
  assert.equal(readRefs(r.value!.cells[0].runDir).length, 4);
});

test('`init from` resolves the parent\'s checkpoint through the store, whatever name trained it', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const a0 = await runProgram(program(spec('A_old_name')), opts(root, { deps }));
  const parentDir = a0.value!.cells[0].runDir;
  const r = await runProgram(program(spec('A'), spec('B', { parent: 'A' })), opts(root, { deps }));
  assert.deepEqual(r.value!.cells.map((c) => [c.name, c.outcome]), [['A', 'cached'], ['B', 'done']]);
  assert.deepEqual(log.trained.map((t) => t.name), ['A_old_name', 'B']);
  assert.equal(log.trained[1].init, join(parentDir, 'checkpoints', 'final'));
  const run = JSON.parse(readFileSync(join(r.value!.cells[1].runDir, 'run.json'), 'utf8'));
  assert.deepEqual([run.init.from, run.init.pretrain], ['A', stageHashes(spec('A')).pretrain]);
});

test('the old layout (runs/<name>-<hash>) is moved into the store and not retrained', async () => {
  const root = tmp();
  const { deps, log } = fakeDeps();
  const r = await runProgram(program(spec('Q')), opts(root, { deps }));
  const dir = r.value!.cells[0].runDir;
  const legacy = join(root, 'runs', `Q-${dir.slice(-12)}`);
  renameSync(dir, legacy);
  const o = opts(root, { deps });
  const again = await runProgram(program(spec('Q_renamed')), o);
  assert.deepEqual(again.value!.cells.map((c) => c.outcome), ['cached']);
  assert.equal(log.trained.length, 1);
  assert.ok(existsSync(dir) && !existsSync(legacy));
  assert.ok(o.events.some((e) => e.type === 'warning' && e.message.includes(`${legacy} → ${dir}`)), 'the move is reported');
  assert.deepEqual(readRefs(dir).map((x) => x.name).sort(), ['Q', 'Q_renamed']);
});

test('runs / gc: inventory, dry run keeps files, referenced = reachable, recent, locked or ancestor', async () => {
  const root = tmp();
  const { deps } = fakeDeps();
  await runProgram(program(spec('old', { seed: 1 })), opts(root, { deps }));
  await runProgram(program(spec('P', { seed: 2 }), spec('C', { seed: 2, parent: 'P' })), opts(root, { deps }));
  await runProgram(program(spec('busy', { seed: 3 })), opts(root, { deps, probe: false }));
  await runProgram(program(spec('old', { seed: 1 })), opts(root, { deps, force: true }));
  const hOld = stageHashes(spec('old', { seed: 1 })).pretrain;
  const lookup = (n: string) => (n === 'P' ? spec('P', { seed: 2 }) : undefined);
  const hC = stageHashes(spec('C', { seed: 2, parent: 'P' }), lookup).pretrain;
  const hBusy = stageHashes(spec('busy', { seed: 3 })).pretrain;
  const entries = listStore(root);
  assert.deepEqual(entries.map((e) => e.kind), ['entry', 'entry', 'entry', 'entry', 'replaced']);
  const busy = entries.find((e) => e.hash === hBusy)!;
  assert.deepEqual([busy.status, busy.lastStep, busy.refs.map((r) => r.name)], ['done', 12, ['busy']]);
  assert.equal(entries.find((e) => e.hash === hOld)!.status, 'done');
  assert.ok(entries.every((e) => e.bytes > 0));

  // Everything was used just now: with the default window nothing goes.
  assert.equal(planGc(entries, { reachable: new Set(), keepDays: 14 }).remove.length, 0);
  // A month later: only what the "files" reach (C, and P as its parent) and what a live process holds.
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  try {
    writeFileSync(join(busy.dir, 'LOCK'), JSON.stringify({ pid: holder.pid, host: hostname(), started: 'now' }));
    const later = { reachable: new Set([hC]), keepDays: 14, now: Date.now() + 30 * 86_400_000 };
    const plan = planGc(listStore(root), later);
    const why = Object.fromEntries(plan.keep.map((k) => [k.entry.refs[0]?.name, k.reasons]));
    assert.deepEqual(why, { C: ['reachable'], P: ['ancestor'], busy: ['running'] });
    assert.deepEqual(plan.remove.map((e) => e.kind).sort(), ['entry', 'replaced']);
    assert.ok(plan.bytes > 0);
    assert.equal(listStore(root).length, 5, 'planning deletes nothing');
    const done = applyGc(root, plan, later);
    assert.equal(done.removed.length, 2);
    assert.deepEqual(readdirSync(join(root, 'runs')).sort(), [hOld, hC, hBusy, stageHashes(spec('P', { seed: 2 })).pretrain].map((h) => h.slice(0, 12)).filter((h) => h !== hOld.slice(0, 12)).sort());
  } finally { holder.kill(); }
});

test('lssdc runs / gc through the CLI: --json, dry run by default, --yes deletes', () => {
  const root = tmp();
  const dir = join(root, 'runs', 'a'.repeat(12));
  mkdirSync(join(dir, 'refs'), { recursive: true });
  const old = '2020-01-01T00:00:00.000Z';
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ name: 'x', label: 'X', file: '/f.lssd', hashes: { pretrain: 'a'.repeat(64), probe: 'b'.repeat(64) },
    backend: 'cpu', seed: 0, overrides: {}, init: null, status: 'done', started: old, ended: old, attempts: [{ pid: 1, host: 'h', started: old, ended: old, status: 'done' }] }));
  writeFileSync(join(dir, 'refs', 'x.json'), JSON.stringify({ name: 'x', label: 'X', profile: 'cpu', file: '/f.lssd', probeHash: 'b'.repeat(64), used: old }));
  writeFileSync(join(dir, 'metrics.jsonl'), '{"step":1}\n{"step":2}\n');
  const lssdc = (...a: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'lssdc.js'), ...a], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const runs = lssdc('runs', '--root', root, '--json');
  assert.equal(runs.status, 0, runs.stderr);
  const listed = JSON.parse(runs.stdout);
  assert.deepEqual(listed.entries.map((e: { id: string; status: string; lastStep: number; experiments: { name: string; profile: string }[] }) => [e.id, e.status, e.lastStep, e.experiments.map((x) => `${x.name}@${x.profile}`)]),
    [['a'.repeat(12), 'done', 2, ['x@cpu']]]);
  assert.match(lssdc('runs', '--root', root).stdout, /aaaaaaaaaaaa\s+done\s+2\s+.*x @ cpu/);
  const dry = lssdc('gc', '--root', root);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /would remove 1 unreferenced directory/);
  assert.match(dry.stdout, /pass --yes to delete/);
  assert.ok(existsSync(dir), 'a dry run deletes nothing');
  const json = JSON.parse(lssdc('gc', '--root', root, '--json').stdout);
  assert.deepEqual([json.dryRun, json.remove.map((e: { id: string }) => e.id)], [true, ['a'.repeat(12)]]);
  assert.equal(lssdc('gc', '--root', root, '--keep-days', 'soon').status, 2);
  const yes = lssdc('gc', '--root', root, '--yes');
  assert.equal(yes.status, 0, yes.stderr);
  assert.match(yes.stdout, /removed 1/);
  assert.ok(!existsSync(dir));
});

// ---- locks between real processes ---------------------------------------------------------------

interface Child { events: Record<string, unknown>[]; done: Promise<number | null>; pid: number; proc: ReturnType<typeof spawn> }
function runner(root: string, name: string, o: { steps: number; delay: number; wait: boolean }, onEvent?: (e: Record<string, unknown>) => void): Child {
  const c = spawn(process.execPath, ['--import', 'tsx', fixture('store-runner.ts'), root, name, String(o.steps), String(o.delay), o.wait ? '1' : '0'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { events: [], pid: c.pid!, proc: c, done: new Promise((res) => c.on('close', res)) };
  let buf = ''; let err = '';
  c.stdout!.setEncoding('utf8');
  c.stdout!.on('data', (d: string) => {
    buf += d; let i: number;
    while ((i = buf.indexOf('\n')) >= 0) { const e = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1); child.events.push(e); onEvent?.(e); }
  });
  c.stderr!.setEncoding('utf8'); c.stderr!.on('data', (d: string) => { err += d; });
  void child.done.then(() => { if (err.trim()) child.events.push({ type: 'stderr', text: err }); });
  return child;
}
const summary = (c: Child) => c.events.find((e) => e.type === 'summary') as { status: string; trained: { steps: number[] }[]; probed: string[] } | undefined;

test('locks, real processes: a second run of the same hash is refused naming the owner, or waits with --wait and only probes', { timeout: 240_000 }, async () => {
  for (const wait of [false, true]) {
    const root = tmp();
    let second: Child | undefined;
    // The first run is frozen (SIGSTOP: alive, holding the LOCK) after its first step until the second
    // has been refused, or has said it waits; however slow the machine, the two overlap.
    const first: Child = runner(root, 'Q', { steps: 8, delay: 10, wait: false }, (e) => {
      if (e.type !== 'step' || second) return;
      first.proc.kill('SIGSTOP');
      second = runner(root, 'Q_other_name', { steps: 8, delay: 10, wait }, (e2) => {
        if (wait && e2.type === 'warning') first.proc.kill('SIGCONT');
      });
      void second.done.then(() => first.proc.kill('SIGCONT'));
    });
    await first.done;
    while (!second) await new Promise((r) => setTimeout(r, 20));
    await second.done;
    const s1 = summary(first); const s2 = summary(second);
    assert.ok(s1 && s2, JSON.stringify([first.events.slice(-3), second.events.slice(-3)]));
    assert.equal(s1.status, 'done');
    assert.deepEqual(s1.trained.map((t) => t.steps.length), [8], 'the first trains every step');
    assert.deepEqual(s2.trained, [], 'never two trainers on one checkpoint');
    if (!wait) {
      assert.equal(s2.status, 'failed');
      const d = second.events.find((e) => e.type === 'diagnostic') as { code: string; message: string; hint: string };
      assert.equal(d.code, 'LSSD5802');
      assert.match(d.message, new RegExp(`pid ${first.pid} on ${hostname()}, since \\d{4}-\\d\\d-\\d\\dT.*running Q of /x/lock\\.lssd`));
      assert.match(d.hint, /--wait/);
    } else {
      assert.equal(s2.status, 'done');
      const w = second.events.find((e) => e.type === 'warning') as { message: string } | undefined;
      assert.ok(w && w.message.includes(`waiting for pid ${first.pid}`), JSON.stringify(second.events.slice(0, 6)));
      assert.deepEqual(s2.probed, [], 'the same probe plan was already probed by the first');
    }
  }
});

test('locks, real processes: racers on a stale lock (dead pid) — exactly one takes it over', { timeout: 120_000 }, async () => {
  const dir = join(tmp(), 'entry');
  mkdirSync(dir, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: Number(dead), host: hostname(), started: 'earlier' }));
  const startAt = Date.now() + 4000;
  const racers = Array.from({ length: 4 }, () => {
    const c = spawn(process.execPath, ['--import', 'tsx', fixture('lock-grab.ts'), dir, String(startAt), '6000'], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.setEncoding('utf8'); c.stdout.on('data', (d: string) => { out += d; });
    return new Promise<{ ok: boolean; tookOver: { pid: number } | null }>((res) => c.on('close', () => res(JSON.parse(out))));
  });
  const results = await Promise.all(racers);
  const winners = results.filter((r) => r.ok);
  assert.equal(winners.length, 1, JSON.stringify(results));
  assert.equal(winners[0].tookOver?.pid, Number(dead));
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('LOCK.')), [], 'no takeover claims left behind');
});

test('profiled experiments: A4 @ cpu trains A2 then A4 from A2\'s entry; run.json, refs and reports name the profile', async () => {
  const out = compileFile(join(repo, 'experiments', 'A4.lssd'), nodeHost(), { profile: 'cpu', project: false });
  assert.ok(out.value && !out.diagnostics.some((d) => d.severity === 'error'), JSON.stringify(out.diagnostics));
  assert.equal(out.value.profile?.name, 'cpu');
  const root = tmp();
  const { deps, log } = fakeDeps();
  const r = await runProgram(out.value, opts(root, { deps, profile: out.value.profile!.name, file: join(repo, 'experiments', 'A4.lssd') }));
  assert.equal(r.value?.status, 'done');
  assert.deepEqual(log.trained.map((t) => t.name), ['A2', 'A4']);
  assert.deepEqual(log.probed, ['A2', 'A4'], 'a whole-file run probes the `init from` parent too');
  assert.deepEqual(r.value!.table.rows.map((x) => x.label), ['A.2 @ cpu', 'A.4 @ cpu']);
  const [a2, a4] = ['A2', 'A4'].map((n) => r.value!.cells.find((c) => c.name === n)!.runDir);
  assert.equal(log.trained[1].init, join(a2, 'checkpoints', 'final'));
  const run = JSON.parse(readFileSync(join(a4, 'run.json'), 'utf8'));
  assert.equal(run.profile, 'cpu');
  assert.equal(run.init.pretrain, stageHashes(out.value.all.get('A2')!, (n) => out.value!.all.get(n)).pretrain);
  assert.deepEqual(readRefs(a4).map((x) => [x.name, x.profile]), [['A4', 'cpu']]);
  const { collectProgramRuns } = await import('../../runtime/report/collect.ts');
  const runs = collectProgramRuns(out.value.experiments, out.value.all, root, { profile: 'cpu' });
  assert.deepEqual(runs.map((x) => [x.exists, x.spec.label, x.record.profile]), [[true, 'A.4 @ cpu', 'cpu']]);
  // The unprofiled A4 is another experiment (paper scale: another hash), not this entry.
  const paper = compileFile(join(repo, 'experiments', 'A4.lssd'), nodeHost(), { project: false });
  assert.notEqual(stageHashes(paper.value!.experiments[0], (n) => paper.value!.all.get(n)).pretrain, run.hashes.pretrain);
  assert.ok(!existsSync(join(root, 'runs', stageHashes(paper.value!.experiments[0], (n) => paper.value!.all.get(n)).pretrain.slice(0, 12))));
});

test('an entry whose run.json does not parse is `unreadable`, never `empty`, and gc keeps it (it was removed, checkpoints and all)', () => {
  const root = tmp();
  const dir = join(root, 'runs', '0123456789ab');
  mkdirSync(join(dir, 'checkpoints', 'step-4'), { recursive: true });
  writeFileSync(join(dir, 'run.json'), '{"status":"running","ended":null, torn');
  writeFileSync(join(dir, 'checkpoints', 'step-4', 'weights.bin'), Buffer.alloc(64));
  const [e] = listStore(root);
  assert.equal(e.status, 'unreadable');
  const plan = planGc([e], { reachable: new Set(), keepDays: 14, now: Date.now() + 365 * 86_400_000 });
  assert.deepEqual(plan.remove, []);
  assert.deepEqual(plan.keep.map((k) => k.reasons), [['unreadable']]);
});
