// AdamW (decoupled weight decay) and the warmup + half-cosine schedule against plain-JS references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Optimizer } from '../../runtime/train/optim.ts';
import { ParamStore } from '../../runtime/train/store.ts';
import { lrAt } from '../../runtime/train/schedule.ts';
import { useTestBackend } from '../backend.ts';

test('AdamW matches a plain-JS reference over several steps, with decay on matrices only', async () => {
  await useTestBackend();
  const store = new ParamStore(3);
  const w = store.get('w', [2, 2], { kind: 'normal', std: 1 }, true);
  const b = store.get('b', [2], { kind: 'normal', std: 1 }, false);
  const cfg = { kind: 'adamw' as const, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, momentum: 0 };
  const opt = new Optimizer(cfg, store);
  const ref = { w: Array.from(w.dataSync()), b: Array.from(b.dataSync()) };
  const m = { w: [0, 0, 0, 0], b: [0, 0] }, v = { w: [0, 0, 0, 0], b: [0, 0] };
  const lrs = [0.1, 0.05, 0.02];
  const grads = [[0.5, -1, 2, 0.1], [0.3, 0.2, -0.4, 1], [-0.2, 0.7, 0.1, -0.3]];
  lrs.forEach((lr, s) => {
    const gw = grads[s], gb = [grads[s][0] * 2, -grads[s][1]];
    const gs = { [w.name]: tf.tensor(gw, [2, 2]), [b.name]: tf.tensor(gb, [2]) };
    opt.apply(gs, lr);
    tf.dispose(Object.values(gs));
    const t = s + 1;
    for (const [k, g, decay] of [['w', gw, true], ['b', gb, false]] as const) {
      for (let i = 0; i < g.length; i++) {
        m[k][i] = 0.9 * m[k][i] + 0.1 * g[i];
        v[k][i] = 0.999 * v[k][i] + 0.001 * g[i] ** 2;
        const upd = (m[k][i] / (1 - 0.9 ** t)) / (Math.sqrt(v[k][i] / (1 - 0.999 ** t)) + 1e-8);
        ref[k][i] = ref[k][i] * (1 - (decay ? lr * 0.1 : 0)) - lr * upd;
      }
    }
  });
  Array.from(w.dataSync()).forEach((x, i) => assert.ok(Math.abs(x - ref.w[i]) < 1e-5, `w[${i}] ${x} vs ${ref.w[i]}`));
  Array.from(b.dataSync()).forEach((x, i) => assert.ok(Math.abs(x - ref.b[i]) < 1e-5, `b[${i}] ${x} vs ${ref.b[i]}`));
  opt.dispose(); store.dispose();
});

test('schedule: linear warmup, half-cosine to min at totalSteps, pure in the step', () => {
  const s = { kind: 'warmup_cosine' as const, warmupSteps: 10, totalSteps: 110, peak: 1e-3, min: 1e-5 };
  assert.equal(lrAt(s, 0), 1e-4);
  assert.equal(lrAt(s, 9), 1e-3);
  assert.ok(Math.abs(lrAt(s, 10) - 1e-3) < 1e-15);
  assert.ok(Math.abs(lrAt(s, 60) - (1e-5 + (1e-3 - 1e-5) * 0.5)) < 1e-12, 'half way is the midpoint');
  assert.ok(Math.abs(lrAt(s, 110) - 1e-5) < 1e-15);
  for (let i = 11; i < 110; i++) assert.ok(lrAt(s, i) < lrAt(s, i - 1), `monotone after warmup at ${i}`);
  assert.equal(lrAt(s, 37), lrAt(s, 37));
  assert.equal(lrAt({ ...s, kind: 'constant' }, 80), 1e-3);
  assert.equal(lrAt({ ...s, warmupSteps: 0 }, 0), 1e-3);
});

test('AdamW picks up parameters assigned outside the optimiser between steps (resume, init from)', async () => {
  await useTestBackend();
  const store = new ParamStore(4);
  const w = store.get('w', [3], { kind: 'normal', std: 1 }, true);
  const opt = new Optimizer({ kind: 'adamw', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, momentum: 0 }, store);
  const step = (g: number[], lr: number) => { const gs = { [w.name]: tf.tensor(g, [3]) }; opt.apply(gs, lr); tf.dispose(Object.values(gs)); };
  step([1, -2, 0.5], 0.1);
  tf.tidy(() => w.assign(tf.tensor([10, 20, 30], [3])));
  step([0.3, 0.1, -1], 0.1);
  // Reference for step 2 from the assigned values, with the moments carried over from step 1.
  const got = Array.from(w.dataSync());
  const g1 = [1, -2, 0.5], g2 = [0.3, 0.1, -1], p0 = [10, 20, 30];
  p0.forEach((p, i) => {
    const m = 0.9 * (0.1 * g1[i]) + 0.1 * g2[i], v = 0.999 * (0.001 * g1[i] ** 2) + 0.001 * g2[i] ** 2;
    const want = p * (1 - 0.1 * 0.1) - 0.1 * (m / (1 - 0.9 ** 2)) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    assert.ok(Math.abs(got[i] - want) < 1e-4, `w[${i}] ${got[i]} vs ${want}`);
  });
  opt.dispose(); store.dispose();
});
