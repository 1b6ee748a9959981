// The build stamp: which sources went into build/, so bin/lssdc.js never runs a build older than the
// sources. Kept in plain JS and cheap: checking a fresh build costs one stat per source file (~200)
// and one directory listing per globbed folder; a file is read and hashed only when its mtime moved
// (a `git checkout` that rewrote it with the same bytes still counts as fresh).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const STAMP_FILE = 'stamp.json';
/** Folders the build globs for entry points: a file added or removed there makes the build stale. */
export const GLOB_DIRS = ['cli/commands'];
/** Files that shape the build without being bundled sources. */
export const EXTRA_INPUTS = ['scripts/build.mjs', 'scripts/build-plugins.mjs', 'scripts/snapshot.mjs', 'scripts/stamp.mjs'];

// node:crypto is loaded only to hash a file whose mtime moved: loading it costs 10-50 ms of every start.
// (Any base resolves a built-in: not import.meta.url, which the startup snapshot's CommonJS bundle of this file lacks.)
const crypto = () => createRequire(process.execPath)('node:crypto');
const sha1 = (buf) => crypto().createHash('sha1').update(buf).digest('hex');
const listing = (root, dir) => readdirSync(join(root, dir)).filter((f) => /\.tsx?$/.test(f)).sort();

/** Stamp for `inputs` (paths relative to `root`, `/`-separated). */
export function makeStamp(root, inputs, globDirs = GLOB_DIRS) {
  const files = [...new Set([...inputs, ...EXTRA_INPUTS])].sort().map((path) => {
    const full = join(root, path);
    const st = statSync(full);
    return { path, size: st.size, mtimeMs: st.mtimeMs, sha1: sha1(readFileSync(full)) };
  });
  return { version: 1, files, dirs: globDirs.map((path) => ({ path, entries: listing(root, path) })) };
}

/** Why the build described by `stamp` no longer matches the sources under `root`; undefined when it does. */
export function staleReason(root, stamp) {
  if (!stamp || stamp.version !== 1 || !Array.isArray(stamp.files) || !Array.isArray(stamp.dirs)) return 'its stamp is unreadable';
  for (const f of stamp.files) {
    let st;
    try { st = statSync(join(root, f.path)); } catch { return `${f.path} was removed`; }
    if (st.size !== f.size) return `${f.path} changed`;
    if (st.mtimeMs !== f.mtimeMs && sha1(readFileSync(join(root, f.path))) !== f.sha1) return `${f.path} changed`;
  }
  for (const d of stamp.dirs) {
    let now;
    try { now = listing(root, d.path); } catch { return `${d.path}/ was removed`; }
    const added = now.find((e) => !d.entries.includes(e));
    if (added) return `${d.path}/${added} is new`;
    const gone = d.entries.find((e) => !now.includes(e));
    if (gone) return `${d.path}/${gone} was removed`;
  }
  return undefined;
}
