// Convolution-family building blocks lowered to ops with correct gradients on every backend
// (plan.backend.impl.conv = 'patches_matmul'): tfjs-wasm 4.22 has no Conv2DBackpropFilter or depthwise
// backprop, gives silently wrong Conv3DBackprop* gradients, wrong MaxPool3D gradients on all-negative
// windows and fails on rank-5 BatchNorm. So:
//   conv        = strided slices of the zero-padded input (one per kernel tap), concatenated on the
//                 channel axis, and one matmul with the [taps·Cin, Cout] kernel (im2col);
//   depthwise   = Σ over taps of slice × per-channel weight (elementwise);
//   max pool    = elementwise maximum over the taps' slices;
//   batch norm  = batch statistics over every axis but channels, with elementwise ops (running
//                 statistics for evaluation: see batchNorm).
// Inputs are channels-last [B, ...spatial, C] with 2 or 3 spatial axes; padding is floor(k/2) per side.
// On the tensorflow backend (ops.ts activeLowering() = 'native') conv, 2-D depthwise conv and max pool
// are TensorFlow's own kernels (Conv2D/Conv3D, DepthwiseConv2dNative, MaxPool/MaxPool3D and their
// gradients) on the explicitly padded input: the same arithmetic in one op instead of one per tap.
// 3-D depthwise (X3D's channel-wise 3×3×3) has no tfjs kernel: one native 2-D depthwise conv per
// temporal tap.
import * as tf from '@tensorflow/tfjs-core';
import { activeLowering, mm } from '../ops.ts';
import type { NormStats, ParamStore } from '../store.ts';

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

export const outSize = (d: number, k: number, s: number) => Math.floor((d + 2 * Math.floor(k / 2) - k) / s) + 1;

/** Every kernel tap offset (row-major over the kernel axes). */
function taps(kernel: number[]): number[][] {
  let out: number[][] = [[]];
  for (const k of kernel) out = out.flatMap((o) => Array.from({ length: k }, (_, i) => [...o, i]));
  return out;
}

/** Every `s`-th element of `axis` from a region of exactly o·s elements (slice + reshape: both have gradients; StridedSlice has none in tfjs-core). */
function subsample(x: tf.Tensor, axis: number, o: number, s: number): tf.Tensor {
  if (s === 1) return x;
  const pre = x.shape.slice(0, axis).reduce((a, b) => a * b, 1), post = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const y = tf.slice(tf.reshape(x, [pre, o, s, post]), [0, 0, 0, 0], [pre, o, 1, post]);
  return tf.reshape(y, [...x.shape.slice(0, axis), o, ...x.shape.slice(axis + 1)]);
}

/** The input slices seen by each kernel tap: [B, ...out, C] each. */
function tapSlices(x: tf.Tensor, kernel: number[], stride: number[], padValue = 0): { slices: tf.Tensor[]; out: number[] } {
  const [B, ...rest] = x.shape;
  const C = rest[rest.length - 1], dims = rest.slice(0, -1);
  const out = dims.map((d, i) => outSize(d, kernel[i], stride[i]));
  const pads = kernel.map((k) => Math.floor(k / 2));
  // Right padding so that every tap's region of out·stride elements lies inside the padded input.
  const right = dims.map((d, i) => Math.max(0, kernel[i] - 1 + out[i] * stride[i] - d - pads[i]));
  const xp = pads.some((p) => p > 0) || right.some((r) => r > 0) ? tf.pad(x, [[0, 0], ...pads.map((p, i) => [p, right[i]] as [number, number]), [0, 0]], padValue) : x;
  const slices = taps(kernel).map((off) => {
    let t = tf.slice(xp, [0, ...off, 0], [B, ...out.map((o, i) => o * stride[i]), C]);
    stride.forEach((s, i) => { t = subsample(t, i + 1, out[i], s); });
    return t;
  });
  return { slices, out };
}

