// Graph mode on the `tensorflow` backend: a training step recorded once from its eager TF ops, replayed
// as one TF_Session run.
//
// Every tfjs-node kernel (forward, the backward kernels of tf.grads, the optimiser's updates) ends in
// binding.executeOp(tfOpName, attrs, inputIds, nOut) with real TF op names and attributes. `traceStep`
// runs a step eagerly while recording those calls and classifying every tensor an op reads:
//   - declared inputs (the prepared batch; named per-step scalars such as the optimiser's lr factors,
//     registered with `stepScalar`) → Placeholder;
//   - tfjs Variables (parameters, optimiser moments, batch-norm buffers) → Placeholder, and, when the
//     step assigned the variable, its new value is fetched;
//   - any other tensor (created inside the step, or an immutable tfjs tensor made before it) → Const;
//   - the output of an earlier recorded op → that node's output.
// `buildGraph` writes the trace as a GraphDef inside a SavedModel (graph-proto.ts), which the binding's
// own loadSavedModel turns into a TF_Session: Grappler and oneDNN then see the whole step (constant
// folding, remapper fusions such as MatMul+BiasAdd+Relu, layout passes), and a step is one
// runSavedModel call instead of ~900 eager dispatches. Tensors stay native: inputs are the TFE handles
// tfjs already holds, outputs become tfjs tensors (no copies to JS).
//
// What a trace cannot capture is refused, never replayed wrong: a host read inside the step
// (tensorDataSync), an op fed by a tensor the trace cannot place, an attribute type the encoder does
// not write, or a second trace (at another lr and step count) that differs from the first in ops,
// attributes, shapes or constant values (a per-step host value that is not declared, or a shape that
// depends on data). The caller then trains eagerly and says why (LSSD5350–5369 in messages-runtime.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { savedModel, type AttrSpec, type ConstSpec, type NodeSpec, TF_ATTR_BOOL, TF_ATTR_FLOAT, TF_ATTR_INT, TF_ATTR_SHAPE, TF_ATTR_STRING, TF_ATTR_TYPE } from './graph-proto.ts';

interface Meta { id: number; shape: number[]; dtype: number }
interface Binding {
  executeOp(name: string, attrs: AttrSpec[], inputs: number[], n: number): Meta[];
  createTensor(shape: number[], dtype: number, values: ArrayBufferView): number;
  tensorDataSync(id: number): ArrayBufferView;
  deleteTensor(id: number): void;
  loadSavedModel(path: string, tags: string): number;
  runSavedModel(id: number, inputs: number[], inputNames: string, outputNames: string): Meta[];
  deleteSavedModel(id: number): void;
  TF_FLOAT: number; TF_INT32: number;
}
interface TensorData { id: number; values: unknown; shape: number[]; dtype: number }
interface NodeBackend {
  binding: Binding;
  tensorMap: { get(dataId: object): TensorData };
  getInputTensorIds(ts: tf.Tensor[]): number[];
  createOutputTensor(m: Meta): tf.Tensor;
}

/** Why a step could not be recorded or replayed: `kind` picks the diagnostic. */
export class GraphRefusal extends Error {
  constructor(readonly kind: 'hostRead' | 'untracked' | 'unstable' | 'attr' | 'build' | 'backend', message: string) { super(message); }
}

type Ref =
  | { k: 'node'; node: number; out: number }
  | { k: 'input'; name: string }
  | { k: 'state'; index: number }
  | { k: 'const'; index: number };

interface TraceNode { op: string; attrs: AttrSpec[]; inputs: Ref[]; nOut: number }

export interface Trace {
  nodes: TraceNode[];
  consts: ConstSpec[];
  /** Variables the step reads, in first-read order (Placeholders s0, s1, …). */
  state: tf.Variable[];
  stateMeta: { shape: number[]; dtype: number }[];
  inputs: { name: string; shape: number[]; dtype: number }[];
  /** Per state variable: the ref of its value after the step (null: not assigned by the step). */
  assigned: (Ref | null)[];
  /** Named results of the step (loss terms). */
  outputs: { name: string; ref: Ref }[];
}

