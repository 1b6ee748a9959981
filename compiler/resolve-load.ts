// Loading: read the entry file and, transitively, everything it imports (docs/language.md §3), through
// the CompilerHost. Builds the program-wide symbol table (one namespace for all declarations).
import type { Decl, File, Source, Span } from '../grammar/ast.ts';
import { parse } from '../grammar/index.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { CompilerHost } from './host.ts';
import { M, diag } from './messages.ts';
import { preparsed } from './preparsed.ts';

export interface Symbol {
  decl: Decl;
  file: string;
}

export interface Loaded {
  entry: string;
  /** Parsed files by path, in load order (entry first). */
  files: Map<string, File>;
  sources: Map<string, Source>;
  symbols: Map<string, Symbol>;
}

// Parsing is pure, so a file whose text has not changed is parsed once per process (the stdlib is
// imported by every experiment of a `check experiments/` run). Bounded: oldest entries are dropped.
const parseCache = new Map<string, { text: string; r: ReturnType<typeof parse> }>();
const PARSE_CACHE_MAX = 64;
export function parseCached(source: Source): ReturnType<typeof parse> {
  const hit = parseCache.get(source.name);
  if (hit && hit.text === source.text) return hit.r;
  const pre = preparsed(source);
  const r = pre ? { value: pre, diagnostics: [] } : parse(source);
  parseCache.delete(source.name);
  parseCache.set(source.name, { text: source.text, r });
  if (parseCache.size > PARSE_CACHE_MAX) parseCache.delete(parseCache.keys().next().value!);
  return r;
}

/** Forgets every cached parse: the startup snapshot's build (cli/snapshot-entry.ts) parses files only to warm code up. */
export function clearParseCache(): void { parseCache.clear(); }

export function loadProgram(entry: string, host: CompilerHost, diagnostics: Diagnostic[]): Loaded {
  const loaded: Loaded = { entry, files: new Map(), sources: new Map(), symbols: new Map() };
  loadInto(loaded, entry, undefined, host, diagnostics);
  return loaded;
}

/**
 * Loads one more root (and what it imports) into a program: the project file (lssd.project) and the
 * stdlib's profiles when a profile is asked for. Its declarations join the one namespace.
 */
export function loadInto(loaded: Loaded, root: string, rootSpan: Span | undefined, host: CompilerHost, diagnostics: Diagnostic[]): void {
  const { files, sources, symbols } = loaded;
  const queue: { path: string; from?: Span }[] = [{ path: root, from: rootSpan }];
  while (queue.length) {
    const { path, from } = queue.shift()!;
    if (files.has(path)) continue;
    const text = host.readFile(path);
    if (text === undefined) {
      diagnostics.push(diag(M.importNotFound, from, `cannot read '${path}'`));
      continue;
    }
    // A text in the parse cache passed this scan when it was cached (one regex pass over every stdlib
    // file per entry file is most of loading once the parse is cached).
    const problem = parseCache.get(path)?.text === text ? undefined : notLssdText(path, text);
    if (problem) {
      // Not quoted: it may be anything (/proc/self/environ, a binary); only its name and position are shown.
      diagnostics.push(diag(problem.kind === 'utf8' ? M.invalidUtf8 : M.notText, from, problem.message, { hint: problem.hint }));
      continue;
    }
    const source: Source = { name: path, text };
    const r = parseCached(source);
    if (r.diagnostics.length && from !== undefined && !/\.lssd$/.test(path) && path !== '<stdin>') {
      // An imported file not named *.lssd that does not parse is not lssd text: say so without quoting
      // it. The entry file is what the user (or an editor's unsaved buffer, `untitled:…`) asked for: its
      // errors are shown as lssd errors, as for stdin.
      diagnostics.push(diag(M.notText, from, `${path} is not lssd text (${r.diagnostics.length} syntax error${r.diagnostics.length === 1 ? '' : 's'}, first at line ${r.diagnostics[0].span?.start.line ?? 1}); not quoted`,
        { hint: 'lssd imports .lssd files; rename it to *.lssd to see its errors with source lines' }));
      continue;
    }
    sources.set(path, source);
    for (const d of r.diagnostics) diagnostics.push(d); // not push(...): a spread of 100 k overflows the stack
    const file = r.value!;
    files.set(path, file);
    for (const imp of file.imports) {
      const target = host.resolveImport(imp.path.value, path);
      if (target === undefined) {
        const rel = imp.path.value.startsWith('.') || imp.path.value.startsWith('/');
        diagnostics.push(diag(M.importNotFound, imp.path.span, `cannot find ${rel ? 'file' : 'stdlib module'} "${imp.path.value}"`, {
          hint: rel ? 'relative imports are resolved against the importing file' : 'stdlib modules: "paper", "controlled", "cpu", "backbones", "tasks", "profiles"; files are imported by relative path, e.g. "./A1.lssd"',
        }));
        continue;
      }
      const denied = host.checkImport?.(target, path);
      if (denied !== undefined) {
        diagnostics.push(diag(M.importOutsideRoot, imp.path.span, denied, {
          hint: 'allow it with `--allow-import DIR` or LSSD_ALLOW_IMPORT=DIR (`:`-separated), or copy the file into the project',
        }));
        continue;
      }
      queue.push({ path: target, from: imp.path.span });
    }
    for (const d of file.decls) {
      const prev = symbols.get(d.name.name);
      if (prev) {
        if (prev.decl === d) continue;
        diagnostics.push(diag(M.duplicateDecl, d.name.span, `'${d.name.name}' is already declared`, {
          related: [{ span: prev.decl.name.span, message: `first declared here (${prev.decl.declKind})` }],
          hint: 'declaration names are global across imported files; rename one of them',
        }));
        continue;
      }
      symbols.set(d.name.name, { decl: d, file: path });
    }
  }
}

/**
 * Why `text` is not lssd source, if it is not: invalid UTF-8 (the host's decoder left U+FFFD), or NUL
 * and other control characters that no lssd file contains (a binary, /proc/self/environ).
 */
export function notLssdText(path: string, text: string): { kind: 'utf8' | 'binary'; message: string; hint: string } | undefined {
  const at = (i: number) => { const before = text.slice(0, i).split('\n'); return `${before.length}:${before[before.length - 1].length + 1}`; };
  const bad = text.search(/[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f]/);
  if (bad >= 0) {
    return { kind: 'binary', message: `${path}:${at(bad)}: not lssd text (control character U+${text.charCodeAt(bad).toString(16).padStart(4, '0').toUpperCase()}); not quoted`,
      hint: 'lssd files are UTF-8 text; check what this path points to' };
  }
  const fffd = text.indexOf('\uFFFD');
  if (fffd >= 0) {
    return { kind: 'utf8', message: `${path}:${at(fffd)}: not valid UTF-8 (or a U+FFFD replacement character); not quoted`,
      hint: 'convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)' };
  }
  return undefined;
}
