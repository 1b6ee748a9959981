// The field table (docs/language.md §5): every key a declaration may set — its type (and so its unit
// and range), resolved default, one-line doc, consequence class, and where it lands in the resolved
// spec. The grammar is generic; this table is what gives `data.shots.length` its meaning.
import type { BackboneSpec, CatalogSpec, OptimSpec, ProbeSpec, SyntheticDubbing } from '../spec.ts';
import {
  bool, enumOf, fraction, INVALID, lang, langSet, list, mismatch, num, quantity, range, string, variant,
  type ValueType,
} from './types.ts';
import { M, diag } from '../messages.ts';

export type Consequence = 'pretrain' | 'probe' | 'none';
export type DeclSchema = 'experiment' | 'backbone' | 'task';

export interface FieldDef {
  /** Surface path as written in .lssd (`data.shots.length`). A trailing `.*` accepts any key below. */
  path: string;
  type: ValueType;
  /** Resolved default (the value used when no declaration in the chain sets the field); undefined = required. */
  default?: unknown;
  /** Default as written in .lssd, for the reference. */
  defaultText?: string;
  doc: string;
  consequence: Consequence;
  /** Where the value lands in the resolved spec (default: `path`). `null`: not stored directly (a rule or a derived field uses it). */
  to?: string | null;
  required?: boolean;
}

// ---- reusable types ------------------------------------------------------------------------------

const int = (min = 0, max?: number, nouns: Parameters<typeof num>[1] = []) => num({ int: true, min, max }, nouns);
const duration = (min = 0, max?: number) => quantity('duration', { min, exclusiveMin: true, max });
const px = quantity('pixels', { min: 1 });

/** `12 epochs` or `20000 steps`. */
const trainLength = (what: string): ValueType<{ epochs: number } | { steps: number }> => ({
  describe: `${what}: a number of \`epochs\` or \`steps\` (e.g. \`12 epochs\`)`,
  units: ['epochs', 'steps'],
  convert(v, ctx, key) {
    if (v.kind === 'Quantity' && (v.unit === 'epochs' || v.unit === 'epoch')) {
      if (!(v.value > 0) && !(what === 'warm-up' && v.value === 0)) {
        ctx.report(diag(M.outOfRange, v.span, `\`${key}\` must be > 0 epochs, got \`${v.text}\``)); return INVALID;
      }
      return { epochs: v.value };
    }
    if (v.kind === 'Quantity' && (v.unit === 'steps' || v.unit === 'step')) {
      if (!Number.isInteger(v.value) || v.value < (what === 'warm-up' ? 0 : 1)) {
        ctx.report(diag(M.outOfRange, v.span, `\`${key}\` must be a whole number of steps${what === 'warm-up' ? '' : ' ≥ 1'}, got \`${v.text}\``)); return INVALID;
      }
      return { steps: v.value };
    }
    if (v.kind === 'Number' || v.kind === 'Quantity') {
      ctx.report(diag(M.unitMismatch, v.span, `\`${key}\` expects a number of epochs or steps, got \`${ctx.text(v.span)}\``,
        { hint: v.kind === 'Number' ? `write \`${v.text} epochs\` or \`${v.text} steps\`` : 'use `epochs` or `steps`' }));
      return INVALID;
    }
    return mismatch(ctx, v, key, 'a number of epochs or steps (e.g. `12 epochs`)');
  },
});

/** A bare identifier or a string, e.g. a task group `sound_scene`. */
const name: ValueType<string> = {
  describe: 'a name (identifier or string)',
  convert(v, ctx, key) {
    if (v.kind === 'IdentValue' || v.kind === 'String') return v.kind === 'String' ? v.value : v.name;
    return mismatch(ctx, v, key, 'a name');
  },
};

