// Table 1 regenerated from experiments/paper/table1.lssd: checked cell by cell against the paper's
// table (typed in below from the paper, independently of the code), held golden as Markdown and HTML,
// and the grid cells checked to be the same experiments as the hand-written experiments/A1..C2.lssd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile, type Program } from '../../compiler/index.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { gridAxes, type GridInfoAxis } from '../../compiler/grid.ts';
import { tableData } from '../../compiler/table.ts';
import { parse } from '../../grammar/index.ts';
import { renderTable } from '../../runtime/report/table/render.ts';
import { nodeHost } from '../../runtime/host.ts';

const FILE = 'experiments/paper/table1.lssd';

// Table 1 of the paper: label, # data, init., (λv, λa), original language, avg. # dubs, dub augment.
const PAPER = `
A.1 4.6M rand. (0,0) ESF 2.8 ✗
A.2 4.6M rand. (0,0) ESF 2.8 ✓
A.3 4.6M A.1 (0,0.2) ESF 2.8 ✗
A.4 4.6M A.2 (0,0.2) ESF 2.8 ✓
B.1 11.8M rand. (0,0) EN 1.0 ✗
B.2 9.8M rand. (0,0) U\\EN 0.2 ✗
B.3 19.4M rand. (0,0) U 0.6 ✗
B.4 5.1M B.3 (0,0) U 2.8 ✓
B.5 5.1M B.3 (0.2,0.2) U 2.8 ✓
C.1 19.4M rand. (0,0) U 0.6 ✓
C.2 5.1M C.1 (0.1,0.1) U 2.8 ✓`.trim().split('\n').map((l) => l.split(' '));

function program(path = FILE): Program {
  const r = compileFile(path, nodeHost());
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r.value!;
}
function grids(p: Program): Map<string, GridInfoAxis[]> {
  const m = new Map<string, GridInfoAxis[]>();
  for (const s of p.sources.values()) for (const d of parse(s).value!.decls) if (d.kind === 'GridDecl') m.set(d.name.name, gridAxes(d));
  return m;
}

function golden(name: string, actual: string) {
  const path = join('test/table/golden', name);
  if (process.env.LSSD_UPDATE_GOLDEN) writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${path} differs (LSSD_UPDATE_GOLDEN=1 to accept)`);
}

test('table1.lssd reproduces the paper\'s Table 1 exactly', () => {
  const p = program();
  assert.deepEqual(p.grids.map((g) => g.name), ['group_a', 'group_b', 'group_b_dub', 'group_c'], 'expressed as grids');
  const t = tableData(p.experiments, { all: p.all, grids: grids(p) });
  assert.deepEqual(t.columns.map((c) => c.header), ['# data', 'init.', '(λv, λa)', 'original language', 'avg. # dubs', 'dub augment']);
  assert.deepEqual(t.rows.map((r) => [r.label, ...t.columns.map((c) => r.cells[c.id])]), PAPER);
  assert.ok(t.notes.includes('ESF := {EN,ES,FR}'));
  golden('table1.md', renderTable(t, { format: 'markdown' }));
  golden('table1.html', renderTable(t, { format: 'html' }));
});

test('every Table 1 cell is the same experiment as its hand-written file (equal stage hashes)', () => {
  const p = program();
  for (const s of p.experiments) {
    const own = program(`experiments/${s.name}.lssd`);
    const mine = stageHashes(s, (n) => p.all.get(n));
    const theirs = stageHashes(own.all.get(s.name)!, (n) => own.all.get(n));
    assert.deepEqual(mine, theirs, `${s.name}`);
  }
});

test('a row\'s text follows the spec: changing a cell changes the table', () => {
  const p = program();
  const a3 = structuredClone(p.all.get('A3')!);
  a3.loss.lambda_v = 0.5; a3.data.budget = 123_000; a3.dubs.policy = 'random'; a3.data.expected.avg_dubs = null;
  a3.data.filters.original_language = { include: ['ja', 'ko'], exclude: [] };
  a3.origin = { file: 'x.lssd', extends: [] };
  const t = tableData([a3], { all: p.all });
  assert.deepEqual(t.rows[0].cells, { data: '123K', init: 'A.1', lambdas: '(0.5,0.2)', languages: '{JA,KO}', avg_dubs: '–', dub_augment: '✓' });
});

test('user templates and the CLI', () => {
  const p = program();
  const t = tableData(p.experiments.slice(0, 2), { all: p.all, grids: grids(p), columns: ['data', 'optim.duration'] });
  const out = renderTable(t, { format: 'markdown', template: { name: 'mine.md.hbs', text: '{{#each rows}}{{name}}:{{#each cells}}[{{this}}]{{/each}}\n{{/each}}' } });
  assert.equal(out, 'A1:[A.1][4.6M][{ steps = 27000 }]\nA2:[A.2][4.6M][{ steps = 27000 }]\n');
  assert.throws(() => renderTable(t, { format: 'html', template: { name: 'bad.hbs', text: '{{#each rows}' } }), /bad\.hbs: template failed to compile/);

  const dir = mkdtempSync(join(tmpdir(), 'lssd-table-'));
  try {
    const tpl = join(dir, 'rows.html.hbs');
    writeFileSync(tpl, '{{#each rows}}<b>{{label}}</b>{{/each}}');
    const r = spawnSync(process.execPath, ['bin/lssdc.js', 'table', FILE, '--template', tpl], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, ['A.1', 'A.2', 'A.3', 'A.4', 'B.1', 'B.2', 'B.3', 'B.4', 'B.5', 'C.1', 'C.2'].map((l) => `<b>${l}</b>`).join(''));
    const md = spawnSync(process.execPath, ['bin/lssdc.js', 'table', FILE], { encoding: 'utf8' });
    assert.equal(md.stdout, readFileSync('test/table/golden/table1.md', 'utf8'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
