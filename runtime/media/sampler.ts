// The paper's batch sampler (§4.1, appendix A, B.3). Per device batch: draw a title uniformly, take a
// group of `sameTitle` distinct shots from it (the positive and its same-title hard negatives: B.3's
// k = 12 → groups of 13, 26 = 2 × 13), repeat until the device batch is full; groups fill it exactly
// (sameTitleBatchRule checks this at check time). A title with fewer shots than a group gives all of
// them and the next title drawn completes the group (ensureDataset counts such titles in a warning).
// Each shot yields the quadruplet (v_p, a_p, v_s, a_s) from two random temporal windows; a_s comes from a
// dub chosen by the policy, falling back to a second augmentation of the primary track when none exists.
// Augmentations: the cached frame is the whole frame (aspect kept, short side = scale.max): a random
// short-side scale in [scale.min, scale.max], then a random `crop` square anywhere in the scaled frame
// (appendix A: "randomly scale the shorter side of video within 256–320, then a random 224×224 crop"),
// and a flip, for video; one time and one frequency mask (width up to the given fraction, filled with the window
// mean) for audio. Every draw is a pure function of (seed, step, example, purpose).
import type { Batch } from '../contracts.ts';
import type { Lang } from '../../compiler/spec.ts';
import type { FeatureReader } from './features.ts';
import { rng, type Rng } from './rng.ts';
import { repeatChannels } from './channels.ts';

export interface Track { stream: number; lang: Lang }

export interface SamplerTitle {
  /** Value written to Batch.title (position in Dataset.titles). */
  index: number;
  reader: FeatureReader | null;
  shots: { index: number; start: number; end: number }[];
  primary: Track;
  /** Tracks eligible as a_s: languages other than the primary's (never the speech-removed stem). */
  dubs: Track[];
}

export interface SamplerConfig {
  seed: number;
  batchSize: number;
  /** Device batches of batchSize/devices each draw their own titles (the paper's per-GPU composition). */
  devices: number;
  /** Clips per same-title group (the positive plus its same-title hard negatives); divides the device batch. */
  sameTitle: number;
  /** Window length (s) of each of the two temporal windows. */
  windowLength: number;
  policy: 'off' | 'fixed' | 'random' | 'round_robin' | 'any';
  languages: Lang[];
  /** size: the cached short side (= scaleMax); each title's cached width × height is in its reader's meta. */
  video: { fps: number; frames: number; size: number; scaleMin: number; scaleMax: number; crop: number; flip: boolean } | null;
  /** channels: 1 (mono) or 2 (pseudo-stereo: the masked mono view duplicated, B.3); default 1. */
  audio: { frames: number; mels: number; framesPerSecond: number; timeMask: number; freqMask: number; channels?: number };
}

/** One example's draws, before any feature is read (what the composition tests check). */
export interface ExamplePlan {
  title: number; // position in the sampler's title list
  shot: number; // position in that title's shot list
  windows: [number, number]; // start times (s) of the primary and secondary windows
  primary: Track;
  secondary: Track;
  dubbed: boolean;
}

// Purposes for independent random streams.
const P_COMPOSE = 1, P_EXAMPLE = 2, P_VIDEO_P = 3, P_VIDEO_S = 4, P_AUDIO_P = 5, P_AUDIO_S = 6;

export class Sampler {
  private readonly per: number;
  private readonly devices: number;

  constructor(readonly titles: SamplerTitle[], readonly cfg: SamplerConfig) {
    if (titles.length === 0) throw new RangeError('Sampler: no titles');
    if (!(cfg.batchSize > 0)) throw new RangeError(`Sampler: batchSize must be positive, got ${cfg.batchSize}`);
    this.devices = cfg.devices > 0 && cfg.batchSize % cfg.devices === 0 ? cfg.devices : 1;
    this.per = cfg.batchSize / this.devices;
    if (!(Number.isInteger(cfg.sameTitle) && cfg.sameTitle >= 1 && this.per % cfg.sameTitle === 0)) {
      throw new RangeError(`Sampler: same-title groups of ${cfg.sameTitle} do not fill a device batch of ${this.per}`);
    }
  }

  /** Which titles / shots / windows / tracks make up batch `step`. */
  plan(step: number): ExamplePlan[] {
    const { seed } = this.cfg;
    const G = this.cfg.sameTitle, N = this.titles.length;
    const out: ExamplePlan[] = [];
    for (let d = 0; d < this.devices; d++) {
      const r = rng(seed, step, P_COMPOSE, d);
      const used = new Set<number>();
      // `need`: clips still missing from the current group (a short title leaves some for the next one).
      for (let filled = 0, need = G; filled < this.per;) {
        let t = r.int(N);
        // Distinct titles within a device batch while there are unused ones (keeps cross-title negatives).
        if (used.size < N) while (used.has(t)) t = (t + 1) % N;
        used.add(t);
        const g = Math.min(need, this.titles[t].shots.length);
        for (const s of pickDistinct(r, this.titles[t].shots.length, g)) out.push(this.example(step, out.length, t, s));
        filled += g;
        need = need - g || G;
      }
    }
    return out;
  }

