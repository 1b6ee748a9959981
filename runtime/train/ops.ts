// Building blocks shared by every model. Each block with a hot backward (matmul, linear, layer norm,
// attention core, patch embedding) is one custom-gradient op with a hand-written backward, so the tape
// records one node per block instead of one per elementwise op, and the backward uses as few and as
// large kernels as the backend allows. Two lowerings of the same mathematics:
//   - 'native' (the tensorflow backend, tfjs-node): TF ops by name (native.ts) — MatMul with transpose
//     attributes, BiasAdd / BiasAddGrad, ReluGrad, rank-5 Transpose + Unpack for q/k/v, BatchMatMulV2
//     with adj_x/adj_y for attention;
//   - 'portable' (wasm, cpu): tfjs ops only, shaped for tfjs-wasm 4.22, where matMul with transposeA/B
//     runs at 2–3 GFLOP/s against ~26 for a plain matMul of pre-transposed operands, column sums run as
//     an average pool (colSum), and rank-5 Transpose is ~250× slower than rank 4 (measured here).
//     On wasm a batched (rank-3) matMul runs as a depthwise convolution (batchedDepthwise), ~3× faster.
// test/train/ops-agreement.test.ts checks forward values and gradients of every block on every
// available backend against the pure-JS cpu backend; the gradient self-test checks them against finite
// differences before each run.
import * as tf from '@tensorflow/tfjs-core';
// Gradients are registered by the tfjs union package, not by tfjs-core's entry point.
import './gradients.ts';
import * as nat from './native.ts';
import { tensorflowOneDnn } from './backend.ts';

export type Lowering = 'native' | 'portable';

// The lowering follows the active backend (native exactly when it is tensorflow) unless a test forces
// one; reading it per call keeps a backend switch (bench/train.ts runs several) from going stale.
let forced: Lowering | null = null;
/** Forces a lowering (tests compare both on tfjs-node); null returns to following the backend. */
export const setLowering = (l: Lowering | null) => { forced = l; };
export const activeLowering = (): Lowering => forced ?? (tf.getBackend() === 'tensorflow' ? 'native' : 'portable');

type Grad = Parameters<typeof tf.customGrad>[0];
const custom = <F extends (...xs: tf.Tensor[]) => tf.Tensor>(f: (...args: never[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] }) =>
  tf.customGrad(f as unknown as Grad) as unknown as F;

const swapLast = (t: tf.Tensor): tf.Tensor => {
  const r = t.rank, perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(t, perm);
};

/** op(a) @ op(b) without tape, rank 2 or equal-batch rank 3, in the active lowering. */
function matmulT(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): tf.Tensor {
  if (activeLowering() === 'native') return nat.matmul(a, b, ta, tb);
  if (a.rank === 3 && a.shape[0]! > 1 && tf.getBackend() === 'wasm') return batchedDepthwise(a, b, ta, tb);
  return tf.matMul((ta ? swapLast(a) : a) as tf.Tensor2D, (tb ? swapLast(b) : b) as tf.Tensor2D);
}

/**
 * Batched op(a) @ op(b) ([G, M, K] · [G, K, N] → [G, M, N]) on wasm as one depthwise convolution:
 * tfjs-wasm runs a batched matMul (batch > 1) in a scalar C++ loop (~2 GFLOP/s) but a depthwise
 * convolution on XNNPACK. With the G batches as channels, the image op(a) laid out [1, M, K, G] and a
 * 1 × K filter per channel with N outputs (op(b) as [1, K, G, N]), out[i, g·N + n] = Σ_k a[g,i,k] b[g,k,n].
 * The transposes that lay the operands out absorb ta / tb. Attention's shapes here (G = 256, K = 32):
 * M = N = 16: 8.2 → 2.4 ms; M = N = 36: 43 → 16 ms, transposes included (1 thread, load 7).
 */
