// Small audio DSP kit for the generator: everything is mono Float32Array at one sample rate.
// Beds, speech fitting, loudness normalisation and mixing run here, in-process, because spawning
// ffmpeg per line or per bed would cost more than the whole computation (2 shared cores).
import type { Rng } from './rng.ts';

/** Sample rate of every generated track and probe clip (Hz). */
export const SR = 16000;

// --- sources -----------------------------------------------------------------------------------

export function white(n: number, r: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r.next() * 2 - 1;
  return out;
}

/** Pink noise (Paul Kellet's economy filter), roughly unit RMS / 3. */
export function pink(n: number, r: Rng): Float32Array {
  const out = new Float32Array(n);
  let b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = r.next() * 2 - 1;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    out[i] = (b0 + b1 + b2 + w * 0.1848) * 0.25;
  }
  return out;
}

/** Brown (red) noise: leaky integrated white noise. */
export function brown(n: number, r: Rng): Float32Array {
  const out = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.995 * y + (r.next() * 2 - 1) * 0.1;
    out[i] = y;
  }
  return out;
}

// --- filters (RBJ audio-EQ cookbook biquads) -----------------------------------------------------

export type BiquadKind = 'lowpass' | 'highpass' | 'bandpass';

function coeffs(kind: BiquadKind, f: number, q: number, sr: number) {
  const w = (2 * Math.PI * Math.min(f, sr * 0.49)) / sr;
  const cw = Math.cos(w), alpha = Math.sin(w) / (2 * q);
  let b0: number, b1: number, b2: number;
  if (kind === 'lowpass') { b0 = (1 - cw) / 2; b1 = 1 - cw; b2 = (1 - cw) / 2; }
  else if (kind === 'highpass') { b0 = (1 + cw) / 2; b1 = -(1 + cw); b2 = (1 + cw) / 2; }
  else { b0 = alpha; b1 = 0; b2 = -alpha; }
  const a0 = 1 + alpha;
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: (-2 * cw) / a0, a2: (1 - alpha) / a0 };
}

/** Filters in place; `f` may be a function of the sample index (re-evaluated every 64 samples). */
export function biquad(x: Float32Array, kind: BiquadKind, f: number | ((i: number) => number), q = Math.SQRT1_2, sr = SR): Float32Array {
  let c = coeffs(kind, typeof f === 'number' ? f : f(0), q, sr);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    if (typeof f === 'function' && (i & 63) === 0) c = coeffs(kind, f(i), q, sr);
    const x0 = x[i];
    const y0 = c.b0 * x0 + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
    x2 = x1; x1 = x0; y2 = y1; y1 = y0;
    x[i] = y0;
  }
  return x;
}

// --- level -------------------------------------------------------------------------------------

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

export const db = (g: number) => 20 * Math.log10(Math.max(g, 1e-9));
export const undb = (d: number) => Math.pow(10, d / 20);

/**
 * Gated loudness in dBFS (BS.1770-style gating on 400 ms blocks: absolute gate −70, relative −10),
 * without the K-weighting pre-filter. Returns -Infinity for silence. Used to level every language's
 * speech stem to the same target, as the paper's pipeline does with pyloudnorm.
 */
export function gatedLoudness(x: Float32Array, sr = SR): number {
  const block = Math.round(0.4 * sr), hop = Math.round(0.1 * sr);
  const ms: number[] = [];
  for (let s = 0; s + block <= x.length; s += hop) {
    const r = rms(x, s, s + block);
    if (db(r) > -70) ms.push(r * r);
  }
  if (!ms.length) return -Infinity;
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const rel = 10 * Math.log10(mean(ms)) - 10;
  const kept = ms.filter((m) => 10 * Math.log10(m) > rel);
  return 10 * Math.log10(mean(kept.length ? kept : ms));
}

/** Scales `x` in place so that its gated loudness is `targetDb` (no-op on silence). */
export function normaliseLoudness(x: Float32Array, targetDb: number, sr = SR): Float32Array {
  const l = gatedLoudness(x, sr);
  if (!Number.isFinite(l)) return x;
  return scale(x, undb(targetDb - l));
}

export function scale(x: Float32Array, g: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] *= g;
  return x;
}

/** Adds `src` (times `gain`) into `dst` starting at sample `at` (clipped to dst). */
export function addInto(dst: Float32Array, src: Float32Array, at: number, gain = 1): void {
  const from = Math.max(0, -at), to = Math.min(src.length, dst.length - at);
  for (let i = from; i < to; i++) dst[at + i] += src[i] * gain;
}

/** Linear fade-in/out of `n` samples at both ends, in place (removes clicks at hard cuts). */
export function fadeEdges(x: Float32Array, n: number): Float32Array {
  const m = Math.min(n, Math.floor(x.length / 2));
  for (let i = 0; i < m; i++) { const g = i / m; x[i] *= g; x[x.length - 1 - i] *= g; }
  return x;
}

