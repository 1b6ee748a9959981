// The store entry's LOCK: one trainer per checkpoint. It records pid, host, start time and what the holder
// runs; a lock left by a dead process (kill -9, power loss) on this host is taken over with a warning.
//
// Taking over is the racy part: two processes may find the same dead lock at once, and a naive
// "remove it, create mine" lets the slower one remove the faster one's fresh lock. Here the right to
// remove one particular stale lock is itself claimed with link(2), which fails when the name exists:
// both link LOCK to `LOCK.takeover-<digest of its content>`; only one succeeds, checks that the file it
// linked is still the dead holder's, and only then renames its own record over LOCK. rename(2) replaces
// LOCK in one step, so there is no moment without a LOCK in which a third racer could create one: the
// process that takes the dead lock over is the one that holds the entry, and it says so (tookOver).
//
// A LOCK is never seen half-written: the holder writes its record to a private file and links it to LOCK
// (link(2) fails when LOCK exists, like O_EXCL), so a reader finds either no LOCK or a whole one. With
// O_EXCL + write, a writer descheduled between the two left an empty LOCK that a racer took for debris.
import { writeFileSync, readFileSync, unlinkSync, existsSync, linkSync, renameSync, statSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LockInfo {
  pid: number;
  host: string;
  started: string;
  /** What the holder is doing (experiment name, file), for the refusal message. Absent in older locks. */
  experiment?: string;
  file?: string;
}

export type LockResult =
  | { ok: true; release(): void; tookOver: LockInfo | null }
  | { ok: false; holder: LockInfo };

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

const parse = (text: string): LockInfo | undefined => { try { return JSON.parse(text) as LockInfo; } catch { return undefined; } };
const readText = (path: string): string | undefined => { try { return readFileSync(path, 'utf8'); } catch { return undefined; } };

export function readLock(dir: string): LockInfo | undefined {
  const t = readText(join(dir, 'LOCK'));
  return t === undefined ? undefined : parse(t);
}

/** A lock whose holder can no longer be running: a dead pid on this host, or an unreadable file. */
export function isStale(info: LockInfo | undefined): boolean {
  if (!info) return true;
  return info.host === hostname() && !pidAlive(info.pid);
}

/** The live holder of `dir`'s lock, or undefined when there is none (or it is stale). */
export function liveHolder(dir: string): LockInfo | undefined {
  if (!existsSync(join(dir, 'LOCK'))) return undefined;
  const h = readLock(dir);
  return h && !isStale(h) ? h : undefined;
}

/** A claim on removing one stale LOCK older than this is debris of a process that died mid-takeover. */
const TAKEOVER_DEBRIS_MS = 30_000;

/**
 * Replaces `path` (a stale LOCK whose text is `text`) with `mine` if this process wins the right to;
 * true when LOCK is now `mine`.
 */
function replaceStale(dir: string, path: string, text: string, mine: string): boolean {
  const claim = join(dir, `LOCK.takeover-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  try {
    linkSync(path, claim);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false; // LOCK already gone: just try to create ours
    if (code !== 'EEXIST') throw e;
    // Another process is taking this lock over right now, or died doing so long ago.
    try { if (Date.now() - statSync(claim).ctimeMs > TAKEOVER_DEBRIS_MS) unlinkSync(claim); } catch { /* gone */ }
    return false;
  }
  try {
    // The claim names whatever LOCK was when we linked it; only if that is still the dead holder's text is
    // LOCK ours to replace (nobody else can replace or remove it while our claim exists).
    if (readText(claim) !== text) return false;
    const tmp = privateName(path);
    writeFileSync(tmp, mine, { flag: 'wx' });
    try { renameSync(tmp, path); } catch (e) { try { unlinkSync(tmp); } catch { /* gone */ } throw e; }
    return true;
  } finally {
    try { unlinkSync(claim); } catch { /* gone */ }
  }
}

export function acquireLock(dir: string, what: { experiment?: string; file?: string } = {}): LockResult {
  const path = join(dir, 'LOCK');
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), ...what };
  const record = JSON.stringify(me) + '\n';
  const held = (tookOver: LockInfo | null): LockResult => {
    let released = false;
    return {
      ok: true, tookOver,
      release() {
        if (released) return; released = true;
        const cur = readLock(dir);
        if (cur && cur.pid === process.pid && cur.host === me.host && cur.started === me.started) { try { unlinkSync(path); } catch { /* already gone */ } }
      },
    };
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // link(2): of two processes racing for the lock exactly one creates LOCK, already whole.
      createWhole(path, record);
      return held(null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const text = readText(path);
      if (text === undefined) continue; // released between our create and our read
      const holder = parse(text);
      // Locks are created whole (createWhole), but one written by an older lssd with O_EXCL + write may
      // read as empty for a moment: give such a writer a moment before calling it stale.
      if (!holder && attempt === 0) { sleepMs(50); continue; }
      if (!isStale(holder)) return { ok: false, holder: holder! };
      if (replaceStale(dir, path, text, record)) return held(holder ?? { pid: 0, host: '?', started: '?' });
      sleepMs(10 + Math.floor(Math.random() * 20));
    }
  }
  const holder = readLock(dir);
  return { ok: false, holder: holder ?? { pid: 0, host: '?', started: '?' } };
}

/**
 * acquireLock, waiting while another live process holds it: `onWait(holder)` is called once when the
 * wait starts (and again if the holder changes); polls every `pollMs`. Returns `undefined` when `signal`
 * aborts first.
 */
export async function waitForLock(dir: string, what: { experiment?: string; file?: string }, o: { signal: AbortSignal; onWait(holder: LockInfo): void; pollMs?: number }):
  Promise<Extract<LockResult, { ok: true }> | undefined> {
  let shown: string | undefined;
  for (;;) {
    if (o.signal.aborted) return undefined;
    const r = acquireLock(dir, what);
    if (r.ok) return r;
    const key = `${r.holder.pid}@${r.holder.host}@${r.holder.started}`;
    if (key !== shown) { shown = key; o.onWait(r.holder); }
    await new Promise<void>((res) => {
      const t = setTimeout(() => { o.signal.removeEventListener('abort', done); res(); }, o.pollMs ?? 1000);
      const done = () => { clearTimeout(t); res(); };
      o.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Creates `path` holding `text`, failing with EEXIST when it exists; never visible empty or partial. */
function createWhole(path: string, text: string): void {
  const tmp = privateName(path);
  writeFileSync(tmp, text, { flag: 'wx' });
  try { linkSync(tmp, path); } finally { try { unlinkSync(tmp); } catch { /* gone */ } }
}

/** A name beside `path` no other process uses, for a record written before it is linked or renamed into place. */
const privateName = (path: string): string => `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export const lockExists = (dir: string): boolean => existsSync(join(dir, 'LOCK'));