// The synthetic corpus's dubbing knobs (paper §6 steps 5–6, §C): see SyntheticDubbing in compiler/spec.ts.
const loudnessMatch = variant<SyntheticDubbing['loudness']>('a loudness treatment', {
  bs1770: {
    shape: { named: { target: quantity('loudness', { min: -70, exclusiveMin: true, max: 0 }) } },
    bare: true,
    build: (a) => ({ method: 'bs1770', target: (a.target as number) ?? -23 }),
  },
  off: { bare: true, build: () => ({ method: 'off' }) },
});
const roomShape = { named: { rt60: quantity('duration', { min: 0.05, max: 5 }), wet: quantity('level', { min: -40, max: 0 }) } };
const room = variant<SyntheticDubbing['room']>('a room', {
  dry: { bare: true, build: () => ({ kind: 'dry' }) },
  gap: { shape: roomShape, bare: true, build: (a) => ({ kind: 'gap', rt60: (a.rt60 as number) ?? 0.5, wet: (a.wet as number) ?? -10 }) },
  shared: { shape: roomShape, bare: true, build: (a) => ({ kind: 'shared', rt60: (a.rt60 as number) ?? 0.5, wet: (a.wet as number) ?? -10 }) },
});
/** `none`, or a strength in [0, 1] (`50%`, `0.5`). */
const strengthOrNone: ValueType<number | null> = {
  describe: '`none` or a strength in [0, 1] (e.g. `0.5`, `50%`)',
  units: ['%'], options: [{ name: 'none', bare: true, call: false }],
  convert(v, ctx, key) {
    if (v.kind === 'None' || (v.kind === 'IdentValue' && v.name === 'none')) return null;
    return fraction().convert(v, ctx, key);
  },
};

const catalog = variant<CatalogSpec>('a catalog', {
  synthetic: {
    shape: {
      named: {
        titles: int(1, 100000, ['titles']), minutes: num({ min: 0, exclusiveMin: true, max: 600 }),
        seed: int(0), languages: list(lang, { minItems: 1, unique: true }),
        // the generator's declared knobs (runtime/media/synth/knobs.ts); defaults are left out of the spec
        language_look: strengthOrNone, content_scene: fraction(), language_voice: fraction(),
        speech_to_bed: quantity('level', { min: -40, max: 40 }),
        dubs: range(int(0, 6)), speakers: int(0, 3),
        // the probe sets' size (not a causal knob: more clips per class narrow the probes' own noise)
        probe_clips: int(5, 10000),
        // the dubbing knobs (§4.7): always in the spec, since their defaults changed the default corpus
        voice_match: bool, loudness: loudnessMatch, eq_match: bool, room,
      },
    },
    bare: true,
    build: (a): CatalogSpec => {
      const dubs = a.dubs as { min: number; max: number } | undefined;
      return {
        kind: 'synthetic', titles: (a.titles as number) ?? 24, minutes_per_title: (a.minutes as number) ?? 1,
        seed: (a.seed as number) ?? 0, languages: (a.languages as string[]) ?? ['en', 'es', 'fr', 'ja', 'de', 'it', 'ko'],
        ...(a.language_look !== undefined && a.language_look !== null ? { language_look: a.language_look as number } : {}),
        ...(a.content_scene !== undefined && a.content_scene !== 0 ? { content_scene: a.content_scene as number } : {}),
        ...(a.language_voice !== undefined && a.language_voice !== 0 ? { language_voice: a.language_voice as number } : {}),
        ...(a.speech_to_bed !== undefined && a.speech_to_bed !== 7 ? { speech_to_bed: a.speech_to_bed as number } : {}),
        ...(dubs && (dubs.min !== 0 || dubs.max !== 6) ? { dubs_per_title: { min: dubs.min, max: dubs.max } } : {}),
        ...(a.speakers !== undefined && a.speakers !== 3 ? { max_speakers: a.speakers as number } : {}),
        ...(a.probe_clips !== undefined && a.probe_clips !== 20 ? { probe_clips: a.probe_clips as number } : {}),
        voice_match: (a.voice_match as boolean) ?? true,
        loudness: (a.loudness as SyntheticDubbing['loudness']) ?? { method: 'bs1770', target: -23 },
        eq_match: (a.eq_match as boolean) ?? true,
        room: (a.room as SyntheticDubbing['room']) ?? { kind: 'gap', rt60: 0.5, wet: -10 },
      };
    },
  },
  index: { shape: { positional: [{ name: 'path', type: string }], required: ['path'] }, build: (a) => ({ kind: 'index', path: a.path as string }) },
  file: { shape: { positional: [{ name: 'path', type: string }], required: ['path'] }, build: (a) => ({ kind: 'file', path: a.path as string }) },
  external: { shape: { positional: [{ name: 'name', type: string }], required: ['name'] }, build: (a) => ({ kind: 'external', name: a.name as string }) },
});

const cutDetection = variant('a cut detector', {
  scene: { shape: { named: { threshold: num({ min: 0, max: 1 }) } }, bare: true, build: (a) => ({ method: 'scene', threshold: (a.threshold as number) ?? 0.3 }) },
  sidecar: { bare: true, build: () => ({ method: 'sidecar', threshold: 0 }) },
});

