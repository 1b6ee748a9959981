// Attempts that ended without saying so. A process killed with -9 (or a lost machine) leaves run.json at
// `"status":"running","ended":null`; whoever next holds the run's LOCK knows that attempt is dead and
// marks it `stale`. Readers that do not take the LOCK (`lssdc runs`) use `runStatus`, which calls a run
// stale when its LOCK is gone or belongs to a dead process on this host.
import { hostname } from 'node:os';
import { pidAlive, readLock } from './lock.ts';
import { readRunJson, updateRunJson, type RunJson } from './run-dir.ts';

type Attempt = RunJson['attempts'][number];

/** Earlier attempts still marked running are stale (call only while holding the run's LOCK). */
export function markStaleAttempts(attempts: readonly Attempt[]): Attempt[] {
  return attempts.map((a) => (a.status === 'running' && a.ended === null ? { ...a, status: 'stale' } : a));
}

/** On a fast exit (second Ctrl-C): the attempt of `pid` and the run are interrupted, not running. Sync. */
export function markAttemptInterrupted(runDir: string, pid: number): void {
  const r = readRunJson(runDir);
  const last = r?.attempts.at(-1);
  if (!r || !last || last.pid !== pid || last.host !== hostname() || last.ended !== null) return;
  const now = new Date().toISOString();
  updateRunJson(runDir, (x) => ({
    ...x, status: x.status === 'running' ? 'interrupted' : x.status, ended: x.status === 'running' ? now : x.ended,
    attempts: x.attempts.map((a, i) => (i === x.attempts.length - 1 ? { ...a, status: 'interrupted', ended: now } : a)),
  }));
}

/**
 * The status to show for a run directory without touching it: run.json's, except that a `running` run
 * whose last attempt no longer holds the LOCK (removed, taken by another process, or held by a dead pid
 * on this host) is `stale`. Another host's live lock cannot be checked from here and stays `running`.
 */
export function runStatus(runDir: string): RunJson['status'] | 'stale' | undefined {
  const r = readRunJson(runDir);
  if (!r) return undefined;
  if (r.status !== 'running') return r.status;
  const last = r.attempts.at(-1);
  const lock = readLock(runDir);
  if (!last || !lock || lock.pid !== last.pid || lock.host !== last.host) return 'stale';
  if (lock.host === hostname() && !pidAlive(lock.pid)) return 'stale';
  return 'running';
}
