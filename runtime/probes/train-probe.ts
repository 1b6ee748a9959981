// Probe training on frozen embeddings (tfjs-core, no layers API), following hear-eval-kit's
// FullyConnectedPrediction + pytorch-lightning loop (heareval/predictions/task_predictions.py, hear-eval-kit
// 8559649) where the spec asks for it:
//   hidden layer   Linear → BatchNorm1d (hidden_norm) → Dropout → ReLU   (norm_after_activation False)
//   init           xavier uniform/normal on weights with gain calculate_gain('linear') = 1 into the first layer
//                  and calculate_gain('relu') = √2 after a ReLU; biases keep torch.nn.Linear's default
//                  U(−1/√fan_in, 1/√fan_in); BatchNorm weight 1, bias 0, running stats momentum 0.1, eps 1e-5
//   loss           CrossEntropyLoss (multiclass) / BCEWithLogitsLoss (multilabel), means over the batch
//   optimiser      torch.optim.Adam(lr) defaults (β 0.9/0.999, ε 1e-8, no weight decay); or SGD momentum 0.9
//   validation     every `val_every` epochs (check_val_every_n_epoch); ModelCheckpoint keeps the first check
//                  and every strictly better one (NaN counts as −∞); EarlyStopping stops after `patience`
//                  checks without a strict improvement, or at once on a non-finite value (check_finite)
//   test           the best checkpoint, eval mode (BatchNorm running statistics, no dropout)
// The grid (probeGrid) enumerates configurations in sklearn ParameterGrid's order (keys sorted:
// dropout, hidden, initialization, lr — the last varies fastest) and drawGrid shuffles it with Python's
// random.seed(grid_seed) before taking `grid_points`, as task_predictions() does.
import * as tf from '@tensorflow/tfjs-core';
import type { ProbeMetric, ProbeSpec } from '../../compiler/spec.ts';
import { activate, scoreMetric } from './metrics.ts';
import { PROBE, ProbeError } from './errors.ts';
import { mulberry32 as rng } from '../train/rng.ts';
import { PyRandom } from './pyrandom.ts';

export type ProbeSettings = ProbeSpec['probe'];

export interface ProbeData {
  /** Row-major [n, dim] embeddings. */
  x: Float32Array;
  n: number;
  /** Class index per row (multiclass) or multi-hot rows [n, classes] (multilabel). */
  y: Float32Array | Int32Array;
}

export interface ProbeTaskShape {
  dim: number;
  classes: number;
  prediction: 'multiclass' | 'multilabel';
  /** The monitored (primary) metric. */
  metric: ProbeMetric;
  /** Monitor the validation loss instead (task_metadata.json `use_scoring_for_early_stopping: false`). */
  monitorLoss?: boolean;
}

export interface ProbeConfig {
  hidden: number[];
  dropout: number;
  lr: number;
  init: 'xavier_uniform' | 'xavier_normal';
}

export interface TrainedProbe {
  config: ProbeConfig;
  /** Epoch (0-based) of the kept checkpoint. */
  bestEpoch: number;
  epochsRun: number;
  /** Monitored validation value of the kept checkpoint (−loss when monitoring the loss). */
  valid: number;
  /** Logits for rows of x (eval mode). */
  predict(x: Float32Array, n: number): Float32Array;
  dispose(): void;
}

/** Small deterministic PRNG (mulberry32) so probe results do not depend on the backend's RNG. */
export { rng };

const BN_EPS = 1e-5; // torch.nn.BatchNorm1d default
const BN_MOMENTUM = 0.1;

/** A metric of logits: activated (softmax / sigmoid) first, as the kit scores `prediction`, not the logit. */
export function score(metric: ProbeMetric, logits: Float32Array, n: number, classes: number, y: Float32Array | Int32Array,
  prediction: 'multiclass' | 'multilabel' = 'multiclass'): number {
  return scoreMetric(metric, activate(logits, n, classes, prediction), n, classes, y, prediction);
}

/** Mean loss of logits (the kit's logit_loss), float64. */
export function meanLoss(logits: Float32Array, n: number, classes: number, y: Float32Array | Int32Array, prediction: 'multiclass' | 'multilabel'): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    if (prediction === 'multiclass') {
      let m = -Infinity; for (let c = 0; c < classes; c++) m = Math.max(m, logits[o + c]);
      let z = 0; for (let c = 0; c < classes; c++) z += Math.exp(logits[o + c] - m);
      total += m + Math.log(z) - logits[o + y[i]];
    } else {
      for (let c = 0; c < classes; c++) { const l = logits[o + c]; const t = y[o + c]; total += Math.max(l, 0) - l * t + Math.log1p(Math.exp(-Math.abs(l))); }
    }
  }
  return total / (prediction === 'multiclass' ? n : n * classes);
}

