// `lssdc check [--json] [--strict] PATH…`: compile files (directories: every *.lssd below, recursively)
// and report diagnostics. Prints only a summary when all is well. Exit 0 ok, 1 errors (or warnings
// with --strict), 2 usage.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../main.ts';
import { compileFile, type Program } from '../../compiler/index.ts';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import type { Source } from '../../grammar/ast.ts';
import { diagnosticsToJson, renderDiagnostics } from '../../compiler/render.ts';
import { displayPath, nodeHost } from '../../runtime/host.ts';
import { parseArgs, usageError, useColor } from '../args.ts';

const USAGE = `usage: lssdc check [options] PATH...

Compile .lssd files (a directory means every *.lssd file below it) and report diagnostics.

options:
  --json       print diagnostics and the summary as JSON on stdout
  --strict     treat warnings as errors (exit 1)
  --no-color   plain output (default: color when stderr is a terminal)
  --quiet      no summary line
  --watch      keep running: re-check when a checked file or anything it imports changes`;

export { parseArgs, type ParsedArgs } from '../args.ts';

/** Expand files and directories (recursively, *.lssd, sorted) into file paths; reports missing paths. */
export function collectFiles(paths: string[]): { files: string[]; missing: string[] } {
  const files: string[] = []; const missing: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.endsWith('.lssd')) files.push(displayPath(p));
    }
  };
  for (const p of paths) {
    let st;
    try { st = statSync(p); } catch { missing.push(p); continue; }
    if (st.isDirectory()) walk(p); else files.push(displayPath(p));
  }
  return { files: [...new Set(files)], missing };
}

export interface CheckResult {
  programs: { file: string; program?: Program }[];
  diagnostics: Diagnostic[];
  sources: Map<string, Source>;
}

/** Compile every file; diagnostics from shared imports (stdlib, parents) are reported once. */
export function checkFiles(files: string[]): CheckResult {
  const host = nodeHost();
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, Source>();
  const programs: CheckResult['programs'] = [];
  for (const file of files) {
    const r = compileFile(file, host);
    programs.push({ file, program: r.value });
    for (const [k, s] of r.value?.sources ?? []) sources.set(k, s);
    for (const d of r.diagnostics) {
      const key = `${d.code}|${d.span?.file}|${d.span?.start.offset}|${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key); diagnostics.push(d);
    }
  }
  return { programs, diagnostics, sources };
}

export const command: Command = {
  name: 'check',
  summary: 'type-check .lssd files and directories',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, ['--json', '--strict', '--no-color', '--quiet', '--watch']);
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (!p.positional.length) return usageError(args, USAGE, 'no files given');
    if (p.flags.has('--watch')) {
      const { watchCheck } = await import('../watch.ts');
      return watchCheck(p.positional, (a) => command.run(a), args.filter((a) => a !== '--watch'));
    }
    const { files, missing } = collectFiles(p.positional);
    if (missing.length) { process.stderr.write(missing.map((m) => `error: no such file or directory: ${m}\n`).join('')); return 2; }
    if (!files.length) { process.stderr.write(`error: no .lssd files under ${p.positional.join(', ')}\n`); return 2; }
    const { programs, diagnostics, sources } = checkFiles(files);
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
      const msg = `checked ${plural(files.length, 'file')}, ${plural(experiments, 'experiment')}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
      (failed ? process.stderr : process.stdout).write(msg + '\n');
    }
    return failed ? 1 : 0;
  },
};
