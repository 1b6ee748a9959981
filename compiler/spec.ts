// The resolved spec: the fully resolved experiment (after imports, `extends`, presets and defaults),
// in base units, as plain JSON. It is the contract between the compiler front end and everything after
// it (lowering, diff, hashing, tables, the runtime). Its JSON Schema is compiler/spec.schema.json and
// every resolved spec is validated against it with ajv before leaving the compiler.
//
// Conventions: durations in seconds, rates in Hz, fractions in [0,1] (50% -> 0.5), counts as integers,
// languages as lowercase ISO 639-1 codes ('en'), enum values snake_case. Key order in canonical JSON is
// sorted (see compiler/canonical.ts), so field order in source never changes a hash.
//
// Each leaf's *consequence class* (used by diff/hash) is declared in compiler/schema (the field table):
//   pretrain  — changes the learned weights   (data, views, dubs, model, loss, optim, init, seed)
//   probe     — changes only probe results    (probes)
//   none      — names, labels, docs, expected stats, runtime knobs that do not change results

/**
 * Sections (`data`, `optim`, …) shared between resolved specs whose inputs to them are the same
 * (compiler/resolve.ts builds each once per program): deep-frozen, so immutable by construction.
 * validate.ts validates each one once and hash.ts projects each one once; a later stage that needs a
 * different section replaces it with a copy (copy on write), never writes into it.
 */
export const SHARED_SECTIONS = new WeakSet<object>();

export type Lang = string; // ISO 639-1, lowercase: 'en', 'es', 'fr', 'ja', 'de', 'it', 'ko', …

export interface ResolvedSpec {
  lssd: 1;
  /** Experiment name as declared (`A4`), or a grid cell's generated name. consequence: none */
  name: string;
  /** Display label, e.g. "A.4". consequence: none */
  label: string;
  /** From `///` doc comments. consequence: none */
  description: string;
  /** Provenance: file that declared it, its `extends` chain (nearest first). consequence: none */
  origin: {
    file: string; extends: string[]; grid?: { name: string; axes: Record<string, unknown> };
    /** The scale profile applied (`--profile cpu`): its name and the file declaring it (compiler/profile.ts). */
    profile?: { name: string; file: string };
    /** The experiment named the external catalog `name`, and a binding replaced it: `--catalog` (flag), lssd.project (project) or the profile's stand-in (profile, declared in `file`). */
    catalog?: { name: string; by: 'flag' | 'project' | 'profile'; file?: string };
  };
  data: DataSpec;
  views: ViewsSpec;
  dubs: DubSpec;
  model: ModelSpec;
  loss: LossSpec;
  optim: OptimSpec;
  init: InitSpec;
  probes: ProbeSpec[];
  /** Runtime knobs that never change results. consequence: none */
  runtime: RuntimeSpec;
}

/**
 * The synthetic generator's declared causal knobs (runtime/media/synth/knobs.ts). Each is left out of the
 * spec when it has its default, so catalogs written before the knobs keep their hashes.
 */
export interface SyntheticKnobs {
  /** Language → look: P(a title's colour-grade family is its original language's own), else uniform. Absent = `none` (no families). */
  language_look?: number;
  /** Content → scene: P(a line is about its shot's scene topic), else drawn from the whole bank. Absent = 0. */
  content_scene?: number;
  /** Speech over the reference bed, dB. Absent = 7. */
  speech_to_bed?: number;
  /** Inclusive bounds on dubs per title. Absent = 0 .. 6. */
  dubs_per_title?: { min: number; max: number };
  /** Most speakers in one shot (0–3). Absent = 3. */
  max_speakers?: number;
  /** Language → voice: how much of its language's register (pitch, formants) every voice carries, in [0, 1]. Absent = 0. */
  language_voice?: number;
  /** Probe clips per class of every synthetic probe task (5 folds, so each fold tests a fifth). Absent = 20. */
  probe_clips?: number;
}

export type CatalogSpec =
  /** The embedded synthetic dub corpus, generated on this machine by `lssdc data synth`. */
  | ({ kind: 'synthetic'; titles: number; minutes_per_title: number; seed: number; languages: Lang[] } & SyntheticKnobs & SyntheticDubbing)
  /** A catalog built by `lssdc data index DIR` (path to the directory that was indexed). */
  | { kind: 'index'; path: string }
  /** A catalog file written by `lssdc data index` (JSON Lines, one CatalogTitle per line); its titles are used as they are. */
  | { kind: 'file'; path: string }
  /** A catalog that exists only at paper scale (e.g. the paper's internal movie catalog): check/show/diff/table work, `run` refuses with a clear diagnostic. */
  | { kind: 'external'; name: string };

/**
 * How the synthetic corpus's dubs are made (paper §6 steps 5–6 and the acoustic-context gap of §C).
 * Defaults follow the paper: voices converted to the original actor's, BS.1770 loudness and EQ matched
 * to the original line, a room on the original dialogue that the studio dubs lack.
 */
