// Gradient self-test, run before training: for each op the plan uses, the backend's analytic gradient
// (tf.grads) is compared with a central finite difference along random directions, in the backend that
// will train. This catches silently wrong kernels (tfjs-wasm 4.22 has wrong Conv3D/MaxPool3D gradients)
// before hours are spent on them. The NT-Xent value is also checked against a plain-JS float64 reference.
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize, layerNorm, linear, meanPool, mm, normLinear, patchEmbed, selfAttention } from './ops.ts';
import { ntXent, ntXentGrouped, ntXentReference } from './loss.ts';
import { mulberry32, truncNormal } from './rng.ts';
import { extraSelftests } from './models/selftests.ts';

export interface SelftestResult { op: string; ok: boolean; maxRelErr: number }

export interface SelftestCase {
  op: string;
  shapes: number[][];
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Extra check of the forward value (returns a relative error). */
  value?: (xs: Float32Array[]) => Promise<number>;
}

/** Tolerance on the relative error of directional derivatives in float32 with ε = 1e-2. */
export const SELFTEST_TOLERANCE = 2e-2;

const cases: SelftestCase[] = [
  { op: 'matmul', shapes: [[5, 7], [7, 3]], f: (a, b) => mm(a, b) },
  { op: 'matmul', shapes: [[2, 5, 7], [2, 7, 3]], f: (a, b) => mm(a, b) },
  { op: 'layer_norm', shapes: [[6, 8], [8], [8]], f: (x, g, b) => layerNorm(x, { g, b }) },
  // Inputs kept away from the kink (±0.5…1.5 offsets, half negative) so finite differences are exact.
  { op: 'relu', shapes: [[6, 8]], f: (x) => tf.relu(tf.add(tf.mul(x, 0.1), tf.tensor(Float32Array.from({ length: 48 }, (_, i) => (i % 2 ? -1 : 1) * (0.5 + (i % 7) / 6)), [6, 8]))) },
  { op: 'mean_pool', shapes: [[12, 4]], f: (x) => meanPool(x, 3) },
  { op: 'l2_normalize', shapes: [[4, 6]], f: (x) => l2Normalize(x) },
  { op: 'matmul', shapes: [[5, 7], [7, 3], [3]], f: (x, w, b) => linear(x, { w, b }) },
  // Linear + fused ReLU: outputs kept ≥ 0.2 away from the kink (|0.01·x·w| ≤ 0.28 with ±2σ-truncated
  // inputs, offsets ±0.5…1.5), so the mask is fixed under the ±ε probe and both sides are exercised.
  { op: 'relu', shapes: [[5, 7], [7, 3], [3]], f: (x, w, b) => linear(tf.mul(x, 0.01), { w, b: tf.add(tf.mul(b, 0.01), tf.tensor1d([0.5, -0.7, 1.5])) }, { relu: true }) },
  // Patch embedding of constant data (no input gradient): x @ w + b + pos per token, n = 2 examples of 3 tokens.
  { op: 'matmul', shapes: [[5, 4], [4], [3, 4]], f: (w, b, pos) => patchEmbed(tf.tensor2d(Float32Array.from({ length: 30 }, (_, i) => Math.sin(i * 1.7)), [6, 5]), { w, b }, pos, 2) },
  { op: 'softmax', shapes: [[10, 8], [8, 24], [24]], f: (x, w, b) => selfAttention(x, { w, b }, 2, 5, 2) },
  // Layer norm folded into the following linear layer (one block on tensorflow), and attention after it.
  { op: 'layer_norm', shapes: [[6, 8], [8], [8], [8, 5], [5]], f: (x, g, b, w, c) => normLinear(x, { g, b }, { w, b: c }) },
  { op: 'softmax', shapes: [[10, 8], [8], [8], [8, 24], [24]], f: (x, g, bl, w, b) => selfAttention(x, { w, b }, 2, 5, 2, { g, b: bl }) },
  {
    op: 'nt_xent', shapes: [[6, 8], [6, 8]], f: (x, y) => ntXentGrouped(l2Normalize(x), l2Normalize(y), 0.1, 2),
    value: async ([x, y]) => {
      const nx = norm(x, 6, 8), ny = norm(y, 6, 8);
      const got = tf.tidy(() => ntXent(tf.tensor2d(nx, [6, 8]), tf.tensor2d(ny, [6, 8]), 0.1));
      const v = (await got.data())[0];
      got.dispose();
      const ref = ntXentReference(nx, ny, 6, 8, 0.1);
      return Math.abs(v - ref) / Math.max(Math.abs(ref), 1e-6);
    },
  },
];

function norm(x: Float32Array, B: number, D: number): Float32Array {
  const o = new Float32Array(x.length);
  for (let i = 0; i < B; i++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += x[i * D + k] ** 2;
    const r = 1 / Math.sqrt(s + 1e-12);
    for (let k = 0; k < D; k++) o[i * D + k] = x[i * D + k] * r;
  }
  return o;
}

export async function runCase(c: SelftestCase, seed = 1): Promise<SelftestResult> {
  const rand = mulberry32(seed);
  const xs = c.shapes.map((s) => truncNormal(s.reduce((a, b) => a * b, 1), 1, rand));
  const eps = 1e-2;
  let maxRelErr = 0;
  const out = tf.tidy(() => c.f(...xs.map((x, i) => tf.tensor(x, c.shapes[i]))));
  const r = tf.tensor(truncNormal(out.size, 1, rand), out.shape);
  out.dispose();
  const F = (...ts: tf.Tensor[]) => tf.sum(tf.mul(c.f(...ts), r));
  for (let trial = 0; trial < 2; trial++) {
    const us = c.shapes.map((s) => truncNormal(s.reduce((a, b) => a * b, 1), 1, rand));
    const [analytic, plus, minus] = tf.tidy(() => {
      const ts = xs.map((x, i) => tf.tensor(x, c.shapes[i]));
      const gs = tf.grads(F)(ts);
      const dot = tf.addN(gs.map((g, i) => tf.sum(tf.mul(g, tf.tensor(us[i], c.shapes[i])))));
      const shifted = (sgn: number) => F(...xs.map((x, i) => tf.tensor(x.map((v, k) => v + sgn * eps * us[i][k]), c.shapes[i])));
      return [dot, shifted(1), shifted(-1)];
    });
    const a = (await analytic.data())[0], p = (await plus.data())[0], m = (await minus.data())[0];
    tf.dispose([analytic, plus, minus]);
    const fd = (p - m) / (2 * eps);
    const err = Math.abs(a - fd) / Math.max(Math.abs(a), Math.abs(fd), 1e-2);
    maxRelErr = Math.max(maxRelErr, Number.isFinite(err) ? err : Infinity);
  }
  r.dispose();
  if (c.value) maxRelErr = Math.max(maxRelErr, await c.value(xs));
  return { op: c.op, ok: maxRelErr <= SELFTEST_TOLERANCE, maxRelErr };
}

/** Runs the self-test for the named ops (plan.backend.selftest); one result per op (worst case). */
export async function selftest(ops: string[]): Promise<SelftestResult[]> {
  const all = [...cases, ...extraSelftests];
  const results: SelftestResult[] = [];
  for (const op of ops) {
    const mine = all.filter((c) => c.op === op);
    if (mine.length === 0) { results.push({ op, ok: false, maxRelErr: Infinity }); continue; }
    let worst: SelftestResult = { op, ok: true, maxRelErr: 0 };
    for (const c of mine) {
      const r = await runCase(c);
      if (r.maxRelErr >= worst.maxRelErr) worst = r;
    }
    results.push(worst);
  }
  return results;
}
