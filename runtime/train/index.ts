// The training loop (nanoGPT-style plain functions): select the backend, build the model from the Plan,
// resume from the newest complete checkpoint (or load an `init from` parent), self-test gradients,
// then step: batch → loss and gradients → optimiser; metrics to metrics.jsonl, events to the UI,
// checkpoints every plan.checkpointEvery steps, on abort, and at the end (checkpoints/final).
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Plan, SchedulePlan } from '../../compiler/plan.ts';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import { headsSignature, scheduleFor, towerSignature } from '../../compiler/lower.ts';
import type { Batch, Dataset, RunEvent } from '../contracts.ts';
import { selectBackend, backendWarnings, wasmThreadSummary, type BackendPref } from './backend.ts';
import { buildModel, checkBatch, type Model, type TermName } from './model.ts';
import { Optimizer } from './optim.ts';
import { lrAt } from './schedule.ts';
import { listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint, type Manifest } from './checkpoint.ts';
import { selftest } from './selftest.ts';
import { TrainCodes, TrainError } from './errors.ts';
import { GraphRefusal, GraphTraining } from './graph-train.ts';
import { GRAPH } from '../../compiler/messages-runtime.ts';

export { selectBackend } from './backend.ts';
export { TrainError, TrainCodes } from './errors.ts';

export interface TrainOptions {
  spec: ResolvedSpec;
  plan: Plan;
  runDir: string;
  dataset: Dataset;
  events: (e: RunEvent) => void;
  signal: AbortSignal;
  /** Parent experiment's run directory checkpoint for `init from` (its checkpoints/final). */
  init?: { checkpointDir: string };
}

export interface TrainResult { status: 'done' | 'interrupted'; checkpointDir: string }

/** Step checkpoints kept on disk besides `final` (older ones are pruned). */
const KEEP_STEP_CHECKPOINTS = 2;

export function modelSignatures(plan: Plan): Manifest['signatures'] {
  return {
    video: plan.graph.towers.video ? towerSignature(plan.graph.towers.video) : null,
    audio: towerSignature(plan.graph.towers.audio),
    heads: headsSignature(plan.graph.heads),
  };
}

/** The schedule in steps and the epoch length, from the plan or (open budget) the dataset. */
export function resolveSchedule(plan: Plan, dataset: Pick<Dataset, 'stepsPerEpoch'>): { schedule: SchedulePlan; stepsPerEpoch: number } {
  const stepsPerEpoch = Math.max(1, plan.optim.stepsPerEpoch ?? dataset.stepsPerEpoch);
  return { schedule: plan.optim.schedule ?? scheduleFor(plan.optim, stepsPerEpoch), stepsPerEpoch };
}

function assignParams(model: Model, tensors: Map<string, { shape: number[]; data: Float32Array; group: string }>, names: string[], where: string): void {
  for (const name of names) {
    const v = model.store.vars.get(name) ?? model.store.buffers.get(name)!;
    const t = tensors.get(name);
    if (!t || t.group !== 'param') throw new TrainError(TrainCodes.foreignCheckpoint, `checkpoint has no parameter '${name}'`, { path: where });
    if (t.shape.join(',') !== v.shape.join(',')) {
      throw new TrainError(TrainCodes.foreignCheckpoint, `parameter '${name}' is [${t.shape}] in the checkpoint but [${v.shape}] in this model`, { path: where });
    }
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
  }
}

/** Restores model + optimiser + step from a checkpoint of this same run (spec hash verified). */
function resume(model: Model, optim: Optimizer, plan: Plan, dir: string): number {
  const ck = loadCheckpoint(dir);
  if (ck.manifest.specHash !== plan.specHash) {
    throw new TrainError(TrainCodes.foreignCheckpoint, `checkpoint was written for spec hash ${ck.manifest.specHash.slice(0, 12)}, this run is ${plan.specHash.slice(0, 12)}`,
      { path: dir, hint: 'the run directory belongs to a different version of the experiment; use a fresh run directory' });
  }
  assignParams(model, ck.tensors, [...model.store.names(), ...model.store.bufferNames()], dir);
  const state = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of ck.tensors) if (t.group === 'optim') state.set(name, t);
  optim.load(ck.manifest.optimizer.t, state);
  return ck.manifest.step;
}

