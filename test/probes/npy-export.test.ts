// .npy read/write and hear-eval-kit's embedding layout, both ways. The reference bytes of np.save were
// produced by numpy (np.save of np.arange(3, dtype=np.float32) / 2, and of a (2, 3) float64 Fortran array).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npyBytes, parseNpy } from '../../runtime/probes/npy.ts';
import { exportHearTask, importHearTask, pickleLabelLists, pyJson } from '../../runtime/probes/hear-export.ts';
import { kitRowOrder, loadHearTask } from '../../runtime/probes/hear.ts';
import { rng } from '../../runtime/probes/train-probe.ts';

const FIXTURE = 'test/fixtures/hear/spoken_digit-mini';

test('npy: float32 bytes as np.save writes them (64-byte aligned v1.0 header), parsed back exactly', () => {
  const b = npyBytes(Float32Array.from([0, 0.5, 1]));
  assert.equal(b.subarray(0, 8).toString('latin1'), '\x93NUMPY\x01\x00');
  assert.equal(b.readUInt16LE(8), 118);
  assert.equal(b.subarray(10, 128).toString('latin1'), "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }" + ' '.repeat(60) + '\n');
  assert.equal(b.length, 128 + 12);
  const back = parseNpy(b);
  assert.deepEqual(back.shape, [3]);
  assert.deepEqual(Array.from(back.data), [0, 0.5, 1]);
  const r = rng(3);
  const v = Float32Array.from({ length: 1000 }, () => r() * 2 - 1);
  assert.deepEqual(parseNpy(npyBytes(v, [10, 100])), { shape: [10, 100], data: v });
});

test('npy: float64 Fortran-ordered, big-endian, v2.0 headers; bad files are LSSD5421 diagnostics', () => {
  const header = (h: string, major = 1) => {
    const pad = ' '.repeat((64 - ((major === 1 ? 10 : 12) + h.length + 1) % 64) % 64);
    const text = Buffer.from(h + pad + '\n', 'latin1');
    const head = Buffer.alloc(major === 1 ? 10 : 12);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(head);
    if (major === 1) head.writeUInt16LE(text.length, 8); else head.writeUInt32LE(text.length, 8);
    return Buffer.concat([head, text]);
  };
  // [[1, 2, 3], [4, 5, 6]] in column-major order: 1 4 2 5 3 6
  const body = Buffer.alloc(48); [1, 4, 2, 5, 3, 6].forEach((x, i) => body.writeDoubleLE(x, i * 8));
  assert.deepEqual(Array.from(parseNpy(Buffer.concat([header("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }"), body])).data), [1, 2, 3, 4, 5, 6]);
  const be = Buffer.alloc(8); be.writeFloatBE(1.5, 0); be.writeFloatBE(-2, 4);
  assert.deepEqual(Array.from(parseNpy(Buffer.concat([header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 2), be])).data), [1.5, -2]);
  const h16 = Buffer.alloc(4); h16.writeUInt16LE(0x3c00, 0); h16.writeUInt16LE(0xc000, 2);
  assert.deepEqual(Array.from(parseNpy(Buffer.concat([header("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }"), h16])).data), [1, -2]);
  const isCode = (e: Error & { code?: string }) => e.code === 'LSSD5421';
  assert.throws(() => parseNpy(Buffer.from('not numpy at all')), isCode);
  assert.throws(() => parseNpy(Buffer.concat([header("{'descr': '<U8', 'fortran_order': False, 'shape': (2,), }"), Buffer.alloc(64)])), isCode);
  assert.throws(() => parseNpy(Buffer.concat([header("{'descr': '<f4', 'fortran_order': False, 'shape': (9,), }"), Buffer.alloc(8)])), isCode);
});

test('pickle of label lists and Python json.dumps formatting, as the kit writes them', () => {
  // pickle.dumps([["a", 7], []], protocol=2) without memo ops: PROTO 2, ], (, ], (, X a, J 7, e, ], e, .
  assert.deepEqual(pickleLabelLists([['a', 7], []]), Buffer.from('8002' + '5d28' + '5d28' + '5801000000' + '61' + '4a07000000' + '65' + '5d' + '65' + '2e', 'hex'));
  assert.equal(pyJson(['dog bark', 3, 'é']), '["dog bark", 3, "\\u00e9"]');
  assert.equal(pyJson([20, 512]), '[20, 512]');
});

test('--export-hear layout round-trips: per-file vectors, the memmaps in the kit\'s order, labels and metadata', () => {
  const task = loadHearTask(FIXTURE);
  const dim = 5; const r = rng(9);
  const x = Float32Array.from({ length: task.clips.length * dim }, () => r() * 2 - 1);
  const out = join(mkdtempSync(join(tmpdir(), 'lssd-export-')), 'spoken_digit');
  exportHearTask(task, { x, dim }, out);
  for (const f of ['task_metadata.json', 'labelvocabulary.csv', 'fold00.json', 'fold04.json']) {
    assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(FIXTURE, f), 'utf8'), f);
  }
  const c = task.clips[3];
  assert.ok(existsSync(join(out, c.split, `${c.file}.embedding.npy`)));
  assert.equal(readFileSync(join(out, c.split, `${c.file}.target-labels.json`), 'utf8'), pyJson(JSON.parse(readFileSync(join(FIXTURE, `${c.split}.json`), 'utf8'))[c.file]));
  assert.equal(readFileSync(join(out, 'fold00.embedding-dimensions.json'), 'utf8'), `[4, ${dim}]`);
  const raw = readFileSync(join(out, 'fold00.embeddings.npy'));
  const mm = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  const first = kitRowOrder(task).fold00[0];
  assert.deepEqual(Array.from(mm.subarray(0, dim)), Array.from(x.subarray(first * dim, (first + 1) * dim)), 'memmap row 0 is the kit\'s first row');
  const back = importHearTask(out);
  assert.equal(back.dim, dim);
  assert.deepEqual(back.task.clips, task.clips);
  assert.deepEqual(back.x, x);
  // Without the per-file vectors, the memmaps are read in the kit's order: the same matrix.
  for (const s of task.splits) for (const f of readdirSync(join(out, s))) if (f.endsWith('.embedding.npy')) rmSync(join(out, s, f));
  assert.deepEqual(importHearTask(out).x, x);
  writeFileSync(join(out, 'fold01.embedding-dimensions.json'), '[3, 5]');
  assert.throws(() => importHearTask(out), (e: Error & { code?: string }) => e.code === 'LSSD5422');
});
