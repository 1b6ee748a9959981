// `lssdc lsp`: the language server (LSP 3.17 over stdio), built on the compiler. Diagnostics are the
// compiler's own — the same codes, text, related spans and hints as `lssdc check` — computed as you
// type (debounced) for every open document with unsaved documents layered over the disk, so
// `extends`, `init from` and imports see the edited text. Features: hover, completion, definition,
// references, rename (experiments, presets), formatting (compiler/fmt), document symbols, quick fixes.
import {
  CodeActionKind, createConnection, DiagnosticSeverity, DocumentSymbol, LSPErrorCodes, ResponseError, SymbolKind, TextDocumentSyncKind, TextDocuments,
  type Connection, type Diagnostic as LspDiagnostic, type InitializeParams, type Range,
} from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Span } from '../grammar/ast.ts';
import { parse } from '../grammar/index.ts';
import type { Diagnostic } from '../compiler/diagnostic.ts';
import { format } from '../compiler/fmt.ts';
import { PROJECT_FILE } from '../compiler/bindings.ts';
import { withCatalogTitles } from '../runtime/host.ts';
import { defaultRoot } from '../runtime/paths.ts';
import { Workspace } from './workspace.ts';
import { hover } from './hover.ts';
import { complete } from './complete.ts';
import { definition, documentSymbols, importReferences, references, rename, renameTarget, targetAt, type Sym } from './navigate.ts';
import { fixesFor } from './actions.ts';

export interface ServerOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Delay between the last edit and the re-check, in ms (default 150; `initializationOptions.debounceMs` overrides). */
  debounceMs?: number;
}

