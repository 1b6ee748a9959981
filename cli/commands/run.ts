// `lssdc run FILE`: compile, then hand the experiments to the orchestrator (runtime/orchestrate) and its
// event stream to a renderer (runtime/ui). Only wiring and flags live here.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { format } from 'node:util';
import type { Command } from '../main.ts';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { renderDiagnostics } from '../../compiler/render.ts';
import type { TaggedRunEvent } from '../../runtime/contracts.ts';
import { runProgram, type RunOptions } from '../../runtime/orchestrate/index.ts';
import { RunMessages } from '../../runtime/orchestrate/messages.ts';
import { pidAlive } from '../../runtime/orchestrate/lock.ts';
import { defaultRoot } from '../../runtime/paths.ts';
import { projectFileFor } from '../../runtime/host.ts';
import { PROFILE_ARGS, PROFILE_USAGE } from '../profile-flags.ts';
import { chooseMode, createRenderer } from '../../runtime/ui/index.ts';
import { executorOf, runOnCluster } from '../cluster.ts';
import { directoryProblem, intOption, parseArgs, printDiagnostics, usageError, useColor, wantsJson } from '../args.ts';

const usage = `usage: lssdc run FILE.lssd [options]

Trains every experiment (grid cell) declared in FILE — data first (the embedded synthetic corpus when the
spec names no catalog), then training with atomic checkpoints, then probes — and ends with the results
table. Cells run in lineage order (\`init from\` parents first); cells whose stage hashes already have
results are skipped; an interrupted run (Ctrl-C, even kill -9) resumes from its last checkpoint.

options:
  --cell NAME         run only this experiment (repeatable), plus the \`init from\` parents it needs
  --backend B         auto | tensorflow | wasm | cpu (default: the spec's runtime.backend, usually auto)
  --steps N           train for N steps instead of the spec's duration (smoke runs; changes the hash)
  --no-probe          train only; skip the probes
  --force             re-run the selected experiments even if done (the old run directory is kept aside)
  --wait              when another run trains the same pretrain hash, wait for it (default: refuse)
${PROFILE_USAGE.replace(/^( {2}--\S+ \S+) +/gm, (_m, o: string) => o.padEnd(22)).replace(/^ {25}/gm, ' '.repeat(22))}
  --jobs N            independent cells run at once, each in its own process (default: min(2, cores))
  --root DIR          where data, features and runs live (default: <project>/.lssd)
  --runs-dir DIR      same as --root
  --plain             line-per-event output (default when stdout is not a terminal, or CI is set)
  --json              every run event as one JSON line on stdout
  --executor E        local | slurm (default: the spec's runtime.executor, else local). slurm submits one
                      job array per lineage level; each task runs \`lssdc run FILE --cell NAME\` (docs/cluster.md)
  --slurm KEY=VALUE   override a runtime.slurm setting (repeatable): partition, account, qos, cpus_per_task,
                      gpus_per_task, mem, time, array_limit, signal_before, max_requeues, extra
  --dry-run           with --executor slurm: print the sbatch scripts, submit nothing

Run store: <root>/runs/<pretrainHash12>/, one entry per pretrain hash (renaming an experiment, changing its
label or its probes never retrains), with spec.json, plan.json, run.json, metrics.jsonl, refs/,
checkpoints/, probes/, LOCK. Exit status: 0 done, 1 errors, 2 usage, 130 interrupted by SIGINT, 143 by SIGTERM
(checkpointed either way; a second signal exits at once, keeping the newest complete checkpoint).`;

