// `lssdc probe FILE.lssd | RUN_DIR`: the paper's evaluation on already-pretrained runs — frozen encoder,
// embeddings cached per (checkpoint, task), probes per the spec's plan, results cached by probe hash —
// then the results table. Wiring only: runtime/probes does the work.
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from '../main.ts';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import type { Source } from '../../grammar/ast.ts';
import { renderDiagnostics } from '../../compiler/render.ts';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import type { ProbeResult, TaggedRunEvent } from '../../runtime/contracts.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { defaultRoot } from '../../runtime/paths.ts';
import { isProbeError, PROBE, ProbeError } from '../../runtime/probes/errors.ts';
import { readRunDir, runDirOf } from '../../runtime/report/collect.ts';
import { parseArgs, usageError, useColor } from '../args.ts';

const usage = `usage: lssdc probe FILE.lssd | RUN_DIR [options]

Probes pretrained runs without training: for each experiment of FILE (grid cells expanded) whose run
directory under <root>/runs/ has a final checkpoint — or for the one RUN_DIR given — the projection heads are
discarded, the frozen backbones embed every task's clips (mean over windows; cached per checkpoint and
task under RUN_DIR/embeddings/), and the spec's probes are trained (HEAR: MLP grid over k folds or
train/valid/test; LVU-style: linear, best epoch on validation) and reported on test. Results are cached
at RUN_DIR/probes/<probeHash12>/results.json; tasks that exist only at paper scale are skipped.

options:
  --cell NAME      only this experiment (repeatable)
  --backend B      auto | tensorflow | wasm | cpu (default: the spec's runtime.backend)
  --force          ignore cached probe results (embeddings stay cached)
  --root DIR       where runs live (default: <project>/.lssd)
  --plain | --json output mode for progress events

Exit status: 0 ok, 1 errors (diagnostics printed), 2 usage, 130 interrupted.`;

interface Flags { target?: string; cells: string[]; backend?: string; force: boolean; root?: string; plain: boolean; json: boolean }

const PROBE_ARGS = { flags: ['--force', '--plain', '--json'], values: ['--backend', '--root'], repeat: ['--cell'], aliases: { '--runs-dir': '--root' } } as const;

