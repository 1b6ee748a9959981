#!/bin/sh
':' /*
# This file is a POSIX sh script and an ES module. Run as a program (`lssdc`, npm's bin link), sh
# answers `--version` from package.json and starts a compile-only command from the startup snapshot
# build/compile.blob (scripts/snapshot.mjs) — with the node binary and V8 flags that built it, recorded beside it,
# and only without NODE_OPTIONS, LSSD_SOURCES or LSSD_DEBUG; everything else is `node` running this
# file (`node bin/lssdc.js …` starts there directly), whose JavaScript follows the sh part.
self=$(readlink -f -- "$0" 2>/dev/null) || self=$0
root=${self%/bin/lssdc.js}
if [ $# = 1 ] && { [ "$1" = --version ] || [ "$1" = -V ]; } && [ -f "$root/package.json" ]; then
  while IFS= read -r line; do
    case $line in '  "version": "'*) v=${line#*: \"}; printf 'lssdc %s\n' "${v%%\"*}"; exit 0;; esac
  done < "$root/package.json"
fi
case $1 in check|fmt|show|expand|table|diff|completion)
  blob=$root/build/compile.blob
  if [ -z "$NODE_OPTIONS$LSSD_SOURCES$LSSD_DEBUG" ] && [ -f "$blob" ] && { IFS= read -r built && IFS= read -r flags; } < "$blob.node" 2>/dev/null \
    && node=$(command -v node) && node=$(readlink -f -- "$node") && [ "$node" = "$built" ] && [ ! "$node" -nt "$blob" ]; then
    exec "$node" $flags --snapshot-blob "$blob" "$@"
  fi;;
esac
exec node "$self" "$@"
*/
// Launcher. Runs the compiled CLI in build/ (made by `npm run build`, which `npm install` runs) when it
// is up to date with the TypeScript sources (the compile-only commands from build/compile.cjs with a
// V8 code cache, the others from the ES-module build); otherwise runs the sources through tsx, saying why in one
// line on stderr, so an edited .ts file is never silently ignored. LSSD_SOURCES=1 runs the sources
// without the note (the test runner sets it: `npm test` tests the sources).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);

// Output that cannot be written (a closed pipe, a full disk) is handled in cli/main.ts (guardOutput).

/** The build's stamp and why build/ cannot be used (undefined when it matches the sources). */
async function readBuild() {
  const { staleReason, STAMP_FILE } = await import('../scripts/stamp.mjs');
  let text, stamp;
  try { text = readFileSync(new URL(`../build/${STAMP_FILE}`, import.meta.url), 'utf8'); stamp = JSON.parse(text); } catch {
    return { why: 'there is no build (`npm run build` makes one)' };
  }
  const why = staleReason(fileURLToPath(new URL('..', import.meta.url)), stamp);
  return { text, stamp, why: why && `${why} since the last \`npm run build\`` };
}

/**
 * A compile-only command from build/compile.cjs with its V8 code cache (scripts/bundle-cache.mjs); the
 * cache is rewritten after the command when V8 refused it or it was missing. `stampText` names the
 * build for check's result cache (cli/result-cache.ts).
 */
async function runCompileOnly(stampText) {
  const { loadBundle } = await import('../scripts/bundle-cache.mjs');
  const b = loadBundle(fileURLToPath(new URL('../build/', import.meta.url)));
  process.exitCode = await b.main(argv, stampText);
  if (b.cache === 'used') return;
  try { b.writeCache(); } catch (e) {
    if (process.env.LSSD_DEBUG) process.stderr.write(`lssdc: code cache ${b.cache}, not rewritten: ${e.message}\n`);
  }
}

async function run() {
  let main;
  if (!process.env.LSSD_SOURCES) {
    const { text, stamp, why } = await readBuild();
    if (why) process.stderr.write(`lssdc: running the TypeScript sources (slower start): ${why}\n`);
    // LSSD_DEBUG: the ES-module build, whose stack traces name the .ts sources.
    else if (!process.env.LSSD_DEBUG && Array.isArray(stamp.compileOnly) && stamp.compileOnly.includes(argv[0])) return runCompileOnly(text);
    else {
      if (process.env.LSSD_DEBUG) process.setSourceMapsEnabled(true); // stack traces name the .ts sources
      ({ main } = await import('../build/main.js'));
    }
  }
  if (!main) {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import('../cli/main.ts'));
  }
  process.exitCode = await main(argv);
}

// `lssdc --version` answers from package.json before anything else loads (cli/main.ts answers the
// same for in-process callers): no stamp check, no build, no compiler.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`lssdc ${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else await run();
