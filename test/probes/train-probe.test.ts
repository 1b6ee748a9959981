import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { trainGrid, trainOne, probeGrid, drawGrid, probeGradients, lrAt, rng, standardise, type ProbeData, type ProbeSettings } from '../../runtime/probes/train-probe.ts';
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

const spec: ProbeSettings = {
  kind: 'mlp', hidden: [[], [32]], dropout: [0, 0.1], lr: [1e-2], init: ['xavier_uniform'], hidden_norm: 'batchnorm', embedding_norm: 'identity', optimizer: 'adam',
  epochs: 40, steps: 0, warmup: 0, batch: 32, shuffle: true, val_every: 1, patience: 8, schedule: 'constant', grid_points: 0, grid_seed: 42, select: 'first',
};
const shape = { dim: 12, classes: 4, prediction: 'multiclass' as const, metric: 'top1' as const };

function split(d: { x: Float32Array; y: Int32Array }, dim: number): { train: ProbeData; valid: ProbeData; test: ProbeData } {
  const n = d.y.length; const a = Math.floor(n * 0.6); const b = Math.floor(n * 0.8);
  const part = (s: number, e: number): ProbeData => ({ x: d.x.slice(s * dim, e * dim), n: e - s, y: d.y.slice(s, e) });
  return { train: part(0, a), valid: part(a, b), test: part(b, n) };
}

test('an MLP probe separates separable embeddings; a shuffled-label control stays near chance', async () => {
  const before = tf.memory().numTensors;
  const good = await trainGrid(split(clusters(400, 4, 12, 5), 12), shape, spec, 0);
  assert.ok(good.test > 0.9, `separable test top-1 ${good.test}`);
  assert.ok(good.valid > 0.9);
  const control = await trainGrid(split(clusters(400, 4, 12, 5, true), 12), shape, spec, 0);
  assert.ok(control.test < 0.45, `shuffled-label test top-1 ${control.test} (chance 0.25)`);
  assert.equal(tf.memory().numTensors, before, 'probe training leaks tensors');
});

test('a linear probe with SGD + cosine schedule (LVU-style) also learns; grid has no dropout duplicates', async () => {
  const lin = { ...spec, kind: 'linear' as const, optimizer: 'sgd' as const, lr: [0.1], schedule: 'cosine' as const, epochs: 30 };
  assert.deepEqual(probeGrid(lin), [{ hidden: [], dropout: 0, lr: 0.1, init: 'xavier_uniform' }]);
  const r = await trainGrid(split(clusters(300, 4, 12, 8), 12), shape, lin, 1);
  assert.ok(r.test > 0.85, `linear probe test top-1 ${r.test}`);
  assert.equal(probeGrid(spec).length, 3, 'hidden [] with dropout 0 and 0.1 is one configuration');
});

