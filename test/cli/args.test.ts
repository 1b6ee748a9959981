// The one argument parser (cli/args.ts) and the CLI conventions it carries: unknown options are named
// (with a suggestion), `help nope` is a usage error, --json usage errors are JSON, colour follows
// --no-color / NO_COLOR / FORCE_COLOR, and every command takes --root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, intOption, useColor, wantsJson } from '../../cli/args.ts';
import { parseRunArgs } from '../../cli/commands/run.ts';
import { lssdcAll } from './helpers.ts';

test('parseArgs: flags, values (= or next), repeats, aliases, -- and - as operands', () => {
  const p = parseArgs(['a', '--json', '--root=/r', '--cell', 'x', '--cell', 'y', '-', '--runs-dir', '/s', '--', '--not-a-flag'],
    { flags: ['--json'], values: ['--root'], repeat: ['--cell'], aliases: { '--runs-dir': '--root' } });
  assert.ok(typeof p !== 'string');
  assert.deepEqual(p.positional, ['a', '-', '--not-a-flag']);
  assert.ok(p.flags.has('--json'));
  assert.equal(p.values.get('--root'), '/s');
  assert.deepEqual(p.lists.get('--root'), ['/r', '/s']);
  assert.deepEqual(p.lists.get('--cell'), ['x', 'y']);
});

test('parseArgs: unknown option is named with a suggestion, not "needs a value"; a flag value is refused', () => {
  assert.equal(parseArgs(['--bogus'], { values: ['--out'] }), "unknown option '--bogus'");
  assert.equal(parseArgs(['--jsn'], { flags: ['--json'] }), "unknown option '--jsn' (did you mean '--json'?)");
  assert.equal(parseArgs(['--out'], { values: ['--out'] }), 'option --out needs a value');
  assert.equal(parseArgs(['--out', '--json'], { flags: ['--json'], values: ['--out'] }), 'option --out needs a value');
  assert.equal(parseArgs(['--json=1'], { flags: ['--json'] }), "option --json takes no value (got '--json=1')");
  const p = parseArgs(['--steps', '0'], { values: ['--steps'] });
  assert.ok(typeof p !== 'string');
  assert.match(String(intOption(p, '--steps', 1)), /--steps expects a whole number ≥ 1, got '0'/);
  assert.ok(wantsJson(['x', '--json']) && !wantsJson(['--', '--json']));
});

test('useColor: --no-color, FORCE_COLOR, NO_COLOR, terminal', () => {
  assert.equal(useColor({ isTTY: false }, false, { FORCE_COLOR: '1' }), true);
  assert.equal(useColor({ isTTY: false }, false, { FORCE_COLOR: '' }), true);
  assert.equal(useColor({ isTTY: true }, false, { FORCE_COLOR: '0' }), false);
  assert.equal(useColor({ isTTY: true }, false, { NO_COLOR: '1' }), false);
  assert.equal(useColor({ isTTY: true }, true, { FORCE_COLOR: '1' }), false);
  assert.equal(useColor({ isTTY: true }, false, {}), true);
  assert.equal(useColor({ isTTY: false }, false, {}), false);
});

test('run flags go through the shared parser (repeatable --cell, --runs-dir alias, typed errors)', () => {
  const r = parseRunArgs(['g.lssd', '--cell', 'A', '--cell=B,C', '--runs-dir', '/x', '--steps', '3']);
  assert.deepEqual(r.flags?.cells, ['A', 'B', 'C']);
  assert.equal(r.flags?.root, '/x');
  assert.equal(parseRunArgs(['g.lssd', '--cel', 'A']).error, "unknown option '--cel' (did you mean '--cell'?)");
});

test('CLI: help nope exits 2 with a hint; data synth --bogus is an unknown option; --json usage errors are JSON; FORCE_COLOR colours', () => {
  const [helpNope, helpOk, synthBogus, dataBogus, checkJson, runJson, probeBogus, reportBogus, colored, plain] = lssdcAll([
    ['help', 'chek'], ['help', 'check'], ['data', 'synth', '--bogus'], ['data', 'indx', 'x'],
    ['check', '--json', '--bogus', 'x'], ['run', '--json'], ['probe', 'x', '--frob'], ['report', '--nope'],
    ['check', 'test/cases/check/unknown-name.lssd'], ['check', '--no-color', 'test/cases/check/unknown-name.lssd'],
  ], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
  assert.equal(helpNope.code, 2);
  assert.match(helpNope.err, /no command 'chek'[\s\S]*did you mean 'lssdc help check'/);
  assert.equal(helpOk.code, 0);
  assert.equal(synthBogus.code, 2);
  assert.match(synthBogus.err, /unknown option '--bogus'/);
  assert.doesNotMatch(synthBogus.err, /needs a value/);
  assert.equal(dataBogus.code, 2);
  assert.match(dataBogus.err, /did you mean 'data index'/);
  assert.equal(checkJson.code, 2);
  assert.deepEqual(JSON.parse(checkJson.out), { type: 'error', kind: 'usage', exitCode: 2, message: "unknown option '--bogus'" });
  assert.equal(checkJson.err, '');
  assert.equal(runJson.code, 2);
  assert.equal(JSON.parse(runJson.out).message, 'missing FILE');
  assert.equal(probeBogus.code, 2);
  assert.match(probeBogus.err, /unknown option '--frob'/);
  assert.equal(reportBogus.code, 2);
  assert.match(colored.err, /\x1b\[/, 'FORCE_COLOR=1 colours diagnostics on a pipe');
  assert.doesNotMatch(plain.err, /\x1b\[/, '--no-color wins over FORCE_COLOR');
});
