// A cell in its own process: `lssdc run FILE --cell NAME --json …`. One tfjs per process, so independent
// cells use both cores; its JSON event stream is merged into the parent's UI, tagged with the cell name.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunEvent, TaggedRunEvent } from '../contracts.ts';
import type { PreparedCell, RunOptions, CellOutcome } from './index.ts';
import { RUN } from '../../compiler/messages-runtime.ts';

/** argv[0] and leading args of the child command; the run arguments are appended. */
export interface ChildCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export const defaultChild = (): ChildCommand => ({
  command: process.execPath,
  args: [fileURLToPath(new URL('../../bin/lssdc.js', import.meta.url))],
});

/** Exit codes a child uses for "interrupted, checkpointed" (128 + SIGINT / SIGTERM, as shells report them). */
export const EXIT_INTERRUPTED = 130;
export const EXIT_TERMINATED = 143;

export function childArgs(c: PreparedCell, opts: RunOptions & { probe: boolean }): string[] {
  return [
    'run', opts.file, '--cell', c.name, '--json', '--jobs', '1', '--root', opts.root,
    ...(opts.backend ? ['--backend', opts.backend] : []),
    ...(opts.steps !== undefined ? ['--steps', String(opts.steps)] : []),
    ...(opts.probe && c.probed ? [] : ['--no-probe']),
    ...(opts.force && c.selected ? ['--force'] : []),
    ...(opts.wait ? ['--wait'] : []),
    ...(opts.profile ? ['--profile', opts.profile] : []),
    ...(opts.catalogs ?? []).flatMap((c) => ['--catalog', c]),
  ];
}

/**
 * Runs one cell as `lssdc run FILE --cell NAME --json`. `threads`: TF_NUM_INTRAOP_THREADS for the child
 * (its share of the cores when it starts beside other cells; undefined = TensorFlow's default). `jobs`:
 * LSSD_JOBS for the child, the processes sharing the cores (the wasm backend takes cores / jobs threads,
 * runtime/train/wasm-threads.ts).
 */
export function runCellInChild(c: PreparedCell, opts: RunOptions & { probe: boolean }, threads?: number, jobs = 1): Promise<CellOutcome> {
  const cmd = opts.child ?? defaultChild();
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a terminal Ctrl-C reaches only us and we forward exactly one
    // SIGINT (a second one would make the child skip its checkpoint).
    const child = spawn(cmd.command, [...cmd.args, ...childArgs(c, opts)], {
      stdio: ['ignore', 'pipe', 'pipe'], detached: true,
      env: { ...process.env, ...(threads !== undefined ? { TF_NUM_INTRAOP_THREADS: String(threads) } : {}), ...(jobs > 1 ? { LSSD_JOBS: String(jobs) } : {}), ...cmd.env, LSSD_PARENT_PID: String(process.pid), FORCE_COLOR: '0' },
    });
    // The child gets the signal we got (SIGTERM from a scheduler stays SIGTERM); an abort without one is SIGINT.
    const onAbort = () => { try { child.kill(opts.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'); } catch { /* already gone */ } };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    // If we die without forwarding (kill -9), the child notices LSSD_PARENT_PID is gone and checkpoints.
    let buf = '';
    let stderr = '';
    let sawDiagnostic = false;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        forward(line);
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-8000); });
    const forward = (line: string) => {
      if (!line.trim()) return;
      let e: TaggedRunEvent;
      try { e = JSON.parse(line) as TaggedRunEvent; } catch { stderr = (stderr + line + '\n').slice(-8000); return; }
      // The child's own program frame (its one-cell plan, its one-row table) is ours to show, not its.
      if (e.type === 'program-start' || e.type === 'results') return;
      if (e.type === 'cell-state' && (e.name !== c.name || e.state === 'done' || e.state === 'failed' || e.state === 'interrupted')) return;
      if (e.type === 'diagnostic') sawDiagnostic = true;
      opts.emit({ ...(e as RunEvent), run: e.run ?? c.name });
    };
    child.on('error', (err) => { opts.signal.removeEventListener('abort', onAbort); reject(err); });
    child.on('close', (code, sig) => {
      opts.signal.removeEventListener('abort', onAbort);
      if (buf) forward(buf);
      if (code === 0) return resolve('done');
      if (code === EXIT_INTERRUPTED || code === EXIT_TERMINATED || sig === 'SIGINT' || sig === 'SIGTERM' || opts.signal.aborted) return resolve('interrupted');
      const tail = stderr.trim().split('\n').slice(-12).join('\n');
      // Exit 1: the child reported its diagnostics as events already; anything else is unexpected.
      if (code !== 1 && tail) opts.emit({ type: 'diagnostic', severity: 'error', code: RUN.cellFailed.code, message: `experiment '${c.name}' exited with ${sig ?? code}:\n${tail}`, run: c.name });
      else if (code === 1 && tail && !sawDiagnostic) opts.emit({ type: 'diagnostic', severity: 'error', code: RUN.cellFailed.code, message: tail, run: c.name });
      resolve('failed');
    });
  });
}
