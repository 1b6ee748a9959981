// `lssdc data index DIR`: every media file under DIR → one CatalogTitle (JSON Lines, content hashes),
// incremental on re-run (a file whose size and mtime are unchanged is not probed again). Bad media gets
// one line each (LSSD5xxx), is skipped and counted; ingest never aborts for one bad file.
//
// Synthetic-corpus layout (runtime/media/synth): `<dir>/corpus.json` marks a corpus; then only
// `<dir>/titles/` is indexed, `<dir>/truth/<id>.json` supplies original language, kind and shot truth,
// and `<id>.cuts.json` sidecars give the cuts.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve, dirname } from 'node:path';
import type { AudioTrack, CatalogTitle, DataEvents, Shot } from '../contracts.ts';
import { DataCodes, LssdError, isLssdError } from './errors.ts';
import { hashFile, mapLimit, sha256, writeFileAtomic } from './fsutil.ts';
import { normaliseLanguage, SPEECH_REMOVED } from './lang.ts';
import { probeMedia, type ProbeInfo } from './probe.ts';
import { boundShots, cutsToShots, decodableSeconds, detectSceneCuts, readSidecarCuts, sidecarPath, round3 } from './shots.ts';

export const DEFAULT_THRESHOLD = 0.3;

export const MEDIA_EXTENSIONS = ['.mkv', '.mp4', '.mov', '.webm', '.avi', '.m4v', '.ts', '.mpg', '.mpeg', '.wmv', '.flv', '.ogv'];

export interface IndexOptions {
  /** The `.lssd` directory (catalogs go under `<root>/catalogs/`). */
  root: string;
  /** Cut detection: 'sidecar' still falls back to scene detection for files without one. Default 'scene'. */
  method?: 'scene' | 'sidecar';
  /** ffmpeg scene score threshold in (0,1). Default 0.3. */
  threshold?: number;
  /** Original language rule for files without truth / 'original' tags: 'first' audio stream (default) or an ISO code. */
  original?: string;
  /** Reported shot counts use these bounds (s); the catalog keeps every shot. Default 3..12 (paper). */
  bounds?: { min: number; max: number };
  /** Files processed concurrently (each is an ffmpeg process). Default 2. */
  concurrency?: number;
  events?: DataEvents;
}

export interface SkippedFile { path: string; code: string; line: string }

export interface IndexSummary {
  dir: string;
  catalogPath: string;
  titles: CatalogTitle[];
  files: number;
  /** Probed this run vs reused from the previous catalog. */
  indexed: number;
  reused: number;
  skipped: SkippedFile[];
  /** Audio streams dropped for `und`/missing language (their titles are kept). */
  undTracks: number;
  warnings: string[];
  shots: { total: number; inBounds: number; tooShort: number; tooLong: number };
  seconds: number;
}

interface StateEntry { size: number; mtimeMs: number; hash?: string; title?: CatalogTitle; error?: SkippedFile; warnings?: string[] }

/** Catalog key: the directory and the segmentation settings (shots depend on them). */
export function catalogKey(dir: string, method: string, threshold: number): string {
  return sha256(JSON.stringify({ v: 1, dir: resolve(dir), method, threshold })).slice(0, 16);
}

export function catalogPaths(root: string, key: string): { jsonl: string; state: string } {
  return { jsonl: join(root, 'catalogs', `${key}.jsonl`), state: join(root, 'catalogs', `${key}.state.json`) };
}

export function readCatalog(path: string): CatalogTitle[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CatalogTitle);
}

/** Media files to index, sorted (deterministic catalog order). */
export function listMedia(dir: string): string[] {
  const isCorpus = existsSync(join(dir, 'corpus.json')) && existsSync(join(dir, 'titles'));
  const start = isCorpus ? join(dir, 'titles') : dir;
  const out: string[] = [];
  (function walk(d: string) {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      let st; try { st = statSync(p); } catch { continue; }
      if (st.isDirectory()) walk(p);
      else if (MEDIA_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e))) out.push(p);
    }
  })(start);
  return out;
}

interface TruthShot { index: number; start: number; end: number; scene?: string; music?: boolean;
  /** A count, or (synthetic corpus) the list of speakers with `speakerCount` alongside. */
  speakers?: number | unknown[]; speakerCount?: number }
interface Truth { originalLanguage?: string; kind?: 'movie' | 'episode'; shots?: TruthShot[] }

/** `<corpus>/truth/<id>.json` for `<corpus>/titles/<id>.mkv`, or `<name>.truth.json` beside the file. */
function truthPath(mediaPath: string): string | null {
  const base = basename(mediaPath).replace(/\.[^.]+$/, '');
  const candidates = [join(dirname(dirname(mediaPath)), 'truth', `${base}.json`), mediaPath.replace(/\.[^./]+$/, '') + '.truth.json'];
  return candidates.find((c) => existsSync(c)) ?? null;
}

