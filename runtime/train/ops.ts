// Building blocks shared by every model, written with tfjs-core ops whose gradients are correct on all
// backends. Matmul gradients transpose explicitly: on tfjs-wasm 4.22 matMul with transposeA/B runs at
// 2–3 GFLOP/s against ~26 GFLOP/s for a plain matMul of pre-transposed operands (measured here), and
// the built-in MatMul gradient uses the transposed forms.
import * as tf from '@tensorflow/tfjs-core';
// Gradients are registered by the tfjs union package, not by tfjs-core's entry point.
import './gradients.ts';

export type MatmulImpl = 'explicit_transpose' | 'native';

let impl: MatmulImpl = 'explicit_transpose';
export const setMatmulImpl = (m: MatmulImpl) => { impl = m; };

const swapLast = (t: tf.Tensor): tf.Tensor => {
  const r = t.rank, perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(t, perm);
};

const mmExplicit = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy as tf.Tensor2D, swapLast(sb) as tf.Tensor2D), tf.matMul(swapLast(sa) as tf.Tensor2D, dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** a @ b for rank-2 or equal-batch rank-3 operands (no broadcasting of batch dims). */
export function mm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return impl === 'native' ? tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D) : mmExplicit(a, b);
}

/** x [M, in] → [M, out]. */
export function linear(x: tf.Tensor, p: { w: tf.Tensor; b: tf.Tensor }): tf.Tensor {
  return tf.add(mm(x, p.w), p.b);
}

/** Layer norm over the last axis (elementwise ops: correct gradients on every backend). */
export function layerNorm(x: tf.Tensor, p: { g: tf.Tensor; b: tf.Tensor }, eps = 1e-5): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), p.g), p.b);
}

/** Rows scaled to unit L2 norm. */
export function l2Normalize(x: tf.Tensor, eps = 1e-12): tf.Tensor {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), -1, true), eps)));
}

/** [B·N, d] tokens → [B, d] mean over the N tokens of each example. */
export function meanPool(x: tf.Tensor, batch: number): tf.Tensor {
  const d = x.shape[x.rank - 1];
  return tf.mean(tf.reshape(x, [batch, -1, d]), 1);
}

/**
 * Multi-head self-attention core: qkv [B·N, 3d] → [B·N, d]. Scores are computed as q @ kᵀ with kᵀ
 * materialised by a transpose (see the file comment about transposed matmuls).
 */
export function attention(qkv: tf.Tensor, batch: number, tokens: number, heads: number): tf.Tensor {
  const d = qkv.shape[1]! / 3, hd = d / heads;
  const t = tf.transpose(tf.reshape(qkv, [batch, tokens, 3, heads, hd]), [2, 0, 3, 1, 4]); // [3, B, h, N, hd]
  const [q, k, v] = tf.split(tf.reshape(t, [3, batch * heads, tokens, hd]), 3, 0).map((x) => tf.reshape(x, [batch * heads, tokens, hd]));
  const kT = tf.transpose(k, [0, 2, 1]);
  const p = tf.softmax(tf.mul(mm(q, kT), 1 / Math.sqrt(hd)));
  const o = mm(p, v); // [B·h, N, hd]
  return tf.reshape(tf.transpose(tf.reshape(o, [batch, heads, tokens, hd]), [0, 2, 1, 3]), [batch * tokens, d]);
}