/** Every combination of the spec's grid, in sklearn ParameterGrid's order (dropout, hidden, init, lr; lr fastest). */
export function probeGrid(p: Pick<ProbeSettings, 'kind' | 'hidden' | 'dropout' | 'lr'> & Partial<Pick<ProbeSettings, 'init'>>): ProbeConfig[] {
  const hidden = p.kind === 'linear' ? [[]] : p.hidden.length ? p.hidden : [[]];
  if (p.lr.length === 0) throw new ProbeError(PROBE.badSettings.code, 'probe.lr must list at least one learning rate');
  const dropout = p.dropout.length ? p.dropout : [0];
  const inits = p.init?.length ? p.init : ['xavier_uniform' as const];
  const out: ProbeConfig[] = [];
  for (const d of dropout) for (const h of hidden) for (const init of inits) for (const lr of p.lr) out.push({ hidden: h, dropout: h.length === 0 ? 0 : d, lr, init });
  // Dropout acts on hidden layers only, so it is meaningless without one; drop the duplicates it would create.
  const seen = new Set<string>();
  return out.filter((c) => { const k = JSON.stringify(c); if (seen.has(k)) return false; seen.add(k); return true; });
}

/**
 * The grid points tried: probeGrid shuffled with Python's `random.seed(grid_seed); random.shuffle(confs)`, then
 * the first `grid_points` (0 = all) — task_predictions() `confs[:grid_points]`, hear-eval-kit 8559649.
 */
export function drawGrid(p: Pick<ProbeSettings, 'kind' | 'hidden' | 'dropout' | 'lr'> & Partial<Pick<ProbeSettings, 'init' | 'grid_points' | 'grid_seed'>>): ProbeConfig[] {
  const all = probeGrid(p);
  if (p.grid_seed === undefined) return p.grid_points ? all.slice(0, p.grid_points) : all;
  const shuffled = new PyRandom(p.grid_seed).shuffle(all.slice());
  return p.grid_points ? shuffled.slice(0, p.grid_points) : shuffled;
}

/** Weights of the probe: per hidden layer W, b (and γ, β with batchnorm), then the projection W, b. */
interface Layout { sizes: number[]; bn: boolean }

function paramIndex(l: Layout, layer: number): { W: number; b: number; gamma: number; beta: number } {
  const per = l.bn ? 4 : 2;
  const o = per * layer;
  return { W: o, b: o + 1, gamma: l.bn ? o + 2 : -1, beta: l.bn ? o + 3 : -1 };
}

/** Forward pass; `train` uses batch statistics (and returns them), else `running` statistics. */
function forward(params: tf.Tensor[], layout: Layout, x: tf.Tensor2D, mode: { train: true; masks: (tf.Tensor2D | null)[] | null } | { train: false; running: tf.Tensor[] | null }) {
  const hiddenLayers = layout.sizes.length - 2;
  const inputs: tf.Tensor2D[] = []; const pre: tf.Tensor2D[] = []; const xhat: tf.Tensor2D[] = []; const inv: tf.Tensor[] = [];
  const stats: tf.Tensor[] = [];
  let h = x;
  for (let l = 0; l <= hiddenLayers; l++) {
    inputs.push(h);
    const ix = paramIndex(layout, l);
    const z = tf.add(tf.matMul(h, params[ix.W] as tf.Tensor2D), params[ix.b]) as tf.Tensor2D;
    if (l === hiddenLayers) return { logits: z, inputs, pre, xhat, inv, stats };
    let y = z;
    if (layout.bn) {
      if (mode.train) {
        const mu = tf.mean(z, 0, true);
        const d = tf.sub(z, mu);
        const v = tf.mean(tf.square(d), 0, true);
        const iv = tf.rsqrt(tf.add(v, BN_EPS));
        const xh = tf.mul(d, iv) as tf.Tensor2D;
        xhat.push(xh); inv.push(iv); stats.push(mu, v);
        y = tf.add(tf.mul(xh, params[ix.gamma]), params[ix.beta]) as tf.Tensor2D;
      } else {
        const [rm, rv] = [mode.running![2 * l], mode.running![2 * l + 1]];
        y = tf.add(tf.mul(tf.mul(tf.sub(z, rm), tf.rsqrt(tf.add(rv, BN_EPS))), params[ix.gamma]), params[ix.beta]) as tf.Tensor2D;
      }
    }
    pre.push(y);
    h = tf.relu(y);
    const mask = mode.train ? mode.masks?.[l] : null;
    if (mask) h = tf.mul(h, mask);
  }
  throw new Error('unreachable');
}

