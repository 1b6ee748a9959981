// NumPy's .npy format (numpy/lib/format.py, versions 1.0–3.0): the magic "\x93NUMPY", a version byte pair,
// a little-endian header length (2 bytes in 1.0, 4 in 2.0/3.0), a Python-literal dict header
// {'descr': '<f4', 'fortran_order': False, 'shape': (512,), } padded with spaces to a multiple of 64 bytes and
// ended by '\n', then the raw array. hear-eval-kit writes each clip's embedding with np.save (1-D float32).
// Reading accepts float16/32/64 and (u)int8/16/32/64 of either byte order, C or Fortran order, and returns
// float32; writing emits version 1.0 float32, as np.save does.
import { readFileSync, writeFileSync } from 'node:fs';
import { PROBE, ProbeError } from './errors.ts';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

export interface NpyArray { shape: number[]; data: Float32Array }

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1; const e = (bits >> 10) & 0x1f; const f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Parses .npy bytes; `where` names the file in diagnostics. */
export function parseNpy(buf: Buffer, where = '<bytes>'): NpyArray {
  const bad = (why: string) => new ProbeError(PROBE.badNpy.code, `not a readable .npy file: ${why}`, where,
    'expected an array written by numpy.save (float or integer dtype)');
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw bad('missing the \\x93NUMPY magic');
  const major = buf[6];
  if (major < 1 || major > 3) throw bad(`format version ${major}.${buf[7]}`);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > buf.length) throw bad('header longer than the file');
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLen);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw bad(`header ${JSON.stringify(header.trim()).slice(0, 120)}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`shape (${shapeText})`);
  const m = /^([<>|=])([fiu])(\d)$/.exec(descr);
  if (!m) throw bad(`dtype '${descr}' (only float and integer arrays)`);
  const little = m[1] !== '>';
  const kind = m[2]; const size = Number(m[3]);
  const ok = (kind === 'f' && [2, 4, 8].includes(size)) || ((kind === 'i' || kind === 'u') && [1, 2, 4, 8].includes(size));
  if (!ok) throw bad(`dtype '${descr}'`);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = start + headerLen;
  if (buf.length < body + count * size) throw bad(`${buf.length - body} data bytes for ${count} × ${size}-byte items`);
  const dv = new DataView(buf.buffer, buf.byteOffset + body, count * size);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * size;
    if (kind === 'f') out[i] = size === 4 ? dv.getFloat32(o, little) : size === 8 ? dv.getFloat64(o, little) : half(dv.getUint16(o, little));
    else if (size === 1) out[i] = kind === 'i' ? dv.getInt8(o) : dv.getUint8(o);
    else if (size === 2) out[i] = kind === 'i' ? dv.getInt16(o, little) : dv.getUint16(o, little);
    else if (size === 4) out[i] = kind === 'i' ? dv.getInt32(o, little) : dv.getUint32(o, little);
    else out[i] = Number(kind === 'i' ? dv.getBigInt64(o, little) : dv.getBigUint64(o, little));
  }
  if (fortran === 'True' && shape.length > 1) {
    // Column-major on disk: transpose into row-major.
    const c = new Float32Array(count);
    const strides = shape.map((_, k) => shape.slice(0, k).reduce((a, b) => a * b, 1)); // fortran strides
    const idx = new Array(shape.length).fill(0);
    for (let i = 0; i < count; i++) {
      let f = 0; for (let k = 0; k < shape.length; k++) f += idx[k] * strides[k];
      c[i] = out[f];
      for (let k = shape.length - 1; k >= 0; k--) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
    }
    return { shape, data: c };
  }
  return { shape, data: out };
}

export function readNpy(path: string): NpyArray {
  let buf: Buffer;
  try { buf = readFileSync(path); } catch (e) {
    throw new ProbeError(PROBE.badNpy.code, `cannot read the .npy file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
  return parseNpy(buf, path);
}

/** float32 .npy bytes (format 1.0, C order, little-endian), byte-identical to np.save of a float32 array. */
export function npyBytes(data: Float32Array, shape: number[] = [data.length]): Buffer {
  if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new RangeError(`npyBytes: shape (${shape.join(', ')}) does not hold ${data.length} values`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  MAGIC.copy(head, 0); head[6] = 1; head[7] = 0; head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) body.writeFloatLE(data[i], i * 4);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

export function writeNpy(path: string, data: Float32Array, shape?: number[]): void {
  writeFileSync(path, npyBytes(data, shape));
}