interface Flags {
  file?: string;
  /** --profile NAME (undefined: lssd.project's, if any). */
  profile?: string;
  /** --catalog NAME=PATH, as typed. */
  catalogs: string[];
  cells: string[];
  backend?: RunOptions['backend'];
  steps?: number;
  probe: boolean;
  force: boolean;
  wait: boolean;
  jobs?: number;
  root?: string;
  plain: boolean;
  json: boolean;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

export const RUN_ARGS = {
  flags: ['--no-probe', '--force', '--wait', '--plain', '--json', '--dry-run'],
  values: ['--backend', '--steps', '--jobs', '--root', '--executor', ...PROFILE_ARGS.values],
  repeat: ['--cell', '--slurm', ...PROFILE_ARGS.repeat],
  aliases: { '--runs-dir': '--root' },
} as const;

export function parseRunArgs(args: string[]): { flags?: Flags; error?: string; diagnostics?: Diagnostic[] } {
  const p = parseArgs(args, RUN_ARGS);
  if (typeof p === 'string') return { error: p };
  const diagnostics: Diagnostic[] = [];
  const f: Flags = {
    cells: (p.lists.get('--cell') ?? []).flatMap((v) => v.split(',').filter(Boolean)),
    ...(p.values.has('--profile') ? { profile: p.values.get('--profile') } : {}), catalogs: p.lists.get('--catalog') ?? [],
    probe: !p.flags.has('--no-probe'), force: p.flags.has('--force'), wait: p.flags.has('--wait'), plain: p.flags.has('--plain'), json: p.flags.has('--json'),
    root: p.values.get('--root'),
  };
  const backend = p.values.get('--backend');
  if (backend !== undefined) {
    if ((BACKENDS as readonly string[]).includes(backend)) f.backend = backend as Flags['backend'];
    else diagnostics.push(RunMessages.badFlag('--backend', backend, BACKENDS.join(' | ')));
  }
  const int = (name: string, what: string): number | undefined => {
    const n = intOption(p, name, 1);
    if (typeof n === 'string') { diagnostics.push(RunMessages.badFlag(name, p.values.get(name)!, what)); return undefined; }
    return n;
  };
  f.steps = int('--steps', 'a whole number of steps ≥ 1');
  f.jobs = int('--jobs', 'a number of parallel cells ≥ 1');
  if (diagnostics.length) return { diagnostics };
  if (p.positional.length > 1) return { error: `one FILE at a time (got '${p.positional[0]}' and '${p.positional[1]}'); a grid runs all its cells` };
  if (!p.positional.length) return { error: 'missing FILE' };
  const dirProblem = directoryProblem(p.positional[0], 'file');
  if (dirProblem) return { error: dirProblem };
  f.file = p.positional[0];
  return { flags: f };
}

export { defaultRoot };

/** 128 + signal number, as shells report a process stopped by it: 130 for SIGINT, 143 for SIGTERM (and for
 * SIGUSR1, a scheduler's "checkpoint and stop", so callers test one code for both). */
export const exitCodeFor = (sig: NodeJS.Signals): number => (sig === 'SIGTERM' || sig === 'SIGUSR1' ? 143 : 130);

export const command: Command = {
  name: 'run',
  summary: 'train and probe a file\'s experiments (resumable; skips finished cells; results table)',
  usage,
  async run(args) {
    const parsed = parseRunArgs(args);
    const color = useColor(process.stderr);
    if (parsed.error) return usageError(args, usage, parsed.error);
    if (parsed.diagnostics) { printDiagnostics(wantsJson(args), parsed.diagnostics, new Map(), color); return 2; }
    const flags = parsed.flags!;
    const file = resolve(flags.file!);

    const [{ compileFile }, { nodeHost }] = await Promise.all([import('../../compiler/index.ts'), import('../../runtime/host.ts')]);
    const compiled = compileFile(file, nodeHost(), {
      project: projectFileFor(file), ...(flags.profile !== undefined ? { profile: flags.profile } : {}), ...(flags.catalogs.length ? { catalogs: flags.catalogs } : {}),
    });
    const executor = executorOf(args, compiled.value?.experiments ?? []);
    if (executor !== 'local') return runOnCluster(args, RUN_ARGS, file, compiled, { root: resolve(flags.root ?? defaultRoot(file)), cells: flags.cells, backend: flags.backend, steps: flags.steps, probe: flags.probe, force: flags.force });
    const mode = chooseMode(flags);
    const sources = compiled.value?.sources ?? new Map();
    const report = async (ds: Diagnostic[]) => {
      if (ds.length === 0) return;
      if (mode === 'json') {
        for (const d of ds) process.stdout.write(JSON.stringify({ type: 'diagnostic', severity: d.severity === 'warning' ? 'warning' : 'error', code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) }) + '\n');
      } else process.stderr.write(renderDiagnostics(ds, sources, { color }) + '\n');
    };
    if (!compiled.value || compiled.diagnostics.some((d) => d.severity === 'error')) { await report(compiled.diagnostics); return 1; }
    await report(compiled.diagnostics);

    // In --json mode stdout is an event stream: a library's console.log must not corrupt it.
    if (mode === 'json') console.log = console.info = (...a: unknown[]) => { process.stderr.write(format(...a) + '\n'); };
    const ac = new AbortController();
    const renderer = await createRenderer(mode);
    const emit = (e: TaggedRunEvent) => renderer.onEvent(e);
    // First SIGINT/SIGTERM/SIGUSR1: abort (the step loop checkpoints and stops within a step; child cells
    // get the same signal). A second SIGINT exits at once: checkpoints are written atomically, so the
    // newest complete one survives, and the orchestrator's exit hook marks the run interrupted and drops
    // LOCK. Repeated SIGTERM/SIGUSR1 do not: a scheduler signals every process of a job and the batch
    // script forwards its own signal too (executors/slurm), so duplicates are normal there and must not
    // cost the checkpoint being written.
    let firstSignal: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      if (!firstSignal) {
        firstSignal = sig;
        emit({ type: 'warning', message: `${sig === 'SIGINT' ? 'interrupted' : 'terminated'}: checkpointing and stopping (press Ctrl-C again to quit at once; the last checkpoint is kept)` });
        ac.abort(sig === 'SIGUSR1' ? 'SIGTERM' : sig);
      } else if (sig === 'SIGINT') {
        process.exit(exitCodeFor(sig));
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGUSR1', onSignal);
    // A child cell of a parallel run: stop (with a checkpoint) if the parent `lssdc run` dies.
    const parentPid = Number(process.env.LSSD_PARENT_PID);
    const watch = parentPid ? setInterval(() => { if (!pidAlive(parentPid) && !ac.signal.aborted) ac.abort(); }, 1000) : undefined;
    watch?.unref();

    try {
      const jobs = flags.jobs ?? Math.max(1, Math.min(2, availableParallelism()));
      const out = await runProgram(compiled.value, {
        file, root: resolve(flags.root ?? defaultRoot(file)), cells: flags.cells, backend: flags.backend, steps: flags.steps,
        probe: flags.probe, force: flags.force, wait: flags.wait, jobs,
        profile: compiled.value.profile?.name ?? null, catalogs: flags.catalogs, emit, signal: ac.signal,
      });
      await renderer.close();
      if (!out.value) { await report(out.diagnostics); return 1; }
      if (out.value.status === 'interrupted') {
        // Everything is checkpointed and the locks are released; work that takes no signal (data
        // preparation, resumable on its own) must not keep the process alive.
        process.exit(exitCodeFor(firstSignal ?? 'SIGINT'));
      }
      return out.value.status === 'done' ? 0 : 1;
    } finally {
      await renderer.close();
      if (watch) clearInterval(watch);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGUSR1', onSignal);
    }
  },
};
