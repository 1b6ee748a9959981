// One task's evaluation on a matrix of clip embeddings, as hear-eval-kit's task_predictions() does it
// (heareval/predictions/task_predictions.py, hear-eval-kit 8559649):
//   1. scores = task_metadata.json `evaluation` (the first is the primary: selection, early stopping, the
//      reported value), unless the spec names a metric; `use_scoring_for_early_stopping: false` monitors
//      the validation loss instead;
//   2. split plans = get_splits_from_metadata (k-fold rotation over sorted folds, or train/valid/test);
//   3. grid = drawGrid (ParameterGrid order, Python-shuffled with seed 42, first `grid_points`), trained on
//      data_splits[0] only; the best validation score wins (sort_grid_points);
//   4. the winner's configuration is retrained on every other split plan (its split-0 model is kept);
//   5. each plan's model is tested at its best checkpoint; every score is reported per fold, and
//      aggregated as mean and sample std over folds with NaN skipped (aggregate_test_results, pandas).
// Rows are fed in the kit's stored order (kitRowOrder), because its training loader does not shuffle.
// `select = each` and `embedding_norm = zscore` are lssd's own variants, off for the HEAR preset.
import type { ProbeMetric, ProbeSpec } from '../../compiler/spec.ts';
import type { ProbeResult } from '../contracts.ts';
import { foldPlans, kitRowOrder, type HearTask } from './hear.ts';
import { KIT_METRICS } from './metrics.ts';
import { score, searchGrid, standardise, trainOne, type ProbeData, type ProbeTaskShape, type TrainedProbe } from './train-probe.ts';
import { PROBE, ProbeError } from './errors.ts';

export type ProtocolTask = Pick<HearTask, 'name' | 'dir' | 'labels' | 'prediction' | 'splitMode' | 'splits' | 'clips' | 'fileOrder' | 'metadata'>;

/** The task's scores: the primary first (the spec's, or `evaluation`[0]), then the rest of `evaluation`. */
export function taskMetrics(task: Pick<HearTask, 'metadata' | 'prediction' | 'dir'>, metric: ProbeSpec['metric']): ProbeMetric[] {
  const ev = Array.isArray(task.metadata.evaluation) ? (task.metadata.evaluation as unknown[]).map(String) : [];
  const known = ev.map((e) => KIT_METRICS[e]).filter((m): m is ProbeMetric => m !== undefined);
  let primary: ProbeMetric;
  if (metric !== 'auto') primary = metric;
  else if (ev.length === 0) primary = task.prediction === 'multilabel' ? 'mAP' : 'top1';
  else if (KIT_METRICS[ev[0]] === undefined) {
    throw new ProbeError(PROBE.unknownMetric.code, `task_metadata.json names '${ev[0]}' as its primary score, which is not a scene-level score`, task.dir,
      `lssd scores ${Object.keys(KIT_METRICS).join(', ')}; set the task's \`metric\` to one of top1, chroma, mAP, aucroc, d_prime`);
  } else primary = KIT_METRICS[ev[0]];
  return [primary, ...known.filter((m, i) => m !== primary && known.indexOf(m) === i)];
}

function targets(task: ProtocolTask, rows: number[]): Float32Array | Int32Array {
  if (task.prediction === 'multiclass') return Int32Array.from(rows, (r) => task.clips[r].labels[0]);
  const k = task.labels.length;
  const y = new Float32Array(rows.length * k);
  rows.forEach((r, i) => { for (const l of task.clips[r].labels) y[i * k + l] = 1; });
  return y;
}

function rowsOf(x: Float32Array, dim: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(x.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

/** Mean and sample std (ddof 1) of the finite values; NaN / null when there are none / fewer than two. */
export function aggregate(values: number[]): { value: number; std: number | null } {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { value: NaN, std: null };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { value: mean, std: v.length > 1 ? Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1)) : null };
}

/** Runs one probe spec on an embedded task: every split plan, grid search per the spec's `select`. */
export async function runProtocol(task: ProtocolTask, emb: { x: Float32Array; dim: number }, probe: ProbeSpec, seed: number, signal?: AbortSignal):
  Promise<Omit<ProbeResult, 'seconds'>> {
  const metrics = taskMetrics(task, probe.metric);
  const shape: ProbeTaskShape = { dim: emb.dim, classes: task.labels.length, prediction: task.prediction, metric: metrics[0],
    monitorLoss: task.metadata.use_scoring_for_early_stopping === false };
  const order = kitRowOrder(task);
  const plans = foldPlans(task);
  const settings = probe.probe;
  const pick = (splits: string[]) => splits.flatMap((s) => order[s] ?? []);
  const prepared = plans.map((plan) => {
    const rows = { train: pick(plan.train), valid: pick(plan.valid), test: pick(plan.test) };
    if (rows.train.length === 0 || rows.test.length === 0) {
      throw new ProbeError(PROBE.emptySplit.code, `fold '${plan.name}' of task '${task.name}' has ${rows.train.length} training and ${rows.test.length} test clips`,
        task.dir, 'every split listed in task_metadata.json needs clips');
    }
    let x = { train: rowsOf(emb.x, emb.dim, rows.train), valid: rowsOf(emb.x, emb.dim, rows.valid), test: rowsOf(emb.x, emb.dim, rows.test) };
    if (settings.embedding_norm === 'zscore') {
      const st = standardise(x.train, [x.valid, x.test], emb.dim);
      x = { train: st.train, valid: st.others[0], test: st.others[1] };
    }
    const data = (v: Float32Array, r: number[]): ProbeData => ({ x: v, n: r.length, y: targets(task, r) });
    return { plan, rows, train: data(x.train, rows.train), valid: data(x.valid, rows.valid), test: data(x.test, rows.test) };
  });

  const folds: ProbeResult['folds'] = [];
  let winner: TrainedProbe['config'] | null = null;
  let tried: { config: TrainedProbe['config']; valid: number; bestEpoch: number }[] = [];
  for (const [fi, p] of prepared.entries()) {
    if (signal?.aborted) break;
    const foldSeed = seed + 1000003 * fi;
    let model: TrainedProbe;
    if (settings.select === 'each' || fi === 0) {
      const s = await searchGrid(p.train, p.valid, shape, settings, foldSeed, signal);
      model = s.best;
      if (fi === 0) { winner = s.best.config; tried = s.tried; }
    } else {
      model = await trainOne(p.train, p.valid, shape, winner!, settings, foldSeed, signal);
    }
    const logits = model.predict(p.test.x, p.test.n);
    const values = Object.fromEntries(metrics.map((m) => [m, score(m, logits, p.test.n, shape.classes, p.test.y, shape.prediction)]));
    folds.push({ fold: p.plan.name, value: values[metrics[0]], valid: model.valid, metrics: values,
      config: { ...model.config, bestEpoch: model.bestEpoch, epochsRun: model.epochsRun } });
    model.dispose();
  }
  if (signal?.aborted && folds.length < prepared.length) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
  const agg = Object.fromEntries(metrics.map((m) => [m, aggregate(folds.map((f) => f.metrics![m] ?? NaN))]));
  const n = prepared[0].rows;
  return {
    task: probe.task, suite: probe.suite, group: probe.group, modality: probe.modality, metric: metrics[0],
    value: agg[metrics[0]].value, std: agg[metrics[0]].std, metrics: agg, folds,
    grid: tried.map((t) => ({ ...t.config, valid: t.valid, bestEpoch: t.bestEpoch })),
    n: { train: n.train.length, valid: n.valid.length, test: n.test.length },
  };
}
