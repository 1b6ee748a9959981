// The trainable model of a Plan: backbone towers, projection heads, and the loss of Eq. 2–3 over the
// four views. Both views of a modality go through their tower in one forward pass of 2B examples
// ([v_p; v_s], [a_p; a_s]): one backbone per modality, shared across views (and languages).
import * as tf from '@tensorflow/tfjs-core';
import type { Plan, ViewName } from '../../compiler/plan.ts';
import type { Batch } from '../contracts.ts';
import { ParamStore } from './store.ts';
import { buildTower, type Tower } from './models/index.ts';
import { buildHead, type Head } from './heads.ts';
import { ntXentGrouped } from './loss.ts';
import { TrainCodes, TrainError } from './errors.ts';

export type TermName = 'L' | 'L_v' | 'L_a';

export interface Prepared {
  n: number;
  /** [v_p; v_s] prepared for the video tower, or null (audio_only). */
  video: tf.Tensor | null;
  /** [a_p; a_s] prepared for the audio tower. */
  audio: tf.Tensor;
}

export interface Model {
  plan: Plan;
  store: ParamStore;
  towers: { video: Tower | null; audio: Tower };
  heads: Head[];
  prepare(b: Batch): Prepared;
  /** Embeddings of the four views (unit norm, [n, dim] each; video views absent for audio_only). */
  embed(p: Prepared): Partial<Record<ViewName, tf.Tensor>>;
  /** Loss terms of the plan and the optimised total. */
  losses(p: Prepared): { total: tf.Scalar; terms: Partial<Record<TermName, tf.Scalar>> };
  dispose(): void;
}

const concat2 = (a: Float32Array, b: Float32Array) => { const o = new Float32Array(a.length + b.length); o.set(a); o.set(b, a.length); return o; };

export function checkBatch(plan: Plan, b: Batch): void {
  const a = plan.data.audioShape;
  if (b.audioShape[1] !== a[0] || b.audioShape[2] !== a[1] || b.audioShape[3] !== a[2]) {
    throw new TrainError(TrainCodes.shapeMismatch, `audio batch is [${b.audioShape}] but the plan expects [B, ${a}]`,
      { hint: 'the dataset and the plan were built from different specs (windows, sample_rate, n_fft, hop, mels or channels)' });
  }
  const v = plan.data.videoShape;
  if (v) {
    if (!b.videoShape || !b.vp || !b.vs) throw new TrainError(TrainCodes.shapeMismatch, 'the model is cross_modal but the batch has no video', { hint: 'the dataset was built for an audio-only spec' });
    if (b.videoShape.slice(1).join(',') !== v.join(',')) throw new TrainError(TrainCodes.shapeMismatch, `video batch is [${b.videoShape}] but the plan expects [B, ${v}]`);
  }
  if (b.size % plan.data.devices !== 0 || b.size < 2) {
    throw new TrainError(TrainCodes.shapeMismatch, `batch of ${b.size} cannot be split into ${plan.data.devices} device batches of ≥ 2`);
  }
}

export function buildModel(plan: Plan, seed = plan.optim.seed): Model {
  const store = new ParamStore(seed);
  const video = plan.graph.towers.video ? buildTower(plan.graph.towers.video, store, 'video') : null;
  const audio = buildTower(plan.graph.towers.audio, store, 'audio');
  const heads = plan.graph.heads.map((h) => buildHead(h, store));
  const groups = plan.data.devices;
  const model: Model = {
    plan, store, towers: { video, audio }, heads,
    prepare(b) {
      const two = (t: Tower, x: Float32Array, y: Float32Array) => (t.prepareParts ? t.prepareParts([x, y], 2 * b.size) : t.prepare(concat2(x, y), 2 * b.size));
      return {
        n: b.size,
        video: video && b.vp && b.vs ? two(video, b.vp, b.vs) : null,
        audio: two(audio, b.ap, b.as),
      };
    },
    embed(p) {
      const z: Partial<Record<ViewName, tf.Tensor>> = {};
      const n = p.n;
      const rep = { video: video && p.video ? video.forward(p.video, 2 * n) : null, audio: audio.forward(p.audio, 2 * n) };
      for (const h of heads) {
        const x = rep[h.plan.tower];
        if (!x) continue;
        if (h.plan.views.length === 2) {
          const [zp, zs] = tf.split(h.project(x), 2, 0);
          z[h.plan.views[0]] = zp; z[h.plan.views[1]] = zs;
        } else {
          const idx = h.plan.views[0] === 'a_p' || h.plan.views[0] === 'v_p' ? 0 : 1;
          z[h.plan.views[0]] = h.project(tf.slice(x, [idx * n, 0], [n, -1]));
        }
      }
      return z;
    },
    losses(p) {
      const z = model.embed(p);
      const terms: Partial<Record<TermName, tf.Scalar>> = {};
      let total: tf.Scalar | null = null;
      for (const t of plan.graph.loss.terms) {
        const parts = t.pairs.map(([x, y]) => ntXentGrouped(z[x]!, z[y]!, plan.graph.loss.temperature, groups));
        const value = (parts.length === 1 ? parts[0] : tf.div(tf.addN(parts), parts.length)) as tf.Scalar;
        terms[t.name] = value;
        if (t.optimised) total = (total ? tf.add(total, tf.mul(value, t.weight)) : tf.mul(value, t.weight)) as tf.Scalar;
      }
      if (!total) throw new TrainError(TrainCodes.badPlan, 'the plan has no optimised loss term');
      return { total, terms };
    },
    dispose() { store.dispose(); },
  };
  return model;
}
