// Orchestration of `lssdc run`: which experiments (grid cells) to run and in what order, what can be
// skipped because its stage hashes already have results, one LOCK per run directory, run.json kept up
// to date atomically, independent cells in parallel (child processes), and the results table at the end.
//
//   prepareRun(program, opts)  → Outcome<PreparedRun>: selection, lineage, overrides, hashes, preflight
//                                  (external catalogs, lowering) — every user error before any work starts
//   executeRun(prepared, opts) → runs the cells, emits RunEvents, returns per-cell outcomes + results table
//   runProgram(program, opts)  = both
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { M, nearest } from '../../compiler/messages.ts';
import { reason } from '../files/walk.ts';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import type { Diagnostic, Outcome } from '../../compiler/diagnostic.ts';
import { stageHashes } from '../../compiler/hash.ts';
import type { CellState, Dataset, ProbeResult, ProgramCell, ResultsTable, RunEvent, TaggedRunEvent } from '../contracts.ts';
import type { Plan } from '../../compiler/plan.ts';
import { scheduleFor } from '../../compiler/lower.ts';
import { writeJsonAtomic } from './atomic.ts';
import { acquireLock, waitForLock, type LockInfo } from './lock.ts';
import { markAttemptInterrupted, markStaleAttempts } from './stale.ts';
import { recordRef } from '../store/refs.ts';
import { migrateLegacy } from '../store/legacy.ts';
import { lineageOrder } from './lineage.ts';
import { RunMessages } from './messages.ts';
import { buildResultsTable } from './results.ts';
import {
  finalCheckpoint, isTrained, lastCheckpointStep, probeResultsPath, readProbeResults, readRunJson, runDirFor, short,
  updateRunJson, type RunJson,
} from './run-dir.ts';
import { loadRuntimeDeps, type RuntimeDeps } from './deps.ts';
import { runCellInChild, type ChildCommand } from './child.ts';
import { concurrentJobs } from '../train/thread-policy.ts';

export { formatResultsTable, buildResultsTable } from './results.ts';

/** What the orchestrator needs of compiler/index.ts's Program. */
export interface ProgramLike {
  experiments: ResolvedSpec[];
  all: Map<string, ResolvedSpec>;
}

export interface RunOptions {
  /** Entry file (recorded in run.json; child processes re-compile it). */
  file: string;
  /** The `.lssd` directory: runs under `<root>/runs/`, data and features beside them. */
  root: string;
  /** --cell: run only these experiments (plus the `init from` ancestors they need). */
  cells?: string[];
  /** --backend: overrides `runtime.backend` (a runtime knob: never changes a hash). */
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** --steps: overrides `optim.duration` with a step budget (changes the pretrain hash; recorded). */
  steps?: number;
  /** --no-probe → false. Default true. */
  probe?: boolean;
  /** --force: re-run selected cells even when their results exist (the old run directory is kept aside). */
  force?: boolean;
  /**
   * --wait: when another process holds a cell's lock (it trains the same pretrain hash), wait for it
   * instead of refusing; the cell then finds the checkpoint trained and only probes. Default false.
   */
  wait?: boolean;
  /** --profile: the scale profile the experiments were compiled under (recorded in run.json and refs). */
  profile?: string | null;
  /** --catalog NAME=PATH bindings the file was compiled with (child processes compile it the same way). */
  catalogs?: string[];
  /** Independent cells run at once. Default 1. */
  jobs?: number;
  /**
   * How cells run when jobs > 1: 'spawn' = one child `lssdc run --cell X --json` per cell (one tfjs per
   * process, both cores busy); 'inprocess' = concurrently in this process (fakes in tests). Default
   * 'spawn' when jobs > 1 and several cells have work, else in-process.
   */
  mode?: 'spawn' | 'inprocess';
  emit: (e: TaggedRunEvent) => void;
  signal: AbortSignal;
  /** Injected runtime (tests); default the real one, loaded on first use. */
  deps?: RuntimeDeps;
  /** Child process command line (tests); default `node bin/lssdc.js`. */
  child?: ChildCommand;
}

