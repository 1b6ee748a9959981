// `lssdc gc`: which directories under `<root>/runs/` are referenced, and removing the others.
//
// An entry is referenced — kept — when any of these holds:
//   reachable  its pretrain hash is one of `reachable` (the experiments, grid cells and `init from`
//              ancestors of the files given to gc);
//   recent     it was used (trained, resumed, probed, or hit in the cache: its refs/ and run.json
//              attempts) within the last `keepDays` days;
//   running    a live process holds its LOCK;
//   ancestor   it is the `init from` parent of a kept entry (a resumed child would not need it, but
//              re-running the child with --force would).
// Everything else is unreferenced: old entries no file reaches, `--force` copies (`*.replaced-*`),
// legacy duplicates, leftovers of an interrupted gc.
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock } from '../orchestrate/lock.ts';
import { runsDir } from '../orchestrate/run-dir.ts';
import { readEntry, type StoreEntry } from './inventory.ts';

export type KeepReason = 'reachable' | 'recent' | 'running' | 'ancestor' | 'unreadable';

export interface GcPlan {
  keep: { entry: StoreEntry; reasons: KeepReason[] }[];
  remove: StoreEntry[];
  /** Bytes the removals free. */
  bytes: number;
}

export interface GcOptions {
  /** Full pretrain hashes reachable from the files given. */
  reachable: Set<string>;
  /** Entries used within this many days are kept. */
  keepDays: number;
  now?: number;
}

export function planGc(entries: StoreEntry[], o: GcOptions): GcPlan {
  const now = o.now ?? Date.now();
  const horizon = now - o.keepDays * 86_400_000;
  const reasons = new Map<StoreEntry, KeepReason[]>();
  const add = (e: StoreEntry, r: KeepReason) => { const l = reasons.get(e) ?? []; if (!l.includes(r)) l.push(r); reasons.set(e, l); };
  const removable = entries.filter((e) => e.kind !== 'other' || /^\.(gc|tmp)-/.test(e.id));
  for (const e of removable) {
    if (e.kind === 'entry' && e.hash && o.reachable.has(e.hash)) add(e, 'reachable');
    if (e.lastUsed && Date.parse(e.lastUsed) >= horizon) add(e, 'recent');
    if (e.lock) add(e, 'running');
    // Its run.json does not parse: what it holds (checkpoints, results) and what references it are unknown.
    if (e.status === 'unreadable') add(e, 'unreadable');
  }
  // Ancestors of kept entries, transitively.
  const byHash = new Map(entries.filter((e) => e.kind === 'entry' && e.hash).map((e) => [e.hash!, e]));
  const queue = [...reasons.keys()];
  while (queue.length) {
    const e = queue.pop()!;
    const p = e.parent ? byHash.get(e.parent) : undefined;
    if (p && !reasons.get(p)?.includes('ancestor') && p !== e) { const had = reasons.has(p); add(p, 'ancestor'); if (!had) queue.push(p); }
  }
  // Directories lssd did not make (no run.json, an unknown name) are neither kept nor removed: not ours.
  const keep = removable.filter((e) => reasons.has(e)).map((entry) => ({ entry, reasons: reasons.get(entry)! }));
  const remove = removable.filter((e) => !reasons.has(e));
  return { keep, remove, bytes: remove.reduce((s, e) => s + e.bytes, 0) };
}

/**
 * Removes the plan's unreferenced directories. Each is locked first (a run that started on it since the
 * plan was made keeps it), re-checked, renamed to `runs/.gc-<id>-<pid>` (so a half-deleted entry is never
 * mistaken for a store entry), then deleted.
 */
export function applyGc(root: string, plan: GcPlan, o: GcOptions): { removed: StoreEntry[]; skipped: { entry: StoreEntry; reason: string }[] } {
  const removed: StoreEntry[] = []; const skipped: { entry: StoreEntry; reason: string }[] = [];
  for (const e of plan.remove) {
    const lock = acquireLock(e.dir, { experiment: 'lssdc gc' });
    if (!lock.ok) { skipped.push({ entry: e, reason: `in use by pid ${lock.holder.pid} on ${lock.holder.host}` }); continue; }
    const fresh = readEntry(e.dir, e.id);
    if (fresh.lock?.pid === process.pid) fresh.lock = null; // that is our own lock
    const again = planGc([fresh], o);
    if (again.keep.length) { lock.release(); skipped.push({ entry: e, reason: 'used since the plan was made' }); continue; }
    const aside = join(runsDir(root), `.gc-${e.id}-${process.pid}`);
    try { renameSync(e.dir, aside); } catch (err) { lock.release(); skipped.push({ entry: e, reason: (err as Error).message }); continue; }
    rmSync(aside, { recursive: true, force: true });
    removed.push(e);
  }
  return { removed, skipped };
}
