// Loading: read the entry file and, transitively, everything it imports (docs/language.md §3), through
// the CompilerHost. Builds the program-wide symbol table (one namespace for all declarations).
import type { Decl, File, Source, Span } from '../grammar/ast.ts';
import { parse } from '../grammar/index.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { CompilerHost } from './host.ts';
import { M, diag } from './messages.ts';

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
function parseCached(source: Source): ReturnType<typeof parse> {
  const hit = parseCache.get(source.name);
  if (hit && hit.text === source.text) return hit.r;
  const r = parse(source);
  parseCache.delete(source.name);
  parseCache.set(source.name, { text: source.text, r });
  if (parseCache.size > PARSE_CACHE_MAX) parseCache.delete(parseCache.keys().next().value!);
  return r;
}

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
    const source: Source = { name: path, text };
    sources.set(path, source);
    const r = parseCached(source);
    diagnostics.push(...r.diagnostics);
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
