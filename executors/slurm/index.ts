// `lssdc run --executor slurm`, `lssdc status`, `lssdc cancel`: a prepared run (runtime/orchestrate's
// prepareRun: selection, lineage, cached cells, preflight) becomes one sbatch job array per lineage
// level (plan.ts); each array task runs `lssdc run FILE --cell NAME` on its node against the same run
// directories (shared storage), so resume, locks and skip-by-hash work exactly as locally. What was
// submitted is recorded under <root>/slurm/<file-tag>/ (scripts, logs, submission.json).
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import type { SlurmSpec } from '../../compiler/spec.ts';
import type { PreparedRun } from '../../runtime/orchestrate/index.ts';
import { readJson, writeJsonAtomic } from '../../runtime/orchestrate/atomic.ts';
import { readRunJson, safeName } from '../../runtime/orchestrate/run-dir.ts';
import { slurmCli, type QueueRow, type SlurmClient } from './cluster.ts';
import { ExecMessages } from './messages.ts';
import { planArrays, renderScript, type SlurmArray } from './plan.ts';

export { planArrays, renderScript } from './plan.ts';
export { slurmCli, type SlurmClient } from './cluster.ts';

export interface SubmissionRecord {
  file: string;
  submissions: {
    at: string;
    arrays: { id: string; jobId: string; level: number; after: string | null; script: string; tasks: { index: number; cell: string; runDir?: string }[] }[];
    cancelled?: string;
  }[];
}

/** `<root>/slurm/<name>-<hash of the absolute path>`: one folder per entry file. */
export function submissionDir(root: string, file: string): string {
  const tag = createHash('sha256').update(file).digest('hex').slice(0, 8);
  return join(root, 'slurm', `${safeName(basename(file).replace(/\.lssd$/, ''))}-${tag}`);
}

const recordPath = (root: string, file: string) => join(submissionDir(root, file), 'submission.json');
export const readSubmission = (root: string, file: string) => readJson<SubmissionRecord>(recordPath(root, file));

/** The newest task that ran (or runs) each cell, as `jobId_index`. */
export function latestTasks(rec: SubmissionRecord | undefined): Map<string, { task: string; jobId: string; cancelled: boolean; runDir?: string }> {
  const out = new Map<string, { task: string; jobId: string; cancelled: boolean; runDir?: string }>();
  for (const s of rec?.submissions ?? []) {
    for (const a of s.arrays) for (const t of a.tasks) out.set(t.cell, { task: `${a.jobId}_${t.index}`, jobId: a.jobId, cancelled: !!s.cancelled, runDir: t.runDir });
  }
  return out;
}

// ---- settings ------------------------------------------------------------------------------------

const STRING_KEYS = ['partition', 'account', 'qos', 'mem'] as const;
const INT_KEYS = ['cpus_per_task', 'gpus_per_task', 'array_limit', 'max_requeues'] as const;
const TIME_KEYS = ['time', 'signal_before'] as const;
export const SLURM_KEYS = [...STRING_KEYS, ...INT_KEYS, ...TIME_KEYS, 'extra'] as const;

/** `90s`, `30min`, `4h`, `2-00:00:00`, `01:30:00`, `45` (minutes, as sbatch reads a bare number) → seconds. */
export function parseDuration(v: string): number | undefined {
  const unit = /^(\d+(?:\.\d+)?)\s*(s|min|h)$/.exec(v);
  if (unit) return Number(unit[1]) * (unit[2] === 's' ? 1 : unit[2] === 'min' ? 60 : 3600);
  const clock = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(v);
  if (clock) return (Number(clock[1] ?? 0) * 86400) + Number(clock[2] ?? 0) * 3600 + Number(clock[3]) * 60 + Number(clock[4]);
  if (/^\d+$/.test(v)) return Number(v) * 60;
  return undefined;
}

