// Unit tests of the chevrotain grammar stage: lexer channels, soft keywords, the layout-sensitive
// gates, error recovery, and that the parser is built once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlockDecl, Field, GridDecl, Value } from '../../grammar/ast.ts';
import { cstParser } from '../../grammar/cst-parser.ts';
import { parseSource } from '../../grammar/cst-to-ast.ts';
import { lexSource } from '../../grammar/tokens.ts';
import { rng } from './corpus.ts';

const parse = (text: string) => parseSource({ name: 't.lssd', text });
const fields = (text: string): Field[] => {
  const r = parse(text);
  assert.deepEqual(r.diagnostics.map((d) => d.message), [], text);
  return (r.file.decls[0] as BlockDecl).body.entries as Field[];
};
const value = (v: string): Value => fields(`preset p {\n  k = ${v}\n}`)[0].value;
const codes = (text: string) => parse(text).diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`);

test('the parser is built once (performSelfAnalysis is the costly part) and reused', () => {
  assert.equal(cstParser(), cstParser());
  const a = parse('preset p { a = 1 }');
  const b = parse('preset p { a = 1 }');
  assert.deepEqual(a, b);
});

test('lexer: comments on a side channel, doc comments in the stream, stray characters as one run', () => {
  const l = lexSource({ name: 't', text: 'a = 1 // c\n# d\n/// doc\n//// not doc\nb @@.x "open\n' });
  assert.deepEqual(l.tokens.map((t) => t.tokenType.name), ['Ident', 'Equals', 'Number', 'DocComment', 'Ident', 'Ident', 'String']);
  assert.deepEqual(l.comments.map((c) => [c.text, c.trailing]), [['// c', true], ['# d', false], ['//// not doc', false]]);
  assert.deepEqual(l.errors.map((e) => [e.kind, e.text]), [['unexpected-char', '@@.'], ['unterminated-string', '"open']]);
  assert.deepEqual(l.tokens.map((t) => t.newlineBefore), [true, false, false, true, true, false, false]);
});

test('lexer never fails, whatever the input', () => {
  const r = rng(42);
  for (let i = 0; i < 300; i++) {
    let s = '';
    for (let j = 0; j < 40; j++) s += String.fromCharCode(Math.floor(r() * 0x2100));
    const l = lexSource({ name: 'x', text: s });
    // Every character is in a token, a comment, whitespace or an error run.
    assert.ok(l.tokens.every((t) => t.image.length > 0));
    assert.doesNotThrow(() => parse(s));
  }
});

test('numbers, units and ranges', () => {
  assert.deepEqual(value('4.6M shots'), { kind: 'Quantity', value: 4_600_000, unit: 'shots', text: '4.6M shots', span: value('4.6M shots').span });
  assert.equal((value('1/8') as { fraction?: unknown }).fraction && (value('1/8') as { value: number }).value, 0.125);
  const open = value('1 ..');
  assert.ok(open.kind === 'Range' && open.hi === undefined && open.lo.kind === 'Number');
  const r = value('3s .. 12s');
  assert.ok(r.kind === 'Range' && r.hi?.kind === 'Quantity' && r.hi.unit === 's');
  const ex = value('all except [EN]');
  assert.ok(ex.kind === 'Except' && ex.removed.kind === 'List');
  // `stepsx` is a name, `steps` a unit; a unit word followed by `=` starts the next field.
  assert.equal(fields('preset p { a = 12 steps }')[0].value.kind, 'Quantity');
  assert.equal(fields('preset p { a = 12  steps = 3 }').length, 2);
});

test('layout-sensitive gates: unit, except, upper bound and call only on the same line', () => {
  assert.equal(fields('preset p {\n a = 12\n epochs = 3\n}').length, 2);
  const open = fields('preset p {\n a = 1 ..\n b = 2\n}');
  assert.ok(open[0].value.kind === 'Range' && open[0].value.hi === undefined);
  assert.deepEqual(codes('preset p {\n a = x\n (1)\n}'), ['LSSD1008 3:2']);
  assert.deepEqual(codes('preset p {\n a = x\n except [EN]\n}'), ['LSSD1003 3:9']);
});

test('soft keywords stay usable as names', () => {
  const fs = fields('preset p { task = 1  grid.axis = 2  from = none  as = true  init = 3  when = x.y }');
  assert.deepEqual(fs.map((f) => f.key.parts.map((p) => p.name).join('.')), ['task', 'grid.axis', 'from', 'as', 'init', 'when']);
  const g = parse('grid g { axis = 1  zip = 2  axis a = [1] }').file.decls[0] as GridDecl;
  assert.deepEqual(g.items.map((i) => i.kind), ['Field', 'Field', 'GridAxis']);
});

test('grid items', () => {
  const r = parse(`grid g extends A1 {
  axis dubs = [off as "✗", any] -> dubs.policy
  zip(dubs, seed)
  exclude { dubs = off, seed = 1 }
  when { dubs = any } { init from cell(dubs = off) }
  name = "A{dubs}"
}`);
  assert.deepEqual(r.diagnostics, []);
  const g = r.file.decls[0] as GridDecl;
  assert.deepEqual(g.items.map((i) => i.kind), ['GridAxis', 'GridZip', 'GridExclude', 'GridWhen', 'Field']);
  const axis = g.items[0];
  assert.ok(axis.kind === 'GridAxis' && axis.labels?.[0]?.value === '✗' && axis.labels[1] === undefined);
  assert.deepEqual(axis.kind === 'GridAxis' && axis.target?.parts.map((p) => p.name), ['dubs', 'policy']);
});

test('recovery: one diagnostic per broken entry, the rest of the file still parsed', () => {
  const r = parse(`experiment A {
  a = [1, 2
  b = 3
  c = f(x = 1, 2)
  d = = 4
  e = 5
experiment B { f = 1 }`);
  assert.deepEqual(r.diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`),
    ['LSSD1003 3:3', 'LSSD1011 4:16', 'LSSD1009 5:7', "LSSD1005 1:14"]);
  const [a, b] = r.file.decls as BlockDecl[];
  assert.deepEqual(a.body.entries.map((e) => (e as Field).key.parts[0].name), ['e']);
  assert.equal(b.name.name, 'B');
  assert.match(r.diagnostics[3].message, /never closed before 'experiment'/);
});

test('doc comments document the declaration below; stray ones are kept as comments', () => {
  const r = parse('/// first\n/// second\npreset p {\n  /// stray\n  a = 1\n}\n/// dangling\n');
  assert.equal((r.file.decls[0] as BlockDecl).doc, 'first\nsecond');
  assert.deepEqual(r.file.comments.map((c) => c.text), ['/// stray', '/// dangling']);
});

test('nesting deeper than 200 levels is a diagnostic, not a stack overflow', () => {
  for (const text of [`preset p { a = ${'['.repeat(5000)} }`, `preset p { ${'a { '.repeat(5000)} }`, `preset p { a = ${'f(x = ['.repeat(3000)} }`]) {
    const r = parse(text);
    assert.equal(r.diagnostics[0].code, 'LSSD1003');
    assert.match(r.diagnostics[0].message, /nesting deeper than 200 levels/);
  }
  assert.deepEqual(parse(`preset p { a = ${'['.repeat(199)}${']'.repeat(199)} }`).diagnostics, []);
});