function nodeBackend(): NodeBackend {
  if (tf.getBackend() !== 'tensorflow') throw new GraphRefusal('backend', `graph mode needs the tensorflow backend, not '${tf.getBackend()}'`);
  return tf.backend() as unknown as NodeBackend;
}

let active: { declare(name: string, t: tf.Tensor): void } | null = null;

/**
 * A per-step host number (an lr factor, a bias correction) as a scalar tensor. While a step is being
 * traced it becomes a named graph input, fed with `values[name]` on every replay, instead of a Const.
 */
export function stepScalar(name: string, value: number): tf.Scalar {
  const s = tf.scalar(value);
  active?.declare(name, s);
  return s;
}

const isVariable = (t: tf.Tensor): t is tf.Variable => typeof (t as tf.Variable).assign === 'function';
const registeredVariables = (): tf.Variable[] => Object.values((tf.engine() as unknown as { state: { registeredVariables: Record<string, tf.Variable> } }).state.registeredVariables);

/**
 * Runs `step` eagerly (its results are real) and records it. `inputs` are the step's per-batch tensors
 * (named); `step` returns the named scalars the caller reads afterwards (they stay alive for it).
 */
export function traceStep(inputs: Record<string, tf.Tensor>, step: () => Record<string, tf.Tensor>): { trace: Trace; results: Record<string, tf.Tensor> } {
  const nb = nodeBackend();
  // The binding's functions are read-only properties, so the backend gets a stand-in during the trace.
  const b = nb.binding;
  const traced = Object.create(b) as Binding;
  const refOf = new Map<number, Ref>();
  const nodes: TraceNode[] = [], consts: ConstSpec[] = [];
  const state: tf.Variable[] = [], stateMeta: Trace['stateMeta'] = [], stateIds: number[] = [];
  const inputMeta: Trace['inputs'] = [];
  const created = new Map<number, ConstSpec>();
  const varByData = new Map<object, tf.Variable>();
  for (const v of registeredVariables()) varByData.set((v as unknown as { dataId: object }).dataId, v);
  const orig = { executeOp: b.executeOp, createTensor: b.createTensor, tensorDataSync: b.tensorDataSync, getInputTensorIds: nb.getInputTensorIds };
  let refusal: GraphRefusal | null = null;
  const refuse = (r: GraphRefusal) => { refusal ??= r; };

  const dtypeOf = (t: tf.Tensor) => nb.tensorMap.get((t as unknown as { dataId: object }).dataId).dtype;
  const declareInput = (name: string, t: tf.Tensor) => {
    const [id] = orig.getInputTensorIds.call(nb, [t]);
    const had = inputMeta.find((x) => x.name === name);
    if (had && had.shape.join() !== t.shape.join()) { refuse(new GraphRefusal('unstable', `step scalar '${name}' declared twice with different shapes`)); return; }
    if (refOf.has(id)) { refuse(new GraphRefusal('untracked', `step input '${name}' is already a tensor of the step`)); return; }
    refOf.set(id, { k: 'input', name });
    if (!had) inputMeta.push({ name, shape: [...t.shape], dtype: t.dtype === 'int32' ? b.TF_INT32 : b.TF_FLOAT });
  };
  for (const [name, t] of Object.entries(inputs)) declareInput(name, t);

  // Classifies the tensors an op is about to read (tfjs tensors are known here, ids below).
  nb.getInputTensorIds = function (ts: tf.Tensor[]): number[] {
    const ids = orig.getInputTensorIds.call(nb, ts);
    ts.forEach((t, i) => {
      const id = ids[i];
      if (refOf.has(id)) return;
      const v = varByData.get((t as unknown as { dataId: object }).dataId);
      if (v) {
        refOf.set(id, { k: 'state', index: state.length });
        state.push(v); stateIds.push(id);
        stateMeta.push({ shape: [...t.shape], dtype: dtypeOf(t) });
        return;
      }
      let c = created.get(id);
      if (!c) {
        if (isVariable(t)) { refuse(new GraphRefusal('untracked', `the step reads variable '${t.name}' created during the step`)); return; }
        // An immutable tfjs tensor made before the step: its value is a constant of the step.
        const values = orig.tensorDataSync.call(b, id);
        c = { dtype: dtypeOf(t), shape: [...t.shape], values: copy(values) };
      }
      refOf.set(id, { k: 'const', index: consts.length });
      consts.push(c);
    });
    return ids;
  };
  const createTensor: Binding['createTensor'] = function (shape, dtype, values) {
    const id = orig.createTensor.call(b, shape, dtype, values);
    created.set(id, { dtype, shape: [...shape], values: copy(values) });
    return id;
  };
  const tensorDataSync: Binding['tensorDataSync'] = function (id) {
    refuse(new GraphRefusal('hostRead', `the step reads a tensor back to JavaScript (after ${nodes.length} ops${nodes.length ? `, the last '${nodes[nodes.length - 1].op}'` : ''})`));
    return orig.tensorDataSync.call(b, id);
  };
  const executeOp: Binding['executeOp'] = function (name, attrs, ids, n) {
    const refs = ids.map((id) => {
      const known = refOf.get(id);
      if (known) return known;
      const c = created.get(id);
      if (!c) return undefined;
      const r: Ref = { k: 'const', index: consts.length };
      consts.push(c);
      refOf.set(id, r);
      return r;
    });
    if (refs.some((r) => !r)) refuse(new GraphRefusal('untracked', `op '${name}' reads a tensor the trace cannot place`));
    for (const a of attrs) if (![TF_ATTR_STRING, TF_ATTR_INT, TF_ATTR_FLOAT, TF_ATTR_BOOL, TF_ATTR_TYPE, TF_ATTR_SHAPE].includes(a.type)) refuse(new GraphRefusal('attr', `op '${name}' has attribute '${a.name}' of TF_AttrType ${a.type}`));
    const out = orig.executeOp.call(b, name, attrs, ids, n);
    const node = nodes.length;
    nodes.push({ op: name, attrs: attrs.map((a) => ({ name: a.name, type: a.type, value: Array.isArray(a.value) ? [...a.value] : a.value })), inputs: refs.map((r) => r ?? { k: 'const', index: -1 }), nOut: n });
    out.forEach((m, k) => refOf.set(m.id, { k: 'node', node, out: k }));
    return out;
  };
  active = { declare: declareInput };
  Object.defineProperties(traced, { executeOp: { value: executeOp }, createTensor: { value: createTensor }, tensorDataSync: { value: tensorDataSync } });
  nb.binding = traced;
  let results: Record<string, tf.Tensor>;
  try {
    results = step();
  } finally {
    active = null;
    nb.binding = b;
    nb.getInputTensorIds = orig.getInputTensorIds;
  }
  const idOf = (t: tf.Tensor) => nb.tensorMap.get((t as unknown as { dataId: object }).dataId).id;
  const assigned = state.map((v, i) => {
    const id = idOf(v);
    if (id === stateIds[i]) return null;
    const r = refOf.get(id);
    if (!r) refuse(new GraphRefusal('untracked', `variable '${v.name}' was given a value the trace cannot place`));
    return r ?? null;
  });
  const outputs = Object.entries(results).map(([name, t]) => {
    const r = refOf.get(orig.getInputTensorIds.call(nb, [t])[0]);
    if (!r) refuse(new GraphRefusal('untracked', `step result '${name}' is not a tensor of the step`));
    return { name, ref: r ?? { k: 'const' as const, index: -1 } };
  });
  const r = refusal as GraphRefusal | null;
  if (r) { tf.dispose(Object.values(results)); throw r; }
  return { trace: { nodes, consts, state, stateMeta, inputs: inputMeta, assigned, outputs }, results };
}

