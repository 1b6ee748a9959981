// `lssdc data index DIR`: every media file under DIR → one CatalogTitle (JSON Lines, content hashes),
// incremental on re-run (a file whose size and mtime are unchanged is not probed again). Bad media gets
// one line each (LSSD5xxx), is skipped and counted; ingest never aborts for one bad file.
//
// Synthetic-corpus layout (runtime/media/synth): `<dir>/corpus.json` marks a corpus; then only
// `<dir>/titles/` is indexed, `<dir>/truth/<id>.json` supplies original language, kind and shot truth,
// and `<id>.cuts.json` sidecars give the cuts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve, dirname, relative, sep } from 'node:path';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { diag, M } from '../../compiler/messages.ts';
import { fileKind, walkTree, reason, type WalkedFile } from '../files/walk.ts';
import { displayPath } from '../host.ts';
import type { AudioTrack, CatalogTitle, DataEvents, Shot } from '../contracts.ts';
import { DataCodes, LssdError, isLssdError, oneLine } from './errors.ts';
import { hashFile, hashWhole, mapLimit, sha256, writeFileAtomic, WHOLE_LIMIT } from './fsutil.ts';
import { normaliseLanguage, SPEECH_REMOVED } from './lang.ts';
import { probeMedia, sniffFile, CONTAINER_BY_EXTENSION, CONTAINER_NAMES, type Container, type ProbeInfo, type Sniffed } from './probe.ts';
import { boundShots, cutsToShots, decodableSeconds, detectSceneCuts, readSidecarCuts, sidecarPath, round3 } from './shots.ts';

export const DEFAULT_THRESHOLD = 0.3;

/** File name suffixes probed as media (content decides for `.ts` and for files without a suffix). */
export const MEDIA_EXTENSIONS = Object.keys(CONTAINER_BY_EXTENSION);

export interface IndexOptions {
  /** The `.lssd` directory (catalogs go under `<root>/catalogs/`). */
  root: string;
  /** Cut detection: 'sidecar' still falls back to scene detection for files without one. Default 'scene'. */
  method?: 'scene' | 'sidecar';
  /** Scene-cut threshold in (0,1): a cut changes the picture 10·threshold times more than the frames around it (runtime/media/shots.ts). Default 0.3. */
  threshold?: number;
  /** Original language rule for files without truth / 'original' tags: 'first' audio stream (default) or an ISO code. */
  original?: string;
  /** Reported shot counts use these bounds (s); the catalog keeps every shot. Default 3..12 (paper). */
  bounds?: { min: number; max: number };
  /** Files processed concurrently (each is an ffmpeg process). Default 2. */
  concurrency?: number;
  events?: DataEvents;
}

export interface DuplicateGroup { kept: string; others: string[]; hash: string }

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
  /** Byte-identical files: the first in walk order is the title, the others are not indexed (LSSD5070). */
  duplicates: DuplicateGroup[];
  /** Files under the directory not probed as media, by reason (LSSD5073). */
  ignored: IgnoredGroup[];
  shots: { total: number; inBounds: number; tooShort: number; tooLong: number };
  seconds: number;
}

interface StateEntry { size: number; mtimeMs: number; hash?: string; title?: CatalogTitle; error?: SkippedFile; warnings?: string[] }

/**
 * Catalog key: the directory and the segmentation settings (shots depend on them). v2: the content-based
 * cut detector replaced ffmpeg's scene score and copies are indexed once, so a v1 catalog is not reused.
 */
export function catalogKey(dir: string, method: string, threshold: number): string {
  return sha256(JSON.stringify({ v: 2, dir: resolve(dir), method, threshold })).slice(0, 16);
}

export function catalogPaths(root: string, key: string): { jsonl: string; state: string } {
  return { jsonl: join(root, 'catalogs', `${key}.jsonl`), state: join(root, 'catalogs', `${key}.state.json`) };
}

