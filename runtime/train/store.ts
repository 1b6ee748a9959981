// Named trainable variables with deterministic, seeded initialisation, plus what the optimiser needs
// to know about each (whether weight decay applies), and non-trainable buffers (batch-norm running
// statistics) that checkpoints carry with them. Names are stable paths ('audio/block0/attn/qkv/w')
// so checkpoints are keyed by name, and `init from` can load a subset (backbones) by prefix.
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32, seedFor, truncNormal } from './rng.ts';

export type Init = { kind: 'zeros' } | { kind: 'ones' } | { kind: 'normal'; std: number };

export interface ParamInfo {
  name: string;
  shape: number[];
  /** Decoupled weight decay applies (weight matrices and conv kernels; not biases, norm params or position tables). */
  decay: boolean;
}

/** Batch-norm running statistics: buffers (checkpointed, not trained), updated after each optimiser step. */
export interface NormStats { mean: tf.Variable; variance: tf.Variable; store: ParamStore }

/** PyTorch's BatchNorm momentum: running = (1 − m)·running + m·batch. */
export const BN_MOMENTUM = 0.1;

export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  readonly info = new Map<string, ParamInfo>();
  /** Non-trainable state saved with the parameters (batch-norm running statistics); not counted as parameters. */
  readonly buffers = new Map<string, tf.Variable>();
  /**
   * Training mode: batch norm normalises with batch statistics and records them for `commitStats`;
   * otherwise (frozen encoders) it uses the running statistics.
   */
  training = true;
  /** The latest batch statistics of each norm (one entry per norm: a forward without a commit replaces it). */
  private pending = new Map<NormStats, { mean: tf.Tensor; variance: tf.Tensor; count: number }>();
  constructor(readonly seed: number) {}

  get(name: string, shape: number[], init: Init, decay: boolean): tf.Variable {
    const existing = this.vars.get(name);
    if (existing) {
      if (existing.shape.join(',') !== shape.join(',')) throw new Error(`variable ${name} exists with shape [${existing.shape}] not [${shape}]`);
      return existing;
    }
    const n = shape.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    if (init.kind === 'zeros') values = new Float32Array(n);
    else if (init.kind === 'ones') values = new Float32Array(n).fill(1);
    else values = truncNormal(n, init.std, mulberry32(seedFor(this.seed, name)));
    const init0 = tf.tensor(values, shape, 'float32');
    const v = tf.variable(init0, true, `${name}#${Math.random().toString(36).slice(2, 8)}`);
    init0.dispose();
    this.vars.set(name, v);
    this.info.set(name, { name, shape, decay });
    return v;
  }

  /** Linear layer weights [in, out] (LeCun-normal) and bias. */
  linear(name: string, inDim: number, outDim: number): { w: tf.Variable; b: tf.Variable } {
    return {
      w: this.get(`${name}/w`, [inDim, outDim], { kind: 'normal', std: 1 / Math.sqrt(inDim) }, true),
      b: this.get(`${name}/b`, [outDim], { kind: 'zeros' }, false),
    };
  }

  norm(name: string, dim: number): { g: tf.Variable; b: tf.Variable } {
    return { g: this.get(`${name}/g`, [dim], { kind: 'ones' }, false), b: this.get(`${name}/b`, [dim], { kind: 'zeros' }, false) };
  }

  /** Running mean (zeros) and variance (ones) of a batch norm over `dim` channels. */
  normStats(name: string, dim: number): NormStats {
    const make = (k: string, fill: number) => {
      const full = `${name}/${k}`;
      const have = this.buffers.get(full);
      if (have) return have;
      const init = tf.fill([dim], fill);
      const v = tf.variable(init, false, `${full}#${Math.random().toString(36).slice(2, 8)}`);
      init.dispose();
      this.buffers.set(full, v);
      return v;
    };
    return { mean: make('running_mean', 0), variance: make('running_var', 1), store: this };
  }

  /** Called by batch norm in training mode with its batch statistics (kept until commit or replaced). */
  recordStats(s: NormStats, mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const old = this.pending.get(s);
    if (old) tf.dispose([old.mean, old.variance]);
    this.pending.set(s, { mean: tf.keep(mean), variance: tf.keep(variance), count });
  }

  /** After an optimiser step: folds the step's batch statistics into the running ones (unbiased variance). */
  commitStats(momentum = BN_MOMENTUM): void {
    for (const [s, p] of this.pending) {
      tf.tidy(() => {
        s.mean.assign(tf.add(tf.mul(s.mean, 1 - momentum), tf.mul(tf.reshape(p.mean, s.mean.shape), momentum)));
        const unbiased = tf.mul(tf.reshape(p.variance, s.variance.shape), p.count / Math.max(1, p.count - 1));
        s.variance.assign(tf.add(tf.mul(s.variance, 1 - momentum), tf.mul(unbiased, momentum)));
      });
      tf.dispose([p.mean, p.variance]);
    }
    this.pending.clear();
  }

  /** Drops recorded statistics (a step that is not applied, e.g. a non-finite loss). */
  discardStats(): void {
    for (const p of this.pending.values()) tf.dispose([p.mean, p.variance]);
    this.pending.clear();
  }

  /** Parameters and buffers by name: what a checkpoint holds. */
  saved(): Map<string, tf.Variable> {
    return new Map([...this.vars, ...this.buffers]);
  }

  names(prefix = ''): string[] {
    return [...this.vars.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  count(prefix = ''): number {
    return this.names(prefix).reduce((s, k) => s + this.vars.get(k)!.size, 0);
  }

  /** Buffer names under a prefix, sorted. */
  bufferNames(prefix = ''): string[] {
    return [...this.buffers.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  dispose(): void {
    this.discardStats();
    for (const v of this.vars.values()) v.dispose();
    for (const v of this.buffers.values()) v.dispose();
    this.vars.clear();
    this.buffers.clear();
    this.info.clear();
  }
}
