// The compiled CLI (scripts/build.mjs → build/): it builds, runs under plain Node (no tsx) with the same
// output as the sources, has one entry per command file (globbed, no list to keep), writes a stamp
// that matches the sources, and `check`'s startup path loads none of the runtime's heavy modules —
// neither from the sources nor from the build (by module list, not by time), and the build's not ajv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { staleReason } from '../../scripts/stamp.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Inside the checkout (git-ignored, like build/) so the bundle's bare imports find node_modules.
const out = mkdtempSync(join(root, 'build.test-'));
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete env.LSSD_SOURCES;

/** Runs `main(args)` of the given cli/main module in a fresh process; `--import`s the given preloads. */
function cli(mainUrl: string, args: string[], imports: string[] = [], extraEnv: Record<string, string> = {}) {
  const drive = `const { main } = await import(${JSON.stringify(mainUrl)}); process.exitCode = await main(${JSON.stringify(args)});`;
  return spawnSync(process.execPath, [...imports.flatMap((i) => ['--import', i]), '--input-type=module', '-e', drive],
    { cwd: root, encoding: 'utf8', env: { ...env, ...extraEnv } });
}
const built = () => pathToFileURL(join(out, 'main.js')).href;
const sources = pathToFileURL(join(root, 'cli/main.ts')).href;
/** The sources' answer to `args` (tsx: about a second a start), run once per args for all the tests below. */
const sourcesRuns = new Map<string, ReturnType<typeof cli>>();
function fromSources(args: string[]) {
  const key = JSON.stringify(args);
  if (!sourcesRuns.has(key)) sourcesRuns.set(key, cli(sources, args, ['tsx']));
  return sourcesRuns.get(key)!;
}
const brokenCjs = join(mkdtempSync(join(tmpdir(), 'lssd-build-cjs-')), 'syntax.lssd');
writeFileSync(brokenCjs, 'import "cpu"\nexperiment a extends cpu_small {\n  data.batch { per_device = }\n}\n');

test.before(() => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--outdir', out, '--quiet'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
test.after(() => rmSync(out, { recursive: true, force: true }));

test('every cli/commands/*.ts has its entry in the build, and the stamp matches the sources', () => {
  const commands = readdirSync(join(root, 'cli/commands')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '.js'));
  for (const c of commands) assert.ok(existsSync(join(out, c)), `build has no ${c}`);
  const stamp = JSON.parse(readFileSync(join(out, 'stamp.json'), 'utf8'));
  assert.ok(stamp.files.some((f: { path: string }) => f.path === 'compiler/index.ts'));
  assert.equal(staleReason(root, stamp), undefined);
  // chevrotain's grammar checks ran at build time, so the built lexer and parser skip them.
  assert.ok(readdirSync(out).some((f) => f.endsWith('.js') && readFileSync(join(out, f), 'utf8').includes('var GRAMMAR_VALIDATED = true;')));
});

test('the build runs under plain Node with the same output and exit codes as the sources', () => {
  const broken = join(mkdtempSync(join(tmpdir(), 'lssd-build-syntax-')), 'syntax.lssd');
  writeFileSync(broken, 'import "cpu"\nexperiment a extends cpu_small {\n  data.batch { per_device = }\n  label = "x\n}\ngrid g over a {\n  axis k = [1, 2\n');
  for (const args of [['check', 'experiments'], ['check', 'test/cases/check'], ['check', broken], ['fmt', '--check', 'experiments'], ['--version'], ['show', '--hash', 'experiments/A4.lssd'], ['help']]) {
    const a = cli(built(), args); const b = fromSources(args);
    assert.equal(a.status, b.status, `${args.join(' ')}: ${a.stderr}`);
    assert.equal(a.stdout, b.stdout, args.join(' '));
    assert.equal(a.stderr, b.stderr, args.join(' '));
  }
});

/** Runs `main(args)` of `dir`/compile.cjs through scripts/bundle-cache.mjs (as bin/lssdc.js does); stderr's last line says whether V8 took the code cache. */
function compileOnly(dir: string, args: string[], imports: string[] = [], extraEnv: Record<string, string> = {}) {
  const drive = `const { loadBundle } = await import(${JSON.stringify(pathToFileURL(join(root, 'scripts/bundle-cache.mjs')).href)});
const b = loadBundle(${JSON.stringify(dir)}); process.exitCode = await b.main(${JSON.stringify(args)}); process.stderr.write('cache ' + b.cache + '\\n');`;
  return spawnSync(process.execPath, [...imports.flatMap((i) => ['--import', i]), '--input-type=module', '-e', drive],
    { cwd: root, encoding: 'utf8', env: { ...env, ...extraEnv } });
}