/**
 * Gradients of the mean loss (softmax cross-entropy, or sigmoid cross-entropy averaged over all outputs)
 * with respect to params, by hand-written backprop (tfjs-core's gradient registry is not in its Node build),
 * plus the batch statistics of each batchnorm layer ([mean, biased var] per layer). Call inside tf.tidy.
 */
export function probeBackward(params: tf.Tensor[], layout: Layout, x: tf.Tensor2D, y: tf.Tensor, shape: Pick<ProbeTaskShape, 'classes' | 'prediction'>,
  masks: (tf.Tensor2D | null)[] | null): { grads: tf.Tensor[]; stats: tf.Tensor[] } {
  const n = x.shape[0]; const { classes } = shape;
  const hiddenLayers = layout.sizes.length - 2;
  const f = forward(params, layout, x, { train: true, masks });
  let g: tf.Tensor2D = shape.prediction === 'multiclass'
    ? tf.div(tf.sub(tf.softmax(f.logits), y), n) as tf.Tensor2D
    : tf.div(tf.sub(tf.sigmoid(f.logits), y), n * classes) as tf.Tensor2D;
  const grads: tf.Tensor[] = new Array(params.length);
  for (let l = hiddenLayers; l >= 0; l--) {
    const ix = paramIndex(layout, l);
    // Explicit transposes: tfjs-wasm's transposed matMul paths are 6–15× slower than transpose + plain matMul (measured).
    grads[ix.W] = tf.matMul(tf.transpose(f.inputs[l]), g);
    grads[ix.b] = tf.sum(g, 0, true);
    if (l === 0) break;
    let dy = tf.matMul(g, tf.transpose(params[ix.W] as tf.Tensor2D));
    const mask = masks?.[l - 1];
    if (mask) dy = tf.mul(dy, mask);
    dy = tf.mul(dy, tf.step(f.pre[l - 1]));
    const below = paramIndex(layout, l - 1);
    if (layout.bn) {
      const xh = f.xhat[l - 1];
      grads[below.gamma] = tf.sum(tf.mul(dy, xh), 0, true);
      grads[below.beta] = tf.sum(dy, 0, true);
      const dx = tf.mul(dy, params[below.gamma]);
      // dz = inv/n · (n·dx − Σdx − x̂·Σ(dx·x̂))
      g = tf.mul(tf.div(f.inv[l - 1], n), tf.sub(tf.sub(tf.mul(dx, n), tf.sum(dx, 0, true)), tf.mul(xh, tf.sum(tf.mul(dx, xh), 0, true)))) as tf.Tensor2D;
    } else g = dy as tf.Tensor2D;
  }
  return { grads, stats: f.stats };
}

/** Gradients of a probe without batchnorm; params = [W0, b0, W1, b1, …] (b as [1, width]). Call inside tf.tidy. */
export function probeGradients(params: tf.Tensor[], x: tf.Tensor2D, y: Int32Array | Float32Array, shape: Pick<ProbeTaskShape, 'classes' | 'prediction'>,
  masks: (tf.Tensor2D | null)[] | null, bn = false): tf.Tensor[] {
  const per = bn ? 4 : 2;
  const layers = (params.length - 2) / per;
  const sizes = [x.shape[1], ...Array.from({ length: layers }, (_, l) => params[per * l].shape[1] as number), shape.classes];
  const yt = shape.prediction === 'multiclass' ? tf.cast(tf.oneHot(tf.tensor1d(y as Int32Array, 'int32'), shape.classes), 'float32') : tf.tensor2d(y as Float32Array, [x.shape[0], shape.classes]);
  return probeBackward(params, { sizes, bn }, x, yt, shape, masks).grads;
}

