// `lssdc check [--json] [--strict] PATH…`: compile files (directories: every *.lssd below, recursively)
// and report diagnostics. Prints only a summary when all is well. Exit 0 ok, 1 errors (or warnings
// with --strict), 2 usage.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from '../main.ts';
import { compileFile, type Program } from '../../compiler/index.ts';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import type { Source } from '../../grammar/ast.ts';
import { diagnosticsToJson, renderDiagnostics } from '../../compiler/render.ts';
import { nodeHost } from '../../runtime/host.ts';
import { collectFiles as collectFilesOf, type Collected } from '../../runtime/files/walk.ts';
import { parseArgs, usageError, useColor } from '../args.ts';
import { existsSync } from 'node:fs';
import type { CompileOptions } from '../../compiler/index.ts';
import { snapshotHost, type CompilerHost } from '../../compiler/host.ts';
import { unusedBindings } from '../../compiler/bindings.ts';
import { defaultRoot } from '../../runtime/paths.ts';
import { projectFileFor, withCatalogTitles } from '../../runtime/host.ts';
import { compileOptions, PROFILE_ARGS, PROFILE_USAGE } from '../profile-flags.ts';

const USAGE = `usage: lssdc check [options] PATH...

Compile .lssd files (a directory means every *.lssd file below it; '-' or /dev/stdin reads standard
input) and report diagnostics.

options:
  --json       print diagnostics and the summary as JSON on stdout
  --strict     treat warnings as errors (exit 1)
  --no-color   plain output (default: color when stderr is a terminal)
  --quiet      no summary line
  --allow-import DIR  let imports read files under DIR outside the project (repeatable; also LSSD_ALLOW_IMPORT)
  --watch      keep running: re-check when a checked file or anything it imports changes
${PROFILE_USAGE}

With a profile or catalog bindings (flags or lssd.project), each bound catalog is measured: one info
line (LSSD2057) per experiment with the titles and shots its filters admit, its average dubs and the
languages present, plus the data diagnostics \`run\` would raise.`;

export { parseArgs, type ParsedArgs } from '../args.ts';

/**
 * Expand files and directories (recursively, *.lssd, sorted) into file paths (runtime/files/walk.ts):
 * missing operands, and diagnostics for paths that cannot be used (the walk goes on past them).
 * `-` and `/dev/stdin` stand for standard input.
 */
export function collectFiles(paths: string[]): Collected {
  return collectFilesOf(paths.map((p) => (p === '/dev/stdin' ? '-' : p)));
}

/** The name standard input gets in diagnostics. */
export const STDIN_NAME = '<stdin>';

/** The node host, with `-` / <stdin> read from standard input once (imports resolve from the cwd). */
export function hostWithStdin(host: CompilerHost = nodeHost()): CompilerHost {
  let stdin: string | undefined;
  const read = () => (stdin ??= readFileSync(0, 'utf8'));
  return {
    ...host,
    readFile: (path) => (path === STDIN_NAME || path === '-' ? read() : host.readFile(path)),
    resolveImport: (spec, from) => host.resolveImport(spec, from === STDIN_NAME ? join(process.cwd(), STDIN_NAME) : from),
  };
}

export interface CheckResult {
  programs: { file: string; program?: Program }[];
  diagnostics: Diagnostic[];
  sources: Map<string, Source>;
}

/**
 * Compile every file; diagnostics from shared imports (stdlib, parents) are reported once. The files are
 * read through one snapshot of `host` (compiler/host.ts snapshotHost): a file imported by many is read,
 * and each import resolved, once per call.
 */
export function checkFiles(files: string[], opts: (file: string) => CompileOptions = () => ({}), given: CompilerHost = hostWithStdin()): CheckResult {
  const host = snapshotHost(given);
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, Source>();
  const programs: CheckResult['programs'] = [];
  for (const given of files) {
    const file = given === '-' ? STDIN_NAME : given;
    const r = compileFile(file, host, opts(file));
    programs.push({ file, program: r.value });
    for (const [k, s] of r.value?.sources ?? []) sources.set(k, s);
    for (const d of r.diagnostics) {
      const key = `${d.code}|${d.span?.file}|${d.span?.start.offset}|${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key); diagnostics.push(d);
    }
  }
  // A binding no experiment of any checked file used is worth a word (once, not per file).
  diagnostics.push(...unusedBindings(programs.map((x) => x.program?.bindings ?? [])));
  return { programs, diagnostics, sources };
}

export const command: Command = {
  name: 'check',
  summary: 'type-check .lssd files and directories',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json', '--strict', '--no-color', '--quiet', '--watch'], ...PROFILE_ARGS, repeat: [...(PROFILE_ARGS.repeat ?? []), '--allow-import'] });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (!p.positional.length) return usageError(args, USAGE, 'no files given');
    if (p.flags.has('--watch')) {
      const { watchCheck } = await import('../watch.ts');
      return watchCheck(p.positional, (a) => command.run(a), args.filter((a) => a !== '--watch'));
    }
    const { files, missing, diagnostics: walked } = collectFiles(p.positional);
    if (missing.length) return usageError(args, USAGE, missing.map((m) => `no such file or directory: ${m}`).join('; '));
    if (!files.length && !walked.length) return usageError(args, USAGE, `no .lssd files under ${p.positional.join(', ')}`);
    // Bound catalogs are measured (the lister loads only then): with --profile/--catalog or a project file.
    // A file's project file depends only on its folder (collectFiles yields files): looked up once per
    // folder and command run, not twice per file (each lookup stats its way up to the package root).
    const projects = new Map<string, string>();
    const projectOf = (f: string) => {
      const dir = dirname(resolve(f));
      let pf = projects.get(dir);
      if (pf === undefined) { pf = projectFileFor(f); projects.set(dir, pf); }
      return pf;
    };
    const bound = p.values.has('--profile') || p.lists.has('--catalog') || files.some((f) => f !== '-' && existsSync(projectOf(f)));
    const base = hostWithStdin(nodeHost({ allowImports: p.lists.get('--allow-import') ?? [] }));
    const host = bound ? await withCatalogTitles(base, defaultRoot(files[0] ?? '.')) : base;
    const checked = checkFiles(files, (f) => compileOptions(p, f, { feasibility: true, project: projectOf(f) }), host);
    const { programs, sources } = checked;
    const diagnostics = [...walked, ...checked.diagnostics];
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
    const experiments = programs.reduce((n, x) => n + (x.program?.experiments.length ?? 0), 0);
    const failed = errors > 0 || (p.flags.has('--strict') && warnings > 0);
    if (p.flags.has('--json')) {
      process.stdout.write(JSON.stringify({ files: files.length, experiments, errors, warnings, ok: !failed, diagnostics: diagnosticsToJson(diagnostics) }, null, 2) + '\n');
      return failed ? 1 : 0;
    }
    if (diagnostics.length) {
      const color = useColor(process.stderr, p.flags.has('--no-color'));
      process.stderr.write(renderDiagnostics(diagnostics, sources, { color }) + '\n');
    }
    if (!p.flags.has('--quiet')) {
      const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
      const profiles = [...new Set(programs.map((x) => x.program?.profile?.name).filter(Boolean))];
      const msg = `checked ${plural(files.length, 'file')}, ${plural(experiments, 'experiment')}${profiles.length ? ` @ ${profiles.join(', ')}` : ''}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
      (failed ? process.stderr : process.stdout).write(msg + '\n');
    }
    return failed ? 1 : 0;
  },
};
