// The few TensorFlow protocol buffers graph mode needs, written by hand (no protobuf dependency):
// GraphDef (NodeDef, AttrValue, TensorProto, TensorShapeProto) wrapped in a SavedModel with one
// MetaGraphDef, which tfjs-node's binding can load as a TF_Session (loadSavedModel) and run
// (runSavedModel). Field numbers are those of tensorflow/core/framework/{graph,node_def,attr_value,
// tensor,tensor_shape,versions}.proto and tensorflow/core/protobuf/{saved_model,meta_graph}.proto.

/** A protobuf message under construction: tagged fields appended in order. */
class Writer {
  private parts: Uint8Array[] = [];
  private len = 0;
  private push(b: Uint8Array): void { this.parts.push(b); this.len += b.length; }
  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do { let byte = Number(x & 0x7fn); x >>= 7n; if (x) byte |= 0x80; out.push(byte); } while (x);
    this.push(Uint8Array.from(out));
  }
  private tag(field: number, wire: number): void { this.varint((field << 3) | wire); }
  int(field: number, v: number): this { this.tag(field, 0); this.varint(v); return this; }
  bool(field: number, v: boolean): this { return this.int(field, v ? 1 : 0); }
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, v, true); this.push(b); return this;
  }
  bytes(field: number, b: Uint8Array): this { this.tag(field, 2); this.varint(b.length); this.push(b); return this; }
  string(field: number, s: string): this { return this.bytes(field, new TextEncoder().encode(s)); }
  message(field: number, w: Writer): this { return this.bytes(field, w.finish()); }
  /** A packed repeated varint field. */
  packed(field: number, vs: number[]): this { const w = new Writer(); for (const v of vs) w.varint(v); return this.bytes(field, w.finish()); }
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

/** tensorflow.DataType values (the same numbers as the C API's TF_DataType). */
export const DT_FLOAT = 1, DT_INT32 = 3, DT_INT64 = 9, DT_BOOL = 10;

/** An attribute value, as tfjs-node's binding takes it: type is a TF_AttrType (TF_ATTR_STRING 0 … TF_ATTR_SHAPE 5). */
export interface AttrSpec { name: string; type: number; value: unknown }
export const TF_ATTR_STRING = 0, TF_ATTR_INT = 1, TF_ATTR_FLOAT = 2, TF_ATTR_BOOL = 3, TF_ATTR_TYPE = 4, TF_ATTR_SHAPE = 5;

export interface ConstSpec { dtype: number; shape: number[]; values: ArrayBufferView }

export interface NodeSpec {
  name: string;
  op: string;
  /** "node" or "node:k". */
  inputs: string[];
  attrs: AttrSpec[];
  /** Const payload (op 'Const'); its dtype/value attributes are written from it. */
  tensor?: ConstSpec;
}

function shapeProto(dims: number[]): Writer {
  const w = new Writer();
  for (const d of dims) w.message(2, new Writer().int(1, d));
  return w;
}

function attrValue(a: AttrSpec): Writer {
  const w = new Writer();
  const v = a.value;
  switch (a.type) {
    case TF_ATTR_STRING:
      if (Array.isArray(v)) { const l = new Writer(); for (const s of v) l.string(2, String(s)); return w.message(1, l); }
      return w.string(2, String(v));
    case TF_ATTR_INT:
      if (Array.isArray(v)) return w.message(1, new Writer().packed(3, v as number[]));
      return w.int(3, v as number);
    case TF_ATTR_FLOAT:
      if (Array.isArray(v)) { const l = new Writer(); for (const f of v as number[]) l.float(4, f); return w.message(1, l); }
      return w.float(4, v as number);
    case TF_ATTR_BOOL:
      if (Array.isArray(v)) return w.message(1, new Writer().packed(5, (v as boolean[]).map((b) => (b ? 1 : 0))));
      return w.bool(5, v as boolean);
    case TF_ATTR_TYPE:
      if (Array.isArray(v)) return w.message(1, new Writer().packed(6, v as number[]));
      return w.int(6, v as number);
    case TF_ATTR_SHAPE:
      return w.message(7, shapeProto(v as number[]));
    default:
      throw new Error(`attribute '${a.name}' has TF_AttrType ${a.type}, which graph mode does not encode`);
  }
}

function tensorProto(t: ConstSpec): Writer {
  const bytes = new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength);
  return new Writer().int(1, t.dtype).message(2, shapeProto(t.shape)).bytes(4, bytes);
}

function nodeDef(n: NodeSpec): Writer {
  const w = new Writer().string(1, n.name).string(2, n.op);
  for (const i of n.inputs) w.string(3, i);
  const attrs: [string, Writer][] = n.attrs.map((a) => [a.name, attrValue(a)]);
  if (n.tensor) attrs.push(['dtype', new Writer().int(6, n.tensor.dtype)], ['value', new Writer().message(8, tensorProto(n.tensor))]);
  for (const [k, v] of attrs) w.message(5, new Writer().string(1, k).message(2, v)); // map<string, AttrValue> entry
  return w;
}

/**
 * GraphDef producer version: graphs from TF ≥ 2.x are at ≥ 1,000 (tensorflow/core/public/version.h);
 * TF checks op deprecations against it, and these nodes are the ops today's runtime executes eagerly.
 */
const GRAPH_PRODUCER = 1994;

export function graphDef(nodes: NodeSpec[]): Uint8Array {
  const w = new Writer();
  for (const n of nodes) w.message(1, nodeDef(n));
  w.message(4, new Writer().int(1, GRAPH_PRODUCER));
  return w.finish();
}

/** saved_model.pb bytes: SavedModel { schema version 1, meta_graphs [{ meta_info_def { tags }, graph_def }] }. */
export function savedModel(nodes: NodeSpec[], tag: string): Uint8Array {
  const meta = new Writer().message(1, new Writer().string(4, tag)).bytes(2, graphDef(nodes));
  return new Writer().int(1, 1).message(2, meta).finish();
}
