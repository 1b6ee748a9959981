// ensureDataset: spec → catalog (synthetic corpus generated on demand, or an indexed directory) → filters
// → shot bounds → budget → feature cache → sampler. Everything it reports goes through `events`.
import type { CatalogTitle, Dataset, DataEvents, ResolvedSpec, SamplerStats, SecondaryViews } from '../contracts.ts';
import { DataCodes, LssdError } from './errors.ts';
import { extractAll, featureConfig, FeatureReader, windowFrames } from './features.ts';
import { indexDirectory, readCatalog } from './index.ts';
import { dirname } from 'node:path';
import { filterListedTitles, primaryTrackOf } from '../../compiler/feasibility.ts';
import { hashString } from './rng.ts';
import { Sampler, type SamplerTitle, type Track } from './sampler.ts';
import { boundShots } from './shots.ts';
import { inlineSource, workerSource } from './prefetch.ts';

export { LssdError } from './errors.ts';

export interface EnsureOptions {
  /** The `.lssd` directory. */
  root: string;
  events?: DataEvents;
  /** Overrides data.batch.per_device × devices (CPU runs); the same-title share is kept (overrideGroup). */
  batchSize?: number;
}

/** Where a spec's catalog lives, generating the synthetic corpus when needed. */
export async function catalogDir(spec: ResolvedSpec, opts: EnsureOptions): Promise<string> {
  const c = spec.data.catalog;
  if (c.kind === 'external') {
    throw new LssdError(DataCodes.externalCatalog, `catalog '${c.name}' is only available at paper scale`, {
      hint: `run it at CPU scale: \`npx lssdc run ${spec.origin.file} --profile cpu\`; or bind '${c.name}' to a library: \`--catalog ${c.name}=DIR\` or lssd.project (docs/language.md §4.6)`,
    });
  }
  if (c.kind === 'index') return c.path;
  if (c.kind === 'file') return dirname(c.path);
  const synth = await import('./synth/index.ts');
  return synth.ensureSyntheticCorpus(c, { root: opts.root, events: opts.events });
}

export interface FilterReport {
  kept: CatalogTitle[];
  dropped: { language: number; dubs: number; dubLanguages: number; content: number; missingPrimary: number; noSpeechRemoved: number; noVideo: number };
}

const dubCount = (t: CatalogTitle) => t.audio.filter((a) => a.role === 'dub').length;

/** The spec's title filters, in order; counts what each removed. The compiler's feasibility check (`lssdc check` on a bound catalog) runs the same function. */
export function filterTitles(titles: CatalogTitle[], spec: ResolvedSpec): FilterReport {
  return filterListedTitles(titles, spec);
}

/** a_p's track: the speech-removed stem (SEP), the original-language track, or a fixed language's. */
export function primaryTrack(t: CatalogTitle, spec: ResolvedSpec): Track | null {
  return primaryTrackOf(t, spec);
}

/** Tracks eligible as a_s: other languages than a_p's (none for SEP: the paper has no secondary audio there). */
export function dubTracks(t: CatalogTitle, spec: ResolvedSpec, primary: Track): Track[] {
  if (spec.views.audio.source === 'speech_removed') return [];
  return t.audio.filter((a) => a.role !== 'speech_removed' && a.language !== primary.lang).map((a) => ({ stream: a.stream, lang: a.language }));
}

/** Caps the number of shots at `budget` by a content-keyed order: the same catalog gives the same subset whatever the seed. */
export function applyBudget<S extends { index: number }>(titles: { t: CatalogTitle; shots: S[] }[], budget: number | null): { t: CatalogTitle; shots: S[] }[] {
  const total = titles.reduce((a, x) => a + x.shots.length, 0);
  if (budget === null || total <= budget) return titles;
  const all = titles.flatMap((x, ti) => x.shots.map((s) => ({ ti, s, key: hashString(`${x.t.hash}:${s.index}`) })));
  all.sort((a, b) => a.key - b.key || a.ti - b.ti || a.s.index - b.s.index);
  const keep = new Set(all.slice(0, budget).map((x) => `${x.ti}:${x.s.index}`));
  return titles.map((x, ti) => ({ t: x.t, shots: x.shots.filter((s) => keep.has(`${ti}:${s.index}`)) })).filter((x) => x.shots.length > 0);
}

/**
 * Same-title group size for an overridden batch (CPU runs): the spec's share of the device batch,
 * rounded down to a divisor of the new batch so groups still fill it exactly.
 */
export function overrideGroup(batchSize: number, group: number, perDevice: number): number {
  let g = Math.max(1, Math.min(batchSize, Math.round((batchSize * group) / perDevice)));
  while (batchSize % g !== 0) g--;
  return g;
}

