// Named trainable variables with deterministic, seeded initialisation, plus what the optimiser needs
// to know about each (whether weight decay applies). Names are stable paths ('audio/block0/attn/qkv/w')
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

export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  readonly info = new Map<string, ParamInfo>();
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

  names(prefix = ''): string[] {
    return [...this.vars.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  count(prefix = ''): number {
    return this.names(prefix).reduce((s, k) => s + this.vars.get(k)!.size, 0);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.info.clear();
  }
}
