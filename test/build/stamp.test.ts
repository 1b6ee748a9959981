// The build stamp (scripts/stamp.mjs): bin/lssdc.js runs build/ only while every source that went into
// it is unchanged and no command file was added or removed; anything else names the file that moved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStamp, staleReason } from '../../scripts/stamp.mjs';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'lssd-stamp-'));
  mkdirSync(join(root, 'cli/commands'), { recursive: true });
  mkdirSync(join(root, 'scripts'), { recursive: true });
  writeFileSync(join(root, 'cli/main.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'cli/commands/check.ts'), 'export const b = 2;\n');
  writeFileSync(join(root, 'scripts/build.mjs'), '// build\n');
  writeFileSync(join(root, 'scripts/stamp.mjs'), '// stamp\n');
  writeFileSync(join(root, 'scripts/build-plugins.mjs'), '// plugins\n');
  writeFileSync(join(root, 'scripts/snapshot.mjs'), '// snapshot\n');
  return root;
}
const inputs = ['cli/main.ts', 'cli/commands/check.ts'];

test('a fresh stamp matches; the same bytes rewritten (new mtime) still match', () => {
  const root = tree();
  const stamp = makeStamp(root, inputs);
  assert.equal(staleReason(root, stamp), undefined);
  writeFileSync(join(root, 'cli/main.ts'), 'export const a = 1;\n');
  utimesSync(join(root, 'cli/main.ts'), new Date(), new Date(Date.now() + 5000));
  assert.equal(staleReason(root, stamp), undefined);
  rmSync(root, { recursive: true });
});

test('an edit of the same size, a resized file, a removed file, the build script: each is stale, by name', () => {
  const root = tree();
  const stamp = makeStamp(root, inputs);
  writeFileSync(join(root, 'cli/main.ts'), 'export const a = 7;\n'); // same size, new bytes
  assert.equal(staleReason(root, stamp), 'cli/main.ts changed');
  const again = makeStamp(root, inputs);
  writeFileSync(join(root, 'cli/commands/check.ts'), 'export const b = 22;\n');
  assert.equal(staleReason(root, again), 'cli/commands/check.ts changed');
  const third = makeStamp(root, inputs);
  writeFileSync(join(root, 'scripts/build.mjs'), '// build, changed\n');
  assert.equal(staleReason(root, third), 'scripts/build.mjs changed');
  const fourth = makeStamp(root, inputs);
  rmSync(join(root, 'cli/main.ts'));
  assert.equal(staleReason(root, fourth), 'cli/main.ts was removed');
  rmSync(root, { recursive: true });
});

test('a command added to cli/commands/ makes the build stale (the build globs that folder)', () => {
  const root = tree();
  const stamp = makeStamp(root, inputs);
  writeFileSync(join(root, 'cli/commands/doctor.ts'), 'export {};\n');
  assert.equal(staleReason(root, stamp), 'cli/commands/doctor.ts is new');
  rmSync(root, { recursive: true });
});

test('an unreadable stamp is never taken as fresh', () => {
  const root = tree();
  assert.equal(staleReason(root, undefined), 'its stamp is unreadable');
  assert.equal(staleReason(root, { version: 0, files: [], dirs: [] }), 'its stamp is unreadable');
  rmSync(root, { recursive: true });
});
