// The controlled setup's backbones (appendix B.3): X3D (video; pyslowfast layout) and a bottleneck
// ResNet over log-mel spectrograms ("Acoustic ResNet50", audio). Built from models/layers.ts, so every
// gradient is correct on tfjs-wasm; parameter counts equal compiler/params.ts (tested at reduced input).
// Batch norm normalises with batch statistics in training and keeps running averages (momentum 0.1,
// unbiased variance, as PyTorch), which frozen encoders use (layers.ts batchNorm; checkpointed as
// buffers). At paper scale these families are far beyond a CPU step budget (lowering refuses them with
// LSSD4002); the CPU-sized declarations (stdlib/backbones.lssd: cpu_x3d_s, cpu_resnet_s) train here.
import * as tf from '@tensorflow/tfjs-core';
import type { TowerPlan } from '../../../compiler/plan.ts';
import { roundWidth, splitInput } from '../../../compiler/params.ts';
import type { ParamStore } from '../store.ts';
import { linear } from '../ops.ts';
import type { Tower } from './index.ts';
import { batchNorm, conv, convParams, depthwise, depthwiseParams, maxPool, spatialMean } from './layers.ts';

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

function finish(t: TowerPlan, store: ParamStore, prefix: string, width: number, body: (x: tf.Tensor) => tf.Tensor): Tower {
  const out = width !== t.outputDim ? store.linear(`${prefix}/out`, width, t.outputDim) : null;
  const { dims, channels } = splitInput(t.modality, t.input);
  const inCh = t.family === 'resnet' ? (t.config.in_channels as number) : channels;
  return {
    plan: t,
    prepare(data, n) {
      if (data.length !== n * prod(t.input)) throw new Error(`${t.modality} input has ${data.length} floats, expected ${n}×[${t.input}]`);
      return tf.tensor(data, [n, ...dims, inCh]);
    },
    forward(x) {
      const y = body(x);
      return out ? linear(y, out) : y;
    },
  };
}

function buildX3d(t: TowerPlan, store: ParamStore, prefix: string): Tower {
  const c = t.config;
  const wm = c.width_factor as number, dm = c.depth_factor as number, bf = c.bottleneck_factor as number;
  const c1 = c.dim_c1 as number, se = c.se_ratio as number, fc = c.fc_dim as number, tk = c.t_kernel as number;
  const bn = (name: string, ch: number) => ({ ...store.norm(`${name}/bn`, ch), stats: store.normStats(`${name}/bn`, ch) });
  const stem = roundWidth(c1, wm);
  const s = {
    xy: convParams(store, `${prefix}/stem/xy`, 3, stem, [1, 3, 3], [1, 2, 2], false),
    t: depthwiseParams(store, `${prefix}/stem/t`, stem, [tk, 1, 1], [1, 1, 1]),
    bn: bn(`${prefix}/stem`, stem),
  };
  type Block = { proj: { c: ReturnType<typeof convParams>; bn: ReturnType<typeof bn> } | null; a: ReturnType<typeof convParams>; aBn: ReturnType<typeof bn>;
    b: ReturnType<typeof depthwiseParams>; bBn: ReturnType<typeof bn>; se: { f1: ReturnType<ParamStore['linear']>; f2: ReturnType<ParamStore['linear']> } | null;
    c: ReturnType<typeof convParams>; cBn: ReturnType<typeof bn> };
  const blocks: Block[] = [];
  let dimIn = stem;
  const basis = [[1, c1], [2, roundWidth(c1, 2)], [5, roundWidth(roundWidth(c1, 2), 2)], [3, roundWidth(roundWidth(roundWidth(c1, 2), 2), 2)]];
  basis.forEach(([reps, base], si) => {
    const out = roundWidth(base, wm), inner = Math.floor(bf * out), n = Math.ceil(dm * reps);
    for (let b = 0; b < n; b++) {
      const stride = b === 0 ? 2 : 1, name = `${prefix}/s${si}/b${b}`;
      const f = roundWidth(inner, se);
      blocks.push({
        proj: b === 0 && (dimIn !== out || stride !== 1) ? { c: convParams(store, `${name}/proj`, dimIn, out, [1, 1, 1], [1, stride, stride], false), bn: bn(`${name}/proj`, out) } : null,
        a: convParams(store, `${name}/a`, dimIn, inner, [1, 1, 1], [1, 1, 1], false), aBn: bn(`${name}/a`, inner),
        b: depthwiseParams(store, `${name}/b`, inner, [3, 3, 3], [1, stride, stride]), bBn: bn(`${name}/b`, inner),
        se: se > 0 && (b + 1) % 2 === 1 ? { f1: store.linear(`${name}/se/fc1`, inner, f), f2: store.linear(`${name}/se/fc2`, f, inner) } : null,
        c: convParams(store, `${name}/c`, inner, out, [1, 1, 1], [1, 1, 1], false), cBn: bn(`${name}/c`, out),
      });
      dimIn = out;
    }
  });
  const conv5 = Math.floor(bf * dimIn);
  const head = { c5: convParams(store, `${prefix}/head/conv5`, dimIn, conv5, [1, 1, 1], [1, 1, 1], false), bn: bn(`${prefix}/head/conv5`, conv5),
    lin5: store.get(`${prefix}/head/lin5/w`, [conv5, fc], { kind: 'normal', std: Math.sqrt(2 / conv5) }, true) };
  return finish(t, store, prefix, fc, (x) => {
    let h = tf.relu(batchNorm(depthwise(conv(x, s.xy), s.t), s.bn));
    for (const b of blocks) {
      const short = b.proj ? batchNorm(conv(h, b.proj.c), b.proj.bn) : h;
      let y = tf.relu(batchNorm(conv(h, b.a), b.aBn));
      y = batchNorm(depthwise(y, b.b), b.bBn);
      if (b.se) {
        const w = tf.sigmoid(linear(tf.relu(linear(spatialMean(y), b.se.f1)), b.se.f2));
        y = tf.mul(y, tf.reshape(w, [w.shape[0]!, 1, 1, 1, w.shape[1]!]));
      }
      y = tf.mul(y, tf.sigmoid(y)); // swish
      y = batchNorm(conv(y, b.c), b.cBn);
      h = tf.relu(tf.add(short, y));
    }
    h = tf.relu(batchNorm(conv(h, head.c5), head.bn));
    return tf.relu(tf.matMul(spatialMean(h), head.lin5));
  });
}

