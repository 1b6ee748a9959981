// The compile-only commands as a V8 startup snapshot. scripts/snapshot.mjs bundles this file (with
// cli/main.ts and the compile-only commands) and runs it once as `node --build-snapshot`: the modules
// are evaluated, the stdlib's ASTs, ajv's validators and chevrotain's lexer and parser built, and the
// code of check/fmt/show/expand compiled by running them over experiments/ with their output discarded
// (the parse cache is cleared afterwards, so no answer comes from the build). The heap is saved as
// build/compile.blob; `node --snapshot-blob build/compile.blob check …` (bin/lssdc.js's sh part) starts
// from it instead of loading and compiling the bundle. The warm-up's workloads are scripts/warm-up.mjs's.
//
// At startup the snapshot checks that build/stamp.json is the one it was built with and that the
// sources still match it (scripts/stamp.mjs, as bin/lssdc.js's node part does); otherwise, or for a
// command it does not hold, it runs `node bin/lssdc.js` with the same arguments (a second start, only
// then), which says why and runs what is current.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { clearParseCache } from '../compiler/resolve-load.ts';
import { staleReason, STAMP_FILE } from '../scripts/stamp.mjs';
import { WARM_UP } from '../scripts/warm-up.mjs';
import { reportUsageAtExit } from '../bench/usage-report.mjs';
import { load, main } from './main.ts';

/** The build folder the snapshot belongs to (scripts/snapshot.mjs defines it). */
declare const LSSD_SNAPSHOT_BUILD: string;
/** The commands the snapshot holds (scripts/build.mjs's COMPILE_ONLY). */
declare const LSSD_SNAPSHOT_COMMANDS: string[];

const root = fileURLToPath(new URL('..', import.meta.url));
const stampFile = join(LSSD_SNAPSHOT_BUILD, STAMP_FILE);


if (!v8.startupSnapshot.isBuildingSnapshot()) throw new Error('cli/snapshot-entry.ts runs only under `node --build-snapshot` (scripts/snapshot.mjs)');
const builtStamp = readFileSync(stampFile, 'utf8');

async function warmUp() {
  const out = process.stdout.write; const err = process.stderr.write;
  process.stdout.write = (() => true) as typeof out;
  process.stderr.write = (() => true) as typeof err;
  try {
    for (const [name, ...args] of WARM_UP) {
      const c = await load(name);
      if (!c) throw new Error(`snapshot: no command ${name}`);
      await c.run(args);
    }
  } finally {
    process.stdout.write = out; process.stderr.write = err;
  }
  clearParseCache();
  process.exitCode = undefined;
}

/** `node bin/lssdc.js ARGV` in this process's place: its output, its exit status or signal. */
function relaunch(argv: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/lssdc.js'), ...argv], { stdio: 'inherit' });
  if (r.signal) process.kill(process.pid, r.signal);
  process.exitCode = r.status ?? 1;
}

function start() {
  const argv = process.argv.slice(1);
  // bench/usage.mjs's report, for bench/compile.ts (a snapshot takes no --import).
  reportUsageAtExit(process.env.LSSD_BENCH_USAGE);
  let now: string | undefined;
  try { now = readFileSync(stampFile, 'utf8'); } catch { /* build/ is gone: bin/lssdc.js says what it runs instead */ }
  if (now !== builtStamp || staleReason(root, JSON.parse(now)) !== undefined || !LSSD_SNAPSHOT_COMMANDS.includes(argv[0])) return relaunch(argv);
  // The stamp names the build: check's result cache (cli/result-cache.ts) is keyed on it.
  void main(argv, now).then((code) => { process.exitCode = code; });
}

v8.startupSnapshot.setDeserializeMainFunction(start);
void warmUp();
