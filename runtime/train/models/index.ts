// Tower construction from a TowerPlan. Every family builds its variables into a shared ParamStore under
// a prefix ('video', 'audio'); `forward` returns the pooled representation [n, outputDim].
import type * as tf from '@tensorflow/tfjs-core';
import type { TowerPlan } from '../../../compiler/plan.ts';
import type { ParamStore } from '../store.ts';
import { buildPatchTower } from './patch.ts';
import { buildConvTower } from './conv.ts';
import { buildMvitTower } from './mvit.ts';

export interface Tower {
  plan: TowerPlan;
  /** Raw inputs of n examples (video [n,T,H,W,3], audio [n,frames,mels], row-major) → the tensor `forward` takes. */
  prepare(data: Float32Array, n: number): tf.Tensor;
  /** Optional: the same from consecutive chunks of the examples (the two views), without concatenating them first. */
  prepareParts?(parts: Float32Array[], n: number): tf.Tensor;
  /** → [n, outputDim], mean-pooled over space/time (and output-projected when the family width differs). */
  forward(x: tf.Tensor, n: number): tf.Tensor;
}

export function buildTower(t: TowerPlan, store: ParamStore, prefix: string): Tower {
  switch (t.family) {
    case 'patch_transformer': case 'patch_mlp': return buildPatchTower(t, store, prefix);
    case 'x3d': case 'resnet': return buildConvTower(t, store, prefix);
    case 'mvit': return buildMvitTower(t, store, prefix);
  }
}
