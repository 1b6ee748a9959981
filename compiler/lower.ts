// Lowering: ResolvedSpec → Plan (compiler/plan.ts). Pure: resolves every shape, count, step and
// implementation choice the trainer needs, and reports what cannot run (LSSD4xxx). The plan is still
// returned alongside errors about machine size, so `show --params` works for paper-scale experiments.
//
// Audio window frames: the log-mel front end (runtime/media/logmel.ts) uses un-centred frames, so a
// window of n = round(length · sample_rate) samples gives 1 + floor((n − n_fft) / hop) frames
// (1 when n ≤ n_fft). Paper: 3 s at 48 kHz, n_fft 1024, hop 501 → 286 frames × 96 mels.
import type { Diagnostic, Outcome } from './diagnostic.ts';
import { hasErrors } from './diagnostic.ts';
import type { BackboneSpec, ResolvedSpec } from './spec.ts';
import type { HeadPlan, LossTermPlan, OptimPlan, Plan, SchedulePlan, TowerPlan, ViewName } from './plan.ts';
import { PLAN_VERSION } from './plan.ts';
import { ConfigError, FAMILY_KEYS, countBackbone, countHead, referenceCount, resolveConfig } from './params.ts';
import { stageHashes } from './hash.ts';
import { canonicalJson } from './canonical.ts';
import { LOWER } from './messages-runtime.ts';

/** Lowering diagnostics, by the names the lowering code and its tests use (catalog: compiler/messages-runtime.ts). */
export const LowerCodes = {
  IncompatibleInit: LOWER.incompatibleInit.code,
  TooLarge: LOWER.tooLarge.code,
  BadBackboneConfig: LOWER.badBackboneConfig.code,
  ModalityMismatch: LOWER.modalityMismatch.code,
  EmptyLoss: LOWER.emptyLoss.code,
  UnknownInitParent: LOWER.unknownInitParent.code,
  BadBatch: LOWER.badBatch.code,
} as const;

/** Measured tfjs-wasm matmul rate on one core here (GFLOP/s), used for the CPU time estimate. */
export const CPU_GFLOPS = 26;
/** Beyond these a CPU-backend run is refused (LSSD4002): a step would take minutes or memory would not fit. */
export const CPU_LIMITS = { secondsPerStep: 120, memoryBytes: 12 * 2 ** 30 };

export interface LowerProgram {
  /** Every reachable experiment by name (for `init from`). */
  all?: Map<string, ResolvedSpec>;
}

const diag = (code: string, severity: Diagnostic['severity'], message: string, hint?: string): Diagnostic =>
  ({ code, severity, message, related: [], ...(hint ? { hint } : {}) });

/** STFT frames of a window (see the file comment). */
export function audioFrames(length: number, sampleRate: number, nFft: number, hop: number): number {
  const n = Math.round(length * sampleRate);
  return n <= nFft ? 1 : 1 + Math.floor((n - nFft) / hop);
}

/**
 * Per-example tower inputs. Audio is [frames, mels] for mono and [frames, mels, 2] for pseudo-stereo
 * (mono duplicated to a second channel, B.3): a mono tower's input, hence its checkpoint signature, is
 * what it was before batches had a channel axis.
 */
export function inputShapes(spec: ResolvedSpec): { video: [number, number, number, number]; audio: [number, number] | [number, number, number] } {
  const v = spec.views.video, a = spec.views.audio;
  const fm: [number, number] = [audioFrames(spec.data.windows.length, a.sample_rate, a.n_fft, a.hop), a.mels];
  return {
    video: [v.frames, v.crop, v.crop, 3],
    audio: a.channels === 'pseudo_stereo' ? [...fm, 2] : fm,
  };
}

/** Signature a checkpoint's tower must match to be loaded into this tower. */
export function towerSignature(t: Pick<TowerPlan, 'family' | 'backbone' | 'config' | 'input' | 'outputDim'>): string {
  return canonicalJson({ family: t.family, backbone: t.backbone, config: t.config, input: t.input, outputDim: t.outputDim });
}
export function headsSignature(heads: Pick<HeadPlan, 'name' | 'inputDim' | 'layers'>[]): string {
  return canonicalJson(heads.map((h) => ({ name: h.name, inputDim: h.inputDim, layers: h.layers })));
}

