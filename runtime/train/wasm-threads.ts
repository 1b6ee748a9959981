// Multi-threaded tfjs-backend-wasm under Node. The package ships a threaded SIMD build
// (tfjs-backend-wasm-threaded-simd.wasm: XNNPACK with a pthreadpool) but never uses it in Node: its
// WASM_HAS_MULTITHREAD_SUPPORT flag is false there (tfjs issue 3830), because its loader hands
// emscripten Blob URLs for the pthread worker script and the main script, which Node's worker_threads
// cannot load. This module registers the 'wasm' backend again with a loader that gives emscripten
// files instead (wasm-pthread.cjs for the worker, the package's own wasm-out/ script for the main
// script) and builds the same BackendWasm on the threaded module; every kernel the package registered
// for 'wasm' serves it unchanged.
//
// Thread count: the backend caps XNNPACK's pool at emscripten_num_logical_cores() / 2 (it assumes two
// hyperthreads per core, so 1 on a 2-core machine); the import is answered with 2 × the requested count
// so the request is what the pool gets. How many are requested: thread-policy.ts. Measured numbers are in
// runtime/train/README.md.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

class PthreadWorker extends Worker {
  constructor(file: string) { super(file, { execArgv: [] }); }
}

interface WasmModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { unusedWorkers: { terminate(): void }[]; runningWorkers: { unref(): void }[] };
  tfjs?: Record<string, (...a: number[]) => number>;
}
type Factory = (config: Record<string, unknown>) => Promise<WasmModule>;
export interface WasmPackage {
  BackendWasm: new (m: WasmModule) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/** The threaded SIMD module, instantiated with `threads` XNNPACK threads (≥ 2). */
async function instantiateThreaded(threads: number): Promise<WasmModule> {
  const pkgDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..');
  const mainScript = join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const binary = readFileSync(join(pkgDir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm'));
  const factory = require(mainScript) as Factory;
  const workerScript = fileURLToPath(new URL('./wasm-pthread.cjs', import.meta.url));
  // emscripten reports a failed instantiation through onAbort and never settles its promise.
  let fail: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  const module = await Promise.race([failed, factory({
    locateFile: (path: string, prefix: string) => {
      if (!path.endsWith('.worker.js')) return prefix + path;
      // emscripten runs `new Worker(locateFile(...))` with the global Worker, which it set to
      // worker_threads' own; a worker inherits the parent's execArgv, i.e. tsx's loader (--import tsx)
      // when the sources run: 8 workers booting it cost ~3 s and hung some starts under load. The
      // pthread script is plain CommonJS and needs no loader.
      (globalThis as { Worker?: unknown }).Worker = PthreadWorker;
      return workerScript;
    },
    // The pthread workers load this by path (importScripts reads and evaluates it).
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm(info: { env: Record<string, unknown> }, receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
      info.env.emscripten_num_logical_cores = () => 2 * threads;
      WebAssembly.instantiate(binary, info as unknown as WebAssembly.Imports).then((r) => receive(r.instance, r.module), fail);
      return {};
    },
    onAbort: (what: unknown) => fail(what instanceof Error ? what : new Error(`tfjs-backend-wasm (threaded) aborted: ${String(what)}`)),
  })]);
  // The same bridge tfjs-backend-wasm's own init() attaches.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Re-registers tfjs's 'wasm' backend on the threaded build with `threads` (≥ 2) threads; call before
 * tf.setBackend('wasm'). Returns a function that puts the package's own (single-threaded)
 * registration back, for when the threaded one fails to initialise.
 */
export function registerThreadedWasm(pkg: WasmPackage, threads: number): () => void {
  const original = tf.findBackendFactory('wasm');
  pkg.setThreadsCount(threads);
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    const module = await instantiateThreaded(threads);
    const backend = new pkg.BackendWasm(module);
    // emscripten starts a pool of 8 pthread workers; XNNPACK's pool took threads - 1 of them
    // (the calling thread is its thread 0). The rest would idle for the life of the process.
    const pool = module.PThread;
    if (pool) {
      for (const w of pool.unusedWorkers.splice(0)) w.terminate();
      // emscripten refs the worker of each running pthread, and XNNPACK's threads run for the life of
      // the process, so a finished run would never exit; they end with the process.
      for (const w of pool.runningWorkers) w.unref();
    }
    return backend;
  }, 2);
  return () => {
    tf.removeBackend('wasm');
    pkg.setThreadsCount(-1);
    if (original) tf.registerBackend('wasm', original, 2);
  };
}