export function readCatalog(path: string): CatalogTitle[] {
  // `file("/dev/zero")` filled memory until the process aborted (std::bad_alloc): files and pipes only.
  const st = statSync(path);
  if (!st.isFile() && !st.isFIFO()) throw new Error(`it is ${fileKind(st)}, not a file`);
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CatalogTitle);
}

/** Why a file under the indexed directory is not a media candidate (counted, never silent). */
export type IgnoreReason = 'sidecar' | 'text-ts' | 'single-track-audio' | 'other-name' | 'no-extension' | 'corpus-tasks' | 'corpus-files' | 'outside-corpus' | 'directories';

export const IGNORE_REASONS: Readonly<Record<IgnoreReason, string>> = {
  'sidecar': 'cuts/truth sidecars',
  'text-ts': '`.ts` files holding text (TypeScript or other source), not MPEG-TS',
  'single-track-audio': 'single-track audio files without a per-track language tag (mux into .mka with a language tag to index)',
  'other-name': 'not media by name',
  'no-extension': 'no extension and no media container by content',
  'corpus-tasks': "probe clips of the corpus's HEAR tasks (tasks/)",
  'corpus-files': 'corpus truth, state and metadata files',
  'outside-corpus': 'media outside titles/ of a synthetic corpus (LSSD5072)',
  'directories': 'directories not entered (dot-names, node_modules)',
};

export interface IgnoredGroup { reason: IgnoreReason; description: string; count: number; /** Up to 5 paths, or for `other-name` the commonest suffixes with counts. */ examples: string[] }

/** A file `data index` will probe, with what its first bytes say. */
export interface MediaCandidate extends WalkedFile { sniffed: Sniffed; expected: Container | null }

export interface MediaScan {
  candidates: MediaCandidate[];
  ignored: IgnoredGroup[];
  /** One-line diagnostics from the walk and the sniffing (LSSD5040–5042, LSSD5071, LSSD5072). */
  lines: string[];
  isCorpus: boolean;
}

/** Single-track audio formats: no per-stream language tag to tell an original from a dub. */
const SINGLE_TRACK_AUDIO = new Set(['.wav', '.mp3', '.flac', '.aac', '.ac3', '.aiff', '.aif', '.wma']);
/** Corpus subdirectories that are not titles (runtime/media/synth/README.md, corpus layout). */
const CORPUS_META_DIRS = new Set(['truth', 'state']);

const extOf = (name: string) => { const i = name.lastIndexOf('.'); return i > 0 ? name.slice(i).toLowerCase() : ''; };

/** Renders a walk diagnostic as the one-line form `data index` prints. */
function diagLine(d: Diagnostic): string {
  return oneLine(`${d.severity} ${d.code}: ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`);
}

/**
 * Walks `dir` (each real directory once, runtime/files/walk.ts) and decides which files are media by
 * name and by content: a media suffix whose first bytes are text is not probed when it is `.ts`
 * (TypeScript), a file without a suffix is probed when its bytes are a known container, a suffix that
 * names another container than the bytes hold is probed with a warning. Everything else is counted by
 * reason. In a synthetic corpus (`corpus.json` + `titles/`) only `titles/` holds titles.
 */
