// The run directory's LOCK: one process per run directory. It records pid, host and start time; a lock
// left by a dead process (kill -9, power loss) on this host is taken over with a warning.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, existsSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LockInfo { pid: number; host: string; started: string }

export type LockResult =
  | { ok: true; release(): void; tookOver: LockInfo | null }
  | { ok: false; holder: LockInfo };

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export function readLock(dir: string): LockInfo | undefined {
  try { return JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8')) as LockInfo; } catch { return undefined; }
}

/** A lock whose holder can no longer be running: a dead pid on this host, or an unreadable file. */
function isStale(info: LockInfo | undefined): boolean {
  if (!info) return true;
  return info.host === hostname() && !pidAlive(info.pid);
}

export function acquireLock(dir: string): LockResult {
  const path = join(dir, 'LOCK');
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  let tookOver: LockInfo | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // O_EXCL: of two processes racing for the lock exactly one creates the file.
      const fd = openSync(path, 'wx');
      try { writeSync(fd, JSON.stringify(me) + '\n'); } finally { closeSync(fd); }
      let released = false;
      return {
        ok: true, tookOver,
        release() {
          if (released) return; released = true;
          const cur = readLock(dir);
          if (cur && cur.pid === process.pid && cur.host === me.host) { try { unlinkSync(path); } catch { /* already gone */ } }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readLock(dir);
      // A lock file being written right now reads as empty: give the writer a moment before calling it stale.
      if (!holder && attempt === 0) { sleepMs(50); continue; }
      if (!isStale(holder)) return { ok: false, holder: holder! };
      // Take over by renaming the stale file away first, so two processes taking over race on the rename.
      const aside = `${path}.stale.${process.pid}`;
      try { renameSync(path, aside); unlinkSync(aside); } catch { /* another process took it over first */ }
      tookOver = holder ?? { pid: 0, host: '?', started: '?' };
    }
  }
  const holder = readLock(dir);
  return { ok: false, holder: holder ?? { pid: 0, host: '?', started: '?' } };
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export const lockExists = (dir: string): boolean => existsSync(join(dir, 'LOCK'));