const budget: ValueType<number | null> = {
  describe: 'a number of shots (e.g. `4.6M shots`) or `all`',
  units: ['shots'], options: [{ name: 'all', bare: true, call: false }],
  convert(v, ctx, key) {
    if ((v.kind === 'IdentValue' && v.name === 'all') || v.kind === 'None') return null;
    return int(1, undefined, ['shots']).convert(v, ctx, key);
  },
};

/** `1/8` (share of the device batch) or `12 per_device`; resolved against per_device later. */
export type SameTitle = { share: number; text: string } | { count: number };
const sameTitle: ValueType<SameTitle> = {
  describe: 'a share of the device batch (`1/8`, `12.5%`) or a count (`12 per_device`)',
  units: ['%', 'per_device'],
  convert(v, ctx, key) {
    if (v.kind === 'Quantity' && v.unit === 'per_device') {
      const c = int(0).convert({ ...v, kind: 'Number', text: String(v.value) }, ctx, key);
      return c === INVALID ? INVALID : { count: c };
    }
    if (v.kind === 'Number' || (v.kind === 'Quantity' && v.unit === '%')) {
      const f = fraction().convert(v, ctx, key);
      return f === INVALID ? INVALID : { share: f, text: ctx.text(v.span) };
    }
    return mismatch(ctx, v, key, sameTitle.describe);
  },
};

const policy = variant('a dub policy', {
  off: { bare: true, build: () => ({ policy: 'off', languages: [] as string[] }) },
  any: { bare: true, build: () => ({ policy: 'any', languages: [] as string[] }) },
  fixed: { shape: { positional: [{ name: 'language', type: lang }], required: ['language'] }, build: (a) => ({ policy: 'fixed', languages: [a.language as string] }) },
  random: { shape: { rest: { name: 'languages', type: lang, min: 1 } }, build: (a) => ({ policy: 'random', languages: a.languages as string[] }) },
  round_robin: { shape: { rest: { name: 'languages', type: lang, min: 1 } }, build: (a) => ({ policy: 'round_robin', languages: a.languages as string[] }) },
});

const primary: ValueType<string> = {
  describe: '`original` or a language code',
  convert(v, ctx, key) {
    if (v.kind === 'IdentValue' && v.name === 'original') return 'original';
    return lang.convert(v, ctx, key);
  },
};

const lr = num({ min: 0, exclusiveMin: true, max: 10 });
const beta = num({ min: 0, max: 1, exclusiveMax: true });
const adamShape = {
  named: {
    lr, weight_decay: num({ min: 0, max: 10 }), beta1: beta, beta2: beta,
    betas: list(beta, { minItems: 2 }), eps: num({ min: 0, exclusiveMin: true, max: 1 }),
  },
};
const adamBuild = (kind: 'adamw' | 'adam', wd: number) => (a: Record<string, unknown>): OptimSpec['optimizer'] => {
  const betas = a.betas as number[] | undefined;
  return {
    kind, lr: (a.lr as number) ?? 1e-3, weight_decay: (a.weight_decay as number) ?? wd,
    beta1: (a.beta1 as number) ?? betas?.[0] ?? 0.9, beta2: (a.beta2 as number) ?? betas?.[1] ?? 0.999,
    eps: (a.eps as number) ?? 1e-8, momentum: 0,
  };
};
const optimizer = variant('an optimizer', {
  adamw: { shape: adamShape, bare: true, build: adamBuild('adamw', 0.01) },
  adam: { shape: adamShape, bare: true, build: adamBuild('adam', 0) },
  sgd: {
    shape: { named: { lr, momentum: num({ min: 0, max: 1, exclusiveMax: true }), weight_decay: num({ min: 0, max: 10 }) } },
    bare: true,
    build: (a) => ({ kind: 'sgd', lr: (a.lr as number) ?? 0.1, weight_decay: (a.weight_decay as number) ?? 0, beta1: 0, beta2: 0, eps: 0, momentum: (a.momentum as number) ?? 0.9 }),
  },
});

const schedule = variant('a learning-rate schedule', {
  warmup_cosine: {
    shape: { named: { warmup: trainLength('warm-up'), min_lr: num({ min: 0 }) } },
    bare: true,
    build: (a) => ({ kind: 'warmup_cosine', warmup: (a.warmup as object) ?? { epochs: 0 }, min_lr: (a.min_lr as number) ?? 0 }),
  },
  cosine: { shape: { named: { min_lr: num({ min: 0 }) } }, bare: true, build: (a) => ({ kind: 'warmup_cosine', warmup: { epochs: 0 }, min_lr: (a.min_lr as number) ?? 0 }) },
  constant: { bare: true, build: () => ({ kind: 'constant', warmup: { epochs: 0 }, min_lr: 0 }) },
});

