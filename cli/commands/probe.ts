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
import { migrateLegacy } from '../../runtime/store/legacy.ts';
import { recordRef } from '../../runtime/store/refs.ts';
import { projectFileFor } from '../../runtime/host.ts';
import { PROFILE_ARGS, PROFILE_USAGE } from '../profile-flags.ts';
import { directoryProblem, parseArgs, usageError, useColor } from '../args.ts';

const usage = `usage: lssdc probe FILE.lssd | RUN_DIR [options]
       lssdc probe --embeddings DIR [--protocol NAME] [--json]

Probes pretrained runs without training: for each experiment of FILE (grid cells expanded) whose run
directory under <root>/runs/ has a final checkpoint — or for the one RUN_DIR given — the projection heads are
discarded, the frozen backbones embed every task's clips (mean over windows; cached per checkpoint and
task under RUN_DIR/embeddings/), and the spec's probes are trained (HEAR: MLP grid over k folds or
train/valid/test; LVU-style: linear, best epoch on validation) and reported on test. Results are cached
at RUN_DIR/probes/<probeHash12>/results.json; tasks that exist only at paper scale are skipped.
HEAR tasks follow hear-eval-kit's protocol (docs/probes.md).

--embeddings DIR scores embeddings of any model stored in hear-eval-kit's layout (a task directory with
<split>/<file>.embedding.npy, or a directory of them) with lssd's protocol: the stdlib's hear_mlp preset,
or the preset / task named by --protocol. --export-hear DIR writes each probed run's embeddings in that
layout (one directory per task; DIR/<experiment>/<task> when several experiments are probed), ready for
\`python3 -m heareval.predictions.runner\`.

options:
  --cell NAME      only this experiment (repeatable)
  --backend B      auto | tensorflow | wasm | cpu (default: the spec's runtime.backend)
  --force          ignore cached probe results (embeddings stay cached)
  --root DIR       where runs live (default: <project>/.lssd)
${PROFILE_USAGE}
  --plain | --json output mode for progress events
  --export-hear DIR  also write the embeddings in hear-eval-kit's on-disk layout
  --embeddings DIR   score precomputed embeddings (hear-eval-kit layout); no FILE or RUN_DIR
  --protocol NAME    with --embeddings: the preset or task whose probe settings are used (default hear_mlp)

Exit status: 0 ok, 1 errors (diagnostics printed), 2 usage, 130 interrupted.`;

interface Flags { target?: string; cells: string[]; compile: { profile?: string; catalogs?: string[] }; backend?: string; force: boolean; root?: string; plain: boolean; json: boolean; exportHear?: string; embeddings?: string; protocol?: string }

const PROBE_ARGS = { flags: ['--force', '--plain', '--json'], values: ['--backend', '--root', '--export-hear', '--embeddings', '--protocol', ...PROFILE_ARGS.values], repeat: ['--cell', ...PROFILE_ARGS.repeat], aliases: { '--runs-dir': '--root' } } as const;

