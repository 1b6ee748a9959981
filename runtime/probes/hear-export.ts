// hear-eval-kit's on-disk embedding layout, both ways (heareval/embeddings/task_embeddings.py, hear-eval-kit
// 8559649):
//   <task>/task_metadata.json, labelvocabulary.csv, <split>.json        copied from the task directory
//   <task>/<split>/<file>.embedding.npy                                  one float32 vector per clip (np.save)
//   <task>/<split>/<file>.target-labels.json                             the clip's labels as in <split>.json
//   <task>/<split>.embeddings.npy                                        all of a split's vectors, raw float32
//                                                                        (np.memmap: no .npy header), in the
//                                                                        kit's order (random.Random(0) shuffle)
//   <task>/<split>.embedding-dimensions.json                             [n, dim]
//   <task>/<split>.target-labels.pkl                                     the labels in that order (pickle)
// The last three are what `python3 -m heareval.predictions.runner <task>` reads, so an export is scored by
// the official kit as it is. Reading takes the per-file vectors, or the memmap when they are absent.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { kitRowOrder, loadHearTask, type HearTask } from './hear.ts';
import { npyBytes, readNpy } from './npy.ts';
import { PROBE, ProbeError } from './errors.ts';

/** Python's json.dumps defaults (separators ", " and ": ", ensure_ascii) for the label lists the kit writes. */
export function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return `{${Object.entries(v as object).map(([k, x]) => `${pyJson(k)}: ${pyJson(x)}`).join(', ')}}`;
}

/**
 * Pickle (protocol 2, no memo) of a list of label lists of str / int — what the kit pickles as
 * `<split>.target-labels.pkl`. Opcodes: PROTO 2, EMPTY_LIST, MARK, BINUNICODE / BININT, APPENDS, STOP.
 */
export function pickleLabelLists(rows: unknown[][]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80, 2])];
  const list = (items: unknown[], each: (x: unknown) => void) => {
    parts.push(Buffer.from(']'));
    if (items.length === 0) return;
    parts.push(Buffer.from('('));
    items.forEach(each);
    parts.push(Buffer.from('e'));
  };
  list(rows, (row) => list(row as unknown[], (x) => {
    if (typeof x === 'string') {
      const b = Buffer.from(x, 'utf8'); const h = Buffer.alloc(5); h.write('X', 0); h.writeUInt32LE(b.length, 1); parts.push(h, b);
    } else if (typeof x === 'number' && Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31) {
      const h = Buffer.alloc(5); h.write('J', 0); h.writeInt32LE(x, 1); parts.push(h);
    } else throw new ProbeError(PROBE.exportFailed.code, `label ${JSON.stringify(x)} is neither a string nor a 32-bit integer`);
  }));
  parts.push(Buffer.from('.'));
  return Buffer.concat(parts);
}

function rawSplit(task: HearTask, split: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(task.dir, `${split}.json`), 'utf8')) as Record<string, unknown>;
}

/**
 * Writes one task's embeddings (rows aligned with `task.clips`) in the kit's layout under `out` (replaced
 * atomically: written to a temp dir, then renamed). Returns the directory written.
 */