function buildResnet(t: TowerPlan, store: ParamStore, prefix: string): Tower {
  const c = t.config;
  const layers = c.layers as number[], w0 = c.width as number, cin = c.in_channels as number;
  const bn = (name: string, ch: number) => ({ ...store.norm(`${name}/bn`, ch), stats: store.normStats(`${name}/bn`, ch) });
  const stem = { c: convParams(store, `${prefix}/stem`, cin, w0, [7, 7], [2, 2], false), bn: bn(`${prefix}/stem`, w0) };
  const blocks: { proj: { c: ReturnType<typeof convParams>; bn: ReturnType<typeof bn> } | null; convs: ReturnType<typeof convParams>[]; bns: ReturnType<typeof bn>[] }[] = [];
  let dimIn = w0;
  layers.forEach((n, s) => {
    const width = w0 * 2 ** s, out = width * 4;
    for (let b = 0; b < n; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1, name = `${prefix}/l${s}/b${b}`;
      blocks.push({
        proj: b === 0 ? { c: convParams(store, `${name}/proj`, dimIn, out, [1, 1], [stride, stride], false), bn: bn(`${name}/proj`, out) } : null,
        convs: [convParams(store, `${name}/c1`, dimIn, width, [1, 1], [1, 1], false), convParams(store, `${name}/c2`, width, width, [3, 3], [stride, stride], false),
          convParams(store, `${name}/c3`, width, out, [1, 1], [1, 1], false)],
        bns: [bn(`${name}/c1`, width), bn(`${name}/c2`, width), bn(`${name}/c3`, out)],
      });
      dimIn = out;
    }
  });
  return finish(t, store, prefix, dimIn, (x) => {
    let h = maxPool(tf.relu(batchNorm(conv(x, stem.c), stem.bn)), [3, 3], [2, 2]);
    for (const b of blocks) {
      const short = b.proj ? batchNorm(conv(h, b.proj.c), b.proj.bn) : h;
      let y = tf.relu(batchNorm(conv(h, b.convs[0]), b.bns[0]));
      y = tf.relu(batchNorm(conv(y, b.convs[1]), b.bns[1]));
      y = batchNorm(conv(y, b.convs[2]), b.bns[2]);
      h = tf.relu(tf.add(short, y));
    }
    return spatialMean(h);
  });
}

export function buildConvTower(t: TowerPlan, store: ParamStore, prefix: string): Tower {
  return t.family === 'x3d' ? buildX3d(t, store, prefix) : buildResnet(t, store, prefix);
}
