// CPU-sized backbones (families patch_transformer and patch_mlp). Designed to be matmul-bound: the
// tubelet/patch embedding is a convolution with stride = kernel, done as patch extraction in plain JS
// (inputs need no gradient) followed by one matmul; every layer after that is a matmul on [B·N, d]
// tokens or a cheap elementwise op. No conv/pool kernels are used, so none of tfjs-wasm's broken or
// missing conv gradients are involved.
import * as tf from '@tensorflow/tfjs-core';
import type { TowerPlan } from '../../../compiler/plan.ts';
import { patchGrid, splitInput } from '../../../compiler/params.ts';
import type { ParamStore } from '../store.ts';
import { layerNorm, linear, meanPool, normLinear, patchEmbed, selfAttention } from '../ops.ts';
import type { Tower } from './index.ts';

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/**
 * Extracts non-overlapping patches: data [n, ...dims, C] (dims = [T,H,W] or [F,M]) → [n·N, P] with
 * P = ∏patch·C, patch-major then channels-last inside a patch (the order of a conv kernel's taps).
 */
export function patchify(data: Float32Array | Float32Array[], n: number, dims: number[], channels: number, patch: number[]): Float32Array {
  // Several arrays are read as their concatenation (the model's [view_p; view_s]) without copying them
  // into one first: for the quickstart's video that copy alone is 25 MB per step.
  const parts = Array.isArray(data) ? data : [data];
  const d3 = dims.length === 3 ? dims : [1, ...dims];
  const p3 = patch.length === 3 ? patch : [1, ...patch];
  const [T, H, W] = d3, [pt, ph, pw] = p3;
  const [gt, gh, gw] = patchGrid(d3, p3);
  const N = gt * gh * gw, P = pt * ph * pw * channels, seg = pw * channels;
  const out = new Float32Array(n * N * P);
  const per = T * H * W * channels;
  let o = 0, part = 0, first = 0;
  for (let b = 0; b < n; b++) {
    while ((b - first) * per >= parts[part].length) { first += parts[part].length / per; part += 1; }
    const src0 = parts[part], bb = b - first;
    for (let it = 0; it < gt; it++)
      for (let ih = 0; ih < gh; ih++)
        for (let iw = 0; iw < gw; iw++)
          for (let dt = 0; dt < pt; dt++)
            for (let dh = 0; dh < ph; dh++) {
              const src = (((bb * T + it * pt + dt) * H + ih * ph + dh) * W + iw * pw) * channels;
              out.set(src0.subarray(src, src + seg), o);
              o += seg;
            }
  }
  return out;
}

export function buildPatchTower(t: TowerPlan, store: ParamStore, prefix: string): Tower {
  const c = t.config;
  const patch = c.patch as number[], dim = c.dim as number, depth = c.depth as number, ratio = c.mlp_ratio as number;
  const heads = t.family === 'patch_transformer' ? (c.heads as number) : 0;
  const { dims, channels } = splitInput(t.modality, t.input);
  const grid = patchGrid(dims, patch), N = prod(grid), P = prod(patch) * channels, hidden = Math.round(dim * ratio);
  const embed = store.linear(`${prefix}/embed`, P, dim);
  const pos = store.get(`${prefix}/pos`, [N, dim], { kind: 'normal', std: 0.02 }, false);
  const blocks = Array.from({ length: depth }, (_, i) => ({
    ln1: heads ? store.norm(`${prefix}/block${i}/ln1`, dim) : null,
    qkv: heads ? store.linear(`${prefix}/block${i}/attn/qkv`, dim, 3 * dim) : null,
    proj: heads ? store.linear(`${prefix}/block${i}/attn/proj`, dim, dim) : null,
    ln2: store.norm(`${prefix}/block${i}/ln2`, dim),
    fc1: store.linear(`${prefix}/block${i}/mlp/fc1`, dim, hidden),
    fc2: store.linear(`${prefix}/block${i}/mlp/fc2`, hidden, dim),
  }));
  const lnF = store.norm(`${prefix}/norm`, dim);
  const out = dim !== t.outputDim ? store.linear(`${prefix}/out`, dim, t.outputDim) : null;
  const prepareParts = (parts: Float32Array[], n: number): tf.Tensor => {
    const got = parts.reduce((s, x) => s + x.length, 0), expect = n * prod(t.input);
    if (got !== expect || parts.some((x) => x.length % prod(t.input) !== 0)) throw new Error(`${t.modality} input has ${got} floats, expected ${n}×[${t.input}] = ${expect}`);
    return tf.tensor2d(patchify(parts, n, dims, channels, patch), [n * N, P]);
  };
  return {
    plan: t,
    prepare: (data, n) => prepareParts([data], n),
    prepareParts,
    forward(x, n) {
      let h = patchEmbed(x, embed, pos, n);
      for (const b of blocks) {
        if (b.qkv && b.proj && b.ln1) h = tf.add(h, linear(selfAttention(h, b.qkv, n, N, heads, b.ln1), b.proj));
        h = tf.add(h, linear(normLinear(h, b.ln2, b.fc1, { relu: true }), b.fc2));
      }
      const pooled = meanPool(layerNorm(h, lnF), n);
      return out ? linear(pooled, out) : pooled;
    },
  };
}
