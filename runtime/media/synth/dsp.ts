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

// ITU-R BS.1770-4 loudness (Annex 1), mono: K-weighting (a +4 dB high shelf modelling the head, then the
// RLB high-pass), mean square over 400 ms blocks stepped by 100 ms (75 % overlap), an absolute gate at
// −70 LUFS and a relative gate 10 LU below the loudness of the blocks above it. The Recommendation
// tabulates the two filters at 48 kHz only; like libebur128 and pyloudnorm we bilinear-transform their
// analog prototypes (pre-warped), whose parameters reproduce the 48 kHz table (test/synth/loudness.test.ts).

/** Biquad coefficients `{ b: [b0, b1, b2], a: [1, a1, a2] }` of the two K-weighting stages at `sr`. */
export function kWeightingCoefficients(sr: number): { shelf: { b: number[]; a: number[] }; highpass: { b: number[]; a: number[] } } {
  // stage 1: high shelf, f0 1681.97 Hz, gain 4.00 dB, Q 0.7072
  let K = Math.tan((Math.PI * 1681.974450955533) / sr);
  const Vh = Math.pow(10, 3.999843853973347 / 20), Vb = Math.pow(Vh, 0.4996667741545416), Q1 = 0.7071752369554196;
  let a0 = 1 + K / Q1 + K * K;
  const shelf = {
    b: [(Vh + (Vb * K) / Q1 + K * K) / a0, (2 * (K * K - Vh)) / a0, (Vh - (Vb * K) / Q1 + K * K) / a0],
    a: [1, (2 * (K * K - 1)) / a0, (1 - K / Q1 + K * K) / a0],
  };
  // stage 2: RLB high-pass, f0 38.14 Hz, Q 0.5003 (numerator 1, −2, 1 as in the Recommendation's table)
  K = Math.tan((Math.PI * 38.13547087602444) / sr);
  const Q2 = 0.5003270373238773;
  a0 = 1 + K / Q2 + K * K;
  const highpass = { b: [1, -2, 1], a: [1, (2 * (K * K - 1)) / a0, (1 - K / Q2 + K * K) / a0] };
  return { shelf, highpass };
}

function sos(x: Float64Array, c: { b: number[]; a: number[] }): void {
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  const [b0, b1, b2] = c.b, a1 = c.a[1], a2 = c.a[2];
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i];
    const y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1; x1 = x0; y2 = y1; y1 = y0;
    x[i] = y0;
  }
}

/** The K-weighted signal (a new array; `x` is untouched). */
export function kWeight(x: Float32Array, sr = SR): Float64Array {
  const c = kWeightingCoefficients(sr);
  const y = Float64Array.from(x);
  sos(y, c.shelf);
  sos(y, c.highpass);
  return y;
}

/** Gating block and step of BS.1770-4 (s): 400 ms blocks, 75 % overlap. */
export const BS1770_BLOCK = 0.4, BS1770_STEP = 0.1;
/** The Recommendation's absolute gate (LUFS) and relative gate (LU below the absolutely gated loudness). */
export const BS1770_ABSOLUTE_GATE = -70, BS1770_RELATIVE_GATE = -10;

/**
 * Integrated loudness (LUFS) of a mono signal per ITU-R BS.1770-4: −0.691 + 10·log10 of the mean square
 * of the K-weighted blocks that pass both gates. Only whole blocks count (as in the Recommendation and
 * pyloudnorm), except that a signal shorter than one block is measured as a single block of its own
 * length — a short dub line still has a loudness. −Infinity when no block passes the absolute gate
 * (silence, or a signal quieter than −70 LUFS).
 */
