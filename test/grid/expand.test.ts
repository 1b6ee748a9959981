// lssdc expand: the listing, --json, and --write round trip (the written cell files compile on their
// own and are the same experiments as the grid's cells).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../compiler/index.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { diffPrograms } from '../../compiler/diff.ts';
import { loadFiles } from '../../cli/commands/diff.ts';
import { nodeHost } from '../../runtime/host.ts';

const lssdc = (...args: string[]) => spawnSync(process.execPath, ['bin/lssdc.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const FILE = 'experiments/paper/table1.lssd';

test('expand lists cells with axes, init and hashes, and writes standalone files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-expand-'));
  try {
    const r = lssdc('expand', FILE, '--json', '--write', dir);
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { name: string; grid: string; axes: Record<string, unknown>; init: string; hashes: { pretrain: string } }[];
    assert.deepEqual(rows.map((x) => `${x.grid}:${x.name}<-${x.init}`), ['group_a:A1<-random', 'group_a:A2<-random', 'group_a:A3<-A1', 'group_a:A4<-A2',
      'group_b:B1<-random', 'group_b:B2<-random', 'group_b:B3<-random', 'group_b_dub:B4<-B3', 'group_b_dub:B5<-B3', 'group_c:C1<-random', 'group_c:C2<-C1']);
    assert.deepEqual(rows[2].axes, { lambda_a: 0.2, dubs: 'off', languages: ['EN', 'ES', 'FR'] });
    const program = compileFile(FILE, nodeHost()).value!;
    for (const x of rows) assert.equal(x.hashes.pretrain, stageHashes(program.all.get(x.name)!, (n) => program.all.get(n)).pretrain);

    const written = readdirSync(dir).sort();
    assert.deepEqual(written, ['A1', 'A2', 'A3', 'A4', 'B1', 'B2', 'B3', 'B4', 'B5', 'C1', 'C2'].map((n) => `${n}.lssd`).sort());
    const side = loadFiles(written.map((f) => join(dir, f)));
    assert.deepEqual(side.diagnostics.filter((d) => d.severity === 'error'), []);
    const d = diffPrograms({ experiments: program.experiments, all: program.all }, side.set);
    assert.deepEqual(d.experiments.filter((e) => e.status !== 'unchanged').map((e) => [e.name, e.changes]), []);
    assert.equal(d.summary.unchanged, 11);

    const text = lssdc('expand', FILE, '--grid', 'group_b');
    assert.match(text.stdout, /^group_b {2}B2 {4}languages=all except \[EN\] budget=9\.8M shots avg_dubs=0\.2 {2}random {2}[0-9a-f]{12} {2}[0-9a-f]{12}$/m);
    assert.match(text.stdout, /3 cells in 1 grid/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('expand reports grid errors as diagnostics, not stack traces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-expand-'));
  try {
    const f = join(dir, 'g.lssd');
    writeFileSync(f, 'import "paper"\ngrid g extends paper_main {\n  axis a = [0, 0.2] -> loss.lambda_a\n  when { a = 0.5 } { optim.seed = 1 }\n}\n');
    const r = lssdc('expand', f);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /g\.lssd:4:14: error LSSD6002: `0\.5` is not a value of axis 'a'/);
    assert.match(r.stderr, /hint: its values: 0, 0\.2/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('expand --profile lists each cell as the profile makes it: its label and the hashes run --profile trains', () => {
  const r = lssdc('expand', FILE, '--profile', 'cpu', '--json');
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { name: string; profile?: string; label?: string; hashes: { pretrain: string; probe: string } }[];
  assert.equal(rows.length, 11);
  const profiled = compileFile(FILE, nodeHost(), { profile: 'cpu' }).value!;
  const plain = compileFile(FILE, nodeHost()).value!;
  for (const x of rows) {
    assert.equal(x.profile, 'cpu');
    assert.match(x.label!, / @ cpu$/);
    assert.equal(x.hashes.pretrain, stageHashes(profiled.all.get(x.name)!, (n) => profiled.all.get(n)).pretrain);
    assert.notEqual(x.hashes.pretrain, stageHashes(plain.all.get(x.name)!, (n) => plain.all.get(n)).pretrain);
  }
  const text = lssdc('expand', FILE, '--profile', 'cpu', '--grid', 'group_a');
  assert.match(text.stdout, /^group_a {2}A4 @ cpu {2}lambda_a=0\.2 dubs=any /m);
  const bad = lssdc('expand', FILE, '--profile', 'gpu_farm');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /LSSD2050/);
});
