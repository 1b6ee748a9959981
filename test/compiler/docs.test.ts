// docs/language.md stays in sync with the compiler: every diagnostic code and every field is documented,
// and every rule cites a section that exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOG } from '../../compiler/messages.ts';
import { FIELDS } from '../../compiler/schema/index.ts';
import { RULES } from '../../compiler/rules/index.ts';

const doc = readFileSync(fileURLToPath(new URL('../../docs/language.md', import.meta.url)), 'utf8');

test('every diagnostic code is in docs/language.md', () => {
  const missing = CATALOG.filter((m) => !doc.includes(m.code)).map((m) => m.code);
  assert.deepEqual(missing, []);
});

test('the §9 code table lists exactly the catalog, every phase, with its severity, title and section', () => {
  const rows = [...doc.matchAll(/^\| (LSSD\d{4}) \| (.*) \|$/gm)].map((m) => `${m[1]} | ${m[2]}`);
  assert.deepEqual(rows, CATALOG.map((m) => `${m.code} | ${m.severity} | ${m.title} | ${m.section}`));
  for (const phase of ['1', '2', '3', '4', '5', '6']) {
    assert.ok(CATALOG.some((m) => m.code.startsWith(`LSSD${phase}`)), `catalog has LSSD${phase}xxx codes`);
  }
  for (const m of CATALOG) assert.match(doc, new RegExp(`^##+ ${m.section.slice(1).replace('.', '\\.')}\\.? `, 'm'), `${m.code} cites ${m.section}`);
});

test('every field of the field table is in docs/language.md', () => {
  const missing = Object.values(FIELDS).flat().filter((f) => !doc.includes('`' + f.path + '`')).map((f) => f.path);
  assert.deepEqual(missing, []);
});

test('every rule cites an existing section', () => {
  for (const r of RULES) {
    const heading = new RegExp(`^### ${r.section.slice(1).replace('.', '\\.')} .*${r.name}Rule`, 'm');
    assert.match(doc, heading, `${r.name}Rule cites ${r.section}`);
  }
});

test('every ```lssd example in the docs parses', async () => {
  const { parse } = await import('../../grammar/index.ts');
  const sketch = readFileSync(fileURLToPath(new URL('../../docs/syntax-sketch.md', import.meta.url)), 'utf8');
  let n = 0;
  for (const [name, text] of [['language.md', doc], ['syntax-sketch.md', sketch]]) {
    for (const m of text.matchAll(/```lssd\n([\s\S]*?)```/g)) {
      const r = parse({ name, text: m[1] });
      assert.deepEqual(r.diagnostics.map((d) => `${d.code} ${d.message} at ${d.span?.start.line}`), [], `${name} example:\n${m[1]}`);
      n++;
    }
  }
  assert.ok(n >= 6);
});
