// Pseudo-stereo (B.3: mono duplicated to a second channel): the plan carries the channel axis, a batch
// with the wrong channel count is refused, a 2-channel tower trains, and the frozen encoder duplicates
// the probes' mono windows the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lower } from '../../compiler/lower.ts';
import { trainExperiment } from '../../runtime/train/index.ts';
import { loadEncoder } from '../../runtime/train/encoder.ts';
import { checkBatch } from '../../runtime/train/model.ts';
import { repeatChannels } from '../../runtime/media/channels.ts';
import { useTestBackend } from '../backend.ts';
import { randomDataset, tinySpec } from './fixtures.ts';

const never = new AbortController().signal;
const stereo = () => { const b = tinySpec(); return { ...b, views: { ...b.views, audio: { ...b.views.audio, channels: 'pseudo_stereo' as const } } }; };

test('repeatChannels interleaves channels last and checks its arguments', () => {
  assert.deepEqual([...repeatChannels(Float32Array.from([1, 2, 3]), 2)], [1, 1, 2, 2, 3, 3]);
  assert.deepEqual([...repeatChannels(Float32Array.from([4, 5]), 1)], [4, 5]);
  assert.throws(() => repeatChannels(new Float32Array(2), 0), /channels must be a positive integer, got 0/);
  assert.throws(() => repeatChannels(new Float32Array(2), 2, new Float32Array(3)), /out has 3 floats, expected 2 × 2/);
});

test('the plan has a channel axis: [frames, mels, 1] for mono, [frames, mels, 2] for pseudo-stereo; a mismatching batch is refused', () => {
  const mono = lower(tinySpec()).value!, st = lower(stereo()).value!;
  assert.deepEqual(mono.data.audioShape, [16, 16, 1]);
  assert.deepEqual(mono.graph.towers.audio.input, [16, 16], 'a mono tower keeps its input (and checkpoint signature)');
  assert.deepEqual(st.data.audioShape, [16, 16, 2]);
  assert.deepEqual(st.graph.towers.audio.input, [16, 16, 2]);
  assert.ok(st.graph.towers.audio.params > mono.graph.towers.audio.params, 'the patch embedding takes both channels');
  const batch = randomDataset(stereo());
  return batch.batchAt(0).then((b) => {
    assert.deepEqual(b.audioShape.slice(1), [16, 16, 2]);
    checkBatch(st, b);
    assert.throws(() => checkBatch(mono, b), /audio batch is \[8,16,16,2\] but the plan expects \[B, 16,16,1\]/);
  });
});

test('a pseudo-stereo model trains, and its encoder embeds mono probe windows as duplicated channels', async () => {
  await useTestBackend();
  const spec = stereo();
  const plan = lower(spec).value!;
  const dir = mkdtempSync(join(tmpdir(), 'lssd-stereo-'));
  try {
    const losses: number[] = [];
    const r = await trainExperiment({ spec, plan, runDir: dir, dataset: randomDataset(spec), signal: never, events: (e) => { if (e.type === 'step') losses.push(e.loss.total); } });
    assert.equal(r.status, 'done');
    assert.equal(losses.length, 8);
    assert.ok(losses.every(Number.isFinite));
    const enc = await loadEncoder(dir);
    try {
      assert.deepEqual([enc.audio.frames, enc.audio.mels], [16, 16]);
      const mono = Float32Array.from({ length: 2 * 16 * 16 }, (_, i) => Math.sin(i * 0.1));
      const e = await enc.audio.embed(mono, 2);
      assert.equal(e.length, 2 * enc.audio.dim);
      assert.ok(e.every(Number.isFinite));
    } finally { enc.dispose(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
