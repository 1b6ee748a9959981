// The completion context scanner (lsp/context.ts) on incomplete text: what the cursor (|) is in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionContext } from '../../lsp/context.ts';

const at = (src: string) => { const i = src.indexOf('|'); return completionContext(src.slice(0, i) + src.slice(i + 1), i); };

test('keys: top level, sections, dotted paths, one-line sections, after a closed sub-block', () => {
  assert.deepEqual(at('experiment X extends A {\n  |\n}'), { kind: 'key', declKind: 'experiment', declName: 'X', section: '', typed: '', inGrid: false });
  assert.equal((at('experiment X {\n  data {\n    titles { dubs = 1 .. }\n    ba|') as { section: string }).section, 'data');
  assert.equal((at('experiment X {\n  data.ba|') as { typed: string }).typed, 'data.ba');
  const one = at('preset p {\n  data.batch { per_device = 64  dev|');
  assert.deepEqual([one.kind, (one as { section: string }).section, (one as { typed: string }).typed], ['key', 'data.batch', 'dev']);
  assert.equal(at('experiment X {\n  // a { brace in a comment\n  label = "a { brace"\n  lo|').kind, 'key');
});

test('values, units, calls and lists', () => {
  assert.deepEqual(at('experiment X {\n  dubs.policy = |'), { kind: 'value', declKind: 'experiment', declName: 'X', path: 'dubs.policy', typed: '', inList: false, inGrid: false });
  const u = at('experiment X {\n  views.audio { sample_rate = 48| }');
  assert.deepEqual([u.kind, (u as { path: string }).path, (u as { typed: string }).typed], ['unit', 'views.audio.sample_rate', '']);
  const w = at('experiment X {\n  optim.duration = 12 ep|');
  assert.deepEqual([w.kind, (w as { typed: string }).typed], ['unit', 'ep']);
  const call = at('experiment X {\n  dubs.policy = random(ES, |');
  assert.deepEqual([call.kind, (call as { callee: string }).callee, (call as { path: string }).path], ['value', 'random', 'dubs.policy']);
  const list = at('experiment X {\n  data.titles { original_language = all except [E|');
  assert.deepEqual([list.kind, (list as { inList: boolean }).inList, (list as { typed: string }).typed], ['value', true, 'E']);
  assert.equal(at('experiment X {\n  data.titles { original_language = all |').kind, 'value');
});

test('declaration names: extends lists, init from, imports, the top level; nothing inside strings and comments', () => {
  assert.deepEqual(at('experiment X extends A, |'), { kind: 'extends', declKind: 'experiment', declName: 'X', typed: '' });
  assert.deepEqual(at('experiment X {\n  init from A|'), { kind: 'init', declName: 'X', typed: 'A' });
  assert.deepEqual(at('import "pa|'), { kind: 'import', typed: 'pa' });
  assert.deepEqual(at('exp|'), { kind: 'top', typed: 'exp' });
  assert.equal(at('experiment X {\n  label = "da|').kind, 'none');
  assert.equal(at('experiment X {\n  // da|').kind, 'none');
});

test('grids: axis targets and cell bodies use the experiment fields; when/exclude match lists are not fields', () => {
  const g = 'grid g extends A {\n  axis l = [0, 0.2] -> loss.lambda_a\n';
  const top = at(`${g}  |`);
  assert.deepEqual([top.kind, (top as { inGrid: boolean }).inGrid], ['key', true]);
  assert.equal(at(`${g}  when { l = 0.2 } { init from |`).kind, 'init');
  assert.equal((at(`${g}  cell { data { bat| } }`) as { section: string }).section, 'data');
  assert.equal(at(`${g}  exclude { l = | }`).kind, 'none');
});
