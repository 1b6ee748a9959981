// The one argument parser every `lssdc` command uses (cli/README.md §arguments), and the few output
// conventions that go with it: usage errors exit 2 (as JSON under --json), colour follows
// --no-color / NO_COLOR / FORCE_COLOR, `-` names stdin.
import { readdirSync, statSync } from 'node:fs';
import type { Diagnostic } from '../compiler/diagnostic.ts';
import { diag, M, nearest } from '../compiler/messages.ts';
import { diagnosticsToJson, renderDiagnostics } from '../compiler/render.ts';
import type { Source } from '../grammar/ast.ts';

/** What a command accepts. Anything else starting with `-` (except a lone `-`) is an unknown option. */
export interface ArgSpec {
  /** Boolean options, e.g. `['--json', '--force']`. `--json=x` is an error. */
  flags?: readonly string[];
  /** Options taking one value: `--root DIR` or `--root=DIR`. The last one given wins (see `repeat`). */
  values?: readonly string[];
  /** Value options that may repeat; every value is kept, in order, in `lists` (and the last in `values`). */
  repeat?: readonly string[];
  /** Other spellings: `{ '--runs-dir': '--root' }` files `--runs-dir X` under `--root`. */
  aliases?: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  /** Operands in order; everything after `--` is an operand; `-` (stdin) is an operand. */
  positional: string[];
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
}

/**
 * Parses `args` against `spec`; a string is the usage error to print (exit 2). The legacy form
 * `parseArgs(args, boolFlags, valueFlags)` is the same as `{ flags, values }`.
 * A value may not start with `--` (`--root --json` is "needs a value", not a directory named --json);
 * write `--root=--odd` for that.
 */
export function parseArgs(args: readonly string[], spec: ArgSpec | readonly string[], valueFlags: readonly string[] = []): ParsedArgs | string {
  const s: ArgSpec = Array.isArray(spec) ? { flags: spec as readonly string[], values: valueFlags } : spec as ArgSpec;
  const flags = new Set(s.flags ?? []); const values = new Set([...(s.values ?? []), ...(s.repeat ?? [])]);
  const aliases = s.aliases ?? {};
  const known = [...flags, ...values, ...Object.keys(aliases)];
  const out: ParsedArgs = { positional: [], flags: new Set(), values: new Map(), lists: new Map() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { out.positional.push(...args.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { out.positional.push(a); continue; }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const given = eq > 0 ? a.slice(0, eq) : a;
    const k = aliases[given] ?? given;
    if (flags.has(k)) {
      if (eq > 0) return `option ${given} takes no value (got '${a}')`;
      out.flags.add(k);
    } else if (values.has(k)) {
      const v = eq > 0 ? a.slice(eq + 1) : args[i + 1];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) return `option ${given} needs a value`;
      if (eq < 0) i++;
      out.values.set(k, v);
      const list = out.lists.get(k) ?? []; list.push(v); out.lists.set(k, list);
    } else {
      const guess = nearest(given, known);
      return `unknown option '${given}'${guess ? ` (did you mean '${guess}'?)` : ''}`;
    }
  }
  return out;
}

/** `--name N` as an integer ≥ min; undefined when absent; a string is the usage error. */
export function intOption(p: ParsedArgs, name: string, min: number): number | undefined | string {
  const v = p.values.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) return `${name} expects a whole number ≥ ${min}, got '${v}'`;
  return n;
}

/** `--name X` as a finite number; undefined when absent; a string is the usage error. */
export function numberOption(p: ParsedArgs, name: string): number | undefined | string {
  const v = p.values.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) return `${name} expects a number, got '${v}'`;
  return n;
}

/** True when the raw argv asks for JSON output (usable before parsing succeeded). */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}

/**
 * The one rule for a directory that gives a command nothing to work on (cli/README.md): an empty
 * directory, or a directory where the command takes a FILE, is a usage error (exit 2), as `check` and
 * `fmt` answer "no .lssd files under DIR". Returns the message, or undefined when `path` is fine
 * (not a directory, missing — the command says so itself — or a non-empty directory where allowed).
 */
export function directoryProblem(path: string | undefined, takes: 'file' | 'file-or-dir'): string | undefined {
  if (path === undefined || path === '-') return undefined;
  let entries: string[];
  try { if (!statSync(path).isDirectory()) return undefined; entries = readdirSync(path); } catch { return undefined; }
  if (entries.length === 0) return `${path} is an empty directory: nothing to work on`;
  if (takes === 'file') return `${path} is a directory; this command takes one .lssd FILE`;
  return undefined;
}

/**
 * Prints a usage error and returns exit code 2. Under `--json` the error is one JSON object on stdout
 * (`{"type":"error","kind":"usage","message",…}`) so tools never have to parse text.
 */
export function usageError(args: readonly string[], usage: string, message: string, hint?: string): number {
  if (wantsJson(args)) {
    process.stdout.write(JSON.stringify({ type: 'error', kind: 'usage', exitCode: 2, message, ...(hint ? { hint } : {}) }) + '\n');
  } else process.stderr.write(`error: ${message}${hint ? `\n  hint: ${hint}` : ''}\n\n${usage}\n`);
  return 2;
}

/**
 * Whether to colour output written to `stream`. Order: `--no-color` (flag) off; FORCE_COLOR set and not
 * `0`/`false` on; NO_COLOR set and non-empty off; FORCE_COLOR=0 off; otherwise on when a terminal.
 */
export function useColor(stream: { isTTY?: boolean }, noColorFlag = false, env: NodeJS.ProcessEnv = process.env): boolean {
  if (noColorFlag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force.toLowerCase() !== 'false') return true;
  if (env.NO_COLOR) return false;
  if (force !== undefined) return false;
  return !!stream.isTTY;
}

/**
 * Diagnostics to the user: rendered with source excerpts on stderr, or — under `--json` — one
 * `{"type":"diagnostic",…}` JSON line each on stdout (the shape of compiler/render's diagnosticsToJson).
 */
export function printDiagnostics(json: boolean, ds: readonly Diagnostic[], sources: Map<string, Source> | Source[], color = useColor(process.stderr)): void {
  if (!ds.length) return;
  if (json) { for (const d of diagnosticsToJson(ds)) process.stdout.write(JSON.stringify({ type: 'diagnostic', ...d }) + '\n'); return; }
  process.stderr.write(renderDiagnostics(ds, sources, { color }) + '\n');
}

/** A command's one FILE operand could not be read (missing, a device, …): LSSD5040 on stderr, exit 2. */
export function unreadableFile(file: string, noColor: boolean): number {
  const d = diag(M.pathUnreadable, undefined, `cannot read '${file}'`, { hint: 'give one .lssd file (a regular file or a pipe)' });
  printDiagnostics(false, [d], new Map(), useColor(process.stderr, noColor));
  return 2;
}
