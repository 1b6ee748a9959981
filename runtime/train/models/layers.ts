// Convolution-family building blocks lowered to ops with correct gradients on every backend
// (plan.backend.impl.conv = 'patches_matmul'): tfjs-wasm 4.22 has no Conv2DBackpropFilter or depthwise
// backprop, gives silently wrong Conv3DBackprop* gradients, wrong MaxPool3D gradients on all-negative
// windows and fails on rank-5 BatchNorm. So:
//   conv        = strided slices of the zero-padded input (one per kernel tap), concatenated on the
//                 channel axis, and one matmul with the [taps·Cin, Cout] kernel (im2col);
//   depthwise   = Σ over taps of slice × per-channel weight (elementwise);
//   max pool    = elementwise maximum over the taps' slices;
//   batch norm  = batch statistics over every axis but channels, with elementwise ops.
// Inputs are channels-last [B, ...spatial, C] with 2 or 3 spatial axes; padding is floor(k/2) per side.
import * as tf from '@tensorflow/tfjs-core';
import { mm } from '../ops.ts';
import type { ParamStore } from '../store.ts';

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

export function conv(x: tf.Tensor, p: ConvParams): tf.Tensor {
  const B = x.shape[0]!, cout = p.w.shape[1]!;
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
  const { slices } = tapSlices(x, p.kernel, p.stride);
  const ws = tf.split(p.w, slices.length, 0);
  return tf.addN(slices.map((s, i) => tf.mul(s, tf.reshape(ws[i], [-1]))));
}

export function maxPool(x: tf.Tensor, kernel: number[], stride: number[]): tf.Tensor {
  const { slices } = tapSlices(x, kernel, stride, -1e9);
  return slices.reduce((a, b) => tf.maximum(a, b));
}

export interface NormParams { g: tf.Variable; b: tf.Variable }

/** Batch norm with batch statistics (training-mode; running averages are not kept — see conv.ts). */
export function batchNorm(x: tf.Tensor, p: NormParams, eps = 1e-5): tf.Tensor {
  const axes = [...Array(x.rank - 1).keys()];
  const mean = tf.mean(x, axes, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), axes, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), p.g), p.b);
}

/** Mean over all spatial axes: [B, ...spatial, C] → [B, C]. */
export const spatialMean = (x: tf.Tensor): tf.Tensor => tf.mean(x, [...Array(x.rank - 2).keys()].map((i) => i + 1));
