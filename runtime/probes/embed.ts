// Scene-level embeddings of a task's clips with a frozen encoder, cached per (checkpoint, task).
// Audio: decode at the encoder's sample rate, log-mel with the spec's settings, cut into windows of the
// training window length (the encoder's `frames`; a short clip is padded with its quietest frame value),
// windows start every `probe.window` seconds, embed each, mean over windows = the scene embedding.
// Video: decode at the spec's fps, short side scaled to the crop size and centre-cropped, windows of the
// encoder's T frames (the last one padded by repeating its final frame), mean over windows.
// Audiovisual: the audio and video embeddings concatenated.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Encoder, LogMel } from '../contracts.ts';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import { canonicalJson } from '../../compiler/canonical.ts';
import { clipPath, type HearTask } from './hear.ts';
import { PROBE, ProbeError } from './errors.ts';

/** Media functions the embedder needs (runtime/media by default; tests inject fakes). */
export interface MediaFns {
  decodeAudio(path: string, opts: { sampleRate: number }): Promise<Float32Array>;
  logMel(samples: Float32Array, sampleRate: number, cfg: { nFft: number; hop: number; mels: number; db: boolean }): LogMel;
  decodeVideo(path: string, opts: { fps: number; size: number }): Promise<{ frames: Uint8Array; n: number; h: number; w: number }>;
}

export interface EmbeddingSet {
  /** Row-major [n, dim], rows in `task.clips` order. */
  x: Float32Array;
  n: number;
  dim: number;
  /** Per row: clip file, split, labels (names) — kept so reports can plot without re-reading the task. */
  clips: { file: string; split: string; labels: string[] }[];
  task: string;
  key: string;
}

export type EmbedModality = 'audio' | 'video' | 'audiovisual';