test('the compile-only bundle (build/compile.cjs) answers as the sources do, from a code cache V8 accepts', () => {
  const stamp = JSON.parse(readFileSync(join(out, 'stamp.json'), 'utf8'));
  assert.deepEqual(stamp.compileOnly.filter((c: string) => !existsSync(join(root, 'cli/commands', `${c}.ts`))), []);
  assert.ok(stamp.compileOnly.includes('check'));
  for (const args of [['check', 'experiments'], ['check', '--json', brokenCjs], ['fmt', '--check', 'experiments'], ['show', '--hash', 'experiments/A4.lssd'], ['table', 'experiments/A4.lssd'], ['expand', 'experiments/tiny/grid.lssd'], ['check', '--no-such-flag']]) {
    const a = compileOnly(out, args); const b = fromSources(args);
    assert.equal(a.status, b.status, `${args.join(' ')}: ${a.stderr}`);
    assert.equal(a.stdout, b.stdout, args.join(' '));
    assert.equal(a.stderr, `${b.stderr}cache used\n`, args.join(' '));
  }
  // A command that is not compile-only is not in the bundle, and says so instead of running something else.
  const run = compileOnly(out, ['run', 'experiments/quickstart.lssd']);
  assert.notEqual(run.status, 0, run.stderr);
  assert.match(run.stderr, /'run' is not in build\/compile\.cjs/);
});

test('a code cache V8 refuses is reported, the command still answers, and a new cache is accepted', () => {
  const copy = mkdtempSync(join(root, 'build.test-cache-'));
  try {
    writeFileSync(join(copy, 'compile.cjs'), readFileSync(join(out, 'compile.cjs')));
    writeFileSync(join(copy, 'compile.cjs.cache'), Buffer.from('not a V8 code cache'));
    const bad = compileOnly(copy, ['check', 'experiments']);
    assert.equal(bad.status, 0, bad.stderr);
    assert.match(bad.stderr, /cache rejected\n$/);
    const write = `const { loadBundle } = await import(${JSON.stringify(pathToFileURL(join(root, 'scripts/bundle-cache.mjs')).href)}); const b = loadBundle(${JSON.stringify(copy)}); b.writeCache();`;
    assert.equal(spawnSync(process.execPath, ['--input-type=module', '-e', write], { cwd: root }).status, 0);
    assert.match(compileOnly(copy, ['check', 'experiments']).stderr, /cache used\n$/);
  } finally { rmSync(copy, { recursive: true, force: true }); }
});

const HEAVY = /\/node_modules\/(@tensorflow|ink|react|react-reconciler|yoga-layout|handlebars|fluent-ffmpeg|@ffmpeg-installer|@ffprobe-installer|@echogarden|vscode-languageserver[a-z-]*|vscode-jsonrpc)\/|\/runtime\/(train|media|probes|report|ui|orchestrate)\/|\/lsp\//;

