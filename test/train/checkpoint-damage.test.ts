// A damaged checkpoint on disk (bit rot, a copy cut short, a hand-edited manifest) is the coded
// LSSD5303 naming the directory (runtime/train/checkpoint.ts loadCheckpoint), never a RangeError from
// Float32Array or a TypeError from a malformed tensor entry, which reached the user as "internal error".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../runtime/train/checkpoint.ts';
import { TRAIN } from '../../compiler/messages-runtime.ts';

const manifest = (tensors: unknown) => JSON.stringify({ format: 'lssd-checkpoint', version: 1, tensors });
const cases: { name: string; manifest: string; weights: Buffer; message: RegExp }[] = [
  { name: 'weights.bin cut at an odd length', manifest: manifest([{ name: 'a', shape: [2], offset: 0, group: 'param' }]), weights: Buffer.alloc(5), message: /5 bytes is not a whole number of float32/ },
  { name: 'a tensor entry without a shape', manifest: manifest([{ name: 'a', offset: 0, group: 'param' }]), weights: Buffer.alloc(8), message: /manifest.json is damaged/ },
  { name: 'a null tensor entry', manifest: manifest([null]), weights: Buffer.alloc(8), message: /manifest.json is damaged/ },
  { name: 'a negative offset', manifest: manifest([{ name: 'a', shape: [1], offset: -1, group: 'param' }]), weights: Buffer.alloc(8), message: /manifest.json is damaged/ },
  { name: 'manifest.json is null', manifest: 'null', weights: Buffer.alloc(8), message: /not an lssd checkpoint/ },
  { name: 'weights.bin shorter than the manifest says', manifest: manifest([{ name: 'a', shape: [4], offset: 0, group: 'param' }]), weights: Buffer.alloc(8), message: /truncated/ },
];

for (const c of cases) {
  test(`damaged checkpoint: ${c.name} → LSSD5303 naming the directory`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lssd-ck-damage-'));
    try {
      writeFileSync(join(dir, 'manifest.json'), c.manifest);
      writeFileSync(join(dir, 'weights.bin'), c.weights);
      assert.throws(() => loadCheckpoint(dir), (e: Error & { code?: string; path?: string }) => {
        assert.equal(e.code, TRAIN.badCheckpoint.code, `${e.name}: ${e.message}`);
        assert.match(e.message, c.message);
        return true;
      });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}
