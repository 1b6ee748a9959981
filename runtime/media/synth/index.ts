// The synthetic counterfactual corpus (paper §6, built from parts that run here): titles of shots whose
// scene fixes look and sound bed, characters speaking lines from a parallel sentence bank, dubs that
// re-speak the same lines in other languages in the same slots over the same bed, a speech-removed stem,
// ground truth, and HEAR-format probe tasks. Deterministic from the seed; resumable title by title.
//
//   synthesize(opts)                 → generate (or finish generating) a corpus in opts.outDir
//   ensureSyntheticCorpus(cat, opts) → <root>/data/synthetic/<hash>/, generated on first use
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { DataEvents } from '../../contracts.ts';
import { LANGS, isSynthLang, type SynthLang } from './bank.ts';
import { SCENES } from './scenes.ts';
import { planTitle, titleId } from './plan.ts';
import { DEFAULT_KNOBS, knobProblem, knobsOfCatalog, nonDefaultKnobs, type CatalogKnobFields, type GeneratorKnobs } from './knobs.ts';
import { renderTitle, writeAtomic } from './render.ts';
import { DEFAULT_DUBBING, canonicalDubbing, validateDubbing, type Dubbing } from './dubbing.ts';
import { espeak } from './espeak.ts';
import { startPool } from './pool.ts';
import { AUDIO_TASKS, TASKS, taskDone, writeAudioTask, writeVideoTasks } from './tasks.ts';
import { SynthCodes, synthError, LssdError } from './errors.ts';

/** Bumped whenever output for the same parameters changes (it is part of the corpus hash). */
export const GENERATOR_VERSION = 'lssd-synth/7';
/** Version of the on-disk layout described in corpus.json. */
export const FORMAT_VERSION = 1;
/** Probe clips per class of each synthetic task when neither the catalog (`probe_clips`) nor `--probe-clips` says. */
export const DEFAULT_PROBE_CLIPS = 20;

export { SCENES, LANGS, TASKS, DEFAULT_DUBBING, canonicalDubbing, type Dubbing };

export interface SynthesizeOptions {
  outDir: string;
  /** Number of titles (≥ 1). */
  titles: number;
  /** Length of each title in minutes (> 0; rounded to 0.2 s, at least 3 s). */
  minutesPerTitle: number;
  seed: number;
  /** ISO 639-1 codes, lowercase, from en es fr ja de it ko; the first is the most common original. */
  languages: string[];
  /** Titles (and audio tasks) rendered at once, each in a worker thread of its own (default 2). */
  concurrency?: number;
  /** Probe clips per class (default DEFAULT_PROBE_CLIPS, 20). */
  probeClipsPerClass?: number;
  /** How dubs are made (voice match, loudness, EQ match, room); default DEFAULT_DUBBING, the language's defaults. */
  dubbing?: Dubbing;
  /** The declared confound and size knobs (knobs.ts; default DEFAULT_KNOBS: the corpus as before them). */
  knobs?: GeneratorKnobs;
  onProgress?(e: { done: number; total: number; detail?: string }): void;
  signal?: AbortSignal;
}

export interface CorpusManifest {
  version: number;
  seed: number;
  titles: string[];
  languages: string[];
  scenes: string[];
  complete: boolean;
  generator: string;
  minutesPerTitle: number;
  tasks: string[];
  probeClipsPerClass: number;
  /** The dubbing knobs every title was made with. */
  dubbing: Dubbing;
  /** Every generator knob, defaults included (knobs.ts). Absent in corpora written before the knobs (= defaults). */
  knobs?: GeneratorKnobs;
}

