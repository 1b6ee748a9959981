// Operands that are not files (issue 13, found by trying the real CLI): `lssdc check /dev/zero` read
// forever (so did show, expand and run), and `lssdc fmt /dev/null` run as root renamed a regular file over /dev/null, replacing the
// device for the whole machine. Devices and sockets are LSSD5040 and not read; writers (fmt,
// expand --write) refuse to replace anything but a regular file (LSSD5043) and leave it as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, repo } from '../signals/helpers.ts';
import { writeFileSafely } from '../../runtime/files/write.ts';
import { readCatalog } from '../../runtime/media/index.ts';

const lssdc = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], {
  cwd: repo, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', LSSD_SOURCES: '1' },
});

test('check /dev/zero and /dev/urandom: LSSD5040 "is a character device", exit 1, at once (it read forever)', { timeout: 120_000 }, () => {
  for (const dev of ['/dev/zero', '/dev/urandom']) {
    const r = lssdc(['check', dev]);
    assert.equal(r.error, undefined, `${dev}: ${r.error?.message} (timed out: it is being read)`);
    assert.equal(r.status, 1, `${dev}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`error LSSD5040: ${dev} is a character device, not a file; not read`));
  }
  // The commands that read one file through the host (show, expand, run) refuse it too instead of reading.
  for (const cmd of ['show', 'expand', 'run']) {
    const r = lssdc([cmd, '/dev/zero']);
    assert.equal(r.error, undefined, `${cmd} /dev/zero: ${r.error?.message} (timed out: it is being read)`);
    assert.ok(r.status === 1 || r.status === 2, `${cmd} /dev/zero: exit ${r.status}: ${r.stderr}`);
    assert.match(r.stderr, /cannot read '\/dev\/zero'/);
    if (cmd !== 'run') assert.match(r.stderr, /^error LSSD5040: cannot read '\/dev\/zero'/m, `${cmd}: the line carries its code`);
  }
  const j = lssdc(['check', '--json', '/dev/zero']);
  assert.equal(j.status, 1, j.stderr);
  assert.ok((JSON.parse(j.stdout) as { diagnostics: { code: string }[] }).diagnostics.some((e) => e.code === 'LSSD5040'), j.stdout);
});

test('fmt on a character device: LSSD5043, the device left a device (a rename over /dev/null replaced it)', { timeout: 120_000 }, () => {
  // Only on a device the test makes: never on the machine's /dev/null. Where mknod is refused (not
  // root), a named pipe stands in for it: the same rename would have replaced it.
  const dir = mkdtempSync(join(tmpdir(), 'lssd-special-'));
  try {
    const dev = join(dir, 'null.lssd');
    const made = spawnSync('mknod', ['-m', '666', dev, 'c', '1', '3']).status === 0 || spawnSync('mkfifo', [dev]).status === 0;
    assert.ok(made, 'could make neither a device nor a named pipe');
    const isSpecial = () => { const s = statSync(dev); return s.isCharacterDevice() || s.isFIFO(); };
    const d = writeFileSafely(dev, 'experiment x { }\n');
    assert.equal(d?.code, 'LSSD5043');
    assert.match(d!.message, /is a (character device|named pipe), not a regular file; left as it is/);
    assert.ok(isSpecial(), 'still a device / pipe');
    if (statSync(dev).isCharacterDevice()) {
      const r = lssdc(['fmt', dev]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /LSSD5040: .*null\.lssd is a character device, not a file; not read/);
      assert.ok(statSync(dev).isCharacterDevice(), 'fmt left the device a device');
    }
    // A regular file still formats.
    const f = join(dir, 'ok.lssd');
    writeFileSync(f, 'experiment x {   }\n');
    assert.equal(writeFileSafely(f, 'experiment x { }\n'), undefined);
    assert.equal(readFileSync(f, 'utf8'), 'experiment x { }\n');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a catalog file that is a device (`file("/dev/zero")`): refused at once; it was read until the process aborted with std::bad_alloc', () => {
  assert.throws(() => readCatalog('/dev/zero'), /it is a character device, not a file/);
});