function copy(v: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  return v instanceof Int32Array ? new Int32Array(bytes.buffer) : v instanceof Float32Array ? new Float32Array(bytes.buffer) : bytes;
}

const refKey = (r: Ref) => (r.k === 'node' ? `n${r.node}:${r.out}` : r.k === 'input' ? `i:${r.name}` : r.k === 'state' ? `s${r.index}` : `c${r.index}`);
const bytesEqual = (a: ArrayBufferView, b: ArrayBufferView) => {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
};

/** Null when two traces record the same computation; otherwise the first difference, in words. */
export function traceDifference(a: Trace, b: Trace): string | null {
  if (a.nodes.length !== b.nodes.length) return `${a.nodes.length} vs ${b.nodes.length} ops`;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i], y = b.nodes[i];
    if (x.op !== y.op || x.nOut !== y.nOut) return `op ${i} is '${x.op}' vs '${y.op}'`;
    if (JSON.stringify(x.attrs) !== JSON.stringify(y.attrs)) return `op ${i} ('${x.op}') has other attributes`;
    if (x.inputs.map(refKey).join() !== y.inputs.map(refKey).join()) return `op ${i} ('${x.op}') reads other tensors`;
  }
  if (a.consts.length !== b.consts.length) return `${a.consts.length} vs ${b.consts.length} constants`;
  for (let i = 0; i < a.consts.length; i++) {
    const x = a.consts[i], y = b.consts[i];
    if (x.shape.join() !== y.shape.join() || !bytesEqual(x.values, y.values)) {
      const user = a.nodes.findIndex((n) => n.inputs.some((r) => r.k === 'const' && r.index === i));
      return `a constant of shape [${x.shape}] read by op ${user} ('${a.nodes[user]?.op}') changed between steps (a per-step host value the step does not declare)`;
    }
  }
  if (a.state.length !== b.state.length || a.state.some((v, i) => v !== b.state[i])) return 'the step reads other variables';
  if (a.assigned.map((r) => (r ? refKey(r) : '-')).join() !== b.assigned.map((r) => (r ? refKey(r) : '-')).join()) return 'the step assigns other variables';
  if (a.inputs.map((x) => `${x.name}[${x.shape}]`).join() !== b.inputs.map((x) => `${x.name}[${x.shape}]`).join()) return 'the step inputs differ in name or shape';
  return null;
}