function batchedDepthwise(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): tf.Tensor {
  const [G, M, K] = ta ? [a.shape[0]!, a.shape[2]!, a.shape[1]!] : [a.shape[0]!, a.shape[1]!, a.shape[2]!];
  const N = tb ? b.shape[1]! : b.shape[2]!;
  return tf.tidy(() => {
    const x = tf.reshape(tf.transpose(a, ta ? [2, 1, 0] : [1, 2, 0]), [1, M, K, G]) as tf.Tensor4D;
    const f = tf.reshape(tf.transpose(b, tb ? [2, 0, 1] : [1, 0, 2]), [1, K, G, N]) as tf.Tensor4D;
    return tf.transpose(tf.reshape(tf.depthwiseConv2d(x, f, 1, 'valid'), [M, G, N]), [1, 0, 2]);
  });
}

/**
 * Column sums of a [M, n] tensor → [n] (bias gradients). Portable: an M × 1 average pool over
 * [1, M, 1, n] (XNNPACK's pooling, one pass) times M. The ones-matmul used before packs x as the GEMM
 * kernel on every call, because each gradient is a fresh tensor (tfjs-wasm caches a packed kernel per
 * tensor): 1.6–5.9 ms for [2304, 128–256] against 0.2–0.6 ms pooled; tf.sum over axis 0 transposes
 * first, 1.4–2.9 ms (fresh inputs, median of 15, 1 thread, load ~1.3).
 */
function colSum(x: tf.Tensor): tf.Tensor {
  if (activeLowering() === 'native') return nat.biasAddGrad(x);
  const [M, n] = x.shape as [number, number];
  if (M === 1) return tf.reshape(x, [n]);
  return tf.tidy(() => tf.mul(tf.reshape(tf.avgPool(tf.reshape(x, [1, M, 1, n]) as tf.Tensor4D, [M, 1], 1, 'valid'), [n]), M));
}

/** Mean over the last axis of [M, n] → [M, 1]. */
function rowMean(x: tf.Tensor): tf.Tensor {
  return activeLowering() === 'native' ? nat.reduce('Mean', x, [-1], true) : tf.mean(x, -1, true);
}

/**
 * xᵀ dy for a weight gradient. Native on Eigen (oneDNN off): for a wide x (the patch embedding's
 * [n·N, 1536]) TF's MatMul with transpose_a runs ~4× slower than (dyᵀ x)ᵀ — MatMul(dy, x, transpose_a)
 * plus a transpose of the small [out, in] result (measured here: 23.6 vs 6.2 ms for
 * [1024,1536]ᵀ·[1024,128]). With oneDNN (backend.ts turns it on) the direct form is the faster one:
 * 6.1 vs 8.1 ms for that shape, 2.1 vs 2.5 ms for [2304,256]ᵀ·[2304,128] (best of 30, interleaved, load 15).
 */
function weightGrad(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  if (activeLowering() === 'native' && !tensorflowOneDnn() && x.shape[1]! > 2 * dy.shape[1]!) {
    const t = nat.matmul(dy, x, true, false);
    const w = nat.transpose(t, [1, 0]);
    t.dispose();
    return w;
  }
  return matmulT(x, dy, true, false);
}

const mmOp = custom<(a: tf.Tensor, b: tf.Tensor) => tf.Tensor>((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: matmulT(a, b, false, false),
    gradFunc: (dy, [sa, sb]) => [matmulT(dy, sb, false, true), matmulT(sa, dy, true, false)],
  };
});

/** a @ b for rank-2 or equal-batch rank-3 operands (no broadcasting of batch dims). */
export const mm = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => mmOp(a, b);

function linearForward(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, relu: boolean): tf.Tensor {
  if (activeLowering() === 'native') {
    const y = nat.biasAdd(nat.matmul(x, w), b);
    if (!relu) return y;
    const r = nat.relu(y);
    y.dispose();
    return r;
  }
  return tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: relu ? 'relu' : 'linear' });
}

function reluMask(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return activeLowering() === 'native' ? nat.reluGrad(dy, y) : tf.mul(dy, tf.step(y));
}