/** `mvit_s`, or `none` where allowed; resolved through ctx.ref to the backbone's spec. */
const backboneRef = (allowNone: boolean): ValueType<BackboneSpec | null> => ({
  describe: `a backbone name (stdlib/backbones.lssd)${allowNone ? ' or `none`' : ''}`,
  convert(v, ctx, key) {
    if (v.kind === 'None' && allowNone) return null;
    if (v.kind !== 'IdentValue') return mismatch(ctx, v, key, `a backbone name${allowNone ? ' or `none`' : ''}`);
    const r = ctx.ref?.('backbone', v);
    return r === undefined || r === INVALID ? INVALID : (r as BackboneSpec);
  },
});

const taskRef: ValueType<ProbeSpec> = {
  describe: 'a task name (stdlib/tasks.lssd)',
  convert(v, ctx, key) {
    if (v.kind !== 'IdentValue') return mismatch(ctx, v, key, 'a task name');
    const r = ctx.ref?.('task', v);
    return r === undefined || r === INVALID ? INVALID : (r as ProbeSpec);
  },
};

// ---- experiment ----------------------------------------------------------------------------------

const P: Consequence = 'pretrain';
const f = (path: string, type: ValueType, def: unknown, defaultText: string | undefined, doc: string, consequence: Consequence = P, more: Partial<FieldDef> = {}): FieldDef =>
  ({ path, type, default: def, defaultText, doc, consequence, ...more });

