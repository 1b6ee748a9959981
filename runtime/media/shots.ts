// Shot segmentation: a sidecar `<name>.cuts.json` ({ "cuts": [seconds…] }) when present, otherwise ffmpeg's
// scene-change score (`select=gt(scene,T)` + showinfo). Both passes also tell how much of the file really
// decodes, which is how truncated files are caught.
import { existsSync, readFileSync } from 'node:fs';
import type { Shot } from '../contracts.ts';
import { spawn } from 'node:child_process';
import { runFfmpeg } from './decode.ts';
import { ffmpegPath } from './ffmpeg.ts';
import { DataCodes, LssdError, firstLine } from './errors.ts';

/** `<dir>/<base>.cuts.json` for `<dir>/<base>.<ext>`. */
export function sidecarPath(mediaPath: string): string {
  return mediaPath.replace(/\.[^./]+$/, '') + '.cuts.json';
}

export function readSidecarCuts(path: string): number[] | null {
  if (!existsSync(path)) return null;
  let j: unknown;
  try { j = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    throw new LssdError(DataCodes.badSidecar, `cuts sidecar is not valid JSON (${(e as Error).message})`, { path, hint: 'expected { "cuts": [seconds, …] }' });
  }
  const cuts = (j as { cuts?: unknown })?.cuts;
  if (!Array.isArray(cuts) || cuts.some((c) => typeof c !== 'number' || !Number.isFinite(c) || c < 0)) {
    throw new LssdError(DataCodes.badSidecar, 'cuts sidecar has no `cuts` array of non-negative seconds', { path, hint: 'expected { "cuts": [seconds, …] }' });
  }
  return [...(cuts as number[])].sort((a, b) => a - b);
}

