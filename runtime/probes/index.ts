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
import { foldPlans, loadHearTask, type HearTask } from './hear.ts';
import { taskEmbeddings, type EmbeddingSet, type MediaFns } from './embed.ts';
import { standardise, trainGrid, type ProbeData } from './train-probe.ts';
import { PROBE, ProbeError } from './errors.ts';
import { readWavAtRate } from './wav.ts';

export { ProbeError, isProbeError } from './errors.ts';
export { loadHearTask, foldPlans } from './hear.ts';
export { top1, meanAveragePrecision, averagePrecision } from './metrics.ts';

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

/** Multi-hot or index targets for the selected rows. */
function targets(task: HearTask, rows: number[]): Float32Array | Int32Array {
  if (task.prediction === 'multiclass') return Int32Array.from(rows, (r) => task.clips[r].labels[0]);
  const k = task.labels.length;
  const y = new Float32Array(rows.length * k);
  rows.forEach((r, i) => { for (const l of task.clips[r].labels) y[i * k + l] = 1; });
  return y;
}

function rowsOf(emb: EmbeddingSet, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * emb.dim);
  rows.forEach((r, i) => out.set(emb.x.subarray(r * emb.dim, (r + 1) * emb.dim), i * emb.dim));
  return out;
}

/** Runs one probe spec on an already-embedded task: every fold of the task's plan, grid per fold. */
export function probeTask(task: HearTask, emb: EmbeddingSet, probe: ProbeSpec, seed: number, signal?: AbortSignal):
  Omit<ProbeResult, 'seconds'> {
  const folds: ProbeResult['folds'] = [];
  let n = { train: 0, valid: 0, test: 0 };
  const plans = foldPlans(task);
  plans.forEach((plan, fi) => {
    const pick = (splits: string[]) => task.clips.map((c, i) => (splits.includes(c.split) ? i : -1)).filter((i) => i >= 0);
    const rows = { train: pick(plan.train), valid: pick(plan.valid), test: pick(plan.test) };
    if (rows.train.length === 0 || rows.test.length === 0) {
      throw new ProbeError(PROBE.emptySplit.code, `fold '${plan.name}' of task '${task.name}' has ${rows.train.length} training and ${rows.test.length} test clips`,
        task.dir, 'every split listed in task_metadata.json needs clips');
    }
    const st = standardise(rowsOf(emb, rows.train), [rowsOf(emb, rows.valid), rowsOf(emb, rows.test)], emb.dim);
    const data = (x: Float32Array, r: number[]): ProbeData => ({ x, n: r.length, y: targets(task, r) });
    const out = trainGrid({ train: data(st.train, rows.train), valid: data(st.others[0], rows.valid), test: data(st.others[1], rows.test) },
      { dim: emb.dim, classes: task.labels.length, prediction: task.prediction, metric: probe.metric }, probe.probe, seed + 1000003 * fi, signal);
    folds.push({ fold: plan.name, value: out.test, valid: out.valid, config: { ...out.config, bestEpoch: out.bestEpoch } });
    if (fi === 0) n = { train: rows.train.length, valid: rows.valid.length, test: rows.test.length };
  });
  const values = folds.map((f) => f.value);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : null;
  return { task: probe.task, suite: probe.suite, group: probe.group, modality: probe.modality, metric: probe.metric, value: mean, std, folds, n };
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
      const taskKey = sha256(canonicalJson({ v: 1, pretrain: hashes.pretrain, probe, seed: spec.optim.seed }));
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
      const emb = await taskEmbeddings(task, encoder, { modality: probe.modality, audio: spec.views.audio, video: spec.views.video, window: probe.window },
        media, runDir, { signal, name: probe.task, melCacheDir: join(opts.root, 'probe-features'), onProgress: (d, total) => emit({ type: 'data-progress', phase: `embed ${probe.task}`, done: d, total }) });
      if (signal?.aborted) break;
      const r: ProbeResult = { ...probeTask(task, emb, probe, spec.optim.seed, signal), seconds: (Date.now() - t0) / 1000 };
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
