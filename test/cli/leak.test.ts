// Nothing leaked: an import outside the project is refused (LSSD5044) unless allowed, and a file that
// is not lssd text is named, never quoted — `import "/proc/self/environ"` must not print the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lssdcAll } from './helpers.ts';

test('import of /proc/self/environ: LSSD5044 without an allow; LSSD1022 (not quoted) with one; the secret never printed', () => {
  const d = mkdtempSync(join(tmpdir(), 'lssd-leak-'));
  writeFileSync(join(d, 'package.json'), '{}');
  writeFileSync(join(d, 'x.lssd'), 'import "/proc/self/environ"\nimport "cpu"\n\n/// x\nexperiment x extends cpu_small { }\n');
  mkdirSync(join(d, 'other'));
  writeFileSync(join(d, 'notes.txt'), 'TOKEN = "hunter2-secret" ]]] {{{\n');
  writeFileSync(join(d, 'y.lssd'), 'import "./notes.txt"\nimport "cpu"\n\n/// y\nexperiment y extends cpu_small { }\n');
  const env = { LEAK_CANARY: 'hunter2-secret' };
  const [refused, allowed, json, notLssd] = lssdcAll([
    ['check', join(d, 'x.lssd')], ['check', '--allow-import', '/proc', join(d, 'x.lssd')], ['check', '--json', join(d, 'x.lssd')], ['check', join(d, 'y.lssd')],
  ], { env });
  for (const r of [refused, allowed, json, notLssd]) {
    assert.doesNotMatch(r.out + r.err, /hunter2-secret/, 'the secret is never printed');
    assert.doesNotMatch(r.err, /internal error/);
  }
  assert.equal(refused.code, 1);
  assert.match(refused.err, /error LSSD5044: import of \/proc\/(self|\d+)\/environ from .*x\.lssd leaves the project/);
  assert.match(refused.err, /hint: allow it with `--allow-import DIR`/);
  assert.equal(allowed.code, 1);
  assert.match(allowed.err, /error LSSD1022: \/proc\/self\/environ:\d+:\d+: not lssd text \(control character U\+0000\); not quoted/);
  assert.ok(JSON.parse(json.out).diagnostics.some((x: { code: string }) => x.code === 'LSSD5044'));
  assert.equal(notLssd.code, 1);
  assert.match(notLssd.err, /error LSSD1022: .*notes\.txt is not lssd text \(\d+ syntax errors?, first at line 1\); not quoted/);
});
