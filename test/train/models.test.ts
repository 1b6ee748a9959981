// The paper's backbones are constructible: built at reduced input size, their variables match the
// analytic counts (compiler/params.ts) exactly, and a forward pass gives finite [n, output_dim].
// Also the conv building blocks' gradients against finite differences (the self-test cases).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { countBackbone, resolveConfig } from '../../compiler/params.ts';
import type { TowerPlan } from '../../compiler/plan.ts';
import { buildTower } from '../../runtime/train/models/index.ts';
import { ParamStore } from '../../runtime/train/store.ts';
import { selftest } from '../../runtime/train/selftest.ts';
import { TEST_BACKEND, useTestBackend } from '../backend.ts';
import { stdlibBackbones } from './stdlib-backbones.ts';


const backbones = stdlibBackbones;

const reduced: Record<string, number[]> = {
  // Small enough that every stage still runs (grids shrink to 1, never 0) and the suite stays fast:
  // the cost is the many small ops of tap-sliced convolutions, not the (full-size) parameters.
  mvit_s: [2, 16, 16, 3], mvit_b: [2, 16, 16, 3], mvit_s_audio: [16, 16], mvit_b_audio: [16, 16], mvitv2_s: [2, 16, 16, 3],
  x3d_m: [2, 16, 16, 3], resnet50_audio: [32, 32, 2], cpu_x3d_s: [4, 16, 16, 3], cpu_resnet_s: [16, 16],
};

for (const name of Object.keys(reduced)) {
  test(`${name} builds at reduced input ${JSON.stringify(reduced[name])}: variables = analytic count, finite output`, async () => {
    await useTestBackend();
    const b = backbones().get(name);
    assert.ok(b, `${name} declared in stdlib`);
    const input = reduced[name];
    const c = countBackbone(b, input);
    const plan: TowerPlan = { modality: b.modality, backbone: b.name, family: b.family, config: resolveConfig(b), input, outputDim: b.output_dim, params: c.params, published: null, flopsPerExample: c.flops };
    const store = new ParamStore(0);
    const before = tf.memory().numTensors;
    try {
      const tower = buildTower(plan, store, b.modality);
      assert.equal(store.count(), c.params, `${name}: built ${store.count()} vs analytic ${c.params}`);
      const n = 2;
      const data = Float32Array.from({ length: n * input.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(i * 0.37));
      const y = tf.tidy(() => tower.forward(tower.prepare(data, n), n));
      assert.deepEqual(y.shape, [n, b.output_dim]);
      assert.ok((await y.data()).every(Number.isFinite));
      y.dispose();
    } finally {
      store.dispose();
    }
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  });
}

test(`conv building blocks pass the gradient self-test on ${TEST_BACKEND}`, async () => {
  await useTestBackend();
  const r = await selftest(['conv_patches', 'depthwise_conv', 'max_pool', 'batch_norm']);
  for (const x of r) assert.ok(x.ok, `${x.op}: rel. err ${x.maxRelErr}`);
});

test('patches+matmul convolution equals tfjs conv2d/conv3d forward (explicit symmetric padding)', async () => {
  await useTestBackend();
  const { conv } = await import('../../runtime/train/models/layers.ts');
  const x3 = tf.randomNormal([2, 5, 7, 6, 3], 0, 1, 'float32', 1), w3 = tf.randomNormal([3 * 3 * 3 * 3, 4], 0, 1, 'float32', 2);
  const mine = conv(x3, { w: w3 as tf.Variable, b: null, kernel: [3, 3, 3], stride: [1, 2, 2] });
  const ref = tf.conv3d(tf.pad(x3, [[0, 0], [1, 1], [1, 1], [1, 1], [0, 0]]) as tf.Tensor5D, tf.reshape(w3, [3, 3, 3, 3, 4]) as tf.Tensor5D, [1, 2, 2], 'valid');
  assert.deepEqual(mine.shape, ref.shape);
  const d = tf.max(tf.abs(tf.sub(mine, ref))).dataSync()[0];
  assert.ok(d < 1e-4, `conv3d max diff ${d}`);
  const x2 = tf.randomNormal([2, 9, 8, 1], 0, 1, 'float32', 3), w2 = tf.randomNormal([49, 5], 0, 1, 'float32', 4);
  const m2 = conv(x2, { w: w2 as tf.Variable, b: null, kernel: [7, 7], stride: [2, 2] });
  const r2 = tf.conv2d(tf.pad(x2, [[0, 0], [3, 3], [3, 3], [0, 0]]) as tf.Tensor4D, tf.reshape(w2, [7, 7, 1, 5]) as tf.Tensor4D, [2, 2], 'valid');
  assert.deepEqual(m2.shape, r2.shape);
  assert.ok(tf.max(tf.abs(tf.sub(m2, r2))).dataSync()[0] < 1e-4);
  tf.dispose([x3, w3, mine, ref, x2, w2, m2, r2]);
});