export const EXPERIMENT_FIELDS: FieldDef[] = [
  f('label', string, undefined, 'the name', 'Display label in tables, e.g. "A.4".', 'none'),
  f('description', string, undefined, 'the `///` doc comment', 'Free-text description.', 'none'),

  f('data.catalog', catalog, undefined, undefined, 'Where titles come from: `synthetic(titles = 24, minutes = 1, seed = 0, languages = [EN, ES])` (dubbing knobs `voice_match`, `loudness`, `eq_match`, `room`: §4.7), `index("DIR")` (indexed by `lssdc data index`), `file("CATALOG.jsonl")` (a catalog `lssdc data index` wrote), or `external("name")` (paper scale only: `run` refuses).', P, { required: true }),
  f('data.titles.original_language', langSet, { include: 'all', exclude: [] }, 'all', 'Titles whose original language is in this set: `all` (U), `[EN, ES, FR]` (ESF), `all except [EN]` (U\\EN).', P, { to: 'data.filters.original_language' }),
  f('data.titles.dubs', range(int(0), { openHi: true }), { min: 0, max: null }, '0 ..', 'Inclusive bounds on the number of dubs (audio tracks − 1): `1 ..` = at least one dub.', P, { to: 'data.filters.dubs' }),
  f('data.titles.audio_tracks', range(int(1), { openHi: true }), undefined, '= dubs + 1', 'Alternative to `dubs`: bounds on the number of audio tracks (`2 ..` = at least one dub). The later of the two in the extends chain wins.', P, { to: null }),
  f('data.titles.dub_languages', list(lang, { minItems: 1, unique: true }), undefined, 'none', 'Titles with a dub track in every one of these languages (language parity: B.3\'s "EN titles with all of ES, FR, and JA available" is `[ES, FR, JA]`).', P, { to: 'data.filters.dub_languages' }),
  f('data.titles.content', list(enumOf(['movie', 'episode'] as const), { minItems: 1, unique: true }), ['movie', 'episode'], '[movie, episode]', 'Kinds of title admitted.', P, { to: 'data.filters.content' }),
  f('data.shots.length', range(duration(0, 3600)), { min: 3, max: 12 }, '3s .. 12s', 'Shot length bounds; shorter or longer shots are ignored (appendix A).', P, { to: null }),
  f('data.shots.cut_detection', cutDetection, { method: 'scene', threshold: 0.3 }, 'scene(threshold = 0.3)', 'Shot boundary detector: `scene(threshold = …)` (content-based and adaptive: a cut changes the picture 10 × threshold times more than the frames around it; docs/ingest.md) or `sidecar` (boundaries shipped with the media).', P),
  f('data.budget', budget, null, 'all', 'Number of shots to train on (Table 1 "# data"), e.g. `4.6M shots`; `all` = every admitted shot.'),
  f('data.batch.per_device', int(1, 65536), 64, '64', 'Batch size per device (appendix A: 64).'),
  f('data.batch.devices', int(1, 4096), 32, '32', 'Number of devices (appendix A: 32 A100s). Global batch = per_device × devices.'),
  f('data.batch.same_title', sameTitle, { share: 1 / 8, text: '1/8' }, '1/8', 'Same-title groups per device batch: a share (`1/8`: groups of per_device/8) or a count (`12 per_device`: the positive and 12 same-title clips, groups of 13).', P, { to: null }),
  f('data.windows.count', int(2, 2), 2, '2', 'Temporal windows per shot (primary and secondary); always 2.'),
  f('data.windows.length', duration(0, 60), 3, '3s', 'Length of each temporal window.'),
  f('data.expected.avg_dubs', num({ min: 0 }), null, 'none', 'Expected average number of dubs per title (Table 1); checked against the catalog with a warning.', 'none'),
  f('data.expected.shots', int(0, undefined, ['shots']), null, 'none', 'Expected number of admitted shots.', 'none'),

  f('views.video.fps', quantity('fps', { min: 0, exclusiveMin: true, max: 240 }), 25, '25fps', 'Video resampling rate.'),
  f('views.video.frames', int(1, 512, ['frames']), 16, '16', 'Frames sampled uniformly from the window.'),
  f('views.video.scale', range(px), { min: 256, max: 320 }, '256px .. 320px', 'Random short-side scale range before cropping.', P, { to: null }),
  f('views.video.crop', px, 224, '224px', 'Random square crop size.'),
  f('views.video.flip', bool, false, 'false', 'Random horizontal flip.'),
  f('views.audio.sample_rate', quantity('rate', { min: 1000, max: 192000 }), 48000, '48kHz', 'Audio resampling rate (SEP: 44.1kHz).'),
  f('views.audio.n_fft', int(16, 65536, ['samples']), 1024, '1024', 'FFT size of the mel spectrogram.'),
  f('views.audio.hop', int(1, 65536, ['samples']), 501, '501', 'Hop length in samples.'),
  f('views.audio.mels', int(1, 1024, ['bins']), 96, '96', 'Number of mel bins.'),
  f('views.audio.db', bool, true, 'true', 'Convert to the decibel scale.'),
  f('views.audio.time_mask', fraction(), 0.5, '50%', 'Maximum time mask as a share of the time axis.'),
  f('views.audio.freq_mask', fraction(), 0.5, '50%', 'Maximum frequency mask as a share of the mel axis.'),
  f('views.audio.channels', enumOf(['mono', 'pseudo_stereo'] as const), 'mono', 'mono', '`pseudo_stereo` duplicates mono audio to a second channel (B.3.1).'),
  f('views.audio.source', enumOf(['mix', 'speech_removed'] as const), 'mix', 'mix', '`speech_removed`: the SEP baseline (vocals separated out, other stems remixed).'),

  f('dubs.policy', policy, { policy: 'off', languages: [] }, 'off', 'Secondary audio a_s: `off` (same track, second augmentation), `fixed(ES)`, `random(ES, FR)`, `round_robin(ES, FR, JA)`, `any` (any available dub).', P, { to: null }),
  f('dubs.primary', primary, 'original', 'original', 'Language of the primary audio a_p: `original` or a fixed language (controlled setup: EN).'),

  f('model.modality', enumOf(['cross_modal', 'audio_only'] as const), 'cross_modal', 'cross_modal', '`cross_modal` (Eq. 2) or `audio_only` (within-modal audio only: AUD, A+EFJ).'),
  f('model.video', backboneRef(true), undefined, undefined, 'Video backbone (a `backbone` name) or `none` for audio-only models.'),
  f('model.audio', backboneRef(false), undefined, undefined, 'Audio backbone, shared across languages.', P, { required: true }),
  f('model.heads.hidden', list(int(1, 65536)), [2048], '[2048]', 'Hidden widths of the MLP projection heads (`[]` = linear).'),
  f('model.heads.dim', int(1, 65536), 512, '512', 'Embedding dimension of the projection heads (appendix A: 512).'),
  f('model.heads.video_dim', int(1, 65536), undefined, '= dim', 'Video head output dim; must equal `audio_dim` (the contrastive loss compares them).', P, { to: null }),
  f('model.heads.audio_dim', int(1, 65536), undefined, '= dim', 'Audio head output dim; must equal `video_dim`.', P, { to: null }),
  f('model.heads.share_audio', bool, true, 'true', 'One projection head for a_p and a_s (main) or separate heads (B.3: false).'),

  f('loss.kind', enumOf(['nt_xent'] as const), 'nt_xent', 'nt_xent', 'Contrastive loss (NT-Xent, Eq. 1).'),
  f('loss.temperature', num({ min: 0, exclusiveMin: true, max: 10 }), 0.07, '0.07', 'Temperature τ.'),
  f('loss.lambda_v', num({ min: 0, max: 100 }), 0, '0', 'Weight of the within-modal video term L_v (Eq. 3).'),
  f('loss.lambda_a', num({ min: 0, max: 100 }), 0, '0', 'Weight of the within-modal audio term L_a (Eq. 3).'),
  f('loss.track', list(enumOf(['L', 'L_v', 'L_a'] as const), { unique: true }), ['L', 'L_a', 'L_v'], '[L, L_v, L_a]', 'Loss terms computed and logged even when their weight is 0.', 'none'),

  f('optim.optimizer', optimizer, { kind: 'adamw', lr: 3e-4, weight_decay: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0 }, 'adamw(lr = 3e-4, weight_decay = 0.05)', '`adamw(lr, weight_decay, betas = [b1, b2], eps)`, `adam(…)`, `sgd(lr, momentum, weight_decay)`.'),
  f('optim.schedule', schedule, { kind: 'warmup_cosine', warmup: { epochs: 2 }, min_lr: 0 }, 'warmup_cosine(warmup = 2 epochs)', 'Linear warm-up then half-cosine decay (`warmup_cosine(warmup = …, min_lr = …)`), `cosine`, or `constant`.'),
  f('optim.duration', trainLength('training length'), { epochs: 12 }, '12 epochs', 'Training length: `N epochs` over the budget, or `N steps` (to compare variants at equal steps).'),
  f('optim.seed', int(0, 2 ** 31 - 1), 0, '0', 'Random seed (init, sampling, augmentation).'),

  f('probes', list(taskRef, { unique: true }), [], '[]', 'Downstream tasks probed on the frozen encoders (`task` names).', 'probe'),

  f('runtime.backend', enumOf(['auto', 'tensorflow', 'wasm', 'cpu'] as const), 'auto', 'auto', 'tfjs backend.', 'none'),
  f('runtime.checkpoint_every_steps', int(1), 500, '500', 'Checkpoint interval.', 'none'),
  f('runtime.workers', int(0, 256), 0, '0', 'Worker threads (0 = auto).', 'none'),
  f('runtime.log_every_steps', int(1), 10, '10', 'Metric logging interval.', 'none'),
  f('runtime.executor', enumOf(['local', 'slurm'] as const), undefined, 'local', 'Where `lssdc run` executes cells: `local` (this machine) or `slurm` (job arrays; docs/cluster.md). `--executor` overrides it.', 'none'),
  f('runtime.slurm.partition', string, undefined, 'the cluster default', 'SLURM partition (`sbatch --partition`).', 'none'),
  f('runtime.slurm.account', string, undefined, 'none', 'SLURM account (`--account`).', 'none'),
  f('runtime.slurm.qos', string, undefined, 'none', 'SLURM quality of service (`--qos`).', 'none'),
  f('runtime.slurm.cpus_per_task', int(1, 4096), undefined, 'the cluster default', 'CPUs per cell (`--cpus-per-task`).', 'none'),
  f('runtime.slurm.gpus_per_task', int(0, 64), undefined, '0', 'GPUs per cell (`--gpus-per-task`); tfjs uses one device per process.', 'none'),
  f('runtime.slurm.mem', string, undefined, 'the cluster default', 'Memory per cell as sbatch writes it (`--mem`, e.g. "16G").', 'none'),
  f('runtime.slurm.time', duration(0), undefined, 'the partition limit', 'Time limit per cell (`--time`), e.g. `4h`.', 'none'),
  f('runtime.slurm.array_limit', int(1, 100000), undefined, 'unlimited', 'Array tasks of one job array running at once (`--array=…%N`).', 'none'),
  f('runtime.slurm.signal_before', duration(0), undefined, '120s', 'SIGTERM this long before the time limit (`--signal=B:TERM@…`): the cell checkpoints and is requeued.', 'none'),
  f('runtime.slurm.max_requeues', int(0, 1000), undefined, '3', 'How many times a preempted or timed-out cell requeues itself.', 'none'),
  f('runtime.slurm.extra', list(string), undefined, '[]', 'Extra `#SBATCH` lines, verbatim (e.g. `["--constraint=a100"]`).', 'none'),
];