/** `init from`: loads the parent's backbones (and heads when they are the same shape); the optimiser starts fresh. */
function initFrom(model: Model, plan: Plan, dir: string): { heads: boolean } {
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new TrainError(TrainCodes.noParentCheckpoint, `'init from ${plan.init.experiment}' needs the parent's final checkpoint, which does not exist`,
      { path: dir, hint: `run ${plan.init.experiment} to completion first (lssdc run runs parents before children)` });
  }
  const ck = loadCheckpoint(dir);
  const mine = modelSignatures(plan);
  const theirs = ck.manifest.signatures;
  if ((mine.video && mine.video !== theirs.video) || mine.audio !== theirs.audio) {
    throw new TrainError(TrainCodes.foreignCheckpoint, `the checkpoint of '${ck.manifest.experiment}' has different backbones than this experiment`,
      { path: dir, hint: 'init from needs the same backbone declarations, configs and input shapes' });
  }
  const prefixes = [...(mine.video ? ['video/'] : []), 'audio/'];
  assignParams(model, ck.tensors, [...model.store.names(), ...model.store.bufferNames()].filter((n) => prefixes.some((p) => n.startsWith(p))), dir);
  const heads = mine.heads === theirs.heads;
  if (heads) assignParams(model, ck.tensors, model.store.names('head/'), dir);
  return { heads };
}

/** Rewrites metrics.jsonl without lines past `step` (a resumed run re-logs them). */
function truncateMetrics(path: string, step: number): void {
  if (!existsSync(path)) return;
  const keep = readFileSync(path, 'utf8').split('\n').filter((l) => {
    if (!l.trim()) return false;
    try { return (JSON.parse(l) as { step: number }).step <= step; } catch { return false; }
  });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, keep.map((l) => l + '\n').join(''));
  renameSync(tmp, path);
}

const termValues = async (terms: Partial<Record<TermName, tf.Scalar>>, total: tf.Scalar) => {
  const out = { L: NaN, L_v: NaN, L_a: NaN, total: NaN };
  for (const k of Object.keys(terms) as TermName[]) out[k] = (await terms[k]!.data())[0];
  out.total = (await total.data())[0];
  return out;
};