/** Last `time=HH:MM:SS.xx` progress stamp in ffmpeg's stderr, in seconds (NaN if none). */
export function lastProgressTime(stderr: string): number {
  const all = [...stderr.matchAll(/time=\s*(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
  if (!all.length) return NaN;
  const m = all[all.length - 1];
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

// ---- content-based cut detection ---------------------------------------------------------------
//
// What a cut is, for this detector: a frame whose change from the previous frame is an outlier against
// the changes around it. PySceneDetect (the field's reference) scores each frame by the mean per-pixel
// HSV change from its predecessor and compares it to a fixed threshold (ContentDetector, 27 of 255) or
// to the mean score of ±2 neighbouring frames (AdaptiveDetector: ratio ≥ 3, and at least 15 of 255).
// A fixed threshold misses cuts between two shots that look alike (two shots of the same room) and
// fires on fast motion; a ratio alone fires on near-static footage. This detector keeps the adaptive
// idea and changes what is scored and how the baseline is taken:
//  - frames are scaled to 64 px wide and cut into 8×8-pixel blocks; each block keeps its mean luma
//    (minus the frame's mean and divided by its spread, so a global brightness or contrast change —
//    flicker, a flash, an exposure change — costs little) and its mean chroma (U, V). Block means
//    average out grain and sensor noise, which per-pixel differences do not;
//  - the score of frame i is the mean block distance to frame i − 1 (luma weighted ½), 0..1;
//  - the local baseline is the median (not the mean) of ±6 neighbours, so a second cut or a flash
//    inside the window does not raise it;
//  - a candidate must also change the content over a longer span: the mean of the 4 frames after it
//    against the mean of the 4 before must keep half of the candidate's score. A flash, a strobe or a
//    dropped frame returns to the old content and is rejected (PySceneDetect's flash filter only
//    enforces a minimum scene length);
//  - a second path finds cuts that per-frame noise hides (film grain, rain, snow): the span distance
//    itself as an outlier against the span distances one to two spans away;
//  - fades through black or white are found by mean luma crossing a floor (ThresholdDetector's idea)
//    and cut in the middle of the dark run.
// `minScene` (PySceneDetect's min_scene_len) keeps the stronger of two cuts closer than that.

/** Parameters of the content detector (defaults in DETECTOR_DEFAULTS). */
export interface DetectorOptions {
  /** A cut's score must be at least this many times the local median (PySceneDetect adaptive_threshold: 3; `scene(threshold = t)` sets 10·t). */
  ratio: number;
  /** …and at least this absolute score, 0..1 (a near-static shot's small motions stay below it). */
  minScore: number;
  /** Neighbours on each side for the local median (frames; PySceneDetect window_width: 2). */
  window: number;
  /** Frames on each side whose per-component median is compared for the span distance (noisy cuts). */
  span: number;
  /** Frames skipped on each side of the candidate before the span windows (a flash up to this long returns to the old content). */
  gap: number;
  /** The span distance must keep this share of the cut's own score. */
  keep: number;
  /** Span-path ratio: the span distance against its median one to two spans away. */
  spanRatio: number;
  /** Shortest shot, seconds (PySceneDetect min_scene_len, 15 frames ≈ 0.6 s at 25 fps). */
  minScene: number;
  /** Mean luma (0..255) below which a frame counts as black (above 255 − this: white), for fades; its spread must be below it too. */
  fadeFloor: number;
}

export const DETECTOR_DEFAULTS: Readonly<DetectorOptions> = { ratio: 3, minScore: 0.03, window: 6, span: 5, gap: 2, keep: 0.5, spanRatio: 3, minScene: 0.6, fadeFloor: 16 };

/** Width frames are scaled to before scoring (height keeps the aspect, even). */
export const SCORE_WIDTH = 64;
const BLOCK = 8;
const LUMA_WEIGHT = 0.5;
/** Luma spread blocks are normalised to (0..255 scale): a frame of typical contrast keeps its values. */
const LUMA_SPREAD = 40;

/** Per-frame statistics, streamed: nothing but these few numbers is kept per frame. */
export interface FrameStats {
  /** Presentation times (s), relative to the container start. */
  times: number[];
  /** Change from the previous frame, 0..1 (frame 0: 0). */
  score: number[];
  /** Mean luma 0..255. */
  luma: number[];
  /** Spread (standard deviation) of luma, 0..255: a black or white frame is dark/bright and flat. */
  spread: number[];
  /** Block features of each frame (3 per block), kept for the span distance. */
  features: Float32Array[];
}

/** Block features of one rgb24 frame: per 8×8 block (normalised luma, U, V); and the frame's mean luma. */
export function frameFeatures(rgb: Uint8Array, w: number, h: number): { feat: Float32Array; luma: number; spread: number } {
  const bw = Math.max(1, Math.floor(w / BLOCK)), bh = Math.max(1, Math.floor(h / BLOCK));
  const nb = bw * bh;
  const feat = new Float32Array(nb * 3);
  const counts = new Float32Array(nb);
  let ys = 0, yy = 0;
  for (let y = 0; y < h; y++) {
    const row = Math.min(bh - 1, Math.floor(y / BLOCK)) * bw;
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
      const Y = 0.299 * r + 0.587 * g + 0.114 * b;
      const k = (row + Math.min(bw - 1, Math.floor(x / BLOCK))) * 3;
      feat[k] += Y; feat[k + 1] += -0.169 * r - 0.331 * g + 0.5 * b; feat[k + 2] += 0.5 * r - 0.419 * g - 0.081 * b;
      counts[k / 3]++;
      ys += Y; yy += Y * Y;
    }
  }
  const n = w * h, mean = ys / n, spread = Math.sqrt(Math.max(1, yy / n - mean * mean));
  for (let k = 0; k < nb; k++) {
    const c = counts[k] || 1;
    feat[k * 3] = ((feat[k * 3] / c) - mean) * (LUMA_SPREAD / spread);
    feat[k * 3 + 1] /= c; feat[k * 3 + 2] /= c;
  }
  return { feat, luma: mean, spread: Math.sqrt(Math.max(0, yy / n - mean * mean)) };
}

/** Mean block distance between two feature vectors, 0..1 (luma weighted LUMA_WEIGHT). */
export function featureDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k += 3) s += LUMA_WEIGHT * Math.abs(a[k] - b[k]) + Math.abs(a[k + 1] - b[k + 1]) + Math.abs(a[k + 2] - b[k + 2]);
  return Math.min(1, s / (a.length / 3) / 255);
}

/** Streams the first video stream of `path` through ffmpeg at SCORE_WIDTH and scores each frame. */
export async function scoreVideo(path: string, opts: { width: number; height: number; stream?: number }): Promise<FrameStats> {
  const w = SCORE_WIDTH;
  const h = Math.max(2, 2 * Math.round((w * (opts.height || 9) / (opts.width || 16)) / 2));
  const frameBytes = w * h * 3;
  const stats: FrameStats = { times: [], score: [], luma: [], spread: [], features: [] };
  const pts: number[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let prev: Float32Array | null = null;
  const onFrame = (frame: Uint8Array) => {
    const { feat, luma, spread } = frameFeatures(frame, w, h);
    stats.score.push(prev ? featureDistance(prev, feat) : 0);
    stats.luma.push(luma);
    stats.spread.push(spread);
    stats.features.push(feat);
    prev = feat;
  };
  const map = opts.stream === undefined ? '0:v:0' : `0:${opts.stream}`;
  await new Promise<void>((resolve, reject) => {
    const p = spawn(ffmpegPath(), ['-hide_banner', '-nostdin', '-v', 'info', '-nostats', '-i', path, '-map', map, '-an', '-sn', '-vsync', '0',
      '-vf', `scale=${w}:${h}:flags=area,showinfo`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '', partial = '';
    p.stdout.on('data', (b: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, b]) : b;
      let off = 0;
      while (pending.length - off >= frameBytes) { onFrame(pending.subarray(off, off + frameBytes)); off += frameBytes; }
      pending = off ? Buffer.from(pending.subarray(off)) : pending;
    });
    p.stderr.on('data', (b: Buffer) => {
      const text = partial + b.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        const m = /Parsed_showinfo.*\bpts_time:\s*(-?[\d.]+)/.exec(l);
        if (m) pts.push(Number(m[1])); else tail = (tail + l + '\n').slice(-4000);
      }
    });
    p.on('error', reject);
    p.on('close', (code) => code === 0 ? resolve() : reject(new Error(`ffmpeg exited with code ${code}\n${tail}`)));
  });
  const n = stats.score.length;
  // ffmpeg already subtracts the input's start time from what the filters see (no -copyts), so
  // showinfo's times are relative to the container start (an MPEG-TS starting at 1.4 s starts at 0 here).
  const t0 = 0;
  // showinfo prints one line per frame in output order; fall back to an even spacing if any were lost.
  stats.times = pts.length >= n ? pts.slice(0, n).map((t) => t - t0) : Array.from({ length: n }, (_, i) => (pts[0] ?? t0) - t0 + i * ((pts[pts.length - 1] - pts[0]) / Math.max(1, pts.length - 1) || 0));
  return stats;
}

const median = (xs: number[]) => { if (!xs.length) return 0; const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Per-component median of frames [from, to): a flash or a dropped frame inside the window does not move it. */
function windowFeature(fs: Float32Array[], from: number, to: number): Float32Array {
  const out = new Float32Array(fs[0].length);
  const a = Math.max(0, from), b = Math.min(fs.length, to);
  if (b <= a) return out;
  const col = new Float32Array(b - a);
  for (let j = 0; j < out.length; j++) {
    for (let i = a; i < b; i++) col[i - a] = fs[i][j];
    col.sort();
    const m = col.length >> 1;
    out[j] = col.length % 2 ? col[m] : (col[m - 1] + col[m]) / 2;
  }
  return out;
}

/** A detected boundary: the first frame of the new shot, and why. */
export interface DetectedCut { time: number; frame: number; kind: 'cut' | 'fade'; score: number }

/** Cuts from per-frame statistics (pure: bench/shots.ts and the tests drive it with their own frames). */
export function detectCuts(st: Pick<FrameStats, 'times' | 'score' | 'luma' | 'spread' | 'features'>, o: DetectorOptions = DETECTOR_DEFAULTS): DetectedCut[] {
  const n = st.score.length;
  if (n < 3) return [];
  const fps = (n - 1) / Math.max(1e-6, st.times[n - 1] - st.times[0]);
  const minGap = Math.max(1, Math.round(o.minScene * fps));
  const K = o.span;
  // Black (white) and flat: a night scene is dark but has structure; the middle of a fade has none.
  const dark = (i: number) => (st.luma[i] < o.fadeFloor || st.luma[i] > 255 - o.fadeFloor) && st.spread[i] < o.fadeFloor;
  // span[i]: the K frames from i against the K frames before i (the noisy-cut path). A cut must also
  // survive leaving `gap` frames out on either side — before[i] compares what came before i with what
  // follows the gap, after[i] what precedes the gap with what follows i — which a flash (or a strobe, a
  // dropped frame) of up to `gap` frames does not: the content on both sides of it is the same.
  const G = o.gap;
  const span = new Array<number>(n).fill(0), confirm = new Array<number>(n).fill(0), confirmSpan = new Array<number>(n).fill(0);
  for (let i = 1; i < n; i++) {
    span[i] = featureDistance(windowFeature(st.features, i - K, i), windowFeature(st.features, i, i + K));
    const a = i + G < n ? featureDistance(st.features[i - 1], st.features[i + G]) : 0;
    const b = i - 1 - G >= 0 ? featureDistance(st.features[i - 1 - G], st.features[i]) : 0;
    confirm[i] = Math.min(a, b);
    confirmSpan[i] = Math.min(featureDistance(windowFeature(st.features, i - K, i), windowFeature(st.features, i + G, i + G + K)),
      featureDistance(windowFeature(st.features, i - G - K, i - G), windowFeature(st.features, i, i + K)));
  }
  // A fade reaches black gradually: no single frame's luma step carries most of the change over `span` frames.
  const gradual = (from: number, to: number) => {
    const a = Math.max(0, Math.min(from, to)), b = Math.min(n - 1, Math.max(from, to));
    let step = 0;
    for (let k = a + 1; k <= b; k++) step = Math.max(step, Math.abs(st.luma[k] - st.luma[k - 1]));
    return step < 0.6 * Math.abs(st.luma[b] - st.luma[a]);
  };
  const cands: DetectedCut[] = [];
  for (let i = 1; i < n; i++) {
    const s = st.score[i];
    // Hard cut: an outlier frame-to-frame change that survives leaving a flash out.
    if (s < o.minScore || s < st.score[i - 1] || (i + 1 < n && s < st.score[i + 1])) continue;
    const around: number[] = [];
    for (let k = i - o.window; k <= i + o.window; k++) if (k !== i && k >= 1 && k < n) around.push(st.score[k]);
    if (s >= o.ratio * median(around) && confirm[i] >= o.keep * s) cands.push({ time: st.times[i], frame: i, kind: 'cut', score: s });
  }
  // Noisy cut (away from hard cuts): the span distance peaks here, well above its value one to two spans away.
  const hardFrames = cands.map((c) => c.frame);
  for (let i = K; i + K <= n; i++) {
    const L = span[i];
    if (L < o.minScore || hardFrames.some((f) => Math.abs(f - i) < minGap)) continue;
    let peak = true;
    for (let k = i - K + 1; k < i + K && peak; k++) if (k !== i && k >= 1 && k < n && (span[k] > L || (span[k] === L && k < i))) peak = false;
    if (!peak) continue;
    const far: number[] = [];
    for (let k = i - 2 * K; k <= i + 2 * K; k++) if (Math.abs(k - i) >= K && k >= 1 && k < n) far.push(span[k]);
    if (!far.length || L < o.spanRatio * median(far) || confirmSpan[i] < o.keep * L) continue;
    // The boundary: the largest frame-to-frame change next to the peak.
    let best = i;
    for (let k = Math.max(1, i - 2); k <= Math.min(n - 1, i + 2); k++) if (st.score[k] > st.score[best]) best = k;
    cands.push({ time: st.times[best], frame: best, kind: 'cut', score: L });
  }
  // Fades: a run of black (white) frames between lit content, reached gradually (a hard cut into a dark
  // shot is a cut, found above); the boundary in the middle of the run.
  const hard = new Set(cands.map((c) => c.frame));
  const near = (f: number) => hard.has(f - 1) || hard.has(f) || hard.has(f + 1);
  for (let i = 1; i < n; i++) {
    if (!dark(i) || dark(i - 1)) continue;
    let j = i; while (j + 1 < n && dark(j + 1)) j++;
    if (j + 1 < n && !near(i) && !near(j + 1) && (gradual(i - K, i) || gradual(j, j + K))) { const mid = Math.round((i + j + 1) / 2); cands.push({ time: st.times[mid], frame: mid, kind: 'fade', score: 1 }); }
    i = j;
  }
  cands.sort((a, b) => a.frame - b.frame || b.score - a.score);
  const out: DetectedCut[] = [];
  for (const c of cands) {
    if (c.frame < minGap || n - c.frame < minGap) continue;
    const last = out[out.length - 1];
    if (last && c.frame - last.frame < minGap) { if (c.score > last.score && last.kind !== 'fade') out[out.length - 1] = c; continue; }
    out.push(c);
  }
  return out;
}

/** `scene(threshold = t)` ↔ the adaptive ratio: a cut's change must be 10·t times its neighbours' (0.3 → 3, PySceneDetect's default). */
export const ratioOfThreshold = (t: number) => 10 * t;

/**
 * Scene cuts of a file's video by content (see above); times relative to the container start.
 * `threshold` in (0,1) sets the adaptive ratio (ratioOfThreshold): lower finds more cuts.
 */
export async function detectSceneCuts(path: string, threshold: number, video?: { width: number; height: number; stream?: number } | null): Promise<number[]> {
  if (!(threshold > 0 && threshold < 1)) throw new LssdError(DataCodes.badArgument, `scene threshold must be in (0,1), got ${threshold}`, { hint: 'typical values 0.2–0.4 (0.3: a cut changes the picture 3× more than the frames around it)' });
  let st: FrameStats;
  try { st = await scoreVideo(path, { width: video?.width ?? 16, height: video?.height ?? 9, stream: video?.stream }); } catch (e) {
    throw new LssdError(DataCodes.decodeFailed, `scene detection failed: ${firstLine(e)}`, { path, hint: 'the file may be damaged; provide a .cuts.json sidecar to skip detection' });
  }
  return detectCuts(st, { ...DETECTOR_DEFAULTS, ratio: ratioOfThreshold(threshold) }).map((c) => round3(Math.max(0, c.time)));
}

/** Seconds of audio that actually decode (fast: decode to null). */
export async function decodableSeconds(path: string, stream: number): Promise<number> {
  try {
    const r = await runFfmpeg(['-v', 'error', '-stats', '-i', path, '-map', `0:${stream}`, '-f', 'null', '-']);
    return lastProgressTime(r.stderr);
  } catch (e) {
    throw new LssdError(DataCodes.decodeFailed, `audio does not decode: ${firstLine(e)}`, { path, hint: 'the file may be damaged' });
  }
}

/** Shots between consecutive cuts (cuts outside (0, duration) ignored; shots shorter than 1 frame dropped). */
export function cutsToShots(cuts: number[], duration: number, minGap = 0.04): Shot[] {
  const bounds = [0, ...cuts.filter((c) => c > minGap && c < duration - minGap), duration];
  const shots: Shot[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = bounds[i], end = bounds[i + 1];
    if (end - start < minGap) continue;
    shots.push({ index: shots.length, start: round3(start), end: round3(end) });
  }
  return shots;
}

export const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Splits shots by the spec's length bounds (inclusive) and counts the rest. */
export function boundShots<T extends { start: number; end: number }>(shots: T[], min: number, max: number): { kept: T[]; tooShort: number; tooLong: number } {
  const kept: T[] = []; let tooShort = 0, tooLong = 0;
  for (const s of shots) {
    const len = s.end - s.start;
    if (len < min - 1e-6) tooShort++;
    else if (len > max + 1e-6) tooLong++;
    else kept.push(s);
  }
  return { kept, tooShort, tooLong };
}

/** Precision, recall and F1 of detected boundaries against truth; a match lies within `tolerance` seconds (one-to-one, nearest first). */
export function scoreBoundaries(truth: { time: number; tolerance: number }[], detected: number[]): { tp: number; fp: number; fn: number; precision: number; recall: number; f1: number; missed: number[]; extra: number[] } {
  const pairs: { d: number; ti: number; di: number }[] = [];
  truth.forEach((t, ti) => detected.forEach((x, di) => { const d = Math.abs(x - t.time); if (d <= t.tolerance + 1e-6) pairs.push({ d, ti, di }); }));
  pairs.sort((a, b) => a.d - b.d);
  const usedT = new Set<number>(), usedD = new Set<number>();
  for (const p of pairs) if (!usedT.has(p.ti) && !usedD.has(p.di)) { usedT.add(p.ti); usedD.add(p.di); }
  const tp = usedT.size, fp = detected.length - tp, fn = truth.length - tp;
  const precision = detected.length ? tp / detected.length : 1, recall = truth.length ? tp / truth.length : 1;
  return { tp, fp, fn, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    missed: truth.filter((_, i) => !usedT.has(i)).map((t) => t.time), extra: detected.filter((_, i) => !usedD.has(i)) };
}
