// Atomic writes: a reader (or a resumed run after `kill -9`) sees either the old file or the new one,
// never half of either. Temp file in the same directory (rename is atomic only within a filesystem).
import { writeFileSync, renameSync, readFileSync, existsSync, openSync, fsyncSync, closeSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, data);
  // fsync costs ~1 ms; without it a power loss could leave an empty file behind the rename.
  const fd = openSync(tmp, 'r'); try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, path);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Parsed JSON, or undefined when the file is missing or unreadable (a torn write from an older tool). */
export function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try { return JSON.parse(readFileSync(path, 'utf8')) as T; } catch { return undefined; }
}
