// Optimisers over a ParamStore's variables. AdamW uses decoupled weight decay (Loshchilov & Hutter):
//   p ← p − lr·wd·p − lr·m̂/(√v̂ + ε),   m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
// applied only to variables marked `decay` (matrices/kernels). 'adam' adds wd·p to the gradient instead
// (coupled L2); 'sgd' is heavy-ball momentum with coupled L2. State is named like the parameters, so it
// checkpoints and resumes exactly.
import * as tf from '@tensorflow/tfjs-core';
import type { OptimPlan } from '../../compiler/plan.ts';
import type { ParamStore } from './store.ts';

export class Optimizer {
  /** Number of updates applied so far (Adam's t). */
  t = 0;
  readonly slots = new Map<string, tf.Variable>();

  constructor(readonly cfg: Pick<OptimPlan, 'kind' | 'beta1' | 'beta2' | 'eps' | 'weightDecay' | 'momentum'>, readonly store: ParamStore) {}

  private slot(kind: 'm' | 'v', name: string, shape: number[]): tf.Variable {
    const key = `${kind}:${name}`;
    let s = this.slots.get(key);
    if (!s) { s = tf.tidy(() => tf.variable(tf.zeros(shape), false)); this.slots.set(key, s); }
    return s;
  }

  /** `grads` keyed by tfjs variable name (as tf.variableGrads returns them). */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { kind, beta1: b1, beta2: b2, eps, weightDecay: wd, momentum } = this.cfg;
    const bc1 = 1 - b1 ** this.t, bc2 = 1 - b2 ** this.t;
    for (const [name, p] of this.store.vars) {
      const g = grads[p.name];
      if (!g) continue;
      const decay = this.store.info.get(name)!.decay ? wd : 0;
      tf.tidy(() => {
        if (kind === 'sgd') {
          const buf = this.slot('m', name, p.shape);
          const gg = decay ? tf.add(g, tf.mul(p, decay)) : g;
          const nb = tf.add(tf.mul(buf, momentum), gg);
          buf.assign(nb);
          p.assign(tf.sub(p, tf.mul(nb, lr)));
          return;
        }
        const m = this.slot('m', name, p.shape), v = this.slot('v', name, p.shape);
        const gg = kind === 'adam' && decay ? tf.add(g, tf.mul(p, decay)) : g;
        const nm = tf.add(tf.mul(m, b1), tf.mul(gg, 1 - b1));
        const nv = tf.add(tf.mul(v, b2), tf.mul(tf.square(gg), 1 - b2));
        m.assign(nm);
        v.assign(nv);
        const upd = tf.div(tf.div(nm, bc1), tf.add(tf.sqrt(tf.div(nv, bc2)), eps));
        const base = kind === 'adamw' && decay ? tf.mul(p, 1 - lr * decay) : p;
        p.assign(tf.sub(base, tf.mul(upd, lr)));
      });
    }
  }

  /** Named state tensors for checkpoints ('m:<param>', 'v:<param>'). */
  state(): Map<string, tf.Variable> {
    return this.slots;
  }

  load(t: number, tensors: Map<string, { shape: number[]; data: Float32Array }>): void {
    this.t = t;
    for (const [key, { shape, data }] of tensors) {
      const existing = this.slots.get(key);
      if (existing) { tf.tidy(() => existing.assign(tf.tensor(data, shape))); continue; }
      this.slots.set(key, tf.tidy(() => tf.variable(tf.tensor(data, shape), false)));
    }
  }

  dispose(): void {
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
  }
}
