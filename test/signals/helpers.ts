// A real `lssdc run` child for the signal tests: JSON events parsed as they arrive, so a test can send
// a signal after seeing N steps.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { TaggedRunEvent } from '../../runtime/contracts.ts';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(repo, 'bin', 'lssdc.js');
export const SIG_SPEC = fileURLToPath(new URL('./fixtures/sig.lssd', import.meta.url));
/** sig.lssd on a tower small enough for the pure-JS cpu backend (same corpus and features). */
export const SIG_CPU_SPEC = fileURLToPath(new URL('./fixtures/sig-cpu.lssd', import.meta.url));

export interface Proc {
  child: ChildProcess;
  events: TaggedRunEvent[];
  stderr: () => string;
  done: Promise<{ code: number | null; signal: string | null; ms: number }>;
}

export function lssdc(args: string[], onEvent?: (e: TaggedRunEvent, p: Proc) => void, env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1', FORCE_COLOR: '0', ...env } });
  let buf = ''; let err = '';
  const t0 = Date.now();
  const p: Proc = {
    child, events: [], stderr: () => err,
    done: new Promise((res) => child.on('close', (code, signal) => res({ code, signal, ms: Date.now() - t0 }))),
  };
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i); buf = buf.slice(i + 1);
      if (!args.includes('--json')) continue;
      const e = JSON.parse(line) as TaggedRunEvent;
      p.events.push(e);
      onEvent?.(e, p);
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { err += d; });
  return p;
}

export const steps = (p: Proc) => p.events.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step);
export const checkpoints = (p: Proc) => p.events.filter((e) => e.type === 'checkpoint') as { step: number; path: string }[];

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; } };

/**
 * A fresh root holding the signal fixture's corpus and features (a 1-step `lssdc run` of sig.lssd made
 * them), for a test to run in and delete. Under `npm test` (scripts/run-tests.mjs sets LSSD_TEST_SHARED
 * to a scratch directory it removes afterwards) the corpus is synthesised once per test run and each
 * caller gets a copy; the first caller builds it under a lock directory (its pid inside; a dead holder's
 * lock is taken over), the others wait. Without LSSD_TEST_SHARED the root is prepared in place.
 */
export async function preparedRoot(prefix = 'lssd-sig-'): Promise<string> {
  const shared = process.env.LSSD_TEST_SHARED;
  if (!shared) { const root = mkdtempSync(join(tmpdir(), prefix)); await prepareIn(root); return root; }
  const done = join(shared, 'sig-prepared'), lock = `${done}.lock`;
  while (!existsSync(done)) {
    try { mkdirSync(lock); } catch {
      let holder = NaN;
      try { holder = Number(readFileSync(join(lock, 'pid'), 'utf8')); } catch { /* being written */ }
      if (Number.isInteger(holder) && !alive(holder)) rmSync(lock, { recursive: true, force: true });
      await sleep(250);
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      const tmp = `${done}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true }); mkdirSync(tmp);
      await prepareIn(tmp);
      rmSync(join(tmp, 'runs'), { recursive: true, force: true });
      renameSync(tmp, done);
    } finally { rmSync(lock, { recursive: true, force: true }); }
  }
  return copyRoot(done, prefix);
}

/** A new temporary root (`prefix` + random) holding a copy of `from`'s corpus, features and catalogs: all but its runs. */
export function copyRoot(from: string, prefix: string): string {
  const to = mkdtempSync(join(tmpdir(), prefix));
  for (const f of readdirSync(from)) if (f !== 'runs') cpSync(join(from, f), join(to, f), { recursive: true });
  return to;
}

async function prepareIn(root: string): Promise<void> {
  const p = lssdc(['run', SIG_SPEC, '--root', root, '--json', '--steps', '1', '--no-probe']);
  const r = await p.done;
  if (r.code !== 0) throw new Error(`preparing the signal fixture's corpus failed (exit ${r.code}): ${p.stderr().slice(-2000)}`);
}