// ---- backbone ------------------------------------------------------------------------------------

const configValue: ValueType<number | string | boolean | number[]> = {
  describe: 'a number, string, boolean or list of numbers',
  convert(v, ctx, key) {
    switch (v.kind) {
      case 'Number': return v.value;
      case 'String': return v.value;
      case 'Bool': return v.value;
      case 'IdentValue': return v.name;
      case 'List': { const l = list(num()).convert(v, ctx, key); return l; }
      default: return mismatch(ctx, v, key, configValue.describe);
    }
  },
};

export const BACKBONE_FIELDS: FieldDef[] = [
  f('modality', enumOf(['video', 'audio'] as const), undefined, undefined, 'Input modality.', P, { required: true }),
  f('family', enumOf(['mvit', 'x3d', 'resnet', 'patch_mlp', 'patch_transformer'] as const), undefined, undefined, 'Architecture family (the runtime builds it from `config`).', P, { required: true }),
  f('output_dim', int(1, 65536), undefined, undefined, 'Width d of the pooled representation.', P, { required: true }),
  f('config.*', configValue, {}, '{}', 'Family-specific hyperparameters (depths, widths, heads, patch sizes…).', P, { to: null }),
  f('published_params', { describe: 'a parameter count (e.g. `34.3M`) or `none`', convert: (v, ctx, key) => (v.kind === 'None' ? null : int(1).convert(v, ctx, key)) }, null, 'none', 'Published parameter count, checked by `show --params`.', 'none'),
];

