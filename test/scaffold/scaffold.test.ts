// `lssdc init`, `lssdc new experiment`, `lssdc completion` and `lssdc check --watch`, as a user runs
// them: in fresh temporary directories, checking what they write with `lssdc check`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lssdcAll as inRepo, repoRoot } from '../cli/helpers.ts';

/** `lssdc` runs in one process; from a directory outside the checkout the tsx loader is named by URL. */
function lssdcAll(runs: string[][], o: { cwd?: string } = {}): { code: number; out: string; err: string }[] {
  if (!o.cwd) return inRepo(runs);
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(repoRoot, 'test/compiler/cli-driver.ts'), JSON.stringify(runs)],
    { cwd: o.cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const fresh = () => mkdtempSync(join(tmpdir(), 'lssd-scaffold-'));

test('init writes a project whose experiments check; a second init refuses and writes nothing', () => {
  const dir = join(fresh(), 'My Project');
  const [made, check, again, json] = lssdcAll([['init', dir], ['check', join(dir, 'experiments')], ['init', dir], ['init', '--json', dir]]);
  assert.equal(made.code, 0, made.err);
  for (const f of ['package.json', 'experiments/quickstart.lssd', 'experiments/first.lssd', '.gitattributes', '.gitignore', 'README.md']) assert.ok(existsSync(join(dir, f)), f);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'my-project');
  assert.equal(pkg.dependencies.lssd, `file:${repoRoot.replace(/\/$/, '')}`);
  assert.match(readFileSync(join(dir, '.gitattributes'), 'utf8'), /^\*\.lssd diff=lssd$/m);
  assert.match(readFileSync(join(dir, 'experiments/first.lssd'), 'utf8'), /experiment first extends quickstart/);
  assert.equal(readFileSync(join(dir, 'experiments/quickstart.lssd'), 'utf8'), readFileSync(join(repoRoot, 'experiments/quickstart.lssd'), 'utf8'));
  assert.equal(check.code, 0, check.err);
  assert.match(check.out, /checked 2 files, 2 experiments: 0 errors, 0 warnings/);
  assert.equal(again.code, 1);
  assert.equal((again.err.match(/error LSSD7001/g) ?? []).length, 6, again.err);
  assert.match(again.err, /package\.json already exists/);
  const lines = json.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual([...new Set(lines.map((l) => l.code))], ['LSSD7001']);
});

test('init refuses when any one file is in the way, and creates none of the others', () => {
  const dir = fresh();
  writeFileSync(join(dir, 'README.md'), 'mine\n');
  const [r] = lssdcAll([['init', dir]]);
  assert.equal(r.code, 1);
  assert.match(r.err, /LSSD7001.*README\.md already exists/);
  assert.ok(!existsSync(join(dir, 'package.json')) && !existsSync(join(dir, 'experiments')));
  assert.equal(readFileSync(join(dir, 'README.md'), 'utf8'), 'mine\n');
  const [usage] = lssdcAll([['init', 'a', 'b']]);
  assert.equal(usage.code, 2);
});

