#!/usr/bin/env node
// `npm run build` (also run by `prepare`, so `npm install`/`npm ci` of a git checkout builds): bundles
// the CLI into build/ as plain JavaScript, so `lssdc` starts without transpiling TypeScript.
//
// - Entry points: cli/main.ts and every cli/commands/*.ts (globbed: a new command needs no edit here).
//   Code shared between commands lands in chunks; node_modules stay external.
// - `import.meta.url` in a bundled source file is rewritten to that *source* file's URL, so paths
//   relative to it (stdlib/, templates/, package.json, workers, bin/lssdc.js) resolve exactly as when
//   the sources run through tsx.
// - Modules listed in build-plugins.mjs's PRECOMPILED are replaced by code generated now (the spec
//   schema's ajv validator as standalone code: no schema compilation at startup; chevrotain's grammar
//   self-checks run here once, so the built lexer and parser skip them at startup).
// - build/stamp.json lists every source file that went into the build with its size, mtime and hash;
//   bin/lssdc.js runs the build only while those match (scripts/stamp.mjs), else the sources.
//
//   node scripts/build.mjs [--outdir DIR] [--quiet]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { CJS_BUNDLE, PRECOMPILED, precompiledPlugin, sourceUrlPlugin, validateGrammar } from './build-plugins.mjs';
import { BUNDLE } from './bundle-cache.mjs';
import { buildSnapshot, bundleSnapshotEntry } from './snapshot.mjs';
import { GLOB_DIRS, makeStamp, STAMP_FILE } from './stamp.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const outArg = args.indexOf('--outdir');
const outdir = outArg >= 0 ? resolve(args[outArg + 1]) : join(root, 'build');
const quiet = args.includes('--quiet');

/**
 * Commands that only compile (no training, media, UI or server): bin/lssdc.js runs them from
 * build/compile.cjs with its code cache, every other command from the ES-module build.
 */
const COMPILE_ONLY = ['check', 'fmt', 'show', 'expand', 'table', 'diff', 'completion'];
const commandDir = join(root, 'cli', 'commands');
const entryPoints = [join(root, 'cli', 'main.ts'),
  ...readdirSync(commandDir).filter((f) => /\.tsx?$/.test(f)).sort().map((f) => join(commandDir, f))];

// Build into a fresh sibling directory, then swap it in: a concurrent `lssdc` never sees half a build.
const tmp = `${outdir}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
const t0 = performance.now();
mkdirSync(tmp, { recursive: true });
await validateGrammar(root, tmp);
rmSync(join(tmp, 'grammar-check.mjs'));
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints,
  outdir: tmp,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [precompiledPlugin(root), sourceUrlPlugin(outdir)],
});
// The compile-only commands again, as one CommonJS file run with a V8 code cache (scripts/bundle-cache.mjs):
// chevrotain and the ajv runtime bundled in, other packages external.
const cjs = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [join(root, 'cli', 'main.ts')],
  outfile: join(tmp, BUNDLE),
  ...CJS_BUNDLE,
  plugins: [precompiledPlugin(root), sourceUrlPlugin(outdir, { commands: COMPILE_ONLY })],
});
// The same again with cli/snapshot-entry.ts on top, run once after the swap to make the startup snapshot build/compile.blob.
const snap = await bundleSnapshotEntry(root, tmp, outdir, COMPILE_ONLY);
const bundled = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(cjs.metafile.inputs), ...Object.keys(snap.inputs)])].filter((p) => !p.includes('node_modules/') && !p.startsWith('<define:'));
const generatedFrom = Object.entries(PRECOMPILED).filter(([m]) => bundled.includes(m)).flatMap(([, p]) => p.inputs);
const inputs = [...bundled, ...generatedFrom].sort();
writeFileSync(join(tmp, STAMP_FILE), JSON.stringify({ ...makeStamp(root, inputs, GLOB_DIRS), compileOnly: COMPILE_ONLY }, null, 1) + '\n');
mkdirSync(dirname(outdir), { recursive: true });
const old = `${outdir}.old-${process.pid}`;
try { renameSync(outdir, old); } catch { /* no previous build */ }
renameSync(tmp, outdir);
rmSync(old, { recursive: true, force: true });
// The code cache is made in place: V8 keeps the file name it compiled, which stack traces show.
const warm = spawnSync(process.execPath, [join(root, 'scripts/bundle-cache.mjs'), '--warm', outdir], { cwd: root, encoding: 'utf8' });
if (warm.status !== 0) throw new Error(`build: warming the code cache of ${BUNDLE} failed (exit ${warm.status}):\n${warm.stderr}`);
buildSnapshot(root, outdir);
if (!quiet) {
  const n = Object.keys(result.metafile.outputs).filter((p) => p.endsWith('.js')).length;
  process.stdout.write(`lssd build: ${inputs.length} sources → ${n} files in ${relative(process.cwd(), outdir) || '.'}/ (${(performance.now() - t0).toFixed(0)} ms)\n`);
}