// ---- task ----------------------------------------------------------------------------------------

const taskSource = variant<ProbeSpec['source']>('a task source', {
  dir: { shape: { positional: [{ name: 'path', type: string }], required: ['path'] }, build: (a) => ({ kind: 'dir', path: a.path as string }) },
  synthetic: {
    shape: { named: { task: enumOf(['scene', 'speaker_count', 'language_id', 'keyword', 'music_speech', 'video_scene', 'video_speakers'] as const) }, required: ['task'] },
    build: (a) => ({ kind: 'synthetic', task: a.task as string }),
  },
  external: { shape: { positional: [{ name: 'name', type: string }], required: ['name'] }, build: (a) => ({ kind: 'external', name: a.name as string }) },
});

export const TASK_FIELDS: FieldDef[] = [
  f('suite', enumOf(['hear', 'lvu', 'hares', 'action', 'vggsound', 'synthetic', 'local'] as const), undefined, undefined, 'Benchmark suite.', 'probe', { required: true }),
  f('source', taskSource, undefined, undefined, 'Task data: `dir("path")` (HEAR format), `synthetic(task = scene)`, or `external("name")`.', 'probe', { required: true }),
  f('modality', enumOf(['audio', 'video', 'audiovisual'] as const), undefined, undefined, 'Which frozen embedding is probed.', 'probe', { required: true }),
  f('group', name, 'other', 'other', 'Report grouping (sound_scene, non_semantic_speech, semantic_speech, language, video…).', 'none'),
  f('prediction', enumOf(['multiclass', 'multilabel'] as const), 'multiclass', 'multiclass', 'Prediction type.', 'probe'),
  // Defaults are hear-eval-kit's (heareval/predictions/task_predictions.py PARAM_GRID, runner.py and score.py
  // at hear-eval-kit 8559649, v2021.1.3); presets in stdlib/tasks.lssd override them for other protocols.
  f('metric', enumOf(['auto', 'top1', 'chroma', 'mAP', 'aucroc', 'd_prime'] as const), 'auto', 'auto',
    'Primary metric (selection, early stopping, the reported value); `auto` = the first of task_metadata.json `evaluation` (the kit\'s rule).', 'probe'),
  f('probe.kind', enumOf(['linear', 'mlp'] as const), 'linear', 'linear', 'Probe architecture.', 'probe'),
  f('probe.hidden', list(list(int(1, 65536))), [[]], '[[]]', 'Grid of hidden-layer widths (each entry a list).', 'probe'),
  f('probe.dropout', list(num({ min: 0, max: 1, exclusiveMax: true }), { minItems: 1 }), [0], '[0]', 'Grid of dropout rates.', 'probe'),
  f('probe.lr', list(num({ min: 0, exclusiveMin: true, max: 10 }), { minItems: 1 }), [1e-3], '[1e-3]', 'Grid of learning rates.', 'probe'),
  f('probe.init', list(enumOf(['xavier_uniform', 'xavier_normal'] as const), { minItems: 1 }), ['xavier_uniform', 'xavier_normal'], '[xavier_uniform, xavier_normal]',
    'Grid of weight initialisations (torch gains: 1 into the first layer, √2 after a ReLU; biases as torch.nn.Linear).', 'probe'),
  f('probe.hidden_norm', enumOf(['batchnorm', 'none'] as const), 'batchnorm', 'batchnorm', 'Normalisation after each hidden linear layer (BatchNorm1d, before dropout and ReLU).', 'probe'),
  f('probe.embedding_norm', enumOf(['identity', 'zscore'] as const), 'identity', 'identity', 'Input embedding normalisation: none (the kit) or z-score with train statistics.', 'probe'),
  f('probe.optimizer', enumOf(['adam', 'sgd'] as const), 'adam', 'adam', 'Probe optimizer.', 'probe'),
  f('probe.epochs', int(1, 100000, ['epochs']), 500, '500', 'Maximum probe training epochs (when `probe.steps` is 0).', 'probe'),
  f('probe.steps', int(0, 100000000, ['steps']), 0, '0', 'Probe step budget; 0 = bounded by `probe.epochs`.', 'probe'),
  f('probe.warmup', int(0, 100000000, ['steps']), 0, '0', 'Linear learning-rate warm-up steps.', 'probe'),
  f('probe.batch', int(1, 1 << 20), 1024, '1024', 'Probe batch size.', 'probe'),
  f('probe.shuffle', bool, false, 'false', 'Reshuffle training rows every epoch (the kit keeps its fixed order).', 'probe'),
  f('probe.val_every', int(1, 100000, ['epochs']), 3, '3', 'Validate every N epochs (check_val_every_n_epoch).', 'probe'),
  f('probe.patience', int(0, 100000), 20, '20', 'Early stopping: validation checks (every `probe.val_every` epochs) without improvement.', 'probe'),
  f('probe.schedule', enumOf(['constant', 'cosine'] as const), 'constant', 'constant', 'Probe learning-rate schedule (after warm-up).', 'probe'),
  f('probe.grid_points', int(0, 100000), 8, '8', 'Grid points drawn from the shuffled grid (0 = all); the kit\'s --grid-points.', 'probe'),
  f('probe.grid_seed', int(0, 4294967295), 42, '42', 'Seed of the grid shuffle (Python `random.seed`, as the kit\'s seed_everything(42)).', 'probe'),
  f('probe.select', enumOf(['first', 'each'] as const), 'first', 'first', 'Grid search on the first split plan, winner reused on the others (`first`, the kit) or on every split (`each`).', 'probe'),
  f('pooling', enumOf(['mean'] as const), 'mean', 'mean', 'Spatio-temporal pooling of backbone outputs.', 'probe'),
  f('window', duration(0, 600), 3, '3s', 'Embedding window length; clip embedding = mean over windows.', 'probe'),
];

