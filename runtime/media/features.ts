// Feature cache: per title, video frames at the spec's fps, the whole frame with its aspect ratio kept
// (short side = views.video.scale.max, the top of the scale range; rgb24), and one log-mel per audio
// track, stored under
// `<root>/features/<key>/` where key = hash(content hash, FeatureConfig, video?). Windows are sliced at
// batch time by file offset, so memory stays flat however long the titles are.
//
// One ffmpeg pass per title decodes the video and every audio track at once (outputs to files, never
// buffered in memory); log-mels are then computed in chunks of frames with tfjs (see logmel.ts).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogTitle, DataEvents, FeatureConfig, ResolvedSpec } from '../contracts.ts';
import { canonicalJson } from '../../compiler/canonical.ts';
import { runFfmpeg } from './decode.ts';
import { DataCodes, LssdError, firstLine, isLssdError } from './errors.ts';
import { mapLimit, sha256, tmpName, writeFileAtomic } from './fsutil.ts';
import { frameCount, logMel, prepareBackend } from './logmel.ts';

export function featureConfig(spec: ResolvedSpec): FeatureConfig {
  const a = spec.views.audio, v = spec.views.video;
  return { fps: v.fps, size: v.scale.max, sampleRate: a.sample_rate, nFft: a.n_fft, hop: a.hop, mels: a.mels, db: a.db };
}

/** Log-mel frames in one window of `length` seconds. */
export function windowFrames(cfg: Pick<FeatureConfig, 'sampleRate' | 'nFft' | 'hop'>, length: number): number {
  return frameCount(Math.round(length * cfg.sampleRate), cfg.nFft, cfg.hop);
}

export interface FeatureMeta {
  version: 2;
  hash: string;
  config: FeatureConfig;
  /** Cached frames are width × height (short side = size = views.video.scale.max, aspect ratio kept). */
  video: { frames: number; size: number; width: number; height: number; fps: number } | null;
  /** Keyed by ffprobe stream index. */
  audio: Record<string, { frames: number; mels: number; samples: number }>;
  seconds: number;
}

// 2: whole frames with the aspect ratio kept (1 cached a centre square, cutting 44% of a 16:9 frame's width).
const FORMAT_VERSION = 2;

/**
 * Cached frame size for a source of `width × height` pixels: the short side scaled to `size`, the long
 * side in proportion (pixels taken as square), never shorter than `size`.
 */
export function cachedFrameSize(width: number, height: number, size: number): { width: number; height: number } {
  if (!(width > 0 && height > 0)) return { width: size, height: size };
  return width >= height
    ? { width: Math.max(size, Math.round((width * size) / height)), height: size }
    : { width: size, height: Math.max(size, Math.round((height * size) / width)) };
}

/** ffmpeg filter: resample to `fps`, scale to exactly `width × height` (aspect kept by cachedFrameSize), rgb24. */
export function cacheVideoFilter(fps: number, width: number, height: number): string {
  return `fps=${fps},scale=${width}:${height}:flags=bilinear,setsar=1,format=rgb24`;
}

export function featureKey(title: Pick<CatalogTitle, 'hash'>, cfg: FeatureConfig, video: boolean): string {
  return sha256(canonicalJson({ v: FORMAT_VERSION, hash: title.hash, cfg, video })).slice(0, 24);
}

export function featureDir(root: string, title: Pick<CatalogTitle, 'hash'>, cfg: FeatureConfig, video: boolean): string {
  return join(root, 'features', featureKey(title, cfg, video));
}

/** Samples of mono f32 decoded per log-mel chunk (bounded memory for feature films). */
const CHUNK_FRAMES = 2048;

