// Probe training on frozen embeddings (tfjs-core, no layers API): an MLP (HEAR) or a linear layer (LVU),
// trained with Adam or SGD, evaluated on validation every epoch; the best epoch's weights are kept and
// training stops after `patience` epochs without improvement. A grid of (hidden, dropout, lr) settings is
// tried and the setting with the best validation metric is the one reported on test — the paper's
// "best epoch to report is chosen based on the same metric on the validation set".
import * as tf from '@tensorflow/tfjs-core';
import type { ProbeSpec } from '../../compiler/spec.ts';
import { meanAveragePrecision, top1 } from './metrics.ts';
import { PROBE, ProbeError } from './errors.ts';
import { mulberry32 as rng } from '../train/rng.ts';

export interface ProbeData {
  /** Row-major [n, dim] embeddings (already standardised). */
  x: Float32Array;
  n: number;
  /** Class index per row (multiclass) or multi-hot rows [n, classes] (multilabel). */
  y: Float32Array | Int32Array;
}

export interface ProbeTaskShape {
  dim: number;
  classes: number;
  prediction: 'multiclass' | 'multilabel';
  metric: 'top1' | 'mAP';
}

export interface ProbeConfig {
  hidden: number[];
  dropout: number;
  lr: number;
}

export interface TrainedProbe {
  config: ProbeConfig;
  bestEpoch: number;
  epochsRun: number;
  valid: number;
  /** Scores (logits) for rows of x. */
  predict(x: Float32Array, n: number): Float32Array;
  dispose(): void;
}

/** Small deterministic PRNG (mulberry32) so probe results do not depend on the backend's RNG. */
export { rng };

export function score(metric: 'top1' | 'mAP', scores: Float32Array, n: number, classes: number, y: Float32Array | Int32Array): number {
  return metric === 'top1' ? top1(scores, n, classes, y) : meanAveragePrecision(scores, n, classes, y);
}

/** Every combination of the spec's grid, in a stable order. */
export function probeGrid(p: ProbeSpec['probe']): ProbeConfig[] {
  const hidden = p.kind === 'linear' ? [[]] : p.hidden.length ? p.hidden : [[]];
  if (p.lr.length === 0) throw new ProbeError(PROBE.badSettings.code, 'probe.lr must list at least one learning rate');
  const dropout = p.dropout.length ? p.dropout : [0];
  const out: ProbeConfig[] = [];
  for (const h of hidden) for (const d of dropout) for (const lr of p.lr) out.push({ hidden: h, dropout: h.length === 0 ? 0 : d, lr });
  // Dropout acts on hidden layers only, so it is meaningless without one; drop the duplicates it would create.
  const seen = new Set<string>();
  return out.filter((c) => { const k = JSON.stringify(c); if (seen.has(k)) return false; seen.add(k); return true; });
}

function gather(x: Float32Array, dim: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i] * dim, rows[i] * dim + dim), i * dim);
  return out;
}

function gatherY(y: Float32Array | Int32Array, shape: ProbeTaskShape, rows: ArrayLike<number>): Float32Array | Int32Array {
  if (shape.prediction === 'multiclass') return Int32Array.from(rows, (r) => y[r]);
  const out = new Float32Array(rows.length * shape.classes);
  for (let i = 0; i < rows.length; i++) out.set(y.subarray(rows[i] * shape.classes, (rows[i] + 1) * shape.classes), i * shape.classes);
  return out;
}

/** Forward pass of the probe MLP; params = [W0, b0, W1, b1, …] (b as [1, width]); `masks` = dropout masks per hidden layer. */
export function probeForward(params: tf.Tensor[], x: tf.Tensor2D, masks: (tf.Tensor2D | null)[] | null):
  { logits: tf.Tensor2D; inputs: tf.Tensor2D[]; pre: tf.Tensor2D[] } {
  const layers = params.length / 2;
  const inputs: tf.Tensor2D[] = []; const pre: tf.Tensor2D[] = [];
  let h = x;
  for (let l = 0; l < layers; l++) {
    inputs.push(h);
    const z = tf.add(tf.matMul(h, params[2 * l] as tf.Tensor2D), params[2 * l + 1]) as tf.Tensor2D;
    if (l + 1 === layers) return { logits: z, inputs, pre };
    pre.push(z);
    h = tf.relu(z);
    const mask = masks?.[l];
    if (mask) h = tf.mul(h, mask);
  }
  throw new Error('probeForward: params must hold at least one (W, b) pair');
}

