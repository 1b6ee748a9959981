// The Plan: what the runtime executes for one experiment. Produced by compiler/lower.ts from a checked
// ResolvedSpec; immutable, JSON-serialisable data validated by compiler/plan.schema.json. It is the
// contract between the compiler and runtime/train: every shape, weight, step count and implementation
// choice the trainer needs is resolved here, so the runtime never re-derives them from the spec.
//
// Conventions: shapes are per example (no batch axis), channels last; steps are optimizer steps;
// learning rates are absolute values; counts are integers.

import type { BackboneSpec } from './spec.ts';

export const PLAN_VERSION = 1 as const;

/** Names of the four views of a training instance (v_p, a_p, v_s, a_s) and which tower embeds each. */
export type ViewName = 'v_p' | 'v_s' | 'a_p' | 'a_s';

export interface TowerPlan {
  modality: 'video' | 'audio';
  /** Backbone declaration name (`cpu_video_s`, `mvit_s`, …). */
  backbone: string;
  family: BackboneSpec['family'];
  /** Complete family config: the spec's `config` over the family defaults (see compiler/params.ts). */
  config: Record<string, number | string | boolean | number[]>;
  /** Per-example input: video [frames, crop, crop, 3]; audio [frames, mels] (frames: see lower.ts). */
  input: number[];
  /** Width of the pooled representation (the spec's output_dim). */
  outputDim: number;
  /** Trainable parameters of this backbone as instantiated for `input` (analytic, compiler/params.ts). */
  params: number;
  /** Published parameter count of the reference variant, if declared, and the analytic count of that variant. */
  published: { params: number; reference: number; variant: string } | null;
  /** Forward multiply-accumulates ×2 per example (analytic; backward ≈ 2× forward). */
  flopsPerExample: number;
}

export interface HeadPlan {
  /** 'video', 'audio' (shared between a_p and a_s), or 'audio_p' / 'audio_s' when share_audio = false. */
  name: 'video' | 'audio' | 'audio_p' | 'audio_s';
  tower: 'video' | 'audio';
  /** Views this head projects. */
  views: ViewName[];
  inputDim: number;
  /** Linear layer widths in order: hidden widths (ReLU after each) then the embedding dim. */
  layers: number[];
  params: number;
}

export interface LossTermPlan {
  /** L (Eq. 2), L_v or L_a (Eq. 3). */
  name: 'L' | 'L_v' | 'L_a';
  /** Pairs (x, y) of views whose NT-Xent ℓ(x, y) (Eq. 1) is averaged into this term. */
  pairs: [ViewName, ViewName][];
  /** Weight in the optimised total (1 for L; lambda_v / lambda_a). */
  weight: number;
  /** Contributes to the gradient (weight > 0); otherwise only logged. */
  optimised: boolean;
  /** Computed and logged (optimised terms always are). */
  tracked: boolean;
}

export interface LossPlan {
  kind: 'nt_xent';
  temperature: number;
  /**
   * Negatives are the other examples of the same device batch (`data.perDevice`); the per-instance
   * losses are averaged over the global batch (Eq. 2's sum divided by B, so lr does not scale with B).
   */
  negatives: 'per_device';
  terms: LossTermPlan[];
}

export interface SchedulePlan {
  kind: 'warmup_cosine' | 'constant';
  /** Linear warmup from 0 to `peak` over `warmupSteps`, then half-cosine from `peak` to `min` at `totalSteps`. */
  warmupSteps: number;
  totalSteps: number;
  peak: number;
  min: number;
}

export interface OptimPlan {
  kind: 'adamw' | 'adam' | 'sgd';
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled (AdamW) weight decay; applied to matrices only, not to biases / norm gains / position tables. */
  weightDecay: number;
  momentum: number;
  /** Peak and final learning rate, warmup and duration as declared (for resolving the schedule). */
  lr: number;
  minLr: number;
  scheduleKind: 'warmup_cosine' | 'constant';
  warmup: { epochs: number } | { steps: number };
  duration: { epochs: number } | { steps: number };
  /** ceil(budget / global batch); null when the budget is "every shot" (known only from the dataset). */
  stepsPerEpoch: number | null;
  /** The schedule in steps; null when stepsPerEpoch is null (then `scheduleFor(optim, dataset.stepsPerEpoch)`). */
  schedule: SchedulePlan | null;
  seed: number;
}

export interface DataPlan {
  globalBatch: number;
  perDevice: number;
  devices: number;
  /** Clips per same-title group (the positive and its same-title clips); divides perDevice. */
  sameTitlePerDevice: number;
  windows: { count: 2; length: number };
  budget: number | null;
  /** Per-example input shapes the dataset must deliver. */
  videoShape: [number, number, number, number] | null;
  /** [frames, mels, channels]: channels 1 (mono) or 2 (pseudo-stereo, mono duplicated). */
  audioShape: [number, number, number];
}

export interface InitPlan {
  kind: 'random' | 'from';
  /** For `from`: the parent experiment and what must match for its checkpoint to load. */
  experiment?: string;
  checkpoint?: 'final';
  /** Backbone/heads signature the parent's checkpoint must carry (compared at load time). */
  expects?: { video: string | null; audio: string; heads: string };
}

export interface BackendPlan {
  preference: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /**
   * Implementations chosen for backends with known kernel gaps (tfjs-wasm 4.22): matmul gradients
   * transposing explicitly (transposeA/B is ~10× slower there), convolutions as patches + matmul
   * (Conv3D backprop is silently wrong there), normalisation with elementwise ops (rank-5 BatchNorm fails).
   */
  impl: { matmul: 'explicit_transpose' | 'native'; conv: 'patches_matmul' | 'native'; norm: 'elementwise' | 'native' };
  /** Ops the gradient self-test checks before training. */
  selftest: string[];
}

export interface Estimates {
  params: { video: number; audio: number; heads: number; total: number };
  /** Training FLOPs per optimizer step (forward + backward ≈ 3× forward). */
  flopsPerStep: number;
  /** Rough peak memory in bytes: weights + AdamW state + activations kept for backward. */
  memoryBytes: number;
  /** Seconds per step at the measured wasm matmul rate (26 GFLOP/s per core), a lower bound. */
  secondsPerStepCpu: number;
}

export interface Plan {
  plan: typeof PLAN_VERSION;
  experiment: string;
  /** Pretrain stage hash of the spec (compiler/hash.ts); checkpoints carry it. */
  specHash: string;
  modality: 'cross_modal' | 'audio_only';
  graph: {
    towers: { video: TowerPlan | null; audio: TowerPlan };
    heads: HeadPlan[];
    embeddingDim: number;
    loss: LossPlan;
  };
  optim: OptimPlan;
  data: DataPlan;
  init: InitPlan;
  checkpointEvery: number;
  logEvery: number;
  workers: number;
  backend: BackendPlan;
  estimates: Estimates;
}