const toRange = (s: Span): Range => ({ start: { line: s.start.line - 1, character: s.start.column - 1 }, end: { line: s.end.line - 1, character: s.end.column - 1 } });
const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function startServer(opts: ServerOptions): Connection {
  const connection = createConnection(opts.input, opts.output);
  const documents = new TextDocuments(TextDocument);
  let ws: Workspace | undefined;
  let debounceMs = opts.debounceMs ?? 150;
  let timer: NodeJS.Timeout | undefined;
  /** Files we published non-empty diagnostics for, so they can be cleared. */
  let published = new Set<string>();
  const times: { file: string; ms: number; version: number }[] = [];

  const workspace = (): Workspace => {
    if (!ws) throw new Error('the server has not been initialised');
    return ws;
  };

  connection.onInitialize(async (params: InitializeParams) => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    const root = folder?.startsWith('file:') ? fileURLToPath(folder) : params.rootPath ?? process.cwd();
    const init = (params.initializationOptions ?? {}) as { debounceMs?: number; stdlibDir?: string };
    if (typeof init.debounceMs === 'number' && init.debounceMs >= 0) debounceMs = init.debounceMs;
    ws = new Workspace(root, init.stdlibDir);
    // A project file binds catalogs (or sets a profile): measure them, as `lssdc check` does.
    if (existsSync(join(root, PROJECT_FILE))) {
      const { catalogTitles } = await withCatalogTitles(ws.host, defaultRoot(root));
      if (catalogTitles) ws.enableFeasibility(catalogTitles);
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', '=', '(', '[', '"', ','] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentFormattingProvider: true,
        documentSymbolProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'lssd', version: '0.1.0' },
    };
  });

  // ---- diagnostics -------------------------------------------------------------------------------
  const toLsp = (d: Diagnostic): LspDiagnostic => {
    const w = workspace();
    return {
      range: d.span ? toRange(d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: SEVERITY[d.severity],
      code: d.code,
      source: 'lssd',
      message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
      relatedInformation: d.related.map((r) => ({ location: { uri: w.uriOf(r.span.file), range: toRange(r.span) }, message: r.message })),
      data: { hint: d.hint },
    };
  };

  const recheck = () => {
    timer = undefined;
    const w = workspace();
    const byFile = new Map<string, Map<string, Diagnostic>>();
    for (const path of w.docs.keys()) {
      const before = w.cached(path);
      const r = w.check(path);
      if (r !== before) {
        if (times.length > 1000) times.shift();
        times.push({ file: path, ms: r.ms, version: r.version });
      }
      byFile.set(path, byFile.get(path) ?? new Map());
      for (const d of r.diagnostics) {
        // A diagnostic without a location belongs to the file whose compile raised it.
        const file = d.span?.file ?? path;
        const m = byFile.get(file) ?? new Map<string, Diagnostic>();
        m.set(`${d.code}|${d.span?.start.offset}|${d.span?.end.offset}|${d.message}`, d);
        byFile.set(file, m);
      }
    }
    const now = new Set<string>();
    for (const [file, ds] of byFile) {
      if (ds.size) now.add(file);
      void connection.sendDiagnostics({ uri: w.uriOf(file), diagnostics: [...ds.values()].map(toLsp) });
    }
    for (const file of published) if (!byFile.has(file)) void connection.sendDiagnostics({ uri: w.uriOf(file), diagnostics: [] });
    published = now;
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => guard('diagnostics', recheck), debounceMs);
  };
  const guard = <T>(what: string, f: () => T): T | null => {
    try { return f(); } catch (e) {
      // A bug in the server must not take the editor's session down: report it and answer nothing.
      connection.console.error(`lssd: ${what} failed: ${(e as Error)?.stack ?? String(e)}`);
      return null;
    }
  };

  documents.onDidOpen((e) => { workspace().open(e.document.uri, e.document.getText(), e.document.version); schedule(); });
  documents.onDidChangeContent((e) => { workspace().open(e.document.uri, e.document.getText(), e.document.version); schedule(); });
  documents.onDidClose((e) => { workspace().close(e.document.uri); schedule(); });
  connection.onDidChangeWatchedFiles(() => { workspace().invalidate(); schedule(); });

  // ---- requests ----------------------------------------------------------------------------------
  const at = (uri: string, pos: { line: number; character: number }) => {
    const w = workspace();
    const doc = documents.get(uri);
    const path = w.pathOf(uri);
    const text = doc?.getText() ?? w.text(path) ?? '';
    const offset = doc ? doc.offsetAt(pos) : TextDocument.create(uri, 'lssd', 0, text).offsetAt(pos);
    return { w, path, text, offset };
  };

  connection.onHover((p) => guard('hover', () => {
    const { w, path, offset } = at(p.textDocument.uri, p.position);
    const loaded = w.load(path);
    const file = loaded.files.get(path);
    if (!file) return null;
    const program = w.docs.has(path) ? w.check(path).program : undefined;
    const h = hover(file, offset, loaded, program);
    return h ? { contents: { kind: 'markdown', value: h.markdown }, range: toRange(h.span) } : null;
  }));

  connection.onCompletion((p) => guard('completion', () => {
    const { w, path, text, offset } = at(p.textDocument.uri, p.position);
    const dir = resolve(w.root, dirname(path));
    let siblings: string[] = [];
    try { siblings = readdirSync(dir).filter((n) => n.endsWith('.lssd') && resolve(dir, n) !== resolve(w.root, path)).map((n) => `./${n}`); } catch { /* an untitled document has no directory */ }
    return complete({ text, offset, loaded: w.load(path), siblings });
  }));

  connection.onDefinition((p) => guard('definition', () => {
    const { w, path, offset } = at(p.textDocument.uri, p.position);
    const d = definition(w, path, offset);
    if (!d) return null;
    return { uri: w.uriOf(d.file), range: d.span ? toRange(d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  }));

  connection.onReferences((p) => guard('references', () => {
    const { w, path, offset } = at(p.textDocument.uri, p.position);
    const imports = importReferences(w, path, offset);
    if (imports) return imports.map((l) => ({ uri: w.uriOf(l.file), range: toRange(l.span) }));
    const t = targetAt(w, path, offset);
    if (!t) return [];
    return references(w, t, p.context.includeDeclaration).map((o) => ({ uri: w.uriOf(o.file), range: toRange(o.span) }));
  }));

  // A refused rename answers with an error the editor shows ("only experiments and presets …").
  const refuse = (message: string) => new ResponseError(LSPErrorCodes.RequestFailed, message);
  connection.onPrepareRename((p) => {
    const r = guard('rename', () => { const { w, path, offset } = at(p.textDocument.uri, p.position); return renameTarget(w, path, offset); });
    if (r === null) return null;
    if (typeof r === 'string') throw refuse(r);
    return { range: toRange(r.span), placeholder: r.target.name };
  });

  connection.onRenameRequest((p) => {
    const { w, path, offset } = at(p.textDocument.uri, p.position);
    const r = guard('rename', () => renameTarget(w, path, offset));
    if (r === null) return null;
    if (typeof r === 'string') throw refuse(r);
    const edits = guard('rename', () => rename(w, r.target, p.newName));
    if (edits === null) return null;
    if (typeof edits === 'string') throw refuse(edits);
    const changes: Record<string, { range: Range; newText: string }[]> = {};
    for (const [file, es] of edits) changes[w.uriOf(file)] = es.map((e) => ({ range: toRange(e.span), newText: e.newText }));
    return { changes };
  });

  connection.onDocumentFormatting((p) => guard('formatting', () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    const text = doc.getText();
    const r = parse({ name: workspace().pathOf(doc.uri), text });
    // A file with syntax errors is left as it is (as `lssdc fmt` does); the errors are already shown.
    if (r.diagnostics.length) return [];
    const out = format(r.value!);
    if (out === text) return [];
    return [{ range: { start: doc.positionAt(0), end: doc.positionAt(text.length) }, newText: out }];
  }));

  connection.onDocumentSymbol((p) => guard('symbols', () => {
    const w = workspace();
    const path = w.pathOf(p.textDocument.uri);
    const text = documents.get(p.textDocument.uri)?.getText() ?? w.text(path);
    if (text === undefined) return [];
    const file = parse({ name: path, text }).value!;
    const kinds: Record<Sym['kind'], SymbolKind> = {
      experiment: SymbolKind.Class, preset: SymbolKind.Interface, backbone: SymbolKind.Module, task: SymbolKind.Event,
      grid: SymbolKind.Array, section: SymbolKind.Namespace, field: SymbolKind.Field, profile: SymbolKind.Package, project: SymbolKind.Object,
    };
    const conv = (s: Sym): DocumentSymbol => DocumentSymbol.create(s.name, s.detail || undefined, kinds[s.kind], toRange(s.span), toRange(s.selection), s.children.map(conv));
    return documentSymbols(file).map(conv);
  }));

  connection.onCodeAction((p) => guard('code actions', () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    const out = [];
    for (const d of p.context.diagnostics) {
      if (d.source !== 'lssd') continue;
      const hint = (d.data as { hint?: string } | undefined)?.hint;
      const text = doc.getText(d.range);
      for (const f of fixesFor(hint, text)) {
        out.push({ title: f.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [doc.uri]: [{ range: d.range, newText: f.newText }] } } });
      }
    }
    return out;
  }));

  /** Check timings (compileFile wall time per re-check), for bench/lsp.ts. */
  connection.onRequest('lssd/checkTimes', () => times.slice());

  documents.listen(connection);
  connection.listen();
  return connection;
}