export interface SyntheticDubbing {
  /** The same character keeps one voice (eSpeak variant, formants, pitch, range, rate) in the original and every dub. Default true. */
  voice_match: boolean;
  /**
   * `bs1770`: the original dialogue stem is levelled to `target` (LUFS, ITU-R BS.1770-4 integrated, gated) and
   * each dub line to its original line's loudness; `off`: every stem keeps eSpeak's own level. Default bs1770, -23 LUFS.
   */
  loudness: { method: 'bs1770'; target: number } | { method: 'off' };
  /** Each dub speaker's long-term spectrum is matched to the original speaker's over a small filter bank. Default true. */
  eq_match: boolean;
  /**
   * Room acoustics on the dialogue: `dry` (none), `gap` (on the original only: the studio dubs lack it, §C),
   * `shared` (on the original and the dubs). `rt60` in seconds, `wet` = reverberant level relative to the dry voice in dB.
   * Default gap, 0.5 s, -10 dB.
   */
  room: { kind: 'dry' } | { kind: 'gap' | 'shared'; rt60: number; wet: number };
}

export interface DataSpec {
  catalog: CatalogSpec;
  filters: {
    /** Titles whose original language is in this set ('all' = the universal set U). */
    original_language: { include: Lang[] | 'all'; exclude: Lang[] };
    /** Inclusive bounds on the number of dubs (audio tracks minus one). */
    dubs: { min: number; max: number | null };
    /** Language parity: only titles with a dub track in every one of these languages (absent: no such filter). */
    dub_languages?: Lang[];
    content: ('movie' | 'episode')[];
  };
  shots: {
    /** Shot length bounds in seconds (paper: 3..12). */
    min_length: number;
    max_length: number;
    cut_detection: { method: 'scene' | 'sidecar'; threshold: number };
  };
  /** Number of shots to train on (Table 1 "# data"); null = every shot the filters admit. */
  budget: number | null;
  batch: {
    per_device: number;
    devices: number;
    /**
     * Clips per same-title group (the positive and its same-title hard negatives); a device batch is
     * per_device / this many groups, each from its own title. Paper: `1/8` of 64 = groups of 8;
     * B.3: `12 per_device` (k = 12 same-movie clips besides the positive) = groups of 13, 26 = 2 × 13.
     * 1 = no same-title sampling.
     */
    same_title_per_device: number;
  };
  /** Two temporal windows per shot (primary, secondary), each `length` seconds. */
  windows: { count: 2; length: number };
  /** Catalog statistics the experiment expects (Table 1 "avg. # dubs"); checked against a real catalog with a warning. consequence: none */
  expected: { shots: number | null; avg_dubs: number | null };
}

export interface ViewsSpec {
  video: {
    fps: number;
    frames: number;
    /** Random short-side scale range in px before the crop (paper: 256..320). */
    scale: { min: number; max: number };
    crop: number;
    flip: boolean;
  };
  audio: {
    sample_rate: number;
    n_fft: number;
    hop: number;
    mels: number;
    db: boolean;
    /** Max time / frequency mask as a fraction of the axis (paper: 0.5). */
    time_mask: number;
    freq_mask: number;
    channels: 'mono' | 'pseudo_stereo';
    /** 'mix' = the soundtrack; 'speech_removed' = the SEP baseline's non-speech stem. */
    source: 'mix' | 'speech_removed';
  };
}

export interface DubSpec {
  /**
   * How the secondary audio a_s is chosen:
   *  off          — same track as a_p, second augmentation (monolingual baseline, "EN")
   *  fixed        — always `languages[0]` ("ES", "FR", "JA")
   *  random       — uniformly from `languages` ∩ available dubs, per sample
   *  round_robin  — cycle through `languages` per batch ("EFJ")
   *  any          — any available dub other than the primary's language (paper main experiments)
   * When no eligible dub exists the sample falls back to a second augmentation of the primary track.
   */
  policy: 'off' | 'fixed' | 'random' | 'round_robin' | 'any';
  languages: Lang[];
  /** Language of the primary track a_p: 'original' or a fixed language (controlled setup: EN). */
  primary: 'original' | Lang;
}

export interface BackboneSpec {
  /** Declared name in stdlib (`mvit_s`, `x3d_m`, `resnet50_audio`, `cpu_video_s`, …). */
  name: string;
  modality: 'video' | 'audio';
  /** Architecture family; the runtime builds it from `config`. */
  family: 'mvit' | 'x3d' | 'resnet' | 'patch_mlp' | 'patch_transformer';
  /** Output width of the pooled backbone representation (d). */
  output_dim: number;
  /** Family-specific hyperparameters (depths, widths, heads, patch sizes…), all numbers/strings/arrays. */
  config: Record<string, number | string | boolean | number[]>;
  /** Published parameter count, if any (checked by `show --params` and a test). */
  published_params: number | null;
}