export function integratedLoudness(x: Float32Array, sr = SR): number {
  const y = kWeight(x, sr);
  const block = Math.round(BS1770_BLOCK * sr), step = Math.round(BS1770_STEP * sr);
  // prefix sums of y² make every block O(1)
  const cum = new Float64Array(y.length + 1);
  for (let i = 0; i < y.length; i++) cum[i + 1] = cum[i] + y[i] * y[i];
  const z: number[] = [];
  if (y.length > 0 && y.length < block) z.push(cum[y.length] / y.length);
  for (let s = 0; s + block <= y.length; s += step) z.push((cum[s + block] - cum[s]) / block);
  const lufs = (ms: number) => -0.691 + 10 * Math.log10(ms);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const abs = z.filter((m) => m > 0 && lufs(m) > BS1770_ABSOLUTE_GATE);
  if (!abs.length) return -Infinity;
  const rel = lufs(mean(abs)) + BS1770_RELATIVE_GATE;
  const kept = abs.filter((m) => lufs(m) > rel);
  return lufs(mean(kept));
}

/** Scales `x` in place so that its BS.1770 integrated loudness is `targetLufs`; returns the gain applied (1 on silence). */
export function normaliseLoudness(x: Float32Array, targetLufs: number, sr = SR): number {
  const l = integratedLoudness(x, sr);
  if (!Number.isFinite(l)) return 1;
  const g = undb(targetLufs - l);
  scale(x, g);
  return g;
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

// --- spectrum: FFT, band envelope, EQ match, room ------------------------------------------------

/** Bit-reversal permutation and twiddle factors per FFT size, computed once (the generator uses three sizes). */
const fftTables = new Map<number, { rev: Uint32Array; cos: Float64Array; sin: Float64Array }>();
function tables(n: number) {
  let t = fftTables.get(n);
  if (!t) {
    const rev = new Uint32Array(n), bits = Math.log2(n);
    for (let i = 0; i < n; i++) { let r = 0; for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b); rev[i] = r; }
    const cos = new Float64Array(n / 2), sin = new Float64Array(n / 2);
    for (let k = 0; k < n / 2; k++) { cos[k] = Math.cos((2 * Math.PI * k) / n); sin[k] = -Math.sin((2 * Math.PI * k) / n); }
    t = { rev, cos, sin };
    fftTables.set(n, t);
  }
  return t;
}

/** In-place iterative radix-2 complex FFT (`re`, `im` of a power-of-two length); `inverse` scales by 1/n. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  const { rev, cos, sin } = tables(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (i < j) { let t = re[i]; re[i] = re[j]; re[j] = t; t = im[i]; im[i] = im[j]; im[j] = t; }
  }
  const sign = inverse ? -1 : 1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1, step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step], wi = sign * sin[k * step];
        const a = i + k, b = a + half;
        const tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr; im[b] = im[a] - ti; re[a] += tr; im[a] += ti;
      }
    }
  }
  if (inverse) for (let i = 0; i < n; i++) { re[i] /= n; im[i] /= n; }
}

const FRAME = 512, HOP = 256;

/**
 * Octave bands of the EQ match: centres 125 Hz … 4 kHz, plus the top band up to the Nyquist frequency of
 * the 16 kHz tracks (matchering matches a finer, smoothed curve; a voice line is too short for more).
 */
export const EQ_BANDS: { lo: number; hi: number; centre: number }[] = [125, 250, 500, 1000, 2000, 4000, 8000].map((c) => ({
  centre: c, lo: c / Math.SQRT2, hi: Math.min(c * Math.SQRT2, SR / 2),
}));
/** The EQ match never moves a band by more than this (dB): a band the dub voice hardly has is not blown up. */
export const EQ_MAX_GAIN_DB = 12;