/** Initial parameters, torch's way (see the file header), from our PRNG: identical on every backend. */
export function initParams(layout: Layout, init: ProbeConfig['init'], rand: () => number): Float32Array[] {
  const { sizes } = layout;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]; const fanOut = sizes[l + 1];
    const gain = l === 0 ? 1 : Math.SQRT2; // calculate_gain('linear') into the first layer, 'relu' after
    const w = new Float32Array(fanIn * fanOut);
    if (init === 'xavier_uniform') { const a = gain * Math.sqrt(6 / (fanIn + fanOut)); for (let i = 0; i < w.length; i++) w[i] = (rand() * 2 - 1) * a; }
    else { const sd = gain * Math.sqrt(2 / (fanIn + fanOut)); for (let i = 0; i < w.length; i++) w[i] = gauss() * sd; }
    const bound = 1 / Math.sqrt(fanIn); // torch.nn.Linear.reset_parameters bias
    out.push(w, Float32Array.from({ length: fanOut }, () => (rand() * 2 - 1) * bound));
    if (layout.bn && l + 2 < sizes.length) out.push(new Float32Array(fanOut).fill(1), new Float32Array(fanOut));
  }
  return out;
}

/** Learning rate at `step` (0-based) of `total`: linear warm-up to `lr`, then constant or half-cosine to 0. */
export function lrAt(step: number, total: number, lr: number, o: Pick<ProbeSettings, 'schedule' | 'warmup'>): number {
  const w = Math.min(o.warmup ?? 0, total);
  if (step < w) return lr * (step + 1) / w;
  if (o.schedule !== 'cosine') return lr;
  const span = Math.max(1, total - w);
  return lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, (step - w) / span)));
}

type TrainOpts = Pick<ProbeSettings, 'optimizer' | 'epochs' | 'batch' | 'patience' | 'schedule'> &
  Partial<Pick<ProbeSettings, 'steps' | 'warmup' | 'shuffle' | 'val_every' | 'hidden_norm'>>;

/**
 * Gives the event loop a turn at most every YIELD_MS: a SIGTERM/SIGINT handler (which aborts `signal`)
 * runs only then, so a probe honours a scheduler's preemption within about this long, not at its end.
 */
const YIELD_MS = 50;
let lastYield = Date.now();
export async function yieldToSignals(): Promise<void> {
  if (Date.now() - lastYield < YIELD_MS) return;
  await new Promise<void>((r) => setImmediate(r));
  lastYield = Date.now();
}