// x @ w + b (then ReLU): dx = g wᵀ, dw = xᵀ g, db = Σ_rows g with g = dy masked by y > 0.
const linearOp = custom<(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor>((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = linearForward(x, w, b, false);
  save([x, w]);
  return { value: y, gradFunc: (dy, [sx, sw]) => [matmulT(dy, sw, false, true), weightGrad(sx, dy), colSum(dy)] };
});
const linearReluOp = custom<(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor>((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = linearForward(x, w, b, true);
  save([x, w, y]);
  return {
    value: y,
    gradFunc: (dy, [sx, sw, sy]) => {
      const g = reluMask(dy, sy);
      return [matmulT(g, sw, false, true), weightGrad(sx, g), colSum(g)];
    },
  };
});

export interface LinearOptions {
  /** Apply ReLU to the output (fused into the block). Default false. */
  relu?: boolean;
}

/** x [M, in] → [M, out] (ReLU'd with { relu: true }). */
export function linear(x: tf.Tensor, p: { w: tf.Tensor; b: tf.Tensor }, o: LinearOptions = {}): tf.Tensor {
  return (o.relu ? linearReluOp : linearOp)(x, p.w, p.b);
}

/**
 * Token embedding of constant inputs: x [n·N, P] (data: no gradient wanted) → x @ w + b + pos per token,
 * [n·N, d]. One block, so no input gradient (a [n·N, P] matmul) is computed for the data.
 */
export function patchEmbed(x: tf.Tensor, p: { w: tf.Tensor; b: tf.Tensor }, pos: tf.Tensor, n: number): tf.Tensor {
  const [N, d] = pos.shape as [number, number];
  const f = custom<(w: tf.Tensor, b: tf.Tensor, pos: tf.Tensor) => tf.Tensor>((w: tf.Tensor, b: tf.Tensor, ps: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]); // not an input of the block, but freed with the forward's intermediates unless saved
    let value: tf.Tensor;
    if (activeLowering() === 'native') {
      const bp = nat.add(ps, b); // [N, d]: bias and position table folded into one broadcast add
      value = nat.reshape(nat.add(nat.reshape(nat.matmul(x, w), [n, N, d]), bp), [n * N, d]);
    } else {
      value = tf.reshape(tf.add(tf.reshape(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), [n, N, d]), tf.add(ps, b)), [n * N, d]);
    }
    return {
      value,
      gradFunc: (dy, [sx]) => {
        const db = colSum(dy);
        const dpos = activeLowering() === 'native'
          ? nat.reduce('Sum', nat.reshape(dy, [n, N * d]), [0], false)
          : colSum(tf.reshape(dy, [n, N * d]));
        return [weightGrad(sx, dy), db, tf.reshape(dpos, [N, d])];
      },
    };
  });
  return f(p.w, p.b, pos);
}

/** Columns [from, from+n) of a linear layer (a cheap slice of the small weight, not of the activations). */
export function linearColumns(p: { w: tf.Tensor; b: tf.Tensor }, from: number, n: number): { w: tf.Tensor; b: tf.Tensor } {
  return { w: tf.slice(p.w, [0, from], [-1, n]), b: tf.slice(p.b, [from], [n]) };
}

