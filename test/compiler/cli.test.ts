// The front-end commands end to end: exit codes (0 ok / 1 errors / 2 usage), summary-only output on
// success, rendered diagnostics, --json, --strict, fmt --check, show and show --hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lssdc = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin/lssdc.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('check experiments/: summary only, exit 0', () => {
  const r = lssdc('check', 'experiments/', 'stdlib/');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^checked \d+ files, \d+ experiments: 0 errors, 0 warnings\n$/);
  assert.equal(r.err, '');
});

test('check a broken file: located diagnostics with carets and hint, exit 1; --json', () => {
  const r = lssdc('check', 'test/cases/check/unknown-name.lssd');
  assert.equal(r.code, 1);
  assert.match(r.err, /test\/cases\/check\/unknown-name\.lssd:3:17: error LSSD2004: unknown backbone 'cpu_vidoe_s'/);
  assert.match(r.err, / 3 \|   model\.video = cpu_vidoe_s\n +\| +\^{11}/);
  assert.match(r.err, /hint: did you mean 'cpu_video_s'\?/);
  const j = lssdc('check', '--json', 'test/cases/check/unknown-name.lssd');
  assert.equal(j.code, 1);
  const parsed = JSON.parse(j.out);
  assert.equal(parsed.ok, false);
  assert.deepEqual(parsed.diagnostics.map((d: { code: string; line: number }) => [d.code, d.line]), [['LSSD2004', 3], ['LSSD2004', 4]]);
});

test('warnings pass unless --strict', () => {
  assert.equal(lssdc('check', 'test/cases/check/hop-exceeds-fft.lssd').code, 0);
  assert.equal(lssdc('check', '--strict', 'test/cases/check/hop-exceeds-fft.lssd').code, 1);
});

test('usage errors exit 2', () => {
  assert.equal(lssdc('check').code, 2);
  assert.equal(lssdc('check', '--bogus', 'experiments').code, 2);
  assert.equal(lssdc('check', 'no/such/dir').code, 2);
  assert.equal(lssdc('show').code, 2);
  assert.equal(lssdc('fmt').code, 2);
});

test('fmt --check lists files that would change; fmt rewrites them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-fmt-'));
  const f = join(dir, 'x.lssd');
  writeFileSync(f, 'import "cpu"\nexperiment x extends cpu_small {label="x"   // keep me\n}\n');
  assert.equal(lssdc('fmt', '--check', 'stdlib/', 'experiments/A1.lssd').code, 0);
  const c = lssdc('fmt', '--check', f);
  assert.equal(c.code, 1);
  assert.match(c.out, /would reformat .*x\.lssd/);
  assert.equal(lssdc('fmt', f).code, 0);
  assert.equal(readFileSync(f, 'utf8'), 'import "cpu"\n\nexperiment x extends cpu_small {\n  label = "x"  // keep me\n}\n');
  assert.equal(lssdc('fmt', '--check', f).code, 0);
});

test('show prints the resolved spec as canonical JSON; --hash prints stage hashes', () => {
  const r = lssdc('show', 'experiments/A4.lssd');
  assert.equal(r.code, 0, r.err);
  const spec = JSON.parse(r.out);
  assert.equal(spec.name, 'A4');
  assert.deepEqual(spec.init, { checkpoint: 'final', experiment: 'A2', file: 'experiments/A2.lssd', kind: 'from' });
  assert.deepEqual(Object.keys(spec), [...Object.keys(spec)].sort());
  const h = lssdc('show', '--hash', 'experiments/A4.lssd');
  assert.match(h.out, /^A4  pretrain=[0-9a-f]{64}  probe=[0-9a-f]{64}\n$/);
  const n = lssdc('show', '--name', 'A2', 'experiments/A4.lssd');
  assert.equal(JSON.parse(n.out).name, 'A2');
  assert.equal(lssdc('show', 'test/cases/check/unknown-name.lssd').code, 1);
});