/** Trains one probe configuration with checkpointing and early stopping on validation. */
export async function trainOne(train: ProbeData, valid: ProbeData, shape: ProbeTaskShape, config: ProbeConfig, opts: TrainOpts, seed: number,
  signal?: AbortSignal): Promise<TrainedProbe> {
  const { dim, classes } = shape;
  if (train.n === 0) throw new ProbeError(PROBE.emptySplit.code, 'the training split is empty');
  if (!(opts.batch >= 1) || !(opts.epochs >= 1)) throw new ProbeError(PROBE.badSettings.code, `probe batch and epochs must be ≥ 1, got batch=${opts.batch}, epochs=${opts.epochs}`);
  const rand = rng(seed);
  const layout: Layout = { sizes: [dim, ...config.hidden, classes], bn: opts.hidden_norm === 'batchnorm' && config.hidden.length > 0 };
  const shapes: number[][] = [];
  for (let l = 0; l + 1 < layout.sizes.length; l++) {
    shapes.push([layout.sizes[l], layout.sizes[l + 1]], [1, layout.sizes[l + 1]]);
    if (layout.bn && l + 2 < layout.sizes.length) shapes.push([1, layout.sizes[l + 1]], [1, layout.sizes[l + 1]]);
  }
  let params: tf.Tensor[] = initParams(layout, config.init, rand).map((v, i) => tf.tensor(v, shapes[i]));
  let m1 = params.map((p) => tf.zerosLike(p));
  let m2 = params.map((p) => tf.zerosLike(p));
  let running: tf.Tensor[] = layout.bn ? config.hidden.flatMap((h) => [tf.zeros([1, h]), tf.ones([1, h])]) : [];

  // Resident tensors: the training rows go to the backend once, batches are slices (or gathers when shuffling).
  const xTrain = tf.tensor2d(train.x, [train.n, dim]);
  const yTrain = shape.prediction === 'multiclass'
    ? tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(train.y as Int32Array, 'int32'), classes), 'float32'))
    : tf.tensor2d(train.y as Float32Array, [train.n, classes]);

  const predictWith = (ps: tf.Tensor[], run: tf.Tensor[], x: Float32Array, n: number): Float32Array => {
    const out = new Float32Array(n * classes);
    const chunk = 4096;
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      const part = tf.tidy(() => forward(ps, layout, tf.tensor2d(x.subarray(s * dim, (s + m) * dim), [m, dim]), { train: false, running: run }).logits.dataSync() as Float32Array);
      out.set(part, s * classes);
    }
    return out;
  };

  const b1 = 0.9; const b2 = 0.999; const eps = 1e-8;
  let t = 0;
  const stepOn = (xb: tf.Tensor2D, yb: tf.Tensor, rows: number, lr: number) => {
    t++;
    const masks = config.dropout > 0
      ? config.hidden.map((h) => tf.tensor2d(Float32Array.from({ length: rows * h }, () => (rand() >= config.dropout ? 1 / (1 - config.dropout) : 0)), [rows, h]))
      : null;
    const next = tf.tidy(() => {
      const { grads, stats } = probeBackward(params, layout, xb, yb, shape, masks);
      // BatchNorm1d running statistics: momentum 0.1, unbiased batch variance.
      const nextRunning = running.map((r, i) => i % 2 === 0
        ? tf.add(tf.mul(r, 1 - BN_MOMENTUM), tf.mul(stats[i], BN_MOMENTUM))
        : tf.add(tf.mul(r, 1 - BN_MOMENTUM), tf.mul(stats[i], BN_MOMENTUM * (rows > 1 ? rows / (rows - 1) : 1))));
      if (opts.optimizer === 'sgd') {
        const v = m1.map((m, i) => tf.add(tf.mul(m, 0.9), grads[i]));
        return { params: params.map((p, i) => tf.sub(p, tf.mul(v[i], lr))), m1: v, m2: m2.map((m) => tf.clone(m)), running: nextRunning };
      }
      const nm1 = m1.map((m, i) => tf.add(tf.mul(m, b1), tf.mul(grads[i], 1 - b1)));
      const nm2 = m2.map((m, i) => tf.add(tf.mul(m, b2), tf.mul(tf.square(grads[i]), 1 - b2)));
      const c1 = 1 - b1 ** t; const c2 = 1 - b2 ** t;
      return {
        params: params.map((p, i) => tf.sub(p, tf.div(tf.mul(nm1[i], lr / c1), tf.add(tf.sqrt(tf.div(nm2[i], c2)), eps)))),
        m1: nm1, m2: nm2, running: nextRunning,
      };
    });
    masks?.forEach((m) => m.dispose());
    [...params, ...m1, ...m2, ...running].forEach((x) => x.dispose());
    params = next.params; m1 = next.m1; m2 = next.m2; running = next.running;
  };

  const valEvery = Math.max(1, opts.val_every ?? 1);
  const batches = Math.ceil(train.n / opts.batch);
  const totalSteps = opts.steps && opts.steps > 0 ? opts.steps : batches * opts.epochs;
  const maxEpochs = opts.steps && opts.steps > 0 ? Math.ceil(opts.steps / batches) : opts.epochs;
  const monitor = (): number => {
    if (valid.n === 0) return t; // no validation split: the latest weights
    const logits = predictWith(params, running, valid.x, valid.n);
    return shape.monitorLoss ? -meanLoss(logits, valid.n, classes, valid.y, shape.prediction)
      : score(shape.metric, logits, valid.n, classes, valid.y, shape.prediction);
  };
  let best = -Infinity; let bestEpoch = -1; let checks = 0; let wait = 0; let esBest = -Infinity;
  let bestParams: tf.Tensor[] = []; let bestRunning: tf.Tensor[] = [];
  const keep = (v: number, epoch: number) => {
    bestParams.forEach((p) => p.dispose()); bestRunning.forEach((p) => p.dispose());
    bestParams = params.map((p) => tf.clone(p)); bestRunning = running.map((p) => tf.clone(p));
    best = v; bestEpoch = epoch;
  };
  const validate = (epoch: number): boolean => {
    const v = monitor();
    const asBest = Number.isNaN(v) ? -Infinity : v; // ModelCheckpoint: a non-finite score counts as −∞
    if (checks === 0 || asBest > best) keep(asBest, epoch);
    checks++;
    if (!Number.isFinite(v)) return true; // EarlyStopping(check_finite=True)
    if (v > esBest) { esBest = v; wait = 0; return false; }
    wait++;
    return wait >= opts.patience;
  };
  const order = Array.from({ length: train.n }, (_, i) => i);
  let step = 0; let epoch = 0; let lastChecked = -1;
  try {
    for (; epoch < maxEpochs && step < totalSteps; epoch++) {
      if (signal?.aborted) break;
      if (opts.shuffle) for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
      const idx = opts.shuffle ? tf.tensor1d(Int32Array.from(order), 'int32') : null;
      for (let s = 0; s < train.n && step < totalSteps; s += opts.batch) {
        const rows = Math.min(opts.batch, train.n - s);
        const [xb, yb] = tf.tidy(() => {
          if (idx) { const sl = tf.slice(idx, s, rows); return [tf.gather(xTrain, sl) as tf.Tensor2D, tf.gather(yTrain, sl)]; }
          return rows === train.n ? [tf.clone(xTrain), tf.clone(yTrain)] : [tf.slice(xTrain, [s, 0], [rows, dim]) as tf.Tensor2D, tf.slice(yTrain, [s, 0], [rows, classes])];
        });
        stepOn(xb, yb, rows, lrAt(step, totalSteps, config.lr, { schedule: opts.schedule, warmup: opts.warmup ?? 0 }));
        xb.dispose(); yb.dispose();
        step++;
        await yieldToSignals();
        if (signal?.aborted) break;
      }
      idx?.dispose();
      if ((epoch + 1) % valEvery === 0) { lastChecked = epoch; if (validate(epoch)) { epoch++; break; } }
    }
    // Training ended between checks with none at all (a budget shorter than one cadence): validate the end state.
    if (checks === 0) { lastChecked = epoch - 1; validate(Math.max(0, epoch - 1)); }
    void lastChecked;
  } finally {
    xTrain.dispose(); yTrain.dispose();
    [...params, ...m1, ...m2, ...running].forEach((x) => x.dispose());
  }
  const finalParams = bestParams; const finalRunning = bestRunning;
  return {
    config, bestEpoch, epochsRun: epoch, valid: best,
    predict: (x, n) => predictWith(finalParams, finalRunning, x, n),
    dispose: () => { finalParams.forEach((p) => p.dispose()); finalRunning.forEach((p) => p.dispose()); },
  };
}

