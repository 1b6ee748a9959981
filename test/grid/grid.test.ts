import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../grammar/index.ts';
import type { Field, GridDecl, InitFrom } from '../../grammar/ast.ts';
import { expandGrid } from '../../compiler/grid.ts';

function grids(text: string): Map<string, GridDecl> {
  const r = parse({ name: 'g.lssd', text });
  assert.deepEqual(r.diagnostics, [], 'fixture parses');
  return new Map(r.value!.decls.filter((d): d is GridDecl => d.kind === 'GridDecl').map((g) => [g.name.name, g]));
}
function expand(text: string, name?: string) {
  const gs = grids(text);
  const g = name ? gs.get(name)! : [...gs.values()][0];
  return expandGrid(g, { lookupGrid: (n) => gs.get(n) });
}
const fields = (c: { decl: { body: { entries: unknown[] } } }) => Object.fromEntries((c.decl.body.entries as (Field | InitFrom)[]).map((e) =>
  e.kind === 'InitFrom' ? ['init', (e.target as { name: string }).name] : [e.key.parts.map((p) => p.name).join('.'), 'value' in e.value ? e.value.value : 'name' in e.value ? e.value.name : e.value.kind]));
const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);

test('cartesian product, first axis outermost, default names, targets as fields', () => {
  const r = expand(`grid g extends base { axis a = [1, 2] -> loss.lambda_a  axis p = [off, any] -> dubs.policy }`);
  assert.deepEqual(r.diagnostics, []);
  const cells = r.value!.cells;
  assert.deepEqual(cells.map((c) => c.name), ['g_1_off', 'g_1_any', 'g_2_off', 'g_2_any']);
  assert.deepEqual(cells.map((c) => c.axes), [{ a: 1, p: 'off' }, { a: 1, p: 'any' }, { a: 2, p: 'off' }, { a: 2, p: 'any' }]);
  assert.deepEqual(fields(cells[3]), { 'loss.lambda_a': 2, 'dubs.policy': 'any' });
  assert.deepEqual(cells[0].decl.extends.map((e) => e.name), ['base']);
  assert.equal(cells[0].decl.declKind, 'experiment');
});

test('zip advances axes together; exclude drops cells; {#} numbers the kept cells', () => {
  const r = expand(`grid b extends base {
    axis lang = [EN, all except [EN], all] -> data.titles.original_language
    axis budget = [11.8M shots, 9.8M shots, 19.4M shots] -> data.budget
    axis seed = [0, 1] -> optim.seed
    zip(lang, budget)
    exclude { lang = EN, seed = 1 }
    name = "B{#}_s{seed}"
  }`);
  assert.deepEqual(r.diagnostics, []);
  const cells = r.value!.cells;
  assert.deepEqual(cells.map((c) => c.name), ['B1_s0', 'B2_s0', 'B3_s1', 'B4_s0', 'B5_s1']);
  assert.deepEqual(cells.map((c) => [c.axes.lang, c.axes.budget, c.axes.seed]),
    [['EN', 11_800_000, 0], ['all except [EN]', 9_800_000, 0], ['all except [EN]', 9_800_000, 1], ['all', 19_400_000, 0], ['all', 19_400_000, 1]]
      .map(([l, b, s]) => [l, `${Number(b) / 1e6}M shots`, s]));
});

test('precedence: shared entries < axis targets < when bodies; strings interpolate labels', () => {
  const r = expand(`grid g extends base {
    axis dubs = [off as "✗", any as "✓"] -> dubs.policy
    label = "row {dubs} #{#}"
    cell { loss.lambda_v = 0.1  data.titles { dubs = 1 .. } }
    when { dubs = any } { loss.lambda_v = 0.3  init from cell(dubs = off) }
  }`);
  assert.deepEqual(r.diagnostics, []);
  const [off, any] = r.value!.cells;
  assert.deepEqual(fields(off), { label: 'row ✗ #1', 'loss.lambda_v': 0.1, 'data.titles.dubs': 'Range', 'dubs.policy': 'off' });
  assert.deepEqual(fields(any), { label: 'row ✓ #2', 'loss.lambda_v': 0.3, 'data.titles.dubs': 'Range', 'dubs.policy': 'any', init: 'g_off' });
  assert.deepEqual(any.labels, { dubs: '✓' });
});

test('an entry that sets an axis target is overridden, with a warning at the entry', () => {
  const r = expand(`grid g extends base {\n  axis l = [0, 0.2] -> loss.lambda_a\n  loss.lambda_a = 1\n}`);
  assert.deepEqual(codes(r), ['LSSD6013']);
  assert.equal(r.diagnostics[0].span!.start.line, 3);
  assert.deepEqual(r.value!.cells.map((c) => fields(c)['loss.lambda_a']), [0, 0.2]);
});

