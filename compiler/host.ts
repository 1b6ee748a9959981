// The compiler is pure: it reads files only through this interface. The CLI passes a Node-backed host
// (runtime/host.ts); tests pass an in-memory one.
import type { CatalogListing } from './feasibility.ts';
import type { CatalogSpec, DataSpec } from './spec.ts';

export interface CompilerHost {
  /** Read a file; undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** Resolve `spec` (as written in an import) relative to the importing file `from`. Returns undefined if not found. */
  resolveImport(spec: string, from: string): string | undefined;
  /**
   * Optional policy on a resolved import: a message when `target` (imported by `from`) may not be read —
   * the node host refuses files outside the importer's project unless allowed (LSSD5044).
   */
  checkImport?(target: string, from: string): string | undefined;
  /** Absolute path of the stdlib directory (stdlib/). */
  stdlibDir: string;
  /**
   * The titles of a bound catalog, for feasibility checks (`check` with `--profile`/`--catalog` or
   * lssd.project): an indexed directory's catalog, a catalog file's titles, the synthetic corpus's
   * title plan. `missing` when the catalog cannot be read yet (a directory not indexed yet, with how
   * to fix it). Optional: without it bindings are still applied, only not measured.
   */
  catalogTitles?(catalog: CatalogSpec, cuts: DataSpec['shots']['cut_detection']): CatalogListing | { missing: string };
}

/**
 * `host` with its answers remembered: each file is read, each import resolved and each import policy
 * asked once. For one command's run over many files (`check experiments/`: every file imports the
 * stdlib, every import used to cost a stat, a realpath and a walk up to the project root), which then
 * sees one consistent snapshot of the files. Not for long-lived hosts (the language server, `--watch`),
 * which must see edits: they keep the plain host.
 */
export function snapshotHost(host: CompilerHost): CompilerHost {
  const texts = new Map<string, string | undefined>();
  const imports = new Map<string, string | undefined>();
  const checks = new Map<string, string | undefined>();
  const memo = <T>(m: Map<string, T>, key: string, f: () => T): T => {
    if (m.has(key)) return m.get(key)!;
    const v = f(); m.set(key, v); return v;
  };
  const checkImport = host.checkImport;
  return {
    ...host,
    readFile: (path) => memo(texts, path, () => host.readFile(path)),
    resolveImport: (spec, from) => memo(imports, `${spec}\0${from}`, () => host.resolveImport(spec, from)),
    ...(checkImport ? { checkImport: (target: string, from: string) => memo(checks, `${target}\0${from}`, () => checkImport.call(host, target, from)) } : {}),
  };
}