export interface PreparedCell extends ProgramCell {
  spec: ResolvedSpec;
  hashes: { pretrain: string; probe: string };
  parentName: string | null;
  /** The parent's store entry (its `checkpoints/final` initialises this cell). */
  parentRunDir: string | null;
  /** The parent's pretrain hash (the key of its entry). */
  parentPretrain: string | null;
  /** An earlier cell of this run with the same pretrain hash: it trains, this one waits for it. */
  sameAs: string | null;
  selected: boolean;
  /**
   * Its probes run and it has a row in the results table: every cell of a whole-file run, `init from`
   * ancestors included (`run A4.lssd` probes A2 too); with --cell, only the cells named.
   */
  probed: boolean;
  /** Lowered plan (undefined for cached cells: nothing to run). */
  plan?: unknown;
}

export interface PreparedRun {
  file: string;
  cells: PreparedCell[];
  /** Run directories of the old layout moved into the store while preparing (runtime/store/legacy.ts). */
  migrated: { from: string; to: string }[];
}

export type CellOutcome = 'done' | 'cached' | 'interrupted' | 'failed' | 'skipped';

export interface RunSummary {
  status: 'done' | 'interrupted' | 'failed';
  cells: { name: string; outcome: CellOutcome; runDir: string }[];
  table: ResultsTable;
}

/** Applies command-line overrides to a spec. --steps changes the training length (and so the hash). */
export function applyOverrides(spec: ResolvedSpec, o: Pick<RunOptions, 'steps' | 'backend'>): ResolvedSpec {
  let s = spec;
  if (o.steps !== undefined) s = { ...s, optim: { ...s.optim, duration: { steps: o.steps } } };
  if (o.backend !== undefined) s = { ...s, runtime: { ...s.runtime, backend: o.backend } };
  return s;
}

function wantsProbes(cell: { spec: ResolvedSpec; probed: boolean }, probe: boolean): boolean {
  // An ancestor pulled in by --cell only for its checkpoint is trained, not probed (its own row probes it).
  return probe && cell.probed && cell.spec.probes.length > 0;
}

function isCached(cell: { spec: ResolvedSpec; selected: boolean; probed: boolean; runDir: string; hashes: { probe: string } }, o: { probe: boolean; force: boolean }): boolean {
  if (o.force && cell.selected) return false;
  if (!isTrained(cell.runDir)) return false;
  return !wantsProbes(cell, o.probe) || readProbeResults(cell.runDir, cell.hashes.probe) !== undefined;
}