/** Keeps the peak under `ceiling` by one global gain (no per-sample distortion). */
export function limitPeak(x: Float32Array, ceiling = 0.95): Float32Array {
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i]));
  return p > ceiling ? scale(x, ceiling / p) : x;
}

// --- rate / time -------------------------------------------------------------------------------

/** Resamples by linear interpolation after a two-pole anti-alias low-pass (when downsampling). */
export function resample(x: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return Float32Array.from(x);
  const src = to < from ? biquad(biquad(Float32Array.from(x), 'lowpass', to * 0.45), 'lowpass', to * 0.45) : x;
  const n = Math.max(1, Math.round((x.length * to) / from));
  const out = new Float32Array(n);
  const step = from / to;
  for (let i = 0; i < n; i++) {
    const p = i * step, j = Math.floor(p), f = p - j;
    const a = src[Math.min(j, src.length - 1)], b = src[Math.min(j + 1, src.length - 1)];
    out[i] = a + (b - a) * f;
  }
  return out;
}

/**
 * Pitch-preserving time stretch to exactly `n` samples (WSOLA: overlap-add of 40 ms Hann frames,
 * each frame's source position searched ±10 ms for the best waveform match). This is the pipeline's
 * "align translations to original segments using stretching" step.
 */
export function stretchTo(x: Float32Array, n: number, sr = SR): Float32Array {
  if (n <= 0) return new Float32Array(0);
  // within 2 % a plain pad/trim is inaudible (eSpeak pads utterances with a little silence anyway)
  if (Math.abs(n - x.length) <= Math.max(1, 0.02 * x.length) || x.length < sr * 0.05) return fitLength(x, n);
  const win = Math.round(0.04 * sr), hop = win >> 1, tol = Math.round(0.01 * sr);
  const w = new Float32Array(win);
  for (let i = 0; i < win; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / win);
  const out = new Float32Array(n + win), norm = new Float32Array(n + win);
  const ratio = x.length / n;
  let prev = 0; // source position of the previous frame
  for (let o = 0; o < n; o += hop) {
    const nominal = Math.round(o * ratio);
    let best = Math.min(Math.max(0, nominal), Math.max(0, x.length - win));
    if (o > 0) {
      // the natural continuation of the previous frame, to compare candidates against
      const cont = prev + hop;
      let bestScore = -Infinity;
      // coarse search (every 3rd offset, every 8th sample): 10× cheaper, inaudible at speech pitch
      const m = Math.min(win, x.length - cont);
      for (let d = -tol; d <= tol; d += 3) {
        const s = nominal + d;
        if (s < 0 || s + win > x.length) continue;
        let score = 0;
        for (let i = 0; i < m; i += 8) score += x[s + i] * x[cont + i];
        if (score > bestScore) { bestScore = score; best = s; }
      }
    }
    for (let i = 0; i < win && best + i < x.length; i++) { out[o + i] += x[best + i] * w[i]; norm[o + i] += w[i]; }
    prev = best;
  }
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = norm[i] > 1e-3 ? out[i] / norm[i] : 0;
  return fadeEdges(y, Math.min(80, n >> 3));
}

/** Truncates or zero-pads to `n` samples. */
export function fitLength(x: Float32Array, n: number): Float32Array {
  const y = new Float32Array(n);
  y.set(x.subarray(0, Math.min(n, x.length)));
  return y;
}

export function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

// --- files -------------------------------------------------------------------------------------

/** 16-bit PCM mono WAV bytes. */
export function wavBytes(x: Float32Array, sr = SR): Buffer {
  const buf = Buffer.alloc(44 + x.length * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + x.length * 2, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sr, 24);
  buf.writeUInt32LE(sr * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(x.length * 2, 40);
  const pcm = new Int16Array(x.length); // (Buffer.writeInt16LE per sample costs more than the whole mix)
  for (let i = 0; i < x.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32767)));
  Buffer.from(pcm.buffer).copy(buf, 44); // little-endian hosts only (x86, arm64)
  return buf;
}

/** Parses the WAVs written by `wavBytes` (and any 16-bit PCM mono WAV) back to floats. */
export function readWav(buf: Buffer): { sr: number; samples: Float32Array } {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let o = 12, sr = 0, bits = 0, channels = 0;
  while (o + 8 <= buf.length) {
    const id = buf.toString('ascii', o, o + 4), size = buf.readUInt32LE(o + 4);
    if (id === 'fmt ') { channels = buf.readUInt16LE(o + 10); sr = buf.readUInt32LE(o + 12); bits = buf.readUInt16LE(o + 22); }
    if (id === 'data') {
      if (bits !== 16 || channels !== 1) throw new Error(`expected 16-bit mono PCM, got ${bits}-bit ${channels}ch`);
      const n = Math.min(size, buf.length - o - 8) >> 1;
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(o + 8 + i * 2) / 32768;
      return { sr, samples };
    }
    o += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}