/** `--slurm KEY=VALUE` flags → settings that override the spec's `runtime.slurm`. */
export function parseSlurmFlags(values: readonly string[]): { value?: SlurmSpec; diagnostics: Diagnostic[] } {
  const out: SlurmSpec & Record<string, unknown> = {};
  const diagnostics: Diagnostic[] = [];
  const keys = SLURM_KEYS as readonly string[];
  for (const kv of values) {
    const eq = kv.indexOf('=');
    const key = eq > 0 ? kv.slice(0, eq) : kv;
    const v = eq > 0 ? kv.slice(eq + 1) : '';
    if (eq <= 0 || !keys.includes(key)) {
      diagnostics.push(ExecMessages.badSetting(`--slurm expects KEY=VALUE with KEY one of ${keys.join(', ')}; got '${kv}'`,
        eq > 0 ? `runtime.slurm.${key} is not a setting` : 'e.g. --slurm partition=gpu --slurm time=4h'));
      continue;
    }
    if ((INT_KEYS as readonly string[]).includes(key)) {
      if (!/^\d+$/.test(v)) { diagnostics.push(ExecMessages.badSetting(`--slurm ${key} expects a whole number, got '${v}'`)); continue; }
      out[key] = Number(v);
    } else if ((TIME_KEYS as readonly string[]).includes(key)) {
      const s = parseDuration(v);
      if (s === undefined || !(s > 0)) { diagnostics.push(ExecMessages.badSetting(`--slurm ${key} expects a duration (4h, 30min, 90s or D-HH:MM:SS), got '${v}'`)); continue; }
      out[key] = s;
    } else if (key === 'extra') out.extra = [...(out.extra ?? []), v];
    else out[key] = v;
  }
  return diagnostics.length ? { diagnostics } : { value: out, diagnostics };
}

// ---- submit --------------------------------------------------------------------------------------

export interface SubmitOptions {
  /** Absolute entry file. */
  file: string;
  root: string;
  /** Flags every task's `lssdc run` gets (backend, steps, profile…), without --cell/--root/--executor. */
  passthrough: string[];
  /** `--slurm KEY=VALUE` overrides. */
  overrides: SlurmSpec;
  dryRun: boolean;
  client?: SlurmClient;
  /** The lssdc launcher the nodes run (default: this process's). */
  command?: string[];
  cwd?: string;
  out: (line: string) => void;
}

export interface SubmitResult { arrays: (SlurmArray & { jobId: string; script: string })[]; skipped: string[] }

function launcher(): string[] {
  const argv1 = process.argv[1];
  const bin = argv1 && /lssdc(\.js)?$/.test(argv1) && existsSync(argv1) ? realpathSync(argv1) : fileURLToPath(new URL('../../bin/lssdc.js', import.meta.url));
  return [process.execPath, bin];
}