/** Graph node name of a ref. */
const tensorName = (r: Ref) => (r.k === 'node' ? `n${r.node}:${r.out}` : r.k === 'input' ? `in_${r.name}:0` : r.k === 'state' ? `s${r.index}:0` : `c${r.index}:0`);

export function graphNodes(t: Trace): NodeSpec[] {
  const nodes: NodeSpec[] = [];
  const type = (name: string, dtype: number): AttrSpec => ({ name, type: TF_ATTR_TYPE, value: dtype });
  const shape = (s: number[]): AttrSpec => ({ name: 'shape', type: TF_ATTR_SHAPE, value: s });
  for (const i of t.inputs) nodes.push({ name: `in_${i.name}`, op: 'Placeholder', inputs: [], attrs: [type('dtype', i.dtype), shape(i.shape)] });
  t.stateMeta.forEach((s, i) => nodes.push({ name: `s${i}`, op: 'Placeholder', inputs: [], attrs: [type('dtype', s.dtype), shape(s.shape)] }));
  t.consts.forEach((c, i) => nodes.push({ name: `c${i}`, op: 'Const', inputs: [], attrs: [], tensor: c }));
  t.nodes.forEach((n, i) => nodes.push({ name: `n${i}`, op: n.op, inputs: n.inputs.map(tensorName), attrs: n.attrs }));
  return nodes;
}

/** A step compiled to a TF_Session (a SavedModel loaded by tfjs-node's binding). */
export class GraphStep {
  private constructor(private readonly nb: NodeBackend, private readonly id: number, readonly trace: Trace,
    private readonly feedNames: string, private readonly fetchNames: string, private readonly assignedIdx: number[]) {}