export interface GridOutcome {
  config: ProbeConfig;
  bestEpoch: number;
  valid: number;
  test: number;
}

/**
 * Tries the drawn grid points on one split plan and returns the best on validation (strictly better wins, so
 * ties keep the earlier point in the shuffled order — sort_grid_points' stable sort), still trained.
 */
export async function searchGrid(train: ProbeData, valid: ProbeData, shape: ProbeTaskShape, spec: ProbeSettings, seed: number, signal?: AbortSignal):
  Promise<{ best: TrainedProbe; tried: { config: ProbeConfig; valid: number; bestEpoch: number }[] }> {
  let bestProbe: TrainedProbe | null = null;
  const tried: { config: ProbeConfig; valid: number; bestEpoch: number }[] = [];
  for (const [i, config] of drawGrid(spec).entries()) {
    if (signal?.aborted) break;
    const p = await trainOne(train, valid, shape, config, spec, seed + 7919 * i, signal);
    tried.push({ config, valid: p.valid, bestEpoch: p.bestEpoch });
    if (!bestProbe || p.valid > (bestProbe as TrainedProbe).valid) { (bestProbe as TrainedProbe | null)?.dispose(); bestProbe = p; } else p.dispose();
  }
  const chosen = bestProbe as TrainedProbe | null;
  if (!chosen) throw new ProbeError(PROBE.badSettings.code, 'probe training was interrupted before any configuration finished');
  return { best: chosen, tried };
}

/** Grid search on one split plan, reported on its test rows with the primary metric. */
export async function trainGrid(data: { train: ProbeData; valid: ProbeData; test: ProbeData }, shape: ProbeTaskShape,
  spec: ProbeSettings, seed: number, signal?: AbortSignal): Promise<GridOutcome> {
  const { best } = await searchGrid(data.train, data.valid, shape, spec, seed, signal);
  const test = score(shape.metric, best.predict(data.test.x, data.test.n), data.test.n, shape.classes, data.test.y, shape.prediction);
  best.dispose();
  return { config: best.config, bestEpoch: best.bestEpoch, valid: best.valid, test };
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
