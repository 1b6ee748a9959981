// Golden diagnostics: every test/cases/check/<feature>.lssd is compiled and its diagnostics are
// reprinted under the source (`~~~` under the span) into <feature>.diagnostics. Also: every
// front-end diagnostic code in the catalog is exercised by at least one case. A case whose first line
// is `// lssdc check --profile NAME --catalog NAME=PATH --project FILE` compiles with those options
// (and measures bound catalogs, as `lssdc check` does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../compiler/index.ts';
import { renderGolden } from '../../compiler/render.ts';
import { CATALOG } from '../../compiler/messages.ts';
import { nodeHost } from '../../runtime/host.ts';
import { catalogLister } from '../../runtime/catalog-listing.ts';
import { unusedBindings } from '../../compiler/bindings.ts';
import type { CompileOptions } from '../../compiler/index.ts';
import { golden } from './golden.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = 'test/cases/check';
const host = { ...nodeHost({ cwd: root }), catalogTitles: catalogLister(join(root, 'test/fixtures/catalogs/.lssd')) };

/** Options from a `// lssdc check …` first line; none otherwise (and no project file). */
function caseOptions(text: string): CompileOptions {
  const m = /^\/\/ lssdc check (.*)$/m.exec(text.split('\n')[0]);
  const o: CompileOptions = { project: false };
  if (!m) return o;
  const words = m[1].split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i += 2) {
    const [k, v] = [words[i], words[i + 1]];
    if (k === '--profile') o.profile = v;
    else if (k === '--catalog') (o.catalogs ??= []).push(v);
    else if (k === '--project') o.project = v;
    else throw new Error(`unknown option ${k} in a golden case header`);
  }
  o.feasibility = true;
  return o;
}
const cases = readdirSync(join(root, dir)).filter((f) => f.endsWith('.lssd')).sort();
const seen = new Set<string>();

for (const c of cases) {
  test(`check golden: ${c}`, () => {
    const path = `${dir}/${c}`;
    const text = readFileSync(join(root, path), 'utf8');
    const r = compileFile(path, host, caseOptions(text));
    r.diagnostics.push(...unusedBindings([r.value?.bindings ?? []]));
    for (const d of r.diagnostics) seen.add(d.code);
    golden(join(root, path.replace(/\.lssd$/, '.diagnostics')), renderGolden({ name: path, text }, r.diagnostics));
  });
}

test('every front-end diagnostic code has a golden case', () => {
  // 6xxx (grids, diff) are covered by test/grid and test/diff; LSSD3001 by validate.test.ts; LSSD1023
  // (past 500 syntax errors) by test/cli/output.test.ts, as its golden would hold 501 diagnostics.
  const elsewhere = new Set(['LSSD1023']);
  const mine = CATALOG.filter((m) => /^LSSD[12]/.test(m.code) && !elsewhere.has(m.code)).map((m) => m.code);
  const missing = mine.filter((c) => !seen.has(c));
  assert.deepEqual(missing, [], `codes without a golden case: ${missing.join(', ')}`);
});
