import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { trainGrid, probeGrid, probeGradients, rng, standardise, type ProbeData } from '../../runtime/probes/train-probe.ts';
import { useBackend } from './helpers.ts';

before(useBackend);

/** k Gaussian clusters in `dim` dimensions, labels by cluster; `shuffle` permutes labels (control). */
function clusters(n: number, k: number, dim: number, seed: number, shuffle = false): { x: Float32Array; y: Int32Array } {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: k }, () => Array.from({ length: dim }, () => gauss() * 1.5));
  const rc = rng(99);
  const x = new Float32Array(n * dim); const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rc() * k); y[i] = c;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centres[c][d] + gauss();
  }
  if (shuffle) for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [y[i], y[j]] = [y[j], y[i]]; }
  return { x, y };
}

const spec = { kind: 'mlp' as const, hidden: [[], [32]], dropout: [0, 0.1], lr: [1e-2], optimizer: 'adam' as const, epochs: 40, batch: 32, patience: 8, schedule: 'constant' as const };
const shape = { dim: 12, classes: 4, prediction: 'multiclass' as const, metric: 'top1' as const };

function split(d: { x: Float32Array; y: Int32Array }, dim: number): { train: ProbeData; valid: ProbeData; test: ProbeData } {
  const n = d.y.length; const a = Math.floor(n * 0.6); const b = Math.floor(n * 0.8);
  const part = (s: number, e: number): ProbeData => ({ x: d.x.slice(s * dim, e * dim), n: e - s, y: d.y.slice(s, e) });
  return { train: part(0, a), valid: part(a, b), test: part(b, n) };
}

test('an MLP probe separates separable embeddings; a shuffled-label control stays near chance', () => {
  const before = tf.memory().numTensors;
  const good = trainGrid(split(clusters(400, 4, 12, 5), 12), shape, spec, 0);
  assert.ok(good.test > 0.9, `separable test top-1 ${good.test}`);
  assert.ok(good.valid > 0.9);
  const control = trainGrid(split(clusters(400, 4, 12, 5, true), 12), shape, spec, 0);
  assert.ok(control.test < 0.45, `shuffled-label test top-1 ${control.test} (chance 0.25)`);
  assert.equal(tf.memory().numTensors, before, 'probe training leaks tensors');
});

test('a linear probe with SGD + cosine schedule (LVU-style) also learns; grid has no dropout duplicates', () => {
  const lin = { ...spec, kind: 'linear' as const, optimizer: 'sgd' as const, lr: [0.1], schedule: 'cosine' as const, epochs: 30 };
  assert.deepEqual(probeGrid(lin), [{ hidden: [], dropout: 0, lr: 0.1 }]);
  const r = trainGrid(split(clusters(300, 4, 12, 8), 12), shape, lin, 1);
  assert.ok(r.test > 0.85, `linear probe test top-1 ${r.test}`);
  assert.equal(probeGrid(spec).length, 3, 'hidden [] with dropout 0 and 0.1 is one configuration');
});

test('multilabel probes train with sigmoid cross-entropy and report mAP', () => {
  const r = rng(4); const n = 300; const dim = 8; const k = 3;
  const x = Float32Array.from({ length: n * dim }, () => r() * 2 - 1);
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) y[i * k + c] = x[i * dim + c] > 0 ? 1 : 0; // label c ⇔ coordinate c positive
  const part = (s: number, e: number): ProbeData => ({ x: x.slice(s * dim, e * dim), n: e - s, y: y.slice(s * k, e * k) });
  const out = trainGrid({ train: part(0, 200), valid: part(200, 250), test: part(250, 300) },
    { dim, classes: k, prediction: 'multilabel', metric: 'mAP' }, { ...spec, hidden: [[]] }, 2);
  assert.ok(out.test > 0.9, `multilabel mAP ${out.test}`);
});

test('standardisation uses train statistics only', () => {
  const train = Float32Array.from([1, 10, 3, 30]); // dim 2: means 2, 20; std 1, 10
  const { train: t, others: [o] } = standardise(train, [Float32Array.from([2, 40])], 2);
  assert.deepEqual(Array.from(t), [-1, -1, 1, 1]);
  assert.deepEqual(Array.from(o), [0, 2]);
});

test('hand-written probe gradients match central finite differences (MLP with dropout mask; multilabel)', () => {
  const r = rng(11);
  const n = 5; const dim = 4; const hidden = 3; const classes = 3;
  const arr = (k: number) => Float64Array.from({ length: k }, () => r() * 2 - 1);
  const P = [arr(dim * hidden), arr(hidden), arr(hidden * classes), arr(classes)];
  const shapes: [number, number][] = [[dim, hidden], [1, hidden], [hidden, classes], [1, classes]];
  const x = Float32Array.from(arr(n * dim));
  const mask = Float32Array.from({ length: n * hidden }, (_, i) => (i % 4 === 0 ? 0 : 1 / 0.75));
  // Independent oracle: the same loss in float64 plain JS.
  const loss = (p: Float64Array[], multilabel: boolean, y: ArrayLike<number>) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const h = Array.from({ length: hidden }, (_, j) => {
        let z = p[1][j]; for (let d = 0; d < dim; d++) z += x[i * dim + d] * p[0][d * hidden + j];
        return Math.max(0, z) * mask[i * hidden + j];
      });
      const logits = Array.from({ length: classes }, (_, c) => { let z = p[3][c]; for (let j = 0; j < hidden; j++) z += h[j] * p[2][j * classes + c]; return z; });
      if (multilabel) {
        for (let c = 0; c < classes; c++) { const s = 1 / (1 + Math.exp(-logits[c])); const t = y[i * classes + c]; total -= (t * Math.log(s) + (1 - t) * Math.log(1 - s)) / (n * classes); }
      } else {
        const m = Math.max(...logits); const lse = m + Math.log(logits.reduce((a, z) => a + Math.exp(z - m), 0));
        total -= (logits[y[i]] - lse) / n;
      }
    }
    return total;
  };
  for (const multilabel of [false, true]) {
    const y = multilabel ? Float32Array.from({ length: n * classes }, () => (r() > 0.5 ? 1 : 0)) : Int32Array.from({ length: n }, (_, i) => i % classes);
    const grads = tf.tidy(() => probeGradients(P.map((p, i) => tf.tensor2d(Float32Array.from(p), shapes[i])), tf.tensor2d(x, [n, dim]), y,
      { classes, prediction: multilabel ? 'multilabel' : 'multiclass' }, [tf.tensor2d(mask, [n, hidden])]).map((g) => g.dataSync().slice()));
    const eps = 1e-5;
    P.forEach((p, k) => {
      for (let j = 0; j < p.length; j++) {
        const plus = P.map((q) => q.slice()); plus[k][j] += eps;
        const minus = P.map((q) => q.slice()); minus[k][j] -= eps;
        const numeric = (loss(plus, multilabel, y) - loss(minus, multilabel, y)) / (2 * eps);
        assert.ok(Math.abs(numeric - grads[k][j]) < 1e-4, `param ${k}[${j}]: analytic ${grads[k][j]} vs numeric ${numeric}`);
      }
    });
  }
});