export function scanMedia(dir: string): MediaScan {
  const isCorpus = existsSync(join(dir, 'corpus.json')) && existsSync(join(dir, 'titles'));
  const relevant = (name: string) => extOf(name) in CONTAINER_BY_EXTENSION;
  const w = walkTree(dir, { relevant });
  const lines = w.diagnostics.map(diagLine);
  const groups = new Map<IgnoreReason, string[]>();
  const ignore = (r: IgnoreReason, p: string) => { let g = groups.get(r); if (!g) groups.set(r, g = []); g.push(p); };
  for (const d of w.skippedDirs) ignore('directories', d);
  const candidates: MediaCandidate[] = [];
  const outside: string[] = [];
  const titlesDir = join(dir, 'titles');
  for (const f of w.files) {
    const ext = extOf(f.name);
    if (/\.(cuts|truth)\.json$/i.test(f.name)) { ignore('sidecar', f.path); continue; }
    if (isCorpus) {
      const rel = relative(dir, f.path).split(sep);
      if (rel[0] === 'tasks') { ignore('corpus-tasks', f.path); continue; }
      if (CORPUS_META_DIRS.has(rel[0]) || (rel.length === 1 && f.name === 'corpus.json')) { ignore('corpus-files', f.path); continue; }
    }
    const expected = CONTAINER_BY_EXTENSION[ext] ?? null;
    if (!expected && ext !== '') {
      if (SINGLE_TRACK_AUDIO.has(ext)) ignore('single-track-audio', f.path); else ignore('other-name', f.path);
      continue;
    }
    let sniffed: Sniffed;
    try { sniffed = sniffFile(f.path); } catch (e) {
      // Unreadable: let the candidate through so it gets its own LSSD5001 line naming the reason.
      if (expected) { candidates.push({ ...f, sniffed: 'unknown', expected }); continue; }
      lines.push(diagLine(diag(M.pathUnreadable, undefined, `cannot read ${displayPath(f.path)}: ${reason(e)}`)));
      continue;
    }
    if (!expected) {
      if (sniffed === 'text' || sniffed === 'unknown' || sniffed === 'empty') { ignore('no-extension', f.path); continue; }
    } else if (ext === '.ts' && sniffed === 'text') { ignore('text-ts', f.path); continue; }
    if (isCorpus && !(f.path.startsWith(titlesDir + sep))) { outside.push(f.path); ignore('outside-corpus', f.path); continue; }
    if (expected && sniffed !== expected && sniffed !== 'text' && sniffed !== 'unknown' && sniffed !== 'empty') {
      lines.push(new LssdError(DataCodes.containerMismatch, `named ${ext} (${CONTAINER_NAMES[expected]}) but holds ${CONTAINER_NAMES[sniffed]}; indexed by its content`,
        { path: f.path, hint: `rename it to a ${Object.entries(CONTAINER_BY_EXTENSION).find(([, c]) => c === sniffed)![0]} suffix` }).line('warning'));
    }
    candidates.push({ ...f, sniffed, expected });
  }
  if (outside.length) {
    lines.push(new LssdError(DataCodes.outsideCorpus, `${outside.length} media file(s) outside titles/ are not part of this synthetic corpus and were not indexed: ${outside.slice(0, 5).map((p) => relative(dir, p)).join(', ')}${outside.length > 5 ? ', …' : ''}`,
      { path: dir, hint: 'index them from a directory of their own, or move them out of the corpus' }).line('warning'));
  }
  const order = Object.keys(IGNORE_REASONS) as IgnoreReason[];
  const ignored = order.filter((r) => groups.has(r)).map((r): IgnoredGroup => {
    const paths = groups.get(r)!;
    let examples = paths.slice(0, 5).map((p) => relative(dir, p) || p);
    if (r === 'other-name') {
      const by = new Map<string, number>();
      for (const p of paths) { const e = extOf(basename(p)) || '(none)'; by.set(e, (by.get(e) ?? 0) + 1); }
      examples = [...by].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 6).map(([e, n]) => `${e} ×${n}`);
    }
    return { reason: r, description: IGNORE_REASONS[r], count: paths.length, examples };
  });
  return { candidates, ignored, lines, isCorpus };
}

