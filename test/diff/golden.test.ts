// Golden plan for test/diff/cases/{before,after}: a refactor into a preset (no change), a dub policy
// change (re-pretrain), a reformat + relabel (no effect, but stale through init from), a probe added
// (re-probe only, also stale), and a new experiment. Hashes are masked so stdlib edits do not churn it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffPrograms, renderDiffMarkdown, renderDiffText } from '../../compiler/diff.ts';
import { loadFiles } from '../../cli/commands/diff.ts';

const side = (d: string) => {
  const dir = join('test/diff/cases', d);
  const r = loadFiles(readdirSync(dir).sort().map((f) => join(dir, f)));
  assert.deepEqual(r.diagnostics.filter((x) => x.severity === 'error'), []);
  return r.set;
};
const mask = (s: string) => s.replace(/\b[0-9a-f]{12}\b/g, '<hash>');
function golden(name: string, actual: string) {
  const path = join('test/diff/cases', name);
  if (process.env.LSSD_UPDATE_GOLDEN) writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${path} differs (LSSD_UPDATE_GOLDEN=1 to accept)`);
}

test('plan for a refactor, a policy change, lineage, a probe and an added experiment', () => {
  const d = diffPrograms(side('before'), side('after'));
  assert.deepEqual(d.experiments.map((e) => [e.name, e.status, e.consequence, e.stale?.via]), [
    ['A2', 'changed', 'pretrain', undefined],
    ['A4', 'changed', 'pretrain', 'A2'],
    ['A5', 'changed', 'pretrain', 'A2'],
    ['A6', 'added', 'pretrain', undefined],
  ]);
  assert.deepEqual(d.summary, { experiments: 4, added: 1, removed: 0, rePretrain: 3, stale: 2, reProbe: 0, noEffect: 0, unchanged: 0,
    changes: { total: 4, pretrain: 2, probe: 1, none: 1 } });
  golden('plan.txt', mask(renderDiffText(d)));
  golden('plan.md', mask(renderDiffMarkdown(d)));
});
