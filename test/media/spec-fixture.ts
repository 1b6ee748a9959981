// A small ResolvedSpec for media tests (the compiler's output shape, written out by hand so these tests do
// not depend on the compiler).
import type { ResolvedSpec } from '../../compiler/spec.ts';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

function merge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (!over) return base;
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    const b = (base as Record<string, unknown>)[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b, v as never) : v;
  }
  return out as T;
}

export function testSpec(catalogPath: string, over?: DeepPartial<ResolvedSpec>): ResolvedSpec {
  const base: ResolvedSpec = {
    lssd: 1, name: 'media_test', label: 'media test', description: '', origin: { file: 'test.lssd', extends: [] },
    data: {
      catalog: { kind: 'index', path: catalogPath },
      filters: { original_language: { include: 'all', exclude: [] }, dubs: { min: 0, max: null }, content: ['movie', 'episode'] },
      shots: { min_length: 3, max_length: 12, cut_detection: { method: 'scene', threshold: 0.3 } },
      budget: null,
      batch: { per_device: 8, devices: 1, same_title_per_device: 2 },
      windows: { count: 2, length: 1.5 },
      expected: { shots: null, avg_dubs: null },
    },
    views: {
      video: { fps: 8, frames: 4, scale: { min: 40, max: 48 }, crop: 32, flip: true },
      audio: { sample_rate: 16000, n_fft: 512, hop: 256, mels: 32, db: true, time_mask: 0.5, freq_mask: 0.5, channels: 'mono', source: 'mix' },
    },
    dubs: { policy: 'any', languages: [], primary: 'original' },
    model: {
      modality: 'cross_modal',
      video: { name: 'v', modality: 'video', family: 'patch_mlp', output_dim: 8, config: {}, published_params: null },
      audio: { name: 'a', modality: 'audio', family: 'patch_mlp', output_dim: 8, config: {}, published_params: null },
      heads: { hidden: [], dim: 8, share_audio: true },
    },
    loss: { kind: 'nt_xent', temperature: 0.07, lambda_v: 0, lambda_a: 0, track: ['L'] },
    optim: {
      optimizer: { kind: 'adamw', lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.05, momentum: 0 },
      schedule: { kind: 'constant', warmup: { steps: 0 }, min_lr: 0 }, duration: { steps: 10 }, seed: 7,
    },
    init: { kind: 'random' }, probes: [],
    runtime: { backend: 'auto', checkpoint_every_steps: 100, workers: 0, log_every_steps: 1 },
  };
  return merge(base, over);
}
