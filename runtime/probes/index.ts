// The paper's evaluation on a pretrained run: heads discarded, frozen backbones embed each task's clips
// (spatio-temporal mean pooling, mean over windows), then an MLP probe (HEAR grid) or a linear probe
// (LVU-style) is trained per fold, best configuration / epoch chosen on validation, reported on test.
//
//   probeExperiment ─ for each ProbeSpec:  resolve task dir → loadHearTask → taskEmbeddings (cached per
//                     checkpoint × task) → per fold: standardise on train → trainGrid → ProbeResult
//
// Caches: <runDir>/embeddings/<task>-<key12>/ (embeddings), <runDir>/probes/tasks/<taskKey12>.json (one
// task's result: an interrupted probe run resumes task by task), <runDir>/probes/<probeHash12>/results.json
// (the whole probe plan; returned as-is when present). All writes are atomic (temp + rename).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { Encoder, ProbeResult, RunEvent } from '../contracts.ts';
import type { ProbeSpec, ResolvedSpec } from '../../compiler/spec.ts';
import { canonicalJson } from '../../compiler/canonical.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { loadHearTask, type HearTask } from './hear.ts';
import { taskEmbeddings, type EmbeddingSet, type MediaFns } from './embed.ts';
import { runProtocol } from './protocol.ts';
import { PROBE, ProbeError } from './errors.ts';
import { readWavAtRate } from './wav.ts';
import { embeddingTaskDirs, importHearTask } from './hear-export.ts';

export { ProbeError, isProbeError } from './errors.ts';
export { loadHearTask, foldPlans, kitRowOrder } from './hear.ts';
export { top1, meanAveragePrecision, averagePrecision, macroAucRoc, dPrime } from './metrics.ts';
export { runProtocol, taskMetrics } from './protocol.ts';

/** Where run events go: a function, or a renderer-like object with `onEvent`. */
export type EventSink = ((e: RunEvent) => void) | { onEvent(e: RunEvent): void };

export interface ProbeExperimentOptions {
  spec: ResolvedSpec;
  runDir: string;
  /** Project root: `.lssd/` lives here; relative `dir` task paths are resolved against it. */
  root: string;
  events?: EventSink;
  signal?: AbortSignal;
  /** The frozen encoder; default `loadEncoder(runDir)` from runtime/train/encoder.ts. */
  encoder?: Encoder;
  /** Probe-stage hash; default: run.json's `hashes.probe`, else stageHashes(spec) (no lineage lookup). */
  probeHash?: string;
  /** Media functions; default runtime/media (decode.ts, logmel.ts). */
  media?: MediaFns;
  /** Resolves a `synthetic` task source to its HEAR-format directory; default ensureSyntheticCorpus(...)/tasks/<task>. */
  syntheticTaskDir?: (task: string) => Promise<string>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function emitter(sink: EventSink | undefined): (e: RunEvent) => void {
  if (!sink) return () => {};
  return typeof sink === 'function' ? sink : (e) => sink.onEvent(e);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 1) + '\n');
  renameSync(tmp, path);
}

function readJson<T>(path: string): T | undefined {
  try { return JSON.parse(readFileSync(path, 'utf8')) as T; } catch { return undefined; }
}

/** The run's hashes: run.json's when the orchestrator wrote them (they include lineage), else recomputed. */
export function runHashes(spec: ResolvedSpec, runDir: string): { pretrain: string; probe: string } {
  const run = readJson<{ hashes?: { pretrain?: string; probe?: string } }>(join(runDir, 'run.json'));
  const own = stageHashes(spec);
  const pretrain = run?.hashes?.pretrain ?? own.pretrain;
  const probe = run?.hashes?.probe ?? (run?.hashes?.pretrain
    ? sha256(canonicalJson({ v: 1, stage: 'probe', pretrain, probes: spec.probes })) : own.probe);
  return { pretrain, probe };
}

/** Path of the cached results of a probe plan. */
export const resultsPath = (runDir: string, probeHash: string) => join(runDir, 'probes', probeHash.slice(0, 12), 'results.json');

/** Runs one probe spec on an already-embedded task (runtime/probes/protocol.ts: hear-eval-kit's protocol). */
export function probeTask(task: HearTask, emb: Pick<EmbeddingSet, 'x' | 'dim'>, probe: ProbeSpec, seed: number, signal?: AbortSignal):
  Promise<Omit<ProbeResult, 'seconds'>> {
  return runProtocol(task, emb, probe, seed, signal);
}

