// The SLURM client commands lssd calls: sbatch, squeue, sacct, scancel. Each returns its output or a
// diagnostic naming the command and what it said; nothing here throws for a cluster's answer.
import { spawnSync } from 'node:child_process';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { ExecMessages } from './messages.ts';

export interface SlurmClient {
  /** Submits a batch script (text on stdin); returns the job id. */
  sbatch(script: string): { jobId?: string; diagnostic?: Diagnostic };
  /** Queued and running tasks (`123_4`) of these jobs; missing ids have left the queue. */
  squeue(jobIds: readonly string[]): { tasks?: QueueRow[]; diagnostic?: Diagnostic };
  /** Final states from accounting, or undefined where accounting is off. */
  sacct(jobIds: readonly string[]): QueueRow[] | undefined;
  scancel(jobIds: readonly string[]): { diagnostic?: Diagnostic };
}

export interface QueueRow { id: string; state: string; node: string; reason: string; restarts: number }

const TIMEOUT_MS = 60_000;

function call(cmd: string, args: string[], input?: string): { out?: string; diagnostic?: Diagnostic } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: TIMEOUT_MS, env: process.env });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { diagnostic: ExecMessages.noSlurm(cmd, code === 'ENOENT' ? 'not found on PATH' : code === 'ETIMEDOUT' ? `no answer within ${TIMEOUT_MS / 1000} s` : r.error.message) };
  }
  if (r.status !== 0) return { diagnostic: ExecMessages.noSlurm(cmd, (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').slice(-3).join(' / ')) };
  return { out: r.stdout };
}

/** `123_4`-style rows of `squeue -r -O …` / `sacct -P`. */
function parseRows(text: string, sep: string): QueueRow[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [id, state, node, reason, restarts] = l.split(sep).map((x) => x.trim());
    return { id, state: (state ?? '').split(' ')[0], node: node ?? '', reason: reason ?? '', restarts: Number(restarts) || 0 };
  });
}

export const slurmCli: SlurmClient = {
  sbatch(script) {
    const r = call('sbatch', ['--parsable'], script);
    if (r.diagnostic) return { diagnostic: ExecMessages.submitFailed(r.diagnostic.message) };
    // `--parsable` prints `jobid` or `jobid;cluster`.
    const jobId = r.out!.trim().split(';')[0];
    if (!/^\d+$/.test(jobId)) return { diagnostic: ExecMessages.submitFailed(`unexpected sbatch output '${r.out!.trim()}'`) };
    return { jobId };
  },
  squeue(jobIds) {
    if (jobIds.length === 0) return { tasks: [] };
    const r = call('squeue', ['-h', '-r', '-j', jobIds.join(','), '-O', 'JobArrayID:40|,State:20|,NodeList:40|,Reason:60|,RestartCnt:8']);
    // A job id that has left the queue entirely makes squeue fail with "Invalid job id": nothing queued.
    if (r.diagnostic) return /Invalid job id/i.test(r.diagnostic.message) ? { tasks: [] } : { diagnostic: r.diagnostic };
    return { tasks: parseRows(r.out!, '|') };
  },
  sacct(jobIds) {
    if (jobIds.length === 0) return [];
    const r = call('sacct', ['-n', '-P', '-X', '-j', jobIds.join(','), '-o', 'JobID,State,NodeList,Reason,Restarts']);
    if (r.diagnostic || /accounting storage is disabled/i.test(r.out ?? '')) return undefined;
    return parseRows(r.out!, '|');
  },
  scancel(jobIds) {
    if (jobIds.length === 0) return {};
    const r = call('scancel', [...jobIds]);
    return r.diagnostic ? { diagnostic: r.diagnostic } : {};
  },
};
