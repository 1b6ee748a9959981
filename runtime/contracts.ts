// Contracts between runtime parts owned by different people. Keep these stable; extend, don't break.
//
//   runtime/media     (ingest, synthetic corpus, features, sampler)   → Dataset, Batch, logMel
//   runtime/train     (backend, models, losses, optimiser, loop, UI)  → Encoder, RunEvent
//   runtime/probes    (HEAR/linear probes, embedding cache)           → ProbeResult
//   runtime/report    (handlebars reports)
//
// Directory layout on disk (all under the project's `.lssd/` unless --data-dir / --runs-dir):
//   .lssd/data/synthetic/<corpusHash>/   generated corpus: titles/*.mkv, truth/*.json, tasks/<task>/ (HEAR format)
//   .lssd/catalogs/<catalogHash>.jsonl    catalog (one CatalogTitle per line)
//   .lssd/features/<featureKey>/          feature cache (keyed by content hash + feature config)
//   .lssd/runs/<pretrainHash12>/          run-store entry, one per pretrain hash (shared across names, labels,
//                                          probes, grid cells): spec.json, plan.json, run.json, metrics.jsonl,
//                                          checkpoints/, probes/<probeHash12>/results.json, refs/, LOCK

import type { ResolvedSpec, Lang, ProbeMetric } from '../compiler/spec.ts';

// ---------------------------------------------------------------------------------------------
// Media / catalog

export interface AudioTrack {
  /** ffprobe stream index. */
  stream: number;
  language: Lang; // ISO 639-1, lowercase ('und' tracks are skipped at ingest with a diagnostic)
  channels: number;
  role: 'original' | 'dub' | 'speech_removed';
}

export interface Shot {
  /** Index within the title. */
  index: number;
  start: number; // s
  end: number; // s
  /** Ground truth where known (synthetic corpus): scene class, speaker count. */
  truth?: { scene?: string; speakers?: number; music?: boolean };
}

export interface CatalogTitle {
  id: string; // stable: content hash prefix
  path: string; // media file
  hash: string; // content hash (sha256 of file bytes, or of size+mtime+head/tail for huge files)
  title: string;
  kind: 'movie' | 'episode';
  duration: number; // s
  originalLanguage: Lang;
  video: { width: number; height: number; fps: number } | null;
  audio: AudioTrack[];
  shots: Shot[];
}

/** Log-mel spectrogram, row-major [frames, mels]. */
export interface LogMel {
  data: Float32Array;
  frames: number;
  mels: number;
}

export interface FeatureConfig {
  fps: number;
  /** Decoded frame size before augmentation: short side in px (the scale range max) and aspect kept by centre-crop to square. */
  size: number;
  sampleRate: number;
  nFft: number;
  hop: number;
  mels: number;
  db: boolean;
}

/** One training example of the paper: two temporal windows of one shot, two audio views. */
export interface Batch {
  size: number; // B
  /** [B, T, H, W, 3] floats in [0,1] (after scale+crop+flip), null for audio-only models. */
  vp: Float32Array | null;
  vs: Float32Array | null;
  videoShape: [number, number, number, number, number] | null;
  /** [B, frames, mels, channels] log-mel (after masking), channels last: 1 (mono) or 2 (pseudo-stereo: mono duplicated). */
  ap: Float32Array;
  as: Float32Array;
  audioShape: [number, number, number, number];
  /** Per example: title index (same value = same-title hard negatives), shot index, languages of a_p/a_s. */
  title: Int32Array;
  shot: Int32Array;
  langP: Lang[];
  langS: Lang[];
  /** 1 where a_s came from a dub (another language), 0 where it fell back to a second augmentation. */
  dubbed: Uint8Array;
}

export interface SamplerStats {
  titles: number;
  shots: number;
  avgDubs: number;
  shotsDropped: { tooShort: number; tooLong: number };
}

export interface Dataset {
  /** Catalog after the spec's filters. */
  titles: CatalogTitle[];
  stats: SamplerStats;
  /**
   * Deterministic batch for a global step: a pure function of (spec seed, step), so a resumed run sees
   * exactly the batches it would have seen. Must be fast enough that training never waits (prefetch inside).
   */
  batchAt(step: number): Promise<Batch>;
  /** Steps per epoch for the spec's budget and batch size. */
  stepsPerEpoch: number;
  /**
   * What the secondary audio views a_s of steps [0, steps) are: from a dub, or a fallback to a second
   * augmentation of the primary track (no eligible dub for the title). Computed from the batch plans
   * (no media read), so it is exact however often the run resumed. Recorded in run.json.
   */
  secondaryViews?(steps: number): SecondaryViews;
  close(): Promise<void>;
}

export interface SecondaryViews {
  policy: 'off' | 'fixed' | 'random' | 'round_robin' | 'any';
  /** Training steps counted, and how many of them were planned (every one up to a cap, then evenly spaced). */
  steps: number;
  sampledSteps: number;
  views: number;
  dubbed: number;
  /** Views with policy ≠ off whose title had no eligible dub (policy off: every view is a second augmentation by design, counted here too). */
  fellBack: number;
  fraction: number;
}

