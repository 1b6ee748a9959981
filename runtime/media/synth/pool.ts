// A pool of worker threads for the JavaScript side of synthesis (worker.ts). Rendering a title is mostly
// JS (node ≈ 40 of 51 CPU-seconds for the default corpus, README § Cost), so with every title on the
// main thread the second core only ever ran ffmpeg.
//
// Jobs go to a fixed lane (worker) chosen by the caller and each lane runs its jobs one at a time, in
// order: eSpeak NG's output depends on what the same module spoke before (measured here: one line with
// voice en+m1 is 32218 samples from a fresh module, 32215 spoken a second time), so a title's audio
// depends on its lane's earlier jobs, and fixed lanes make the corpus a function of (parameters, lanes)
// rather than of which thread happened to be free (with espeak.ts's clock-independent seed). When no
// worker thread can start (a sandbox without worker_threads, a loader problem), every job runs on the
// main thread in submission order and `why` says so.
import { Worker } from 'node:worker_threads';
import { runJob, type PoolErrorInfo, type PoolReply, type SynthJob } from './worker.ts';
import { LssdError } from './errors.ts';

export interface SynthPool {
  /** Worker threads (0: jobs run on the main thread, `why` says why). */
  threads: number;
  why?: string;
  /** Runs `job` after the jobs already given to lane `lane % threads`. */
  run(job: SynthJob, lane: number): Promise<number>;
  /** Asks running jobs to stop (each job's signal kills its ffmpeg children). */
  abort(): void;
  close(): Promise<void>;
}

/** The error a worker reported (worker.ts errorInfo), as the main thread throws it: LssdErrors keep code, hint and path. */
export function rebuild(e: PoolErrorInfo): Error {
  if (e.lssd) return new LssdError(e.code!, e.message, { hint: e.hint, path: e.path });
  const err = new Error(e.message);
  if (e.name) err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

async function startWorker(): Promise<Worker> {
  const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { lssdSynth: true } });
  await new Promise<void>((resolve, reject) => {
    const done = () => { w.off('message', onMsg); w.off('error', reject); w.off('exit', onExit); };
    const onMsg = (m: PoolReply) => { if ('ready' in m) { done(); resolve(); } };
    const onExit = (code: number) => { done(); reject(new Error(`synthesis worker exited with code ${code} before it was ready`)); };
    w.on('message', onMsg);
    w.on('error', reject);
    w.on('exit', onExit);
  });
  return w;
}

/** Starts `n` worker lanes (n ≥ 1); runs on the main thread, saying why, when none can start. */
export async function startPool(n: number, signal?: AbortSignal): Promise<SynthPool> {
  const started = await Promise.allSettled(Array.from({ length: n }, startWorker));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.terminate() : 0)));
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let chain: Promise<unknown> = Promise.resolve();
    return {
      threads: 0,
      why: `worker threads unavailable (${String((failed.reason as Error)?.message ?? failed.reason).split('\n')[0]}): synthesizing on the main thread`,
      run(job) {
        // (setImmediate: as with workers, an abort raised on the previous job's result stops this one)
        const p = chain.then(() => new Promise((r) => setImmediate(r))).then(() => { ac.signal.throwIfAborted(); return runJob(job, ac.signal); });
        chain = p.catch(() => {});
        return p;
      },
      abort: () => ac.abort(),
      async close() { signal?.removeEventListener('abort', onAbort); await chain; },
    };
  }
  const workers = started.map((s) => (s as PromiseFulfilledResult<Worker>).value);

  interface Job { id: number; job: SynthJob; resolve(v: number): void; reject(e: Error): void }
  let nextId = 0;
  const lanes = workers.map((w) => ({ w, queue: [] as Job[], current: null as Job | null }));
  let dead: Error | null = null;
  let aborted = false;
  const abortError = () => Object.assign(new Error('synthesis aborted'), { name: 'AbortError' });
  const pump = (lane: (typeof lanes)[number]) => {
    if (lane.current || dead) return;
    if (aborted) { for (const j of lane.queue.splice(0)) j.reject(abortError()); return; }
    const j = lane.queue.shift();
    if (!j) return;
    lane.current = j;
    lane.w.postMessage({ id: j.id, job: j.job });
  };
  const fail = (e: Error) => {
    dead ??= e;
    for (const l of lanes) { for (const j of [...(l.current ? [l.current] : []), ...l.queue]) j.reject(dead); l.current = null; l.queue.length = 0; }
  };
  for (const lane of lanes) {
    lane.w.on('message', (m: PoolReply) => {
      if ('ready' in m || !lane.current || lane.current.id !== m.id) return;
      const j = lane.current;
      lane.current = null;
      if ('error' in m) j.reject(rebuild(m.error)); else j.resolve(m.value);
      // The next job goes out after the caller has seen this one finish: an abort it raises on this
      // result (a progress handler) then stops the queue before another title starts.
      setImmediate(() => pump(lane));
    });
    lane.w.on('error', (e) => fail(e));
    lane.w.on('exit', (code) => { if (!dead) fail(new Error(`synthesis worker exited with code ${code}`)); });
  }
  const abort = () => {
    aborted = true;
    for (const l of lanes) { l.w.postMessage({ abort: true }); for (const j of l.queue.splice(0)) j.reject(abortError()); }
  };
  signal?.addEventListener('abort', abort, { once: true });
  return {
    threads: workers.length,
    run(job, lane) {
      if (dead) return Promise.reject(dead);
      if (aborted) return Promise.reject(abortError());
      return new Promise<number>((resolve, reject) => {
        const l = lanes[((lane % lanes.length) + lanes.length) % lanes.length];
        l.queue.push({ id: nextId++, job, resolve, reject });
        pump(l);
      });
    },
    abort,
    async close() {
      signal?.removeEventListener('abort', abort);
      // Jobs still running (another one failed): let them stop their ffmpeg children before the threads go.
      if (lanes.some((l) => l.current)) {
        for (const l of lanes) l.queue.length = 0;
        abort();
        const until = Date.now() + 5000;
        while (lanes.some((l) => l.current) && !dead && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      }
      dead ??= new Error('synthesis pool closed');
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
