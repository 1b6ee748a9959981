// Golden diagnostics: every test/cases/check/<feature>.lssd is compiled and its diagnostics are
// reprinted under the source (`~~~` under the span) into <feature>.diagnostics. Also: every
// front-end diagnostic code in the catalog is exercised by at least one case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../compiler/index.ts';
import { renderGolden } from '../../compiler/render.ts';
import { CATALOG } from '../../compiler/messages.ts';
import { nodeHost } from '../../runtime/host.ts';
import { golden } from './golden.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = 'test/cases/check';
const host = nodeHost({ cwd: root });
const cases = readdirSync(join(root, dir)).filter((f) => f.endsWith('.lssd')).sort();
const seen = new Set<string>();

for (const c of cases) {
  test(`check golden: ${c}`, () => {
    const path = `${dir}/${c}`;
    const r = compileFile(path, host);
    for (const d of r.diagnostics) seen.add(d.code);
    const text = readFileSync(join(root, path), 'utf8');
    golden(join(root, path.replace(/\.lssd$/, '.diagnostics')), renderGolden({ name: path, text }, r.diagnostics));
  });
}

test('every front-end diagnostic code has a golden case', () => {
  // 6xxx (grids, diff) are covered by test/grid and test/diff; LSSD3001 by validate.test.ts.
  const mine = CATALOG.filter((m) => /^LSSD[12]/.test(m.code)).map((m) => m.code);
  const missing = mine.filter((c) => !seen.has(c));
  assert.deepEqual(missing, [], `codes without a golden case: ${missing.join(', ')}`);
});
