// The compiler is pure: it reads files only through this interface. The CLI passes a Node-backed host
// (runtime/host.ts); tests pass an in-memory one.
export interface CompilerHost {
  /** Read a file; undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** Resolve `spec` (as written in an import) relative to the importing file `from`. Returns undefined if not found. */
  resolveImport(spec: string, from: string): string | undefined;
  /** Absolute path of the stdlib directory (stdlib/). */
  stdlibDir: string;
}