function parse(args: string[]): { flags?: Flags; error?: string } {
  const p = parseArgs(args, PROBE_ARGS);
  if (typeof p === 'string') return { error: p };
  const backend = p.values.get('--backend');
  if (backend !== undefined && !['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) return { error: `--backend must be auto, tensorflow, wasm or cpu, got '${backend}'` };
  if (p.positional.length > 1) return { error: `one FILE or RUN_DIR, got '${p.positional[0]}' and '${p.positional[1]}'` };
  const embeddings = p.values.get('--embeddings'); const protocol = p.values.get('--protocol'); const exportHear = p.values.get('--export-hear');
  const cells = p.lists.get('--cell') ?? [];
  if (embeddings !== undefined && (p.positional.length || exportHear !== undefined || cells.length)) return { error: '--embeddings takes no FILE, RUN_DIR, --cell or --export-hear' };
  if (protocol !== undefined && embeddings === undefined) return { error: '--protocol goes with --embeddings' };
  if (protocol !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(protocol)) return { error: `--protocol must name a preset or task, got '${protocol}'` };
  if (!p.positional.length && embeddings === undefined) return { error: 'missing FILE.lssd or RUN_DIR' };
  const dirProblem = directoryProblem(p.positional[0], 'file-or-dir');
  if (dirProblem) return { error: dirProblem };
  const compile = { ...(p.values.has('--profile') ? { profile: p.values.get('--profile') } : {}), ...(p.lists.get('--catalog')?.length ? { catalogs: p.lists.get('--catalog') } : {}) };
  return { flags: { target: p.positional[0], cells, compile, backend, force: p.flags.has('--force'), root: p.values.get('--root'), plain: p.flags.has('--plain'), json: p.flags.has('--json'),
    exportHear, embeddings, protocol } };
}

/** Diagnostics as the compiler renders them (source line, carets, hint), colored on a terminal. */
export function renderForStderr(ds: Diagnostic[], sources: Map<string, Source>): string {
  return renderDiagnostics(ds, sources, { color: useColor(process.stderr) });
}

export interface Target { spec: ResolvedSpec; runDir: string; exists: boolean; hashes: { pretrain: string; probe: string }; direct: boolean; profile: string | null }

/** Compiles FILE and maps its experiments to run directories by stage hash; or reads one RUN_DIR. */
export async function resolveTargets(target: string, root: string | undefined, cells: string[], compile: { profile?: string; catalogs?: string[] } = {}):
  Promise<{ targets?: Target[]; diagnostics: Diagnostic[]; sources: Map<string, Source>; root: string }> {
  const path = resolve(target);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const run = readRunDir(path);
    return { targets: [{ spec: run.spec, runDir: path, exists: true, hashes: run.record.hashes, direct: true, profile: run.record.profile ?? null }], diagnostics: [], sources: new Map(), root: root ? resolve(root) : defaultRoot(path) };
  }
  const theRoot = resolve(root ?? defaultRoot(path));
  if (!existsSync(path)) {
    return { diagnostics: [{ code: PROBE.badReportInput.code, severity: 'error', message: `no such file or run directory: ${target}`, related: [], hint: 'pass an .lssd file or a run directory under .lssd/runs/' }], sources: new Map(), root: theRoot };
  }
  const [{ compileFile }, { nodeHost }] = await Promise.all([import('../../compiler/index.ts'), import('../../runtime/host.ts')]);
  const out = compileFile(path, nodeHost(), { project: projectFileFor(path), ...compile });
  const sources = out.value?.sources ?? new Map();
  if (!out.value || out.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: out.diagnostics, sources, root: theRoot };
  const program = out.value;
  const unknown = cells.filter((c) => !program.experiments.some((e) => e.name === c));
  if (unknown.length) {
    return { diagnostics: [...out.diagnostics, { code: PROBE.badReportInput.code, severity: 'error', message: `no experiment named ${unknown.map((u) => `'${u}'`).join(', ')} in ${target}`, related: [],
      hint: `experiments: ${program.experiments.map((e) => e.name).join(', ')}` }], sources, root: theRoot };
  }
  // Runs of the old layout (runs/<name>-<hash>) move into the store first (runtime/store/legacy.ts).
  migrateLegacy(theRoot);
  const targets = program.experiments.filter((e) => cells.length === 0 || cells.includes(e.name)).map((spec) => {
    const hashes = stageHashes(spec, (n) => program.all.get(n));
    const runDir = runDirOf(theRoot, hashes.pretrain);
    return { spec, runDir, exists: existsSync(runDir), hashes, direct: false, profile: program.profile?.name ?? null };
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
    if (flags.embeddings) return probeEmbeddings(flags);
    const resolved = await resolveTargets(flags.target!, flags.root, flags.cells, flags.compile).catch((e) => {
      if (isProbeError(e)) return { targets: undefined, diagnostics: [e.toDiagnostic()], sources: new Map(), root: '' };
      throw e;
    });
    if (resolved.diagnostics.length) process.stderr.write(renderForStderr(resolved.diagnostics, resolved.sources) + '\n');
    if (!resolved.targets) return 1;

    const [{ createRenderer, chooseMode }, { selectBackend }, { probeExperiment, resultsPath, exportExperimentEmbeddings }, results] = await Promise.all([
      import('../../runtime/ui/index.ts'), import('../../runtime/train/backend.ts'), import('../../runtime/probes/index.ts'),
      import('../../runtime/orchestrate/results.ts')]);
    const mode = chooseMode(flags);
    const renderer = await createRenderer(mode);
    const ac = new AbortController();
    const onSignal = () => { if (ac.signal.aborted) process.exit(130); ac.abort(); };
    process.on('SIGINT', onSignal);
    const rows: { name: string; label: string; results: ProbeResult[] }[] = [];
    const diags: Diagnostic[] = [];
    const exported: string[] = [];
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
          // A probe is a use of the entry (`lssdc gc` keeps entries used recently).
          if (!t.direct) recordRef(t.runDir, { name: t.spec.name, label: t.spec.label, profile: t.profile, file: resolve(flags.target!), probeHash: t.hashes.probe, used: new Date().toISOString() });
          if (flags.exportHear && !ac.signal.aborted) {
            const out = resolved.targets.length > 1 ? join(resolve(flags.exportHear), t.spec.name) : resolve(flags.exportHear);
            const dirs = await exportExperimentEmbeddings({ spec: t.spec, runDir: t.runDir, root: resolved.root, events: emit, signal: ac.signal, out });
            exported.push(...dirs);
          }
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
    if (exported.length) process.stdout.write(mode === 'json' ? JSON.stringify({ type: 'export-hear', dirs: exported }) + '\n' : exported.map((d) => `hear-eval-kit layout: ${d}`).join('\n') + '\n');
    return ac.signal.aborted ? 130 : diags.some((d) => d.severity === 'error') ? 1 : 0;
  },
};

/** The probe settings of preset or task `name` (stdlib, via `import "cpu"`), as a ProbeSpec for local data. */
async function protocolSpec(name: string): Promise<{ spec?: ResolvedSpec; diagnostics: Diagnostic[]; sources: Map<string, Source> }> {
  const [{ compileFile }, { nodeHost }] = await Promise.all([import('../../compiler/index.ts'), import('../../runtime/host.ts')]);
  const virtual = resolve('<embeddings-protocol>.lssd');
  const text = `import "cpu"\ntask embeddings_protocol extends ${name} {\n  suite = local\n  modality = audio\n  source = dir(".")\n}\n` +
    'experiment embeddings_probe extends cpu_small {\n  probes = [embeddings_protocol]\n}\n';
  const base = nodeHost();
  const host = { ...base, readFile: (p: string) => (resolve(p) === virtual ? text : base.readFile(p)) };
  const out = compileFile(virtual, host);
  const sources = out.value?.sources ?? new Map();
  if (!out.value || out.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: out.diagnostics, sources };
  return { spec: out.value.experiments[0], diagnostics: [], sources };
}

/** `lssdc probe --embeddings DIR`: precomputed embeddings (hear-eval-kit layout) through lssd's protocol. */
async function probeEmbeddings(flags: Flags): Promise<number> {
  const proto = await protocolSpec(flags.protocol ?? 'hear_mlp');
  if (!proto.spec) {
    process.stderr.write(renderForStderr(proto.diagnostics, proto.sources) + '\n');
    process.stderr.write(`error: --protocol '${flags.protocol}' is not a preset or task with probe settings\n`);
    return 1;
  }
  const [{ createRenderer, chooseMode }, { selectBackend }, { probeEmbeddingsDir }, results] = await Promise.all([
    import('../../runtime/ui/index.ts'), import('../../runtime/train/backend.ts'), import('../../runtime/probes/index.ts'),
    import('../../runtime/orchestrate/results.ts')]);
  const mode = chooseMode(flags);
  const renderer = await createRenderer(mode);
  const ac = new AbortController();
  const onSignal = () => { if (ac.signal.aborted) process.exit(130); ac.abort(); };
  process.on('SIGINT', onSignal);
  let rows: ProbeResult[] = [];
  try {
    await selectBackend((flags.backend ?? 'auto') as 'auto');
    rows = await probeEmbeddingsDir(resolve(flags.embeddings!), proto.spec.probes[0], { events: (e) => renderer.onEvent({ ...e, run: 'embeddings' }), signal: ac.signal });
  } catch (e) {
    await renderer.close();
    process.removeListener('SIGINT', onSignal);
    if (isProbeError(e)) { process.stderr.write(renderForStderr([(e as ProbeError).toDiagnostic()], new Map()) + '\n'); return 1; }
    throw e;
  }
  await renderer.close();
  process.removeListener('SIGINT', onSignal);
  const table = results.buildResultsTable([{ name: 'embeddings', label: resolve(flags.embeddings!), results: rows }]);
  if (mode === 'json') process.stdout.write(JSON.stringify({ type: 'results', table, results: rows }) + '\n');
  else process.stdout.write(results.formatResultsTable(table) + '\n');
  return ac.signal.aborted ? 130 : 0;
}