export interface EmbedSettings {
  modality: EmbedModality;
  audio: ResolvedSpec['views']['audio'];
  video: ResolvedSpec['views']['video'];
  /** Seconds between window starts (ProbeSpec.window). */
  window: number;
  /** Seconds one training view spans (spec.data.windows.length): video clips spread their T frames over it. */
  viewSeconds?: number;
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/**
 * Identity of the task's content: where it lives, its metadata, vocabulary and split files, and the size and
 * modification time of every media file (not the bytes: hashing hundreds of clips per probe costs more than
 * embedding them). A regenerated corpus therefore never reuses stale embeddings.
 */
export function taskFingerprint(task: HearTask): string {
  const parts = ['task_metadata.json', 'labelvocabulary.csv', ...task.splits.map((s) => `${s}.json`)]
    .map((f) => { try { return sha256(readFileSync(join(task.dir, f))); } catch { return 'missing'; } });
  const media = [...(task.modality === 'video' ? ['video'] : task.rates.map(String))].flatMap((top) =>
    task.splits.flatMap((split) => {
      const dir = join(task.dir, top, split);
      let names: string[] = [];
      try { names = readdirSync(dir).sort(); } catch { return [`${top}/${split}:missing`]; }
      return names.map((n) => { const st = statSync(join(dir, n)); return `${top}/${split}/${n}:${st.size}:${Math.round(st.mtimeMs)}`; });
    }));
  return sha256([task.dir, ...parts, ...media].join('\n'));
}

/** Cache key of one (checkpoint, task, embedding settings) combination. */
export function embeddingKey(encoder: Pick<Encoder, 'specHash'>, task: HearTask, s: EmbedSettings): string {
  return sha256(canonicalJson({
    v: 1, checkpoint: encoder.specHash, task: task.name, content: taskFingerprint(task), modality: s.modality,
    audio: { sample_rate: s.audio.sample_rate, n_fft: s.audio.n_fft, hop: s.audio.hop, mels: s.audio.mels, db: s.audio.db },
    video: s.modality === 'audio' ? null : { fps: s.video.fps, crop: s.video.crop, frames: s.video.frames, ...(s.viewSeconds ? { view: s.viewSeconds } : {}) },
    window: s.window,
  }));
}

/** Splits a log-mel [frames, mels] into windows [k, W, mels] starting every `stride` frames. */
export function audioWindows(mel: LogMel, W: number, stride: number): { data: Float32Array; k: number } {
  const { frames, mels } = mel;
  const starts: number[] = [];
  for (let s = 0; s === 0 || s + W <= frames; s += Math.max(1, stride)) starts.push(s);
  // Tail not covered by a full window: one more window aligned to the end (when the clip is longer than W).
  const last = starts[starts.length - 1];
  if (frames > W && last + W < frames) starts.push(frames - W);
  let floor = Infinity;
  for (let i = 0; i < mel.data.length; i++) if (mel.data[i] < floor) floor = mel.data[i];
  if (!Number.isFinite(floor)) floor = 0;
  const data = new Float32Array(starts.length * W * mels).fill(floor);
  starts.forEach((s, k) => {
    const end = Math.min(frames, s + W);
    data.set(mel.data.subarray(s * mels, end * mels), k * W * mels);
  });
  return { data, k: starts.length };
}

/**
 * Splits decoded rgb24 frames into clips [k, T, H, W, 3] of floats in [0,1] with the training views' geometry:
 * each clip spreads its T frames over `span` decoded frames (frame f at floor(f·span/T), as the sampler's
 * views do over the `data.windows.length` window), clips start every `stride` frames, an end-aligned clip
 * covers the tail, and indices past the end repeat the last frame. `span` = T and `stride` = T gives
 * consecutive chunks.
 */
export function videoWindows(v: { frames: Uint8Array; n: number; h: number; w: number }, T: number, span = T, stride = span): { data: Float32Array; k: number } {
  const frameSize = v.h * v.w * 3;
  const n = Math.max(1, v.n);
  const starts: number[] = [];
  for (let s = 0; s === 0 || s + span <= n; s += Math.max(1, stride)) starts.push(s);
  const last = starts[starts.length - 1];
  if (n > span && last + span < n) starts.push(n - span);
  const k = starts.length;
  const data = new Float32Array(k * T * frameSize);
  starts.forEach((s0, c) => {
    for (let t = 0; t < T; t++) {
      const src = Math.min(s0 + Math.floor((t * span) / T), v.n - 1);
      if (src < 0) continue; // empty decode: zeros
      const o = (c * T + t) * frameSize;
      for (let j = 0; j < frameSize; j++) data[o + j] = v.frames[src * frameSize + j] / 255;
    }
  });
  return { data, k };
}

async function meanEmbed(embed: (x: Float32Array, n: number) => Promise<Float32Array>, data: Float32Array, k: number, dim: number): Promise<Float32Array> {
  const out = await embed(data, k);
  if (out.length !== k * dim) throw new Error(`encoder returned ${out.length} values for ${k} windows of dim ${dim}`);
  const mean = new Float32Array(dim);
  for (let i = 0; i < k; i++) for (let d = 0; d < dim; d++) mean[d] += out[i * dim + d] / k;
  return mean;
}

/** Embedding width for the settings' modality. */
export function embeddingDim(encoder: Encoder, modality: EmbedModality): number {
  if (modality !== 'audio' && !encoder.video) {
    throw new ProbeError(PROBE.noEncoder.code, `a ${modality} probe needs a video backbone, but the run's model is audio-only`, encoder.runDir,
      'probe the audio embedding instead (modality = audio)');
  }
  return modality === 'audio' ? encoder.audio.dim : modality === 'video' ? encoder.video!.dim : encoder.audio.dim + encoder.video!.dim;
}

/** The informative line of a decoder error (ffmpeg's own message, not the exit code). */
const mediaError = (e: Error) => (e.message.split('\n').map((l) => l.trim()).find((l) => l && !/^ffmpeg exited/.test(l)) ?? e.message).slice(0, 200);

/** Log-mel of a clip with the spec's audio settings, decoded at the spec's sample rate. */
export async function clipMel(path: string, s: EmbedSettings, media: MediaFns): Promise<LogMel> {
  const sr = s.audio.sample_rate;
  const samples = await media.decodeAudio(path, { sampleRate: sr }).catch((e: Error) => {
    throw new ProbeError(PROBE.clipMissing.code, `cannot decode the clip's audio: ${mediaError(e)}`, path,
      /matches no streams/.test(e.message) ? 'the clip has no audio track: probe this task with modality = video' : undefined);
  });
  return media.logMel(samples, sr, { nFft: s.audio.n_fft, hop: s.audio.hop, mels: s.audio.mels, db: s.audio.db });
}

type DecodedVideo = { frames: Uint8Array; n: number; h: number; w: number };

/** A clip's frames decoded at the spec's fps, short side scaled to `size` and centre-cropped (ffmpeg). */
async function clipFrames(path: string, fps: number, size: number, media: MediaFns): Promise<DecodedVideo> {
  return media.decodeVideo(path, { fps, size }).catch((e: Error) => {
    throw new ProbeError(PROBE.clipMissing.code, `cannot decode the clip's video: ${mediaError(e)}`, path,
      /matches no streams/.test(e.message) ? 'the clip has no video track: probe this task with modality = audio' : undefined);
  });
}

/**
 * Decoded frames of a clip, from `<dir>/<key16>.rgb` when present, else decoded and written atomically.
 * The key is the file's identity (device, inode, size, mtime) and the decode settings: the synthetic
 * corpus hard-links one clip into several tasks (video_scene and video_speakers share theirs), so each
 * clip is decoded once for every task, and every checkpoint probed on it (one ffmpeg process per clip
 * otherwise: most of a video probe's time at CPU scale). A rewritten clip has a new mtime or inode.
 */
export async function cachedClipFrames(path: string, fps: number, size: number, media: MediaFns, dir: string): Promise<DecodedVideo> {
  let st;
  try { st = statSync(path); } catch { return clipFrames(path, fps, size, media); }
  const key = sha256(canonicalJson({ v: 1, dev: st.dev, ino: st.ino, size: st.size, mtime: Math.round(st.mtimeMs), fps, crop: size })).slice(0, 16);
  const file = join(dir, `${key}.rgb`);
  try {
    const buf = readFileSync(file);
    const head = new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + 12));
    const [n, h, w] = head;
    if (buf.length === 12 + n * h * w * 3) return { frames: new Uint8Array(buf.buffer, buf.byteOffset + 12, n * h * w * 3), n, h, w };
  } catch { /* not cached yet */ }
  const v = await clipFrames(path, fps, size, media);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, Buffer.concat([Buffer.from(new Uint32Array([v.n, v.h, v.w]).buffer), Buffer.from(v.frames.buffer, v.frames.byteOffset, v.n * v.h * v.w * 3)]));
  renameSync(tmp, file);
  return v;
}