export function exportHearTask(task: HearTask, emb: { x: Float32Array; dim: number }, out: string): string {
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const f of ['task_metadata.json', 'labelvocabulary.csv', ...task.splits.map((s) => `${s}.json`)]) copyFileSync(join(task.dir, f), join(tmp, f));
    const order = kitRowOrder(task);
    for (const split of task.splits) {
      const raw = rawSplit(task, split);
      mkdirSync(join(tmp, split), { recursive: true });
      const vec = (i: number) => emb.x.subarray(i * emb.dim, (i + 1) * emb.dim);
      task.clips.forEach((c, i) => {
        if (c.split !== split) return;
        // np.save(f"{out_file}.embedding.npy") and json.dump(labels) beside it (save_scene_embedding_and_labels).
        writeFileSync(join(tmp, split, `${c.file}.embedding.npy`), npyBytes(vec(i)));
        writeFileSync(join(tmp, split, `${c.file}.target-labels.json`), pyJson(raw[c.file]));
      });
      const rows = order[split];
      const mm = new Float32Array(rows.length * emb.dim);
      rows.forEach((r, k) => mm.set(vec(r), k * emb.dim));
      writeFileSync(join(tmp, `${split}.embeddings.npy`), Buffer.from(mm.buffer, mm.byteOffset, mm.byteLength));
      writeFileSync(join(tmp, `${split}.embedding-dimensions.json`), pyJson([rows.length, emb.dim]));
      writeFileSync(join(tmp, `${split}.target-labels.pkl`), pickleLabelLists(rows.map((r) => {
        const l = raw[task.clips[r].file]; return Array.isArray(l) ? l : [l];
      })));
    }
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, '..'), { recursive: true });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof ProbeError) throw e;
    throw new ProbeError(PROBE.exportFailed.code, `cannot write the export: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, out,
      'check that the --export-hear directory is writable and has space');
  }
  return out;
}

/** An embeddings directory read back: the task (labels from its split files) and rows aligned with `task.clips`. */
export interface ImportedTask { task: HearTask; x: Float32Array; dim: number }

/** Reads one task directory in the kit's layout (per-file vectors, else the split memmaps). */
export function importHearTask(dir: string): ImportedTask {
  const task = loadHearTask(dir, { media: false });
  const perFile = task.clips.every((c) => existsSync(join(dir, c.split, `${c.file}.embedding.npy`)));
  let dim = -1; let x: Float32Array | null = null;
  const put = (i: number, v: Float32Array, where: string) => {
    if (dim < 0) { dim = v.length; x = new Float32Array(task.clips.length * dim); }
    if (v.length !== dim) {
      throw new ProbeError(PROBE.badEmbeddings.code, `embedding of ${v.length} values where the others have ${dim}`, where, 'every clip needs a scene embedding of one width');
    }
    if (!v.every(Number.isFinite)) throw new ProbeError(PROBE.badEmbeddings.code, 'embedding holds NaN or infinite values', where);
    x!.set(v, i * dim);
  };
  if (perFile) {
    task.clips.forEach((c, i) => {
      const path = join(dir, c.split, `${c.file}.embedding.npy`);
      const a = readNpy(path);
      if (a.shape.length !== 1) {
        throw new ProbeError(PROBE.badEmbeddings.code, `scene embedding of shape (${a.shape.join(', ')}); expected one vector`, path,
          'timestamp (event) embeddings are not scene embeddings');
      }
      put(i, a.data, path);
    });
  } else {
    const order = kitRowOrder(task);
    for (const split of task.splits) {
      const dimsPath = join(dir, `${split}.embedding-dimensions.json`);
      const mmPath = join(dir, `${split}.embeddings.npy`);
      if (!existsSync(dimsPath) || !existsSync(mmPath)) {
        const missing = task.clips.find((c) => c.split === split && !existsSync(join(dir, c.split, `${c.file}.embedding.npy`)));
        throw new ProbeError(PROBE.badEmbeddings.code, `no embedding for clip '${missing?.file ?? split}' and no ${split}.embeddings.npy memmap`,
          missing ? join(dir, split, `${missing.file}.embedding.npy`) : dir, 'embed the task with hear-eval-kit or `lssdc probe --export-hear`');
      }
      const [n, d] = JSON.parse(readFileSync(dimsPath, 'utf8')) as [number, number];
      const buf = readFileSync(mmPath);
      if (n !== order[split].length || buf.length !== n * d * 4) {
        throw new ProbeError(PROBE.badEmbeddings.code, `${split}.embeddings.npy holds ${buf.length} bytes for [${n}, ${d}] and the split lists ${order[split].length} clips`, mmPath);
      }
      const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
      order[split].forEach((r, k) => put(r, all.subarray(k * d, (k + 1) * d), mmPath));
    }
  }
  if (!x || dim <= 0) throw new ProbeError(PROBE.badEmbeddings.code, 'the task has no clips', dir);
  return { task, x, dim };
}

/** Task directories under `dir`: `dir` itself when it holds task_metadata.json, else its subdirectories that do, sorted. */
export function embeddingTaskDirs(dir: string): string[] {
  if (existsSync(join(dir, 'task_metadata.json'))) return [dir];
  let names: string[] = [];
  try { names = readdirSync(dir).sort(); } catch {
    throw new ProbeError(PROBE.badEmbeddings.code, 'embeddings directory not found', dir, 'pass a task directory in hear-eval-kit\'s layout, or a directory of them');
  }
  const out = names.map((n) => join(dir, n)).filter((p) => statSync(p).isDirectory() && existsSync(join(p, 'task_metadata.json')));
  if (out.length === 0) throw new ProbeError(PROBE.badEmbeddings.code, 'no task directory (with task_metadata.json) here', dir);
  return out;
}
