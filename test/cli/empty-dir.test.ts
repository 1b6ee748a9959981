// One rule for a directory with nothing in it (cli/README.md): every command that takes a path answers
// an empty directory with exit 2 and a message naming it (before: 2, 1 or 1-with-LSSD2010 by command),
// and a command that takes one FILE says so when given a directory. Under --json the answer is JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lssdcAll } from './helpers.ts';

test('an empty directory: exit 2 naming it, for every command that takes a path', () => {
  const e = mkdtempSync(join(tmpdir(), 'lssd-empty-'));
  const cmds = [['check', e], ['fmt', e], ['fmt', '--check', e], ['table', e], ['diff', e, e], ['data', 'index', e], ['data', 'stats', e],
    ['report', e], ['probe', e], ['run', e], ['show', e], ['expand', e], ['status', e], ['cancel', e], ['gc', e]];
  const rs = lssdcAll(cmds);
  rs.forEach((r, i) => {
    assert.equal(r.code, 2, `${cmds[i].join(' ')}: exit ${r.code}\n${r.err}`);
    assert.ok(r.err.includes(e), `${cmds[i].join(' ')} names the directory: ${r.err.slice(0, 200)}`);
    assert.doesNotMatch(r.err, /internal error/);
  });
  const [j] = lssdcAll([['run', '--json', e]]);
  assert.equal(j.code, 2);
  assert.deepEqual({ ...JSON.parse(j.out), message: undefined }, { type: 'error', kind: 'usage', exitCode: 2, message: undefined });
});

test('a non-empty directory where one FILE is expected: exit 2, "takes one .lssd FILE"', () => {
  const d = mkdtempSync(join(tmpdir(), 'lssd-dir-'));
  mkdirSync(join(d, 'sub')); writeFileSync(join(d, 'a.lssd'), 'import "cpu"\n');
  const cmds = [['run', d], ['show', d], ['expand', d], ['status', d], ['cancel', d], ['gc', d]];
  lssdcAll(cmds).forEach((r, i) => {
    assert.equal(r.code, 2, `${cmds[i].join(' ')}: exit ${r.code}\n${r.err}`);
    assert.match(r.err, /is a directory; this command takes one \.lssd FILE/);
  });
});
