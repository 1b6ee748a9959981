// NT-Xent as in Eq. 1 of the paper, for a pair of views (x, y) with unit-norm embeddings [B, D]:
//   ℓ_i(x, y) = −log( e^{x_i·y_i/τ} / (e^{x_i·y_i/τ} + Σ_{j≠i} e^{x_i·y_j/τ} + Σ_{j≠i} e^{x_j·y_i/τ}) )
// i.e. the negatives of instance i are its pairings with every other instance *in both directions*
// (N_i = {(z_x^i, z_y^j), (z_x^j, z_y^i)}), one softmax over 2B−1 terms. We return the mean over i;
// the paper's Eq. 2/3 sums over i (our L = Eq. 2 / B), which keeps the lr independent of batch size.
// Negatives come from the same device batch (plan.graph.loss.negatives = 'per_device'): the global
// batch is split into `groups` consecutive chunks, as a data-parallel run computes it on each device.
import * as tf from '@tensorflow/tfjs-core';
import { mm } from './ops.ts';

/** Diagonal entries are excluded from the column part with a large negative logit (finite: no NaN gradients). */
const MASK = -1e9;

/** Mean over i of ℓ_i(x, y) for one group; x, y [B, D] unit-norm. */
export function ntXent(x: tf.Tensor, y: tf.Tensor, tau: number): tf.Tensor {
  const B = x.shape[0]!;
  const s = tf.mul(mm(x, tf.transpose(y)), 1 / tau); // s[i][j] = x_i·y_j/τ
  const diagMask = tf.mul(tf.eye(B), MASK);
  const logits = tf.concat([s, tf.add(tf.transpose(s), diagMask)], 1); // row i: x_i·y_j (all j) and x_j·y_i (j≠i)
  const pos = tf.mul(tf.sum(tf.mul(x, y), 1), 1 / tau);
  return tf.mean(tf.sub(tf.logSumExp(logits, 1), pos));
}

/** ntXent averaged over `groups` equal consecutive chunks of the batch (per-device negatives). */
export function ntXentGrouped(x: tf.Tensor, y: tf.Tensor, tau: number, groups: number): tf.Tensor {
  if (groups <= 1) return ntXent(x, y, tau);
  const xs = tf.split(x, groups, 0), ys = tf.split(y, groups, 0);
  return tf.div(tf.addN(xs.map((xi, g) => ntXent(xi, ys[g], tau))), groups);
}

/** Plain-JS reference of ntXent (float64), for tests and the gradient self-test. x, y row-major [B, D]. */
export function ntXentReference(x: Float64Array | Float32Array, y: Float64Array | Float32Array, B: number, D: number, tau: number): number {
  const s = (i: number, j: number) => { let a = 0; for (let k = 0; k < D; k++) a += x[i * D + k] * y[j * D + k]; return a / tau; };
  let total = 0;
  for (let i = 0; i < B; i++) {
    const terms: number[] = [];
    for (let j = 0; j < B; j++) terms.push(s(i, j));
    for (let j = 0; j < B; j++) if (j !== i) terms.push(s(j, i));
    const m = Math.max(...terms);
    const lse = m + Math.log(terms.reduce((acc, t) => acc + Math.exp(t - m), 0));
    total += lse - s(i, i);
  }
  return total / B;
}
