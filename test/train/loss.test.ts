// NT-Xent (Eq. 1) and its gradients against an independent plain-JS float64 implementation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ntXent, ntXentGrouped, ntXentReference } from '../../runtime/train/loss.ts';
import { l2Normalize } from '../../runtime/train/ops.ts';
import { mulberry32, truncNormal } from '../../runtime/train/rng.ts';
import { useTestBackend } from '../backend.ts';

const unit = (x: Float64Array, B: number, D: number) => {
  const o = new Float64Array(x.length);
  for (let i = 0; i < B; i++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += x[i * D + k] ** 2;
    for (let k = 0; k < D; k++) o[i * D + k] = x[i * D + k] / Math.sqrt(s);
  }
  return o;
};

/** Loss of raw (unnormalised) rows, float64: the function whose gradient tfjs must reproduce. */
const refRaw = (x: Float64Array, y: Float64Array, B: number, D: number, tau: number) => ntXentReference(unit(x, B, D), unit(y, B, D), B, D, tau);

/** Central finite-difference gradient in float64. */
function fdGrad(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = x.slice(), xm = x.slice();
    xp[i] += h; xm[i] -= h;
    g[i] = (f(xp) - f(xm)) / (2 * h);
  }
  return g;
}

const randn = (n: number, seed: number) => Float64Array.from(truncNormal(n, 1, mulberry32(seed)));

test('NT-Xent value matches the plain-JS reference (Eq. 1, both directions as negatives)', async () => {
  await useTestBackend();
  for (const [B, D, tau] of [[4, 3, 0.07], [7, 5, 0.1], [2, 8, 1.0]] as const) {
    const x = unit(randn(B * D, B), B, D), y = unit(randn(B * D, B + 100), B, D);
    const got = tf.tidy(() => ntXent(tf.tensor2d(Float32Array.from(x), [B, D]), tf.tensor2d(Float32Array.from(y), [B, D]), tau).dataSync()[0]);
    const want = ntXentReference(x, y, B, D, tau);
    assert.ok(Math.abs(got - want) <= 1e-4 * Math.max(1, Math.abs(want)), `B=${B} D=${D} tau=${tau}: ${got} vs ${want}`);
  }
});

test('NT-Xent by hand for B = 2: one positive against three negatives', async () => {
  await useTestBackend();
  // x0·y0 = 1, x0·y1 = 0, x1·y0 = 0, x1·y1 = 1 (orthonormal), tau = 1:
  // ℓ_0 = −log(e / (e + e^0 + e^0)) = log(e + 2) − 1, same for ℓ_1.
  const x = tf.tensor2d([[1, 0], [0, 1]]), y = tf.tensor2d([[1, 0], [0, 1]]);
  const v = tf.tidy(() => ntXent(x, y, 1).dataSync()[0]);
  assert.ok(Math.abs(v - (Math.log(Math.E + 2) - 1)) < 1e-6, String(v));
  tf.dispose([x, y]);
});

test('NT-Xent gradients (through L2 normalisation) match float64 finite differences', async () => {
  await useTestBackend();
  const B = 5, D = 4, tau = 0.1;
  const x = randn(B * D, 11), y = randn(B * D, 12);
  const [gx, gy] = tf.tidy(() => {
    const f = (a: tf.Tensor, b: tf.Tensor) => ntXent(l2Normalize(a), l2Normalize(b), tau);
    return tf.grads(f)([tf.tensor2d(Float32Array.from(x), [B, D]), tf.tensor2d(Float32Array.from(y), [B, D])]).map((g) => g.dataSync());
  });
  const rx = fdGrad((v) => refRaw(v, y, B, D, tau), x), ry = fdGrad((v) => refRaw(x, v, B, D, tau), y);
  const scale = Math.max(...[...rx, ...ry].map(Math.abs));
  for (let i = 0; i < B * D; i++) {
    assert.ok(Math.abs(gx[i] - rx[i]) <= 2e-3 * scale, `dL/dx[${i}] ${gx[i]} vs ${rx[i]}`);
    assert.ok(Math.abs(gy[i] - ry[i]) <= 2e-3 * scale, `dL/dy[${i}] ${gy[i]} vs ${ry[i]}`);
  }
});

test('per-device negatives: grouped loss is the mean of the groups\' losses', async () => {
  await useTestBackend();
  const B = 6, D = 3, tau = 0.2;
  const x = unit(randn(B * D, 3), B, D), y = unit(randn(B * D, 4), B, D);
  const got = tf.tidy(() => ntXentGrouped(tf.tensor2d(Float32Array.from(x), [B, D]), tf.tensor2d(Float32Array.from(y), [B, D]), tau, 2).dataSync()[0]);
  const want = (ntXentReference(x.subarray(0, 9), y.subarray(0, 9), 3, D, tau) + ntXentReference(x.subarray(9), y.subarray(9), 3, D, tau)) / 2;
  assert.ok(Math.abs(got - want) < 1e-4, `${got} vs ${want}`);
});
