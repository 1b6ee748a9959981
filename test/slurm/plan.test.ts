// The SLURM executor's pure parts: lineage levels → job arrays (aftercorr index alignment), the batch
// script, `--slurm KEY=VALUE` parsing, the pass-through of run flags, and the submission bookkeeping
// against a fake cluster client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arraySpec, planArrays, renderScript, sbatchTime, type SubmitCell } from '../../executors/slurm/plan.ts';
import { cancelRun, latestTasks, parseDuration, parseSlurmFlags, readSubmission, submitRun, type SlurmClient } from '../../executors/slurm/index.ts';
import { passthroughArgs } from '../../cli/cluster.ts';
import { RUN_ARGS } from '../../cli/commands/run.ts';
import type { PreparedRun } from '../../runtime/orchestrate/index.ts';

const cell = (name: string, parent: string | null = null, slurm = {}): SubmitCell => ({ name, label: name, parent, slurm });

test('one array per lineage level; a child takes its parent\'s index (aftercorr)', () => {
  const arrays = planArrays([cell('a1'), cell('a2'), cell('b1'), cell('a3', 'a1'), cell('a4', 'a2'), cell('b2', 'b1')]);
  assert.deepEqual(arrays.map((a) => [a.id, a.after, a.tasks.map((t) => `${t.index}:${t.cell}`)]), [
    ['L0', null, ['0:a1', '1:a2', '2:b1']],
    ['L1', 'L0', ['0:a3', '1:a4', '2:b2']],
  ]);
});

test('children of one parent go to successive arrays of their level; sparse indices stay aligned', () => {
  const arrays = planArrays([cell('p'), cell('q'), cell('c1', 'q'), cell('c2', 'q'), cell('g', 'c2')]);
  assert.deepEqual(arrays.map((a) => [a.id, a.after, a.tasks.map((t) => `${t.index}:${t.cell}`)]), [
    ['L0', null, ['0:p', '1:q']],
    ['L1', 'L0', ['1:c1']],
    ['L1r1', 'L0', ['1:c2']],
    ['L2', 'L1r1', ['1:g']],
  ]);
  assert.equal(arraySpec(arrays[1].tasks), '1');
  assert.equal(arraySpec([{ index: 0, cell: 'x' }, { index: 2, cell: 'y' }, { index: 5, cell: 'z' }], 2), '0,2,5%2');
  assert.equal(arraySpec([{ index: 3, cell: 'x' }, { index: 4, cell: 'y' }]), '3-4');
});

test('cells with different executor settings never share an array', () => {
  const arrays = planArrays([cell('a', null, { partition: 'cpu' }), cell('b', null, { partition: 'gpu' }), cell('c', null, { partition: 'cpu' })]);
  assert.deepEqual(arrays.map((a) => [a.id, a.slurm.partition, a.tasks.map((t) => t.cell)]), [['L0', 'cpu', ['a', 'c']], ['L0r1', 'gpu', ['b']]]);
});

test('the batch script: settings, requeue on signal, dependency, the cell table', () => {
  const [a0, a1] = planArrays([cell('x', null, { partition: 'debug', time: 5400, array_limit: 2, cpus_per_task: 4, extra: ['--constraint=a100'] }), cell("it's", 'x', { partition: 'debug', time: 5400, array_limit: 2, cpus_per_task: 4, extra: ['--constraint=a100'] })]);
  const s0 = renderScript(a0, { jobName: 'lssd-g', cwd: '/p', logDir: '/r/logs', command: ['/bin/node', '/p/bin/lssdc.js', 'run', '/p/g.lssd'] });
  for (const l of ['#SBATCH --job-name=lssd-g-L0', '#SBATCH --array=0%2', '#SBATCH --partition=debug', '#SBATCH --cpus-per-task=4',
    '#SBATCH --time=0-01:30:00', '#SBATCH --requeue', '#SBATCH --signal=B:TERM@120', '#SBATCH --constraint=a100', "  0) CELL='x' ;;",
    `'/bin/node' '/p/bin/lssdc.js' 'run' '/p/g.lssd' --cell "$CELL" --plain &`]) assert.ok(s0.split('\n').includes(l), `missing line: ${l}\n${s0}`);
  assert.ok(!s0.includes('--dependency'));
  const s1 = renderScript(a1, { jobName: 'lssd-g', cwd: '/p', logDir: '/r/logs', command: ['lssdc'], afterJob: '77' });
  assert.ok(s1.includes('#SBATCH --dependency=aftercorr:77'));
  assert.ok(s1.includes(`  0) CELL='it'\\''s' ;;`), 'cell names are shell-quoted');
  assert.match(s1, /scontrol requeue "\$\{SLURM_ARRAY_JOB_ID\}_\$\{SLURM_ARRAY_TASK_ID\}"/);
  assert.equal(sbatchTime(90061), '1-01:01:01');
});