export function submitRun(prepared: PreparedRun, o: SubmitOptions): { value?: SubmitResult; diagnostics: Diagnostic[] } {
  const client = o.client ?? slurmCli;
  const diagnostics: Diagnostic[] = [];
  const rec = readSubmission(o.root, o.file) ?? { file: o.file, submissions: [] };

  // Cells of an earlier submission still queued or running are not submitted twice.
  const previous = latestTasks(rec);
  const live = new Map<string, QueueRow>();
  if (!o.dryRun && previous.size) {
    const q = client.squeue([...new Set([...previous.values()].filter((t) => !t.cancelled).map((t) => t.jobId))]);
    if (q.diagnostic) return { diagnostics: [q.diagnostic] };
    for (const row of q.tasks!) live.set(row.id, row);
  }
  const skipped: string[] = [];
  const todo = prepared.cells.filter((c) => {
    if (c.cached) return false;
    const t = previous.get(c.name);
    const row = t && live.get(t.task);
    if (row) { diagnostics.push(ExecMessages.alreadyQueued(c.name, t!.task, row.state)); skipped.push(c.name); return false; }
    return true;
  });
  const names = new Set(todo.map((c) => c.name));
  const cells = todo.map((c) => ({
    name: c.name, label: c.label, parent: c.parentName && names.has(c.parentName) ? c.parentName : null,
    slurm: { ...(c.spec.runtime.slurm ?? {}), ...o.overrides },
  }));
  // A cell whose parent is queued from an earlier submission would start before that parent is done.
  for (const c of todo) {
    const p = c.parentName && skipped.includes(c.parentName) ? previous.get(c.parentName) : undefined;
    if (p) diagnostics.push(ExecMessages.parentQueued(c.name, c.parentName!, p.task));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  const arrays = planArrays(cells);
  const dir = submissionDir(o.root, o.file);
  const logDir = join(dir, 'logs');
  const jobName = `lssd-${safeName(basename(o.file).replace(/\.lssd$/, ''))}`;
  const command = [...(o.command ?? launcher()), 'run', o.file, ...o.passthrough, '--root', o.root];
  const submitted: SubmitResult['arrays'] = [];
  if (!o.dryRun) mkdirSync(logDir, { recursive: true });
  for (const a of arrays) {
    const parent = a.after ? submitted.find((s) => s.id === a.after) : undefined;
    const afterJob = parent ? parent.jobId : undefined;
    const script = renderScript(a, { jobName, cwd: o.cwd ?? process.cwd(), logDir, command, afterJob: o.dryRun && a.after ? `<job ${a.after}>` : afterJob });
    if (o.dryRun) {
      o.out(`# ---- job array ${a.id}: ${a.tasks.map((t) => `${t.index}=${t.cell}`).join(', ')}${a.after ? ` (after ${a.after})` : ''}`);
      o.out(script);
      submitted.push({ ...a, jobId: `<job ${a.id}>`, script });
      continue;
    }
    const r = client.sbatch(script);
    if (r.diagnostic) {
      diagnostics.push(r.diagnostic);
      if (submitted.length) client.scancel(submitted.map((s) => s.jobId)); // all or nothing: no orphan children
      return { diagnostics };
    }
    const scriptPath = join(dir, `${a.id}-${r.jobId}.sbatch`);
    writeFileSync(scriptPath, script);
    submitted.push({ ...a, jobId: r.jobId!, script: scriptPath });
    o.out(`submitted job array ${r.jobId} (${a.id}, ${a.tasks.length} cell${a.tasks.length === 1 ? '' : 's'}${afterJob ? `, aftercorr:${afterJob}` : ''}): ${a.tasks.map((t) => `${r.jobId}_${t.index} ${t.cell}`).join(', ')}`);
  }
  if (!o.dryRun && submitted.length) {
    rec.submissions.push({
      at: new Date().toISOString(),
      // Run directories as this submission computed them (its flags, e.g. --steps or --profile, set the hashes).
      arrays: submitted.map((a) => ({ id: a.id, jobId: a.jobId, level: a.level, after: a.after, script: a.script,
        tasks: a.tasks.map((t) => ({ ...t, runDir: todo.find((c) => c.name === t.cell)!.runDir })) })),
    });
    writeJsonAtomic(recordPath(o.root, o.file), rec);
  }
  return { value: { arrays: submitted, skipped }, diagnostics };
}

// ---- status and cancel ---------------------------------------------------------------------------

export interface CellStatus {
  name: string;
  label: string;
  runDir: string;
  task: string | null;
  state: 'pending' | 'running' | 'requeued' | 'done' | 'failed' | 'interrupted' | 'cancelled' | 'not submitted';
  reason: string;
  node: string;
  step: number | null;
  loss: number | null;
  attempts: number;
}

/** The last `{ step, loss }` line of metrics.jsonl (read from the end: the file grows with the run). */
function lastMetrics(runDir: string): { step: number; loss: number | null } | null {
  const p = join(runDir, 'metrics.jsonl');
  if (!existsSync(p)) return null;
  const lines = readFileSync(p, 'utf8').trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const m = JSON.parse(lines[i]) as { step?: number; loss?: { L?: number; total?: number } };
      if (typeof m.step === 'number') return { step: m.step, loss: m.loss?.total ?? m.loss?.L ?? null };
    } catch { /* a line being written */ }
  }
  return null;
}

const QUEUE_STATE: Record<string, CellStatus['state']> = {
  PENDING: 'pending', CONFIGURING: 'running', RUNNING: 'running', COMPLETING: 'running', SUSPENDED: 'running',
  REQUEUED: 'requeued', REQUEUE_FED: 'requeued', REQUEUE_HOLD: 'requeued', RESIZING: 'running', STOPPED: 'running',
  COMPLETED: 'done', FAILED: 'failed', TIMEOUT: 'failed', OUT_OF_MEMORY: 'failed', NODE_FAIL: 'failed', BOOT_FAIL: 'failed',
  DEADLINE: 'failed', CANCELLED: 'cancelled', PREEMPTED: 'requeued',
};