/** Mean power spectrum (Hann frames of 512, side by side) of the frames of `parts` louder than −50 dBFS: speech, not the pauses. */
function meanSpectrum(parts: Float32Array[]): Float64Array {
  const w = new Float64Array(FRAME);
  for (let i = 0; i < FRAME; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME);
  const acc = new Float64Array(FRAME / 2 + 1);
  const re = new Float64Array(FRAME), im = new Float64Array(FRAME);
  let frames = 0;
  for (const x of parts) {
    // frames side by side (no overlap): a long-term average needs no more, at half the cost
    for (let s = 0; s + FRAME <= x.length; s += FRAME) {
      let e = 0;
      for (let i = 0; i < FRAME; i++) e += x[s + i] * x[s + i];
      if (e / FRAME < 1e-5) continue;
      for (let i = 0; i < FRAME; i++) { re[i] = x[s + i] * w[i]; im[i] = 0; }
      fft(re, im);
      for (let k = 0; k <= FRAME / 2; k++) acc[k] += re[k] * re[k] + im[k] * im[k];
      frames++;
    }
  }
  if (frames) for (let k = 0; k < acc.length; k++) acc[k] /= frames;
  return acc;
}

/**
 * Spectral envelope: level (dB) per EQ band of the long-term spectrum of `parts`, minus their mean — the
 * shape of the voice, not its loudness. Null when `parts` hold no frame of speech.
 */
export function bandEnvelope(parts: Float32Array[], sr = SR): number[] | null {
  const p = meanSpectrum(parts);
  if (!p.some((v) => v > 0)) return null;
  const levels = EQ_BANDS.map((b) => {
    let e = 0;
    for (let k = 0; k < p.length; k++) { const f = (k * sr) / FRAME; if (f >= b.lo && f < b.hi) e += p[k]; }
    return 10 * Math.log10(e + 1e-20);
  });
  const m = levels.reduce((a, b) => a + b, 0) / levels.length;
  return levels.map((l) => l - m);
}

/** RMS difference (dB) between two envelopes: the spectral-envelope distance the EQ match reduces. */
export const envelopeDistance = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length);

/** Per-band gains (dB) that move envelope `from` onto `to`, level-neutral (mean 0) and bounded to ±EQ_MAX_GAIN_DB. */
export function matchGains(from: number[], to: number[]): number[] {
  const g = to.map((t, i) => t - from[i]);
  const m = g.reduce((a, b) => a + b, 0) / g.length;
  return g.map((v) => Math.max(-EQ_MAX_GAIN_DB, Math.min(EQ_MAX_GAIN_DB, v - m)));
}

/**
 * Applies per-band gains (dB, one per EQ_BANDS entry) to `x`: a zero-phase STFT filter (√Hann analysis and
 * synthesis windows, 50 % overlap, so unity gains reproduce `x`) whose gain curve interpolates the band
 * gains linearly in dB over log frequency. Returns a new array of the same length.
 */
export function applyBandGains(x: Float32Array, gainsDb: number[], sr = SR): Float32Array {
  const curve = new Float64Array(FRAME / 2 + 1);
  const lc = EQ_BANDS.map((b) => Math.log2(b.centre));
  for (let k = 0; k <= FRAME / 2; k++) {
    const lf = Math.log2(Math.max((k * sr) / FRAME, 1));
    let g: number;
    if (lf <= lc[0]) g = gainsDb[0];
    else if (lf >= lc[lc.length - 1]) g = gainsDb[lc.length - 1];
    else {
      let j = 0;
      while (lf > lc[j + 1]) j++;
      const t = (lf - lc[j]) / (lc[j + 1] - lc[j]);
      g = gainsDb[j] * (1 - t) + gainsDb[j + 1] * t;
    }
    curve[k] = Math.pow(10, g / 20);
  }
  const w = new Float64Array(FRAME);
  for (let i = 0; i < FRAME; i++) w[i] = Math.sin((Math.PI * (i + 0.5)) / FRAME); // √(periodic Hann), sums to 1 squared at hop N/2
  const padded = new Float64Array(x.length + 2 * FRAME);
  for (let i = 0; i < x.length; i++) padded[FRAME + i] = x[i];
  const out = new Float64Array(padded.length);
  const re = new Float64Array(FRAME), im = new Float64Array(FRAME);
  for (let s = 0; s + FRAME <= padded.length; s += HOP) {
    for (let i = 0; i < FRAME; i++) { re[i] = padded[s + i] * w[i]; im[i] = 0; }
    fft(re, im);
    for (let k = 0; k <= FRAME / 2; k++) {
      re[k] *= curve[k]; im[k] *= curve[k];
      if (k > 0 && k < FRAME / 2) { re[FRAME - k] = re[k]; im[FRAME - k] = -im[k]; }
    }
    fft(re, im, true);
    for (let i = 0; i < FRAME; i++) out[s + i] += re[i] * w[i];
  }
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = out[FRAME + i];
  return y;
}

