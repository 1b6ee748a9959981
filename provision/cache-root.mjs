// The per-user cache folder of lssd (native backends, check's result cache). Only node:os and node:path,
// so the compile-only start (cli/result-cache.ts, the startup snapshot) reads it without loading lib.mjs.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** `${LSSD_CACHE_DIR}` or `${XDG_CACHE_HOME:-~/.cache}/lssd`: shared by every checkout of this user. */
export function cacheRoot(env = process.env) {
  if (env.LSSD_CACHE_DIR) return resolve(env.LSSD_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'lssd');
}
