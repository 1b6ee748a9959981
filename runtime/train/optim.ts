// Optimisers over a ParamStore's variables. AdamW uses decoupled weight decay (Loshchilov & Hutter):
//   p ← p − lr·wd·p − lr·m̂/(√v̂ + ε),   m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
// applied only to variables marked `decay` (matrices/kernels). 'adam' adds wd·p to the gradient instead
// (coupled L2); 'sgd' is heavy-ball momentum with coupled L2. State is named like the parameters, so it
// checkpoints and resumes exactly.
//
// On tensorflow, Adam and AdamW update every parameter at once: the gradients are concatenated into one
// flat vector, the parameters and moments live as flat vectors too, and the update is ~15 elementwise
// TF ops on them, then one SplitV back into the variables. Per parameter it would be ~13 ops each
// (~900 for the quickstart's 66 tensors, most on a few hundred floats, where an op costs its dispatch,
// not its arithmetic). On wasm/cpu the update stays per tensor (see apply). The bias corrections are folded into two scalars:
//   lr·m̂/(√v̂ + ε) = m·(lr·√(1−β2ᵗ)/(1−β1ᵗ)) / (√v + ε·√(1−β2ᵗ))   (the same quantity, rearranged).
import * as tf from '@tensorflow/tfjs-core';
import type { OptimPlan } from '../../compiler/plan.ts';
import type { ParamStore } from './store.ts';
import * as nat from './native.ts';
import { stepScalar } from './graph.ts';

// Flatten / concat / split with the TF ops themselves on tfjs-node (no tfjs bookkeeping per tensor).
const native = () => tf.getBackend() === 'tensorflow';
const flat1 = (t: tf.Tensor) => (native() ? nat.reshape(t, [-1]) : tf.reshape(t, [-1]));
const concat1 = (ts: tf.Tensor[]) => (native() ? nat.concat(ts, 0) : tf.concat(ts));
const split1 = (t: tf.Tensor, sizes: number[]) => (native() ? nat.splitV(t, sizes) : tf.split(t, sizes));
const reshapeTo = (t: tf.Tensor, shape: number[]) => (native() ? nat.reshape(t, shape) : tf.reshape(t, shape));

interface FlatState {
  /** Parameter names (store keys) in vector order. */
  names: string[];
  sizes: number[];
  /** Per element: the weight decay of its parameter (0 where decay does not apply). */
  decay: tf.Tensor;
  m: tf.Variable;
  v: tf.Variable;
  /** The parameters as one vector, valid while every variable still holds what the last update assigned. */
  p: tf.Variable | null;
  assigned: object[];
}

export class Optimizer {
  /** Number of updates applied so far (Adam's t). */
  t = 0;
  /** Per-parameter state: SGD's momentum buffers, and Adam moments loaded from a checkpoint or not yet flattened. */
  private readonly loose = new Map<string, tf.Variable>();
  private flat: FlatState | null = null;
  private stateViews: tf.Tensor[] = [];

  constructor(readonly cfg: Pick<OptimPlan, 'kind' | 'beta1' | 'beta2' | 'eps' | 'weightDecay' | 'momentum'>, readonly store: ParamStore) {}

  private slot(kind: 'm' | 'v', name: string, shape: number[]): tf.Variable {
    const key = `${kind}:${name}`;
    let s = this.loose.get(key);
    if (!s) { s = tf.tidy(() => tf.variable(tf.zeros(shape), false)); this.loose.set(key, s); }
    return s;
  }

  /** Moves the flat moments back to per-parameter slots (before a layout change or a checkpoint load). */
  private unflatten(): void {
    const f = this.flat;
    if (!f) return;
    for (const kind of ['m', 'v'] as const) {
      const parts = tf.split(f[kind], f.sizes);
      parts.forEach((t, i) => {
        const key = `${kind}:${f.names[i]}`;
        this.loose.get(key)?.dispose();
        this.loose.set(key, tf.tidy(() => tf.variable(tf.reshape(t, this.store.info.get(f.names[i])!.shape), false)));
        t.dispose();
      });
    }
    tf.dispose([f.decay, f.m, f.v, ...(f.p ? [f.p] : [])]);
    this.flat = null;
  }

