import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunArgs, defaultRoot } from '../../cli/commands/run.ts';
import { buildResultsTable, formatResultsTable } from '../../runtime/orchestrate/results.ts';
import type { ProbeResult } from '../../runtime/contracts.ts';
import { tmp } from './helpers.ts';

test('run flags: values, repeats, = form, and errors as diagnostics / usage', () => {
  const r = parseRunArgs(['g.lssd', '--cell', 'A', '--cell=B,C', '--backend', 'cpu', '--steps', '5', '--jobs=2', '--no-probe', '--force', '--root', '/r', '--json']);
  assert.deepEqual(r.flags, { file: 'g.lssd', cells: ['A', 'B', 'C'], backend: 'cpu', steps: 5, jobs: 2, probe: false, force: true, wait: false, catalogs: [], root: '/r', plain: false, json: true });
  assert.equal(parseRunArgs(['g.lssd', '--runs-dir', '/x']).flags?.root, '/x');
  const prof = parseRunArgs(['g.lssd', '--profile', 'cpu', '--catalog', 'a=/x', '--catalog=b=/y']).flags!;
  assert.deepEqual([prof.profile, prof.catalogs], ['cpu', ['a=/x', 'b=/y']]);
  assert.equal(parseRunArgs(['g.lssd', '--steps', '0']).diagnostics?.[0].code, 'LSSD5807');
  assert.match(parseRunArgs(['g.lssd', '--backend', 'gpu']).diagnostics![0].message, /--backend expects auto \| tensorflow \| wasm \| cpu, got 'gpu'/);
  assert.equal(parseRunArgs(['g.lssd', '--frobnicate']).error, "unknown option '--frobnicate'");
  assert.equal(parseRunArgs([]).error, 'missing FILE');
});

test('default root: <nearest dir with package.json>/.lssd, else the spec\'s directory', () => {
  const d = tmp();
  mkdirSync(join(d, 'proj', 'experiments', 'deep'), { recursive: true });
  writeFileSync(join(d, 'proj', 'package.json'), '{}');
  assert.equal(defaultRoot(join(d, 'proj', 'experiments', 'deep', 'x.lssd')), join(d, 'proj', '.lssd'));
  mkdirSync(join(d, 'loose'));
  assert.equal(defaultRoot(join(d, 'loose', 'x.lssd')), join(d, 'loose', '.lssd'), 'no package.json above the OS temp dir');
});

const res = (task: string, group: string, value: number, std: number | null = null): ProbeResult =>
  ({ task, suite: 'hear', group, modality: 'audio', metric: 'top1', value, std, folds: [], n: { train: 1, valid: 1, test: 1 }, seconds: 0 });

test('results table: rows = experiments, columns grouped by task group, missing cells as —', () => {
  const t = buildResultsTable([
    { name: 'A1', label: 'A.1', results: [res('esc50', 'sound_scene', 0.5, 0.02), res('crema_d', 'speech', 0.6)] },
    { name: 'A2', label: 'A.2', results: [res('crema_d', 'speech', 0.65), res('fsd50k', 'sound_scene', 0.3)] },
  ]);
  assert.deepEqual(t.columns.map((c) => c.task), ['esc50', 'fsd50k', 'crema_d']);
  assert.deepEqual(t.rows[0].values.map((v) => v?.value ?? null), [0.5, null, 0.6]);
  const text = formatResultsTable(t).split('\n');
  assert.match(text[0], /sound_scene.*│ +speech/);
  assert.match(text[1], /^experiment +│ esc50 \(top1\) │ fsd50k \(top1\) │ crema_d \(top1\)$/);
  assert.match(text[3], /^A\.1 A1 +│ +50\.0±2\.0 │ +— │ +60\.0$/);
  assert.match(text[4], /^A\.2 A2 +│ +— │ +30\.0 │ +65\.0$/);
});