  private example(step: number, e: number, t: number, s: number): ExamplePlan {
    const title = this.titles[t];
    const shot = title.shots[s];
    const r = rng(this.cfg.seed, step, P_EXAMPLE, e);
    const L = this.cfg.windowLength;
    const hi = Math.max(shot.start, shot.end - L);
    const w0 = r.range(shot.start, hi), w1 = r.range(shot.start, hi);
    const secondary = this.pickSecondary(r, step, title);
    return { title: t, shot: s, windows: [w0, w1], primary: title.primary, secondary: secondary ?? title.primary, dubbed: secondary !== null };
  }

  private pickSecondary(r: Rng, step: number, title: SamplerTitle): Track | null {
    const { policy, languages } = this.cfg;
    const dubs = title.dubs;
    if (policy === 'off' || dubs.length === 0) return null;
    const byLang = (l: Lang | undefined) => dubs.find((d) => d.lang === l) ?? null;
    switch (policy) {
      case 'fixed': return byLang(languages[0]);
      case 'round_robin': return languages.length ? byLang(languages[step % languages.length]) : null;
      case 'random': {
        const c = dubs.filter((d) => languages.includes(d.lang));
        return c.length ? c[r.int(c.length)] : null;
      }
      case 'any': return dubs[r.int(dubs.length)];
    }
  }

  /** Reads features and applies augmentations for batch `step` (synchronous file reads). */
  batch(step: number): Batch {
    const plan = this.plan(step);
    const B = plan.length;
    const { audio: A, video: V } = this.cfg;
    const C = A.channels ?? 1;
    const ap = new Float32Array(B * A.frames * A.mels * C), as = new Float32Array(B * A.frames * A.mels * C);
    const mono = C > 1 ? new Float32Array(A.frames * A.mels) : null;
    const vsz = V ? V.frames * V.crop * V.crop * 3 : 0;
    const vp = V ? new Float32Array(B * vsz) : null, vs = V ? new Float32Array(B * vsz) : null;
    const frameBuf = V ? { buf: new Uint8Array(0) } : null;
    const title = new Int32Array(B), shot = new Int32Array(B), dubbed = new Uint8Array(B);
    const langP: Lang[] = [], langS: Lang[] = [];
    plan.forEach((p, e) => {
      const t = this.titles[p.title];
      title[e] = t.index; shot[e] = t.shots[p.shot].index; dubbed[e] = p.dubbed ? 1 : 0;
      langP.push(p.primary.lang); langS.push(p.secondary.lang);
      const asz = A.frames * A.mels * C;
      for (const [arr, stream, w, purpose] of [[ap, p.primary.stream, p.windows[0], P_AUDIO_P], [as, p.secondary.stream, p.windows[1], P_AUDIO_S]] as const) {
        const dst = arr.subarray(e * asz, (e + 1) * asz);
        // Masks are drawn once on the mono view, so both channels of a pseudo-stereo view are identical.
        this.audioView(t, stream, w, rng(this.cfg.seed, step, purpose, e), mono ?? dst);
        if (mono) repeatChannels(mono, C, dst);
      }
      if (V && vp && vs && frameBuf) {
        this.videoView(t, p.windows[0], rng(this.cfg.seed, step, P_VIDEO_P, e), vp.subarray(e * vsz, (e + 1) * vsz), frameBuf);
        this.videoView(t, p.windows[1], rng(this.cfg.seed, step, P_VIDEO_S, e), vs.subarray(e * vsz, (e + 1) * vsz), frameBuf);
      }
    });
    return {
      size: B, vp, vs, videoShape: V ? [B, V.frames, V.crop, V.crop, 3] : null,
      ap, as, audioShape: [B, A.frames, A.mels, C], title, shot, langP, langS, dubbed,
    };
  }