export interface ConvParams { w: tf.Variable; b: tf.Variable | null; kernel: number[]; stride: number[] }

export function convParams(store: ParamStore, name: string, cin: number, cout: number, kernel: number[], stride: number[], bias: boolean): ConvParams {
  const fan = prod(kernel) * cin;
  return {
    w: store.get(`${name}/w`, [fan, cout], { kind: 'normal', std: Math.sqrt(2 / fan) }, true),
    b: bias ? store.get(`${name}/b`, [cout], { kind: 'zeros' }, false) : null,
    kernel, stride,
  };
}

/** Zero (or `value`) padding of floor(k/2) on both sides of each spatial axis. */
function padSymmetric(x: tf.Tensor, kernel: number[], value = 0): tf.Tensor {
  const pads = kernel.map((k) => Math.floor(k / 2));
  return pads.some((q) => q > 0) ? tf.pad(x, [[0, 0], ...pads.map((q) => [q, q] as [number, number]), [0, 0]], value) : x;
}

export function conv(x: tf.Tensor, p: ConvParams): tf.Tensor {
  const B = x.shape[0]!, cout = p.w.shape[1]!;
  const pointwise = p.kernel.every((k) => k === 1);
  if (!pointwise && activeLowering() === 'native') {
    const cin = p.w.shape[0]! / prod(p.kernel);
    let y: tf.Tensor;
    if (p.kernel.length === 2) {
      y = tf.conv2d(padSymmetric(x, p.kernel) as tf.Tensor4D, tf.reshape(p.w, [...p.kernel, cin, cout] as number[]) as tf.Tensor as tf.Tensor4D, p.stride as [number, number], 'valid');
    } else if (p.kernel[0] === 1 && p.stride[0] === 1) {
      // A 1×k×k kernel is a 2-D conv over every frame: TensorFlow's CPU Conv3DBackpropFilter is ~10× slower than Conv2D's.
      const [B, T, H, W, C] = x.shape as number[];
      const z = tf.conv2d(padSymmetric(tf.reshape(x, [B * T, H, W, C]), p.kernel.slice(1)) as tf.Tensor4D,
        tf.reshape(p.w, [p.kernel[1], p.kernel[2], cin, cout]) as tf.Tensor4D, [p.stride[1], p.stride[2]], 'valid');
      y = tf.reshape(z, [B, T, ...z.shape.slice(1)]);
    } else {
      y = tf.conv3d(padSymmetric(x, p.kernel) as tf.Tensor5D, tf.reshape(p.w, [...p.kernel, cin, cout] as number[]) as tf.Tensor as tf.Tensor5D, p.stride as [number, number, number], 'valid');
    }
    return p.b ? tf.add(y, p.b) : y;
  }
  let cols: tf.Tensor, out: number[];
  if (p.kernel.every((k) => k === 1)) {
    const sub = p.stride.every((s) => s === 1) ? x : tapSlices(x, p.kernel, p.stride).slices[0];
    out = sub.shape.slice(1, -1) as number[];
    cols = sub;
  } else {
    const t = tapSlices(x, p.kernel, p.stride);
    out = t.out;
    cols = tf.concat(t.slices, -1);
  }
  let y = mm(tf.reshape(cols, [-1, p.w.shape[0]!]), p.w);
  if (p.b) y = tf.add(y, p.b);
  return tf.reshape(y, [B, ...out, cout]);
}

export interface DepthwiseParams { w: tf.Variable; kernel: number[]; stride: number[] }

export function depthwiseParams(store: ParamStore, name: string, c: number, kernel: number[], stride: number[]): DepthwiseParams {
  return { w: store.get(`${name}/w`, [prod(kernel), c], { kind: 'normal', std: Math.sqrt(2 / prod(kernel)) }, true), kernel, stride };
}

