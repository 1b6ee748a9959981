// Hand-built resolved specs and random-tensor datasets for the training tests (independent of the
// compiler front end and of the media pipeline).
import type { ResolvedSpec, BackboneSpec } from '../../compiler/spec.ts';
import type { Batch, Dataset } from '../../runtime/contracts.ts';
import { mulberry32 } from '../../runtime/train/rng.ts';
import { TEST_BACKEND } from '../backend.ts';
import { DEFAULT_DUBBING } from '../../runtime/media/synth/dubbing.ts';

export const tinyVideo: BackboneSpec = {
  name: 'test_video', modality: 'video', family: 'patch_transformer', output_dim: 32,
  config: { patch: [2, 8, 8], dim: 32, depth: 1, heads: 2, mlp_ratio: 2 }, published_params: null,
};
export const tinyAudio: BackboneSpec = {
  name: 'test_audio', modality: 'audio', family: 'patch_mlp', output_dim: 24,
  config: { patch: [4, 8], dim: 32, depth: 1, mlp_ratio: 2 }, published_params: null,
};

/** A CPU-sized cross-modal spec: video 4×16×16, audio 16 frames × 16 mels, batch 8. */
export function tinySpec(over: Partial<ResolvedSpec> = {}): ResolvedSpec {
  const base: ResolvedSpec = {
    lssd: 1, name: 'tiny', label: 'tiny', description: '', origin: { file: 'test', extends: [] },
    data: {
      catalog: { kind: 'synthetic', titles: 4, minutes_per_title: 1, seed: 0, languages: ['en', 'es'], ...DEFAULT_DUBBING },
      filters: { original_language: { include: 'all', exclude: [] }, dubs: { min: 0, max: null }, content: ['movie', 'episode'] },
      shots: { min_length: 1, max_length: 12, cut_detection: { method: 'scene', threshold: 0.3 } },
      budget: 32, batch: { per_device: 8, devices: 1, same_title_per_device: 2 }, windows: { count: 2, length: 0.5 },
      expected: { shots: null, avg_dubs: null },
    },
    views: {
      video: { fps: 8, frames: 4, scale: { min: 16, max: 20 }, crop: 16, flip: true },
      // 0.5 s at 8 kHz = 4000 samples, n_fft 256, hop 235 → 1 + floor(3744/235) = 16 frames
      audio: { sample_rate: 8000, n_fft: 256, hop: 235, mels: 16, db: true, time_mask: 0.5, freq_mask: 0.5, channels: 'mono', source: 'mix' },
    },
    dubs: { policy: 'any', languages: [], primary: 'original' },
    model: { modality: 'cross_modal', video: tinyVideo, audio: tinyAudio, heads: { hidden: [32], dim: 16, share_audio: true } },
    loss: { kind: 'nt_xent', temperature: 0.1, lambda_v: 0, lambda_a: 0, track: ['L', 'L_v', 'L_a'] },
    optim: {
      optimizer: { kind: 'adamw', lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.05, momentum: 0 },
      schedule: { kind: 'warmup_cosine', warmup: { steps: 2 }, min_lr: 0 }, duration: { steps: 8 }, seed: 7,
    },
    init: { kind: 'random' },
    probes: [],
    runtime: { backend: TEST_BACKEND, checkpoint_every_steps: 3, workers: 0, log_every_steps: 1 },
  };
  return { ...base, ...over };
}

/**
 * A deterministic random dataset: `classes` latent "scenes"; each example's four views are noisy copies
 * of its scene's prototype, so the contrastive task is learnable and the loss visibly falls.
 */
export function randomDataset(spec: ResolvedSpec, opts: { classes?: number; noise?: number; stepsPerEpoch?: number } = {}): Dataset & { calls: number[] } {
  const B = spec.data.batch.per_device * spec.data.batch.devices;
  const v = spec.views.video, a = spec.views.audio;
  const frames = 1 + Math.floor((Math.round(spec.data.windows.length * a.sample_rate) - a.n_fft) / a.hop);
  const vShape: [number, number, number, number] = [v.frames, v.crop, v.crop, 3];
  // Pseudo-stereo: the mono pattern on both channels (channels last), as the sampler builds it.
  const C = a.channels === 'pseudo_stereo' ? 2 : 1;
  const vN = vShape.reduce((x, y) => x * y, 1), aN = frames * a.mels * C;
  const classes = opts.classes ?? 16, noise = opts.noise ?? 0.3;
  const r0 = mulberry32(12345);
  // Each class is a random pattern with period (2, 8, 8) in video and (4, 8) in audio, tiled over the
  // clip: mean pooling over patches keeps it, so the task is learnable by small patch models.
  const protoV = Array.from({ length: classes }, () => {
    const u = Float32Array.from({ length: 2 * 8 * 8 * 3 }, () => r0());
    return Float32Array.from({ length: vN }, (_, k) => {
      const ch = k % 3, w = Math.floor(k / 3) % v.crop, h = Math.floor(k / (3 * v.crop)) % v.crop, t = Math.floor(k / (3 * v.crop * v.crop));
      return u[(((t % 2) * 8 + (h % 8)) * 8 + (w % 8)) * 3 + ch];
    });
  });
  const protoA = Array.from({ length: classes }, () => {
    const u = Float32Array.from({ length: 4 * 8 }, () => r0() * 2 - 1);
    return Float32Array.from({ length: aN }, (_, kc) => { const k = Math.floor(kc / C); return u[((Math.floor(k / a.mels) % 4) * 8) + ((k % a.mels) % 8)]; });
  });
  const calls: number[] = [];
  const cross = spec.model.modality === 'cross_modal';
  return {
    calls,
    titles: [], stats: { titles: classes, shots: classes, avgDubs: 1, shotsDropped: { tooShort: 0, tooLong: 0 } },
    stepsPerEpoch: opts.stepsPerEpoch ?? Math.ceil((spec.data.budget ?? 64) / B),
    async batchAt(step: number): Promise<Batch> {
      calls.push(step);
      const r = mulberry32(1000 + step);
      const pick = Array.from({ length: B }, () => Math.floor(r() * classes));
      const view = (proto: Float32Array[], n: number) => {
        const out = new Float32Array(B * n);
        pick.forEach((c, i) => { for (let k = 0; k < n; k++) out[i * n + k] = proto[c][k] + noise * (r() * 2 - 1); });
        return out;
      };
      return {
        size: B,
        vp: cross ? view(protoV, vN) : null, vs: cross ? view(protoV, vN) : null, videoShape: cross ? [B, ...vShape] : null,
        ap: view(protoA, aN), as: view(protoA, aN), audioShape: [B, frames, a.mels, C],
        title: Int32Array.from(pick), shot: Int32Array.from(pick), langP: pick.map(() => 'en'), langS: pick.map(() => 'es'),
        dubbed: new Uint8Array(B).fill(1),
      };
    },
    async close() {},
  };
}