  /** The flat layout for this set of parameters, built from per-parameter slots (zeros where absent). */
  private layout(names: string[]): FlatState {
    if (this.flat && this.flat.names.length === names.length && this.flat.names.every((n, i) => n === names[i])) return this.flat;
    this.unflatten();
    const sizes = names.map((n) => this.store.vars.get(n)!.size);
    const wd = this.cfg.weightDecay;
    const decayValues = new Float32Array(sizes.reduce((a, b) => a + b, 0));
    let o = 0;
    names.forEach((n, i) => { if (this.store.info.get(n)!.decay) decayValues.fill(wd, o, o + sizes[i]); o += sizes[i]; });
    const moment = (kind: 'm' | 'v') => tf.tidy(() => {
      const v = tf.variable(tf.concat(names.map((n) => tf.reshape(this.slot(kind, n, this.store.info.get(n)!.shape), [-1]))), false);
      for (const n of names) { this.loose.get(`${kind}:${n}`)!.dispose(); this.loose.delete(`${kind}:${n}`); }
      return v;
    });
    this.flat = { names, sizes, decay: tf.tensor1d(decayValues), m: moment('m'), v: moment('v'), p: null, assigned: [] };
    return this.flat;
  }

  /** `grads` keyed by tfjs variable name (as tf.variableGrads returns them). */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    this.disposeViews();
    const { kind, beta1: b1, beta2: b2, eps, weightDecay: wd, momentum } = this.cfg;
    if (kind === 'sgd') {
      for (const [name, p] of this.store.vars) {
        const g = grads[p.name];
        if (!g) continue;
        const decay = this.store.info.get(name)!.decay ? wd : 0;
        tf.tidy(() => {
          const buf = this.slot('m', name, p.shape);
          const gg = decay ? tf.add(g, tf.mul(p, decay)) : g;
          const nb = tf.add(tf.mul(buf, momentum), gg);
          buf.assign(nb);
          p.assign(tf.sub(p, tf.mul(nb, stepScalar('lr', lr))));
        });
      }
      return;
    }
    const names = [...this.store.vars].filter(([, p]) => grads[p.name]).map(([n]) => n);
    if (names.length === 0) return;
    const bc1 = 1 - b1 ** this.t, sbc2 = Math.sqrt(1 - b2 ** this.t);
    if (!native()) {
      // wasm/cpu: per tensor. Their kernels dispatch in microseconds, and tfjs-wasm's SplitV of the flat
      // vector back into 66 tensors alone takes ~1 s (measured here), so the flat update does not pay.
      this.unflatten();
      for (const name of names) {
        const p = this.store.vars.get(name)!, g = grads[p.name];
        const decay = this.store.info.get(name)!.decay ? wd : 0;
        tf.tidy(() => {
          const m = this.slot('m', name, p.shape), v = this.slot('v', name, p.shape);
          const gg = kind === 'adam' && decay ? tf.add(g, tf.mul(p, decay)) : g;
          const nm = tf.add(tf.mul(m, b1), tf.mul(gg, 1 - b1));
          const nv = tf.add(tf.mul(v, b2), tf.mul(tf.square(gg), 1 - b2));
          m.assign(nm);
          v.assign(nv);
          const upd = tf.div(tf.mul(nm, lr * sbc2 / bc1), tf.add(tf.sqrt(nv), eps * sbc2));
          const base = kind === 'adamw' && decay ? tf.mul(p, 1 - lr * decay) : p;
          p.assign(tf.sub(base, upd));
        });
      }
      return;
    }
    const f = this.layout(names);
    const vars = names.map((n) => this.store.vars.get(n)!);
    // A variable assigned elsewhere since our last update (resume, init from, a test) invalidates the
    // kept parameter vector; tfjs gives every assignment a new dataId, so identity tells.
    const fresh = f.p !== null && vars.every((v, i) => (v as unknown as { dataId: object }).dataId === f.assigned[i]);
    if (!fresh) {
      f.p?.dispose();
      f.p = tf.tidy(() => tf.variable(concat1(vars.map(flat1)), false));
    }
    const pv = f.p!;
    tf.tidy(() => {
      const g = concat1(vars.map((p) => flat1(grads[p.name])));
      const p = pv as tf.Tensor;
      const gg = kind === 'adam' && wd ? tf.add(g, tf.mul(p, f.decay)) : g;
      const nm = tf.add(tf.mul(f.m, b1), tf.mul(gg, 1 - b1));
      const nv = tf.add(tf.mul(f.v, b2), tf.mul(tf.square(gg), 1 - b2));
      f.m.assign(nm);
      f.v.assign(nv);
      // The lr and step-count factors are step scalars, so a graph-mode trace (graph.ts) feeds them per step.
      const s = this.stepScalars(lr, this.t);
      const upd = tf.div(tf.mul(nm, stepScalar('lr_m', s.lr_m)), tf.add(tf.sqrt(nv), stepScalar('eps_v', s.eps_v)));
      const np = kind === 'adamw' && wd ? tf.sub(tf.sub(p, tf.mul(p, tf.mul(f.decay, stepScalar('lr', s.lr)))), upd) : tf.sub(p, upd);
      pv.assign(np);
      split1(np, f.sizes).forEach((part, i) => vars[i].assign(reshapeTo(part, vars[i].shape)));
    });
    f.assigned = vars.map((v) => (v as unknown as { dataId: object }).dataId);
  }

  /**
   * The host numbers of update number `t` (1-based) at learning rate `lr` that the flat Adam/AdamW update
   * and SGD read as tensors: lr, lr·√(1−β2ᵗ)/(1−β1ᵗ) and ε·√(1−β2ᵗ).
   */
  stepScalars(lr: number, t: number): Record<string, number> {
    const { beta1: b1, beta2: b2, eps } = this.cfg;
    const bc1 = 1 - b1 ** t, sbc2 = Math.sqrt(1 - b2 ** t);
    return this.cfg.kind === 'sgd' ? { lr } : { lr, lr_m: lr * sbc2 / bc1, eps_v: eps * sbc2 };
  }

  /**
   * Before graph mode: the flat layout of `names` and the kept parameter vector exist and match the
   * variables, so every traced step runs the same ops (no first-time layout, no re-concatenation).
   */
  prepareFlat(names: string[]): void {
    if (this.cfg.kind === 'sgd' || !native()) return;
    const f = this.layout(names);
    const vars = names.map((n) => this.store.vars.get(n)!);
    f.p?.dispose();
    f.p = tf.tidy(() => tf.variable(concat1(vars.map(flat1)), false));
    this.markFresh();
  }

  /**
   * The variables and the kept parameter vector were set consistently from outside (a graph-mode step,
   * a restore): what apply would have done besides the arithmetic (state views released, vector fresh).
   */
  markFresh(): void {
    this.disposeViews();
    const f = this.flat;
    if (f) f.assigned = f.names.map((n) => (this.store.vars.get(n)! as unknown as { dataId: object }).dataId);
  }

  private disposeViews(): void {
    tf.dispose(this.stateViews);
    this.stateViews = [];
  }

  /** Named state tensors for checkpoints ('m:<param>', 'v:<param>'); valid until the next apply/state/dispose. */
  state(): Map<string, tf.Tensor> {
    this.disposeViews();
    const out = new Map<string, tf.Tensor>(this.loose);
    const f = this.flat;
    if (f) {
      for (const kind of ['m', 'v'] as const) {
        tf.split(f[kind], f.sizes).forEach((t, i) => {
          const view = tf.reshape(t, this.store.info.get(f.names[i])!.shape);
          t.dispose();
          this.stateViews.push(view);
          out.set(`${kind}:${f.names[i]}`, view);
        });
      }
    }
    return out;
  }

  load(t: number, tensors: Map<string, { shape: number[]; data: Float32Array }>): void {
    this.t = t;
    this.disposeViews();
    this.unflatten();
    for (const [key, { shape, data }] of tensors) {
      const existing = this.loose.get(key);
      if (existing) { tf.tidy(() => existing.assign(tf.tensor(data, shape))); continue; }
      this.loose.set(key, tf.tidy(() => tf.variable(tf.tensor(data, shape), false)));
    }
  }

  dispose(): void {
    this.disposeViews();
    if (this.flat) tf.dispose([this.flat.decay, this.flat.m, this.flat.v, ...(this.flat.p ? [this.flat.p] : [])]);
    this.flat = null;
    for (const s of this.loose.values()) s.dispose();
    this.loose.clear();
  }
}