export function depthwise(x: tf.Tensor, p: DepthwiseParams): tf.Tensor {
  if (activeLowering() === 'native') {
    const C = p.w.shape[1]!;
    if (p.kernel.length === 2) {
      const w = tf.reshape(p.w, [p.kernel[0], p.kernel[1], C, 1]) as tf.Tensor4D;
      return tf.depthwiseConv2d(padSymmetric(x, p.kernel) as tf.Tensor4D, w, p.stride as [number, number], 'valid');
    }
    // 3-D: one native 2-D depthwise conv over (H, W) per temporal tap, on the frames that tap reads.
    const [kt, kh, kw] = p.kernel, [st, sh, sw] = p.stride;
    const [B, T, H, W] = x.shape as number[];
    const To = outSize(T, kt, st), pt = Math.floor(kt / 2);
    const right = Math.max(0, kt - 1 + To * st - T - pt);
    const xp = pt > 0 || right > 0 ? tf.pad(x, [[0, 0], [pt, right], [0, 0], [0, 0], [0, 0]]) : x;
    const ws = tf.split(tf.reshape(p.w, [kt, kh * kw * C]), kt, 0);
    let y: tf.Tensor | null = null;
    for (let dt = 0; dt < kt; dt++) {
      const frames = subsample(tf.slice(xp, [0, dt, 0, 0, 0], [B, To * st, H, W, C]), 1, To, st);
      const z = tf.depthwiseConv2d(padSymmetric(tf.reshape(frames, [B * To, H, W, C]), [kh, kw]) as tf.Tensor4D,
        tf.reshape(ws[dt], [kh, kw, C, 1]) as tf.Tensor4D, [sh, sw], 'valid');
      y = y ? tf.add(y, z) : z;
    }
    return tf.reshape(y!, [B, To, ...y!.shape.slice(1)]);
  }
  const { slices } = tapSlices(x, p.kernel, p.stride);
  const ws = tf.split(p.w, slices.length, 0);
  return tf.addN(slices.map((s, i) => tf.mul(s, tf.reshape(ws[i], [-1]))));
}

export function maxPool(x: tf.Tensor, kernel: number[], stride: number[]): tf.Tensor {
  if (activeLowering() === 'native') {
    const xp = padSymmetric(x, kernel, -1e9);
    return kernel.length === 2
      ? tf.maxPool(xp as tf.Tensor4D, kernel as [number, number], stride as [number, number], 'valid')
      : tf.maxPool3d(xp as tf.Tensor5D, kernel as [number, number, number], stride as [number, number, number], 'valid');
  }
  const { slices } = tapSlices(x, kernel, stride, -1e9);
  return slices.reduce((a, b) => tf.maximum(a, b));
}

export interface NormParams { g: tf.Variable; b: tf.Variable; stats?: NormStats }

/**
 * Batch norm over every axis but channels, with elementwise ops. With running statistics (`p.stats`):
 * in training mode (the store's) it normalises with the batch's statistics and records them, and the
 * trainer folds them into the running averages after the step; in evaluation mode (frozen encoders) it
 * normalises with the running averages, so an embedding does not depend on the rest of its batch.
 * Without `stats` it always uses batch statistics (the self-test cases).
 */
export function batchNorm(x: tf.Tensor, p: NormParams, eps = 1e-5): tf.Tensor {
  const C = x.shape[x.rank - 1]!;
  if (p.stats && !p.stats.store.training) {
    const scale = tf.mul(tf.rsqrt(tf.add(p.stats.variance, eps)), p.g);
    return tf.add(tf.mul(tf.sub(x, p.stats.mean), scale), p.b);
  }
  const axes = [...Array(x.rank - 1).keys()];
  const mean = tf.mean(x, axes, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), axes, true);
  if (p.stats) p.stats.store.recordStats(p.stats, mean, variance, x.size / C);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), p.g), p.b);
}

/** Mean over all spatial axes: [B, ...spatial, C] → [B, C]. */
export const spatialMean = (x: tf.Tensor): tf.Tensor => tf.mean(x, [...Array(x.rank - 2).keys()].map((i) => i + 1));
