// A real `lssdc run` child for the signal tests: JSON events parsed as they arrive, so a test can send
// a signal after seeing N steps.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaggedRunEvent } from '../../runtime/contracts.ts';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(repo, 'bin', 'lssdc.js');
export const SIG_SPEC = fileURLToPath(new URL('./fixtures/sig.lssd', import.meta.url));

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
