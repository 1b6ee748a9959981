// fmt keeps each comment attached to the item it follows or precedes (issue 13): golden files under
// test/cases/fmt/ — `<name>.lssd` is the input, `<name>.formatted.lssd` the canonical output
// (LSSD_UPDATE_GOLDEN=1 rewrites it). For every case: the output is the golden, fmt is idempotent, and
// every comment keeps its anchor (the words of code before it, and whether it trails code on its line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '../../grammar/index.ts';
import { format } from '../../compiler/fmt.ts';
import { anchors } from '../fuzz/oracle.ts';

const dir = fileURLToPath(new URL('../cases/fmt', import.meta.url));
const cases = readdirSync(dir).filter((f) => f.endsWith('.lssd') && !f.endsWith('.formatted.lssd')).sort();

for (const f of cases) {
  test(`fmt comments: ${f}`, () => {
    const text = readFileSync(join(dir, f), 'utf8');
    const p = parse({ name: f, text });
    assert.deepEqual(p.diagnostics, [], `${f} must parse`);
    const out = format(p.value!);
    const golden = join(dir, f.replace(/\.lssd$/, '.formatted.lssd'));
    if (process.env.LSSD_UPDATE_GOLDEN === '1' || !existsSync(golden)) writeFileSync(golden, out);
    assert.equal(out, readFileSync(golden, 'utf8'), `${f}: output differs from ${golden}`);
    const again = parse({ name: f, text: out });
    assert.deepEqual(again.diagnostics, []);
    assert.equal(format(again.value!), out, `${f}: fmt is not idempotent`);
    assert.deepEqual(again.value!.comments.map((c) => c.text), p.value!.comments.map((c) => c.text));
    assert.deepEqual(anchors(out, again.value!.comments), anchors(text, p.value!.comments), `${f}: a comment moved`);
  });
}

test('fmt comments: the golden cases exist', () => assert.ok(cases.length >= 2));
