// The user's file system as hostile input (docs/language.md §9.4): symlink loops, dangling symlinks,
// unreadable directories, read-only directories and a full disk are coded diagnostics naming the path,
// never "internal error", and the rest of the work goes on.
//
// The tests run as root here, and root ignores permission bits: EACCES cases run the CLI as `nobody`
// through setpriv (skipped, saying so, where setpriv or a nobody user is missing). ENOSPC is real on a
// 64 KiB tmpfs where mounting is allowed (root), and injected through writeFileSafely's `fs` parameter
// everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lssdcAll, repoRoot } from '../cli/helpers.ts';
import { writeFileSafely, type Fs } from '../../runtime/files/write.ts';

const GOOD = 'import "cpu"\n\n/// ok\nexperiment ok extends cpu_small {\n  label = "ok"\n}\n';
const UGLY = 'import "cpu"\n/// ok\nexperiment ok extends cpu_small {   label =   "ok" }\n';
const tmp = () => mkdtempSync(join(tmpdir(), 'lssd-fs-'));

function asNobody(args: string[], cwd: string) {
  return spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, join(repoRoot, 'bin/lssdc.js'), ...args],
    { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', HOME: cwd } });
}
const canDropPrivileges = (() => {
  if (process.getuid?.() !== 0) return 'not root: chmod 000 already denies; covered by the root-less path below';
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'true']);
  return r.status === 0 ? true : 'setpriv or the nobody user is unavailable';
})();

test('check: a directory symlink loop and a dangling symlink are warnings naming the path; the other files are checked', () => {
  const d = tmp();
  writeFileSync(join(d, 'a.lssd'), GOOD);
  mkdirSync(join(d, 'sub'));
  writeFileSync(join(d, 'sub', 'b.lssd'), GOOD.replace(/ok/g, 'okb'));
  symlinkSync('..', join(d, 'sub', 'loop'));          // directory loop: sub/loop → d
  symlinkSync('nowhere.lssd', join(d, 'gone.lssd'));   // dangling
  symlinkSync('self', join(d, 'self'));                // ELOOP on stat
  const [r] = lssdcAll([['check', d]]);
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err, /internal error/);
  assert.match(r.err, /warning LSSD5041: .*sub\/loop leads back to/);
  assert.match(r.err, /warning LSSD5042: .*gone\.lssd is a symbolic link to nothing/);
  assert.match(r.err, /warning LSSD5041: .*self is a symbolic link loop/);
  assert.match(r.out + r.err, /checked 2 files/);
});

test('check/fmt as nobody: an unreadable subdirectory is LSSD5040 naming it; the other files are still checked', { skip: canDropPrivileges === true ? false : String(canDropPrivileges) }, () => {
  const d = tmp();
  writeFileSync(join(d, 'a.lssd'), GOOD);
  mkdirSync(join(d, 'locked'));
  writeFileSync(join(d, 'locked', 'b.lssd'), GOOD);
  for (const p of [d, join(d, 'a.lssd'), join(d, 'locked'), join(d, 'locked', 'b.lssd')]) chownSync(p, 65534, 65534);
  chmodSync(join(d, 'locked'), 0o000);
  chmodSync(d, 0o755);
  const r = asNobody(['check', '.'], d);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.match(r.stderr, /error LSSD5040: cannot read directory locked: permission denied \(EACCES\)/);
  assert.match(r.stdout + r.stderr, /checked 1 file/);
});

test('fmt as nobody in a read-only directory: LSSD5043 naming the file, file unchanged, no temp file', { skip: canDropPrivileges === true ? false : String(canDropPrivileges) }, () => {
  const d = tmp();
  writeFileSync(join(d, 'x.lssd'), UGLY);
  mkdirSync(join(d, 'w'));
  writeFileSync(join(d, 'w', 'y.lssd'), UGLY);
  for (const p of [d, join(d, 'x.lssd'), join(d, 'w'), join(d, 'w', 'y.lssd')]) chownSync(p, 65534, 65534);
  chmodSync(d, 0o555); // x.lssd cannot be replaced; w/y.lssd can
  const r = asNobody(['fmt', '.'], d);
  chmodSync(d, 0o755);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.match(r.stderr, /error LSSD5043: cannot write x\.lssd: creating a temporary file beside it: permission denied \(EACCES\); the file is unchanged/);
  assert.equal(readFileSync(join(d, 'x.lssd'), 'utf8'), UGLY);
  assert.notEqual(readFileSync(join(d, 'w', 'y.lssd'), 'utf8'), UGLY, 'the writable file is still formatted');
  assert.deepEqual(readdirSync(d).filter((n) => n.endsWith('.tmp')), []);
});