/**
 * Embeds one clip into `dim` floats (`mel`: its log-mel when already computed; `videoIn`: its frames when
 * already decoded at the spec's fps and the encoder's crop).
 */
export async function embedClip(path: string, encoder: Encoder, s: EmbedSettings, media: MediaFns, melIn?: LogMel, videoIn?: DecodedVideo): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  if (s.modality !== 'video') {
    const sr = s.audio.sample_rate;
    const mel = melIn ?? await clipMel(path, s, media);
    if (mel.mels !== encoder.audio.mels) {
      throw new ProbeError(PROBE.noEncoder.code, `the encoder expects ${encoder.audio.mels} mel bands but the spec's audio view has ${mel.mels}`, encoder.runDir);
    }
    const stride = Math.max(1, Math.round((s.window * sr) / s.audio.hop));
    const w = audioWindows(mel, encoder.audio.frames, stride);
    parts.push(await meanEmbed((x, n) => encoder.audio.embed(x, n), w.data, w.k, encoder.audio.dim));
  }
  if (s.modality !== 'audio') {
    const video = encoder.video!;
    const [T, H] = video.shape;
    const v = videoIn ?? await clipFrames(path, s.video.fps, H, media);
    // Training views spread T frames over the view window (runtime/media/sampler.ts); probes use the same geometry.
    const span = s.viewSeconds ? Math.max(T, Math.round(s.viewSeconds * s.video.fps)) : T;
    const w = videoWindows(v, T, span, Math.max(1, Math.round(s.window * s.video.fps)));
    parts.push(await meanEmbed((x, n) => video.embed(x, n), w.data, w.k, video.dim));
  }
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts[0].length + parts[1].length);
  out.set(parts[0]); out.set(parts[1], parts[0].length);
  return out;
}

/**
 * Log-mels of every clip of a task, shared by all checkpoints (they do not depend on the weights): read from
 * `<dir>/<task>-<key12>.{f32,json}` when present, else computed and written atomically. Saves a decode and
 * an STFT per clip for every further run probed on the same task — the tiny grid probes four.
 */
