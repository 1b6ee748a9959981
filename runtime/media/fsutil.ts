// Small filesystem helpers: atomic writes (temp file + rename) and content hashing.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, writeFileSync, openSync, readSync, closeSync, statSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

let seq = 0;
export function tmpName(path: string): string {
  return `${path}.tmp-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

/** Files up to this size are hashed whole; larger ones by size and sampled blocks (first/last 8 MiB, 16 × 1 MiB between). */
export const WHOLE_LIMIT = 512 * 1024 * 1024;
const EDGE = 8 * 1024 * 1024;
const BLOCK = 1024 * 1024;
const BLOCKS = 16;

/** sha256 of every byte of the file. */
export async function hashWhole(path: string): Promise<string> {
  const h = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(path, { highWaterMark: 1 << 20 }).on('data', (b) => h.update(b)).on('end', () => resolve()).on('error', reject);
  });
  return h.digest('hex');
}

/**
 * Content hash of a media file (see CatalogTitle.hash): whole up to WHOLE_LIMIT, else sampled. Content
 * only (no mtime), so a copy of a film hashes like the original; `data index` confirms sampled matches
 * byte by byte (hashWhole) before calling two files duplicates.
 */
export async function hashFile(path: string): Promise<string> {
  const st = statSync(path);
  if (st.size <= WHOLE_LIMIT) return hashWhole(path);
  const h = createHash('sha256');
  h.update(`sampled:size:${st.size};`);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(EDGE);
    h.update(buf.subarray(0, readSync(fd, buf, 0, EDGE, 0)));
    for (let i = 1; i <= BLOCKS; i++) {
      const at = Math.floor((st.size - BLOCK) * (i / (BLOCKS + 1)));
      h.update(buf.subarray(0, readSync(fd, buf, 0, BLOCK, at)));
    }
    h.update(buf.subarray(0, readSync(fd, buf, 0, EDGE, st.size - EDGE)));
  } finally { closeSync(fd); }
  return h.digest('hex');
}

/** Runs `fn` over `items` with at most `limit` in flight, preserving result order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