export function cellStatuses(prepared: PreparedRun, root: string, client: SlurmClient = slurmCli): { value?: CellStatus[]; diagnostics: Diagnostic[] } {
  const rec = readSubmission(root, prepared.file);
  if (!rec) return { diagnostics: [ExecMessages.noSubmission(prepared.file)] };
  const tasks = latestTasks(rec);
  const jobIds = [...new Set([...tasks.values()].map((t) => t.jobId))];
  const q = client.squeue(jobIds);
  if (q.diagnostic) return { diagnostics: [q.diagnostic] };
  const queue = new Map(q.tasks!.map((r) => [r.id, r]));
  const diagnostics: Diagnostic[] = [];
  let acct: Map<string, QueueRow> | undefined;
  const accounting = () => {
    if (acct) return acct;
    const rows = client.sacct(jobIds);
    if (!rows) diagnostics.push(ExecMessages.noAccounting());
    return (acct = new Map((rows ?? []).map((r) => [r.id, r])));
  };
  const rows: CellStatus[] = prepared.cells.map((c) => {
    const t = tasks.get(c.name);
    const runDir = t?.runDir ?? c.runDir;
    const run = readRunJson(runDir);
    const m = lastMetrics(runDir);
    const base = { name: c.name, label: c.label, runDir, task: t?.task ?? null, node: '', reason: '', step: m?.step ?? null, loss: m?.loss ?? null, attempts: run?.attempts.length ?? 0 };
    const row = t && queue.get(t.task);
    if (row) {
      const state = row.state === 'PENDING' && row.restarts > 0 ? 'requeued' : QUEUE_STATE[row.state] ?? 'running';
      return { ...base, state, node: row.node, reason: row.reason === 'None' ? '' : row.reason };
    }
    const fromRun: CellStatus['state'] | undefined = run?.status === 'done' || (run?.status === 'trained' && c.spec.probes.length === 0) ? 'done'
      : run?.status === 'failed' ? 'failed' : run?.status === 'interrupted' ? 'interrupted' : undefined;
    if (!t) return { ...base, state: c.cached ? 'done' : 'not submitted' };
    if (fromRun) return { ...base, state: fromRun };
    const a = accounting().get(t.task);
    if (a) return { ...base, state: QUEUE_STATE[a.state] ?? 'failed', node: a.node, reason: a.reason === 'None' ? '' : a.reason };
    return { ...base, state: t.cancelled ? 'cancelled' : 'failed', reason: run ? `left the queue with run.json '${run.status}'` : 'left the queue without starting' };
  });
  return { value: rows, diagnostics };
}

export function formatStatus(rows: readonly CellStatus[]): string {
  const head = ['cell', 'job', 'state', 'node', 'step', 'loss', 'attempts'];
  const body = rows.map((r) => [
    r.label && r.label !== r.name ? `${r.name} (${r.label})` : r.name, r.task ?? '—',
    r.reason ? `${r.state} (${r.reason})` : r.state, r.node || '—', r.step === null ? '—' : String(r.step),
    r.loss === null ? '—' : r.loss.toFixed(4), String(r.attempts),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => [...b[i]].length)));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(w[i] - [...c].length)).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

/** Cancels every array of the newest submission that still has queued tasks (children too). */
export function cancelRun(file: string, root: string, client: SlurmClient = slurmCli): { value?: string[]; diagnostics: Diagnostic[] } {
  const rec = readSubmission(root, file);
  if (!rec || rec.submissions.length === 0) return { diagnostics: [ExecMessages.noSubmission(file)] };
  const jobIds = [...new Set(rec.submissions.filter((s) => !s.cancelled).flatMap((s) => s.arrays.map((a) => a.jobId)))];
  const q = client.squeue(jobIds);
  if (q.diagnostic) return { diagnostics: [q.diagnostic] };
  const queued = jobIds.filter((id) => q.tasks!.some((r) => r.id.startsWith(`${id}_`) || r.id === id));
  if (queued.length) {
    const r = client.scancel(queued);
    if (r.diagnostic) return { diagnostics: [r.diagnostic] };
  }
  const now = new Date().toISOString();
  for (const s of rec.submissions) if (!s.cancelled && s.arrays.some((a) => queued.includes(a.jobId))) s.cancelled = now;
  writeJsonAtomic(recordPath(root, file), rec);
  return { value: queued, diagnostics: [] };
}
