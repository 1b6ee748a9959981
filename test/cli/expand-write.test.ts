// `expand --write DIR` never overwrites without --force, and never the source grid (a cell named like it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lssdcAll } from './helpers.ts';

const GRID = 'import "cpu"\n\n/// shared\npreset base extends cpu_small { label = "b" }\n\n/// two seeds\ngrid g extends base {\n  axis seed = [0, 1] -> optim.seed\n  name = "g{#}"\n}\n';

test('expand --write: refuses the source grid, refuses existing files without --force (nothing written), --force replaces', () => {
  const d = mkdtempSync(join(tmpdir(), 'lssd-expand-'));
  writeFileSync(join(d, 'package.json'), '{}');
  const src = join(d, 'g1.lssd');
  writeFileSync(src, GRID);
  const out = join(d, 'cells');
  const [self] = lssdcAll([['expand', src, '--write', d]]);
  assert.equal(self.code, 1, self.err);
  assert.match(self.err, /error LSSD6041: --write .* would overwrite the grid file .*g1\.lssd itself/);
  assert.equal(readFileSync(src, 'utf8'), GRID, 'the source grid is untouched');
  assert.deepEqual(readdirSync(d).sort(), ['g1.lssd', 'package.json'], 'nothing written');
  const [first] = lssdcAll([['expand', src, '--write', out]]);
  assert.equal(first.code, 0, first.err);
  assert.deepEqual(readdirSync(out).sort(), ['_shared.lssd', 'g1.lssd', 'g2.lssd']);
  writeFileSync(join(out, '_shared.lssd'), '// mine\n');
  const [again, forced] = lssdcAll([['expand', src, '--write', out], ['expand', src, '--write', out, '--force']]);
  assert.equal(again.code, 1);
  assert.match(again.err, /error LSSD6040: --write .* would overwrite 3 existing files: _shared\.lssd, g1\.lssd, g2\.lssd; nothing written/);
  assert.match(again.err, /hint: pass --force/);
  assert.equal(forced.code, 0, forced.err);
  assert.notEqual(readFileSync(join(out, '_shared.lssd'), 'utf8'), '// mine\n');
});