export async function taskMels(task: HearTask, s: EmbedSettings, media: MediaFns, dir: string,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<LogMel[]> {
  const key = sha256(canonicalJson({ v: 1, content: taskFingerprint(task), dir: task.dir,
    audio: { sample_rate: s.audio.sample_rate, n_fft: s.audio.n_fft, hop: s.audio.hop, mels: s.audio.mels, db: s.audio.db } }));
  const base = join(dir, `${task.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${key.slice(0, 12)}`);
  try {
    const index = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { key: string; mels: number; frames: number[] };
    const buf = readFileSync(`${base}.f32`);
    const total = index.frames.reduce((a, f) => a + f, 0);
    if (index.key === key && index.frames.length === task.clips.length && buf.length === total * index.mels * 4) {
      const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
      let o = 0;
      return index.frames.map((f) => { const m = { data: all.subarray(o, o + f * index.mels), frames: f, mels: index.mels }; o += f * index.mels; return m; });
    }
  } catch { /* no cache yet */ }
  const out: LogMel[] = [];
  for (let i = 0; i < task.clips.length; i++) {
    if (opts.signal?.aborted) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
    out.push(await clipMel(clipPath(task, task.clips[i], s.audio.sample_rate), s, media));
    opts.onProgress?.(i + 1, task.clips.length);
  }
  mkdirSync(dir, { recursive: true });
  const total = out.reduce((a, m) => a + m.data.length, 0);
  const all = new Float32Array(total);
  let o = 0; for (const m of out) { all.set(m.data, o); o += m.data.length; }
  const tmp = `${base}.tmp-${process.pid}`;
  writeFileSync(`${tmp}.f32`, Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  renameSync(`${tmp}.f32`, `${base}.f32`);
  writeFileSync(`${tmp}.json`, JSON.stringify({ key, task: task.name, mels: s.audio.mels, frames: out.map((m) => m.frames) }));
  renameSync(`${tmp}.json`, `${base}.json`);
  return out;
}

/**
 * Embeddings of every clip of `task`, from `<runDir>/embeddings/<task>-<key12>/` when cached, else computed
 * and written there atomically (temp dir + rename). `onProgress` fires after each clip that is computed.
 */
export async function taskEmbeddings(task: HearTask, encoder: Encoder, s: EmbedSettings, media: MediaFns, runDir: string,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; /** Probe task name (default the HEAR task_name). */ name?: string;
    /** Shared log-mel cache directory (see taskMels); none = compute per clip. */ melCacheDir?: string } = {}): Promise<EmbeddingSet & { cached: boolean }> {
  const key = embeddingKey(encoder, task, s);
  const name = opts.name ?? task.name;
  const safeName = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  const dir = join(runDir, 'embeddings', `${safeName}-${key.slice(0, 12)}`);
  const clipsMeta = task.clips.map((c) => ({ file: c.file, split: c.split, labels: c.labels.map((l) => task.labels[l]) }));
  const dim = embeddingDim(encoder, s.modality);
  const metaPath = join(dir, 'meta.json');
  if (existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
      const buf = readFileSync(join(dir, 'embeddings.f32'));
      if (meta.key === key && meta.n === task.clips.length && buf.length === meta.n * meta.dim * 4) {
        const x = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
        return { x, n: meta.n, dim: meta.dim, clips: meta.clips, task: name, key, cached: true };
      }
    } catch { /* unreadable cache: recompute below */ }
  }
  const x = new Float32Array(task.clips.length * dim);
  const mels = opts.melCacheDir && s.modality !== 'video' ? await taskMels(task, s, media, opts.melCacheDir, opts) : null;
  const paths = task.clips.map((c) => clipPath(task, c, s.audio.sample_rate));
  // Video: frames come from the shared decode cache, and the next clips decode (ffmpeg, its own process)
  // while this one is embedded, so the decoder and the encoder use the two cores side by side.
  const size = encoder.video?.shape[1];
  const frames = s.modality !== 'audio' && size !== undefined
    ? (i: number) => (opts.melCacheDir ? cachedClipFrames(paths[i], s.video.fps, size, media, join(opts.melCacheDir, 'video')) : clipFrames(paths[i], s.video.fps, size, media))
    : null;
  const LOOKAHEAD = 2;
  const pending = new Map<number, Promise<DecodedVideo>>();
  const fetch = (i: number) => {
    if (!frames || i >= paths.length || pending.has(i)) return;
    const p = frames(i);
    p.catch(() => undefined); // awaited (and reported) when its clip's turn comes
    pending.set(i, p);
  };
  try {
    for (let i = 0; i < task.clips.length; i++) {
      if (opts.signal?.aborted) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
      for (let j = i; j <= i + LOOKAHEAD; j++) fetch(j);
      const v = pending.get(i);
      pending.delete(i);
      x.set(await embedClip(paths[i], encoder, s, media, mels?.[i], v ? await v : undefined), i * dim);
      if (!mels) opts.onProgress?.(i + 1, task.clips.length);
    }
  } finally {
    // Decodes started ahead of an error or an interrupt finish on their own; none is left unobserved.
    await Promise.allSettled(pending.values());
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'embeddings.f32'), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  writeFileSync(join(tmp, 'meta.json'), JSON.stringify({
    key, task: name, hearTask: task.name, taskDir: task.dir, modality: s.modality, checkpoint: encoder.specHash, n: task.clips.length, dim,
    labels: task.labels, prediction: task.prediction, clips: clipsMeta,
  }, null, 1));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { x, n: task.clips.length, dim, clips: clipsMeta, task: name, key, cached: false };
}
