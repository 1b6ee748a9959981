// Replacing a user's file without losing anything of it (runtime/files/README.md): through symlinks,
// keeping mode, owner and hard links, fsynced, and never leaving a temporary file behind.
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { diag, M } from '../../compiler/messages.ts';
import { displayPath } from '../host.ts';
import { fileKind, reason } from './walk.ts';

/** The parts of node:fs used here (tests pass a copy with one call failing). */
export type Fs = Pick<typeof nodeFs, 'realpathSync' | 'statSync' | 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' |
  'renameSync' | 'unlinkSync' | 'fchmodSync' | 'fchownSync' | 'ftruncateSync' | 'existsSync'>;

/**
 * Writes `data` to `path` so that a reader sees the old or the new content, never half (except for a
 * file with several hard links, rewritten in place so the links stay one file). `path` may be a symlink:
 * its target is written. `exclusive`: fail if the file exists (for new files). Returns a diagnostic
 * (LSSD5043) on failure, with the original untouched and no temporary file left; undefined on success.
 */
export function writeFileSafely(path: string, data: string | Uint8Array, opts: { exclusive?: boolean; fs?: Fs } = {}): Diagnostic | undefined {
  const fs = opts.fs ?? nodeFs;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fail = (what: string, e: unknown) => diag(M.writeFailed, undefined, `cannot write ${displayPath(path)}: ${what}: ${reason(e)}; the file is unchanged`,
    { hint: (e as NodeJS.ErrnoException)?.code === 'ENOSPC' ? 'free some space and run it again' : 'check the permissions of the file and its directory' });
  let target = path;
  let st: nodeFs.Stats | undefined;
  try {
    if (fs.existsSync(path)) { target = fs.realpathSync(path); st = fs.statSync(target); }
  } catch (e) { return fail('cannot resolve it', e); }
  if (st && opts.exclusive) return fail('it exists', Object.assign(new Error('exists'), { code: 'EEXIST' }));
  // Renaming over /dev/null (as root) would replace the device with a regular file; a pipe or socket
  // cannot hold a rewritten file either.
  if (st && !st.isFile()) return diag(M.writeFailed, undefined, `cannot write ${displayPath(path)}: it is ${fileKind(st)}, not a regular file; left as it is`,
    { hint: 'fmt and expand --write rewrite regular files only' });
  const writeAll = (fd: number) => { let off = 0; while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off); };

  if (st && st.nlink > 1) {
    // Renaming a new file over it would split the hard links: rewrite the shared inode instead.
    let fd: number | undefined;
    try {
      fd = fs.openSync(target, 'r+');
      fs.ftruncateSync(fd, 0);
      writeAll(fd);
      fs.fsyncSync(fd);
      return undefined;
    } catch (e) { return fail('rewriting it in place (it has hard links)', e); } finally { if (fd !== undefined) try { fs.closeSync(fd); } catch { /* closed */ } }
  }

  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  let created = false;
  try {
    fd = fs.openSync(tmp, 'wx', st ? st.mode & 0o7777 : 0o666);
    created = true;
    if (st) {
      fs.fchmodSync(fd, st.mode & 0o7777); // the umask narrowed openSync's mode
      try { fs.fchownSync(fd, st.uid, st.gid); } catch { /* only root may give a file away; same owner anyway otherwise */ }
    }
    writeAll(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd); fd = undefined;
    if (opts.exclusive && fs.existsSync(target)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    fs.renameSync(tmp, target);
    created = false;
  } catch (e) {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* closed */ }
    if (created) try { fs.unlinkSync(tmp); } catch { /* gone */ }
    return fail(created || fd !== undefined ? 'writing it' : 'creating a temporary file beside it', e);
  }
  // The rename is durable only once the directory entry is on disk.
  try { const d = fs.openSync(dir, 'r'); try { fs.fsyncSync(d); } finally { fs.closeSync(d); } } catch { /* some filesystems refuse fsync on a directory */ }
  return undefined;
}