// Layer norm over the last axis of x [M, d]: x̂ = (x − μ)·r, r = 1/√(σ² + ε), y = x̂·g + b. Backward:
//   dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = dy·g,  dg = Σ_rows dy·x̂,  db = Σ_rows dy.
const layerNormOp = (eps: number) => custom<(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor>((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  let xhat: tf.Tensor, r: tf.Tensor, y: tf.Tensor;
  if (activeLowering() === 'native') {
    const mean = nat.reduce('Mean', x, [-1], true);
    const variance = nat.reduce('Mean', nat.squaredDifference(x, mean), [-1], true);
    r = nat.rsqrt(nat.add(variance, tf.scalar(eps)));
    xhat = nat.mul(nat.sub(x, mean), r);
    y = nat.biasAdd(nat.mul(xhat, g), b);
  } else {
    const mean = rowMean(x);
    const xc = tf.sub(x, mean);
    r = tf.rsqrt(tf.add(rowMean(tf.square(xc)), eps));
    xhat = tf.mul(xc, r);
    y = tf.add(tf.mul(xhat, g), b);
  }
  save([xhat, r, g]);
  return {
    value: y,
    gradFunc: (dy, [sx, sr, sg]) => {
      if (activeLowering() === 'native') {
        const gh = nat.mul(dy, sg);
        const inner = nat.sub(nat.sub(gh, nat.reduce('Mean', gh, [-1], true)), nat.mul(sx, nat.reduce('Mean', nat.mul(gh, sx), [-1], true)));
        return [nat.mul(inner, sr), nat.biasAddGrad(nat.mul(dy, sx)), nat.biasAddGrad(dy)];
      }
      const gh = tf.mul(dy, sg);
      const inner = tf.sub(tf.sub(gh, rowMean(gh)), tf.mul(sx, rowMean(tf.mul(gh, sx))));
      return [tf.mul(inner, sr), colSum(tf.mul(dy, sx)), colSum(dy)];
    },
  };
});
const layerNormOps = new Map<number, ReturnType<typeof layerNormOp>>();

/** Layer norm over the last axis of x [M, d] (one block, hand-written backward). */
export function layerNorm(x: tf.Tensor, p: { g: tf.Tensor; b: tf.Tensor }, eps = 1e-5): tf.Tensor {
  let f = layerNormOps.get(eps);
  if (!f) { f = layerNormOp(eps); layerNormOps.set(eps, f); }
  if (x.rank === 2) return f(x, p.g, p.b);
  const d = x.shape[x.rank - 1]!;
  return tf.reshape(f(tf.reshape(x, [-1, d]), p.g, p.b), x.shape);
}

// Layer norm followed by a linear layer, y = LN(x) @ w + c (then ReLU), as one block on tensorflow. The
// norm's affine part is folded into the small weight instead of being applied to the [M, d] activations:
//   LN(x) @ w + c = x̂ @ w' + c',  w' = diag(g) w,  c' = b_ln @ w + c,
// which saves two full passes over [M, d] forward and about four backward (the ĝ = dy·g product, dy·x̂
// and the two column sums). Backward, with gy = dy (masked by y > 0 with ReLU):
//   dw' = x̂ᵀ gy, dc' = Σ_rows gy, dx̂ = gy w'ᵀ, dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)),
//   dw = diag(g) dw' + b_lnᵀ ⊗ dc',  dg = Σ_cols (w ∘ dw'),  db_ln = w dc',  dc = dc'.
// The same parameters and the same function as layerNorm then linear (the portable lowering runs those).
const normLinearOp = (eps: number, relu: boolean) => custom<(x: tf.Tensor, g: tf.Tensor, bl: tf.Tensor, w: tf.Tensor, c: tf.Tensor) => tf.Tensor>(
  (x: tf.Tensor, g: tf.Tensor, bl: tf.Tensor, w: tf.Tensor, c: tf.Tensor, save: tf.GradSaveFunc) => {
    const [d, out] = w.shape as [number, number];
    const mean = nat.reduce('Mean', x, [-1], true);
    const variance = nat.reduce('Mean', nat.squaredDifference(x, mean), [-1], true);
    const r = nat.rsqrt(nat.add(variance, tf.scalar(eps)));
    const xhat = nat.mul(nat.sub(x, mean), r);
    const g2 = nat.reshape(g, [d, 1]);
    const wf = nat.mul(g2, w);
    const cf = nat.add(nat.reshape(nat.matmul(nat.reshape(bl, [1, d]), w), [out]), c);
    let y = nat.biasAdd(nat.matmul(xhat, wf), cf);
    if (relu) y = nat.relu(y);
    save(relu ? [xhat, r, w, wf, g2, bl, y] : [xhat, r, w, wf, g2, bl]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [sx, sr, sw, swf, sg2, sbl, sy] = saved;
        const gy = relu ? nat.reluGrad(dy, sy) : dy;
        const dwf = nat.matmul(sx, gy, true, false);
        const dcf = nat.biasAddGrad(gy);
        const dxh = nat.matmul(gy, swf, false, true);
        const inner = nat.sub(nat.sub(dxh, nat.reduce('Mean', dxh, [-1], true)), nat.mul(sx, nat.reduce('Mean', nat.mul(dxh, sx), [-1], true)));
        const dx = nat.mul(inner, sr);
        const dw = nat.add(nat.mul(sg2, dwf), nat.matmul(nat.reshape(sbl, [d, 1]), nat.reshape(dcf, [1, out])));
        const dg = nat.reduce('Sum', nat.mul(sw, dwf), [1], false);
        const dbl = nat.reshape(nat.matmul(sw, nat.reshape(dcf, [out, 1])), [d]);
        return [dx, dg, dbl, dw, dcf];
      },
    };
  });
