// Hand-built resolved specs for the diff/hash/table tests (independent of the front end, so these tests
// pin the diff semantics even when the parser changes). Values follow the paper's appendix A.
import type { ResolvedSpec } from '../../compiler/spec.ts';

const backbone = (name: string, modality: 'video' | 'audio') => ({
  name, modality, family: 'mvit' as const, output_dim: 768, config: { depth: 16, heads: 1 }, published_params: null,
});

const probe = (task: string) => ({
  task, suite: 'hear' as const, source: { kind: 'external' as const, name: task }, modality: 'audio' as const,
  group: 'sound_scene', prediction: 'multiclass' as const, metric: 'top1' as const,
  probe: { kind: 'mlp' as const, hidden: [[1024]], dropout: [0.1], lr: [1e-3], init: ['xavier_uniform' as const], hidden_norm: 'none' as const, embedding_norm: 'zscore' as const, steps: 0, warmup: 0, shuffle: true, val_every: 1, grid_points: 0, grid_seed: 42, select: 'first' as const, optimizer: 'adam' as const, epochs: 500, batch: 1024, patience: 20, schedule: 'constant' as const },
  pooling: 'mean' as const, window: 3,
});

export function paperSpec(name: string, over: (s: ResolvedSpec) => void = () => {}): ResolvedSpec {
  const s: ResolvedSpec = {
    lssd: 1, name, label: name, description: '', origin: { file: `experiments/${name}.lssd`, extends: ['paper_main'] },
    data: {
      catalog: { kind: 'external', name: 'paper-movies-episodes' },
      filters: { original_language: { include: ['en', 'es', 'fr'], exclude: [] }, dubs: { min: 1, max: null }, content: ['movie', 'episode'] },
      shots: { min_length: 3, max_length: 12, cut_detection: { method: 'scene', threshold: 0.3 } },
      budget: 4_600_000,
      batch: { per_device: 64, devices: 32, same_title_per_device: 8 },
      windows: { count: 2, length: 3 },
      expected: { shots: null, avg_dubs: 2.8 },
    },
    views: {
      video: { fps: 25, frames: 16, scale: { min: 256, max: 320 }, crop: 224, flip: true },
      audio: { sample_rate: 48000, n_fft: 1024, hop: 501, mels: 96, db: true, time_mask: 0.5, freq_mask: 0.5, channels: 'mono', source: 'mix' },
    },
    dubs: { policy: 'off', languages: [], primary: 'original' },
    model: { modality: 'cross_modal', video: backbone('mvit_s', 'video'), audio: backbone('mvit_s_audio', 'audio'), heads: { hidden: [2048], dim: 512, share_audio: true } },
    loss: { kind: 'nt_xent', temperature: 0.07, lambda_v: 0, lambda_a: 0, track: ['L', 'L_v', 'L_a'] },
    optim: {
      optimizer: { kind: 'adamw', lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.05, momentum: 0 },
      schedule: { kind: 'warmup_cosine', warmup: { epochs: 2 }, min_lr: 0 },
      duration: { epochs: 12 }, seed: 0,
    },
    init: { kind: 'random' },
    probes: [probe('esc50'), probe('crema_d'), probe('speech_commands')],
    runtime: { backend: 'auto', checkpoint_every_steps: 500, workers: 0, log_every_steps: 10 },
  };
  over(s);
  return s;
}

export const initFrom = (parent: string) => ({ kind: 'from' as const, experiment: parent, file: `experiments/${parent}.lssd`, checkpoint: 'final' as const });

/** The paper's group A as resolved specs: A1/A2 from scratch, A3/A4 initialised from them with λa = 0.2. */
export function groupA(): ResolvedSpec[] {
  return [
    paperSpec('A1', (s) => { s.label = 'A.1'; }),
    paperSpec('A2', (s) => { s.label = 'A.2'; s.dubs.policy = 'any'; }),
    paperSpec('A3', (s) => { s.label = 'A.3'; s.init = initFrom('A1'); s.loss.lambda_a = 0.2; }),
    paperSpec('A4', (s) => { s.label = 'A.4'; s.dubs.policy = 'any'; s.init = initFrom('A2'); s.loss.lambda_a = 0.2; }),
  ];
}
