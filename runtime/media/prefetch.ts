// Batch prefetching: a worker thread computes the next `depth` steps while training runs. Falls back to
// computing in this thread (still one step ahead, on the event loop) when a worker cannot start.
import { Worker } from 'node:worker_threads';
import type { Batch } from '../contracts.ts';
import type { FeatureMeta } from './features.ts';
import { Sampler, type SamplerConfig, type SamplerTitle } from './sampler.ts';
import type { WorkerInit, WorkerReply, WorkerTitle } from './sampler-worker.ts';

export interface BatchSource {
  get(step: number): Promise<Batch>;
  close(): Promise<void>;
  /** 'worker' or 'inline' — for benchmarks and logs. */
  readonly mode: 'worker' | 'inline';
}

interface Pending { resolve(b: Batch): void; reject(e: Error): void; promise: Promise<Batch> }

function deferred(): Pending {
  let resolve!: (b: Batch) => void, reject!: (e: Error) => void;
  const promise = new Promise<Batch>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => { /* surfaced when awaited */ });
  return { resolve, reject, promise };
}

/** In-thread source: computes step+1 on the event loop after serving step. */
export function inlineSource(sampler: Sampler, depth = 1): BatchSource {
  const pending = new Map<number, Promise<Batch>>();
  const compute = (step: number) => new Promise<Batch>((resolve, reject) => setImmediate(() => {
    try { resolve(sampler.batch(step)); } catch (e) { reject(e as Error); }
  }));
  return {
    mode: 'inline',
    get(step) {
      const p = pending.get(step) ?? compute(step);
      for (const k of [...pending.keys()]) if (k <= step) pending.delete(k);
      for (let s = step + 1; s <= step + depth; s++) if (!pending.has(s)) { const q = compute(s); q.catch(() => {}); pending.set(s, q); }
      return p;
    },
    async close() { await Promise.allSettled([...pending.values()]); pending.clear(); },
  };
}

/** Worker-thread source; resolves to null when no worker can be started here. */
export async function workerSource(titles: (SamplerTitle & { dir: string; meta: FeatureMeta })[], cfg: SamplerConfig, depth = 2): Promise<BatchSource | null> {
  const init: WorkerInit = { cfg, titles: titles.map((t): WorkerTitle => ({ index: t.index, shots: t.shots, primary: t.primary, dubs: t.dubs, dir: t.dir, meta: t.meta })) };
  let worker: Worker;
  try {
    worker = new Worker(new URL('./sampler-worker.mjs', import.meta.url), { workerData: { lssdSampler: true, init } });
  } catch {
    return null;
  }
  const pending = new Map<number, Pending>();
  let failed: Error | null = null;
  const ready = new Promise<boolean>((resolve) => {
    worker.on('message', (m: WorkerReply) => { if ('ready' in m) resolve(true); });
    worker.once('error', (e) => { failed = e; resolve(false); });
    worker.once('exit', () => resolve(false));
  });
  worker.on('message', (m: WorkerReply) => {
    if ('ready' in m) return;
    const p = pending.get(m.step);
    if (!p) return;
    if ('error' in m) p.reject(new Error(m.error)); else p.resolve(m.batch);
  });
  worker.on('error', (e) => { failed = e; for (const p of pending.values()) p.reject(e); });
  worker.on('exit', () => { failed ??= new Error('sampler worker exited'); for (const p of pending.values()) p.reject(failed); });
  if (!(await ready)) { await worker.terminate().catch(() => 0); return null; }
  // Keep the process alive only while someone waits on a batch (a forgotten close() must not hang exit).
  let waiting = 0;
  worker.unref();
  const request = (step: number) => {
    let p = pending.get(step);
    if (!p) {
      p = deferred();
      pending.set(step, p);
      if (failed) p.reject(failed); else worker.postMessage({ step });
    }
    return p.promise;
  };
  const awaited = (p: Promise<Batch>) => {
    if (waiting++ === 0) worker.ref();
    const done = () => { if (--waiting === 0) worker.unref(); };
    p.then(done, done);
    return p;
  };
  return {
    mode: 'worker',
    get(step) {
      const p = request(step);
      for (const k of [...pending.keys()]) if (k < step) pending.delete(k);
      for (let s = step + 1; s <= step + depth; s++) request(s);
      void p.then(() => pending.delete(step), () => pending.delete(step));
      return awaited(p);
    },
    async close() {
      // Prefetched steps nobody asked for yet are dropped, not awaited.
      failed ??= new Error('dataset closed');
      for (const p of pending.values()) p.reject(failed);
      pending.clear();
      worker.ref();
      await worker.terminate();
    },
  };
}
