// The compile-only commands (check, fmt, show, …) as one CommonJS file, build/compile.cjs, run with a V8
// code cache beside it (build/compile.cjs.cache). Node 20 has no code cache for ES modules, and loading
// the ES-module build costs a `check` some 50 ms of CPU compiling JavaScript on every start; through
// vm.Script's cachedData the functions compiled by an earlier run come back deserialized instead.
//
// The build makes the cache (`node scripts/bundle-cache.mjs --warm DIR`: runs scripts/warm-up.mjs's
// check, fmt, show, expand and table in one process, output discarded, then writes what V8 compiled). V8 refuses a cache made
// by another Node version or with other V8 flags (`cachedDataRejected`): the code then compiles as
// usual, and bin/lssdc.js writes a new cache after the command (atomically; a read-only build/ keeps
// the old one, said under LSSD_DEBUG). The cache changes speed only, never output.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { WARM_UP, WARM_UP_CODE_CACHE_ONLY } from './warm-up.mjs';

export const BUNDLE = 'compile.cjs';
export const CACHE = 'compile.cjs.cache';

/**
 * Loads `dir`/compile.cjs. `cache`: 'used' (V8 accepted the cache), 'rejected' or 'missing';
 * `writeCache()` stores what V8 has compiled so far (temp file + rename), throwing what the file system says.
 */
export function loadBundle(dir) {
  dir = resolve(dir);
  const file = join(dir, BUNDLE);
  const cacheFile = join(dir, CACHE);
  const source = readFileSync(file, 'utf8');
  let cachedData;
  try { cachedData = readFileSync(cacheFile); } catch { /* none yet: compiled as usual, written after the run */ }
  // The CommonJS wrapper, as require() would add it; dynamic import() (of the ES-only packages a
  // command loads late) goes to the main context's loader.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    { filename: file, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dir);
  const cache = cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  const writeCache = () => {
    const tmp = `${cacheFile}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch (e) { rmSync(tmp, { force: true }); throw e; }
  };
  return { main: module.exports.main, cache, writeCache };
}


if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--warm') {
  const dir = resolve(process.argv[3]);
  const b = loadBundle(dir);
  // Only the code matters here: what the commands print (or that the tree has no experiments/) does not.
  process.stdout.write = () => true;
  process.stderr.write = () => true;
  // main(argv) with no build: check's result cache stays off, so every workload compiles.
  for (const argv of [...WARM_UP, ...WARM_UP_CODE_CACHE_ONLY]) await b.main(argv);
  b.writeCache();
  process.exitCode = 0;
}
