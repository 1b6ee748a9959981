// The training step in graph mode (graph.ts): trace it twice from the same state, at the real lr and
// update count and at perturbed ones (so an undeclared per-step host value shows up as a changed
// constant), restore the state after each trace, compile, and from then on run every step, the
// first included, as one TF_Session call. Because no step's result comes from the eager traces, a
// run resumed from a checkpoint computes every step exactly as the uninterrupted run did.
import * as tf from '@tensorflow/tfjs-core';
import type { Model, Prepared, TermName } from './model.ts';
import type { Optimizer } from './optim.ts';
import { GraphRefusal, GraphStep, traceDifference, traceStep, type Trace } from './graph.ts';

export { GraphRefusal } from './graph.ts';

type Results = Record<string, tf.Tensor>;

/** Loss terms and the optimised total of one step (scalars the caller disposes). */
export interface StepOut { terms: Partial<Record<TermName, tf.Scalar>>; total: tf.Scalar }

const inputsOf = (p: Prepared): Record<string, tf.Tensor> => ({ audio: p.audio, ...(p.video ? { video: p.video } : {}) });

/** The whole step as one function: loss and gradients, the optimiser update, the batch-norm statistics. */
function fullStep(model: Model, optim: Optimizer, trainable: tf.Variable[], p: Prepared, lr: number): Results {
  let terms: Results = {};
  const { value, grads } = tf.variableGrads(() => {
    const l = model.losses(p);
    terms = Object.fromEntries(Object.entries(l.terms).map(([k, v]) => [k, tf.keep(v!)]));
    return l.total;
  }, trainable);
  optim.apply(grads, lr);
  model.store.commitStats();
  tf.dispose(Object.values(grads));
  return { ...terms, total: value };
}

export class GraphTraining {
  private constructor(private readonly model: Model, private readonly optim: Optimizer, private readonly graph: GraphStep) {}

  /** Ops in the compiled step (before Grappler's rewrites). */
  get ops(): number { return this.graph.trace.nodes.length; }

  /** Traces and compiles the step for batches shaped like `p`; throws GraphRefusal when it cannot. */
  static compile(model: Model, optim: Optimizer, trainable: tf.Variable[], p: Prepared, lr: number): GraphTraining {
    optim.prepareFlat([...model.store.vars].filter(([, v]) => trainable.includes(v)).map(([n]) => n));
    const traceAt = (lrAt: number, t: number): Trace => {
      const vars = Object.values((tf.engine() as unknown as { state: { registeredVariables: Record<string, tf.Variable> } }).state.registeredVariables);
      const saved = vars.map((v) => tf.clone(v));
      const t0 = optim.t;
      optim.t = t;
      try {
        const { trace, results } = traceStep(inputsOf(p), () => fullStep(model, optim, trainable, p, lrAt));
        tf.dispose(Object.values(results));
        return trace;
      } finally {
        vars.forEach((v, i) => { if (!v.isDisposed) v.assign(saved[i]); });
        tf.dispose(saved);
        optim.t = t0;
        optim.markFresh();
        model.store.discardStats();
      }
    };
    const a = traceAt(lr, optim.t);
    const b = traceAt(lr * 0.5 + 1e-3, optim.t + 7);
    const diff = traceDifference(a, b);
    if (diff) throw new GraphRefusal('unstable', `two traces of the step differ: ${diff}`);
    return new GraphTraining(model, optim, GraphStep.build(a));
  }

  /** One optimiser step; the state is updated only when the total loss is finite (as in eager mode). */
  step(p: Prepared, lr: number): StepOut & { applied: boolean } {
    const scalars = this.optim.stepScalars(lr, this.optim.t + 1);
    const fed = Object.fromEntries(Object.entries(scalars).map(([k, v]) => [k, tf.scalar(v)]));
    let applied = false;
    try {
      const out = this.graph.run({ ...inputsOf(p), ...fed }, (r) => (applied = Number.isFinite(r.total.dataSync()[0])));
      if (applied) this.optim.t += 1;
      this.optim.markFresh();
      const { total, ...terms } = out;
      return { total: total as tf.Scalar, terms: terms as StepOut['terms'], applied };
    } finally {
      tf.dispose(Object.values(fed));
    }
  }

  dispose(): void { this.graph.dispose(); }
}