  static build(trace: Trace): GraphStep {
    const nb = nodeBackend();
    const dir = mkdtempSync(join(tmpdir(), 'lssd-graph-'));
    let id: number;
    try {
      writeFileSync(join(dir, 'saved_model.pb'), savedModel(graphNodes(trace), 'serve'));
      try {
        id = nb.binding.loadSavedModel(dir, 'serve');
      } catch (e) {
        throw new GraphRefusal('build', `TensorFlow refused the step's graph: ${(e as Error).message.split('\n')[0]}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const feeds = [...trace.inputs.map((i) => `in_${i.name}:0`), ...trace.stateMeta.map((_, i) => `s${i}:0`)];
    const assignedIdx = trace.assigned.flatMap((r, i) => (r ? [i] : []));
    const fetches = [...trace.outputs.map((o) => tensorName(o.ref)), ...assignedIdx.map((i) => tensorName(trace.assigned[i]!))];
    return new GraphStep(nb, id, trace, feeds.join(','), fetches.join(','), assignedIdx);
  }

  /**
   * One step: feeds `inputs` (same names and shapes as traced) and the variables' current values,
   * returns the named results. The variables are given their new values only when `accept(results)`
   * says so (a non-finite loss leaves them as they were).
   */
  run(inputs: Record<string, tf.Tensor>, accept: (results: Record<string, tf.Tensor>) => boolean = () => true): Record<string, tf.Tensor> {
    const t = this.trace;
    const feedTensors = [...t.inputs.map((i) => {
      const x = inputs[i.name];
      if (!x) throw new GraphRefusal('untracked', `graph step input '${i.name}' was not given`);
      if (x.shape.join() !== i.shape.join()) throw new GraphRefusal('unstable', `graph step input '${i.name}' is [${x.shape}], traced as [${i.shape}]`);
      return x;
    }), ...t.state];
    const ids = this.nb.getInputTensorIds(feedTensors);
    const out = this.nb.binding.runSavedModel(this.id, ids, this.feedNames, this.fetchNames).map((m) => this.nb.createOutputTensor(m));
    const results: Record<string, tf.Tensor> = {};
    t.outputs.forEach((o, i) => { results[o.name] = out[i]; });
    const news = out.slice(t.outputs.length);
    if (accept(results)) this.assignedIdx.forEach((s, k) => t.state[s].assign(news[k]));
    tf.dispose(news);
    return results;
  }

  dispose(): void { this.nb.binding.deleteSavedModel(this.id); }
}

/**
 * `lssdc doctor`'s check that graph mode works on this installation: a two-op step with a variable, a
 * declared scalar and an input, traced, compiled and replayed; null when the replay matches eager
 * arithmetic, else why not. Needs the tensorflow backend active.
 */
export function graphSelfCheck(): string | null {
  const made: tf.Tensor[] = [];
  let g: GraphStep | null = null;
  try {
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3]), false));
    const x = tf.tensor1d([2, -1, 4]);
    made.push(w, x);
    const step = () => tf.tidy(() => {
      const y = tf.mul(w, x);
      w.assign(tf.sub(w, tf.mul(y, stepScalar('k', 0.5))));
      return { s: tf.sum(y) };
    });
    const { trace, results } = traceStep({ x }, step);
    made.push(...Object.values(results));
    tf.tidy(() => w.assign(tf.tensor1d([1, 2, 3])));
    g = GraphStep.build(trace);
    const k = tf.scalar(0.5);
    made.push(k);
    const out = g.run({ x, k });
    made.push(out.s);
    const want = [1 - 0.5 * 2, 2 - 0.5 * -2, 3 - 0.5 * 12], got = Array.from(w.dataSync());
    if (out.s.dataSync()[0] !== 12 || got.some((v, i) => v !== want[i])) return `a replayed test step gave [${got}] (sum ${out.s.dataSync()[0]}), eager arithmetic [${want}] (sum 12)`;
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  } finally {
    g?.dispose();
    tf.dispose(made);
  }
}
