// Log-mel spectrograms with tfjs ops. tf.signal.stft has no FFT kernel on the wasm backend, so the STFT is
// a matmul of Hann-windowed frames against precomputed DFT cos/sin matrices (matMul is fast everywhere;
// the matrices are laid out [nFft, bins] so no transposeA/B is needed — those are ~10x slower on wasm).
// Mel filterbank: HTK mel scale, 0..sr/2, unnormalised triangles (torchaudio's MelSpectrogram default).
// Frames are not centred: frame i covers samples [i*hop, i*hop + nFft); input shorter than nFft is
// zero-padded to one frame. `db`: 10*log10(max(power, 1e-10)); otherwise ln(power + 1e-6).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { LogMel, FeatureConfig } from '../contracts.ts';

let preparing: Promise<string> | null = null;

/**
 * Makes sure a tfjs backend is active without overriding one chosen elsewhere (runtime/train owns the
 * choice): when none is set, tries 'wasm', then falls back to 'cpu'. Returns the active backend name.
 */
export function prepareBackend(): Promise<string> {
  const current = (tf.engine() as unknown as { backendName: string | null }).backendName;
  if (current) return Promise.resolve(current);
  preparing ??= (async () => {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) return 'wasm';
    } catch { /* fall through to cpu */ }
    await tf.setBackend('cpu');
    return 'cpu';
  })();
  return preparing;
}

function ensureBackendSync(): void {
  const current = (tf.engine() as unknown as { backendName: string | null }).backendName;
  // cpu initialises synchronously, so setBackend takes effect before the promise settles.
  if (!current) void tf.setBackend('cpu');
}

/** Number of STFT frames for `n` samples. */
export function frameCount(n: number, nFft: number, hop: number): number {
  return n <= nFft ? 1 : 1 + Math.floor((n - nFft) / hop);
}

const hz2mel = (f: number) => 2595 * Math.log10(1 + f / 700);
const mel2hz = (m: number) => 700 * (10 ** (m / 2595) - 1);

/** Mel filterbank [bins, mels] (bins = nFft/2+1), row-major. */
export function melFilterbank(sampleRate: number, nFft: number, mels: number): Float32Array {
  const bins = Math.floor(nFft / 2) + 1;
  const fb = new Float32Array(bins * mels);
  const mMax = hz2mel(sampleRate / 2);
  const pts = Array.from({ length: mels + 2 }, (_, i) => mel2hz((mMax * i) / (mels + 1)));
  for (let k = 0; k < bins; k++) {
    const f = (k * sampleRate) / nFft;
    for (let m = 0; m < mels; m++) {
      const lo = pts[m], c = pts[m + 1], hi = pts[m + 2];
      const w = f < lo || f > hi ? 0 : f <= c ? (f - lo) / (c - lo) : (hi - f) / (hi - c);
      fb[k * mels + m] = Math.max(0, w);
    }
  }
  return fb;
}

/** Periodic Hann window folded into the DFT matrices: cos/sin, each [nFft, bins]. */
export function dftMatrices(nFft: number): { cos: Float32Array; sin: Float32Array; bins: number } {
  const bins = Math.floor(nFft / 2) + 1;
  const cos = new Float32Array(nFft * bins), sin = new Float32Array(nFft * bins);
  for (let n = 0; n < nFft; n++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft);
    for (let k = 0; k < bins; k++) {
      const a = (2 * Math.PI * ((n * k) % nFft)) / nFft;
      cos[n * bins + k] = w * Math.cos(a);
      sin[n * bins + k] = -w * Math.sin(a);
    }
  }
  return { cos, sin, bins };
}

interface Mats { key: string; cos: tf.Tensor2D; sin: tf.Tensor2D; fb: tf.Tensor2D; backend: string }
let mats: Mats | null = null;

function matrices(sampleRate: number, nFft: number, mels: number): Mats {
  const key = `${sampleRate}/${nFft}/${mels}`;
  const backend = tf.getBackend();
  if (mats && mats.key === key && mats.backend === backend && !mats.cos.isDisposed) return mats;
  if (mats && !mats.cos.isDisposed) { mats.cos.dispose(); mats.sin.dispose(); mats.fb.dispose(); }
  const d = dftMatrices(nFft);
  mats = tf.tidy(() => ({
    key, backend,
    cos: tf.keep(tf.tensor2d(d.cos, [nFft, d.bins])),
    sin: tf.keep(tf.tensor2d(d.sin, [nFft, d.bins])),
    fb: tf.keep(tf.tensor2d(melFilterbank(sampleRate, nFft, mels), [d.bins, mels])),
  }));
  return mats;
}

/** Frames processed per matmul: bounds the frame matrix to ~CHUNK*nFft floats. */
const CHUNK = 1024;

/** Log-mel spectrogram [frames, mels] of mono `samples` with the active tfjs backend (cpu if none). */
export function logMel(samples: Float32Array, sampleRate: number, cfg: Pick<FeatureConfig, 'nFft' | 'hop' | 'mels' | 'db'>): LogMel {
  const { nFft, hop, mels, db } = cfg;
  if (!(nFft > 0 && hop > 0 && mels > 0)) throw new RangeError(`logMel: nFft, hop and mels must be positive (got ${nFft}, ${hop}, ${mels})`);
  ensureBackendSync();
  const frames = frameCount(samples.length, nFft, hop);
  const out = new Float32Array(frames * mels);
  const m = matrices(sampleRate, nFft, mels);
  for (let f0 = 0; f0 < frames; f0 += CHUNK) {
    const nf = Math.min(CHUNK, frames - f0);
    const buf = new Float32Array(nf * nFft);
    for (let i = 0; i < nf; i++) {
      const s = (f0 + i) * hop;
      const end = Math.min(samples.length, s + nFft);
      if (end > s) buf.set(samples.subarray(s, end), i * nFft);
    }
    const res = tf.tidy(() => {
      const x = tf.tensor2d(buf, [nf, nFft]);
      const re = tf.matMul(x, m.cos), im = tf.matMul(x, m.sin);
      const power = tf.add(tf.square(re), tf.square(im));
      const mel = tf.matMul(power, m.fb);
      return db ? tf.mul(tf.log(tf.maximum(mel, 1e-10)), 10 / Math.LN10) : tf.log(tf.add(mel, 1e-6));
    });
    out.set(res.dataSync() as Float32Array, f0 * mels);
    res.dispose();
  }
  return { data: out, frames, mels };
}
