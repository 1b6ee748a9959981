// Scheduling that shortens lineage chains and shares the cores: a cell's children start once it is
// trained (its probes run beside their training), and cells started beside others get their share of
// the cores for TensorFlow's intra-op pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runProgram } from '../../runtime/orchestrate/index.ts';
import type { RuntimeDeps } from '../../runtime/orchestrate/deps.ts';
import type { TaggedRunEvent } from '../../runtime/contracts.ts';
import { fakeDeps, program, spec, tmp } from './helpers.ts';

/** fakeDeps whose probes of `slow` take `ms`, logging when each probe run and each training starts and ends. */
function slowProbes(slow: string, ms: number) {
  const { deps, log } = fakeDeps({ stepDelayMs: 2 });
  const order: string[] = [];
  const wrapped: RuntimeDeps = {
    ...deps,
    trainExperiment: async (a) => { order.push(`train ${a.spec.name}`); const r = await deps.trainExperiment(a); order.push(`trained ${a.spec.name}`); return r; },
    probeExperiment: async (a) => {
      order.push(`probe ${a.spec.name}`);
      if (a.spec.name === slow) await new Promise((r) => setTimeout(r, ms));
      const r = await deps.probeExperiment(a);
      order.push(`probed ${a.spec.name}`);
      return r;
    },
  };
  return { deps: wrapped, log, order };
}

const opts = (root: string, o: Partial<Parameters<typeof runProgram>[1]>) => ({
  file: '/x/t.lssd', root, emit: (_e: TaggedRunEvent) => {}, signal: new AbortController().signal, ...o,
});

test('a child starts training once its parent is trained, while the parent is still probing', async () => {
  const { deps, order } = slowProbes('A', 400);
  const out = await runProgram(program(spec('A'), spec('B', { parent: 'A' })), opts(tmp(), { deps, jobs: 2, mode: 'inprocess' }));
  assert.equal(out.value?.status, 'done');
  assert.deepEqual(out.value!.cells.map((c) => c.outcome), ['done', 'done']);
  assert.ok(order.indexOf('train B') > order.indexOf('trained A'), 'B starts from A\'s final checkpoint');
  assert.ok(order.indexOf('train B') < order.indexOf('probed A'), `B trains beside A's probes: ${order.join(', ')}`);
  assert.equal(out.value!.table.rows.length, 2);
});

test('with one job the chain stays sequential: the child waits for its parent\'s probes', async () => {
  const { deps, order } = slowProbes('A', 100);
  const out = await runProgram(program(spec('A'), spec('B', { parent: 'A' })), opts(tmp(), { deps, jobs: 1 }));
  assert.equal(out.value?.status, 'done');
  assert.deepEqual(order, ['train A', 'trained A', 'probe A', 'probed A', 'train B', 'trained B', 'probe B', 'probed B']);
});

test('a parent whose training fails still skips its children', async () => {
  const { deps } = fakeDeps({ failTrain: ['A'] });
  const out = await runProgram(program(spec('A'), spec('B', { parent: 'A' })), opts(tmp(), { deps, jobs: 2, mode: 'inprocess' }));
  assert.deepEqual(Object.fromEntries(out.value!.cells.map((c) => [c.name, c.outcome])), { A: 'failed', B: 'skipped' });
});

test('cells started beside running cells get their share of the cores for TensorFlow; one started alone the default', async () => {
  const script = fileURLToPath(new URL('./fixtures/threads-cell.mjs', import.meta.url));
  const { deps } = fakeDeps();
  const events: TaggedRunEvent[] = [];
  const saved = process.env.TF_NUM_INTRAOP_THREADS;
  delete process.env.TF_NUM_INTRAOP_THREADS;
  try {
    const out = await runProgram(program(spec('A'), spec('B', { seed: 1 }), spec('C', { seed: 2 })), {
      ...opts(tmp(), { deps, jobs: 2, mode: 'spawn', child: { command: process.execPath, args: [script] } }), emit: (e) => { events.push(e); },
    });
    assert.equal(out.value?.status, 'done');
    const threads = (n: string) => events.find((e) => e.type === 'warning' && e.run === n && e.message.startsWith('threads='))?.type === 'warning'
      ? (events.find((e) => e.type === 'warning' && e.run === n) as { message: string }).message : undefined;
    const share = `threads=${Math.max(1, Math.floor(availableParallelism() / 2))}`;
    assert.equal(threads('A'), 'threads=default', 'the first cell starts alone');
    assert.equal(threads('B'), share, 'B starts beside A');
    assert.equal(threads('C'), share, 'C starts beside B');
    // wasm fixes its threads for the process's life: every child is told the cells that may share the cores.
    const jobs = (n: string) => (events.find((e) => e.type === 'warning' && e.run === n && e.message.startsWith('jobs=')) as { message: string } | undefined)?.message;
    for (const n of ['A', 'B', 'C']) assert.equal(jobs(n), `jobs=${2 * Number(process.env.LSSD_JOBS ?? 1)}`, n);
    // A user's own setting wins.
    process.env.TF_NUM_INTRAOP_THREADS = '7';
    events.length = 0;
    await runProgram(program(spec('D', { seed: 3 }), spec('E', { seed: 4 })), {
      ...opts(tmp(), { deps, jobs: 2, mode: 'spawn', child: { command: process.execPath, args: [script] } }), emit: (e) => { events.push(e); },
    });
    assert.equal(threads('E'), 'threads=7');
  } finally {
    if (saved === undefined) delete process.env.TF_NUM_INTRAOP_THREADS; else process.env.TF_NUM_INTRAOP_THREADS = saved;
  }
});