/** Planned examples counted exactly up to this many; beyond, evenly spaced steps (paper-scale runs). */
const SECONDARY_PLAN_LIMIT = 1 << 22;

/** Dubbed and fallen-back secondary views of steps [0, steps), from the sampler's plans (pure; no media read). */
export function secondaryViews(sampler: Pick<Sampler, 'plan' | 'cfg'>, policy: SecondaryViews['policy'], steps: number): SecondaryViews {
  const n = Math.max(0, Math.floor(steps));
  const every = Math.max(1, Math.ceil((n * sampler.cfg.batchSize) / SECONDARY_PLAN_LIMIT));
  let views = 0, dubbed = 0, sampled = 0;
  for (let s = 0; s < n; s += every) {
    sampled++;
    for (const e of sampler.plan(s)) { views++; if (e.dubbed) dubbed++; }
  }
  return { policy, steps: n, sampledSteps: sampled, views, dubbed, fellBack: views - dubbed, fraction: views ? (views - dubbed) / views : 0 };
}

function catalogFile(path: string): { titles: CatalogTitle[]; skipped: unknown[]; files: number } {
  let titles: CatalogTitle[];
  try { titles = readCatalog(path); } catch (e) {
    throw new LssdError(DataCodes.badArgument, `cannot read the catalog file ${path}: ${(e as Error).message}`, {
      path, hint: 'a catalog file is the JSON Lines file `lssdc data index DIR` writes under .lssd/catalogs/',
    });
  }
  return { titles, skipped: [], files: titles.length };
}

/** A Dataset plus where its batches are built ('worker' thread or 'inline' on the caller's thread). */
export type MediaDataset = Dataset & { readonly samplerMode: 'worker' | 'inline' };