function parse(args: string[]): { flags?: Flags; error?: string } {
  const p = parseArgs(args, PROBE_ARGS);
  if (typeof p === 'string') return { error: p };
  const backend = p.values.get('--backend');
  if (backend !== undefined && !['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) return { error: `--backend must be auto, tensorflow, wasm or cpu, got '${backend}'` };
  if (p.positional.length > 1) return { error: `one FILE or RUN_DIR, got '${p.positional[0]}' and '${p.positional[1]}'` };
  if (!p.positional.length) return { error: 'missing FILE.lssd or RUN_DIR' };
  return { flags: { target: p.positional[0], cells: p.lists.get('--cell') ?? [], backend, force: p.flags.has('--force'), root: p.values.get('--root'), plain: p.flags.has('--plain'), json: p.flags.has('--json') } };
}

/** Diagnostics as the compiler renders them (source line, carets, hint), colored on a terminal. */
export function renderForStderr(ds: Diagnostic[], sources: Map<string, Source>): string {
  return renderDiagnostics(ds, sources, { color: useColor(process.stderr) });
}

export interface Target { spec: ResolvedSpec; runDir: string; exists: boolean; hashes: { pretrain: string; probe: string }; direct: boolean }

/** Compiles FILE and maps its experiments to run directories by stage hash; or reads one RUN_DIR. */
export async function resolveTargets(target: string, root: string | undefined, cells: string[]):
  Promise<{ targets?: Target[]; diagnostics: Diagnostic[]; sources: Map<string, Source>; root: string }> {
  const path = resolve(target);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const run = readRunDir(path);
    return { targets: [{ spec: run.spec, runDir: path, exists: true, hashes: run.record.hashes, direct: true }], diagnostics: [], sources: new Map(), root: root ? resolve(root) : defaultRoot(path) };
  }
  const theRoot = resolve(root ?? defaultRoot(path));
  if (!existsSync(path)) {
    return { diagnostics: [{ code: PROBE.badReportInput.code, severity: 'error', message: `no such file or run directory: ${target}`, related: [], hint: 'pass an .lssd file or a run directory under .lssd/runs/' }], sources: new Map(), root: theRoot };
  }
  const [{ compileFile }, { nodeHost }] = await Promise.all([import('../../compiler/index.ts'), import('../../runtime/host.ts')]);
  const out = compileFile(path, nodeHost());
  const sources = out.value?.sources ?? new Map();
  if (!out.value || out.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: out.diagnostics, sources, root: theRoot };
  const program = out.value;
  const unknown = cells.filter((c) => !program.experiments.some((e) => e.name === c));
  if (unknown.length) {
    return { diagnostics: [...out.diagnostics, { code: PROBE.badReportInput.code, severity: 'error', message: `no experiment named ${unknown.map((u) => `'${u}'`).join(', ')} in ${target}`, related: [],
      hint: `experiments: ${program.experiments.map((e) => e.name).join(', ')}` }], sources, root: theRoot };
  }
  const targets = program.experiments.filter((e) => cells.length === 0 || cells.includes(e.name)).map((spec) => {
    const hashes = stageHashes(spec, (n) => program.all.get(n));
    const runDir = runDirOf(theRoot, spec.name, hashes.pretrain);
    return { spec, runDir, exists: existsSync(runDir), hashes, direct: false };
  });
  return { targets, diagnostics: out.diagnostics, sources, root: theRoot };
}

export const command: Command = {
  name: 'probe',
  summary: 'probe pretrained runs on their tasks (HEAR MLP / LVU-style linear), cached by probe hash',
  usage,
  async run(args) {
    const parsed = parse(args);
    if (parsed.error) return usageError(args, usage, parsed.error);
    const flags = parsed.flags!;
    const resolved = await resolveTargets(flags.target!, flags.root, flags.cells).catch((e) => {
      if (isProbeError(e)) return { targets: undefined, diagnostics: [e.toDiagnostic()], sources: new Map(), root: '' };
      throw e;
    });
    if (resolved.diagnostics.length) process.stderr.write(renderForStderr(resolved.diagnostics, resolved.sources) + '\n');
    if (!resolved.targets) return 1;

    const [{ createRenderer, chooseMode }, { selectBackend }, { probeExperiment, resultsPath }, results] = await Promise.all([
      import('../../runtime/ui/index.ts'), import('../../runtime/train/backend.ts'), import('../../runtime/probes/index.ts'),
      import('../../runtime/orchestrate/results.ts')]);
    const mode = chooseMode(flags);
    const renderer = await createRenderer(mode);
    const ac = new AbortController();
    const onSignal = () => { if (ac.signal.aborted) process.exit(130); ac.abort(); };
    process.on('SIGINT', onSignal);
    const rows: { name: string; label: string; results: ProbeResult[] }[] = [];
    const diags: Diagnostic[] = [];
    try {
      for (const t of resolved.targets) {
        const emit = (e: TaggedRunEvent) => renderer.onEvent({ ...e, run: t.spec.name });
        if (!t.exists || !existsSync(join(t.runDir, 'checkpoints', 'final'))) {
          diags.push({ code: PROBE.noEncoder.code, severity: 'error', message: `experiment '${t.spec.name}' has no finished pretraining run (${t.runDir})`, related: [],
            hint: `run \`lssdc run ${flags.target}${flags.cells.length ? ' --cell ' + t.spec.name : ''}\` first` });
          continue;
        }
        if (t.spec.probes.length === 0) continue;
        if (flags.force) rmSync(resultsPath(t.runDir, t.hashes.probe), { force: true });
        await selectBackend((flags.backend ?? t.spec.runtime.backend) as 'auto');
        try {
          const r = await probeExperiment({ spec: t.spec, runDir: t.runDir, root: resolved.root, events: emit, signal: ac.signal, probeHash: t.hashes.probe });
          rows.push({ name: t.spec.name, label: t.spec.label, results: r });
        } catch (e) {
          if (isProbeError(e)) { diags.push((e as ProbeError).toDiagnostic()); continue; }
          throw e;
        }
        if (ac.signal.aborted) break;
      }
    } finally {
      await renderer.close();
      process.removeListener('SIGINT', onSignal);
    }
    if (diags.length) process.stderr.write(renderForStderr(diags, resolved.sources) + '\n');
    if (rows.length && mode !== 'json') process.stdout.write(results.formatResultsTable(results.buildResultsTable(rows)) + '\n');
    if (mode === 'json' && rows.length) process.stdout.write(JSON.stringify({ type: 'results', table: results.buildResultsTable(rows) }) + '\n');
    return ac.signal.aborted ? 130 : diags.some((d) => d.severity === 'error') ? 1 : 0;
  },
};