function readTruth(mediaPath: string): Truth | null {
  const c = truthPath(mediaPath);
  if (!c) return null;
  try { return JSON.parse(readFileSync(c, 'utf8')) as Truth; } catch { return null; }
}

function attachTruth(shots: Shot[], truth: Truth | null): Shot[] {
  if (!truth?.shots?.length) return shots;
  return shots.map((s) => {
    let best: TruthShot | null = null;
    let bestOv = 0;
    for (const t of truth.shots!) {
      const ov = Math.min(s.end, t.end) - Math.max(s.start, t.start);
      if (ov > bestOv) { bestOv = ov; best = t; }
    }
    if (!best || bestOv < 0.5 * (s.end - s.start)) return s;
    const tr: NonNullable<Shot['truth']> = {};
    if (best.scene !== undefined) tr.scene = best.scene;
    const speakers = typeof best.speakers === 'number' ? best.speakers : best.speakerCount ?? (Array.isArray(best.speakers) ? best.speakers.length : undefined);
    if (speakers !== undefined) tr.speakers = speakers;
    if (best.music !== undefined) tr.music = best.music;
    return { ...s, truth: tr };
  });
}

/** Assigns roles and the original language from truth, `title` tags, or the rule (first stream / a language). */
export function assignRoles(p: ProbeInfo, truth: Truth | null, rule: string | undefined): { originalLanguage: string; audio: AudioTrack[] } {
  const usable = p.audio.filter((a) => a.language !== SPEECH_REMOVED && a.label !== 'speech_removed');
  let orig = normaliseLanguage(truth?.originalLanguage ?? '') ?? null;
  if (!orig) orig = usable.find((a) => a.label === 'original')?.language ?? null;
  if (!orig && rule && rule !== 'first') orig = usable.some((a) => a.language === normaliseLanguage(rule)) ? normaliseLanguage(rule) : null;
  if (!orig) orig = usable[0].language;
  let originalSeen = false;
  const audio = p.audio.map((a): AudioTrack => {
    let role: AudioTrack['role'];
    if (a.language === SPEECH_REMOVED || a.label === 'speech_removed') role = 'speech_removed';
    else if (!originalSeen && a.language === orig && a.label !== 'dub') { role = 'original'; originalSeen = true; }
    else role = 'dub';
    return { stream: a.stream, language: role === 'speech_removed' ? SPEECH_REMOVED : a.language, channels: a.channels, role };
  });
  if (!originalSeen) {
    const i = audio.findIndex((a) => a.role === 'dub' && a.language === orig);
    if (i >= 0) audio[i] = { ...audio[i], role: 'original' };
  }
  return { originalLanguage: orig, audio };
}

async function indexOne(path: string, o: Required<Pick<IndexOptions, 'method' | 'threshold'>> & IndexOptions, warn: (s: string) => void): Promise<{ title: CatalogTitle; hash: string }> {
  const p = await probeMedia(path);
  for (const s of p.skipped) {
    warn(new LssdError(DataCodes.undLanguage, `audio stream #${s.stream} skipped: ${s.reason}`, { path, hint: 'tag it with an ISO 639 language to use it as a dub' }).line('warning'));
  }
  const usable = p.audio.find((a) => a.language !== SPEECH_REMOVED) ?? p.audio[0];
  // Containers keep their header duration when cut short: decode the audio to null to see how much is really there.
  const decoded = await decodableSeconds(path, usable.stream);
  if (Number.isFinite(decoded) && decoded < p.duration * 0.97 - 0.5) {
    throw new LssdError(DataCodes.truncated, `file is truncated: audio decodes to ${decoded.toFixed(1)} s of the declared ${p.duration.toFixed(1)} s`,
      { path, hint: 'copy or download it again' });
  }
  const duration = round3(Math.min(p.duration, Number.isFinite(decoded) ? Math.max(decoded, p.duration * 0.97) : p.duration));
  const truth = readTruth(path);
  let cuts = readSidecarCuts(sidecarPath(path));
  if (!cuts) {
    if (!p.video) cuts = [];
    else {
      // A sidecar spec may carry no meaningful threshold (0): fall back to the usual default then.
      const threshold = o.threshold > 0 && o.threshold < 1 ? o.threshold : DEFAULT_THRESHOLD;
      if (o.method === 'sidecar') warn(`warning ${DataCodes.badSidecar}: ${path}: no cuts sidecar (${basename(sidecarPath(path))}); using scene detection (threshold ${threshold})`);
      cuts = await detectSceneCuts(path, threshold, p.startTime);
    }
  }
  const shots = attachTruth(cutsToShots(cuts, duration), truth);
  const { originalLanguage, audio } = assignRoles(p, truth, o.original);
  const hash = await hashFile(path);
  const base = basename(path).replace(/\.[^.]+$/, '');
  const kind = truth?.kind ?? (duration >= 60 * 60 ? 'movie' : 'episode');
  const title: CatalogTitle = {
    id: hash.slice(0, 12), path: resolve(path), hash, title: p.title || base, kind, duration, originalLanguage,
    video: p.video ? { width: p.video.width, height: p.video.height, fps: Math.round(p.video.fps * 1000) / 1000 } : null,
    audio, shots,
  };
  return { title, hash };
}

