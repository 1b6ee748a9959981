// Wiring of the cluster executor (executors/slurm) for `lssdc run --executor slurm`, `lssdc status`
// and `lssdc cancel`: flags, compile, prepare, then the executor; output and exit codes as elsewhere.
import { relative, resolve } from 'node:path';
import type { Diagnostic, Outcome } from '../compiler/diagnostic.ts';
import type { ResolvedSpec } from '../compiler/spec.ts';
import type { Source } from '../grammar/ast.ts';
import type { RunOptions } from '../runtime/orchestrate/index.ts';
import { RunMessages } from '../runtime/orchestrate/messages.ts';
import { printDiagnostics, useColor, wantsJson, type ArgSpec } from './args.ts';

const EXECUTORS = ['local', 'slurm'] as const;

/** `--executor` wins; else `slurm` when every experiment of the file declares `runtime.executor = slurm`. */
export function executorOf(args: readonly string[], experiments: readonly ResolvedSpec[]): string {
  const given = valuesOf(args, '--executor').pop();
  if (given !== undefined) return given;
  return experiments.length > 0 && experiments.every((e) => e.runtime.executor === 'slurm') ? 'slurm' : 'local';
}

/** Every value of a value option, in order (`--k v` and `--k=v`). */
function valuesOf(args: readonly string[], name: string): string[] {
  const v: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) v.push(args[++i]);
    else if (args[i].startsWith(`${name}=`)) v.push(args[i].slice(name.length + 1));
  }
  return v;
}

/** Options of the submitting command that each array task's `lssdc run` does not repeat. */
const NOT_PASSED = new Set(['--executor', '--slurm', '--dry-run', '--cell', '--jobs', '--root', '--json', '--plain']);

/**
 * The run flags every array task repeats (--backend, --steps, --no-probe, --force, and any flag `run`
 * gains later), read with run's own argument spec so a value is never mistaken for the FILE.
 */
export function passthroughArgs(args: readonly string[], spec: ArgSpec): string[] {
  const aliases: Record<string, string> = { ...(spec.aliases ?? {}) };
  const takesValue = new Set([...(spec.values ?? []), ...(spec.repeat ?? [])]);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') break;
    if (!a.startsWith('-') || a === '-') continue; // the FILE operand
    const eq = a.indexOf('=');
    const given = eq > 0 ? a.slice(0, eq) : a;
    const name = aliases[given] ?? given;
    const withValue = eq < 0 && takesValue.has(name);
    if (!NOT_PASSED.has(name)) out.push(a, ...(withValue && i + 1 < args.length ? [args[i + 1]] : []));
    if (withValue) i++;
  }
  return out;
}

interface Program { experiments: ResolvedSpec[]; all: Map<string, ResolvedSpec>; sources: Map<string, Source> }

export async function runOnCluster(args: string[], spec: ArgSpec, file: string, compiled: Outcome<Program>,
  o: Pick<RunOptions, 'root' | 'cells' | 'backend' | 'steps' | 'probe' | 'force'>): Promise<number> {
  const json = wantsJson(args);
  const color = useColor(process.stderr);
  const sources = compiled.value?.sources ?? new Map();
  const executor = executorOf(args, compiled.value?.experiments ?? []);
  if (!(EXECUTORS as readonly string[]).includes(executor)) {
    printDiagnostics(json, [RunMessages.badFlag('--executor', executor, EXECUTORS.join(' | '))], sources, color);
    return 2;
  }
  if (!compiled.value || compiled.diagnostics.some((d) => d.severity === 'error')) { printDiagnostics(json, compiled.diagnostics, sources, color); return 1; }
  const [{ prepareRun }, slurm] = await Promise.all([import('../runtime/orchestrate/index.ts'), import('../executors/slurm/index.ts')]);
  const overrides = slurm.parseSlurmFlags(valuesOf(args, '--slurm'));
  if (!overrides.value) { printDiagnostics(json, overrides.diagnostics, sources, color); return 2; }
  const prepared = await prepareRun(compiled.value, { file, ...o, emit: () => {}, signal: new AbortController().signal });
  const diagnostics: Diagnostic[] = [...compiled.diagnostics, ...prepared.diagnostics];
  if (!prepared.value) { printDiagnostics(json, diagnostics, sources, color); return 1; }
  const lines: string[] = [];
  const out = (l: string) => (json ? lines.push(l) : process.stdout.write(l + '\n'));
  const r = slurm.submitRun(prepared.value, {
    file, root: o.root, passthrough: passthroughArgs(args, spec), overrides: overrides.value, dryRun: args.includes('--dry-run'), out,
  });
  diagnostics.push(...r.diagnostics);
  if (diagnostics.length) printDiagnostics(json, diagnostics, sources, color);
  if (!r.value) return 1;
  const done = prepared.value.cells.filter((c) => c.cached).map((c) => c.name);
  if (json) {
    process.stdout.write(JSON.stringify({ type: 'slurm-submit', dryRun: args.includes('--dry-run'), cached: done, skipped: r.value.skipped,
      arrays: r.value.arrays.map((a) => ({ id: a.id, jobId: a.jobId, level: a.level, after: a.after, tasks: a.tasks, script: a.script })) }) + '\n');
  } else {
    if (done.length) out(`already done (same stage hashes), not submitted: ${done.join(', ')}`);
    if (r.value.arrays.length === 0) out('nothing to submit');
    else if (!args.includes('--dry-run')) out(`follow with: lssdc status ${relative(process.cwd(), file) || file}${args.some((x) => x === '--root' || x.startsWith('--root=') || x === '--runs-dir' || x.startsWith('--runs-dir=')) ? ` --root ${o.root}` : ''}`);
  }
  return 0;
}

/** Compile FILE and prepare its run as `lssdc run` would (selection, lineage, run directories), for status. */
export async function prepareForCluster(file: string, rootFlag: string | undefined, options: import('../compiler/index.ts').CompileOptions = {}): Promise<{
  value?: { prepared: import('../runtime/orchestrate/index.ts').PreparedRun; root: string }; diagnostics: Diagnostic[]; sources: Map<string, Source>;
}> {
  const [{ compileFile }, { nodeHost }, { prepareRun }, { lower }, { defaultRoot }] = await Promise.all([
    import('../compiler/index.ts'), import('../runtime/host.ts'), import('../runtime/orchestrate/index.ts'), import('../compiler/lower.ts'), import('../runtime/paths.ts'),
  ]);
  const compiled = compileFile(file, nodeHost(), options);
  const sources = compiled.value?.sources ?? new Map();
  if (!compiled.value || compiled.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: compiled.diagnostics, sources };
  const root = resolve(rootFlag ?? defaultRoot(file));
  // Status lowers plans only to preflight like `run`; no training pieces are loaded.
  const unused = () => { throw new Error('status does not train'); };
  const prepared = await prepareRun(compiled.value, {
    file, root, emit: () => {}, signal: new AbortController().signal,
    deps: { lower: (s, p) => lower(s, p as never), selectBackend: unused, ensureDataset: unused, trainExperiment: unused, probeExperiment: unused },
  });
  return prepared.value ? { value: { prepared: prepared.value, root }, diagnostics: prepared.diagnostics, sources } : { diagnostics: prepared.diagnostics, sources };
}
