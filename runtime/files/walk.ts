// Expands command-line paths into .lssd files without ever throwing on the user's tree: each path that
// cannot be used is a diagnostic naming it, and the walk goes on (runtime/files/README.md).
import { readdirSync, statSync, lstatSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
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

/** A file found by `walkTree` (symbolic links followed: `dev`/`ino` are the target's). */
export interface WalkedFile {
  /** As found under the root (`join(root, …)`), not resolved through links. */
  path: string;
  name: string;
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
}

export interface WalkOptions {
  /** Directory names not descended into, besides dot-names (default: `node_modules`). */
  skipDirs?: readonly string[];
  /** Whether a dangling symbolic link of this name is worth a warning (default: every name). */
  relevant?: (name: string) => boolean;
}

export interface WalkResult {
  /** Regular files in sorted depth-first order. */
  files: WalkedFile[];
  /** Directories not descended into by name (`skipDirs`, dot-names), for the caller's report. */
  skippedDirs: string[];
  diagnostics: Diagnostic[];
}

const devIno = (st: { dev: number; ino: number }) => `${st.dev}:${st.ino}`;

/**
 * Walks `root` depth-first in sorted order, visiting each real directory once: directories are keyed by
 * device and inode (as `find -L` does), so a symlink back up the tree (`sub/up -> ..`) or a second link to
 * a directory already walked is reported (LSSD5041) and not followed. Unreadable directories (LSSD5040),
 * symbolic-link loops on a single name (LSSD5041) and dangling links (LSSD5042) are diagnostics naming
 * the path; the walk goes on past each. Never throws for the tree's sake.
 */
export function walkTree(root: string, opts: WalkOptions = {}): WalkResult {
  const skip = new Set(opts.skipDirs ?? ['node_modules']);
  const relevant = opts.relevant ?? (() => true);
  const files: WalkedFile[] = []; const skippedDirs: string[] = []; const diagnostics: Diagnostic[] = [];
  const walked = new Map<string, string>();
  const walk = (dir: string, key: string) => {
    walked.set(key, dir);
    let names: string[];
    try { names = readdirSync(dir).sort(); } catch (e) {
      diagnostics.push(diag(M.pathUnreadable, undefined, `cannot read directory ${displayPath(dir)}: ${reason(e)}; its files were not read`,
        { hint: 'fix its permissions, or leave it out of the paths given' }));
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      if (name.startsWith('.') || skip.has(name)) {
        try { if (statSync(p).isDirectory()) skippedDirs.push(p); } catch { /* reported nowhere: never entered */ }
        continue;
      }
      let st;
      try { st = statSync(p); } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        let isLink = false;
        try { isLink = lstatSync(p).isSymbolicLink(); } catch { /* vanished */ }
        if (isLink && code === 'ENOENT') {
          if (relevant(name)) diagnostics.push(diag(M.danglingSymlink, undefined, `${displayPath(p)} is a symbolic link to nothing; skipped`));
        } else if (isLink && code === 'ELOOP') {
          diagnostics.push(diag(M.symlinkLoop, undefined, `${displayPath(p)} is a symbolic link loop; not followed`));
        } else {
          diagnostics.push(diag(M.pathUnreadable, undefined, `cannot read ${displayPath(p)}: ${reason(e)}`));
        }
        continue;
      }
      if (st.isDirectory()) {
        const k = devIno(st);
        const first = walked.get(k);
        if (first !== undefined) {
          diagnostics.push(diag(M.symlinkLoop, undefined, `${displayPath(p)} leads back to ${displayPath(first)}, already walked; not followed`,
            { hint: 'each directory is read once; remove the link if it is a mistake' }));
          continue;
        }
        walk(p, k);
      } else if (st.isFile()) files.push({ path: p, name, size: st.size, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino });
    }
  };
  let st;
  try { st = statSync(root); } catch (e) {
    diagnostics.push(diag(M.pathUnreadable, undefined, `cannot read ${displayPath(root)}: ${reason(e)}`));
    return { files, skippedDirs, diagnostics };
  }
  if (st.isDirectory()) walk(root, devIno(st));
  else if (st.isFile()) files.push({ path: root, name: basename(root), size: st.size, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino });
  return { files, skippedDirs, diagnostics };
}

/** What a non-regular file is, for messages: `a character device`. */
export function fileKind(st: Stats): string {
  return st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket'
    : st.isFIFO() ? 'a named pipe' : st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
}

/** Command-line operands (files, directories, `-`) → the `*.lssd` files to read, sorted per directory. */
export function collectFiles(paths: readonly string[]): Collected {
  const files: string[] = []; const missing: string[] = []; const diagnostics: Diagnostic[] = [];
  const isLssd = (name: string) => name.endsWith('.lssd');
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
    if (!st.isDirectory() && !st.isFile() && !st.isFIFO()) {
      // /dev/zero or /dev/urandom never end, a terminal waits for input: only files, directories and pipes
      // (`lssdc check <(…)`) are read.
      diagnostics.push(diag(M.pathUnreadable, undefined, `${p} is ${fileKind(st)}, not a file; not read`,
        { hint: 'give .lssd files, directories of them, or - for standard input' }));
      continue;
    }
    if (st.isDirectory()) {
      const w = walkTree(p, { relevant: isLssd });
      diagnostics.push(...w.diagnostics);
      for (const f of w.files) if (isLssd(f.name)) files.push(displayPath(f.path));
    } else files.push(displayPath(p));
  }
  return { files: [...new Set(files)], missing, diagnostics };
}
