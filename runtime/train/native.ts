// Direct TensorFlow ops on the `tensorflow` backend (@tensorflow/tfjs-node). tfjs-node maps each tfjs
// kernel onto one or more TF eager ops, but several of its mappings cost extra ops (every 2-D matMul
// becomes Reshape → BatchMatMulV2 → Reshape; a bias add broadcasts through AddV2; a sum over rows is a
// generic Sum), and each tfjs op adds ~15–20 µs of engine bookkeeping on top of the ~9 µs TF eager call
// (measured here). Inside a custom-gradient block no tape is recorded, so calling the TF op by name
// (MatMul with transpose attributes, BiasAdd, BiasAddGrad, ReluGrad, Unpack, …) is both exact and
// cheapest. The outputs are ordinary tfjs tensors tracked by the engine (tidy/dispose work as usual).
import * as tf from '@tensorflow/tfjs-core';

interface NodeBinding {
  TF_FLOAT: number; TF_INT32: number;
  TF_ATTR_BOOL: number; TF_ATTR_INT: number; TF_ATTR_FLOAT: number; TF_ATTR_TYPE: number; TF_ATTR_STRING: number;
}
interface NodeBackend {
  binding: NodeBinding;
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.Tensor[], n: number): tf.Tensor[];
}

/** An op attribute: booleans and integers as they are, `float(x)` for float attributes, `dtype('float32')` for types. */
export type Attr = boolean | number | number[] | string | { float: number } | { dtype: 'float32' | 'int32' };
export const float = (x: number): Attr => ({ float: x });
const T: Attr = { dtype: 'float32' };

function backend(): NodeBackend {
  const name = tf.getBackend();
  if (name !== 'tensorflow') throw new Error(`native TF op requested on backend '${name}' (the tensorflow lowering is only selected on tfjs-node)`);
  return tf.backend() as unknown as NodeBackend;
}

function encode(b: NodeBinding, attrs: Record<string, Attr>): unknown[] {
  return Object.entries(attrs).map(([name, v]) => {
    if (typeof v === 'boolean') return { name, type: b.TF_ATTR_BOOL, value: v };
    if (typeof v === 'number' || Array.isArray(v)) return { name, type: b.TF_ATTR_INT, value: v };
    if (typeof v === 'string') return { name, type: b.TF_ATTR_STRING, value: v };
    if ('float' in v) return { name, type: b.TF_ATTR_FLOAT, value: v.float };
    return { name, type: b.TF_ATTR_TYPE, value: v.dtype === 'float32' ? b.TF_FLOAT : b.TF_INT32 };
  });
}

/** Runs TF op `name` with one output; attrs default to { T: float32 }. */
export function op(name: string, inputs: tf.Tensor[], attrs: Record<string, Attr> = { T }): tf.Tensor {
  const nb = backend();
  return nb.executeSingleOutput(name, encode(nb.binding, attrs), inputs);
}

/** Runs TF op `name` with `n` outputs. */
export function opN(name: string, inputs: tf.Tensor[], n: number, attrs: Record<string, Attr>): tf.Tensor[] {
  const nb = backend();
  return nb.executeMultipleOutputs(name, encode(nb.binding, attrs), inputs, n);
}

const i32 = (xs: number[]) => tf.tensor1d(xs, 'int32');

/** a @ b (rank 2: MatMul; higher ranks with equal batch dims: BatchMatMulV2), transposes as attributes. */
export function matmul(a: tf.Tensor, b: tf.Tensor, ta = false, tb = false): tf.Tensor {
  return a.rank === 2 && b.rank === 2
    ? op('MatMul', [a, b], { T, transpose_a: ta, transpose_b: tb })
    : op('BatchMatMulV2', [a, b], { T, adj_x: ta, adj_y: tb });
}

export const biasAdd = (x: tf.Tensor, b: tf.Tensor) => op('BiasAdd', [x, b], { T, data_format: 'NHWC' });
/** Sum over every axis but the last (the bias gradient), one pass. */
export const biasAddGrad = (dy: tf.Tensor) => op('BiasAddGrad', [dy], { T, data_format: 'NHWC' });
export const reluGrad = (dy: tf.Tensor, y: tf.Tensor) => op('ReluGrad', [dy, y]);
export const relu = (x: tf.Tensor) => op('Relu', [x]);

export function reshape(x: tf.Tensor, shape: number[]): tf.Tensor {
  const s = i32(shape);
  const y = op('Reshape', [x, s], { T, Tshape: { dtype: 'int32' } });
  s.dispose();
  return y;
}

export function transpose(x: tf.Tensor, perm: number[]): tf.Tensor {
  const p = i32(perm);
  const y = op('Transpose', [x, p], { T, Tperm: { dtype: 'int32' } });
  p.dispose();
  return y;
}

/** Reduction over `axes` (keepDims as given): 'Sum' | 'Mean'. */
export function reduce(kind: 'Sum' | 'Mean', x: tf.Tensor, axes: number[], keepDims: boolean): tf.Tensor {
  const a = i32(axes);
  const y = op(kind, [x, a], { T, Tidx: { dtype: 'int32' }, keep_dims: keepDims });
  a.dispose();
  return y;
}

export const unpack = (x: tf.Tensor, num: number, axis: number) => opN('Unpack', [x], num, { T, num, axis });
export const pack = (xs: tf.Tensor[], axis: number) => op('Pack', xs, { T, N: xs.length, axis });
export const softmax = (x: tf.Tensor) => op('Softmax', [x]);
export const mul = (a: tf.Tensor, b: tf.Tensor) => op('Mul', [a, b]);
export const sub = (a: tf.Tensor, b: tf.Tensor) => op('Sub', [a, b]);
export const add = (a: tf.Tensor, b: tf.Tensor) => op('AddV2', [a, b]);
export const squaredDifference = (a: tf.Tensor, b: tf.Tensor) => op('SquaredDifference', [a, b]);
export const rsqrt = (x: tf.Tensor) => op('Rsqrt', [x]);

/** x [n] → parts of the given sizes along axis 0 (one SplitV). */
export function splitV(x: tf.Tensor, sizes: number[]): tf.Tensor[] {
  const s = i32(sizes), axis = tf.scalar(0, 'int32');
  const ys = opN('SplitV', [x, s, axis], sizes.length, { T, Tlen: { dtype: 'int32' }, num_split: sizes.length });
  tf.dispose([s, axis]);
  return ys;
}

export function concat(xs: tf.Tensor[], axis: number): tf.Tensor {
  if (xs.length === 1) return op('Identity', xs); // ConcatV2 requires N ≥ 2
  const a = tf.scalar(axis, 'int32');
  const y = op('ConcatV2', [...xs, a], { T, N: xs.length, Tidx: { dtype: 'int32' } });
  a.dispose();
  return y;
}