/** The schedule in steps for a given epoch length (pure; used by lowering and by the runtime when the budget is open). */
export function scheduleFor(o: Pick<OptimPlan, 'lr' | 'minLr' | 'scheduleKind' | 'warmup' | 'duration'>, stepsPerEpoch: number): SchedulePlan {
  const totalSteps = Math.max(1, 'steps' in o.duration ? o.duration.steps : Math.round(o.duration.epochs * stepsPerEpoch));
  const warm = 'steps' in o.warmup ? o.warmup.steps : Math.round(o.warmup.epochs * stepsPerEpoch);
  return { kind: o.scheduleKind, warmupSteps: Math.min(totalSteps, Math.max(0, warm)), totalSteps, peak: o.lr, min: o.minLr };
}

function lowerTower(b: BackboneSpec, input: number[], ds: Diagnostic[]): TowerPlan | null {
  const unknown = Object.keys(b.config).filter((k) => !FAMILY_KEYS[b.family]?.includes(k));
  if (unknown.length) {
    ds.push(diag(LowerCodes.BadBackboneConfig, 'error', `backbone '${b.name}' (${b.family}) has unknown config key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`,
      `keys of ${b.family}: ${FAMILY_KEYS[b.family].join(', ')}`));
    return null;
  }
  try {
    const config = resolveConfig(b);
    const c = countBackbone(b, input);
    const ref = referenceCount(b);
    return {
      modality: b.modality, backbone: b.name, family: b.family, config, input, outputDim: b.output_dim, params: c.params,
      published: b.published_params != null && ref ? { params: b.published_params, reference: ref.params, variant: ref.variant } : null,
      flopsPerExample: c.flops,
    };
  } catch (e) {
    if (e instanceof ConfigError) {
      ds.push(diag(LowerCodes.BadBackboneConfig, 'error', `backbone '${b.name}': ${e.message}`, `see the ${b.family} keys documented in compiler/params.ts`));
      return null;
    }
    throw e;
  }
}

/** Activation floats per example for the memory estimate (recomputed; params.ts owns the walk). */
function activations(b: BackboneSpec, input: number[]): number {
  try { return countBackbone(b, input).activations; } catch { return 0; }
}