test('new experiment extends a base next to its file, or a stdlib preset from experiments/; bad names and bases are diagnosed', () => {
  const dir = join(fresh(), 'p');
  const runs = lssdcAll([['init', dir]]);
  assert.equal(runs[0].code, 0);
  const [second, check, twice, typo, badName, taken, stdlib, check2] = lssdcAll([
    ['new', 'experiment', 'second', '--from', 'first'],
    ['check', 'experiments'],
    ['new', 'experiment', 'second', '--from', 'first'],
    ['new', 'experiment', 'third', '--from', 'frist'],
    ['new', 'experiment', '9lives', '--from', 'first'],
    ['new', 'experiment', 'quickstart', '--from', 'first'],
    ['new', 'experiment', 'small', '--from', 'cpu_small'],
    ['check', 'experiments'],
  ], { cwd: dir });
  assert.equal(second.code, 0, second.err);
  assert.match(second.out, /created experiments\/second\.lssd \(experiment second extends first\)/);
  const text = readFileSync(join(dir, 'experiments/second.lssd'), 'utf8');
  assert.match(text, /^import "\.\/first\.lssd"\n/);
  assert.match(text, /experiment second extends first \{/);
  assert.equal(check.code, 0, check.err);
  assert.match(check.out, /checked 3 files, 3 experiments: 0 errors/);
  assert.equal(twice.code, 1); assert.match(twice.err, /LSSD7003: 'second' is already declared \(experiment in experiments\/second\.lssd\)/);
  assert.equal(typo.code, 1); assert.match(typo.err, /LSSD7002: no experiment or preset named 'frist'/); assert.match(typo.err, /did you mean 'first'\?/);
  assert.equal(badName.code, 1); assert.match(badName.err, /LSSD7003: '9lives' is not a declaration name/);
  assert.equal(taken.code, 1); assert.match(taken.err, /LSSD7003: 'quickstart' is already declared \(experiment in experiments\/quickstart\.lssd\)/);
  assert.equal(stdlib.code, 0, stdlib.err);
  assert.match(readFileSync(join(dir, 'experiments/small.lssd'), 'utf8'), /^import "cpu"\n[\s\S]*experiment small extends cpu_small/);
  assert.equal(check2.code, 0, check2.err);
  writeFileSync(join(dir, 'experiments/notes.lssd'), '// notes, no declarations\n');
  const [inTheWay] = lssdcAll([['new', 'experiment', 'notes', '--from', 'first']], { cwd: dir });
  assert.equal(inTheWay.code, 1); assert.match(inTheWay.err, /LSSD7001: experiments\/notes\.lssd already exists/);
  assert.equal(readFileSync(join(dir, 'experiments/notes.lssd'), 'utf8'), '// notes, no declarations\n');
  const [noFrom, what] = lssdcAll([['new', 'experiment', 'x'], ['new', 'grid', 'x', '--from', 'first']], { cwd: dir });
  assert.equal(noFrom.code, 2); assert.equal(what.code, 2);
});

test('completion scripts name every command and its options; the bash one completes in bash', () => {
  const [bash, zsh, fish, bad, help] = lssdcAll([['completion', 'bash'], ['completion', 'zsh'], ['completion', 'fish'], ['completion', 'tcsh'], ['check', '--help']]);
  for (const r of [bash, zsh, fish]) {
    assert.equal(r.code, 0, r.err);
    for (const c of ['check', 'fmt', 'run', 'lsp', 'init', 'new', 'completion']) assert.ok(r.out.includes(c), c);
  }
  assert.equal(bad.code, 2);
  assert.match(help.out, /--watch/);
  assert.match(zsh.out, /^#compdef lssdc/); assert.match(zsh.out, /check\) _arguments .*'--watch'/);
  assert.match(fish.out, /__fish_seen_subcommand_from check' -l watch/);
  const script = join(fresh(), 'lssdc.bash');
  writeFileSync(script, bash.out);
  const complete = (...words: string[]) => {
    const r = spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _lssdc; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  };
  assert.deepEqual(complete('lssdc', 'ch'), ['check']);
  assert.deepEqual(complete('lssdc', 'check', '--w'), ['--watch']);
  assert.deepEqual(complete('lssdc', 'run', '--ce'), ['--cell']);
  assert.deepEqual(complete('lssdc', 'data', 'sy'), ['synth']);
  assert.deepEqual(complete('lssdc', 'new', ''), ['experiment']);
  assert.deepEqual(complete('lssdc', 'completion', 'z'), ['zsh']);
  for (const [shell, r] of [['zsh', zsh], ['fish', fish]] as const) {
    // The syntax of the other shells' scripts is checked where those shells are installed.
    const has = spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
    if (!has) continue;
    const f = join(fresh(), `lssdc.${shell}`); writeFileSync(f, r.out);
    const s = spawnSync(shell, ['-n', f], { encoding: 'utf8' });
    assert.equal(s.status, 0, `${shell} -n: ${s.stderr}`);
  }
});

test('check --watch re-checks when a file changes and stops on Ctrl-C with 130', async () => {
  const dir = fresh();
  const file = join(dir, 'q.lssd');
  writeFileSync(file, readFileSync(join(repoRoot, 'experiments/quickstart.lssd'), 'utf8'));
  const child = spawn(process.execPath, [join(repoRoot, 'bin/lssdc.js'), 'check', '--watch', '--no-color', 'q.lssd'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (b) => { out += b; }); child.stderr.on('data', (b) => { out += b; });
  const until = async (re: RegExp, what: string) => {
    for (let i = 0; i < 600 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, re, what);
  };
  await until(/watching for changes/, 'first check');
  assert.match(out, /checked 1 file, 1 experiment: 0 errors/);
  const before = statSync(file).mtimeMs;
  writeFileSync(file, readFileSync(file, 'utf8').replace('dubs.policy = any', 'dubs.policy = anyy'));
  assert.notEqual(statSync(file).mtimeMs, before);
  await until(/checked 1 file, 1 experiment: 1 error/, 'a re-check after the edit');
  assert.match(out, /q\.lssd changed: re-checking/);
  assert.match(out, /error LSSD2013: `dubs\.policy` has no option `anyy`/);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 130);
});