export interface DataEvents {
  onProgress?(e: { phase: 'synth' | 'index' | 'features'; done: number; total: number; detail?: string }): void;
  onWarning?(message: string): void;
}

// runtime/media/ensure.ts exports:
//   ensureDataset(spec: ResolvedSpec, opts: { root: string; events?: DataEvents; batchSize: number }): Promise<Dataset>
// runtime/media/logmel.ts exports:
//   logMel(samples: Float32Array, sampleRate: number, cfg: Pick<FeatureConfig,'nFft'|'hop'|'mels'|'db'>): LogMel
// runtime/media/decode.ts exports:
//   decodeAudio(path: string, opts: { sampleRate: number; stream?: number; start?: number; duration?: number }): Promise<Float32Array>  (mono)

// ---------------------------------------------------------------------------------------------
// Training → probes

/** A frozen, pretrained backbone pair with heads discarded (the paper's evaluation protocol). */
export interface Encoder {
  runDir: string;
  specHash: string;
  audio: {
    dim: number;
    /** Window the backbone was trained on: frames × mels of log-mel input. */
    frames: number;
    mels: number;
    /** Embeds a batch of windows [n, frames, mels] → [n, dim], spatio-temporal mean pooled. */
    embed(windows: Float32Array, n: number): Promise<Float32Array>;
  };
  video: {
    dim: number;
    shape: [number, number, number, number]; // T, H, W, 3
    embed(clips: Float32Array, n: number): Promise<Float32Array>;
  } | null;
  dispose(): void;
}
// runtime/train/encoder.ts exports: loadEncoder(runDir: string): Promise<Encoder>

// ---------------------------------------------------------------------------------------------
// Run events: the UI only displays these (Ink, plain lines, or --json).

export type RunEvent =
  | { type: 'run-start'; name: string; runDir: string; backend: string; seed: number; totalSteps: number; stepsPerEpoch: number; resumedFrom: number | null; specHash: string;
      /** How the backend runs, when there is a choice: wasm's threads and why (runtime/train/backend.ts wasmThreadSummary). */
      backendDetail?: string }
  | { type: 'data-progress'; phase: string; done: number; total: number; detail?: string }
  | { type: 'selftest'; op: string; ok: boolean; maxRelErr: number }
  | { type: 'step'; step: number; epoch: number; loss: { L: number; L_v: number; L_a: number; total: number }; lr: number; clipsPerSec: number; dataWaitMs: number }
  | { type: 'epoch-end'; epoch: number; loss: { L: number; L_v: number; L_a: number; total: number }; seconds: number }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'probe-start'; task: string; n: number }
  | { type: 'probe-end'; task: string; metric: string; value: number; std?: number }
  | { type: 'warning'; message: string }
  | { type: 'run-end'; status: 'done' | 'interrupted' | 'skipped'; seconds: number }
  // Orchestration (runtime/orchestrate): a file's experiments / grid cells, their states, the final table.
  | { type: 'program-start'; file: string; jobs: number; cells: ProgramCell[] }
  | { type: 'cell-state'; name: string; state: CellState; detail?: string }
  | { type: 'diagnostic'; severity: 'error' | 'warning'; code: string; message: string; hint?: string }
  | { type: 'results'; table: ResultsTable };

/** An event tagged with the experiment (cell) it belongs to, so parallel cells' streams can be merged. */
export type TaggedRunEvent = RunEvent & { run?: string };

export type CellState = 'cached' | 'waiting' | 'running' | 'probing' | 'done' | 'skipped' | 'interrupted' | 'failed';

export interface ProgramCell {
  name: string;
  label: string;
  runDir: string;
  /** The `init from` parent this cell waits for, if it is part of this run. */
  after: string | null;
  /** Pretrain hash (first 12 hex digits). */
  hash: string;
  /** Already has results for its stage hashes (nothing to do unless --force). */
  cached: boolean;
}

/** Rows = experiments, columns = probe tasks (grouped as in the paper's tables). */
export interface ResultsTable {
  columns: { task: string; group: string; metric: ProbeMetric }[];
  rows: { name: string; label: string; values: ({ value: number; std: number | null } | null)[] }[];
}

export interface ProbeResult {
  task: string;
  suite: string;
  group: string;
  modality: 'audio' | 'video' | 'audiovisual';
  /** The primary metric (the spec's, or the task metadata's first `evaluation` score). */
  metric: ProbeMetric;
  /** Test metric (mean over folds for k-fold tasks, NaN folds skipped) and sample std across folds, when k-fold. */
  value: number;
  std: number | null;
  /** Every score of the task (the primary and the rest of task_metadata.json `evaluation`), aggregated like `value`. */
  metrics?: Partial<Record<ProbeMetric, { value: number; std: number | null }>>;
  folds: { fold: string; value: number; valid: number; metrics?: Partial<Record<ProbeMetric, number>>; config: Record<string, unknown> }[];
  /** The grid points tried on the first split plan, in the drawn order, with their validation scores. */
  grid?: Record<string, unknown>[];
  n: { train: number; valid: number; test: number };
  seconds: number;
}

export type { ResolvedSpec };
