// What the run store holds, for `lssdc runs` and `lssdc gc`: every directory under `<root>/runs/`, with
// the experiments that map to it, its size on disk, status and last step.
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readJson } from '../orchestrate/atomic.ts';
import { liveHolder, type LockInfo } from '../orchestrate/lock.ts';
import { finalCheckpoint, isEntryName, readRunJson, runsDir, type RunJson } from '../orchestrate/run-dir.ts';
import { legacyName } from './legacy.ts';
import { readRefs, type StoreRef } from './refs.ts';

export type EntryKind =
  /** `runs/<hash12>/`: a store entry. */
  | 'entry'
  /** `runs/<name>-<hash12>/` left by the old layout (its hash already has an entry, or it is locked). */
  | 'legacy'
  /** `runs/<…>.replaced-<time>/`: what `lssdc run --force` moved aside. */
  | 'replaced'
  /** Temporary directories of an interrupted gc or migration, and anything else lssd did not make. */
  | 'other';

/** `unreadable`: run.json exists but does not parse (a damaged file): never `empty`, so `gc` keeps it. */
export type EntryStatus = 'running' | 'stale' | 'trained' | 'done' | 'interrupted' | 'failed' | 'empty' | 'unreadable';

export interface StoreEntry {
  dir: string;
  /** Directory name under runs/. */
  id: string;
  kind: EntryKind;
  /** Full pretrain hash from run.json (null when it has none). */
  hash: string | null;
  refs: StoreRef[];
  bytes: number;
  /** `running` = locked by a live process; `stale` = run.json says running but nobody holds the lock. */
  status: EntryStatus;
  /** Newest optimizer step logged in metrics.jsonl (null before the first). */
  lastStep: number | null;
  totalSteps: number | null;
  /** Newest of: a reference's `used`, an attempt's start or end (ISO 8601). */
  lastUsed: string | null;
  lock: LockInfo | null;
  /** Pretrain hash of the `init from` parent's entry. */
  parent: string | null;
  run: RunJson | null;
}

export function dirBytes(path: string): number {
  let st;
  try { st = lstatSync(path); } catch { return 0; }
  if (!st.isDirectory()) return st.size;
  let sum = 0;
  for (const n of readdirSync(path)) sum += dirBytes(join(path, n));
  return sum;
}

/** Last `step` in metrics.jsonl, reading only its tail. */
function lastLoggedStep(dir: string): number | null {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return null;
  const size = statSync(path).size;
  const n = Math.min(size, 8192);
  const buf = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try { readSync(fd, buf, 0, n, size - n); } finally { closeSync(fd); }
  const lines = buf.toString('utf8').split('\n').filter((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    try { const s = (JSON.parse(lines[i]) as { step?: unknown }).step; if (typeof s === 'number') return s; } catch { /* a torn or partial line */ }
  }
  return null;
}

function kindOf(id: string): EntryKind {
  if (isEntryName(id)) return 'entry';
  if (id.includes('.replaced-')) return 'replaced';
  if (legacyName(id)) return 'legacy';
  return 'other';
}

export function readEntry(dir: string, id: string): StoreEntry {
  const run = readRunJson(dir) ?? null;
  const refs = readRefs(dir);
  const lock = liveHolder(dir) ?? null;
  const trained = existsSync(finalCheckpoint(dir));
  let status: EntryStatus;
  if (lock) status = 'running';
  else if (!run && existsSync(join(dir, 'run.json'))) status = 'unreadable';
  else if (run?.status === 'running') status = trained ? 'trained' : 'stale';
  else if (run?.status === 'done') status = 'done';
  else if (trained) status = 'trained';
  else status = run?.status === 'interrupted' || run?.status === 'failed' ? run.status : 'empty';
  const times = [...refs.map((r) => r.used), ...(run?.attempts ?? []).flatMap((a) => [a.started, a.ended]), run?.started, run?.ended]
    .filter((t): t is string => typeof t === 'string' && !Number.isNaN(Date.parse(t)));
  const lastUsed = times.length ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : null;
  const plan = readJson<{ optim?: { schedule?: { totalSteps?: number } | null } }>(join(dir, 'plan.json'));
  const final = trained ? readJson<{ step?: number }>(join(finalCheckpoint(dir), 'manifest.json')) : undefined;
  return {
    // A `<name>-<hash>` directory without run.json is not one lssd made.
    dir, id, kind: kindOf(id) === 'legacy' && !run ? 'other' : kindOf(id), hash: run?.hashes?.pretrain ?? null, refs, bytes: dirBytes(dir), status,
    lastStep: lastLoggedStep(dir) ?? final?.step ?? null,
    totalSteps: final?.step ?? plan?.optim?.schedule?.totalSteps ?? null,
    lastUsed, lock, parent: run?.init?.pretrain ?? null, run,
  };
}

/** Every directory under `<root>/runs/`, store entries first, then by name. */
export function listStore(root: string): StoreEntry[] {
  const runs = runsDir(root);
  if (!existsSync(runs)) return [];
  const out: StoreEntry[] = [];
  for (const id of readdirSync(runs)) {
    const dir = join(runs, id);
    try { if (!statSync(dir).isDirectory()) continue; } catch { continue; }
    out.push(readEntry(dir, id));
  }
  const rank = (k: EntryKind) => ['entry', 'legacy', 'replaced', 'other'].indexOf(k);
  return out.sort((a, b) => rank(a.kind) - rank(b.kind) || a.id.localeCompare(b.id));
}