test('fmt on a full disk (a 64 KiB tmpfs): LSSD5043 (ENOSPC), original intact, no temp file left', { skip: tmpfsSkip() }, () => {
  const d = tmp();
  const mnt = join(d, 'mnt'); mkdirSync(mnt);
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status, 0);
  try {
    // A file whose formatted form is larger than what is left after filling the disk.
    const big = UGLY + Array.from({ length: 300 }, (_, i) => `experiment e${i} extends cpu_small {   label =   "${i}" }\n`).join('');
    writeFileSync(join(mnt, 'f.lssd'), big);
    try { writeFileSync(join(mnt, 'fill'), Buffer.alloc(64 << 10)); } catch { /* ENOSPC: full now */ }
    const [r] = lssdcAll([['fmt', join(mnt, 'f.lssd')]]);
    assert.equal(r.code, 1, r.err);
    assert.doesNotMatch(r.err, /internal error/);
    assert.match(r.err, /error LSSD5043: cannot write .*f\.lssd: .*no space left on device \(ENOSPC\); the file is unchanged/);
    assert.equal(readFileSync(join(mnt, 'f.lssd'), 'utf8'), big);
    assert.deepEqual(readdirSync(mnt).sort(), ['f.lssd', 'fill']);
  } finally { spawnSync('umount', [mnt]); }
});

function tmpfsSkip(): false | string {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs; the injected ENOSPC test covers it';
  const d = mkdtempSync(join(tmpdir(), 'lssd-mnt-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', d]).status === 0;
  if (ok) spawnSync('umount', [d]);
  return ok ? false : 'mount -t tmpfs is not permitted here; the injected ENOSPC test covers it';
}

test('writeFileSafely: a failure at every step leaves the original and no temp file (injected ENOSPC/EIO)', () => {
  const steps = ['openSync', 'fchmodSync', 'writeSync', 'fsyncSync', 'closeSync', 'renameSync'] as const;
  for (const step of steps) {
    const d = tmp();
    const f = join(d, 'f.lssd');
    writeFileSync(f, 'old');
    let armed = true;
    const failing = { ...fs } as unknown as Fs;
    (failing as unknown as Record<string, unknown>)[step] = (...a: unknown[]) => {
      // Only the temp file's own calls fail (not the directory fsync after a successful rename).
      if (armed) { armed = false; throw Object.assign(new Error(`injected ${step}`), { code: step === 'writeSync' ? 'ENOSPC' : 'EIO' }); }
      return (fs as unknown as Record<string, (...x: unknown[]) => unknown>)[step](...a);
    };
    const err = writeFileSafely(f, 'new content', { fs: failing });
    assert.ok(err, `${step}: failure reported`);
    assert.equal(err!.code, 'LSSD5043');
    assert.match(err!.message, /f\.lssd/);
    assert.equal(readFileSync(f, 'utf8'), 'old', `${step}: original intact`);
    assert.deepEqual(readdirSync(d), ['f.lssd'], `${step}: no temp file`);
  }
});

test('fmt keeps the mode, writes through symlinks, keeps hard links', () => {
  const d = tmp();
  const f = join(d, 'real.lssd');
  writeFileSync(f, UGLY); chmodSync(f, 0o600);
  symlinkSync('real.lssd', join(d, 'link.lssd'));
  const h = join(d, 'hard.lssd');
  writeFileSync(h, UGLY); linkSync(h, join(d, 'hard2.lssd'));
  const [r] = lssdcAll([['fmt', join(d, 'link.lssd'), h]]);
  assert.equal(r.code, 0, r.err);
  assert.ok(lstatSync(join(d, 'link.lssd')).isSymbolicLink(), 'the symlink stays a symlink');
  assert.notEqual(readFileSync(f, 'utf8'), UGLY, 'its target was formatted');
  assert.equal(statSync(f).mode & 0o777, 0o600, 'mode kept (0600 stays private)');
  assert.equal(statSync(h).nlink, 2, 'hard link kept');
  assert.equal(readFileSync(join(d, 'hard2.lssd'), 'utf8'), readFileSync(h, 'utf8'));
  assert.notEqual(readFileSync(h, 'utf8'), UGLY);
  assert.deepEqual(readdirSync(d).filter((n) => n.includes('.tmp')), []);
});

test('fmt refuses invalid UTF-8 (LSSD1021 at the bad byte) and leaves the bytes exact; check/fmt read stdin', () => {
  const d = tmp();
  const f = join(d, 'latin.lssd');
  const bytes = Buffer.concat([Buffer.from('import "cpu"\n/// caf'), Buffer.from([0xe9]), Buffer.from('\nexperiment x extends cpu_small {   label = "x" }\n')]);
  writeFileSync(f, bytes);
  const [r] = lssdcAll([['fmt', f]]);
  assert.equal(r.code, 1);
  assert.match(r.err, /error LSSD1021: .*latin\.lssd:2:8: not valid UTF-8 \(byte 20\); left unchanged/);
  assert.deepEqual(readFileSync(f), bytes);
  const stdin = spawnSync(process.execPath, [join(repoRoot, 'bin/lssdc.js'), 'fmt', '-'], { input: UGLY, encoding: 'utf8', cwd: repoRoot });
  assert.equal(stdin.status, 0, stdin.stderr);
  assert.equal(stdin.stdout, GOOD);
  const check = spawnSync(process.execPath, [join(repoRoot, 'bin/lssdc.js'), 'check', '/dev/stdin'], { input: 'experiment y extends nope { }\n', encoding: 'utf8', cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(check.status, 1);
  assert.match(check.stderr, /<stdin>:1:22: error LSSD2004/);
  assert.ok(existsSync(f));
});