/**
 * Gradients of the mean cross-entropy (softmax for multiclass, sigmoid averaged over classes for
 * multilabel) with respect to params, by hand-written backprop: tfjs-core's gradient registry is not
 * part of its Node (CommonJS) build, and an MLP's gradients are a few lines. Call inside tf.tidy.
 */
export function probeGradients(params: tf.Tensor[], x: tf.Tensor2D, y: Int32Array | Float32Array, shape: Pick<ProbeTaskShape, 'classes' | 'prediction'>,
  masks: (tf.Tensor2D | null)[] | null): tf.Tensor[] {
  const n = x.shape[0]; const { classes } = shape;
  const layers = params.length / 2;
  const { logits, inputs, pre } = probeForward(params, x, masks);
  let g: tf.Tensor2D = shape.prediction === 'multiclass'
    ? tf.div(tf.sub(tf.softmax(logits), tf.cast(tf.oneHot(tf.tensor1d(y as Int32Array, 'int32'), classes), 'float32')), n) as tf.Tensor2D
    : tf.div(tf.sub(tf.sigmoid(logits), tf.tensor2d(y as Float32Array, [n, classes])), n * classes) as tf.Tensor2D;
  const grads: tf.Tensor[] = new Array(params.length);
  for (let l = layers - 1; l >= 0; l--) {
    grads[2 * l] = tf.matMul(inputs[l], g, true, false);
    grads[2 * l + 1] = tf.sum(g, 0, true);
    if (l > 0) {
      let dh = tf.matMul(g, params[2 * l] as tf.Tensor2D, false, true);
      const mask = masks?.[l - 1];
      if (mask) dh = tf.mul(dh, mask);
      g = tf.mul(dh, tf.step(pre[l - 1])) as tf.Tensor2D;
    }
  }
  return grads;
}

/** Trains one probe configuration with early stopping on validation. */
export function trainOne(train: ProbeData, valid: ProbeData, shape: ProbeTaskShape, config: ProbeConfig,
  opts: Pick<ProbeSpec['probe'], 'optimizer' | 'epochs' | 'batch' | 'patience' | 'schedule'>, seed: number,
  signal?: AbortSignal): TrainedProbe {
  const { dim, classes } = shape;
  if (train.n === 0) throw new ProbeError(PROBE.emptySplit.code, 'the training split is empty');
  if (!(opts.batch >= 1) || !(opts.epochs >= 1)) throw new ProbeError(PROBE.badSettings.code, `probe batch and epochs must be ≥ 1, got batch=${opts.batch}, epochs=${opts.epochs}`);
  const rand = rng(seed);
  const sizes = [dim, ...config.hidden, classes];
  // params: [W0, b0, W1, b1, …]; Glorot-uniform weights, zero biases, from our PRNG (identical on every backend).
  let params: tf.Tensor[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const lim = Math.sqrt(6 / (sizes[l] + sizes[l + 1]));
    const w = new Float32Array(sizes[l] * sizes[l + 1]).map(() => (rand() * 2 - 1) * lim);
    params.push(tf.tensor2d(w, [sizes[l], sizes[l + 1]]), tf.zeros([1, sizes[l + 1]]));
  }
  let m1 = params.map((p) => tf.zerosLike(p));
  let m2 = params.map((p) => tf.zerosLike(p));

  const forward = (x: tf.Tensor2D, masks: (tf.Tensor2D | null)[] | null) => probeForward(params, x, masks);
  const predictWith = (x: Float32Array, n: number): Float32Array => {
    const out = new Float32Array(n * classes);
    const chunk = 2048;
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      const part = tf.tidy(() => forward(tf.tensor2d(x.subarray(s * dim, (s + m) * dim), [m, dim]), null).logits.dataSync() as Float32Array);
      out.set(part, s * classes);
    }
    return out;
  };

  // One optimisation step: hand-written gradients (probeGradients), then Adam or SGD with momentum.
  const b1 = 0.9; const b2 = 0.999; const eps = 1e-8;
  let t = 0;
  const stepOn = (rows: number[], lr: number) => {
    t++;
    const masks = config.dropout > 0
      ? config.hidden.map((h) => tf.tensor2d(Float32Array.from({ length: rows.length * h }, () => (rand() >= config.dropout ? 1 / (1 - config.dropout) : 0)), [rows.length, h]))
      : null;
    const next = tf.tidy(() => {
      const xb = tf.tensor2d(gather(train.x, dim, rows), [rows.length, dim]);
      const grads = probeGradients(params, xb, gatherY(train.y, shape, rows), shape, masks);
      if (opts.optimizer === 'sgd') {
        // SGD with momentum 0.9 (the LVU-style linear probe protocol).
        const v = m1.map((m, i) => tf.add(tf.mul(m, 0.9), grads[i]));
        return { params: params.map((p, i) => tf.sub(p, tf.mul(v[i], lr))), m1: v, m2: m2.map((m) => tf.clone(m)) };
      }
      const nm1 = m1.map((m, i) => tf.add(tf.mul(m, b1), tf.mul(grads[i], 1 - b1)));
      const nm2 = m2.map((m, i) => tf.add(tf.mul(m, b2), tf.mul(tf.square(grads[i]), 1 - b2)));
      const c1 = 1 - b1 ** t; const c2 = 1 - b2 ** t;
      return {
        params: params.map((p, i) => tf.sub(p, tf.div(tf.mul(nm1[i], lr / c1), tf.add(tf.sqrt(tf.div(nm2[i], c2)), eps)))),
        m1: nm1, m2: nm2,
      };
    });
    masks?.forEach((m) => m.dispose());
    [...params, ...m1, ...m2].forEach((x) => x.dispose());
    params = next.params; m1 = next.m1; m2 = next.m2;
  };

  let best = -Infinity; let bestEpoch = -1;
  let bestParams: Float32Array[] = params.map((p) => p.dataSync().slice() as Float32Array);
  const order = Array.from({ length: train.n }, (_, i) => i);
  let epoch = 0;
  let step = 0;
  const totalSteps = Math.ceil(train.n / opts.batch) * opts.epochs;
  for (; epoch < opts.epochs; epoch++) {
    if (signal?.aborted) break;
    for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    for (let s = 0; s < train.n; s += opts.batch) {
      const lr = opts.schedule === 'cosine' ? config.lr * 0.5 * (1 + Math.cos(Math.PI * step / totalSteps)) : config.lr;
      stepOn(order.slice(s, s + opts.batch), lr);
      step++;
    }
    const v = valid.n > 0 ? score(shape.metric, predictWith(valid.x, valid.n), valid.n, classes, valid.y) : -epoch;
    if (v > best || bestEpoch < 0) {
      best = v; bestEpoch = epoch;
      bestParams = params.map((p) => p.dataSync().slice() as Float32Array);
    } else if (epoch - bestEpoch >= opts.patience) {
      epoch++;
      break;
    }
  }
  [...params, ...m1, ...m2].forEach((x) => x.dispose());
  params = bestParams.map((b, i) => tf.tensor(b, i % 2 === 0 ? [sizes[i / 2], sizes[i / 2 + 1]] : [1, sizes[(i + 1) / 2]]));
  return {
    config, bestEpoch, epochsRun: epoch, valid: best,
    predict: predictWith,
    dispose: () => params.forEach((p) => p.dispose()),
  };
}

