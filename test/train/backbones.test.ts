// The paper's MViT-S / MViT-B as published (MViTv1, Fan et al. 2021), batch norm with running statistics,
// and the CPU-sized conv backbones (stdlib cpu_x3d_s, cpu_resnet_s) training for real on the test backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { countBackbone, referenceCount, resolveConfig } from '../../compiler/params.ts';
import { lower } from '../../compiler/lower.ts';
import { trainExperiment } from '../../runtime/train/index.ts';
import { loadEncoder } from '../../runtime/train/encoder.ts';
import { loadCheckpoint } from '../../runtime/train/checkpoint.ts';
import { batchNorm } from '../../runtime/train/models/layers.ts';
import { ParamStore, BN_MOMENTUM } from '../../runtime/train/store.ts';
import { useTestBackend } from '../backend.ts';
import { stdlibBackbones } from './stdlib-backbones.ts';
import { randomDataset, tinySpec } from './fixtures.ts';

const never = new AbortController().signal;

/** Layers per scale stage: stage_layers are the first layers of scales 2, 3, 4. */
const scales = (depth: number, starts: number[]) => [0, ...starts, depth].slice(1).map((e, i, a) => e - (i === 0 ? 0 : a[i - 1]));

test('MViT-S and MViT-B are the published MViTv1 16x4 models: depth, stages, heads, pooling, counts within 1%', () => {
  const bbs = stdlibBackbones();
  const s = resolveConfig(bbs.get('mvit_s')!), b = resolveConfig(bbs.get('mvit_b')!);
  for (const c of [s, b]) {
    assert.equal(c.version, 1);
    assert.equal(c.embed_dim, 96);
    assert.equal(c.num_heads, 1); // 1 → 2 → 4 → 8 heads at the scale transitions
    assert.equal(c.cls_token, true);
    assert.equal(c.abs_pos, 'separate');
    assert.equal(c.pool_q_all_layers, false);
    assert.deepEqual(c.pool_kernel, [3, 3, 3]);
    assert.deepEqual(c.pool_q_stride, [1, 2, 2]);
    assert.deepEqual(c.pool_kv_stride, [1, 8, 8]);
    assert.deepEqual(c.patch_kernel, [3, 7, 7]);
    assert.deepEqual(c.patch_stride, [2, 4, 4]);
  }
  assert.equal(s.depth, 10);
  assert.deepEqual(scales(10, s.stage_layers as number[]), [1, 2, 5, 2]);
  assert.equal(b.depth, 16);
  assert.deepEqual(scales(16, b.stage_layers as number[]), [1, 2, 11, 2]);
  for (const [name, published] of [['mvit_s', 26.1e6], ['mvit_b', 36.6e6], ['mvitv2_s', 34.5e6]] as const) {
    const bb = bbs.get(name)!;
    assert.equal(bb.published_params, published);
    const ref = referenceCount(bb)!;
    assert.ok(Math.abs(ref.params - published) / published <= 0.01, `${name}: ${ref.params} vs ${published} [${ref.variant}]`);
  }
  // As trained (no classifier, 16x224x224): MViT-B has ~40% more parameters than MViT-S (the paper's claim).
  const ratio = countBackbone(bbs.get('mvit_b')!, [16, 224, 224, 3]).params / countBackbone(bbs.get('mvit_s')!, [16, 224, 224, 3]).params;
  assert.ok(ratio > 1.35 && ratio < 1.45, `MViT-B / MViT-S = ${ratio.toFixed(3)}`);
});

