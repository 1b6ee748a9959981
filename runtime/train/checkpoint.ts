// Checkpoints: a directory with weights.bin (float32 little-endian, tensors back to back) and
// manifest.json (names, shapes, offsets, step, spec hash, model signatures, optimizer step). Written
// into a temporary sibling directory and renamed into place, so a directory named step-<N> or final
// is always complete; a crash leaves at most a `.tmp-*` directory, which is ignored and cleaned up.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { TrainCodes, TrainError } from './errors.ts';
import { LssdError } from '../media/errors.ts';
import { M } from '../../compiler/messages.ts';
import { reason } from '../files/walk.ts';

export interface CheckpointTensor {
  name: string;
  shape: number[];
  /** Offset in floats into weights.bin. */
  offset: number;
  group: 'param' | 'optim';
}

export interface Manifest {
  format: 'lssd-checkpoint';
  version: 1;
  experiment: string;
  step: number;
  specHash: string;
  signatures: { video: string | null; audio: string; heads: string };
  optimizer: { kind: string; t: number };
  backend: string;
  created: string;
  tensors: CheckpointTensor[];
}

export interface LoadedCheckpoint {
  dir: string;
  manifest: Manifest;
  tensors: Map<string, { shape: number[]; data: Float32Array; group: 'param' | 'optim' }>;
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Writes a checkpoint atomically to `dir` (replacing an existing one). */
export async function saveCheckpoint(dir: string, meta: Omit<Manifest, 'format' | 'version' | 'tensors' | 'created'>,
  groups: { group: 'param' | 'optim'; vars: Map<string, tf.Tensor> }[], extra: Record<string, string> = {}): Promise<void> {
  const parent = dirname(dir);
  const tmp = join(parent, `.tmp-${basename(dir)}-${process.pid}-${Date.now()}`);
  try {
    await writeCheckpoint(dir, parent, tmp, meta, groups, extra);
  } catch (e) {
    // A full disk or a read-only run directory: the temp directory goes, the previous checkpoints stay
    // (pruning runs only after a save succeeds), and the user gets a coded line, not a stack trace.
    if (!(e as NodeJS.ErrnoException)?.code) throw e;
    // The file system may refuse the clean-up too (it went read-only after the temp directory was made):
    // then the message says what was left, and the next run, which lists the checkpoints, removes it.
    let left = '';
    try { rmSync(tmp, { recursive: true, force: true }); } catch (r) { if (existsSync(tmp)) left = `; ${basename(tmp)} is left behind (removing it failed too: ${reason(r)}) and the next run removes it`; }
    throw new LssdError(M.checkpointWriteFailed.code, `cannot write checkpoint ${basename(dir)}: ${reason(e)}${left}`,
      { path: dirname(parent), hint: 'the previous checkpoints are intact; free space or make the run directory writable, then re-run to resume' });
  }
}

async function writeCheckpoint(dir: string, parent: string, tmp: string, meta: Omit<Manifest, 'format' | 'version' | 'tensors' | 'created'>,
  groups: { group: 'param' | 'optim'; vars: Map<string, tf.Tensor> }[], extra: Record<string, string>): Promise<void> {
  mkdirSync(parent, { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const tensors: CheckpointTensor[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const { group, vars } of groups) {
    for (const name of [...vars.keys()].sort()) {
      const t = vars.get(name)!;
      const data = (await t.data()) as Float32Array;
      tensors.push({ name, shape: t.shape, offset, group });
      chunks.push(data);
      offset += data.length;
    }
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) { all.set(c, o); o += c.length; }
  writeFileSync(join(tmp, 'weights.bin'), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(tmp, name), text);
  const manifest: Manifest = { format: 'lssd-checkpoint', version: 1, ...meta, created: new Date().toISOString(), tensors };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  fsyncFile(join(tmp, 'weights.bin'));
  fsyncFile(join(tmp, 'manifest.json'));
  if (existsSync(dir)) {
    const old = join(parent, `.tmp-old-${basename(dir)}-${process.pid}-${Date.now()}`);
    renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, dir);
  }
}

export function loadCheckpoint(dir: string): LoadedCheckpoint {
  let manifest: Manifest;
  let buf: Buffer;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    buf = readFileSync(join(dir, 'weights.bin'));
  } catch (e) {
    throw new TrainError(TrainCodes.badCheckpoint, `checkpoint is unreadable: ${(e as Error).message.split('\n')[0]}`, { path: dir });
  }
  if (!manifest || typeof manifest !== 'object' || manifest.format !== 'lssd-checkpoint' || manifest.version !== 1 || !Array.isArray(manifest.tensors)) {
    throw new TrainError(TrainCodes.badCheckpoint, 'not an lssd checkpoint (manifest.json has the wrong format)', { path: dir });
  }
  // A damaged file (cut at an odd length, a hand-edited manifest) is this coded error, not a RangeError or TypeError.
  if (buf.byteLength % 4 !== 0) throw new TrainError(TrainCodes.badCheckpoint, `weights.bin is damaged: ${buf.byteLength} bytes is not a whole number of float32 values`, { path: dir });
  const floats = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const tensors = new Map<string, { shape: number[]; data: Float32Array; group: 'param' | 'optim' }>();
  for (const t of manifest.tensors) {
    if (!t || typeof t.name !== 'string' || !Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0) || !Number.isInteger(t.offset) || t.offset < 0) {
      throw new TrainError(TrainCodes.badCheckpoint, `manifest.json is damaged: tensor entry ${JSON.stringify(t)?.slice(0, 120)} lacks a name, shape or offset`, { path: dir });
    }
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.offset + n > floats.length) throw new TrainError(TrainCodes.badCheckpoint, `weights.bin is truncated (tensor ${t.name})`, { path: dir });
    tensors.set(t.name, { shape: t.shape, data: floats.subarray(t.offset, t.offset + n), group: t.group });
  }
  return { dir, manifest, tensors };
}

/** Complete checkpoints of a run, oldest first: step-<N> directories, then `final`. Stale temp dirs are removed. */
export function listCheckpoints(runDir: string): { dir: string; step: number; final: boolean }[] {
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return [];
  const out: { dir: string; step: number; final: boolean }[] = [];
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (name.startsWith('.tmp-')) {
      // Only our own process writes here while it holds the run's LOCK; older temp dirs are debris.
      if (!name.includes(`-${process.pid}-`)) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (!existsSync(join(dir, 'manifest.json'))) continue;
    const m = /^step-(\d+)$/.exec(name);
    if (m) out.push({ dir, step: Number(m[1]), final: false });
    else if (name === 'final') {
      try { out.push({ dir, step: (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest).step, final: true }); } catch { /* unreadable: ignored */ }
    }
  }
  return out.sort((a, b) => a.step - b.step || Number(a.final) - Number(b.final));
}

/** Removes step checkpoints beyond the newest `keep` (the final checkpoint is never pruned). */
export function pruneCheckpoints(runDir: string, keep: number): void {
  const steps = listCheckpoints(runDir).filter((c) => !c.final);
  for (const c of steps.slice(0, Math.max(0, steps.length - keep))) rmSync(c.dir, { recursive: true, force: true });
}