export async function trainExperiment(opts: TrainOptions): Promise<TrainResult> {
  const { plan, runDir, dataset, events, signal } = opts;
  const backend = await selectBackend(plan.backend.preference as BackendPref);
  for (const w of backendWarnings()) events({ type: 'warning', message: w });

  const { schedule, stepsPerEpoch } = resolveSchedule(plan, dataset);
  if (plan.optim.stepsPerEpoch != null && plan.optim.stepsPerEpoch !== dataset.stepsPerEpoch) {
    events({ type: 'warning', message: `the plan counts ${plan.optim.stepsPerEpoch} steps per epoch (budget / batch) but the dataset has ${dataset.stepsPerEpoch}; the schedule follows the plan` });
  }
  const total = schedule.totalSteps;
  const ckRoot = join(runDir, 'checkpoints');
  mkdirSync(ckRoot, { recursive: true });
  const metricsPath = join(runDir, 'metrics.jsonl');
  const signatures = modelSignatures(plan);

  const model = buildModel(plan);
  const optim = new Optimizer(plan.optim, model.store);
  const trainable = [...model.store.vars.values()];
  try {
    // Resume, else init from a parent, else fresh.
    let step = 0;
    let resumedFrom: number | null = null;
    const existing = listCheckpoints(runDir);
    const newest = existing[existing.length - 1];
    if (newest) {
      step = resume(model, optim, plan, newest.dir);
      resumedFrom = step;
      truncateMetrics(metricsPath, step);
    } else if (plan.init.kind === 'from') {
      if (!opts.init) throw new TrainError(TrainCodes.noParentCheckpoint, `'init from ${plan.init.experiment}' but no parent checkpoint was given to the trainer`);
      const { heads } = initFrom(model, plan, opts.init.checkpointDir);
      if (!heads) events({ type: 'warning', message: `init from ${plan.init.experiment}: projection heads differ in shape, so only the backbones were loaded` });
    }

    // Gradient self-test of the ops this plan uses, on the backend that will train.
    const results = await selftest(plan.backend.selftest);
    for (const r of results) events({ type: 'selftest', op: r.op, ok: r.ok, maxRelErr: r.maxRelErr });
    const bad = results.filter((r) => !r.ok);
    if (bad.length) {
      throw new TrainError(TrainCodes.selftestFailed, `gradient self-test failed on backend '${backend}' for ${bad.map((r) => `${r.op} (rel. err ${r.maxRelErr.toExponential(1)})`).join(', ')}`,
        { hint: 'try another backend with --backend (wasm, cpu)' });
    }

    const backendDetail = backend === 'wasm' ? wasmThreadSummary() : null;
    events({ type: 'run-start', name: plan.experiment, runDir, backend, ...(backendDetail ? { backendDetail } : {}), seed: plan.optim.seed, totalSteps: total, stepsPerEpoch, resumedFrom, specHash: plan.specHash });

    const save = async (dir: string, at: number) => {
      await saveCheckpoint(dir, { experiment: plan.experiment, step: at, specHash: plan.specHash, signatures, optimizer: { kind: plan.optim.kind, t: optim.t }, backend },
        [{ group: 'param', vars: model.store.saved() }, { group: 'optim', vars: optim.state() }], { 'plan.json': JSON.stringify(plan, null, 1) + '\n' });
      events({ type: 'checkpoint', step: at, path: dir });
    };

    if (step >= total) {
      const finalDir = join(ckRoot, 'final');
      if (!existsSync(join(finalDir, 'manifest.json'))) await save(finalDir, step);
      return { status: 'done', checkpointDir: finalDir };
    }

    // A prefetched batch may be abandoned (interrupt, error): its rejection once the dataset closes must
    // not crash the process as an unhandled rejection, so each one gets a handler; awaiting it still throws.
    const prefetch = (at: number) => { const p = dataset.batchAt(at); p.catch(() => undefined); return p; };
    let next: Promise<Batch> | null = prefetch(step);
    let epochSum = { L: 0, L_v: 0, L_a: 0, total: 0 }, epochN = 0, epochStart = performance.now();
    let checkedShapes = false;
    // Graph mode (graph-train.ts) on tensorflow unless LSSD_GRAPH=0: compiled at the first step; what it
    // cannot capture is said (LSSD5350) and the run trains eagerly. metrics.jsonl records each step's mode.
    let graph: GraphTraining | null = null;
    let graphTried = backend !== 'tensorflow' || process.env.LSSD_GRAPH === '0';
    const eagerFallback = (e: unknown) => {
      if (!(e instanceof GraphRefusal)) throw e;
      graph?.dispose();
      graph = null;
      events({ type: 'diagnostic', severity: 'warning', code: GRAPH.eagerFallback.code, message: `training step cannot run as a TensorFlow graph (${e.message}); training eagerly`,
        hint: 'eager mode computes the same step, slower; LSSD_GRAPH=0 skips the attempt' });
    };
    try {
      while (step < total) {
        // Kernels on cpu/wasm run synchronously and `data()` resolves as a microtask, so without this the
        // loop never returns to the event loop and a SIGINT/SIGTERM handler runs only after the last step.
        await new Promise<void>((r) => setImmediate(r));
        if (signal.aborted) {
          const dir = join(ckRoot, `step-${step}`);
          await save(dir, step);
          return { status: 'interrupted', checkpointDir: dir };
        }
        const t0 = performance.now();
        const batch = await next!;
        // Waiting for this batch, plus whatever the dataset does synchronously when asked for the next one
        // (an async batchAt runs on this thread until its first await): both are data time, not compute.
        next = step + 1 < total ? prefetch(step + 1) : null;
        const dataWaitMs = performance.now() - t0;
        if (!checkedShapes) { checkBatch(plan, batch); checkedShapes = true; }
        const lr = lrAt(schedule, step);

        const kept: tf.Tensor[] = [];
        const prepared = model.prepare(batch);
        const t1 = performance.now();
        if (!graphTried) {
          graphTried = true;
          try { graph = GraphTraining.compile(model, optim, trainable, prepared, lr); } catch (e) { eagerFallback(e); }
        }
        let graphOut: ReturnType<GraphTraining['step']> | null = null;
        if (graph) { try { graphOut = (graph as GraphTraining).step(prepared, lr); } catch (e) { eagerFallback(e); } }
        const mode = graphOut ? 'graph' : 'eager';
        let loss: Awaited<ReturnType<typeof termValues>>, ok: boolean, t2: number;
        if (graphOut) {
          // One session run did loss, gradients and update; it is applied only when the loss is finite.
          kept.push(graphOut.total, ...Object.values(graphOut.terms));
          loss = await termValues(graphOut.terms, graphOut.total);
          ok = graphOut.applied;
          t2 = performance.now();
        } else {
          let termsOut: Partial<Record<TermName, tf.Scalar>> = {};
          const { value, grads } = tf.variableGrads(() => {
            const { total: t, terms } = model.losses(prepared);
            termsOut = Object.fromEntries(Object.entries(terms).map(([k, v]) => { kept.push(tf.keep(v!)); return [k, v]; }));
            return t;
          }, trainable);
          kept.push(value, ...Object.values(grads));
          loss = await termValues(termsOut, value);
          t2 = performance.now();
          ok = Number.isFinite(loss.total);
          if (ok) { optim.apply(grads, lr); model.store.commitStats(); } else model.store.discardStats();
        }
        // wasm/cpu run kernels synchronously; reading one value makes the optimiser time honest elsewhere.
        if (ok) await model.store.vars.values().next().value!.data();
        const t3 = performance.now();
        tf.dispose([...kept, prepared.audio, ...(prepared.video ? [prepared.video] : [])]);
        if (!ok) {
          throw new TrainError(TrainCodes.nonFinite, `loss is ${loss.total} at step ${step}`, { hint: 'lower the learning rate or raise the temperature; the last checkpoint is intact' });
        }
        step += 1;
        const epoch = Math.floor((step - 1) / stepsPerEpoch);
        const seconds = (performance.now() - t0) / 1000;
        const clipsPerSec = batch.size / seconds;
        for (const k of ['L', 'L_v', 'L_a', 'total'] as const) epochSum[k] += Number.isFinite(loss[k]) ? loss[k] : 0;
        epochN += 1;
        appendFileSync(metricsPath, JSON.stringify({ step, epoch, lr, loss, clipsPerSec, dataWaitMs, mode, stepMs: seconds * 1000,
          prepareMs: t1 - t0 - dataWaitMs, forwardBackwardMs: t2 - t1, optimizerMs: t3 - t2, time: new Date().toISOString() }) + '\n');
        if (step % plan.logEvery === 0 || step === 1 || step === total) {
          events({ type: 'step', step, epoch, loss, lr, clipsPerSec, dataWaitMs });
        }
        if (step % stepsPerEpoch === 0 || step === total) {
          const mean = (k: keyof typeof epochSum) => (Object.prototype.hasOwnProperty.call(loss, k) && Number.isFinite(loss[k]) ? epochSum[k] / epochN : NaN);
          events({ type: 'epoch-end', epoch, loss: { L: mean('L'), L_v: mean('L_v'), L_a: mean('L_a'), total: mean('total') }, seconds: (performance.now() - epochStart) / 1000 });
          epochSum = { L: 0, L_v: 0, L_a: 0, total: 0 }; epochN = 0; epochStart = performance.now();
        }
        if (step % plan.checkpointEvery === 0 && step < total) {
          await save(join(ckRoot, `step-${step}`), step);
          pruneCheckpoints(runDir, KEEP_STEP_CHECKPOINTS);
        }
      }
      if (next) await next.catch(() => undefined);
      const finalDir = join(ckRoot, 'final');
      await save(finalDir, step);
      pruneCheckpoints(runDir, KEEP_STEP_CHECKPOINTS);
      return { status: 'done', checkpointDir: finalDir };
    } finally {
      (graph as GraphTraining | null)?.dispose();
    }
  } finally {
    optim.dispose();
    model.dispose();
  }
}