function melFromPcmFile(pcmPath: string, melPath: string, cfg: FeatureConfig): { frames: number; samples: number } {
  const n = Math.floor(statSync(pcmPath).size / 4);
  const total = frameCount(n, cfg.nFft, cfg.hop);
  const fd = openSync(pcmPath, 'r');
  const out = openSync(melPath, 'w');
  try {
    for (let f0 = 0; f0 < total; f0 += CHUNK_FRAMES) {
      const nf = Math.min(CHUNK_FRAMES, total - f0);
      const s0 = f0 * cfg.hop;
      const len = Math.max(0, Math.min(n - s0, (nf - 1) * cfg.hop + cfg.nFft));
      const samples = new Float32Array(Math.max(len, 1));
      if (len > 0) readSync(fd, new Uint8Array(samples.buffer), 0, len * 4, s0 * 4);
      const m = logMel(samples.subarray(0, Math.max(len, 1)), cfg.sampleRate, cfg);
      const data = m.frames === nf ? m.data : m.data.subarray(0, nf * cfg.mels);
      writeAll(out, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } finally { closeSync(fd); closeSync(out); }
  return { frames: total, samples: n };
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * Extracts (or reuses) a title's features. Throws LssdError (decodeFailed / truncated) on bad media.
 * @returns the cache directory and its meta.
 */
export async function extractTitle(title: CatalogTitle, cfg: FeatureConfig, opts: { root: string; video: boolean }): Promise<{ dir: string; meta: FeatureMeta; reused: boolean }> {
  const dir = featureDir(opts.root, title, cfg, opts.video);
  const metaPath = join(dir, 'meta.json');
  if (existsSync(metaPath)) {
    try { return { dir, meta: JSON.parse(readFileSync(metaPath, 'utf8')) as FeatureMeta, reused: true }; } catch { rmSync(dir, { recursive: true, force: true }); }
  }
  const t0 = Date.now();
  await prepareBackend();
  const tmp = tmpName(dir);
  mkdirSync(tmp, { recursive: true });
  try {
    const args = ['-v', 'error', '-i', title.path];
    const wantVideo = opts.video && title.video !== null;
    const frame = cachedFrameSize(title.video?.width ?? 0, title.video?.height ?? 0, cfg.size);
    if (wantVideo) args.push('-map', '0:v:0', '-vf', cacheVideoFilter(cfg.fps, frame.width, frame.height), '-pix_fmt', 'rgb24', '-f', 'rawvideo', join(tmp, 'video.u8'));
    for (const a of title.audio) {
      args.push('-map', `0:${a.stream}`, '-ac', '1', '-ar', String(cfg.sampleRate), '-acodec', 'pcm_f32le', '-f', 'f32le', join(tmp, `a${a.stream}.pcm`));
    }
    try { await runFfmpeg(args); } catch (e) {
      throw new LssdError(DataCodes.decodeFailed, `decoding for features failed: ${firstLine(e)}`, { path: title.path, hint: 'run `lssdc data index` again to re-probe it' });
    }
    const meta: FeatureMeta = { version: 2, hash: title.hash, config: cfg, video: null, audio: {}, seconds: 0 };
    if (wantVideo) {
      const frameBytes = frame.width * frame.height * 3;
      const frames = Math.floor(statSync(join(tmp, 'video.u8')).size / frameBytes);
      if (frames < Math.floor(title.duration * cfg.fps * 0.9) - 2) {
        throw new LssdError(DataCodes.truncated, `video decodes to ${(frames / cfg.fps).toFixed(1)} s of the catalogued ${title.duration.toFixed(1)} s`, { path: title.path, hint: 'the file changed or is damaged; re-index it' });
      }
      meta.video = { frames, size: cfg.size, width: frame.width, height: frame.height, fps: cfg.fps };
    }
    for (const a of title.audio) {
      const pcm = join(tmp, `a${a.stream}.pcm`);
      const r = melFromPcmFile(pcm, join(tmp, `a${a.stream}.f32`), cfg);
      rmSync(pcm, { force: true });
      if (r.samples < title.duration * cfg.sampleRate * 0.9 - cfg.sampleRate) {
        throw new LssdError(DataCodes.truncated, `audio stream #${a.stream} decodes to ${(r.samples / cfg.sampleRate).toFixed(1)} s of ${title.duration.toFixed(1)} s`, { path: title.path, hint: 'the file changed or is damaged; re-index it' });
      }
      meta.audio[String(a.stream)] = { frames: r.frames, mels: cfg.mels, samples: r.samples };
    }
    meta.seconds = (Date.now() - t0) / 1000;
    writeFileAtomic(join(tmp, 'meta.json'), JSON.stringify(meta));
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another process (a parallel grid cell) finished the same title first: its copy is identical; keep it.
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !existsSync(metaPath)) throw e;
      rmSync(tmp, { recursive: true, force: true });
      return { dir, meta: JSON.parse(readFileSync(metaPath, 'utf8')) as FeatureMeta, reused: true };
    }
    return { dir, meta, reused: false };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export interface ExtractedTitle { title: CatalogTitle; dir: string; meta: FeatureMeta }

/** Extracts features for every title; bad ones are reported (one line each) and left out. */
export async function extractAll(titles: CatalogTitle[], cfg: FeatureConfig, opts: { root: string; video: boolean; events?: DataEvents; concurrency?: number }):
  Promise<{ ok: ExtractedTitle[]; failed: { title: CatalogTitle; line: string }[]; reused: number; seconds: number }> {
  const t0 = Date.now();
  let done = 0, reused = 0;
  const res = await mapLimit(titles, opts.concurrency ?? 2, async (t) => {
    try {
      const r = await extractTitle(t, cfg, opts);
      if (r.reused) reused++;
      return { title: t, dir: r.dir, meta: r.meta };
    } catch (e) {
      if (!isLssdError(e)) throw e;
      opts.events?.onWarning?.(e.line());
      return { title: t, line: e.line() };
    } finally {
      opts.events?.onProgress?.({ phase: 'features', done: ++done, total: titles.length, detail: t.title });
    }
  });
  return {
    ok: res.filter((r): r is ExtractedTitle => 'dir' in r),
    failed: res.filter((r): r is { title: CatalogTitle; line: string } => 'line' in r),
    reused, seconds: (Date.now() - t0) / 1000,
  };
}

// Open file descriptors are shared by every reader and capped (a catalog of thousands of titles must not
// exhaust the process's fd limit); the least recently used one is closed first.
const MAX_OPEN = 128;
const openFds = new Map<string, number>();
function fdFor(path: string): number {
  let fd = openFds.get(path);
  if (fd !== undefined) { openFds.delete(path); openFds.set(path, fd); return fd; }
  if (openFds.size >= MAX_OPEN) {
    const [oldest, ofd] = openFds.entries().next().value as [string, number];
    openFds.delete(oldest);
    closeSync(ofd);
  }
  fd = openSync(path, 'r');
  openFds.set(path, fd);
  return fd;
}
function closeFd(path: string): void {
  const fd = openFds.get(path);
  if (fd !== undefined) { openFds.delete(path); closeSync(fd); }
}

/** Random access into a title's cached features by file offset. */
export class FeatureReader {
  private used = new Set<string>();
  constructor(readonly dir: string, readonly meta: FeatureMeta) {}
  private fd(name: string): number {
    const p = join(this.dir, name);
    this.used.add(p);
    return fdFor(p);
  }
  /** Log-mel rows [f0, f0+n) of a track into `out` (row-major [n, mels]); rows past the end repeat the last row. */
  readMel(stream: number, f0: number, n: number, out: Float32Array): void {
    const a = this.meta.audio[String(stream)];
    if (!a) throw new Error(`no cached log-mel for stream ${stream} in ${this.dir}`);
    const mels = a.mels;
    const avail = Math.max(0, Math.min(n, a.frames - f0));
    if (avail > 0) readSync(this.fd(`a${stream}.f32`), new Uint8Array(out.buffer, out.byteOffset, avail * mels * 4), 0, avail * mels * 4, f0 * mels * 4);
    for (let i = avail; i < n; i++) {
      if (avail > 0) out.copyWithin(i * mels, (avail - 1) * mels, avail * mels);
      else out.fill(-100, i * mels, (i + 1) * mels);
    }
  }
  /** One rgb24 frame [height, width, 3] (index clamped to the cached range). */
  readFrame(index: number, out: Uint8Array): void {
    const v = this.meta.video;
    if (!v) throw new Error(`no cached video in ${this.dir}`);
    const i = Math.max(0, Math.min(v.frames - 1, index));
    const bytes = v.width * v.height * 3;
    readSync(this.fd('video.u8'), out, 0, bytes, i * bytes);
  }
  close(): void {
    for (const p of this.used) closeFd(p);
    this.used.clear();
  }
}