test('batch norm: batch statistics while training, folded into running averages on commit, used in evaluation', async () => {
  await useTestBackend();
  const store = new ParamStore(0);
  try {
    const p = { ...store.norm('bn', 2), stats: store.normStats('bn', 2) };
    // Channel 0: 1, 2, 3, 4 (mean 2.5, unbiased var 5/3); channel 1: 0, 0, 4, 4 (mean 2, unbiased var 16/3).
    const x = tf.tensor([1, 0, 2, 0, 3, 4, 4, 4], [2, 2, 2]);
    const y = batchNorm(x, p);
    assert.ok(Math.abs((await tf.mean(y).data())[0]) < 1e-6, 'normalised with the batch mean');
    store.commitStats();
    const m = BN_MOMENTUM;
    const rm = await p.stats.mean.data(), rv = await p.stats.variance.data();
    assert.ok(Math.abs(rm[0] - m * 2.5) < 1e-6 && Math.abs(rm[1] - m * 2) < 1e-6, `running mean ${rm}`);
    assert.ok(Math.abs(rv[0] - ((1 - m) + m * 5 / 3)) < 1e-5 && Math.abs(rv[1] - ((1 - m) + m * 16 / 3)) < 1e-5, `running var ${rv}`);
    store.training = false;
    const one = tf.tensor([3, 4], [1, 1, 2]);
    const e = await batchNorm(one, p).data();
    assert.ok(Math.abs(e[0] - (3 - rm[0]) / Math.sqrt(rv[0] + 1e-5)) < 1e-5, 'evaluation uses the running statistics');
    assert.ok(Math.abs(e[1] - (4 - rm[1]) / Math.sqrt(rv[1] + 1e-5)) < 1e-5);
    tf.dispose([x, y, one]);
  } finally { store.dispose(); }
});

test('cpu_x3d_s + cpu_resnet_s train for real: the loss falls, running statistics are checkpointed and used by the frozen encoder', async (t) => {
  // On wasm every convolution is tap-sliced (no conv gradients there): correct, but minutes per run.
  if (await useTestBackend() !== 'tensorflow') { t.skip('conv backbones train at test speed on the tensorflow backend only'); return; }
  const bbs = stdlibBackbones();
  const base = tinySpec();
  const spec = {
    ...base,
    // 8 frames at 16 px and 16 x 16 log-mel: every stride of both nets still leaves a grid of ≥ 1.
    views: { ...base.views, video: { ...base.views.video, frames: 8 } },
    model: { ...base.model, video: bbs.get('cpu_x3d_s')!, audio: bbs.get('cpu_resnet_s')! },
    optim: { ...base.optim, duration: { steps: 20 } },
    runtime: { ...base.runtime, checkpoint_every_steps: 100 },
  };
  const lowered = lower(spec);
  assert.ok(lowered.value, lowered.diagnostics.map((d) => d.message).join('; '));
  const plan = lowered.value;
  assert.ok(plan.backend.selftest.includes('batch_norm'));
  const dir = mkdtempSync(join(tmpdir(), 'lssd-conv-'));
  const losses: number[] = [];
  try {
    const r = await trainExperiment({ spec, plan, runDir: dir, dataset: randomDataset(spec), signal: never,
      events: (e) => { if (e.type === 'step') losses.push(e.loss.L); if (e.type === 'selftest') assert.ok(e.ok, `self-test ${e.op}`); } });
    assert.equal(r.status, 'done');
    const first = losses.slice(0, 5).reduce((a, b) => a + b, 0) / 5, last = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
    assert.ok(last < first * 0.9, `loss falls: first ${first.toFixed(3)}, last ${last.toFixed(3)}`);

    const ck = loadCheckpoint(r.checkpointDir);
    const stats = [...ck.tensors.keys()].filter((n) => n.endsWith('/running_mean') || n.endsWith('/running_var'));
    assert.ok(stats.some((n) => n.startsWith('video/')) && stats.some((n) => n.startsWith('audio/')), 'both towers checkpoint running statistics');
    const rm = ck.tensors.get('audio/stem/bn/running_mean')!;
    assert.equal(rm.group, 'param');
    assert.ok(rm.data.some((v) => v !== 0), 'the running mean moved from its initial zeros');

    // Evaluation mode: an example's embedding does not depend on the batch it is embedded with.
    const enc = await loadEncoder(dir);
    try {
      const per = plan.graph.towers.audio.input.reduce((a, b) => a * b, 1);
      const batch = Float32Array.from({ length: 4 * per }, (_, i) => Math.sin(i * 0.13) * 2);
      const all = await enc.audio.embed(batch, 4);
      const alone = await enc.audio.embed(batch.subarray(per, 2 * per), 1);
      const d = enc.audio.dim;
      for (let j = 0; j < d; j++) assert.ok(Math.abs(alone[j] - all[d + j]) < 1e-4, `dim ${j}: ${alone[j]} vs ${all[d + j]}`);
    } finally { enc.dispose(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
