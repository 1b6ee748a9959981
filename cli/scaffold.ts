// Shared by `lssdc init` and `lssdc new`: check generated files before writing them (the compiler
// reads them through an in-memory overlay on the disk), then write them without ever overwriting.
import { existsSync, linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { CompilerHost } from '../compiler/host.ts';
import type { Diagnostic } from '../compiler/diagnostic.ts';
import { compileFile } from '../compiler/index.ts';
import { SCAFFOLD, diag } from '../compiler/messages.ts';
import { displayPath, nodeHost } from '../runtime/host.ts';

/** Files to create, by absolute path. */
export type NewFiles = Map<string, string>;

/** A host that sees `files` (absolute paths) as if they were written already. */
export function overlayHost(files: NewFiles, cwd = process.cwd()): CompilerHost {
  const disk = nodeHost({ cwd });
  const abs = (p: string) => resolve(cwd, p);
  return {
    stdlibDir: disk.stdlibDir,
    readFile: (p) => files.get(abs(p)) ?? disk.readFile(p),
    resolveImport(spec, from) {
      if (spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec)) {
        const t = resolve(cwd, dirname(from), spec);
        for (const c of [t, `${t}.lssd`]) if (files.has(c)) return displayPath(c, cwd);
      }
      return disk.resolveImport(spec, from);
    },
  };
}

/** LSSD7001 for every file that already exists (nothing is written when there is one). */
export function inTheWay(files: NewFiles): Diagnostic[] {
  return [...files.keys()].filter((p) => existsSync(p)).map((p) => diag(SCAFFOLD.wouldOverwrite, undefined, `${displayPath(p)} already exists`, {
    hint: 'nothing was written; move the file away or pick another directory or name',
  }));
}

/** Compiles each `.lssd` entry of `files` as it would be on disk; LSSD7004 plus the compiler's diagnostics on errors. */
export function checkGenerated(files: NewFiles, entries: string[]): Diagnostic[] {
  const host = overlayHost(files);
  const out: Diagnostic[] = [];
  for (const e of entries) {
    const r = compileFile(displayPath(e), host);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      out.push(diag(SCAFFOLD.scaffoldInvalid, undefined, `the generated ${displayPath(e)} does not check; nothing was written`, { hint: 'this is a bug in lssd: please report it with the diagnostics below' }), ...errors);
    }
  }
  return out;
}

/** Writes every file, never replacing one (a hard link from a temp file fails if the target exists). */
export function writeNew(files: NewFiles): void {
  for (const [path, text] of files) {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    try { linkSync(tmp, path); } finally { unlinkSync(tmp); }
  }
}