function validate(o: SynthesizeOptions): SynthLang[] {
  const bad = (what: string, got: unknown, hint: string) =>
    synthError(SynthCodes.badArgument, `${what} (got ${JSON.stringify(got)})`, { hint });
  if (!Number.isInteger(o.titles) || o.titles < 1 || o.titles > 100000) throw bad('titles must be a whole number ≥ 1', o.titles, 'e.g. --titles 24');
  if (typeof o.minutesPerTitle !== 'number' || !Number.isFinite(o.minutesPerTitle) || o.minutesPerTitle <= 0 || o.minutesPerTitle > 240) throw bad('minutes per title must be a number in (0, 240]', o.minutesPerTitle, 'e.g. --minutes 1 (0.5 = 30 s)');
  if (!Number.isInteger(o.seed) || o.seed < 0) throw bad('seed must be a whole number ≥ 0', o.seed, 'e.g. --seed 7');
  if (!Array.isArray(o.languages) || o.languages.length === 0) throw bad('at least one language is needed', o.languages, `choose from ${LANGS.join(',')}`);
  const langs = o.languages.map((l) => String(l).trim().toLowerCase());
  for (const l of langs) {
    if (!isSynthLang(l)) throw synthError(SynthCodes.unsupportedLanguage, `the synthetic corpus cannot speak '${l}'`, { hint: `supported languages (ISO 639-1): ${LANGS.join(', ')}` });
  }
  if (new Set(langs).size !== langs.length) throw bad('languages must not repeat', o.languages, 'list each language once');
  const c = o.concurrency ?? 2;
  if (!Number.isInteger(c) || c < 1) throw bad('concurrency must be a whole number ≥ 1', c, 'default 2');
  const p = o.probeClipsPerClass ?? DEFAULT_PROBE_CLIPS;
  if (!Number.isInteger(p) || p < 5) throw bad('probe clips per class must be a whole number ≥ 5 (5 folds)', p, 'default 20');
  validateDubbing(o.dubbing ?? DEFAULT_DUBBING, bad);
  const k = knobProblem(o.knobs ?? DEFAULT_KNOBS);
  if (k) throw bad(k.what, k.got, k.hint);
  return langs as SynthLang[];
}

const doneMarker = (dir: string, id: string) => join(dir, 'state', `${id}.done`);

function titleDone(dir: string, id: string): boolean {
  return existsSync(doneMarker(dir, id)) && existsSync(join(dir, 'titles', `${id}.mkv`)) && existsSync(join(dir, 'truth', `${id}.json`));
}

/** Every title and task present (a complete manifest whose files were deleted is generated again). */
function isComplete(dir: string, ids: string[]): boolean {
  return ids.every((id) => titleDone(dir, id)) && TASKS.every((t) => taskDone(join(dir, 'tasks'), t));
}

function readManifest(dir: string): CorpusManifest | null {
  const p = join(dir, 'corpus.json');
  if (!existsSync(p)) return null;
  try { return JSON.parse(readFileSync(p, 'utf8')) as CorpusManifest; } catch { return null; }
}

/** Same output parameters? (A manifest written by other parameters must not be silently extended.) */
function sameCorpus(m: CorpusManifest, want: CorpusManifest): boolean {
  // a title depends only on (seed, index, minutes, languages): a corpus may grow by more titles, never shrink
  const grows = Array.isArray(m.titles) && m.titles.length <= want.titles.length && m.titles.every((id, i) => want.titles[i] === id);
  return m.seed === want.seed && m.generator === want.generator && m.minutesPerTitle === want.minutesPerTitle &&
    JSON.stringify(m.languages) === JSON.stringify(want.languages) && grows && m.probeClipsPerClass === want.probeClipsPerClass &&
    JSON.stringify({ ...DEFAULT_KNOBS, ...m.knobs }) === JSON.stringify({ ...DEFAULT_KNOBS, ...want.knobs }) &&
    JSON.stringify(m.dubbing) === JSON.stringify(want.dubbing);
}

const pidAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; } };

