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

// x @ w + b with one custom gradient: dx = dy wᵀ, dw = xᵀ dy (explicit transposes), db = 1ᵀ dy as a
// matmul — tfjs-wasm's Sum over rows is ~25× slower than multiplying by a row of ones (measured here).
const linearExplicit = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved;
      const d2 = dy as tf.Tensor2D;
      return [tf.matMul(d2, tf.transpose(sw) as tf.Tensor2D), tf.matMul(tf.transpose(sx) as tf.Tensor2D, d2),
        tf.reshape(tf.matMul(tf.ones([1, d2.shape[0]]), d2), [-1])];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** x [M, in] → [M, out]. */
export function linear(x: tf.Tensor, p: { w: tf.Tensor; b: tf.Tensor }): tf.Tensor {
  return impl === 'native' ? tf.add(tf.matMul(x as tf.Tensor2D, p.w as tf.Tensor2D), p.b) : linearExplicit(x, p.w, p.b);
}

/** Columns [from, from+n) of a linear layer (a cheap slice of the small weight, not of the activations). */
export function linearColumns(p: { w: tf.Tensor; b: tf.Tensor }, from: number, n: number): { w: tf.Tensor; b: tf.Tensor } {
  return { w: tf.slice(p.w, [0, from], [-1, n]), b: tf.slice(p.b, [from], [n]) };
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
 * Multi-head self-attention: x [B·N, d] with a fused qkv layer [d, 3d] → [B·N, d] (before the output
 * projection). q, k, v come from column slices of the weight, not a split of the activations (SplitV on
 * [B·N, 3d] costs as much as the matmul on wasm).
 */
export function selfAttention(x: tf.Tensor, qkv: { w: tf.Tensor; b: tf.Tensor }, batch: number, tokens: number, heads: number): tf.Tensor {
  const d = qkv.w.shape[0]!;
  return attention(linear(x, linearColumns(qkv, 0, d)), linear(x, linearColumns(qkv, d, d)), linear(x, linearColumns(qkv, 2 * d, d)), batch, tokens, heads);
}

/**
 * Multi-head attention core: q, k, v [B·N, d] → [B·N, d]. Only rank-≤4 transposes: tfjs-wasm's
 * rank-5 Transpose is ~250× slower than rank 4 (105 ms vs 0.4 ms for 0.5M floats, measured here).
 * Scores are q @ kᵀ with kᵀ materialised by the transpose (see the file comment on transposed matmuls).
 */
export function attention(q2: tf.Tensor, k2: tf.Tensor, v2: tf.Tensor, batch: number, tokens: number, heads: number): tf.Tensor {
  const d = q2.shape[1]!, hd = d / heads;
  const [q, k, v] = [q2, k2, v2].map((x) => tf.reshape(x, [batch, tokens, heads, hd]));
  const qh = tf.reshape(tf.transpose(q, [0, 2, 1, 3]), [batch * heads, tokens, hd]);
  const kT = tf.reshape(tf.transpose(k, [0, 2, 3, 1]), [batch * heads, hd, tokens]);
  const vh = tf.reshape(tf.transpose(v, [0, 2, 1, 3]), [batch * heads, tokens, hd]);
  const p = tf.softmax(tf.mul(mm(qh, kT), 1 / Math.sqrt(hd)));
  const o = mm(p, vh); // [B·h, N, hd]
  return tf.reshape(tf.transpose(tf.reshape(o, [batch, heads, tokens, hd]), [0, 2, 1, 3]), [batch * tokens, d]);
}