export interface ModelSpec {
  /** 'cross_modal' (video+audio, Eq. 2) or 'audio_only' (within-modal audio, AUD / A+EFJ). */
  modality: 'cross_modal' | 'audio_only';
  video: BackboneSpec | null;
  audio: BackboneSpec;
  heads: {
    /** Hidden widths of the MLP projection heads (empty = linear). */
    hidden: number[];
    /** Output (embedding) dimension, paper: 512. */
    dim: number;
    /** Share projection-head weights between primary and secondary audio (main: true; B.3 controlled: false). */
    share_audio: boolean;
  };
}

export interface LossSpec {
  kind: 'nt_xent';
  temperature: number;
  /** Within-modal weights (Eq. 3). */
  lambda_v: number;
  lambda_a: number;
  /** Terms computed and logged even when their weight is 0. consequence: none */
  track: ('L' | 'L_v' | 'L_a')[];
}

export interface OptimSpec {
  optimizer: { kind: 'adamw' | 'adam' | 'sgd'; lr: number; beta1: number; beta2: number; eps: number; weight_decay: number; momentum: number };
  schedule: { kind: 'warmup_cosine' | 'constant'; warmup: { epochs: number } | { steps: number }; min_lr: number };
  /** Training length: epochs over `data.budget`, or an explicit step budget (variants compared at equal steps). */
  duration: { epochs: number } | { steps: number };
  seed: number;
}

export type InitSpec =
  | { kind: 'random' }
  /** Another experiment's final checkpoint; `experiment` is its name, `file` where it is declared. */
  | { kind: 'from'; experiment: string; file: string; checkpoint: 'final' };

/** Probe metrics (hear-eval-kit's scene scores): top1_acc, chroma_acc, mAP, aucroc, d_prime. */
export type ProbeMetric = 'top1' | 'chroma' | 'mAP' | 'aucroc' | 'd_prime';

export interface ProbeSpec {
  /** Task name as declared in stdlib/tasks.lssd or the user's files. */
  task: string;
  suite: 'hear' | 'lvu' | 'hares' | 'action' | 'vggsound' | 'synthetic' | 'local';
  /** Where the task's data lives: a HEAR-format directory, a synthetic-corpus task, or only known at paper scale. */
  source: { kind: 'dir'; path: string } | { kind: 'synthetic'; task: string } | { kind: 'external'; name: string };
  /** Which frozen embedding is probed. */
  modality: 'audio' | 'video' | 'audiovisual';
  /** Task grouping for reports (Table 2/B.3): e.g. 'sound_scene', 'non_semantic_speech', 'semantic_speech', 'language', 'video'. */
  group: string;
  prediction: 'multiclass' | 'multilabel';
  /** Primary metric: `auto` = the first of task_metadata.json's `evaluation` (hear-eval-kit's rule), else top1. */
  metric: ProbeMetric | 'auto';
  probe: {
    kind: 'linear' | 'mlp';
    /** Grid of hidden-layer widths (each entry one MLP). */
    hidden: number[][];
    dropout: number[];
    lr: number[];
    /** Grid of weight initialisations (Glorot/Xavier uniform or normal, with torch's relu gains). */
    init: ('xavier_uniform' | 'xavier_normal')[];
    /** Normalisation after each hidden linear layer (before dropout and ReLU, as hear-eval-kit). */
    hidden_norm: 'batchnorm' | 'none';
    /** Normalisation of the input embeddings: `identity` (hear-eval-kit) or z-score with train statistics. */
    embedding_norm: 'identity' | 'zscore';
    optimizer: 'adam' | 'sgd';
    /** Maximum epochs (ignored when `steps` > 0). */
    epochs: number;
    /** Step budget (0 = bounded by `epochs`). */
    steps: number;
    /** Linear warm-up steps before the schedule. */
    warmup: number;
    batch: number;
    /** Shuffle training rows every epoch (hear-eval-kit: no). */
    shuffle: boolean;
    /** Validate every N epochs. */
    val_every: number;
    /** Early stopping: validation checks (every `val_every` epochs) without improvement. */
    patience: number;
    schedule: 'constant' | 'cosine';
    /** Grid points drawn (0 = every point), after shuffling the grid with Python's `random.seed(grid_seed)`. */
    grid_points: number;
    grid_seed: number;
    /** Which split plans search the grid: `first` (hear-eval-kit: the first fold's winner is reused) or `each`. */
    select: 'first' | 'each';
  };
  pooling: 'mean';
  /** Clip windowing for embedding: window length in s (scene-level embedding = mean over windows). */
  window: number;
}

export interface RuntimeSpec {
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  checkpoint_every_steps: number;
  /** Worker threads for towers / cells (0 = auto). */
  workers: number;
  log_every_steps: number;
  /** Where `lssdc run` executes (absent: local). */
  executor?: 'local' | 'slurm';
  /** SLURM settings (absent keys: sbatch's and the cluster's defaults). Durations in seconds. */
  slurm?: SlurmSpec;
}

export interface SlurmSpec {
  partition?: string;
  account?: string;
  qos?: string;
  cpus_per_task?: number;
  gpus_per_task?: number;
  mem?: string;
  time?: number;
  array_limit?: number;
  signal_before?: number;
  max_requeues?: number;
  extra?: string[];
}
