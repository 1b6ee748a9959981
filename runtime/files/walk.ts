// Expands command-line paths into .lssd files without ever throwing on the user's tree: each path that
// cannot be used is a diagnostic naming it, and the walk goes on (runtime/files/README.md).
import { readdirSync, realpathSync, statSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { diag, M } from '../../compiler/messages.ts';
import { displayPath } from '../host.ts';

/** Why a path failed, in words (the errno code stays in the message for searching). */
export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'operation not permitted', ELOOP: 'too many levels of symbolic links',
    ENOENT: 'no such file or directory', ENOTDIR: 'not a directory', ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system', EIO: 'input/output error', EISDIR: 'is a directory',
    ENAMETOOLONG: 'file name too long', EMFILE: 'too many open files', EBUSY: 'resource busy',
  };
  return err?.code ? `${words[err.code] ?? 'failed'} (${err.code})` : String(err?.message ?? e);
}

export interface Collected {
  files: string[];
  /** Operands that do not exist at all (the caller's usage error, exit 2). */
  missing: string[];
  diagnostics: Diagnostic[];
}

export function collectFiles(paths: readonly string[]): Collected {
  const files: string[] = []; const missing: string[] = []; const diagnostics: Diagnostic[] = [];
  const seenDirs = new Set<string>();
  const walk = (dir: string, real: string) => {
    seenDirs.add(real);
    let names: string[];
    try { names = readdirSync(dir).sort(); } catch (e) {
      diagnostics.push(diag(M.pathUnreadable, undefined, `cannot read directory ${displayPath(dir)}: ${reason(e)}; its files were not checked`,
        { hint: 'fix its permissions, or leave it out of the paths given' }));
      return;
    }
    for (const name of names) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(dir, name);
      let st;
      try { st = statSync(p); } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        let isLink = false;
        try { isLink = lstatSync(p).isSymbolicLink(); } catch { /* vanished */ }
        if (isLink && code === 'ENOENT') {
          if (name.endsWith('.lssd')) diagnostics.push(diag(M.danglingSymlink, undefined, `${displayPath(p)} is a symbolic link to nothing; skipped`));
        } else if (isLink && code === 'ELOOP') {
          diagnostics.push(diag(M.symlinkLoop, undefined, `${displayPath(p)} is a symbolic link loop; not followed`));
        } else {
          diagnostics.push(diag(M.pathUnreadable, undefined, `cannot read ${displayPath(p)}: ${reason(e)}`));
        }
        continue;
      }
      if (st.isDirectory()) {
        let r: string;
        try { r = realpathSync(p); } catch (e) { diagnostics.push(diag(M.pathUnreadable, undefined, `cannot read directory ${displayPath(p)}: ${reason(e)}`)); continue; }
        if (seenDirs.has(r)) {
          diagnostics.push(diag(M.symlinkLoop, undefined, `${displayPath(p)} leads back to ${displayPath(r)}, already walked; not followed`));
          continue;
        }
        walk(p, r);
      } else if (name.endsWith('.lssd') && st.isFile()) files.push(displayPath(p));
    }
  };
  for (const p of paths) {
    if (p === '-') { files.push('-'); continue; }
    let st;
    try { st = statSync(p); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        let link = false;
        try { link = lstatSync(p).isSymbolicLink(); } catch { /* really missing */ }
        if (link) diagnostics.push(diag(M.pathUnreadable, undefined, `${p} is a symbolic link to nothing`));
        else missing.push(p);
      } else diagnostics.push(diag(M.pathUnreadable, undefined, `cannot read ${p}: ${reason(e)}`));
      continue;
    }
    if (st.isDirectory()) {
      try { walk(p, realpathSync(p)); } catch (e) { diagnostics.push(diag(M.pathUnreadable, undefined, `cannot read directory ${p}: ${reason(e)}`)); }
    } else files.push(displayPath(p));
  }
  return { files: [...new Set(files)], missing, diagnostics };
}
