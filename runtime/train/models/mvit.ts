// Multiscale Vision Transformers: MViT v1 (Fan et al. 2021) and MViTv2 (Li et al. 2022), after
// pyslowfast's MultiScaleBlock/MultiScaleAttention, over 3-D video tokens [T,H,W] or 2-D log-mel
// tokens [F,M] (the paper's audio variant). Pooling attention uses depthwise convolutions shared
// across heads + LayerNorm (models/layers.ts: correct gradients on wasm); MViTv2 adds decomposed
// relative position tables (gathered with one-hot matmuls: the gather gradient, UnsortedSegmentSum,
// is missing on wasm) and residual pooling. Deviations, none of which changes a parameter count:
// GELU is the tanh approximation; the representation is the mean over tokens (also for v1's cls);
// relative-position indices are clamped where reduced inputs give odd pooled sizes.
import * as tf from '@tensorflow/tfjs-core';
import type { TowerPlan } from '../../../compiler/plan.ts';
import { splitInput } from '../../../compiler/params.ts';
import type { ParamStore } from '../store.ts';
import { layerNorm, linear, mm } from '../ops.ts';
import type { Tower } from './index.ts';
import { conv, convParams, depthwise, depthwiseParams, maxPool, outSize, type DepthwiseParams } from './layers.ts';

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

export function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** One-hot [q·k, L] selecting pyslowfast's relative index for each (query, key) coordinate pair. */
function relIndex(q: number, k: number, L: number): { data: Float32Array; shape: [number, number] } {
  const qr = Math.max(k / q, 1), kr = Math.max(q / k, 1);
  const sel = new Float32Array(q * k * L);
  for (let a = 0; a < q; a++) for (let b = 0; b < k; b++) {
    const i = Math.min(L - 1, Math.max(0, Math.round(a * qr - b * kr + (k - 1) * kr)));
    sel[(a * k + b) * L + i] = 1;
  }
  return { data: sel, shape: [q * k, L] };
}

interface PoolP { conv: DepthwiseParams; norm: { g: tf.Variable; b: tf.Variable } }

