// --profile and --catalog through the commands (cli/profile-flags.ts): check measures the stand-in,
// show prints the profiled spec and its hashes, diff compares a file with itself under a profile
// (SIDE@PROFILE), table labels the rows "A.4 @ cpu", and bad flags are usage or coded errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function lssdcAll(...runs: string[][]): { code: number; out: string; err: string }[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/compiler/cli-driver.ts'), JSON.stringify(runs)],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('check, show, diff and table take --profile; show has the profiled hashes; paper is the identity', () => {
  const [check, hashes, paper, plain, spec, diff, diff2, table, unknown, badFlag] = lssdcAll(
    ['check', 'experiments/A4.lssd', '--profile', 'cpu'],
    ['show', '--hash', '--profile', 'cpu', 'experiments/A4.lssd'],
    ['show', '--hash', '--profile', 'paper', 'experiments/A4.lssd'],
    ['show', '--hash', 'experiments/A4.lssd'],
    ['show', '--profile', 'cpu', 'experiments/A4.lssd'],
    ['diff', 'experiments/A4.lssd', 'experiments/A4.lssd@cpu'],
    ['diff', '--profile', 'cpu', 'experiments/A4.lssd', 'experiments/A4.lssd@cpu_smoke'],
    ['table', '--profile', 'cpu', 'experiments/paper/table1.lssd'],
    ['show', '--profile', 'gpuu', 'experiments/A4.lssd'],
    ['check', 'experiments/A4.lssd', '--catalog', 'oops'],
  );
  assert.equal(check.code, 0, check.err);
  assert.match(check.out, /^checked 1 file, 1 experiment @ cpu: 0 errors, 0 warnings\n$/);
  assert.match(check.err, /info LSSD2057: 'A4' \(A\.4 @ cpu\) trains on synthetic\(titles = 24.*: 13 of 24 titles and 119 of 216 shots pass its filters/);

  assert.match(hashes.out, /^A4 @ cpu {2}pretrain=[0-9a-f]{64} {2}probe=[0-9a-f]{64}\n$/);
  assert.equal(paper.out.replace(' @ paper', ''), plain.out, 'the paper profile keeps the hashes');
  assert.notEqual(hashes.out.replace(' @ cpu', ''), plain.out);
  const s = JSON.parse(spec.out);
  assert.equal(s.label, 'A.4 @ cpu');
  assert.deepEqual(s.origin.profile, { name: 'cpu', file: 'stdlib/profiles.lssd' });

  assert.equal(diff.code, 0, diff.err);
  assert.match(diff.out, /^~ A4 → A4 @ cpu {2}\(re-pretrain\)/);
  assert.match(diff.out, /data\.batch\.devices: 32 → 1 +re-pretrain/);
  assert.match(diff.out, /model\.video\.name: mvit_s → cpu_video_s +re-pretrain/);
  assert.doesNotMatch(diff.out, /loss\.lambda_a|dubs\.policy|data\.filters/, 'what the experiment varies is kept');
  assert.match(diff2.out, /^~ A4 @ cpu → A4 @ cpu_smoke {2}\(re-pretrain\)/);
  assert.match(diff2.out, /optim\.duration\.steps: 200 → 12/);

  assert.equal(table.code, 0, table.err);
  for (const l of ['A.1', 'A.4', 'B.5', 'C.2']) assert.match(table.out, new RegExp(`\\| ${l.replace('.', '\\.')} @ cpu \\|`));
  assert.match(table.out, /\| A\.4 @ cpu \| all \| A\.2 @ cpu \|/);

  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /error LSSD2050: unknown profile 'gpuu'/);
  assert.equal(badFlag.code, 1);
  assert.match(badFlag.err, /error LSSD2055: --catalog expects NAME=PATH, got 'oops'/);
});
