// lssdc diff against the real compiler and a real temporary git repository: refactors that do not
// change meaning show nothing; a changed parent marks its `init from` children stale; the
// GIT_EXTERNAL_DIFF and textconv setups documented in docs/diff-and-grids.md work as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileFile } from '../../compiler/index.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { nodeHost } from '../../runtime/host.ts';

const BIN = resolve('bin/lssdc.js');
const CLI = `"${process.execPath}" "${BIN}"`;
const lssdc = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });

const P1 = `import "paper"

/// Parent.
experiment P extends paper_main {
  label = "P"
  data { titles { original_language = [EN, ES, FR]  dubs = 1 .. }  budget = 4.6M shots }
  loss.lambda_a = 0
}
`;
// Same meaning: fields reordered, reformatted, and one moved into a preset P extends.
const P1_REFACTORED = `import "paper"

preset small_esf extends paper_main { data.budget = 4600000 shots
  data.titles.dubs = 1 ..
}

/// Parent.
experiment P extends small_esf {
  loss { lambda_a = 0 }
  data.titles.original_language = [EN, ES, FR]
  label = "P"
}
`;
// C starts from P's weights but does not inherit P's fields: a change to P leaves C's own spec alone
// and makes it stale through lineage.
const C1 = `import "./P.lssd"

experiment C extends paper_main {
  label = "C"
  init from P
  loss.lambda_a = 0.2
}
`;

test('diff in a real git repository: --git, GIT_EXTERNAL_DIFF and textconv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-git-'));
  try {
    git(dir, 'init', '-q');
    writeFileSync(join(dir, 'P.lssd'), P1);
    writeFileSync(join(dir, 'C.lssd'), C1);
    git(dir, 'add', '.'); git(dir, 'commit', '-qm', 'base');

    // 1. A pure refactor: no semantic change, hashes equal.
    writeFileSync(join(dir, 'P.lssd'), P1_REFACTORED);
    let r = lssdc(dir, 'diff', '--git', 'HEAD');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Plan: 0 to re-pretrain, 0 to re-probe only, 0 with no effect, 2 unchanged — 0 field changes/);
    // C's hashes fold in P's pretrain hash (lineage), so this covers both files.
    const hashes = () => {
      const p = compileFile('C.lssd', nodeHost({ cwd: dir })).value!;
      return ['P', 'C'].map((n) => stageHashes(p.all.get(n)!, (x) => p.all.get(x)));
    };
    const after = hashes();
    writeFileSync(join(dir, 'P.lssd'), P1);
    assert.deepEqual(hashes(), after, 'stage hashes survive the refactor');
    writeFileSync(join(dir, 'P.lssd'), P1_REFACTORED);

    // 2. A real change in the parent: P re-pretrains, C (init from P) is stale.
    writeFileSync(join(dir, 'P.lssd'), P1_REFACTORED.replace('4600000 shots', '5.1M shots'));
    r = lssdc(dir, 'diff', '--git', 'HEAD', '--', 'P.lssd', 'C.lssd');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /~ data\.budget: 4600000 → 5100000\s+re-pretrain/);
    assert.match(r.stdout, /~ C {2}\(re-pretrain\)[\s\S]*! stale: init from P, whose weights change/);
    assert.match(r.stdout, /Plan: 2 to re-pretrain \(1 stale via init from\)/);
    const json = JSON.parse(lssdc(dir, 'diff', '--git', 'HEAD', '--json').stdout);
    assert.deepEqual(json.experiments.map((e: { name: string; status: string }) => [e.name, e.status]), [['C', 'stale'], ['P', 'changed']]);
    const md = lssdc(dir, 'diff', '--git', 'HEAD', '--markdown').stdout;
    assert.match(md, /\| \*\*C\*\* \| stale \(init from P\) \| re-pretrain \|/);

    // 3. GIT_EXTERNAL_DIFF: git hands us old/new blobs; the plan is printed per file.
    const ext = execFileSync('git', ['diff'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_EXTERNAL_DIFF: `${CLI} diff`, NO_COLOR: '1' } });
    assert.match(ext, /lssd diff a\/P\.lssd b\/P\.lssd/);
    assert.match(ext, /~ data\.budget: 4600000 → 5100000/);

    // 4. textconv: git's own line diff over the resolved form shows only the semantic change.
    writeFileSync(join(dir, '.gitattributes'), '*.lssd diff=lssd\n');
    git(dir, 'config', 'diff.lssd.textconv', `${CLI} diff --textconv`);
    const tc = git(dir, 'diff', '--', 'P.lssd');
    const changed = tc.split('\n').filter((l) => /^[-+] /.test(l));
    assert.deepEqual(changed.filter((l) => !l.includes('hash.')), ['-  data.budget = 4600000', '+  data.budget = 5100000']);
    writeFileSync(join(dir, 'P.lssd'), P1_REFACTORED);
    assert.doesNotMatch(git(dir, 'diff', '--', 'P.lssd'), /^@@/m, 'a refactor shows no hunk under textconv');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('diff of two files by experiment name and of directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-diff-'));
  try {
    writeFileSync(join(dir, 'P.lssd'), P1);
    writeFileSync(join(dir, 'C.lssd'), C1);
    const r = lssdc(dir, 'diff', 'P', 'C');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /~ P → C {2}\(re-pretrain\)/);
    assert.match(r.stdout, /~ init: random → P\s+re-pretrain/);
    const bad = lssdc(dir, 'diff', 'P', 'Nope');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /LSSD6030: no experiment named 'Nope'/);
    const broken = join(dir, 'broken'); execFileSync('mkdir', [broken]);
    writeFileSync(join(broken, 'P.lssd'), P1.replace('loss.lambda_a = 0', 'loss.lamda_a = 0'));
    const e = lssdc(dir, 'diff', 'P.lssd', 'broken/P.lssd');
    assert.equal(e.status, 1);
    assert.match(e.stderr, /broken\/P\.lssd:7:8: error LSSD2001/);
    assert.doesNotMatch(e.stderr, /at .*\.ts:\d+/, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
