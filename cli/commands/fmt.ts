// `lssdc fmt [--check] PATH…`: rewrite .lssd files in the canonical layout (compiler/fmt.ts).
// `--check` changes nothing: it lists files that would change and exits 1 (for CI).
// A file with syntax errors is left untouched and its diagnostics are printed.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Command } from '../main.ts';
import { parse } from '../../grammar/index.ts';
import { format } from '../../compiler/fmt.ts';
import { renderDiagnostics } from '../../compiler/render.ts';
import { collectFiles } from './check.ts';
import { parseArgs, usageError, useColor } from '../args.ts';

const USAGE = `usage: lssdc fmt [--check] PATH...

Rewrite .lssd files (a directory means every *.lssd below it) in the canonical layout. Comments are
kept; formatting twice changes nothing.

options:
  --check      do not write; list the files that would change and exit 1 if any
  --stdout     print the formatted text instead of writing (one file)
  --no-color   plain diagnostics`;

export const command: Command = {
  name: 'fmt',
  summary: 'format .lssd files in the canonical layout',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, ['--check', '--stdout', '--no-color']);
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (!p.positional.length) { process.stderr.write(`error: no files given\n\n${USAGE}\n`); return 2; }
    const { files, missing } = collectFiles(p.positional);
    if (missing.length) { process.stderr.write(missing.map((m) => `error: no such file or directory: ${m}\n`).join('')); return 2; }
    const color = useColor(process.stderr, p.flags.has('--no-color'));
    let failed = false;
    const changed: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const source = { name: file, text };
      const r = parse(source);
      if (r.diagnostics.length) {
        process.stderr.write(renderDiagnostics(r.diagnostics, [source], { color }) + '\n');
        failed = true; continue;
      }
      const out = format(r.value!);
      if (p.flags.has('--stdout')) { process.stdout.write(out); continue; }
      if (out === text) continue;
      changed.push(file);
      if (!p.flags.has('--check')) {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, out);
        renameSync(tmp, file);
      }
    }
    if (p.flags.has('--check')) {
      for (const f of changed) process.stdout.write(`would reformat ${f}\n`);
      return failed || changed.length ? 1 : 0;
    }
    if (!p.flags.has('--stdout') && changed.length) process.stderr.write(`formatted ${changed.length} file${changed.length === 1 ? '' : 's'}\n`);
    return failed ? 1 : 0;
  },
};