test('multilabel probes train with sigmoid cross-entropy and report mAP', async () => {
  const r = rng(4); const n = 300; const dim = 8; const k = 3;
  const x = Float32Array.from({ length: n * dim }, () => r() * 2 - 1);
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) y[i * k + c] = x[i * dim + c] > 0 ? 1 : 0; // label c ⇔ coordinate c positive
  const part = (s: number, e: number): ProbeData => ({ x: x.slice(s * dim, e * dim), n: e - s, y: y.slice(s * k, e * k) });
  const out = await trainGrid({ train: part(0, 200), valid: part(200, 250), test: part(250, 300) },
    { dim, classes: k, prediction: 'multilabel', metric: 'mAP' }, { ...spec, hidden: [[]], lr: [3e-2], epochs: 80 }, 2);
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

test('batchnorm probe gradients match central finite differences (training-mode batch statistics, dropout mask)', () => {
  const r = rng(21);
  const n = 6; const dim = 3; const hidden = 4; const classes = 3;
  const arr = (k: number) => Float64Array.from({ length: k }, () => r() * 2 - 1);
  // [W0, b0, γ0, β0, W1, b1]
  const P = [arr(dim * hidden), arr(hidden), Float64Array.from(arr(hidden), (v) => 1 + 0.5 * v), arr(hidden), arr(hidden * classes), arr(classes)];
  const shapes: [number, number][] = [[dim, hidden], [1, hidden], [1, hidden], [1, hidden], [hidden, classes], [1, classes]];
  const x = Float32Array.from(arr(n * dim));
  const mask = Float32Array.from({ length: n * hidden }, (_, i) => (i % 5 === 0 ? 0 : 1 / 0.8));
  const y = Int32Array.from({ length: n }, (_, i) => (i * 2) % classes);
  // Oracle in float64: Linear → BatchNorm (biased batch variance, ε 1e-5) → dropout → ReLU → Linear → softmax CE.
  const loss = (p: Float64Array[]) => {
    const z = Array.from({ length: n }, (_, i) => Array.from({ length: hidden }, (_, j) => { let s = p[1][j]; for (let d = 0; d < dim; d++) s += x[i * dim + d] * p[0][d * hidden + j]; return s; }));
    const mu = Array.from({ length: hidden }, (_, j) => z.reduce((a, row) => a + row[j], 0) / n);
    const vr = Array.from({ length: hidden }, (_, j) => z.reduce((a, row) => a + (row[j] - mu[j]) ** 2, 0) / n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const h = z[i].map((v, j) => Math.max(0, ((v - mu[j]) / Math.sqrt(vr[j] + 1e-5)) * p[2][j] + p[3][j]) * mask[i * hidden + j]);
      const logits = Array.from({ length: classes }, (_, c) => { let s = p[5][c]; for (let j = 0; j < hidden; j++) s += h[j] * p[4][j * classes + c]; return s; });
      const m = Math.max(...logits); const lse = m + Math.log(logits.reduce((a, v) => a + Math.exp(v - m), 0));
      total -= (logits[y[i]] - lse) / n;
    }
    return total;
  };
  const grads = tf.tidy(() => probeGradients(P.map((p, i) => tf.tensor2d(Float32Array.from(p), shapes[i])), tf.tensor2d(x, [n, dim]), y,
    { classes, prediction: 'multiclass' }, [tf.tensor2d(mask, [n, hidden])], true).map((g) => g.dataSync().slice()));
  const eps = 1e-5;
  P.forEach((p, k) => {
    for (let j = 0; j < p.length; j++) {
      const plus = P.map((q) => q.slice()); plus[k][j] += eps;
      const minus = P.map((q) => q.slice()); minus[k][j] -= eps;
      const numeric = (loss(plus) - loss(minus)) / (2 * eps);
      assert.ok(Math.abs(numeric - grads[k][j]) < 2e-4, `param ${k}[${j}]: analytic ${grads[k][j]} vs numeric ${numeric}`);
    }
  });
});

test('the HEAR grid: 16 points in ParameterGrid order, the kit\'s 8 drawn by random.seed(42) + shuffle', () => {
  const hear: ProbeSettings = { ...spec, hidden: [[1024], [1024, 1024]], dropout: [0.1], lr: [3.2e-3, 1e-3, 3.2e-4, 1e-4], init: ['xavier_uniform', 'xavier_normal'], grid_points: 8, grid_seed: 42 };
  const all = probeGrid(hear);
  assert.equal(all.length, 16);
  // sklearn ParameterGrid sorts keys (… hidden_layers, initialization, lr): lr varies fastest, then init, then depth.
  assert.deepEqual(all.slice(0, 5).map((c) => [c.hidden.length, c.init, c.lr]),
    [[1, 'xavier_uniform', 3.2e-3], [1, 'xavier_uniform', 1e-3], [1, 'xavier_uniform', 3.2e-4], [1, 'xavier_uniform', 1e-4], [1, 'xavier_normal', 3.2e-3]]);
  // Python 3: random.seed(42); l = list(range(16)); random.shuffle(l) → [7, 9, 5, 6, 14, 10, 12, 8, 1, 2, 13, 15, 4, 11, 0, 3]
  const drawn = drawGrid(hear);
  assert.deepEqual(drawn.map((c) => all.findIndex((a) => JSON.stringify(a) === JSON.stringify(c))), [7, 9, 5, 6, 14, 10, 12, 8]);
  assert.deepEqual(drawn[0], { hidden: [1024], dropout: 0.1, lr: 1e-4, init: 'xavier_normal' });
  assert.equal(drawGrid({ ...hear, grid_points: 0 }).length, 16);
});

test('validation every val_every epochs; patience counts checks; a non-finite score stops at once', async () => {
  const d = split(clusters(60, 3, 6, 3), 6);
  const sh = { dim: 6, classes: 3, prediction: 'multiclass' as const, metric: 'top1' as const };
  const cfg = { hidden: [8], dropout: 0, lr: 1e-12, init: 'xavier_uniform' as const }; // weights never move: no check improves on the first
  const p = await trainOne(d.train, d.valid, sh, cfg, { ...spec, epochs: 100, val_every: 3, patience: 2, shuffle: false }, 0);
  assert.equal(p.bestEpoch, 2, 'first check after epoch 3 (0-based 2) is kept');
  assert.equal(p.epochsRun, 9, 'checks after epochs 3, 6, 9; two without improvement stop it');
  p.dispose();
  // aucroc is NaN when a class is absent from validation: EarlyStopping(check_finite) stops at the first check.
  const noClass2 = { ...d.valid, y: Int32Array.from(d.valid.y, (v) => (v === 2 ? 0 : v)) };
  const q = await trainOne(d.train, noClass2, { ...sh, metric: 'aucroc' }, { ...cfg, lr: 1e-2 }, { ...spec, epochs: 100, val_every: 3, patience: 20 }, 0);
  assert.equal(q.epochsRun, 3);
  assert.equal(q.valid, -Infinity, 'ModelCheckpoint keeps a NaN score as −∞');
  q.dispose();
});

test('learning rate: linear warm-up, then half-cosine to zero over the remaining steps', () => {
  const o = { schedule: 'cosine' as const, warmup: 4 };
  assert.deepEqual([0, 1, 3].map((s) => lrAt(s, 14, 2e-4, o)), [5e-5, 1e-4, 2e-4]);
  assert.equal(lrAt(4, 14, 2e-4, o), 2e-4);
  assert.ok(Math.abs(lrAt(9, 14, 2e-4, o) - 1e-4) < 1e-12);
  assert.equal(lrAt(9, 14, 2e-4, { schedule: 'constant', warmup: 0 }), 2e-4);
});
