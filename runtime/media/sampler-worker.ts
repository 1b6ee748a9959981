// Worker thread that builds batches so the training loop never waits on data: the main thread asks for
// step s and the next few steps are computed here in parallel with the training step. Batches are a pure
// function of (seed, step), so the worker's output is bit-identical to the in-thread sampler.
import { parentPort, workerData } from 'node:worker_threads';
import type { Batch } from '../contracts.ts';
import { FeatureReader, type FeatureMeta } from './features.ts';
import { Sampler, type SamplerConfig, type SamplerTitle } from './sampler.ts';

export interface WorkerTitle extends Omit<SamplerTitle, 'reader'> { dir: string; meta: FeatureMeta }
export interface WorkerInit { titles: WorkerTitle[]; cfg: SamplerConfig }
export type WorkerRequest = { step: number } | { close: true };
export type WorkerReply = { step: number; batch: Batch } | { step: number; error: string } | { ready: true };

/** Buffers to transfer (not copy) back to the main thread. */
export function transferables(b: Batch): ArrayBuffer[] {
  const out = [b.ap.buffer, b.as.buffer, b.title.buffer, b.shot.buffer, b.dubbed.buffer] as ArrayBuffer[];
  if (b.vp) out.push(b.vp.buffer as ArrayBuffer);
  if (b.vs) out.push(b.vs.buffer as ArrayBuffer);
  return out;
}

if (parentPort && workerData && (workerData as { lssdSampler?: boolean }).lssdSampler) {
  const init = (workerData as { init: WorkerInit }).init;
  const readers = init.titles.map((t) => new FeatureReader(t.dir, t.meta));
  const sampler = new Sampler(init.titles.map((t, i) => ({ index: t.index, shots: t.shots, primary: t.primary, dubs: t.dubs, reader: readers[i] })), init.cfg);
  const port = parentPort;
  port.postMessage({ ready: true });
  port.on('message', (m: WorkerRequest) => {
    if ('close' in m) { for (const r of readers) r.close(); port.close(); return; }
    try {
      const batch = sampler.batch(m.step);
      port.postMessage({ step: m.step, batch } satisfies WorkerReply, transferables(batch));
    } catch (e) {
      port.postMessage({ step: m.step, error: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
    }
  });
}