/** Media files to index, in walk order (deterministic catalog order). */
export function listMedia(dir: string): string[] {
  return scanMedia(dir).candidates.map((c) => c.path);
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

async function indexOne(path: string, hash: string, sniffed: Sniffed, o: Required<Pick<IndexOptions, 'method' | 'threshold'>> & IndexOptions, warn: (s: string) => void): Promise<{ title: CatalogTitle; hash: string }> {
  if (sniffed === 'text') {
    throw new LssdError(DataCodes.unreadable, 'file holds text, not a media container', { path, hint: 'is it a media file? its name says so, its bytes do not' });
  }
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
      if (o.method === 'sidecar') warn(oneLine(`warning ${DataCodes.badSidecar}: ${path}: no cuts sidecar (${basename(sidecarPath(path))}); using scene detection (threshold ${threshold})`));
      cuts = await detectSceneCuts(path, threshold, p.video);
    }
  }
  const shots = attachTruth(cutsToShots(cuts, duration), truth);
  const { originalLanguage, audio } = assignRoles(p, truth, o.original);
  const base = basename(path).replace(/\.[^.]+$/, '');
  const kind = truth?.kind ?? (duration >= 60 * 60 ? 'movie' : 'episode');
  const title: CatalogTitle = {
    id: hash.slice(0, 12), path: resolve(path), hash, title: p.title || base, kind, duration, originalLanguage,
    video: p.video ? { width: p.video.width, height: p.video.height, fps: Math.round(p.video.fps * 1000) / 1000 } : null,
    audio, shots,
  };
  return { title, hash };
}

