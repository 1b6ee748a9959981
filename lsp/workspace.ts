// The server's view of the files: open documents (unsaved text) layered over the disk, one compiler
// run per open document, and the mapping between LSP URIs and the compiler's paths (relative to the
// workspace root when under it, as `lssdc check` prints them from the root).
import { readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { File } from '../grammar/ast.ts';
import { compileFile, type CompileOptions, type Program } from '../compiler/index.ts';
import type { Diagnostic } from '../compiler/diagnostic.ts';
import type { CompilerHost } from '../compiler/host.ts';
import { loadProgram, type Loaded } from '../compiler/resolve-load.ts';
import { nodeHost } from '../runtime/host.ts';

export interface OpenDocument {
  path: string;
  uri: string;
  text: string;
  version: number;
}

export interface CheckResult {
  path: string;
  /** Text version the result was computed from. */
  version: number;
  program?: Program;
  diagnostics: Diagnostic[];
  /** Files the compile read (the entry first). */
  files: string[];
  /** Wall time of compileFile, in milliseconds. */
  ms: number;
  /** Versions of the open documents among `files` when it ran. */
  stamps: Map<string, number>;
}

export class Workspace {
  readonly docs = new Map<string, OpenDocument>();
  readonly host: CompilerHost;
  private readonly disk: CompilerHost;
  private readonly checks = new Map<string, CheckResult>();
  /** How documents are compiled: `lssdc check`'s defaults (the project file's profile and bindings apply). */
  private options: CompileOptions = {};

  constructor(readonly root: string, stdlibDir?: string) {
    this.disk = nodeHost({ cwd: root, stdlibDir });
    const self = this;
    // The overlay: an open document's text wins over the file on disk, for the entry and for every
    // file it imports, so cross-file diagnostics follow unsaved edits.
    this.host = {
      stdlibDir: this.disk.stdlibDir,
      readFile(path) {
        const d = self.docs.get(self.normal(path));
        return d ? d.text : self.disk.readFile(path);
      },
      resolveImport(spec, from) {
        const onDisk = self.disk.resolveImport(spec, from);
        if (onDisk !== undefined) return onDisk;
        if (!(spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec))) return undefined;
        const target = resolve(root, dirname(from), spec);
        for (const p of [target, target + '.lssd']) if (self.docs.has(self.normal(p))) return self.normal(p);
        return undefined;
      },
    };
  }

  /** A compiler path (relative to the root where it lies under it). */
  normal(p: string): string {
    if (p.startsWith('untitled:')) return p;
    const abs = resolve(this.root, p);
    const rel = relative(this.root, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : abs;
  }

  pathOf(uri: string): string {
    return uri.startsWith('file:') ? this.normal(fileURLToPath(uri)) : uri;
  }

  uriOf(path: string): string {
    const d = this.docs.get(path);
    if (d) return d.uri;
    return path.startsWith('untitled:') ? path : pathToFileURL(resolve(this.root, path)).href;
  }

  open(uri: string, text: string, version: number): OpenDocument {
    const path = this.pathOf(uri);
    const d = { path, uri, text, version };
    this.docs.set(path, d);
    this.checks.delete(path);
    return d;
  }

  close(uri: string): void {
    const path = this.pathOf(uri);
    this.docs.delete(path);
    this.checks.delete(path);
  }

  text(path: string): string | undefined {
    return this.host.readFile(path);
  }

  /** The last result for `path`, without compiling. */
  cached(path: string): CheckResult | undefined { return this.checks.get(path); }

  /** Compile an open document (cached per text version). */
  check(path: string): CheckResult {
    const d = this.docs.get(path);
    const version = d?.version ?? -1;
    const hit = this.checks.get(path);
    // A cached result is only valid while neither this file nor anything it read has changed.
    if (hit && hit.version === version && hit.files.every((f) => this.stamp(f) === (hit.stamps.get(f) ?? -1))) return hit;
    const t0 = performance.now();
    const r = compileFile(path, this.host, this.options);
    const ms = performance.now() - t0;
    const files = [...(r.value?.sources.keys() ?? [path])];
    const stamps = new Map(files.filter((f) => this.docs.has(f)).map((f) => [f, this.stamp(f)]));
    const result: CheckResult = { path, version, program: r.value, diagnostics: r.diagnostics, files, ms, stamps };
    this.checks.set(path, result);
    return result;
  }

  /**
   * Measure bound catalogs as `lssdc check` does where a project file binds them (LSSD2057 and the
   * feasibility warnings): `catalogTitles` is runtime/host.ts's lister.
   */
  enableFeasibility(catalogTitles: NonNullable<CompilerHost['catalogTitles']>): void {
    this.host.catalogTitles = catalogTitles;
    this.options = { feasibility: true };
    this.checks.clear();
  }

  /** Files on disk changed (the client's file watcher): every cached result may be stale. */
  invalidate(): void { this.checks.clear(); }

  private stamp(path: string): number { return this.docs.get(path)?.version ?? -1; }

  /** Load (parse + symbol table, no resolution) the program seen from `path`. */
  load(path: string): Loaded {
    return loadProgram(path, this.host, []);
  }

  /** The parsed file at `path`, as the program loaded from it sees it. */
  fileAst(path: string): File | undefined {
    return this.load(path).files.get(path);
  }

  /** Every .lssd file of the workspace (below the root, skipping dot folders and node_modules), the open documents, and the stdlib. */
  files(): string[] {
    const out = new Set<string>();
    const walk = (dir: string, depth: number) => {
      if (depth > 12) return;
      let names: string[];
      try { names = readdirSync(dir).sort(); } catch { return; }
      for (const name of names) {
        if (name.startsWith('.') || name === 'node_modules') continue;
        const p = join(dir, name);
        let st; try { st = statSync(p); } catch { continue; }
        if (st.isDirectory()) walk(p, depth + 1);
        else if (name.endsWith('.lssd')) out.add(this.normal(p));
      }
    };
    walk(this.root, 0);
    walk(this.host.stdlibDir, 0);
    for (const p of this.docs.keys()) out.add(p);
    return [...out];
  }
}