async function defaultMedia(): Promise<MediaFns> {
  const [decode, mel] = await Promise.all([import('../media/decode.ts'), import('../media/logmel.ts')]);
  return {
    decodeAudio: async (path, o) => readWavAtRate(path, o.sampleRate) ?? decode.decodeAudio(path, o),
    decodeVideo: decode.decodeVideo, logMel: mel.logMel,
  };
}

async function defaultEncoder(runDir: string): Promise<Encoder> {
  const mod = await import('../train/encoder.ts') as { loadEncoder(runDir: string): Promise<Encoder> };
  return mod.loadEncoder(runDir);
}

/**
 * Resolves where a probe's task lives: a HEAR directory (relative to `root` unless absolute), the synthetic
 * corpus's task directory, or null for paper-scale (`external`) sources.
 */
async function taskDirOf(probe: ProbeSpec, opts: ProbeExperimentOptions): Promise<string | null> {
  const src = probe.source;
  if (src.kind === 'external') return null;
  if (src.kind === 'dir') {
    if (isAbsolute(src.path)) return src.path;
    // The compiler resolves paths against the declaring file; a relative one left over is taken from the
    // project (the parent of a `.lssd` root), the root itself, or the working directory — first that exists.
    const bases = [...(basename(opts.root) === '.lssd' ? [dirname(opts.root)] : []), opts.root, process.cwd()];
    return bases.map((b) => resolve(b, src.path)).find((p) => existsSync(p)) ?? resolve(bases[0], src.path);
  }
  if (opts.syntheticTaskDir) return opts.syntheticTaskDir(src.task);
  const catalog = opts.spec.data.catalog;
  if (catalog.kind !== 'synthetic') {
    throw new ProbeError(PROBE.taskMissing.code, `task '${probe.task}' comes from the synthetic corpus, but this experiment's catalog is '${catalog.kind}'`,
      undefined, 'synthetic tasks are generated with the synthetic corpus the experiment trains on');
  }
  const synth = await import('../media/synth/index.ts') as { ensureSyntheticCorpus(c: unknown, o: { root: string }): Promise<string> };
  return join(await synth.ensureSyntheticCorpus(catalog, { root: opts.root }), 'tasks', src.task);
}

/**
 * Probes a pretrained run on every task of `spec.probes`. Returns cached results when the probe plan's
 * hash already has them; `external` tasks are skipped with a warning event.
 */
export async function probeExperiment(opts: ProbeExperimentOptions): Promise<ProbeResult[]> {
  const { spec, runDir, signal } = opts;
  const emit = emitter(opts.events);
  const hashes = opts.probeHash ? { pretrain: runHashes(spec, runDir).pretrain, probe: opts.probeHash } : runHashes(spec, runDir);
  const outPath = resultsPath(runDir, hashes.probe);
  const cached = readJson<{ results: ProbeResult[] }>(outPath);
  if (cached?.results) {
    for (const r of cached.results) emit({ type: 'probe-end', task: r.task, metric: r.metric, value: r.value, ...(r.std !== null ? { std: r.std } : {}) });
    return cached.results;
  }
  const runnable = spec.probes.filter((p) => {
    if (p.source.kind !== 'external') return true;
    emit({ type: 'warning', message: `probe '${p.task}' skipped: its data (${p.source.name}) exists only at paper scale` });
    return false;
  });
  const results: ProbeResult[] = [];
  if (runnable.length === 0) { writeJsonAtomic(outPath, { probeHash: hashes.probe, pretrainHash: hashes.pretrain, results }); return results; }

  // A probe-only run (training skipped) may reach here before anything chose a tfjs backend.
  await (await import('../media/logmel.ts')).prepareBackend();
  let encoder: Encoder | undefined = opts.encoder;
  let media: MediaFns | undefined = opts.media;
  const ownsEncoder = !encoder;
  try {
    for (const probe of runnable) {
      if (signal?.aborted) break;
      const taskKey = sha256(canonicalJson({ v: 2, pretrain: hashes.pretrain, probe, seed: spec.optim.seed }));
      const taskPath = join(runDir, 'probes', 'tasks', `${probe.task.replace(/[^A-Za-z0-9_.-]/g, '_')}-${taskKey.slice(0, 12)}.json`);
      const done = readJson<ProbeResult>(taskPath);
      if (done) {
        emit({ type: 'probe-end', task: done.task, metric: done.metric, value: done.value, ...(done.std !== null ? { std: done.std } : {}) });
        results.push(done);
        continue;
      }
      const t0 = Date.now();
      const dir = await taskDirOf(probe, opts);
      const task = loadHearTask(dir!);
      emit({ type: 'probe-start', task: probe.task, n: task.clips.length });
      encoder ??= await defaultEncoder(runDir);
      media ??= await defaultMedia();
      const emb = await taskEmbeddings(task, encoder, { modality: probe.modality, audio: spec.views.audio, video: spec.views.video, window: probe.window, viewSeconds: spec.data.windows.length },
        media, runDir, { signal, name: probe.task, melCacheDir: join(opts.root, 'probe-features'), onProgress: (d, total) => emit({ type: 'data-progress', phase: `embed ${probe.task}`, done: d, total }) });
      if (signal?.aborted) break;
      const r: ProbeResult = { ...(await probeTask(task, emb, probe, spec.optim.seed, signal)), seconds: (Date.now() - t0) / 1000 };
      if (signal?.aborted) break;
      writeJsonAtomic(taskPath, r);
      results.push(r);
      emit({ type: 'probe-end', task: r.task, metric: r.metric, value: r.value, ...(r.std !== null ? { std: r.std } : {}) });
    }
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') return results;
    throw e;
  } finally {
    if (ownsEncoder) encoder?.dispose();
  }
  if (!signal?.aborted) writeJsonAtomic(outPath, { probeHash: hashes.probe, pretrainHash: hashes.pretrain, results });
  return results;
}

