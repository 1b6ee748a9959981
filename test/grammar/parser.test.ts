// Grammar: lexing of numbers/units/fractions/ranges, spans, comments, error recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../grammar/index.ts';
import type { BlockDecl, Field, Value } from '../../grammar/ast.ts';

const one = (valueText: string): Value => {
  const r = parse({ name: 't.lssd', text: `preset p {\n  k = ${valueText}\n}\n` });
  assert.deepEqual(r.diagnostics, [], valueText);
  return ((r.value!.decls[0] as BlockDecl).body.entries[0] as Field).value;
};

test('numbers, suffixes, fractions', () => {
  assert.deepEqual(pick(one('0.07')), { kind: 'Number', value: 0.07, text: '0.07' });
  assert.deepEqual(pick(one('3e-4')), { kind: 'Number', value: 3e-4, text: '3e-4' });
  assert.deepEqual(pick(one('4.6M')), { kind: 'Number', value: 4_600_000, text: '4.6M' });
  assert.deepEqual(pick(one('-2')), { kind: 'Number', value: -2, text: '-2' });
  const f = one('1/8');
  assert.equal(f.kind, 'Number');
  assert.deepEqual(f.kind === 'Number' && f.fraction, { num: 1, den: 8 });
  assert.equal(f.kind === 'Number' && f.value, 0.125);
});

test('quantities: attached and word units', () => {
  assert.deepEqual(pick(one('48kHz')), { kind: 'Quantity', value: 48, unit: 'kHz', text: '48kHz' });
  assert.deepEqual(pick(one('50%')), { kind: 'Quantity', value: 50, unit: '%', text: '50%' });
  assert.deepEqual(pick(one('4.6M shots')), { kind: 'Quantity', value: 4_600_000, unit: 'shots', text: '4.6M shots' });
  assert.deepEqual(pick(one('12 per_device')), { kind: 'Quantity', value: 12, unit: 'per_device', text: '12 per_device' });
  // A unit word followed by `=` is the next key, not a unit.
  const r = parse({ name: 't', text: 'preset p { a = 12  steps = 3 }' });
  assert.deepEqual(r.diagnostics, []);
  assert.equal((r.value!.decls[0] as BlockDecl).body.entries.length, 2);
});

test('ranges, open ranges, except, calls, lists', () => {
  const r = one('3s .. 12s');
  assert.equal(r.kind, 'Range');
  const open = one('1 ..');
  assert.ok(open.kind === 'Range' && open.hi === undefined);
  const ex = one('all except [EN]');
  assert.equal(ex.kind, 'Except');
  const c = one('warmup_cosine(warmup = 2 epochs, min_lr = 0)');
  assert.ok(c.kind === 'Call' && c.named.length === 2 && c.callee.name === 'warmup_cosine');
  const l = one('[[1024], [1024, 1024]]');
  assert.ok(l.kind === 'List' && l.items.length === 2);
  const dotted = one('A2.final');
  assert.deepEqual(pick(dotted), { kind: 'IdentValue', name: 'A2.final' });
});

test('spans are 1-based lines/columns with offsets', () => {
  const r = parse({ name: 's.lssd', text: 'import "paper"\nexperiment A extends paper_main {\n  loss.lambda_a = 0.2\n}\n' });
  const d = r.value!.decls[0] as BlockDecl;
  assert.deepEqual(d.name.span.start, { offset: 26, line: 2, column: 12 });
  const f = d.body.entries[0] as Field;
  assert.deepEqual([f.key.span.start.line, f.key.span.start.column, f.value.span.end.column], [3, 3, 22]);
  assert.equal(r.value!.imports[0].path.value, 'paper');
});

test('comments are kept (own-line and trailing), docs attach to declarations', () => {
  const r = parse({ name: 'c', text: '// a\n/// doc 1\n/// doc 2\npreset p { x = 1 // t\n}\n# hash\n' });
  assert.deepEqual(r.value!.comments.map((c) => [c.text, c.trailing]), [['// a', false], ['// t', true], ['# hash', false]]);
  assert.equal((r.value!.decls[0] as BlockDecl).doc, 'doc 1\ndoc 2');
});

test('recovery: one error per broken line, later declarations still parsed', () => {
  const r = parse({ name: 'e', text: 'preset p {\n  a = = 1\n  b = 2\n  c 3\n}\nexperiment x extends p { d = 4 }\n' });
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span?.start.line]), [['LSSD1009', 2], ['LSSD1003', 4]]);
  assert.equal(r.value!.decls.length, 2);
  assert.equal((r.value!.decls[0] as BlockDecl).body.entries.length, 1); // b = 2
});

test('grid items', () => {
  const r = parse({ name: 'g', text: 'grid g extends A1 {\n  axis d = [off as "✗", any] -> dubs.policy\n  zip(a, b)\n  exclude { d = off, l = 0.2 }\n  when { l = 0.2 } { init from cell(l = 0) }\n  name = "A{d}"\n}\n' });
  assert.deepEqual(r.diagnostics, []);
  const g = r.value!.decls[0];
  assert.equal(g.kind, 'GridDecl');
  assert.deepEqual(g.kind === 'GridDecl' && g.items.map((i) => i.kind), ['GridAxis', 'GridZip', 'GridExclude', 'GridWhen', 'Field']);
});

test('garbage never throws', () => {
  for (const text of ['', '}', '{{{{', '"', 'experiment', 'grid g { axis', 'preset p { a = [1, 2', 'x = 1/', '\u0000\u0001', 'preset p { a = f(b = 1, 2) }']) {
    const r = parse({ name: 'z', text });
    assert.ok(r.value);
  }
});

function pick(v: Value): unknown {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === 'span' ? undefined : x)));
}

test('pathological nesting is a diagnostic, not a stack overflow', () => {
  const r = parse({ name: 'deep', text: 'preset p { a = ' + '['.repeat(50000) + ' }' });
  assert.equal(r.diagnostics[0].message, 'nesting deeper than 200 levels');
  const s = parse({ name: 'deep', text: 'preset p { ' + 'a { '.repeat(20000) + '}' });
  assert.ok(s.diagnostics.length > 0);
});