export interface GridOutcome {
  config: ProbeConfig;
  bestEpoch: number;
  valid: number;
  test: number;
}

/** Tries every grid configuration, keeps the best on validation, reports it on test. */
export function trainGrid(data: { train: ProbeData; valid: ProbeData; test: ProbeData }, shape: ProbeTaskShape,
  spec: ProbeSpec['probe'], seed: number, signal?: AbortSignal): GridOutcome {
  let bestProbe: TrainedProbe | null = null;
  const grid = probeGrid(spec);
  grid.forEach((config, i) => {
    if (signal?.aborted) return;
    const p = trainOne(data.train, data.valid, shape, config, spec, seed + 7919 * i, signal);
    if (!bestProbe || p.valid > bestProbe.valid) { bestProbe?.dispose(); bestProbe = p; } else p.dispose();
  });
  const chosen = bestProbe as TrainedProbe | null;
  if (!chosen) throw new ProbeError(PROBE.badSettings.code, 'probe training was interrupted before any configuration finished');
  const test = score(shape.metric, chosen.predict(data.test.x, data.test.n), data.test.n, shape.classes, data.test.y);
  chosen.dispose();
  return { config: chosen.config, bestEpoch: chosen.bestEpoch, valid: chosen.valid, test };
}

/** Standardises all rows with the mean/std of `train` rows (per dimension); returns new arrays. */
export function standardise(train: Float32Array, others: Float32Array[], dim: number): { train: Float32Array; others: Float32Array[] } {
  const n = train.length / dim;
  const mean = new Float64Array(dim); const sq = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += train[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= Math.max(1, n);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) { const z = train[i * dim + d] - mean[d]; sq[d] += z * z; }
  const std = Array.from(sq, (s) => Math.max(Math.sqrt(s / Math.max(1, n)), 1e-6));
  const apply = (x: Float32Array) => x.map((v, j) => (v - mean[j % dim]) / std[j % dim]);
  return { train: apply(train), others: others.map(apply) };
}