export async function prepareRun(program: ProgramLike, opts: RunOptions): Promise<Outcome<PreparedRun>> {
  const diagnostics: Diagnostic[] = [];
  const all = new Map<string, ResolvedSpec>();
  for (const [k, v] of program.all) all.set(k, applyOverrides(v, opts));
  const entry = program.experiments.map((s) => all.get(s.name) ?? applyOverrides(s, opts));
  for (const s of entry) all.set(s.name, s);
  if (entry.length === 0) return { diagnostics: [RunMessages.noExperiments(opts.file)] };

  let selected = entry;
  if (opts.cells && opts.cells.length > 0) {
    selected = [];
    for (const name of opts.cells) {
      const s = all.get(name);
      if (s) { selected.push(s); continue; }
      const known = entry.map((e) => e.name);
      diagnostics.push(RunMessages.unknownCell(name, known, nearest(name, known)));
    }
    if (diagnostics.length) return { diagnostics };
  }

  const { nodes, diagnostics: lineageDiags } = lineageOrder(selected, all);
  if (lineageDiags.length) return { diagnostics: lineageDiags };
  const migrated = migrateLegacy(opts.root).moved;
  const lookup = (n: string) => all.get(n);
  const probe = opts.probe ?? true;
  const force = opts.force ?? false;
  const cells: PreparedCell[] = [];
  for (const n of nodes) {
    const hashes = stageHashes(n.spec, lookup);
    const runDir = runDirFor(opts.root, hashes.pretrain);
    const base = { spec: n.spec, selected: n.selected, probed: n.selected || !opts.cells?.length, runDir, hashes };
    const sameAs = cells.find((x) => x.runDir === runDir)?.name ?? null;
    cells.push({
      ...base, name: n.spec.name, label: n.spec.label, hash: short(hashes.pretrain),
      after: n.parent ?? sameAs, parentName: n.parent, parentRunDir: cells.find((x) => x.name === n.parent)?.runDir ?? null,
      parentPretrain: cells.find((x) => x.name === n.parent)?.hashes.pretrain ?? null, sameAs,
      cached: isCached(base, { probe, force }),
    });
  }

  for (const c of cells) {
    const theirs = readRunJson(c.runDir)?.hashes?.pretrain;
    if (theirs && theirs !== c.hashes.pretrain) diagnostics.push(RunMessages.storeCollision(c.name, c.runDir, c.hashes.pretrain, theirs));
  }
  if (diagnostics.length) return { diagnostics };

  // Preflight: every user error (paper-scale catalog, a model too big for this backend…) before any work.
  let deps: RuntimeDeps | undefined = opts.deps;
  for (const c of cells) {
    if (c.cached) continue;
    const cat = c.spec.data.catalog;
    if (cat.kind === 'external') { diagnostics.push(RunMessages.externalCatalog(c.name, cat.name, c.spec.origin.file)); continue; }
    if (isTrained(c.runDir) && !(force && c.selected)) continue; // only probes left: nothing to lower
    deps ??= opts.deps = await loadRuntimeDeps();
    const lowered = deps.lower(c.spec, { ...program, all });
    diagnostics.push(...lowered.diagnostics);
    c.plan = lowered.value;
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { value: { file: opts.file, cells, migrated }, diagnostics };
}

export async function runProgram(program: ProgramLike, opts: RunOptions): Promise<Outcome<RunSummary>> {
  const prepared = await prepareRun(program, opts);
  if (!prepared.value) return { diagnostics: prepared.diagnostics };
  for (const d of prepared.diagnostics) emitDiagnostic(opts.emit, d);
  if (prepared.value.migrated.length) {
    opts.emit({ type: 'warning', message: `moved ${prepared.value.migrated.length} run director${prepared.value.migrated.length === 1 ? 'y' : 'ies'} of the old layout (runs/<name>-<hash>) into the store (runs/<hash>): ${prepared.value.migrated.map((m) => `${m.from} → ${m.to}`).join(', ')}` });
  }
  return { value: await executeRun(prepared.value, opts), diagnostics: prepared.diagnostics };
}

function emitDiagnostic(emit: (e: TaggedRunEvent) => void, d: Diagnostic, run?: string) {
  emit({ type: 'diagnostic', severity: d.severity === 'warning' ? 'warning' : 'error', code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}), ...(run ? { run } : {}) });
}