test('per-cell lineage: same grid keeps other axes; another grid by axis values', () => {
  const text = `
  grid scale extends base {
    axis lang = [EN, all] -> data.titles.original_language
    name = "S{lang}"
  }
  grid tune extends base {
    axis lv = [0, 0.2] -> loss.lambda_v
    axis la = [0, 0.2] -> loss.lambda_a
    zip(lv, la)
    name = "T{#}"
    init from cell(scale, lang = all)
  }
  grid pair extends base {
    axis seed = [0, 1] -> optim.seed
    axis la = [0, 0.2] -> loss.lambda_a
    when { la = 0.2 } { init from cell(la = 0) }
  }`;
  const tune = expand(text, 'tune');
  assert.deepEqual(tune.diagnostics, []);
  assert.deepEqual(tune.value!.cells.map((c) => [c.name, fields(c).init]), [['T1', 'Sall'], ['T2', 'Sall']]);
  const pair = expand(text, 'pair');
  assert.deepEqual(pair.value!.cells.map((c) => [c.name, fields(c).init]),
    [['pair_0_0', undefined], ['pair_0_0p2', 'pair_0_0'], ['pair_1_0', undefined], ['pair_1_0p2', 'pair_1_0']]);
});

test('cell() errors: ambiguous, no match, unknown grid, self reference', () => {
  const amb = expand(`grid g extends base { axis a = [1, 2]  axis b = [3, 4]  when { a = 2 } { init from cell(zz, a = 1) } }`);
  assert.deepEqual(codes(amb), ['LSSD6012']);
  const self = expand(`grid g extends base { axis a = [1, 2] -> optim.seed  init from cell(a = 1) }`);
  assert.deepEqual(codes(self), ['LSSD2009']);
  const other = `grid s extends base { axis x = [1, 2, 3] -> optim.seed }
    grid t extends base { axis y = [5] -> optim.seed  init from cell(s) }
    grid u extends base { axis y = [5] -> optim.seed  init from cell(s, x = 4) }`;
  const t = expand(other, 't');
  assert.deepEqual(codes(t), ['LSSD6011']);
  assert.match(t.diagnostics[0].message, /matches 3 cells of 's' \(s_1, s_2, s_3\)/);
  assert.match(t.diagnostics[0].hint!, /`x = …`/);
  const u = expand(other, 'u');
  assert.deepEqual(codes(u), ['LSSD6002']);
});

test('structural errors point at the offending source', () => {
  const src = `grid g extends base {
  axis a = [1, 2]
  axis b = [1, 2, 3]
  zip(a, b)
  exclude { zzz = 1 }
  when { a = 7 } { optim.seed = 1 }
}`;
  const r = expand(src);
  assert.deepEqual(codes(r), ['LSSD6004', 'LSSD6001']);
  assert.equal(r.diagnostics[0].span!.start.line, 4);
  assert.equal(r.diagnostics[1].span!.start.line, 5);
  assert.match(r.diagnostics[1].hint ?? '', /axes: a, b/);
  const v = expand(`grid g extends base {\n  axis a = [1, 2]\n  when { a = 7 } { optim.seed = 1 }\n}`);
  assert.deepEqual(codes(v), ['LSSD6002']);
  assert.deepEqual([v.diagnostics[0].span!.start.line, v.diagnostics[0].span!.start.column], [3, 14]);
  assert.match(v.diagnostics[0].hint!, /its values: 1, 2/);
  const dupName = expand(`grid g extends base {\n  axis a = [1, 2]\n  axis b = [3, 4]\n  name = "G{a}"\n}`);
  assert.deepEqual(codes(dupName), ['LSSD6009']);
  assert.match(dupName.diagnostics[0].message, /\(a = 1, b = 3\) and \(a = 1, b = 4\) both get the name 'G1'/);
  const badPh = expand(`grid g extends base { axis lambda = [1, 2]  name = "G{lamda}" }`);
  assert.deepEqual(codes(badPh), ['LSSD6008']);
  assert.match(badPh.diagnostics[0].hint!, /lambda/);
  const allOut = expand(`grid g extends base { axis a = [1]  exclude { a = 1 } }`);
  assert.deepEqual(codes(allOut), ['LSSD6006']);
  const big = expandGrid(grids(`grid g extends base { axis a = [1,2,3,4,5,6,7,8,9,10]  axis b = [1,2,3,4,5,6,7,8,9,10] }`).get('g')!, { maxCells: 50 });
  assert.deepEqual(codes(big), ['LSSD6015']);
});