/** Content hash of a candidate; an unreadable file is an LSSD5001 line, not a crash. */
async function hashCandidate(path: string): Promise<string> {
  try { return await hashFile(path); } catch (e) {
    throw new LssdError(DataCodes.unreadable, `cannot read file: ${reason(e)}`, { path, hint: 'check its permissions' });
  }
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
  const scan = scanMedia(dir);
  const warnings: string[] = [];
  const report = (w: string) => { warnings.push(w); o.events?.onWarning?.(w); };
  for (const l of scan.lines) report(l);
  const files = scan.candidates;
  if (files.length === 0) {
    throw new LssdError(DataCodes.noMedia, 'no media files found', { path: dir, hint: `looked for ${MEDIA_EXTENSIONS.join(' ')} and files without a suffix holding a media container${scan.ignored.length ? `; not media: ${scan.ignored.map((g) => `${g.count} ${g.reason}`).join(', ')}` : ''}` });
  }
  const newState: Record<string, StateEntry> = {};
  let done = 0, reused = 0;
  // 1. Content hashes (reused while size and mtime are unchanged; one read per inode): duplicates are
  //    found before any file is probed, so a copy costs a read, not a decode.
  const stamps = files.map((f) => {
    const abs = resolve(f.path);
    const sc = sidecarPath(abs), tp = truthPath(abs);
    const scM = (existsSync(sc) ? statSync(sc).mtimeMs : 0) + (tp ? statSync(tp).mtimeMs : 0);
    return { abs, stamp: f.mtimeMs + scM };
  });
  const byInode = new Map<string, Promise<string>>();
  const hashes = await mapLimit(files, Math.max(1, o.concurrency), async (f, i): Promise<string | LssdError> => {
    if (f.size === 0) return '';
    const prev = state[stamps[i].abs];
    if (prev?.hash && prev.size === f.size && prev.mtimeMs === stamps[i].stamp) return prev.hash;
    const k = `${f.dev}:${f.ino}`;
    if (!byInode.has(k)) byInode.set(k, hashCandidate(stamps[i].abs));
    try { return await byInode.get(k)!; } catch (e) { if (isLssdError(e)) return e.path === stamps[i].abs ? e : new LssdError(e.code, e.message, { hint: e.hint, path: stamps[i].abs }); throw e; }
  });
  // 2. One title per content hash: the first file in walk order keeps it, the others are named.
  const firstOf = new Map<string, number>();
  const dupesOf = new Map<number, number[]>();
  hashes.forEach((h, i) => {
    if (typeof h !== 'string' || h === '') return;
    const first = firstOf.get(h);
    if (first === undefined) firstOf.set(h, i);
    else { let d = dupesOf.get(first); if (!d) dupesOf.set(first, d = []); d.push(i); }
  });
  // Sampled hashes (files over WHOLE_LIMIT) are confirmed byte by byte; a file that differs gets its whole-content hash.
  for (const [first, others] of [...dupesOf]) {
    if (files[first].size <= WHOLE_LIMIT) continue;
    const whole = await mapLimit([first, ...others], 1, (i) => hashWhole(stamps[i].abs).catch(() => ''));
    const same = others.filter((_, j) => whole[j + 1] !== '' && whole[j + 1] === whole[0]);
    others.forEach((i, j) => { if (!same.includes(i) && whole[j + 1]) hashes[i] = whole[j + 1]; });
    if (same.length) dupesOf.set(first, same); else dupesOf.delete(first);
  }
  const duplicates: DuplicateGroup[] = [];
  for (const [first, others] of [...dupesOf].sort((a, b) => a[0] - b[0])) {
    const g = { kept: stamps[first].abs, others: others.map((i) => stamps[i].abs), hash: hashes[first] as string };
    duplicates.push(g);
    report(new LssdError(DataCodes.duplicateMedia, `byte-identical to ${g.others.map((p) => displayPath(p)).join(', ')} (sha256 ${g.hash.slice(0, 12)}…); one title kept, from this file`,
      { path: displayPath(g.kept), hint: 'remove the copies, or keep them out of the indexed directory' }).line('warning'));
  }
  const isDuplicate = new Set([...dupesOf.values()].flat());
  const todo = files.map((f, i) => i).filter((i) => !isDuplicate.has(i));
  // 3. Probe, check and segment each kept file.
  const results = await mapLimit(todo, Math.max(1, o.concurrency), async (i) => {
    const f = files[i];
    const { abs, stamp } = stamps[i];
    const h = hashes[i];
    const prev = state[abs];
    let entry: StateEntry;
    if (prev && prev.size === f.size && prev.mtimeMs === stamp && (prev.error || prev.hash === h)) {
      entry = prev; reused++;
    } else if (typeof h !== 'string') {
      entry = { size: f.size, mtimeMs: stamp, error: { path: abs, code: h.code, line: h.line() }, warnings: [] };
    } else {
      const w: string[] = [];
      try {
        const { title, hash } = await indexOne(abs, h, f.sniffed, o, (s) => w.push(s));
        entry = { size: f.size, mtimeMs: stamp, hash, title, warnings: w };
      } catch (e) {
        if (!isLssdError(e)) throw e;
        const err = e.path ? e : new LssdError(e.code, e.message, { hint: e.hint, path: abs });
        entry = { size: f.size, mtimeMs: stamp, hash: h || undefined, error: { path: abs, code: err.code, line: err.line() }, warnings: w };
      }
    }
    newState[abs] = entry;
    for (const w of entry.warnings ?? []) report(w);
    if (entry.error) o.events?.onWarning?.(entry.error.line);
    o.events?.onProgress?.({ phase: 'index', done: ++done, total: todo.length, detail: basename(abs) });
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
    dir: resolve(dir), catalogPath: paths.jsonl, titles, files: files.length, indexed: todo.length - reused, reused, skipped,
    undTracks: warnings.filter((w) => w.includes(DataCodes.undLanguage)).length, warnings,
    duplicates, ignored: scan.ignored,
    shots: { total: all.length, inBounds: bs.kept.length, tooShort: bs.tooShort, tooLong: bs.tooLong },
    seconds: (Date.now() - t0) / 1000,
  };
}

/** The LSSD5073 line: what under the directory was not probed as media, by reason (null when nothing). */
export function notIndexedLine(s: Pick<IndexSummary, 'dir' | 'ignored'>): string | null {
  if (!s.ignored.length) return null;
  return oneLine(`info ${DataCodes.notIndexed}: ${displayPath(s.dir)}: not indexed as media: ` +
    s.ignored.map((g) => `${g.count} ${g.description}${g.reason === 'other-name' ? ` (${g.examples.join(', ')})` : ''}`).join('; '));
}
