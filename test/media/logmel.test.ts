import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { logMel, melFilterbank, frameCount, prepareBackend } from '../../runtime/media/logmel.ts';

/** Plain-JS reference: direct DFT of Hann-windowed frames, mel filterbank, log. */
function reference(x: Float32Array, sr: number, nFft: number, hop: number, mels: number, db: boolean): Float32Array {
  const frames = frameCount(x.length, nFft, hop);
  const bins = nFft / 2 + 1;
  const fb = melFilterbank(sr, nFft, mels);
  const out = new Float32Array(frames * mels);
  for (let f = 0; f < frames; f++) {
    const power = new Float64Array(bins);
    for (let k = 0; k < bins; k++) {
      let re = 0, im = 0;
      for (let n = 0; n < nFft; n++) {
        const v = (x[f * hop + n] ?? 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft));
        re += v * Math.cos((2 * Math.PI * k * n) / nFft);
        im -= v * Math.sin((2 * Math.PI * k * n) / nFft);
      }
      power[k] = re * re + im * im;
    }
    for (let m = 0; m < mels; m++) {
      let s = 0;
      for (let k = 0; k < bins; k++) s += power[k] * fb[k * mels + m];
      out[f * mels + m] = db ? 10 * Math.log10(Math.max(s, 1e-10)) : Math.log(s + 1e-6);
    }
  }
  return out;
}

function signal(n: number, sr: number): Float32Array {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr) + 0.2 * Math.sin((2 * Math.PI * 3100 * i) / sr) + 0.05 * ((s / 2 ** 32) - 0.5);
  }
  return x;
}

test('logMel matches a plain-JS DFT reference (dB and natural log)', async () => {
  await prepareBackend();
  const sr = 16000, nFft = 256, hop = 100, mels = 24;
  const x = signal(3000, sr);
  for (const db of [true, false]) {
    const got = logMel(x, sr, { nFft, hop, mels, db });
    assert.equal(got.frames, frameCount(x.length, nFft, hop));
    assert.equal(got.frames, 1 + Math.floor((3000 - 256) / 100));
    assert.equal(got.mels, mels);
    const ref = reference(x, sr, nFft, hop, mels, db);
    let maxErr = 0;
    for (let i = 0; i < ref.length; i++) if (ref[i] > (db ? -60 : -12)) maxErr = Math.max(maxErr, Math.abs(got.data[i] - ref[i]));
    assert.ok(maxErr < (db ? 0.05 : 0.02), `max abs error ${maxErr} (db=${db})`);
  }
});

test('logMel puts a pure tone in the right mel band and leaks no tensors', async () => {
  await prepareBackend();
  const sr = 16000, n = 8000;
  const x = new Float32Array(n).map((_, i) => Math.sin((2 * Math.PI * 2000 * i) / sr));
  const before = tf.memory().numTensors;
  const m = logMel(x, sr, { nFft: 512, hop: 256, mels: 40, db: true });
  logMel(x, sr, { nFft: 512, hop: 256, mels: 40, db: true });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const fb = melFilterbank(sr, 512, 40);
  const bin = Math.round((2000 * 512) / sr);
  let expected = 0;
  for (let j = 1; j < 40; j++) if (fb[bin * 40 + j] > fb[bin * 40 + expected]) expected = j;
  const row = m.data.subarray(5 * 40, 6 * 40);
  const argmax = row.indexOf(Math.max(...row));
  assert.ok(Math.abs(argmax - expected) <= 1, `peak in mel ${argmax}, expected ~${expected}`);
});

test('logMel handles input shorter than one FFT and rejects bad configs', () => {
  const m = logMel(new Float32Array(100).fill(0.1), 16000, { nFft: 512, hop: 256, mels: 8, db: true });
  assert.equal(m.frames, 1);
  assert.ok(m.data.every(Number.isFinite));
  assert.throws(() => logMel(new Float32Array(10), 16000, { nFft: 0, hop: 256, mels: 8, db: true }), /nFft/);
});
