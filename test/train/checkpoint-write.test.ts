// A checkpoint write that fails (a full disk, a file system gone read-only) is the coded LSSD5045 and
// leaves no temp directory; when the file system refuses the clean-up as well (it went read-only after
// the temp directory was made), the message names what was left, and the next run's listing removes it.
// The faults are injected into node:fs (mock.method + syncBuiltinESMExports), so the order is exact;
// test/signals/run-dir-faults makes the same faults for real (a tmpfs, a read-only bind mount).
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs, { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { listCheckpoints, saveCheckpoint } from '../../runtime/train/checkpoint.ts';
import { M } from '../../compiler/messages.ts';
import { useTestBackend } from '../backend.ts';

await useTestBackend();

const meta = { experiment: 'x', step: 8, specHash: 'h', signatures: { video: null, audio: 'a', heads: 'h' }, optimizer: { kind: 'adamw', t: 8 }, backend: 'cpu' };
const erofs = () => Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });

async function failingSave(rmFails: boolean) {
  const run = mkdtempSync(join(tmpdir(), 'lssd-ck-write-'));
  const dir = join(run, 'checkpoints', 'step-8');
  const realWrite = fs.writeFileSync, realRm = fs.rmSync;
  mock.method(fs, 'writeFileSync', (p: fs.PathOrFileDescriptor, ...a: never[]) => {
    if (String(p).endsWith('weights.bin')) throw erofs();
    return (realWrite as (...x: unknown[]) => void)(p, ...a);
  });
  mock.method(fs, 'rmSync', (p: fs.PathLike, ...a: never[]) => {
    if (rmFails && String(p).includes('.tmp-step-8-') && existsSync(p)) throw erofs(); // as a read-only fs: a missing path is no error with force
    return (realRm as (...x: unknown[]) => void)(p, ...a);
  });
  syncBuiltinESMExports();
  let error: (Error & { code?: string }) | undefined;
  try {
    await saveCheckpoint(dir, meta, [{ group: 'param', vars: new Map([['w', tf.ones([2, 3])]]) }]);
  } catch (e) { error = e as Error & { code?: string }; } finally { mock.restoreAll(); syncBuiltinESMExports(); }
  return { run, error, left: readdirSync(join(run, 'checkpoints')).filter((n) => n.startsWith('.tmp')) };
}

test('a failed checkpoint write: LSSD5045 with the reason, no temp directory left', async () => {
  const { run, error, left } = await failingSave(false);
  try {
    assert.equal(error?.code, M.checkpointWriteFailed.code, String(error));
    assert.match(error!.message, /^cannot write checkpoint step-8: read-only file system \(EROFS\)$/);
    assert.deepEqual(left, []);
  } finally { rmSync(run, { recursive: true, force: true }); }
});

test('the clean-up refused too: the message names the temp directory left, and the next listing removes it', async () => {
  const { run, error, left } = await failingSave(true);
  try {
    assert.equal(left.length, 1);
    assert.equal(error?.code, M.checkpointWriteFailed.code, String(error));
    assert.equal(error!.message, `cannot write checkpoint step-8: read-only file system (EROFS); ${left[0]} is left behind (removing it failed too: read-only file system (EROFS)) and the next run removes it`);
    // The listing keeps temp directories of its own process (a save of its own may be under way) …
    assert.deepEqual(listCheckpoints(run), []);
    assert.ok(existsSync(join(run, 'checkpoints', left[0])));
    // … and the next run, another process, removes them.
    const next = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import('./runtime/train/checkpoint.ts').then((m) => console.log(JSON.stringify(m.listCheckpoints(${JSON.stringify(run)}))))`], { encoding: 'utf8' });
    assert.equal(next.status, 0, next.stderr);
    assert.equal(next.stdout.trim(), '[]');
    assert.ok(!existsSync(join(run, 'checkpoints', left[0])), 'the next run removed it');
  } finally { rmSync(run, { recursive: true, force: true }); }
});