/** Indexes `dir` into `<root>/catalogs/<key>.jsonl` and returns the catalog plus a summary of what was skipped. */
export async function indexDirectory(dir: string, opts: IndexOptions): Promise<IndexSummary> {
  const t0 = Date.now();
  const o = { method: 'scene' as const, threshold: DEFAULT_THRESHOLD, concurrency: 2, ...opts };
  if (o.method === 'scene' && !(o.threshold > 0 && o.threshold < 1)) {
    throw new LssdError(DataCodes.badArgument, `scene threshold must be in (0,1), got ${o.threshold}`, { hint: 'typical values 0.2–0.4' });
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new LssdError(DataCodes.noMedia, 'directory does not exist', { path: dir, hint: 'pass the folder holding the media files' });
  }
  const key = catalogKey(dir, o.method, o.threshold);
  const paths = catalogPaths(o.root, key);
  let state: Record<string, StateEntry> = {};
  if (existsSync(paths.state) && existsSync(paths.jsonl)) {
    try { state = JSON.parse(readFileSync(paths.state, 'utf8')); } catch { state = {}; }
  }
  const files = listMedia(dir);
  if (files.length === 0) throw new LssdError(DataCodes.noMedia, 'no media files found', { path: dir, hint: `looked for ${MEDIA_EXTENSIONS.join(' ')}` });
  const warnings: string[] = [];
  const newState: Record<string, StateEntry> = {};
  let done = 0, reused = 0;
  const results = await mapLimit(files, Math.max(1, o.concurrency), async (f) => {
    const abs = resolve(f);
    const st = statSync(abs);
    // A changed cuts sidecar or truth file re-indexes the title too.
    const sc = sidecarPath(abs), tp = truthPath(abs);
    const scM = (existsSync(sc) ? statSync(sc).mtimeMs : 0) + (tp ? statSync(tp).mtimeMs : 0);
    const prev = state[abs];
    let entry: StateEntry;
    if (prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs + scM) {
      entry = prev; reused++;
    } else {
      const w: string[] = [];
      try {
        const { title, hash } = await indexOne(abs, o, (s) => w.push(s));
        entry = { size: st.size, mtimeMs: st.mtimeMs + scM, hash, title, warnings: w };
      } catch (e) {
        if (!isLssdError(e)) throw e;
        const err = e.path ? e : new LssdError(e.code, e.message, { hint: e.hint, path: abs });
        entry = { size: st.size, mtimeMs: st.mtimeMs + scM, error: { path: abs, code: err.code, line: err.line() }, warnings: w };
      }
    }
    newState[abs] = entry;
    for (const w of entry.warnings ?? []) { warnings.push(w); o.events?.onWarning?.(w); }
    if (entry.error) o.events?.onWarning?.(entry.error.line);
    o.events?.onProgress?.({ phase: 'index', done: ++done, total: files.length, detail: basename(abs) });
    return entry;
  });
  const titles = results.filter((r) => r.title).map((r) => r.title!);
  const skipped = results.filter((r) => r.error).map((r) => r.error!);
  writeFileAtomic(paths.jsonl, titles.map((t) => JSON.stringify(t)).join('\n') + (titles.length ? '\n' : ''));
  writeFileAtomic(paths.state, JSON.stringify(newState));
  const b = o.bounds ?? { min: 3, max: 12 };
  const all = titles.flatMap((t) => t.shots);
  const bs = boundShots(all, b.min, b.max);
  return {
    dir: resolve(dir), catalogPath: paths.jsonl, titles, files: files.length, indexed: files.length - reused, reused, skipped,
    undTracks: warnings.filter((w) => w.includes(DataCodes.undLanguage)).length, warnings,
    shots: { total: all.length, inBounds: bs.kept.length, tooShort: bs.tooShort, tooLong: bs.tooLong },
    seconds: (Date.now() - t0) / 1000,
  };
}
