// Worker thread of the synthesis pool (pool.ts): renders titles and writes audio probe tasks, the
// JavaScript-heavy parts of generation (eSpeak NG, beds, WSOLA, loudness, EQ, mixing), so that two of
// them run on two cores instead of taking turns on the main thread. Each job is a pure function of its
// inputs (plan, seed, knobs), so a title rendered here is byte-identical to one rendered in-process.
import { parentPort, workerData } from 'node:worker_threads';
import { renderTitle, type RenderOptions } from './render.ts';
import { writeAudioTask, type AUDIO_TASKS, type TaskOptions } from './tasks.ts';
import type { TitlePlan } from './plan.ts';
import { LssdError } from './errors.ts';

export type SynthJob =
  | { kind: 'title'; plan: TitlePlan; opts: Omit<RenderOptions, 'signal'> }
  | { kind: 'audio-task'; tasksDir: string; task: (typeof AUDIO_TASKS)[number]; opts: Omit<TaskOptions, 'signal'> };
export type PoolRequest = { id: number; job: SynthJob } | { abort: true };
export interface PoolErrorInfo { lssd: boolean; code?: string; name?: string; message: string; hint?: string; path?: string; stack?: string }
export type PoolReply = { ready: true } | { id: number; value: number } | { id: number; error: PoolErrorInfo };

/** Runs one job in this thread (the worker, or the main thread when no worker can start). */
export async function runJob(job: SynthJob, signal?: AbortSignal): Promise<number> {
  if (job.kind === 'title') {
    await renderTitle(job.plan, { ...job.opts, signal });
    return 1;
  }
  return writeAudioTask(job.tasksDir, job.task, { ...job.opts, signal });
}

export function errorInfo(e: unknown): PoolErrorInfo {
  if (e instanceof LssdError) return { lssd: true, code: e.code, message: e.message, hint: e.hint, path: e.path };
  return { lssd: false, name: e instanceof Error ? e.name : undefined, message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };
}

if (parentPort && workerData && (workerData as { lssdSynth?: boolean }).lssdSynth) {
  const port = parentPort;
  const ac = new AbortController();
  port.on('message', (m: PoolRequest) => {
    if ('abort' in m) { ac.abort(); return; }
    runJob(m.job, ac.signal).then(
      (value) => port.postMessage({ id: m.id, value } satisfies PoolReply),
      (e) => port.postMessage({ id: m.id, error: errorInfo(e) } satisfies PoolReply),
    );
  });
  port.postMessage({ ready: true } satisfies PoolReply);
}