export const FIELDS: Record<DeclSchema, FieldDef[]> = { experiment: EXPERIMENT_FIELDS, backbone: BACKBONE_FIELDS, task: TASK_FIELDS };

const byPath: Record<DeclSchema, Map<string, FieldDef>> = {
  experiment: new Map(EXPERIMENT_FIELDS.map((d) => [d.path, d])),
  backbone: new Map(BACKBONE_FIELDS.map((d) => [d.path, d])),
  task: new Map(TASK_FIELDS.map((d) => [d.path, d])),
};

/** The field at `path` (exact, or a `prefix.*` wildcard). */
export function fieldAt(schema: DeclSchema, path: string): FieldDef | undefined {
  const exact = byPath[schema].get(path);
  if (exact) return exact;
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const w = byPath[schema].get(parts.slice(0, i).join('.') + '.*');
    if (w) return w;
  }
  return undefined;
}

/** Section prefixes (`data`, `data.titles`, …) of a schema: keys that open a `{ … }` block. */
export function sectionsOf(schema: DeclSchema): Set<string> {
  const s = new Set<string>();
  for (const d of FIELDS[schema]) {
    const parts = d.path.split('.');
    for (let i = 1; i < parts.length; i++) s.add(parts.slice(0, i).join('.'));
  }
  return s;
}

/** Direct children names of a section prefix ('' = top level), for suggestions. */
export function childrenOf(schema: DeclSchema, prefix: string): string[] {
  const out = new Set<string>();
  for (const d of FIELDS[schema]) {
    if (prefix && !d.path.startsWith(prefix + '.')) continue;
    const rest = prefix ? d.path.slice(prefix.length + 1) : d.path;
    const head = rest.split('.')[0];
    if (head !== '*') out.add(head);
  }
  return [...out];
}
