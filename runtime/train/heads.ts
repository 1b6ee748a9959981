// MLP projection heads (discarded after pretraining): Linear → ReLU for each hidden width, then a linear
// layer to the embedding dim, then L2 normalisation (appendix A: z is L2-normalised before the loss).
import type * as tf from '@tensorflow/tfjs-core';
import type { HeadPlan } from '../../compiler/plan.ts';
import type { ParamStore } from './store.ts';
import { l2Normalize, linear } from './ops.ts';

export interface Head {
  plan: HeadPlan;
  /** [n, inputDim] → [n, dim], unit-norm rows. */
  project(x: tf.Tensor): tf.Tensor;
}

export function buildHead(h: HeadPlan, store: ParamStore): Head {
  const layers: { w: tf.Variable; b: tf.Variable }[] = [];
  let d = h.inputDim;
  h.layers.forEach((w, i) => { layers.push(store.linear(`head/${h.name}/fc${i}`, d, w)); d = w; });
  return {
    plan: h,
    project(x) {
      let y = x;
      layers.forEach((l, i) => { y = linear(y, l, { relu: i < layers.length - 1 }); });
      return l2Normalize(y);
    },
  };
}
