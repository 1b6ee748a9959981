import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runCellInChild, childArgs } from '../../runtime/orchestrate/child.ts';
import type { PreparedCell, RunOptions } from '../../runtime/orchestrate/index.ts';
import type { TaggedRunEvent } from '../../runtime/contracts.ts';
import { spec } from './helpers.ts';

const script = fileURLToPath(new URL('./fixtures/fake-cell.mjs', import.meta.url));
const cell = (name: string): PreparedCell => ({ name, label: name, runDir: `/r/${name}`, after: null, hash: 'h', cached: false, spec: spec(name),
  hashes: { pretrain: 'h', probe: 'p' }, parentName: null, parentRunDir: null, parentPretrain: null, sameAs: null, selected: true, probed: true });

function run(name: string, env: Record<string, string>, signal = new AbortController().signal) {
  const events: TaggedRunEvent[] = [];
  const o = { file: '/x/g.lssd', root: '/tmp/r', emit: (e: TaggedRunEvent) => events.push(e), signal, probe: true, steps: 3, force: true,
    child: { command: process.execPath, args: [script], env } } as RunOptions & { probe: boolean };
  return { events, done: runCellInChild(cell(name), o) };
}

test('child cell: its JSON stream is merged, tagged, without its own program frame', async () => {
  const { events, done } = run('A4', {});
  assert.equal(await done, 'done');
  assert.deepEqual(events.map((e) => `${e.type}:${e.run}`), ['run-start:A4', 'step:A4']);
});

test('child cell: exit codes map to outcomes; unexpected stderr becomes a diagnostic', async () => {
  assert.equal(await run('A', { FAKE_EXIT: '130' }).done, 'interrupted');
  const r = run('B', { FAKE_EXIT: '70', FAKE_STDERR: 'internal error in lssdc run: boom' });
  assert.equal(await r.done, 'failed');
  const d = r.events.find((e) => e.type === 'diagnostic');
  assert.ok(d && d.type === 'diagnostic' && /exited with 70:\ninternal error in lssdc run: boom/.test(d.message) && d.run === 'B');
});

test('child cell: an abort forwards one SIGINT and the child\'s checkpointed exit reads as interrupted', async () => {
  const ac = new AbortController();
  const r = run('C', { FAKE_WAIT: '1' }, ac.signal);
  while (!r.events.some((e) => e.type === 'warning')) await new Promise((res) => setTimeout(res, 10));
  ac.abort();
  assert.equal(await r.done, 'interrupted');
  assert.ok(r.events.some((e) => e.type === 'run-end' && e.status === 'interrupted'));
});

test('child arguments carry the overrides; --force only for selected cells', () => {
  const o = { file: '/x/g.lssd', root: '/r', steps: 3, force: true, probe: false, backend: 'cpu' } as RunOptions & { probe: boolean };
  assert.deepEqual(childArgs(cell('A'), o), ['run', '/x/g.lssd', '--cell', 'A', '--json', '--jobs', '1', '--root', '/r', '--backend', 'cpu', '--steps', '3', '--no-probe', '--force']);
  assert.ok(!childArgs({ ...cell('A'), selected: false }, o).includes('--force'));
  assert.ok(childArgs({ ...cell('A'), probed: false }, { ...o, probe: true } as RunOptions & { probe: boolean }).includes('--no-probe'), 'a --cell ancestor is not probed in its child either');
  const p = { ...o, force: false, wait: true, profile: 'cpu', catalogs: ['movies=/m', 'tv=/t'] } as RunOptions & { probe: boolean };
  assert.deepEqual(childArgs(cell('A'), p).slice(-7), ['--no-probe', '--wait', '--profile', 'cpu', '--catalog', 'movies=/m', '--catalog', 'tv=/t'].slice(-7));
});

test('parallel cells in child processes: data prepared once in the parent, streams merged per cell', async () => {
  const { runProgram } = await import('../../runtime/orchestrate/index.ts');
  const { fakeDeps, program, tmp } = await import('./helpers.ts');
  const { deps, log } = fakeDeps();
  const events: TaggedRunEvent[] = [];
  const out = await runProgram(program(spec('A'), spec('B', { seed: 1 }), spec('C', { seed: 5 })), {
    file: '/x/g.lssd', root: tmp(), jobs: 2, mode: 'spawn', deps, emit: (e) => { events.push(e); }, signal: new AbortController().signal,
    child: { command: process.execPath, args: [script] },
  });
  assert.equal(out.value?.status, 'done');
  assert.deepEqual(log.datasets, ['A'], 'A, B and C share one dataset (the seed is not a data setting)');
  assert.equal(log.trained.length, 0, 'training happened in the children');
  for (const n of ['A', 'B', 'C']) assert.ok(events.some((e) => e.type === 'step' && e.run === n), `step events of ${n} merged`);
});