  private audioView(t: SamplerTitle, stream: number, start: number, r: Rng, out: Float32Array): void {
    const A = this.cfg.audio;
    if (!t.reader) throw new Error('Sampler: title has no feature reader');
    const total = t.reader.meta.audio[String(stream)]?.frames ?? 0;
    const f0 = Math.max(0, Math.min(Math.round(start * A.framesPerSecond), total - A.frames));
    t.reader.readMel(stream, f0, A.frames, out);
    let mean = 0;
    for (let i = 0; i < out.length; i++) mean += out[i];
    mean /= out.length || 1;
    const tw = r.int(Math.floor(A.timeMask * A.frames) + 1), t0 = r.int(A.frames - tw + 1);
    const fw = r.int(Math.floor(A.freqMask * A.mels) + 1), m0 = r.int(A.mels - fw + 1);
    for (let f = t0; f < t0 + tw; f++) out.fill(mean, f * A.mels, (f + 1) * A.mels);
    if (fw > 0) for (let f = 0; f < A.frames; f++) out.fill(mean, f * A.mels + m0, f * A.mels + m0 + fw);
  }

  /** Where the view of one example lies in its title's cached frame (what the geometry tests check). */
  static viewGeometry(V: NonNullable<SamplerConfig['video']>, frame: { width: number; height: number }, r: Rng): { scale: number; width: number; height: number; ox: number; oy: number; flip: boolean } {
    const c = V.crop, S = Math.min(frame.width, frame.height);
    const s = Math.max(c, V.scaleMin + r.int(V.scaleMax - V.scaleMin + 1));
    // The whole frame scaled so its short side is s; the crop may start anywhere inside it.
    const width = Math.max(c, Math.floor((frame.width * s) / S)), height = Math.max(c, Math.floor((frame.height * s) / S));
    const oy = r.int(height - c + 1), ox = r.int(width - c + 1);
    const flip = V.flip && r.next() < 0.5;
    return { scale: s, width, height, ox, oy, flip };
  }

  private videoView(t: SamplerTitle, start: number, r: Rng, out: Float32Array, frameBuf: { buf: Uint8Array }): void {
    const V = this.cfg.video!;
    if (!t.reader) throw new Error('Sampler: title has no feature reader');
    const mv = t.reader.meta.video;
    if (!mv) throw new Error('Sampler: title has no cached video');
    const W = mv.width, H = mv.height, S = Math.min(W, H), c = V.crop;
    if (frameBuf.buf.length !== W * H * 3) frameBuf.buf = new Uint8Array(W * H * 3);
    const buf = frameBuf.buf;
    const g = Sampler.viewGeometry(V, { width: W, height: H }, r);
    const s = g.scale;
    // Bilinear taps from crop coordinates into the cached W×H frame (scale S→s, then crop at (oy, ox)).
    const taps = (o: number, mirror: boolean, n: number) => {
      const i0 = new Int32Array(c), i1 = new Int32Array(c), w = new Float32Array(c);
      for (let j = 0; j < c; j++) {
        const jj = mirror ? c - 1 - j : j;
        const src = Math.min(n - 1, Math.max(0, ((jj + o + 0.5) * S) / s - 0.5));
        i0[j] = Math.floor(src); i1[j] = Math.min(n - 1, i0[j] + 1); w[j] = src - i0[j];
      }
      return { i0, i1, w };
    };
    const ty = taps(g.oy, false, H), tx = taps(g.ox, g.flip, W);
    const base = Math.round(start * V.fps);
    const span = this.cfg.windowLength * V.fps;
    const fsz = c * c * 3;
    // Separable bilinear: blend the two source rows over the needed columns, then blend horizontally.
    let x0 = W, x1 = 0;
    for (let x = 0; x < c; x++) { x0 = Math.min(x0, tx.i0[x]); x1 = Math.max(x1, tx.i1[x]); }
    const row = new Float32Array(W * 3);
    const inv = 1 / 255;
    for (let f = 0; f < V.frames; f++) {
      t.reader.readFrame(base + Math.floor((f * span) / V.frames), buf);
      const o = out.subarray(f * fsz, (f + 1) * fsz);
      for (let y = 0; y < c; y++) {
        const r0 = ty.i0[y] * W * 3, r1 = ty.i1[y] * W * 3, wy = ty.w[y];
        for (let k = x0 * 3, end = x1 * 3 + 3; k < end; k++) { const a = buf[r0 + k]; row[k] = (a + (buf[r1 + k] - a) * wy) * inv; }
        let oi = y * c * 3;
        for (let x = 0; x < c; x++, oi += 3) {
          const a = tx.i0[x] * 3, b = tx.i1[x] * 3, wx = tx.w[x];
          o[oi] = row[a] + (row[b] - row[a]) * wx;
          o[oi + 1] = row[a + 1] + (row[b + 1] - row[a + 1]) * wx;
          o[oi + 2] = row[a + 2] + (row[b + 2] - row[a + 2]) * wx;
        }
      }
    }
  }
}

/** `g` distinct integers from [0, n) (partial Fisher–Yates). */
function pickDistinct(r: Rng, n: number, g: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < g; i++) {
    const j = i + r.int(n - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, g);
}