export async function ensureDataset(spec: ResolvedSpec, opts: EnsureOptions): Promise<MediaDataset> {
  const ev = opts.events;
  const dir = await catalogDir(spec, opts);
  const cd = spec.data.shots.cut_detection;
  const cat = spec.data.catalog;
  // A catalog file (`data.catalog = file(…)`, or a binding to one) is used as written: no re-indexing.
  const idx = cat.kind === 'file' ? catalogFile(cat.path) : await indexDirectory(dir, { root: opts.root, method: cd.method, threshold: cd.threshold, events: ev, bounds: { min: spec.data.shots.min_length, max: spec.data.shots.max_length } });
  if (idx.skipped.length) ev?.onWarning?.(`${idx.skipped.length} of ${idx.files} media files skipped (see the lines above)`);

  const fr = filterTitles(idx.titles, spec);
  const d = fr.dropped;
  const droppedTotal = Object.values(d).reduce((a, b) => a + b, 0);
  if (d.missingPrimary) ev?.onWarning?.(`warning ${DataCodes.missingPrimary}: ${d.missingPrimary} title(s) lack the primary audio '${spec.dubs.primary}' and were filtered out`);
  if (droppedTotal) ev?.onWarning?.(`filters kept ${fr.kept.length} of ${idx.titles.length} titles (dropped: ${Object.entries(d).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ')})`);

  let tooShort = 0, tooLong = 0;
  const bounded = fr.kept.map((t) => {
    const b = boundShots(t.shots, spec.data.shots.min_length, spec.data.shots.max_length);
    tooShort += b.tooShort; tooLong += b.tooLong;
    return { t, shots: b.kept };
  }).filter((x) => x.shots.length > 0);
  const available = bounded.reduce((a, x) => a + x.shots.length, 0);
  const perDevice = spec.data.batch.per_device, devices = spec.data.batch.devices;
  const specBatch = perDevice * devices;
  const batchSize = opts.batchSize ?? specBatch;
  const override = batchSize !== specBatch;
  const sameTitle = override ? overrideGroup(batchSize, spec.data.batch.same_title_per_device, perDevice) : spec.data.batch.same_title_per_device;
  const budgeted = applyBudget(bounded, spec.data.budget);
  // A same-title group takes that many distinct shots of one title; a shorter title gives all it has and
  // the next title drawn completes the group: said once, with the count.
  const short = budgeted.filter((x) => x.shots.length < sameTitle).length;
  if (short > 0 && sameTitle > 1) {
    ev?.onWarning?.(`${short} of ${budgeted.length} title(s) have fewer than ${sameTitle} shots, a same-title group (data.batch.same_title): their groups are completed by other titles`);
  }
  ev?.onProgress?.({ phase: 'index', done: idx.files, total: idx.files,
    detail: `${available} shots within ${spec.data.shots.min_length}..${spec.data.shots.max_length} s (${tooShort} shorter, ${tooLong} longer dropped)${spec.data.budget !== null ? `, budget ${spec.data.budget}` : ''}` });
  if (spec.data.budget !== null && available < spec.data.budget) {
    ev?.onWarning?.(`data.budget is ${spec.data.budget} shots but the catalog has ${available} after filters and bounds; training on all ${available}`);
  }
  if (budgeted.length === 0) {
    throw new LssdError(DataCodes.emptyDataset, `no shots left to train on (${idx.titles.length} titles indexed, ${fr.kept.length} pass the filters, ${tooShort} shots too short, ${tooLong} too long)`,
      { path: dir, hint: 'relax data.filters or data.shots bounds, or index more media' });
  }

  const cfg = featureConfig(spec);
  const video = spec.model.modality === 'cross_modal';
  const ex = await extractAll(budgeted.map((x) => x.t), cfg, { root: opts.root, video, events: ev });
  const okIds = new Map(ex.ok.map((e) => [e.title.id, e]));
  const final = budgeted.filter((x) => okIds.has(x.t.id));
  if (final.length === 0) throw new LssdError(DataCodes.emptyDataset, 'feature extraction failed for every title', { path: dir, hint: 'see the lines above' });

  const readers: FeatureReader[] = [];
  const samplerTitles: SamplerTitle[] = final.map((x, i) => {
    const e = okIds.get(x.t.id)!;
    const reader = new FeatureReader(e.dir, e.meta);
    readers.push(reader);
    const primary = primaryTrack(x.t, spec)!;
    return { index: i, reader, shots: x.shots, primary, dubs: dubTracks(x.t, spec, primary) };
  });

  const v = spec.views.video, a = spec.views.audio;
  const sampler = new Sampler(samplerTitles, {
    seed: spec.optim.seed, batchSize, devices: override ? 1 : devices, sameTitle,
    windowLength: spec.data.windows.length, policy: spec.dubs.policy, languages: spec.dubs.languages,
    video: video ? { fps: v.fps, frames: v.frames, size: cfg.size, scaleMin: v.scale.min, scaleMax: v.scale.max, crop: v.crop, flip: v.flip } : null,
    audio: { frames: windowFrames(cfg, spec.data.windows.length), mels: a.mels, framesPerSecond: a.sample_rate / a.hop, timeMask: a.time_mask, freqMask: a.freq_mask,
      channels: a.channels === 'pseudo_stereo' ? 2 : 1 },
  });

  const titles = final.map((x) => ({ ...x.t, shots: x.shots }));
  const shots = titles.reduce((s, t) => s + t.shots.length, 0);
  const stats: SamplerStats = {
    titles: titles.length, shots,
    avgDubs: titles.reduce((s, t) => s + dubCount(t), 0) / titles.length,
    shotsDropped: { tooShort, tooLong },
  };
  const exp = spec.data.expected;
  if (exp.avg_dubs !== null && Math.abs(stats.avgDubs - exp.avg_dubs) > 0.25 * Math.max(1, exp.avg_dubs)) {
    ev?.onWarning?.(`catalog has ${stats.avgDubs.toFixed(2)} dubs per title on average; the experiment expects ${exp.avg_dubs}`);
  }
  if (exp.shots !== null && Math.abs(shots - exp.shots) > 0.25 * exp.shots) {
    ev?.onWarning?.(`training on ${shots} shots; the experiment expects about ${exp.shots} (data.expected.shots)`);
  }

  // Batches are built in a worker thread, `depth` steps ahead of the trainer (inline fallback, or on
  // request with LSSD_SAMPLER=inline).
  const withDirs = samplerTitles.map((t, i) => { const e = okIds.get(final[i].t.id)!; return { ...t, dir: e.dir, meta: e.meta }; });
  const source = (process.env.LSSD_SAMPLER !== 'inline' && await workerSource(withDirs, sampler.cfg)) || inlineSource(sampler);
  let closed = false;
  return {
    titles, stats, samplerMode: source.mode,
    stepsPerEpoch: Math.max(1, Math.floor(shots / batchSize)),
    secondaryViews: (steps: number) => secondaryViews(sampler, spec.dubs.policy, steps),
    async batchAt(step: number) {
      if (closed) throw new Error('Dataset is closed');
      if (!Number.isInteger(step) || step < 0) throw new RangeError(`batchAt: step must be a non-negative integer, got ${step}`);
      return source.get(step);
    },
    async close() {
      if (closed) return;
      closed = true;
      await source.close();
      for (const r of readers) r.close();
    },
  };
}