export interface ExportOptions extends Omit<ProbeExperimentOptions, 'probeHash'> {
  /** Output directory: one hear-eval-kit task directory per probe task, named by the task. */
  out: string;
}

/**
 * Writes the run's embeddings of every local (dir / synthetic) probe task in hear-eval-kit's layout
 * (runtime/probes/hear-export.ts), from the embedding cache when the run was probed already. Returns the
 * directories written; `external` tasks are skipped with a warning event.
 */
export async function exportExperimentEmbeddings(opts: ExportOptions): Promise<string[]> {
  const { spec, runDir, signal } = opts;
  const emit = emitter(opts.events);
  const { exportHearTask } = await import('./hear-export.ts');
  await (await import('../media/logmel.ts')).prepareBackend();
  let encoder: Encoder | undefined = opts.encoder;
  const media = opts.media ?? await defaultMedia();
  const written: string[] = [];
  try {
    for (const probe of spec.probes) {
      if (signal?.aborted) break;
      if (probe.source.kind === 'external') { emit({ type: 'warning', message: `export of '${probe.task}' skipped: its data (${probe.source.name}) exists only at paper scale` }); continue; }
      const task = loadHearTask((await taskDirOf(probe, opts))!);
      encoder ??= await defaultEncoder(runDir);
      const emb = await taskEmbeddings(task, encoder, { modality: probe.modality, audio: spec.views.audio, video: spec.views.video, window: probe.window, viewSeconds: spec.data.windows.length },
        media, runDir, { signal, name: probe.task, melCacheDir: join(opts.root, 'probe-features'), onProgress: (d, total) => emit({ type: 'data-progress', phase: `embed ${probe.task}`, done: d, total }) });
      written.push(exportHearTask(task, emb, join(opts.out, probe.task.replace(/[^A-Za-z0-9_.-]/g, '_'))));
    }
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') return written;
    throw e;
  } finally {
    if (!opts.encoder) encoder?.dispose();
  }
  return written;
}

/**
 * Scores embeddings computed by any model, stored in hear-eval-kit's layout (one task directory, or a
 * directory of them), with `probe`'s protocol (its task name, source and modality are replaced per task
 * directory). Nothing is cached: the embeddings are the input.
 */
export async function probeEmbeddingsDir(dir: string, probe: ProbeSpec, opts: { seed?: number; events?: EventSink; signal?: AbortSignal } = {}): Promise<ProbeResult[]> {
  const emit = emitter(opts.events);
  const results: ProbeResult[] = [];
  for (const taskDir of embeddingTaskDirs(dir)) {
    if (opts.signal?.aborted) break;
    const t0 = Date.now();
    const imported = importHearTask(taskDir);
    const name = imported.task.name;
    emit({ type: 'probe-start', task: name, n: imported.task.clips.length });
    const p: ProbeSpec = { ...probe, task: name, source: { kind: 'dir', path: taskDir }, prediction: imported.task.prediction };
    const r: ProbeResult = { ...(await runProtocol(imported.task, imported, p, opts.seed ?? 0, opts.signal)), seconds: (Date.now() - t0) / 1000 };
    results.push(r);
    emit({ type: 'probe-end', task: r.task, metric: r.metric, value: r.value, ...(r.std !== null ? { std: r.std } : {}) });
  }
  return results;
}