export function lower(spec: ResolvedSpec, program: LowerProgram = {}): Outcome<Plan> {
  const ds: Diagnostic[] = [];
  const shapes = inputShapes(spec);
  const cross = spec.model.modality === 'cross_modal';
  if (cross && !spec.model.video) {
    ds.push(diag(LowerCodes.ModalityMismatch, 'error', `experiment '${spec.name}' is cross_modal but has no video backbone`, 'set `model.video = <backbone>` or `model.modality = audio_only`'));
  }
  if (spec.model.video && spec.model.video.modality !== 'video') {
    ds.push(diag(LowerCodes.ModalityMismatch, 'error', `model.video = '${spec.model.video.name}' is an ${spec.model.video.modality} backbone`));
  }
  if (spec.model.audio.modality !== 'audio') {
    ds.push(diag(LowerCodes.ModalityMismatch, 'error', `model.audio = '${spec.model.audio.name}' is a ${spec.model.audio.modality} backbone`));
  }
  const video = cross && spec.model.video ? lowerTower(spec.model.video, shapes.video, ds) : null;
  const audio = lowerTower(spec.model.audio, shapes.audio, ds);

  // Heads: MLP projection per modality; separate primary/secondary audio heads when share_audio = false (B.3).
  const layers = [...spec.model.heads.hidden, spec.model.heads.dim];
  const heads: HeadPlan[] = [];
  if (cross && spec.model.video) heads.push({ name: 'video', tower: 'video', views: ['v_p', 'v_s'], inputDim: spec.model.video.output_dim, layers, params: countHead(spec.model.video.output_dim, layers) });
  const ad = spec.model.audio.output_dim;
  if (spec.model.heads.share_audio) heads.push({ name: 'audio', tower: 'audio', views: ['a_p', 'a_s'], inputDim: ad, layers, params: countHead(ad, layers) });
  else heads.push(
    { name: 'audio_p', tower: 'audio', views: ['a_p'], inputDim: ad, layers, params: countHead(ad, layers) },
    { name: 'audio_s', tower: 'audio', views: ['a_s'], inputDim: ad, layers, params: countHead(ad, layers) });

  // Loss terms (Eq. 2 and 3).
  const track = new Set(spec.loss.track);
  const terms: LossTermPlan[] = [];
  const term = (name: LossTermPlan['name'], pairs: [ViewName, ViewName][], weight: number) => {
    const optimised = weight > 0;
    if (optimised || track.has(name)) terms.push({ name, pairs, weight, optimised, tracked: true });
  };
  if (cross) {
    term('L', [['v_p', 'a_s'], ['v_s', 'a_p']], 1);
    term('L_v', [['v_p', 'v_s']], spec.loss.lambda_v);
    term('L_a', [['a_p', 'a_s']], spec.loss.lambda_a);
  } else {
    if (spec.loss.lambda_a <= 0) {
      ds.push(diag(LowerCodes.EmptyLoss, 'error', `experiment '${spec.name}' is audio_only, so its loss is L_a alone, but lambda_a = ${spec.loss.lambda_a}`, 'set `loss.lambda_a = 1`'));
    }
    term('L_a', [['a_p', 'a_s']], spec.loss.lambda_a);
  }

  // Batch.
  const b = spec.data.batch;
  const globalBatch = b.per_device * b.devices;
  if (b.per_device < 2) ds.push(diag(LowerCodes.BadBatch, 'error', `batch.per_device = ${b.per_device}: a contrastive batch needs at least 2 examples`));
  if (b.same_title_per_device > b.per_device) ds.push(diag(LowerCodes.BadBatch, 'error', `same_title = ${b.same_title_per_device} per device exceeds batch.per_device = ${b.per_device}`));

  // Optimiser and schedule.
  const o = spec.optim;
  const stepsPerEpoch = spec.data.budget != null ? Math.max(1, Math.ceil(spec.data.budget / globalBatch)) : null;
  const optimBase = {
    lr: o.optimizer.lr, minLr: o.schedule.min_lr, scheduleKind: o.schedule.kind, warmup: o.schedule.warmup, duration: o.duration,
  };
  const needsEpochs = !('steps' in o.duration) || !('steps' in o.schedule.warmup);
  const optim: OptimPlan = {
    kind: o.optimizer.kind, beta1: o.optimizer.beta1, beta2: o.optimizer.beta2, eps: o.optimizer.eps,
    weightDecay: o.optimizer.weight_decay, momentum: o.optimizer.momentum, ...optimBase,
    stepsPerEpoch,
    schedule: stepsPerEpoch != null || !needsEpochs ? scheduleFor(optimBase, stepsPerEpoch ?? 1) : null,
    seed: o.seed,
  };

  // init from: the parent's towers must be the same backbones on the same inputs.
  let init: Plan['init'] = { kind: 'random' };
  const headsSig = headsSignature(heads);
  if (spec.init.kind === 'from') {
    const parent = program.all?.get(spec.init.experiment);
    init = { kind: 'from', experiment: spec.init.experiment, checkpoint: 'final',
      expects: { video: video ? towerSignature(video) : null, audio: audio ? towerSignature(audio) : '', heads: headsSig } };
    if (program.all && !parent) {
      ds.push(diag(LowerCodes.UnknownInitParent, 'error', `init from '${spec.init.experiment}': no such experiment in this program`));
    } else if (parent) {
      const ps = inputShapes(parent);
      const same = (a: BackboneSpec | null, bb: BackboneSpec | null, ia: number[], ib: number[]) => !a || (!!bb && a.name === bb.name && a.family === bb.family
        && a.output_dim === bb.output_dim && canonicalJson(resolveConfig(a)) === canonicalJson(resolveConfig(bb)) && canonicalJson(ia) === canonicalJson(ib));
      const bad: string[] = [];
      if (!same(cross ? spec.model.video : null, parent.model.video, shapes.video, ps.video)) bad.push('video backbone');
      if (!same(spec.model.audio, parent.model.audio, shapes.audio, ps.audio)) bad.push('audio backbone');
      if (parent.model.heads.dim !== spec.model.heads.dim) bad.push(`embedding dim (${parent.model.heads.dim} vs ${spec.model.heads.dim})`);
      if (bad.length) {
        ds.push(diag(LowerCodes.IncompatibleInit, 'error', `init from '${parent.name}': its ${bad.join(', ')} differ${bad.length === 1 ? 's' : ''} from '${spec.name}'`,
          'an initialising experiment must use the same backbones (config and input shape) and embedding dimension'));
      }
    }
  }

  // Estimates.
  const headParams = heads.reduce((s, h) => s + h.params, 0);
  const vParams = video?.params ?? 0, aParams = audio?.params ?? 0;
  const total = vParams + aParams + headParams;
  const fwdPerExample = 2 * (video?.flopsPerExample ?? 0) + 2 * (audio?.flopsPerExample ?? 0) + 2 * 2 * headParams;
  const flopsPerStep = 3 * fwdPerExample * globalBatch;
  const actPerExample = 2 * (cross && spec.model.video ? activations(spec.model.video, shapes.video) : 0) + 2 * activations(spec.model.audio, shapes.audio);
  const memoryBytes = 4 * (4 * total + actPerExample * globalBatch);
  const secondsPerStepCpu = flopsPerStep / (CPU_GFLOPS * 1e9);
  if (spec.runtime.backend !== 'tensorflow' && audio
    && (secondsPerStepCpu > CPU_LIMITS.secondsPerStep || memoryBytes > CPU_LIMITS.memoryBytes)) {
    ds.push(diag(LowerCodes.TooLarge, 'error',
      `experiment '${spec.name}' is too large for CPU training: ${(total / 1e6).toFixed(1)}M parameters, ~${(flopsPerStep / 1e12).toFixed(2)} TFLOP and ~${(memoryBytes / 2 ** 30).toFixed(1)} GiB per step of ${globalBatch} clips (≈${fmtSeconds(secondsPerStepCpu)} per step at ${CPU_GFLOPS} GFLOP/s)`,
      'extend the CPU-sized preset (stdlib/cpu.lssd: backbones cpu_video_s / cpu_audio_s, small batch) to run here, or use --backend tensorflow on a machine with @tensorflow/tfjs-node'));
  }

  if (!video && cross || !audio) return { diagnostics: ds };
  const usesConv = [video, audio].some((t) => t && (t.family === 'mvit' || t.family === 'x3d' || t.family === 'resnet'));
  const usesAttn = [video, audio].some((t) => t && (t.family === 'mvit' || t.family === 'patch_transformer'));
  const native = spec.runtime.backend === 'tensorflow';
  const plan: Plan = {
    plan: PLAN_VERSION,
    experiment: spec.name,
    specHash: stageHashes(spec, (n) => program.all?.get(n)).pretrain,
    modality: spec.model.modality,
    graph: { towers: { video, audio }, heads, embeddingDim: spec.model.heads.dim, loss: { kind: 'nt_xent', temperature: spec.loss.temperature, negatives: 'per_device', terms } },
    optim,
    data: {
      globalBatch, perDevice: b.per_device, devices: b.devices, sameTitlePerDevice: b.same_title_per_device,
      windows: spec.data.windows, budget: spec.data.budget, videoShape: video ? shapes.video : null,
      audioShape: [shapes.audio[0], shapes.audio[1], shapes.audio[2] ?? 1],
    },
    init,
    checkpointEvery: spec.runtime.checkpoint_every_steps,
    logEvery: spec.runtime.log_every_steps,
    workers: spec.runtime.workers,
    backend: {
      preference: spec.runtime.backend,
      impl: native ? { matmul: 'native', conv: 'native', norm: 'native' } : { matmul: 'explicit_transpose', conv: 'patches_matmul', norm: 'elementwise' },
      selftest: ['matmul', 'layer_norm', 'relu', 'mean_pool', 'l2_normalize', 'nt_xent', ...(usesAttn ? ['softmax'] : []), ...(usesConv ? ['conv_patches', 'depthwise_conv', 'max_pool', 'batch_norm'] : [])],
    },
    estimates: { params: { video: vParams, audio: aParams, heads: headParams, total }, flopsPerStep, memoryBytes, secondsPerStepCpu },
  };
  return { value: plan, diagnostics: ds };
}

function fmtSeconds(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** True when the plan can be handed to the runtime (no lowering errors). */
export const runnable = (o: Outcome<Plan>): o is { value: Plan; diagnostics: Diagnostic[] } => !!o.value && !hasErrors(o.diagnostics);
