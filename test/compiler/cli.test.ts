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

/**
 * Runs the given invocations in one child process (test/compiler/cli-driver.ts) and returns their
 * results in order. Batched because each Node + tsx start-up costs seconds on a shared machine.
 */
function lssdcAll(...runs: string[][]): { code: number; out: string; err: string }[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/compiler/cli-driver.ts'), JSON.stringify(runs)],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('the bin launcher runs the CLI and sets the exit code', () => {
  const ok = spawnSync(process.execPath, [join(root, 'bin/lssdc.js'), 'check', 'experiments/A1.lssd'], { cwd: root, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^checked 1 file, 1 experiment: 0 errors, 0 warnings\n$/);
  const bad = spawnSync(process.execPath, [join(root, 'bin/lssdc.js'), 'check', 'test/cases/check/range-empty.lssd'], { cwd: root, encoding: 'utf8' });
  assert.equal(bad.status, 1);
});

test('check: summary only on success; located diagnostics, --json, --strict and usage errors', () => {
  const [ok, bad, json, warn, strict, none, bogus, missing, showNone, fmtNone] = lssdcAll(
    ['check', 'experiments/', 'stdlib/'],
    ['check', 'test/cases/check/unknown-name.lssd'],
    ['check', '--json', 'test/cases/check/unknown-name.lssd'],
    ['check', 'test/cases/check/hop-exceeds-fft.lssd'],
    ['check', '--strict', 'test/cases/check/hop-exceeds-fft.lssd'],
    ['check'], ['check', '--bogus', 'experiments'], ['check', 'no/such/dir'], ['show'], ['fmt'],
  );
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^checked \d+ files, \d+ experiments: 0 errors, 0 warnings\n$/);
  assert.equal(ok.err, '');

  assert.equal(bad.code, 1);
  assert.match(bad.err, /test\/cases\/check\/unknown-name\.lssd:3:17: error LSSD2004: unknown backbone 'cpu_vidoe_s'/);
  assert.match(bad.err, / 3 \|   model\.video = cpu_vidoe_s\n +\| +\^{11}/);
  assert.match(bad.err, /hint: did you mean 'cpu_video_s'\?/);

  assert.equal(json.code, 1);
  const parsed = JSON.parse(json.out);
  assert.equal(parsed.ok, false);
  assert.deepEqual(parsed.diagnostics.map((d: { code: string; line: number }) => [d.code, d.line]), [['LSSD2004', 3], ['LSSD2004', 4]]);

  assert.equal(warn.code, 0, 'warnings alone pass');
  assert.equal(strict.code, 1, '--strict fails on warnings');
  for (const u of [none, bogus, missing, showNone, fmtNone]) assert.equal(u.code, 2, u.err);
});

test('fmt --check lists files that would change; fmt rewrites them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-fmt-'));
  const f = join(dir, 'x.lssd');
  writeFileSync(f, 'import "cpu"\nexperiment x extends cpu_small {label="x"   // keep me\n}\n');
  const [clean, would, write, after] = lssdcAll(['fmt', '--check', 'stdlib/', 'experiments/A1.lssd'], ['fmt', '--check', f], ['fmt', f], ['fmt', '--check', f]);
  assert.equal(clean.code, 0);
  assert.equal(would.code, 1);
  assert.match(would.out, /would reformat .*x\.lssd/);
  assert.equal(write.code, 0);
  assert.equal(readFileSync(f, 'utf8'), 'import "cpu"\n\nexperiment x extends cpu_small {\n  label = "x"  // keep me\n}\n');
  assert.equal(after.code, 0);
});

test('show prints the resolved spec as canonical JSON; --hash prints stage hashes', () => {
  const [r, h, n, bad] = lssdcAll(['show', 'experiments/A4.lssd'], ['show', '--hash', 'experiments/A4.lssd'],
    ['show', '--name', 'A2', 'experiments/A4.lssd'], ['show', 'test/cases/check/unknown-name.lssd']);
  assert.equal(r.code, 0, r.err);
  const spec = JSON.parse(r.out);
  assert.equal(spec.name, 'A4');
  assert.deepEqual(spec.init, { checkpoint: 'final', experiment: 'A2', file: 'experiments/A2.lssd', kind: 'from' });
  assert.deepEqual(Object.keys(spec), [...Object.keys(spec)].sort());
  assert.match(h.out, /^A4  pretrain=[0-9a-f]{64}  probe=[0-9a-f]{64}\n$/);
  assert.equal(JSON.parse(n.out).name, 'A2');
  assert.equal(bad.code, 1);
});
