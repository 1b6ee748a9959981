// The wasm thread policy (runtime/train/thread-policy.ts) as a pure function, and the threaded wasm
// backend (runtime/train/wasm-threads.ts) in child processes (the backend is process-wide): the default
// takes the threaded build when the run has the cores to itself, two XNNPACK threads give bit-identical
// results to the single-threaded build, and the process exits by itself afterwards (XNNPACK's threads
// are unref'd). ops-agreement.test.ts checks every block on wasm against the cpu backend.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { concurrentJobs, wasmThreadPolicy } from '../../runtime/train/thread-policy.ts';
import { TrainError } from '../../runtime/train/errors.ts';
import { WASM } from '../../compiler/messages-runtime.ts';

test('thread policy: the cores available to the run (cores / LSSD_JOBS, 1 to 8), LSSD_WASM_THREADS overrides', () => {
  const cases: Array<[Record<string, string>, number, number, RegExp]> = [
    [{}, 2, 2, /^2 cores for this run$/],
    [{}, 1, 1, /^1 core for this run$/],
    [{}, 16, 8, /^16 cores for this run, at most 8$/],
    [{}, 6, 6, /^6 cores for this run$/],
    [{ LSSD_JOBS: '2' }, 2, 1, /^2 cores shared by 2 concurrent jobs \(LSSD_JOBS\)$/], // lssdc run --jobs 2 on 2 cores
    [{ LSSD_JOBS: '2' }, 3, 1, /shared by 2/],
    [{ LSSD_JOBS: '2' }, 8, 4, /8 cores shared by 2/],
    [{ LSSD_JOBS: '4' }, 2, 1, /2 cores shared by 4/], // never below one thread
    [{ LSSD_JOBS: '1' }, 4, 4, /^4 cores for this run$/],
    [{ LSSD_JOBS: '' }, 4, 4, /for this run/],
    [{ LSSD_WASM_THREADS: '1' }, 16, 1, /^LSSD_WASM_THREADS=1$/], // 1 = the single-threaded build
    [{ LSSD_WASM_THREADS: '3' }, 2, 3, /^LSSD_WASM_THREADS=3$/], // an explicit count is taken as given
    [{ LSSD_WASM_THREADS: '8', LSSD_JOBS: '2' }, 2, 8, /^LSSD_WASM_THREADS=8$/],
    [{ LSSD_WASM_THREADS: '' }, 2, 2, /for this run/],
  ];
  for (const [env, cores, threads, why] of cases) {
    const c = wasmThreadPolicy(env, cores);
    assert.equal(c.threads, threads, `${JSON.stringify(env)} on ${cores} cores`);
    assert.match(c.why, why, `${JSON.stringify(env)} on ${cores} cores`);
  }
  assert.equal(concurrentJobs({}), 1);
  assert.equal(concurrentJobs({ LSSD_JOBS: '3' }), 3);
});

test('thread policy: a bad LSSD_WASM_THREADS is LSSD5351, a bad LSSD_JOBS LSSD5353, each naming the value', () => {
  const refused = (env: Record<string, string>, code: string, bad: string) => assert.throws(() => wasmThreadPolicy(env, 2), (e: unknown) => {
    assert.ok(e instanceof TrainError);
    assert.equal(e.code, code);
    assert.ok(e.message.includes(`got '${bad}'`), e.message);
    assert.ok(e.hint);
    return true;
  });
  for (const bad of ['0', '9', '1.5', 'two', '-2', '2x']) refused({ LSSD_WASM_THREADS: bad }, WASM.badThreads.code, bad);
  for (const bad of ['0', '257', '1.5', 'many', '-1']) refused({ LSSD_JOBS: bad }, WASM.badJobs.code, bad);
});

const child = fileURLToPath(new URL('../fixtures/wasm-threads-child.ts', import.meta.url));
function runChild(env: Record<string, string | undefined>): { threads: number; summary: string; hash: string } {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
  const r = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000, env: e });
  assert.equal(r.error, undefined, `child with ${JSON.stringify(env)} did not exit by itself: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('two wasm threads compute bit-identical attention gradients and matmuls, and the process exits', () => {
  const one = runChild({ LSSD_WASM_THREADS: '1' }), two = runChild({ LSSD_WASM_THREADS: '2' });
  assert.equal(one.threads, 1);
  assert.equal(one.summary, '1 thread: LSSD_WASM_THREADS=1');
  assert.equal(two.threads, 2);
  assert.equal(two.hash, one.hash);
});

test('by default a run alone takes the threaded build with one thread per core (up to 8), bit-identical', { skip: availableParallelism() < 2 ? 'one core: the default is the single-threaded build' : false }, () => {
  const want = Math.min(8, availableParallelism());
  const alone = runChild({ LSSD_WASM_THREADS: undefined, LSSD_JOBS: undefined });
  assert.equal(alone.threads, want);
  assert.match(alone.summary, new RegExp(`^${want} threads: ${availableParallelism()} cores for this run`));
  const shared = runChild({ LSSD_WASM_THREADS: undefined, LSSD_JOBS: String(availableParallelism()) });
  assert.equal(shared.threads, 1);
  assert.match(shared.summary, /^1 thread: \d+ cores shared by \d+ concurrent jobs \(LSSD_JOBS\)$/);
  assert.equal(alone.hash, shared.hash);
});