export async function executeRun(prepared: PreparedRun, opts: RunOptions): Promise<RunSummary> {
  const { cells } = prepared;
  const jobs = Math.max(1, opts.jobs ?? 1);
  const probe = opts.probe ?? true;
  // A cell's children may start as soon as it is trained: its probes (embedding, probe training — mostly
  // one core) then run beside the child's training instead of before it, which shortens every lineage
  // chain (A.2 → A.4, and Table 1's four chains) by the parent's probe time. The cell says so with its
  // 'probing' state, in-process or from its child process; `wake` restarts the scheduler then.
  const trainedNow = new Set<string>();
  let wake: () => void = () => {};
  const emit = (e: TaggedRunEvent) => {
    if (e.type === 'cell-state' && e.state === 'probing' && !trainedNow.has(e.name)) { trainedNow.add(e.name); wake(); }
    opts.emit(e);
  };
  const pending = cells.filter((c) => !c.cached);
  const mode = opts.mode ?? (jobs > 1 && pending.length > 1 ? 'spawn' : 'inprocess');

  emit({
    type: 'program-start', file: prepared.file, jobs: Math.min(jobs, Math.max(1, pending.length)),
    cells: cells.map(({ name, label, runDir, after, hash, cached }) => ({ name, label, runDir, after, hash, cached })),
  });

  const outcome = new Map<string, CellOutcome>();
  if (mode === 'spawn' && !opts.signal.aborted) await prepareDataOnce(pending, { ...opts, emit });
  for (const c of cells) {
    if (!c.cached) continue;
    outcome.set(c.name, 'cached');
    // A cache hit is a use: `lssdc gc` keeps entries used recently (runtime/store/gc.ts).
    recordRef(c.runDir, refOf(c, opts));
    emit({ type: 'cell-state', name: c.name, state: 'cached', run: c.name });
  }

  // Scheduler: start every cell whose parent is trained, up to `jobs` at once, in lineage order.
  const running = new Map<string, Promise<void>>();
  let interrupted = false;
  const state = (c: PreparedCell, s: CellState, detail?: string) => emit({ type: 'cell-state', name: c.name, state: s, ...(detail ? { detail } : {}), run: c.name });

  const cores = availableParallelism();
  // The wasm backend fixes its threads when a process starts, so each child is told how many processes
  // may share the cores for its whole life: the cells this run can train at once, times the processes
  // this one already shares them with (LSSD_JOBS, when this run is itself a cell or a test's child).
  const childJobs = mode === 'spawn' ? Math.min(jobs, Math.max(1, pending.length)) * concurrentJobs(process.env) : 1;
  const runOne = async (c: PreparedCell, beside: number): Promise<CellOutcome> => {
    if (mode === 'spawn') {
      // A child started beside `beside` running cells gets its share of the cores for TensorFlow's
      // intra-op pool: two pools of one thread per core each on the same cores contend (context switches,
      // spinning workers). A child started alone keeps the default. TF_NUM_INTRAOP_THREADS set by the user wins.
      const threads = beside > 0 && process.env.TF_NUM_INTRAOP_THREADS === undefined ? Math.max(1, Math.floor(cores / Math.min(jobs, beside + 1))) : undefined;
      return runCellInChild(c, { ...opts, probe, emit, signal: opts.signal, child: opts.child }, threads, childJobs);
    }
    return runCellInProcess(c, { ...opts, probe, emit });
  };
  // The parent's entry has its final checkpoint: trained in an earlier run, or this run says it is probing.
  const parentReady = (parent: PreparedCell) => outcome.has(parent.name) || (trainedNow.has(parent.name) && isTrained(parent.runDir));

  while (true) {
    if (opts.signal.aborted) interrupted = true;
    let launched = false;
    if (!interrupted) {
      for (const c of cells) {
        if (outcome.has(c.name) || running.has(c.name)) continue;
        if (running.size >= jobs) break;
        // One process per store entry at a time (the LOCK): cells sharing it take turns.
        if ([...running.keys()].some((n) => cells.find((x) => x.name === n)!.runDir === c.runDir)) continue;
        if (c.sameAs) {
          // Same pretrain hash as an earlier cell: one trainer per checkpoint; this one probes after it.
          const o = outcome.get(c.sameAs);
          if (o === undefined) continue;
          if (!isTrained(c.runDir)) {
            outcome.set(c.name, 'skipped');
            emitDiagnostic(emit, RunMessages.sharedFailed(c.name, c.sameAs), c.name);
            state(c, 'skipped', `${c.sameAs} (same pretraining) not trained`);
            launched = true;
            continue;
          }
        }
        if (c.parentName) {
          const parent = cells.find((x) => x.name === c.parentName)!;
          if (!parentReady(parent)) continue; // parent still to run / training
          if (!isTrained(parent.runDir)) {
            outcome.set(c.name, 'skipped');
            emitDiagnostic(emit, RunMessages.parentFailed(c.name, c.parentName), c.name);
            state(c, 'skipped', `parent ${c.parentName} not trained`);
            launched = true;
            continue;
          }
        }
        launched = true;
        const p = runOne(c, running.size).catch((e: unknown): CellOutcome => {
          emitDiagnostic(emit, asDiagnostic(c.name, e), c.name);
          if (process.env.LSSD_DEBUG) process.stderr.write(String((e as Error)?.stack ?? e) + '\n');
          return 'failed';
        }).then((o) => {
          outcome.set(c.name, o);
          running.delete(c.name);
          if (o === 'interrupted') interrupted = true;
          state(c, o === 'done' ? 'done' : o === 'interrupted' ? 'interrupted' : o === 'failed' ? 'failed' : 'skipped');
        });
        running.set(c.name, p);
      }
    }
    if (running.size === 0) {
      if (launched && !interrupted) continue;
      break;
    }
    if (launched) continue; // a launch may have freed the way for another cell (a skip, a shared entry)
    await Promise.race([...running.values(), new Promise<void>((r) => { wake = r; })]);
    wake = () => {};
  }

  const unfinished = cells.filter((c) => !outcome.has(c.name));
  for (const c of unfinished) outcome.set(c.name, interrupted ? 'interrupted' : 'skipped');

  const rows = cells.filter((c) => c.probed).map((c) => ({
    name: c.name, label: c.label,
    results: (probe ? readProbeResults(c.runDir, c.hashes.probe) : undefined) ?? [],
  }));
  const table = buildResultsTable(rows);
  if (!interrupted) emit({ type: 'results', table });

  const outs = [...outcome.values()];
  const status: RunSummary['status'] = interrupted || outs.includes('interrupted') ? 'interrupted'
    : outs.some((o) => o === 'failed' || o === 'skipped') ? 'failed' : 'done';
  return { status, table, cells: cells.map((c) => ({ name: c.name, outcome: outcome.get(c.name)!, runDir: c.runDir })) };
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Errors the runtime raises for user-facing conditions carry an LSSD code (media's LssdError, probes'
 * ProbeError, …): shown as that diagnostic. Anything else is reported as this cell failing.
 */
function asDiagnostic(cell: string, e: unknown): Diagnostic {
  const x = e as { code?: unknown; message?: string; hint?: unknown; path?: unknown; diagnostic?: Diagnostic };
  if (x && typeof x === 'object' && x.diagnostic && typeof x.diagnostic.code === 'string') return x.diagnostic;
  if (x && typeof x === 'object' && typeof x.code === 'string' && /^LSSD\d{4}$/.test(x.code)) {
    return { code: x.code, severity: 'error', related: [],
      message: `${cell}: ${x.message ?? ''}${typeof x.path === 'string' ? ` (${x.path})` : ''}`,
      ...(typeof x.hint === 'string' ? { hint: x.hint } : {}) };
  }
  // The run directory's file system refused (a full disk, a read-only directory): coded, with the path.
  const fsErr = e as NodeJS.ErrnoException;
  if (fsErr && typeof fsErr.code === 'string' && /^E[A-Z]+$/.test(fsErr.code) && fsErr.syscall) {
    return { code: M.fileSystemRefused.code, severity: 'error', related: [],
      message: `${cell}: ${fsErr.syscall}${typeof fsErr.path === 'string' ? ` ${fsErr.path}` : ''}: ${reason(fsErr)}`,
      hint: 'free space or make the run directory writable, then re-run: it resumes from the last checkpoint' };
  }
  return RunMessages.cellFailed(cell, errorMessage(e));
}

/**
 * Writes how the secondary audio views of the steps trained were made into run.json (`secondaryViews`)
 * and says it when some fell back to a second augmentation of the primary track under a dub policy.
 */
function recordSecondaryViews(runDir: string, plan: Plan | undefined, dataset: Dataset, emit: (e: RunEvent) => void): void {
  if (!plan?.optim || !dataset.secondaryViews) return;
  const steps = plan.optim.schedule?.totalSteps ?? scheduleFor(plan.optim, dataset.stepsPerEpoch).totalSteps;
  const v = dataset.secondaryViews(steps);
  updateRunJson(runDir, (r) => ({ ...r, secondaryViews: v }));
  if (v.policy !== 'off' && v.fellBack > 0) {
    emit({ type: 'warning', message: `${(100 * v.fraction).toFixed(1)}% of secondary audio views (${v.fellBack} of ${v.views}${v.sampledSteps < v.steps ? `, ${v.sampledSteps} of ${v.steps} steps planned` : ''}) fell back to a second augmentation of the primary track: their titles have no dub the policy '${v.policy}' can use (run.json secondaryViews)` });
  }
}

/** The reference a cell records in its entry's refs/ (runtime/store/refs.ts). */
function refOf(c: PreparedCell, opts: Pick<RunOptions, 'file' | 'profile'>) {
  return { name: c.name, label: c.label, profile: opts.profile ?? null, file: opts.file, probeHash: c.hashes.probe, used: new Date().toISOString() };
}

/** One experiment in this process: lock, data, training (resuming), probes, run.json. */
export async function runCellInProcess(c: PreparedCell, opts: RunOptions & { probe: boolean }): Promise<CellOutcome> {
  const emit = (e: RunEvent) => opts.emit({ ...e, run: c.name });
  const t0 = Date.now();
  mkdirSync(join(opts.root, 'runs'), { recursive: true });
  mkdirSync(c.runDir, { recursive: true });
  const what = { experiment: c.name, file: opts.file };
  const takeLock = async (): Promise<ReturnType<typeof acquireLock> | 'interrupted'> => {
    const first = acquireLock(c.runDir, what);
    if (first.ok || !opts.wait) return first;
    const got = await waitForLock(c.runDir, what, {
      signal: opts.signal,
      onWait: (h: LockInfo) => emit({ type: 'warning', message: RunMessages.waiting(c.name, c.runDir, h) }),
    });
    return got ?? 'interrupted';
  };
  let lock = await takeLock();
  if (lock === 'interrupted') return 'interrupted';
  if (!lock.ok) {
    emitDiagnostic(opts.emit, RunMessages.locked(c.runDir, lock.holder), c.name);
    return 'failed';
  }
  if (opts.force && c.selected && existsSync(join(c.runDir, 'run.json'))) {
    // --force keeps what was computed: the old directory moves aside, the new run starts fresh.
    lock.release();
    const aside = `${c.runDir}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(c.runDir, aside);
    emit({ type: 'warning', message: `--force: previous run of ${c.name} moved to ${aside}` });
    mkdirSync(c.runDir, { recursive: true });
    lock = acquireLock(c.runDir, what);
    if (!lock.ok) { emitDiagnostic(opts.emit, RunMessages.locked(c.runDir, lock.holder), c.name); return 'failed'; }
  }
  if (lock.tookOver) emitDiagnostic(opts.emit, RunMessages.staleLock(c.runDir, lock.tookOver), c.name);
  const release = lock.release;
  // A normal exit (even after an uncaught error, or a second Ctrl-C that exits at once) leaves no LOCK
  // behind and the attempt marked interrupted; kill -9 does not, and the next run marks it stale.
  let settled = false;
  const onExit = () => {
    if (!settled) { try { markAttemptInterrupted(c.runDir, process.pid); } catch { /* run.json not written yet */ } }
    release();
  };
  process.once('exit', onExit);
  try {
    const deps = opts.deps ??= await loadRuntimeDeps();
    const me = { pid: process.pid, host: hostname(), started: new Date().toISOString(), ended: null, status: 'running' as string };
    const prev = readRunJson(c.runDir);
    const parentCell = c.parentName && c.parentRunDir
      ? { from: c.parentName, pretrain: c.parentPretrain ?? undefined, checkpointDir: finalCheckpoint(c.parentRunDir) } : null;
    const trainedBefore = isTrained(c.runDir);
    // We hold the LOCK, so no earlier attempt can still be running: one still marked so died (kill -9).
    const record: RunJson = prev ? { ...prev, status: trainedBefore ? 'trained' : 'running', ended: null, attempts: [...markStaleAttempts(prev.attempts), me] } : {
      name: c.name, label: c.label, profile: opts.profile ?? null, file: opts.file, hashes: c.hashes, backend: null, seed: c.spec.optim.seed,
      overrides: opts.steps !== undefined ? { steps: opts.steps } : {}, init: parentCell,
      status: 'running', started: me.started, ended: null, attempts: [me],
    };
    writeJsonAtomic(join(c.runDir, 'run.json'), record);
    recordRef(c.runDir, refOf(c, opts));
    // spec.json / plan.json describe what trained the checkpoint: the first experiment to train it. An
    // experiment that shares the entry only to probe leaves them (its own spec is in its file; refs/ name it).
    if (!trainedBefore || !existsSync(join(c.runDir, 'spec.json'))) writeJsonAtomic(join(c.runDir, 'spec.json'), c.spec);
    if (c.plan !== undefined && !trainedBefore) writeJsonAtomic(join(c.runDir, 'plan.json'), c.plan);

    const finish = (status: RunJson['status'], extra: Partial<RunJson> = {}) => { settled = status !== 'running'; return updateRunJson(c.runDir, (r) => ({
      ...r, ...extra, status, ended: status === 'running' ? null : new Date().toISOString(),
      attempts: r.attempts.map((a, i) => (i === r.attempts.length - 1 ? { ...a, status, ended: new Date().toISOString() } : a)),
    })); };

    if (!isTrained(c.runDir)) {
      opts.emit({ type: 'cell-state', name: c.name, state: 'running', run: c.name });
      const backend = await deps.selectBackend(c.spec.runtime.backend);
      updateRunJson(c.runDir, (r) => ({ ...r, backend, attempts: r.attempts.map((a, i) => (i === r.attempts.length - 1 ? { ...a, resumedFrom: lastCheckpointStep(c.runDir) } : a)) }));
      const spec = { ...c.spec, runtime: { ...c.spec.runtime, backend: backend as ResolvedSpec['runtime']['backend'] } };
      const datasetP = deps.ensureDataset(spec, {
        root: opts.root, batchSize: globalBatch(c),
        events: {
          onProgress: (p) => emit({ type: 'data-progress', phase: p.phase, done: p.done, total: p.total, ...(p.detail ? { detail: p.detail } : {}) }),
          onWarning: (message) => emit({ type: 'warning', message }),
        },
      });
      // Data preparation (corpus synthesis, feature extraction) is resumable at its own granularity and
      // takes no signal: on Ctrl-C stop waiting for it instead of finishing it.
      const dataset = await untilAborted(datasetP, opts.signal);
      if (!dataset) {
        datasetP.then((d) => d.close(), () => undefined);
        finish('interrupted'); emit({ type: 'run-end', status: 'interrupted', seconds: (Date.now() - t0) / 1000 });
        return 'interrupted';
      }
      if (opts.signal.aborted) { await dataset.close(); finish('interrupted'); return 'interrupted'; }
      let trained: { status: 'done' | 'interrupted'; checkpointDir: string };
      try {
        // runtime/train writes metrics.jsonl (every step) and cuts it back to the checkpoint it resumes from.
        trained = await deps.trainExperiment({
          spec, plan: c.plan, runDir: c.runDir, dataset, signal: opts.signal,
          events: emit,
          ...(parentCell ? { init: { checkpointDir: parentCell.checkpointDir } } : {}),
        });
        if (trained.status === 'done') recordSecondaryViews(c.runDir, c.plan as Plan | undefined, dataset, emit);
      } finally {
        await dataset.close();
      }
      if (trained.status === 'interrupted') { finish('interrupted'); emit({ type: 'run-end', status: 'interrupted', seconds: (Date.now() - t0) / 1000 }); return 'interrupted'; }
      finish('trained');
    }

    if (wantsProbes(c, opts.probe) && (opts.force || readProbeResults(c.runDir, c.hashes.probe) === undefined)) {
      opts.emit({ type: 'cell-state', name: c.name, state: 'probing', run: c.name });
      const results = await deps.probeExperiment({ spec: c.spec, runDir: c.runDir, root: opts.root, events: emit, signal: opts.signal, probeHash: c.hashes.probe });
      if (opts.signal.aborted) { finish('interrupted'); return 'interrupted'; }
      // P caches results under the probe hash; keep a copy there if it did not (the table reads it).
      if (!existsSync(probeResultsPath(c.runDir, c.hashes.probe))) writeJsonAtomic(probeResultsPath(c.runDir, c.hashes.probe), results);
    }
    // 'done' = everything this invocation asked for; a later run with probes still finds no results
    // for the probe hash and runs only the probes.
    finish('done');
    emit({ type: 'run-end', status: 'done', seconds: (Date.now() - t0) / 1000 });
    return 'done';
  } catch (e) {
    settled = true;
    try { updateRunJson(c.runDir, (r) => ({ ...r, status: 'failed', error: errorMessage(e), ended: new Date().toISOString() })); } catch { /* run.json never written */ }
    throw e;
  } finally {
    process.removeListener('exit', onExit);
    release();
  }
}

/**
 * Before cells run in parallel processes: prepare each distinct dataset once, here (corpus, index,
 * features are cached on disk), so two children do not extract the same features side by side on two
 * cores. Failures are left for the cells themselves to report.
 */
async function prepareDataOnce(cells: PreparedCell[], opts: RunOptions): Promise<void> {
  const seen = new Set<string>();
  for (const c of cells) {
    if (opts.signal.aborted || isTrained(c.runDir) || c.spec.data.catalog.kind === 'external') continue;
    const key = JSON.stringify([c.spec.data, c.spec.views, c.spec.model.modality, c.spec.dubs.primary]);
    if (seen.has(key)) continue;
    seen.add(key);
    const deps = opts.deps ??= await loadRuntimeDeps();
    const emit = (e: RunEvent) => opts.emit({ ...e, run: c.name });
    const p = deps.ensureDataset(c.spec, {
      root: opts.root, batchSize: globalBatch(c),
      events: {
        onProgress: (x) => emit({ type: 'data-progress', phase: x.phase, done: x.done, total: x.total, ...(x.detail ? { detail: x.detail } : {}) }),
        onWarning: (message) => emit({ type: 'warning', message }),
      },
    });
    try {
      const ds = await untilAborted(p, opts.signal);
      if (ds) await ds.close(); else p.then((d) => d.close(), () => undefined);
    } catch {
      // The cell's own run reports it, as a diagnostic tagged with the cell.
    }
  }
}

/** The promise's value, or undefined as soon as the signal aborts (the promise is left running). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}

/** The plan's global batch (lowering may size it for this machine), else the spec's per_device × devices. */
function globalBatch(c: PreparedCell): number {
  const g = (c.plan as { data?: { globalBatch?: unknown } } | undefined)?.data?.globalBatch;
  return typeof g === 'number' && g > 0 ? g : c.spec.data.batch.per_device * c.spec.data.batch.devices;
}