/**
 * A room's impulse response without the direct sound: exponentially decaying noise whose energy falls by
 * 60 dB in `rt60` seconds, after a 10 ms pre-delay (the first reflections), lightly low-passed (air and
 * wall absorption), scaled so that its energy is `wetDb` relative to the direct sound's (a unit impulse).
 */
export function roomResponse(rt60: number, wetDb: number, r: Rng, sr = SR): Float32Array {
  const pre = Math.round(0.01 * sr), n = pre + Math.round(rt60 * sr);
  const h = new Float32Array(n);
  const decay = (3 * Math.LN10) / (rt60 * sr); // amplitude e^(−decay·i): energy −60 dB at rt60
  let lp = 0;
  for (let i = pre; i < n; i++) {
    lp = 0.6 * lp + 0.4 * (r.next() * 2 - 1);
    h[i] = lp * Math.exp(-decay * (i - pre));
  }
  let e = 0;
  for (let i = 0; i < n; i++) e += h[i] * h[i];
  return scale(h, Math.sqrt(Math.pow(10, wetDb / 10) / e));
}

/** `x` plus `x` convolved with `h` (FFT overlap-add), truncated to `x`'s length: the dry voice in the room. */
const responseSpectra = new WeakMap<Float32Array, { size: number; hr: Float64Array; hi: Float64Array }>();

export function addReverb(x: Float32Array, h: Float32Array): Float32Array {
  // the response's spectrum is computed once per response (a title reuses its room for every track)
  let spec = responseSpectra.get(h);
  if (!spec) {
    let size = 1;
    while (size < 2 * h.length) size <<= 1;
    const hr = new Float64Array(size), hi = new Float64Array(size);
    for (let i = 0; i < h.length; i++) hr[i] = h[i];
    fft(hr, hi);
    spec = { size, hr, hi };
    responseSpectra.set(h, spec);
  }
  const { size, hr, hi } = spec;
  const blockLen = size - h.length + 1;
  const y = Float32Array.from(x);
  const re = new Float64Array(size), im = new Float64Array(size);
  for (let s = 0; s < x.length; s += blockLen) {
    re.fill(0); im.fill(0);
    let any = false;
    for (let i = 0; i < blockLen && s + i < x.length; i++) { re[i] = x[s + i]; if (x[s + i] !== 0) any = true; }
    if (!any) continue;
    fft(re, im);
    for (let k = 0; k < size; k++) {
      const a = re[k] * hr[k] - im[k] * hi[k], b = re[k] * hi[k] + im[k] * hr[k];
      re[k] = a; im[k] = b;
    }
    fft(re, im, true);
    for (let i = 0; i < size && s + i < x.length; i++) y[s + i] += re[i];
  }
  return y;
}

/**
 * Reverberation time estimated from an impulse response by Schroeder backward integration: the slope of the
 * energy decay curve between −5 and −25 dB (T20), extrapolated to 60 dB. What the tests measure rooms with.
 */
export function schroederRt60(h: Float32Array, sr = SR): number {
  const edc = new Float64Array(h.length);
  let acc = 0;
  for (let i = h.length - 1; i >= 0; i--) { acc += h[i] * h[i]; edc[i] = acc; }
  const db0 = (i: number) => 10 * Math.log10(edc[i] / edc[0]);
  let a = 0;
  while (a < h.length && db0(a) > -5) a++;
  let b = a;
  while (b < h.length && db0(b) > -25) b++;
  return ((b - a) / sr) * 3;
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
