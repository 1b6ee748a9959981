// Shared test helpers for probes: a minimal resolved spec, a deterministic fake encoder (random projection
// of each window's mean log-mel), and a writer for small HEAR-format task directories of synthetic tones.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { Encoder } from '../../runtime/contracts.ts';
import type { ProbeSpec, ResolvedSpec } from '../../compiler/spec.ts';
import { rng } from '../../runtime/probes/train-probe.ts';
import { TEST_BACKEND, useTestBackend } from '../backend.ts';
import { DEFAULT_DUBBING } from '../../runtime/media/synth/dubbing.ts';

export async function useBackend(): Promise<void> {
  await useTestBackend();
}

export function probeSpec(over: Partial<ProbeSpec> = {}, probe: Partial<ProbeSpec['probe']> = {}): ProbeSpec {
  return {
    task: 'spoken_digit', suite: 'hear', source: { kind: 'dir', path: 'test/fixtures/hear/spoken_digit-mini' },
    modality: 'audio', group: 'semantic_speech', prediction: 'multiclass', metric: 'top1',
    probe: { kind: 'mlp', hidden: [[], [32]], dropout: [0], lr: [1e-2], init: ['xavier_uniform'], hidden_norm: 'none', embedding_norm: 'zscore', steps: 0, warmup: 0, shuffle: true, val_every: 1, grid_points: 0, grid_seed: 42, select: 'first', optimizer: 'adam', epochs: 60, batch: 32, patience: 10, schedule: 'constant', ...probe },
    pooling: 'mean', window: 0.5, ...over,
  };
}

export function testSpec(probes: ProbeSpec[], seed = 0): ResolvedSpec {
  return {
    lssd: 1, name: 'probe_test', label: 'probe test', description: '', origin: { file: 'test.lssd', extends: [] },
    data: {
      catalog: { kind: 'synthetic', titles: 2, minutes_per_title: 1, seed: 0, languages: ['en', 'es'], ...DEFAULT_DUBBING },
      filters: { original_language: { include: 'all', exclude: [] }, dubs: { min: 0, max: null }, content: ['movie', 'episode'] },
      shots: { min_length: 3, max_length: 12, cut_detection: { method: 'sidecar', threshold: 0.3 } },
      budget: null, batch: { per_device: 8, devices: 1, same_title_per_device: 2 }, windows: { count: 2, length: 1 },
      expected: { shots: null, avg_dubs: null },
    },
    views: {
      video: { fps: 4, frames: 4, scale: { min: 32, max: 40 }, crop: 32, flip: true },
      audio: { sample_rate: 16000, n_fft: 512, hop: 256, mels: 24, db: true, time_mask: 0.5, freq_mask: 0.5, channels: 'mono', source: 'mix' },
    },
    dubs: { policy: 'off', languages: [], primary: 'original' },
    model: {
      modality: 'audio_only', video: null,
      audio: { name: 'fake', modality: 'audio', family: 'patch_mlp', output_dim: 16, config: {}, published_params: null },
      heads: { hidden: [], dim: 16, share_audio: true },
    },
    loss: { kind: 'nt_xent', temperature: 0.1, lambda_v: 0, lambda_a: 0, track: ['L'] },
    optim: {
      optimizer: { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, momentum: 0 },
      schedule: { kind: 'constant', warmup: { steps: 0 }, min_lr: 0 }, duration: { steps: 1 }, seed,
    },
    init: { kind: 'random' }, probes, runtime: { backend: TEST_BACKEND, checkpoint_every_steps: 100, workers: 1, log_every_steps: 10 },
  };
}

/** Fake frozen encoder: each window → mean log-mel over frames → fixed random projection to `dim`. */
export function fakeEncoder(opts: { mels: number; frames?: number; dim?: number; seed?: number; specHash?: string }): Encoder & { calls: number } {
  const { mels, frames = 16, dim = 16 } = opts;
  const r = rng(opts.seed ?? 1);
  const proj = Float32Array.from({ length: mels * dim }, () => r() * 2 - 1);
  const enc = {
    runDir: '/nonexistent', specHash: opts.specHash ?? 'fake-encoder-1', calls: 0,
    audio: {
      dim, frames, mels,
      async embed(x: Float32Array, n: number) {
        enc.calls++;
        if (x.length !== n * frames * mels) throw new Error(`bad window batch ${x.length} for n=${n}`);
        const out = new Float32Array(n * dim);
        for (let i = 0; i < n; i++) {
          const m = new Float32Array(mels);
          for (let f = 0; f < frames; f++) for (let b = 0; b < mels; b++) m[b] += x[(i * frames + f) * mels + b] / frames;
          for (let d = 0; d < dim; d++) { let s = 0; for (let b = 0; b < mels; b++) s += m[b] * proj[b * dim + d]; out[i * dim + d] = s; }
        }
        return out;
      },
    },
    video: null,
    dispose() {},
  };
  return enc;
}

/** 16-bit PCM mono wav bytes. */
export function wavBytes(samples: Float32Array, rate: number): Buffer {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + samples.length * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(samples.length * 2, 40);
  samples.forEach((s, i) => b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(s * 32767))), 44 + i * 2));
  return b;
}

/**
 * A trainvaltest HEAR task of tones: class c is a sine at 300·(c+1) Hz plus noise; `perSplit` clips per class
 * per split. With `shuffleLabels` the label files are permuted (a control no probe should beat chance on).
 */
export function writeToneTask(dir: string, opts: { classes?: number; perSplit?: number; rate?: number; seconds?: number; seed?: number; shuffleLabels?: boolean } = {}): void {
  const { classes = 3, perSplit = 6, rate = 16000, seconds = 0.5, seed = 3 } = opts;
  const r = rng(seed);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'task_metadata.json'), JSON.stringify({ task_name: 'tones', version: '0', embedding_type: 'scene',
    prediction_type: 'multiclass', split_mode: 'trainvaltest', sample_duration: seconds, evaluation: ['top1_acc'] }, null, 1));
  writeFileSync(join(dir, 'labelvocabulary.csv'), ['idx,label', ...Array.from({ length: classes }, (_, c) => `${c},tone_${c}`)].join('\n') + '\n');
  for (const split of ['train', 'valid', 'test']) {
    mkdirSync(join(dir, String(rate), split), { recursive: true });
    const entries: [string, string[]][] = [];
    for (let c = 0; c < classes; c++) {
      for (let k = 0; k < perSplit; k++) {
        const name = `${split}-${c}-${k}.wav`;
        const n = Math.round(rate * seconds);
        const f = 300 * (c + 1) * (1 + 0.03 * (r() - 0.5));
        const x = Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin(2 * Math.PI * f * i / rate) + 0.05 * (r() * 2 - 1));
        writeFileSync(join(dir, String(rate), split, name), wavBytes(x, rate));
        entries.push([name, [`tone_${c}`]]);
      }
    }
    if (opts.shuffleLabels) {
      const labels = entries.map((e) => e[1]);
      for (let i = labels.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [labels[i], labels[j]] = [labels[j], labels[i]]; }
      entries.forEach((e, i) => { e[1] = labels[i]; });
    }
    writeFileSync(join(dir, `${split}.json`), JSON.stringify(Object.fromEntries(entries), null, 1));
  }
}
