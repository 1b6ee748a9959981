// Backend selection. Preference order for 'auto': tensorflow (native, @tensorflow/tfjs-node — an optional
// dependency that cannot install on every machine), then wasm, then cpu (pure JS, 10–1000× slower:
// selected only with a loud warning). The choice is process-wide (tfjs has one engine).
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { WASM } from '../../compiler/messages-runtime.ts';
import { TrainCodes, TrainError } from './errors.ts';
import { registerThreadedWasm, type WasmPackage } from './wasm-threads.ts';
import { wasmThreadPolicy, type WasmChoice } from './thread-policy.ts';

export type BackendPref = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

let warnings: string[] = [];
let threadedTried = false;
let threadedFailed: string | null = null;
let oneDnn = false;

/** Whether libtensorflow was loaded with its oneDNN kernels on (ops.ts picks matmul forms by it). */
export const tensorflowOneDnn = (): boolean => oneDnn;

/** Warnings raised by the last selectBackend (e.g. the cpu fallback); the trainer forwards them as events. */
export const backendWarnings = (): string[] => warnings.slice();

async function tryTensorflow(): Promise<boolean> {
  try {
    // A variable specifier keeps bundlers/type-checkers from requiring the optional package.
    const name = '@tensorflow/tfjs-node';
    // TensorFlow's C++ INFO lines (CPU feature notes) on every start are noise here; set it to 0 to see them.
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    // TensorFlow ≥ 2.9 turns its oneDNN kernels on by default only on CPUs with AVX-512 VNNI/BF16 or
    // AMX; elsewhere (this AVX2 EPYC) MatMul / BatchMatMul run on Eigen, built for AVX without FMA in
    // the pip wheel. oneDNN's JIT kernels use AVX2+FMA: the quickstart step went from 301–353 to
    // 202–219 ms (best of 8, load 16, .scratch A/B alternating processes); attention's batched
    // matmul 1.45 → 0.6 ms. Read by libtensorflow once, at load; TF_ENABLE_ONEDNN_OPTS=0 opts out.
    process.env.TF_ENABLE_ONEDNN_OPTS ??= '1';
    oneDnn = ['1', 'true'].includes(process.env.TF_ENABLE_ONEDNN_OPTS.toLowerCase());
    await import(name);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

let wasmThreads = 1;
let wasmChoice: WasmChoice | null = null;

/** XNNPACK threads of the active wasm backend (1: the single-threaded build). */
export const wasmThreadCount = (): number => wasmThreads;

/**
 * The wasm backend's threads as chosen (wasm-threads.ts wasmThreadPolicy) and as started, for the run's
 * header and `lssdc doctor`: e.g. '2 threads: 2 cores for this run', or '1 thread (the threaded build
 * failed to start, LSSD5352; wanted 2: …)'. null before wasm was selected.
 */
export function wasmThreadSummary(): string | null {
  if (!wasmChoice) return null;
  const n = (k: number) => `${k} thread${k === 1 ? '' : 's'}`;
  if (threadedFailed) return `${n(wasmThreads)}: the threaded build failed to start (${WASM.threadedFailed.code}); wanted ${wasmChoice.threads}: ${wasmChoice.why}`;
  return `${n(wasmThreads)}: ${wasmChoice.why}`;
}

/**
 * tfjs-backend-wasm's Identity copies its input. tfjs-core runs it for every tensor it saves for a
 * gradient (engine.saveTensorsForBackwardMode and customGrad's save both clone), ~340 copies of
 * activations per quickstart step (19 ms of ~690, tf.profile, 1 thread). Tensors are immutable and
 * the backend counts references per buffer (its own Reshape shares the buffer the same way, and a
 * Variable's assign shares its new value's), so a clone can share the buffer: same values, no copy.
 */
let identityShared = false;
function shareIdentityBuffers(): void {
  if (identityShared) return;
  identityShared = true;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return original.kernelFunc(args);
      (args.backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}

async function tryWasm(): Promise<boolean> {
  let pkg: WasmPackage;
  try {
    const mod = await import('@tensorflow/tfjs-backend-wasm');
    pkg = ((mod as unknown as { default?: WasmPackage }).default ?? mod) as unknown as WasmPackage;
  } catch {
    return false;
  }
  shareIdentityBuffers();
  // Threads (wasm-threads.ts): the threaded SIMD build when more than one thread is wanted, once per
  // process (tfjs keeps an initialised backend; a later selectBackend reuses it).
  const choice = wasmThreadPolicy(process.env, availableParallelism());
  const wanted = choice.threads;
  if (!wasmChoice || (wanted > 1 && !threadedTried)) wasmChoice = choice;
  if (wanted > 1 && !threadedTried) {
    threadedTried = true;
    const restore = registerThreadedWasm(pkg, wanted);
    try {
      if (await tf.setBackend('wasm')) { wasmThreads = pkg.getThreadsCount(); return true; }
    } catch { /* reported below */ }
    restore();
    threadedFailed = `the threaded wasm backend (${wanted} threads) failed to start (see the message above); training on single-threaded wasm (${choice.why}; LSSD_WASM_THREADS=1 selects it without trying)`;
  }
  if (threadedFailed) warnings.push(`WARNING ${WASM.threadedFailed.code}: ${threadedFailed}`);
  try {
    const ok = await tf.setBackend('wasm');
    if (ok) wasmThreads = pkg.getThreadsCount();
    return ok;
  } catch {
    return false;
  }
}

/** Activates and returns the backend for `pref`; throws LSSD5301 when an explicitly requested one is unavailable. */
export async function selectBackend(pref: BackendPref): Promise<string> {
  warnings = [];
  if (pref === 'auto' || pref === 'tensorflow') {
    if (await tryTensorflow()) { await tf.ready(); return 'tensorflow'; }
    if (pref === 'tensorflow') {
      throw new TrainError(TrainCodes.backendUnavailable, "backend 'tensorflow' requested but @tensorflow/tfjs-node is not installed or failed to load",
        { hint: 'install @tensorflow/tfjs-node (it downloads libtensorflow), or use --backend wasm' });
    }
  }
  if (pref === 'auto' || pref === 'wasm') {
    if (await tryWasm()) { await tf.ready(); return 'wasm'; }
    if (pref === 'wasm') {
      throw new TrainError(TrainCodes.backendUnavailable, "backend 'wasm' requested but @tensorflow/tfjs-backend-wasm failed to initialise",
        { hint: 'reinstall dependencies (npm ci), or use --backend cpu (much slower)' });
    }
    warnings.push('WARNING: neither @tensorflow/tfjs-node nor the wasm backend is available; training on the pure-JS cpu backend, which is 10-1000x slower');
  }
  await tf.setBackend('cpu');
  await tf.ready();
  if (pref === 'cpu') warnings.push('WARNING: --backend cpu selected: the pure-JS cpu backend is 10-1000x slower than wasm');
  return 'cpu';
}

export const activeBackend = (): string | null => (tf.engine() as unknown as { backendName: string | null }).backendName;