function loaded(mainUrl: string, args: string[], imports: string[]): string[] {
  const log = join(mkdtempSync(join(tmpdir(), 'lssd-imports-')), 'modules.log');
  const r = cli(mainUrl, args, [...imports, pathToFileURL(join(root, 'test/build/record-imports.mjs')).href], { LSSD_IMPORT_LOG: log });
  assert.equal(r.status, 0, r.stderr);
  return [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
}

for (const [what, url, imports] of [['sources', sources, ['tsx']], ['build', '', []]] as const) {
  test(`check's startup path loads none of the runtime's heavy modules (${what})`, () => {
    const mods = loaded(url || built(), ['check', 'experiments'], [...imports]);
    // The recorder sees what check does load (so an empty list cannot pass by accident).
    assert.ok(mods.some((m) => m.includes('/node_modules/chevrotain/')), 'chevrotain not seen');
    assert.deepEqual(mods.filter((m) => HEAVY.test(m)), []);
    // The build's spec validator is ajv's standalone code: ajv itself (its schema compiler) stays unloaded.
    if (what === 'build') assert.deepEqual(mods.filter((m) => m.includes('/node_modules/ajv/')), []);
    if (what === 'build') {
      // …nor does the compile-only bundle bin/lssdc.js runs check from (chevrotain is bundled into it).
      const log = join(mkdtempSync(join(tmpdir(), 'lssd-imports-')), 'modules.log');
      const r = compileOnly(out, ['check', 'experiments'], [pathToFileURL(join(root, 'test/build/record-imports.mjs')).href], { LSSD_IMPORT_LOG: log });
      assert.equal(r.status, 0, r.stderr);
      const cjs = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
      assert.ok(cjs.some((m) => m.endsWith('/scripts/bundle-cache.mjs')), 'the recorder saw nothing');
      assert.deepEqual(cjs.filter((m) => HEAVY.test(m) || m.includes('/node_modules/ajv/') || m.includes('/node_modules/chevrotain/')), []);
    }
    const version = loaded(url || built(), ['--version'], [...imports]);
    assert.deepEqual(version.filter((m) => HEAVY.test(m) || m.includes('/node_modules/chevrotain/') || m.includes('/node_modules/ajv/')), []);
  });
}

/** `node --snapshot-blob DIR/compile.blob ARGS`, as bin/lssdc.js's sh part starts a compile-only command. */
function fromSnapshot(dir: string, args: string[]) {
  const flags = readFileSync(join(dir, 'compile.blob.node'), 'utf8').split('\n')[1].split(' ').filter(Boolean);
  return spawnSync(process.execPath, [...flags, '--snapshot-blob', join(dir, 'compile.blob'), ...args], { cwd: root, encoding: 'utf8', env });
}

test('the startup snapshot (build/compile.blob) answers as the sources do, and defers to bin/lssdc.js when the build moved', () => {
  const [node] = readFileSync(join(out, 'compile.blob.node'), 'utf8').split('\n');
  assert.equal(node, process.execPath);
  // The sources' answers to these were run by the tests above (fromSources); one more, a file with errors.
  const cases = [['check', 'experiments'], ['check', 'test/cases/check'], ['check', '--json', brokenCjs], ['check', brokenCjs], ['fmt', '--check', 'experiments'],
    ['show', '--hash', 'experiments/A4.lssd'], ['table', 'experiments/A4.lssd'], ['expand', 'experiments/tiny/grid.lssd'], ['check', '--no-such-flag']];
  for (const args of cases) {
    const a = fromSnapshot(out, args); const b = fromSources(args);
    assert.equal(a.status, b.status, `${args.join(' ')}: ${a.stderr}`);
    assert.equal(a.stdout, b.stdout, args.join(' '));
    assert.equal(a.stderr, b.stderr, args.join(' '));
  }
  // A command the snapshot does not hold, or a stamp other than the one it was built with: the same
  // arguments go to `node bin/lssdc.js`, whose answer is the sources' (stdout and status; its stderr may
  // add a line saying that it runs the sources).
  const stamp = readFileSync(join(out, 'stamp.json'), 'utf8');
  try {
    writeFileSync(join(out, 'stamp.json'), stamp.replace('"version": 1', '"version": 1 '));
    const a = fromSnapshot(out, ['check', brokenCjs]); const b = fromSources(['check', brokenCjs]);
    assert.equal(a.status, b.status, a.stderr);
    assert.ok(a.stderr.endsWith(b.stderr), a.stderr);
  } finally { writeFileSync(join(out, 'stamp.json'), stamp); }
  const help = fromSnapshot(out, ['help']);
  assert.equal(help.status, 0, help.stderr);
  assert.equal(help.stdout, fromSources(['help']).stdout);
});

test('bin/lssdc.js run as a program: sh answers --version as node does', () => {
  const sh = spawnSync(join(root, 'bin/lssdc.js'), ['--version'], { cwd: tmpdir(), encoding: 'utf8', env });
  const node = spawnSync(process.execPath, [join(root, 'bin/lssdc.js'), '--version'], { cwd: tmpdir(), encoding: 'utf8', env });
  assert.equal(sh.status, 0, sh.stderr);
  assert.equal(sh.stdout, node.stdout);
  assert.match(sh.stdout, /^lssdc \d+\.\d+\.\d+/);
});
