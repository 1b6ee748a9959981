// End to end: `lssdc run` as a subprocess on a tiny spec (3 synthetic titles, 6 training steps, one probe).
// Needs ~1 min of CPU (data, 6 training steps twice, one probe); allow for a loaded machine.
// One sequence on one run directory: a run killed with SIGKILL after a checkpoint while a concurrent
// second run is refused; the re-run resumes from that checkpoint and loses nothing; a third run is a no-op.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaggedRunEvent } from '../../runtime/contracts.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(repo, 'bin', 'lssdc.js');
const SPEC = fileURLToPath(new URL('./fixtures/tiny.lssd', import.meta.url));

interface Proc { child: ChildProcess; events: TaggedRunEvent[]; stdout: string[]; stderr: () => string; done: Promise<{ code: number | null; signal: string | null }> }

function lssdc(args: string[], onEvent?: (e: TaggedRunEvent, p: Proc) => void): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1', FORCE_COLOR: '0' } });
  let buf = ''; let err = '';
  const p: Proc = {
    child, events: [], stdout: [], stderr: () => err,
    done: new Promise((res) => child.on('close', (code, signal) => res({ code, signal }))),
  };
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i); buf = buf.slice(i + 1);
      p.stdout.push(line);
      if (args.includes('--json')) {
        const e = JSON.parse(line) as TaggedRunEvent; // a non-JSON line on stdout in --json mode fails the test
        p.events.push(e);
        onEvent?.(e, p);
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { err += d; });
  return p;
}

/** metrics.jsonl (written by runtime/train): one line per optimizer step. */
const metricsSteps = (dir: string): { step: number; loss: Record<string, number> }[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => typeof m.step === 'number');

test('lssdc run: kill -9 + concurrent refusal, resume loses nothing, re-run is a no-op', { timeout: 600_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'lssd-e2e-'));
  const base = ['run', SPEC, '--root', root, '--json'];

  // 1. First run: after its first step checkpoint it is frozen (SIGSTOP: alive, holding the LOCK), a
  // concurrent run must be refused, then it is killed with SIGKILL.
  let second: Proc | undefined;
  let killedAfter = 0;
  const first = lssdc(base, (e, p) => {
    if (e.type === 'checkpoint' && !e.path.endsWith('final') && !second) {
      killedAfter = e.step;
      p.child.kill('SIGSTOP');
      second = lssdc(base);
      void second.done.then(() => p.child.kill('SIGKILL'));
    }
  });
  const r1 = await first.done;
  const diags = (p: Proc) => p.events.filter((e) => e.type === 'diagnostic').map((e) => JSON.stringify(e)).join('\n') + p.stderr();
  assert.ok(second, `the first run wrote a step checkpoint (exit ${r1.code}): ${diags(first)}`);
  const r2 = await second!.done;
  assert.equal(r1.signal, 'SIGKILL', `first run was killed, not finished (code ${r1.code}; stderr: ${first.stderr()})`);
  assert.equal(r2.code, 1, `the concurrent run is refused:\n${second!.stdout.join('\n')}\n${second!.stderr()}`);
  const refusal = second!.events.find((e) => e.type === 'diagnostic');
  assert.ok(refusal && refusal.type === 'diagnostic' && refusal.code === 'LSSD5802', `refused with LSSD5802, got ${JSON.stringify(refusal)}`);
  assert.match(refusal.message, new RegExp(`pid ${first.child.pid}\\b`));

  const start = first.events.find((e) => e.type === 'run-start');
  assert.ok(start && start.type === 'run-start');
  const dir = start.runDir;
  assert.ok(existsSync(join(dir, 'LOCK')), 'kill -9 leaves the LOCK behind');
  assert.equal(existsSync(join(dir, 'checkpoints', 'final')), false);
  const firstSteps = first.events.filter((e) => e.type === 'step') as Extract<TaggedRunEvent, { type: 'step' }>[];
  assert.ok(firstSteps.length >= killedAfter);

  // 2. Re-run: takes over the stale lock, resumes from the last checkpoint, finishes.
  const third = lssdc(base);
  const r3 = await third.done;
  assert.equal(r3.code, 0, `resumed run finishes: ${diags(third)}`);
  assert.ok(third.events.some((e) => e.type === 'diagnostic' && e.code === 'LSSD5803'), 'stale lock taken over with a warning');
  const start3 = third.events.find((e) => e.type === 'run-start');
  assert.ok(start3 && start3.type === 'run-start' && start3.resumedFrom !== null && start3.resumedFrom >= killedAfter, `resumed from a checkpoint ≥ ${killedAfter}: ${JSON.stringify(start3)}`);
  const total = start3.totalSteps;

  // Nothing lost: every step once in metrics.jsonl; steps up to the checkpoint as first logged.
  const steps = metricsSteps(dir);
  assert.deepEqual(steps.map((m) => m.step), Array.from({ length: total }, (_, i) => i + 1));
  for (const s of firstSteps.filter((x) => x.step <= start3.resumedFrom!)) {
    assert.deepEqual(steps[s.step - 1].loss, s.loss, `step ${s.step} kept from the first attempt`);
  }
  const last = steps[steps.length - 1].loss.total; const firstLoss = steps[0].loss.total;
  assert.ok(Number.isFinite(last) && Number.isFinite(firstLoss));

  const entries = readdirSync(dir);
  for (const n of ['checkpoints', 'metrics.jsonl', 'plan.json', 'probes', 'refs', 'run.json', 'spec.json']) assert.ok(entries.includes(n), `run dir has ${n}: ${entries}`);
  assert.deepEqual(entries.filter((n) => n === 'LOCK' || n.includes('.tmp') || n.startsWith('.')), [], 'no lock or temp files left');
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'done');
  assert.equal(typeof run.backend, 'string');
  assert.equal(run.attempts.length, 2);
  assert.match(run.hashes.pretrain, /^[0-9a-f]{64}$/);
  assert.ok(dir.endsWith(`/runs/${run.hashes.pretrain.slice(0, 12)}`), dir);
  assert.ok(existsSync(join(dir, 'checkpoints', 'final')));
  assert.equal(existsSync(join(dir, 'LOCK')), false);
  const results = third.events.find((e) => e.type === 'results');
  assert.ok(results && results.type === 'results' && results.table.rows.length === 1 && results.table.rows[0].values.every((v) => v !== null && v.value >= 0 && v.value <= 1), 'results table with a value per probe');

  // 3. A finished spec re-run is a no-op (plain output this time: the CI renderer).
  const metricsBefore = statSync(join(dir, 'metrics.jsonl')).mtimeMs;
  const t0 = Date.now();
  const fourth = lssdc(['run', SPEC, '--root', root]);
  const r4 = await fourth.done;
  assert.equal(r4.code, 0, fourth.stderr());
  const out = fourth.stdout.join('\n');
  assert.match(out, /already done/);
  assert.doesNotMatch(out, /^step /m);
  assert.match(out, /experiment\s+│/, 'results table printed');
  assert.equal(statSync(join(dir, 'metrics.jsonl')).mtimeMs, metricsBefore);
  assert.ok(Date.now() - t0 < 30_000);
});