export function buildMvitTower(t: TowerPlan, store: ParamStore, prefix: string): Tower {
  const c = t.config;
  const v2 = (c.version as number) >= 2;
  const E = c.embed_dim as number, depth = c.depth as number, ratio = c.mlp_ratio as number;
  const pk = c.patch_kernel as number[], ps = c.patch_stride as number[], stages = new Set(c.stage_layers as number[]);
  const pool = c.pool_kernel as number[], qs = c.pool_q_stride as number[];
  let kvs = (c.pool_kv_stride as number[]).slice();
  const cls = c.cls_token as boolean, absPos = String(c.abs_pos), relPos = v2 && (c.rel_pos as boolean);
  const inAtt = v2 && (c.dim_mul_in_att as boolean), qAll = v2 && (c.pool_q_all_layers as boolean);
  const { dims, channels } = splitInput(t.modality, t.input);
  const nd = dims.length;
  let size = dims.map((s, i) => outSize(s, pk[i], ps[i]));
  const grid0 = size.slice();
  const patch = convParams(store, `${prefix}/patch`, channels, E, pk, ps, true);
  const clsTok = cls ? store.get(`${prefix}/cls`, [1, 1, E], { kind: 'normal', std: 0.02 }, false) : null;
  const N0 = prod(size);
  const pos = absPos === 'separate' && nd === 3
    ? { s: store.get(`${prefix}/pos/spatial`, [prod(size.slice(1)), E], { kind: 'normal', std: 0.02 }, false),
        t: store.get(`${prefix}/pos/temporal`, [size[0], E], { kind: 'normal', std: 0.02 }, false),
        c: cls ? store.get(`${prefix}/pos/class`, [1, E], { kind: 'normal', std: 0.02 }, false) : null }
    : absPos === 'joint' || absPos === 'separate' ? { j: store.get(`${prefix}/pos/joint`, [N0 + (cls ? 1 : 0), E], { kind: 'normal', std: 0.02 }, false) } : null;

  let dim = E, heads = c.num_heads as number;
  const blocks = Array.from({ length: depth }, (_, i) => {
    const stageHere = stages.has(i), stageNext = stages.has(i + 1);
    const headsI = stageHere ? heads * 2 : heads;
    const dimOut = inAtt ? (stageHere ? dim * 2 : dim) : (stageNext ? dim * 2 : dim);
    const attDim = inAtt ? dimOut : dim;
    const qStride = stageHere ? qs : qs.map(() => 1);
    if (stageHere) kvs = kvs.map((s, j) => Math.max(1, Math.floor(s / qStride[j])));
    const hd = attDim / headsI, name = `${prefix}/block${i}`;
    const poolP = (which: string, stride: number[]): PoolP => ({ conv: depthwiseParams(store, `${name}/pool_${which}`, hd, pool, stride), norm: store.norm(`${name}/norm_${which}`, hd) });
    const qSize = size.map((s, j) => outSize(s, pool[j], qStride[j])), kvSize = size.map((s, j) => outSize(s, pool[j], kvs[j]));
    const rel = relPos ? size.map((s, j) => {
      const L = nd === 3 && j === 0 ? 2 * s - 1 : 2 * Math.max(Math.floor(s / qStride[j]), Math.floor(s / kvs[j])) - 1;
      return { table: store.get(`${name}/rel_pos_${j}`, [L, hd], { kind: 'normal', std: 0.02 }, false), sel: relIndex(qSize[j], kvSize[j], L) };
    }) : null;
    const hidden = Math.round(attDim * ratio);
    const block = {
      size: size.slice(), qSize, kvSize, heads: headsI, hd, attDim, dim, dimOut, qStride,
      norm1: store.norm(`${name}/norm1`, dim), qkv: store.linear(`${name}/attn/qkv`, dim, 3 * attDim), proj: store.linear(`${name}/attn/proj`, attDim, attDim),
      poolQ: qAll || stageHere ? poolP('q', qStride) : null, poolK: poolP('k', kvs.slice()), poolV: poolP('v', kvs.slice()), rel,
      norm2: store.norm(`${name}/norm2`, attDim), fc1: store.linear(`${name}/mlp/fc1`, attDim, hidden), fc2: store.linear(`${name}/mlp/fc2`, hidden, dimOut),
      skipProj: dim !== dimOut ? store.linear(`${name}/proj`, dim, dimOut) : null,
    };
    size = qSize; dim = dimOut; heads = headsI;
    return block;
  });
  const norm = store.norm(`${prefix}/norm`, dim);
  const out = dim !== t.outputDim ? store.linear(`${prefix}/out`, dim, t.outputDim) : null;
  const nc = cls ? 1 : 0;

  /** [B', Ntok, hd] → split cls, pool the grid with a depthwise conv + LN, re-join. */
  const poolTokens = (x: tf.Tensor, p: PoolP | null, grid: number[]): tf.Tensor => {
    if (!p) return x;
    const Bp = x.shape[0]!, hd = x.shape[2]!;
    const g = tf.reshape(tf.slice(x, [0, nc, 0], [-1, -1, -1]), [Bp, ...grid, hd]);
    const pooled = depthwise(g, p.conv);
    const flat = layerNorm(tf.reshape(pooled, [Bp, -1, hd]), p.norm);
    return nc ? tf.concat([tf.slice(x, [0, 0, 0], [-1, 1, -1]), flat], 1) : flat;
  };

  return {
    plan: t,
    prepare(data, n) {
      if (data.length !== n * prod(t.input)) throw new Error(`${t.modality} input has ${data.length} floats, expected ${n}×[${t.input}]`);
      return tf.tensor(data, [n, ...dims, channels]);
    },
    forward(x, n) {
      let h = tf.reshape(conv(x, patch), [n, N0, E]);
      if (clsTok) h = tf.concat([tf.tile(clsTok, [n, 1, 1]), h], 1);
      if (pos && pos.j) h = tf.add(h, pos.j);
      else if (pos && pos.s && pos.t) {
        const st = tf.reshape(tf.add(tf.reshape(pos.t, [grid0[0], 1, E]), tf.reshape(pos.s, [1, -1, E])), [N0, E]);
        h = tf.add(h, pos.c ? tf.concat([pos.c, st], 0) : st);
      }
      for (const b of blocks) {
        const Ntok = prod(b.size) + nc;
        const xn = layerNorm(h, b.norm1);
        const qkv = tf.transpose(tf.reshape(linear(tf.reshape(xn, [-1, b.dim]), b.qkv), [n, Ntok, 3, b.heads, b.hd]), [2, 0, 3, 1, 4]);
        const [q0, k0, v0] = tf.split(tf.reshape(qkv, [3, n * b.heads, Ntok, b.hd]), 3, 0).map((z) => tf.reshape(z, [n * b.heads, Ntok, b.hd]));
        const q = poolTokens(q0, b.poolQ, b.size), k = poolTokens(k0, b.poolK, b.size), v = poolTokens(v0, b.poolV, b.size);
        const nq = prod(b.qSize) + nc, nk = prod(b.kvSize) + nc;
        let logits = mm(tf.mul(q, 1 / Math.sqrt(b.hd)), tf.transpose(k, [0, 2, 1])); // [B·h, nq, nk]
        if (b.rel) {
          // Decomposed relative positions: for each axis j, q · R_j[q_j, k_j] broadcast over the other axes.
          const qg = tf.reshape(q, [n * b.heads, ...b.qSize, b.hd]);
          let bias: tf.Tensor | null = null;
          b.rel.forEach((r, j) => {
            const R = tf.reshape(mm(tf.tensor2d(r.sel.data, r.sel.shape), r.table), [b.qSize[j], b.kvSize[j], b.hd]);
            const perm = [j + 1, ...[...Array(nd + 1).keys()].filter((a) => a !== j + 1), nd + 1];
            const qj = tf.reshape(tf.transpose(qg, perm), [b.qSize[j], -1, b.hd]);
            const rj = mm(qj, tf.transpose(R, [0, 2, 1])); // [q_j, rest, k_j]
            const restShape = [n * b.heads, ...b.qSize.filter((_, a) => a !== j)];
            const back = tf.reshape(rj, [b.qSize[j], ...restShape, b.kvSize[j]]);
            const order = [1, ...Array.from({ length: nd }, (_, a) => (a === j ? 0 : a < j ? a + 2 : a + 1)), nd + 1];
            const aligned = tf.transpose(back, order); // [B·h, ...qSize, k_j]
            const kShape = b.kvSize.map((s, a) => (a === j ? s : 1));
            const e = tf.reshape(aligned, [n * b.heads, ...b.qSize, ...kShape]);
            bias = bias ? tf.add(bias, e) : e;
          });
          logits = tf.add(logits, tf.reshape(bias!, [n * b.heads, nq, nk]));
        }
        let o = mm(tf.softmax(logits), v);
        if (v2) o = tf.add(o, q); // residual pooling
        const att = linear(tf.reshape(tf.transpose(tf.reshape(o, [n, b.heads, nq, b.hd]), [0, 2, 1, 3]), [-1, b.attDim]), b.proj);
        // Skip path: projected (v2, width changes inside attention) and max-pooled to the query grid.
        let skip = inAtt && b.skipProj ? tf.reshape(linear(tf.reshape(xn, [-1, b.dim]), b.skipProj), [n, Ntok, b.dimOut]) : h;
        if (b.qStride.some((s) => s > 1)) {
          const w = skip.shape[2]!;
          const g = tf.reshape(tf.slice(skip, [0, nc, 0], [-1, -1, -1]), [n, ...b.size, w]);
          const pooled = tf.reshape(maxPool(g, b.qStride.map((s) => (s > 1 ? s + 1 : 1)), b.qStride), [n, -1, w]);
          skip = nc ? tf.concat([tf.slice(skip, [0, 0, 0], [-1, 1, -1]), pooled], 1) : pooled;
        }
        h = tf.add(skip, tf.reshape(att, [n, nq, b.attDim]));
        const hn = layerNorm(h, b.norm2);
        const mlp = tf.reshape(linear(gelu(linear(tf.reshape(hn, [-1, b.attDim]), b.fc1)), b.fc2), [n, nq, b.dimOut]);
        const res = !inAtt && b.skipProj ? tf.reshape(linear(tf.reshape(hn, [-1, b.attDim]), b.skipProj), [n, nq, b.dimOut]) : h;
        h = tf.add(res, mlp);
      }
      const pooled = tf.mean(tf.slice(layerNorm(h, norm), [0, nc, 0], [-1, -1, -1]), 1);
      return out ? linear(pooled, out) : pooled;
    },
  };
}