const normLinearOps = new Map<string, ReturnType<typeof normLinearOp>>();

/** linear(layerNorm(x, ln), lin, o) for x [M, d]; one block with the norm's affine folded into w on tensorflow. */
export function normLinear(x: tf.Tensor, ln: { g: tf.Tensor; b: tf.Tensor }, lin: { w: tf.Tensor; b: tf.Tensor }, o: LinearOptions = {}, eps = 1e-5): tf.Tensor {
  if (activeLowering() !== 'native' || x.rank !== 2) return linear(layerNorm(x, ln, eps), lin, o);
  const key = `${eps}/${o.relu ? 1 : 0}`;
  let f = normLinearOps.get(key);
  if (!f) { f = normLinearOp(eps, !!o.relu); normLinearOps.set(key, f); }
  return f(x, ln.g, ln.b, lin.w, lin.b);
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
 * projection); with `ln`, x is layer-normed first (normLinear on tensorflow). Native: one [d, 3d] matmul and one attention block over the [B·N, 3d] result. Portable:
 * q, k, v come from column slices of the weight, not a split of the activations (SplitV on [B·N, 3d]
 * costs as much as the matmul on wasm).
 */
export function selfAttention(x: tf.Tensor, qkv: { w: tf.Tensor; b: tf.Tensor }, batch: number, tokens: number, heads: number, ln?: { g: tf.Tensor; b: tf.Tensor }): tf.Tensor {
  const d = qkv.w.shape[0]!;
  if (activeLowering() === 'native') return attentionQkv(ln ? normLinear(x, ln, qkv) : linear(x, qkv), batch, tokens, heads);
  if (ln) x = layerNorm(x, ln);
  return attention(linear(x, linearColumns(qkv, 0, d)), linear(x, linearColumns(qkv, d, d)), linear(x, linearColumns(qkv, 2 * d, d)), batch, tokens, heads);
}

// Native attention over fused qkv [B·N, 3d] (columns q | k | v, heads contiguous inside each):
//   [B,N,3,h,hd] →(one rank-5 transpose) [3,B,h,N,hd] → q, k, v;  P = softmax(q kᵀ/√hd);  o = P v.
// Backward: dP = do vᵀ, dv = Pᵀ do, dS = P·(dP − Σ_j dP·P)/√hd, dq = dS k, dk = dSᵀ q.
function attentionQkv(qkv: tf.Tensor, batch: number, tokens: number, heads: number): tf.Tensor {
  const d = qkv.shape[1]! / 3, hd = d / heads, scale = 1 / Math.sqrt(hd);
  const f = custom<(qkv: tf.Tensor) => tf.Tensor>((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [q, k, v] = nat.unpack(nat.transpose(nat.reshape(x, [batch, tokens, 3, heads, hd]), [2, 0, 3, 1, 4]), 3, 0);
    const s = tf.scalar(scale);
    const p = nat.softmax(nat.mul(nat.matmul(q, k, false, true), s));
    const o = nat.matmul(p, v); // [B, h, N, hd]
    save([q, k, v, p]);
    return {
      value: nat.reshape(nat.transpose(o, [0, 2, 1, 3]), [batch * tokens, d]),
      gradFunc: (dy, [sq, sk, sv, sp]) => {
        const dO = nat.transpose(nat.reshape(dy, [batch, tokens, heads, hd]), [0, 2, 1, 3]);
        const dp = nat.matmul(dO, sv, false, true);
        const dv = nat.matmul(sp, dO, true, false);
        const ds = nat.mul(nat.mul(sp, nat.sub(dp, nat.reduce('Sum', nat.mul(dp, sp), [-1], true))), tf.scalar(scale));
        const dq = nat.matmul(ds, sk);
        const dk = nat.matmul(ds, sq, true, false);
        return nat.reshape(nat.transpose(nat.pack([dq, dk, dv], 0), [1, 3, 0, 2, 4]), [batch * tokens, 3 * d]);
      },
    };
  });
  return f(qkv);
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
