// Self-test cases for the convolution building blocks of the paper-scale families (models/layers.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { SelftestCase } from '../selftest.ts';
import { batchNorm, conv, depthwise, maxPool } from './layers.ts';

const asVar = (t: tf.Tensor) => t as unknown as tf.Variable;
const SEPARATED = Float32Array.from({ length: 100 }, (_, i) => -10 * ((i * 37) % 100) - 5);

export const extraSelftests: SelftestCase[] = [
  { op: 'conv_patches', shapes: [[2, 3, 5, 4, 2], [3 * 3 * 3 * 2, 3]],
    f: (x, w) => conv(x, { w: asVar(w), b: null, kernel: [3, 3, 3], stride: [1, 2, 2] }) },
  { op: 'conv_patches', shapes: [[2, 6, 5, 1], [7 * 7, 4]],
    f: (x, w) => conv(x, { w: asVar(w), b: null, kernel: [7, 7], stride: [2, 2] }) },
  { op: 'depthwise_conv', shapes: [[2, 3, 4, 4, 3], [27, 3]],
    f: (x, w) => depthwise(x, { w: asVar(w), kernel: [3, 3, 3], stride: [1, 2, 2] }) },
  // Max is not differentiable at ties: well-separated fixed offsets (a permutation × 10, all negative —
  // the case tfjs-wasm's MaxPool gradient gets wrong) make the arg-max stable under the ±ε probe.
  { op: 'max_pool', shapes: [[2, 5, 5, 2]], f: (x) => maxPool(tf.add(x, tf.tensor(SEPARATED, [2, 5, 5, 2])), [3, 3], [2, 2]) },
  { op: 'batch_norm', shapes: [[3, 2, 3, 3, 2], [2], [2]], f: (x, g, b) => batchNorm(x, { g: asVar(g), b: asVar(b) }) },
];
