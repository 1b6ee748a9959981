#!/usr/bin/env node
// Finds every test/**/*.test.ts (Node 20's --test has no globs) and runs them with node's test runner.
// LSSD_SOURCES=1: a CLI spawned by a test (bin/lssdc.js) runs the TypeScript sources, never build/.
// `npm test -- PATTERN` runs only files whose path contains PATTERN. LSSD_TEST_SHARED: a scratch directory
// for fixtures that test files share within this run (test/signals/helpers.ts preparedRoot), removed after.
// Two files run at a time, so wasm would take every core twice over by default (runtime/train/wasm-threads.ts):
// tests run single-threaded wasm (LSSD_WASM_THREADS=1 unless set); test/train/wasm-threads.test.ts covers the threaded build.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'fixtures' && name !== 'node_modules') walk(p); }
    else if (name.endsWith('.test.ts')) files.push(relative(root, p));
  }
})(join(root, 'test'));
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
if (selected.length === 0) { console.error('no test files matched'); process.exit(1); }
const shared = mkdtempSync(join(tmpdir(), 'lssd-test-shared-'));
// Ctrl-C reaches the test runner too (same process group); this process waits for it, then cleans up.
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => {});
let r;
try {
  r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...selected], { cwd: root, stdio: 'inherit', env: { ...process.env, LSSD_TEST: '1', LSSD_SOURCES: '1', LSSD_TEST_SHARED: shared, LSSD_WASM_THREADS: process.env.LSSD_WASM_THREADS ?? '1' } });
} finally { rmSync(shared, { recursive: true, force: true }); }
process.exit(r?.status ?? (r?.signal ? 128 + constants.signals[r.signal] : 1));