/** Takes `<dir>/LOCK` (pid); waits while another live process holds it. Returns the release function. */
async function lock(dir: string, signal?: AbortSignal): Promise<() => void> {
  const p = join(dir, 'LOCK');
  for (;;) {
    try {
      writeFileSync(p, String(process.pid), { flag: 'wx' });
      return () => rmSync(p, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw synthError(SynthCodes.corpusConflict, `cannot write the corpus directory: ${(e as Error).message}`, { path: dir });
      const holder = Number(readFileSync(p, 'utf8').trim());
      if (!Number.isInteger(holder) || holder <= 0 || holder === process.pid || !pidAlive(holder)) { rmSync(p, { force: true }); continue; }
      if (signal?.aborted) throw synthError(SynthCodes.interrupted, 'interrupted while waiting for another generator', { path: dir });
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
}

/** Generates (or completes) a corpus in `opts.outDir`; titles already marked done are skipped. */
export async function synthesize(opts: SynthesizeOptions): Promise<{ dir: string; titles: number; seconds: number }> {
  const t0 = Date.now();
  const languages = validate(opts);
  const dir = resolve(opts.outDir);
  const perClass = opts.probeClipsPerClass ?? DEFAULT_PROBE_CLIPS;
  const dubbing = canonicalDubbing(opts.dubbing ?? DEFAULT_DUBBING);
  const ids = Array.from({ length: opts.titles }, (_, i) => titleId(i));
  const knobs = opts.knobs ?? DEFAULT_KNOBS;
  const want: CorpusManifest = {
    version: FORMAT_VERSION, seed: opts.seed, titles: ids, languages, scenes: [...SCENES], complete: false,
    generator: GENERATOR_VERSION, minutesPerTitle: opts.minutesPerTitle, tasks: [...TASKS], probeClipsPerClass: perClass,
    knobs: { ...knobs, dubs: { ...knobs.dubs } }, dubbing,
  };
  try {
    for (const d of ['titles', 'truth', 'tasks', 'state', 'work']) mkdirSync(join(dir, d), { recursive: true });
  } catch (e) {
    throw synthError(SynthCodes.corpusConflict, `cannot create the corpus directory: ${(e as Error).message}`, { path: dir, hint: 'choose another --out' });
  }
  const release = await lock(dir, opts.signal);
  try {
    const existing = readManifest(dir);
    if (existing && !sameCorpus(existing, want)) {
      throw synthError(SynthCodes.corpusConflict, `the directory holds a corpus generated with other parameters (seed ${existing.seed}, ${existing.titles?.length} titles, ${existing.minutesPerTitle} min, ${existing.languages?.join(',')}, ${existing.generator}${existing.dubbing ? `, dubbing ${JSON.stringify(existing.dubbing)}` : ''})`, {
        path: dir, hint: 'use another --out, or delete the directory to regenerate',
      });
    }
    if (existing?.complete && isComplete(dir, ids)) return { dir, titles: ids.length, seconds: (Date.now() - t0) / 1000 };
    writeAtomic(join(dir, 'corpus.json'), JSON.stringify(want, null, 1) + '\n');
    await espeak(); // fail early (LSSD5020) rather than after the first title's bed
    // leftovers of a killed run: half-written media, staged task directories, per-title work dirs
    for (const f of readdirSync(join(dir, 'titles'))) if (/\.tmp-\d+/.test(f)) rmSync(join(dir, 'titles', f), { force: true });
    for (const f of readdirSync(join(dir, 'tasks'))) if (f.startsWith('.')) rmSync(join(dir, 'tasks', f), { recursive: true, force: true });
    rmSync(join(dir, 'work'), { recursive: true, force: true });
    mkdirSync(join(dir, 'work'));

    const todo = ids.map((id, index) => ({ id, index })).filter(({ id }) => !titleDone(dir, id));
    const tasksTodo = TASKS.filter((t) => !taskDone(join(dir, 'tasks'), t));
    const videoTodo = tasksTodo.some((t) => t.startsWith('video_'));
    const total = ids.length + AUDIO_TASKS.length + 1;
    let done = ids.length - todo.length + (AUDIO_TASKS.length - tasksTodo.filter((t) => !t.startsWith('video_')).length) + (videoTodo ? 0 : 1);
    const progress = (detail: string) => opts.onProgress?.({ done, total, detail });
    progress(todo.length === ids.length ? `rendering ${ids.length} titles`
      : todo.length ? `resuming: ${ids.length - todo.length} of ${ids.length} titles done` : 'titles done');

    // Titles and audio tasks (JS) run on a pool of worker threads, the video tasks (ffmpeg) beside them.
    const pool = await startPool(Math.min(opts.concurrency ?? 2, Math.max(1, todo.length + tasksTodo.length)), opts.signal);
    if (pool.why) progress(pool.why);
    try {
      // Fixed lanes, in order (pool.ts: eSpeak's output depends on what its thread spoke before).
      const titles = Promise.all(todo.map(async ({ id, index }, k) => {
        const plan = planTitle({ seed: opts.seed, index, minutesPerTitle: opts.minutesPerTitle, languages, knobs, voiceMatch: dubbing.voice_match });
        await pool.run({ kind: 'title', plan, opts: { seed: opts.seed, outDir: dir, workDir: join(dir, 'work'), knobs, dubbing } }, k);
        writeAtomic(doneMarker(dir, id), `${GENERATOR_VERSION}\n`);
        done++;
        progress(`${id} ${plan.originalLanguage}${plan.dubs.length ? '+' + plan.dubs.join('+') : ''} ${plan.shots.length} shots`);
      }));
      await titles.catch((e) => { pool.abort(); throw e; });

      const taskOpts = { seed: opts.seed, languages, perClass, languageVoice: knobs.languageVoice };
      const tasksDir = join(dir, 'tasks');
      // the video clips (ffmpeg) render while the audio clips (JS) are synthesised
      const video = videoTodo ? writeVideoTasks(tasksDir, { ...taskOpts, signal: opts.signal }).then((n) => { done++; progress(`tasks/video_scene, video_speakers: ${n} clips`); }) : Promise.resolve();
      const audio = AUDIO_TASKS.filter((t) => tasksTodo.includes(t)).map((t, j) => pool.run({ kind: 'audio-task', tasksDir, task: t, opts: taskOpts }, todo.length + j).then((n) => {
        done++;
        progress(`tasks/${t}: ${n} clips`);
      }));
      const settled = await Promise.allSettled([video, ...audio]);
      for (const s of settled) if (s.status === 'rejected') { pool.abort(); throw s.reason; }
    } finally {
      await pool.close();
    }

    rmSync(join(dir, 'work'), { recursive: true, force: true });
    writeAtomic(join(dir, 'corpus.json'), JSON.stringify({ ...want, complete: true }, null, 1) + '\n');
    return { dir, titles: ids.length, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    if (opts.signal?.aborted && !(e instanceof LssdError)) {
      throw synthError(SynthCodes.interrupted, 'generation interrupted; finished titles are kept', { path: dir, hint: 'run the same command again to resume' });
    }
    throw e;
  } finally {
    release();
  }
}

/** A `synthetic(…)` catalog as the resolved spec holds it; the dubbing knobs are the language's defaults when absent. */
export interface SyntheticCatalog extends CatalogKnobFields, Partial<Dubbing> { kind: 'synthetic'; titles: number; minutes_per_title: number; seed: number; languages: string[]; probe_clips?: number }

/** The dubbing knobs of a catalog (DEFAULT_DUBBING for the ones it does not set). */
export function catalogDubbing(c: SyntheticCatalog): Dubbing {
  return canonicalDubbing({
    voice_match: c.voice_match ?? DEFAULT_DUBBING.voice_match, loudness: c.loudness ?? DEFAULT_DUBBING.loudness,
    eq_match: c.eq_match ?? DEFAULT_DUBBING.eq_match, room: c.room ?? DEFAULT_DUBBING.room,
  });
}

/**
 * `<root>/data/synthetic/<hash>` for a catalog: the hash covers its parameters, the knobs that differ
 * from their defaults (so a catalog setting none keeps the directory it had before the knobs) and
 * GENERATOR_VERSION.
 */
export function corpusDir(catalog: SyntheticCatalog, root: string): string {
  const knobs = nonDefaultKnobs(knobsOfCatalog(catalog));
  const key = JSON.stringify({
    titles: catalog.titles, minutes: catalog.minutes_per_title, seed: catalog.seed, languages: catalog.languages.map((l) => l.toLowerCase()), generator: GENERATOR_VERSION,
    ...(Object.keys(knobs).length ? { knobs } : {}), dubbing: catalogDubbing(catalog),
    // absent at the default, so catalogs that do not set it keep their directory
    ...(catalog.probe_clips !== undefined && catalog.probe_clips !== DEFAULT_PROBE_CLIPS ? { probeClips: catalog.probe_clips } : {}),
  });
  return join(resolve(root), 'data', 'synthetic', createHash('sha256').update(key).digest('hex').slice(0, 16));
}

const inflight = new Map<string, Promise<string>>();

/** The corpus directory for `catalog`, generating or resuming it when it is not complete. */
export function ensureSyntheticCorpus(catalog: SyntheticCatalog, opts: { root: string; events?: DataEvents; signal?: AbortSignal }): Promise<string> {
  const dir = corpusDir(catalog, opts.root);
  const m = readManifest(dir);
  if (m?.complete && isComplete(dir, m.titles)) return Promise.resolve(dir);
  // parallel cells of one program share a corpus: one generation per directory per process
  let p = inflight.get(dir);
  if (!p) {
    p = synthesize({
      outDir: dir, titles: catalog.titles, minutesPerTitle: catalog.minutes_per_title, seed: catalog.seed, languages: catalog.languages,
      knobs: knobsOfCatalog(catalog), dubbing: catalogDubbing(catalog), probeClipsPerClass: catalog.probe_clips ?? DEFAULT_PROBE_CLIPS,
      signal: opts.signal,
      onProgress: (e) => opts.events?.onProgress?.({ phase: 'synth', ...e }),
    }).then((r) => r.dir).finally(() => inflight.delete(dir));
    inflight.set(dir, p);
  }
  return p;
}