test('--slurm KEY=VALUE: typed values, durations, unknown keys are coded diagnostics', () => {
  assert.deepEqual(parseSlurmFlags(['partition=gpu', 'time=4h', 'signal_before=90s', 'array_limit=3', 'extra=--exclusive', 'extra=--nice=5']).value,
    { partition: 'gpu', time: 14400, signal_before: 90, array_limit: 3, extra: ['--exclusive', '--nice=5'] });
  assert.equal(parseDuration('1-02:00:00'), 93600);
  assert.equal(parseDuration('01:30:00'), 5400);
  assert.equal(parseDuration('30'), 1800);
  for (const bad of ['partiton=gpu', 'time=soon', 'array_limit=two', 'partition']) {
    const r = parseSlurmFlags([bad]);
    assert.equal(r.value, undefined, bad);
    assert.equal(r.diagnostics[0].code, 'LSSD5862', bad);
  }
});

test('pass-through: run flags reach every task; executor, cell, root and output flags do not', () => {
  const args = ['--executor', 'slurm', 'g.lssd', '--steps', '4', '--cell=sg1', '--backend=wasm', '--slurm', 'time=1h', '--no-probe', '--root', '/r', '--json', '--dry-run', '--jobs', '2'];
  assert.deepEqual(passthroughArgs(args, RUN_ARGS), ['--steps', '4', '--backend=wasm', '--no-probe']);
});

/** A cluster that records what it is asked. */
function fakeCluster(queued: string[] = []): SlurmClient & { scripts: string[]; cancelled: string[][] } {
  let next = 100;
  const c = {
    scripts: [] as string[], cancelled: [] as string[][],
    sbatch(script: string) { c.scripts.push(script); return { jobId: String(next++) }; },
    squeue() { return { tasks: queued.map((id) => ({ id, state: 'RUNNING', node: 'n1', reason: 'None', restarts: 0 })) }; },
    sacct() { return undefined; },
    scancel(ids: readonly string[]) { c.cancelled.push([...ids]); return {}; },
  };
  return c;
}

function prepared(file: string): PreparedRun {
  const spec = (name: string) => ({ name, probes: [], runtime: { slurm: { partition: 'debug' } } }) as never;
  const c = (name: string, parentName: string | null, cached = false) => ({ name, label: name, spec: spec(name), parentName, cached, runDir: `/r/runs/${name}`, hashes: { pretrain: 'p', probe: 'q' }, selected: true, hash: 'p', after: parentName, parentRunDir: null });
  return { file, cells: [c('done', null, true), c('a', 'done'), c('b', 'a'), c('x', null)] } as unknown as PreparedRun;
}

test('submit: finished cells are skipped, a finished parent is no dependency, the record lists every task', () => {
  const root = mkdtempSync(join(tmpdir(), 'lssd-slurm-'));
  const fake = fakeCluster();
  const lines: string[] = [];
  const r = submitRun(prepared('/p/g.lssd'), { file: '/p/g.lssd', root, passthrough: [], overrides: { time: 60 }, dryRun: false, client: fake, command: ['lssdc'], out: (l) => lines.push(l) });
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.value!.arrays.map((a) => [a.id, a.jobId, a.tasks.map((t) => t.cell)]), [['L0', '100', ['a', 'x']], ['L1', '101', ['b']]]);
  assert.ok(fake.scripts[0].includes('#SBATCH --partition=debug') && fake.scripts[0].includes('#SBATCH --time=0-00:01:00'), 'spec settings + overrides');
  assert.ok(fake.scripts[1].includes('#SBATCH --dependency=aftercorr:100'));
  assert.deepEqual([...latestTasks(readSubmission(root, '/p/g.lssd')).entries()].map(([k, v]) => `${k}=${v.task}`), ['a=100_0', 'x=100_1', 'b=101_0']);
  assert.ok(readFileSync(r.value!.arrays[0].script, 'utf8').startsWith('#!/bin/bash'), 'scripts are kept beside the record');

  // Resubmitting while 100_0 (a) still runs: a is not submitted twice, and b (its child) is refused.
  const again = submitRun(prepared('/p/g.lssd'), { file: '/p/g.lssd', root, passthrough: [], overrides: {}, dryRun: false, client: fakeCluster(['100_0']), command: ['lssdc'], out: () => {} });
  assert.deepEqual(again.diagnostics.map((d) => d.code), ['LSSD5864', 'LSSD5866']);
  assert.match(again.diagnostics[1].message, /'b' initialises from 'a', still on the cluster as 100_0/);

  const cancel = cancelRun('/p/g.lssd', root, fakeCluster(['100_0', '101_0']));
  assert.deepEqual(cancel.value, ['100', '101']);
});

test('dry run submits nothing and writes nothing', () => {
  const root = mkdtempSync(join(tmpdir(), 'lssd-slurm-'));
  const fake = fakeCluster();
  const out: string[] = [];
  const r = submitRun(prepared('/p/g.lssd'), { file: '/p/g.lssd', root, passthrough: [], overrides: {}, dryRun: true, client: fake, command: ['lssdc'], out: (l) => out.push(l) });
  assert.equal(fake.scripts.length, 0);
  assert.equal(readSubmission(root, '/p/g.lssd'), undefined);
  assert.ok(out.join('\n').includes('#SBATCH --dependency=aftercorr:<job L0>'));
  assert.equal(r.value!.arrays.length, 2);
});
