// The report's view model: plain data the templates render. Built from ReportRuns:
//   table     Table-2 style: rows = variants (seeds of one variant merged: mean ± std over seeds), row groups
//             = ablation groups (a grid, or "experiments"), columns = probe tasks grouped by task kind, the
//             best value per column within each row group marked `best` (bold).
//   runs      the run records (spec hash, probe hash, backend, seed, status, start/end, duration).
//   charts    inline SVG: loss curves; 2-D PCA of probe-set embeddings coloured by scene and by language.
// Strings from specs stay raw here; the Markdown renderer escapes them for Markdown, Handlebars for HTML.
import type { ProbeResult } from '../contracts.ts';
import { lineChart, scatter, type Series } from './svg.ts';
import { pca } from './pca.ts';
import { readEmbeddings, type ReportRun } from './collect.ts';
import { reportStats, type ReportStats } from './effects.ts';

export interface TableCell { text: string; value: number | null; std: number | null; seeds: number; best: boolean }
export interface TableRow { key: string; label: string; names: string[]; cells: TableCell[] }
export interface RowGroup { name: string; rows: TableRow[] }
export interface ColumnGroup { name: string; span: number }
export interface Column { task: string; group: string; metric: import('../../compiler/spec.ts').ProbeMetric; suite: string; modality: string }

export interface ReportModel {
  title: string;
  generated: string;
  source: string;
  columns: Column[];
  columnGroups: ColumnGroup[];
  rowGroups: RowGroup[];
  hasResults: boolean;
  runs: {
    name: string; label: string; runDir: string; pretrainHash: string; probeHash: string; backend: string; seed: number;
    status: string; started: string; ended: string; duration: string; steps: number; exists: boolean;
  }[];
  notRun: string[];
  lossChart: string | null;
  /** Where report.md links the loss chart (written beside it by writeReport). */
  lossChartFile: string;
  embeddingPlots: { run: string; task: string; colouredBy: string; svg: string; file: string }[];
  /** Grid axis effects: mean paired difference (points) per task and per task kind when one axis changes. */
  effects: AxisEffect[];
  /** Means with 95% CIs over seeds, paired differences and interactions with bootstrap CIs (effects.ts). */
  stats?: ReportStats;
  notes: string[];
}

export interface AxisEffect {
  grid: string;
  axis: string;
  from: string;
  to: string;
  /** Cells compared: pairs that differ only in this axis (same values on every other axis, seed included). */
  pairs: number;
  cells: { text: string; value: number | null; sign: 'up' | 'down' | 'flat' | 'none' }[];
  /** Mean over the tasks of each column group, in columnGroups order. */
  groups: { name: string; text: string; value: number | null; sign: 'up' | 'down' | 'flat' | 'none' }[];
}

const pct = (v: number) => (v * 100).toFixed(1);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleStd = (xs: number[]) => { const m = mean(xs); return Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1)); };

/** Variant key: a grid cell without its seed axis, else the experiment name (seeds of one variant merge). */
function variantOf(run: ReportRun): { key: string; label: string; group: string } {
  const g = run.spec.origin.grid;
  if (g) {
    const axes = Object.entries(g.axes).filter(([k]) => k !== 'seed').sort(([a], [b]) => a.localeCompare(b));
    const hasSeed = 'seed' in g.axes;
    const label = hasSeed ? `${g.name}[${axes.map(([k, v]) => `${k}=${String(v)}`).join(', ')}]` : run.spec.label || run.spec.name;
    return { key: `${g.name}\u0000${JSON.stringify(axes)}`, label, group: g.name };
  }
  return { key: run.spec.name, label: run.spec.label || run.spec.name, group: 'experiments' };
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—';
  if (s < 90) return `${s.toFixed(0)} s`;
  if (s < 5400) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Runs grouped by variant (seeds of one grid cell merged), in first-seen order, as the table's rows. */
export function variantRuns(runs: ReportRun[]): { label: string; runs: ReportRun[] }[] {
  const out = new Map<string, { label: string; runs: ReportRun[] }>();
  for (const r of runs) { const v = variantOf(r); const cur = out.get(v.key) ?? { label: v.label, runs: [] }; cur.runs.push(r); out.set(v.key, cur); }
  return [...out.values()];
}

export function buildTable(runs: ReportRun[]): Pick<ReportModel, 'columns' | 'columnGroups' | 'rowGroups' | 'hasResults'> {
  const columns: Column[] = [];
  for (const run of runs) for (const r of run.results) {
    if (!columns.some((c) => c.task === r.task)) columns.push({ task: r.task, group: r.group, metric: r.metric, suite: r.suite, modality: r.modality });
  }
  const groupOrder = [...new Set(columns.map((c) => c.group))];
  columns.sort((a, b) => groupOrder.indexOf(a.group) - groupOrder.indexOf(b.group));
  const columnGroups: ColumnGroup[] = groupOrder.map((g) => ({ name: g, span: columns.filter((c) => c.group === g).length }));

  const variants = new Map<string, { label: string; group: string; runs: ReportRun[] }>();
  for (const run of runs) {
    const v = variantOf(run);
    const cur = variants.get(v.key) ?? { label: v.label, group: v.group, runs: [] };
    cur.runs.push(run);
    variants.set(v.key, cur);
  }
  const rowGroups: RowGroup[] = [];
  for (const [key, v] of variants) {
    const cells: TableCell[] = columns.map((c) => {
      const found = v.runs.map((r) => r.results.find((x) => x.task === c.task)).filter((x): x is ProbeResult => !!x);
      if (found.length === 0) return { text: '—', value: null, std: null, seeds: 0, best: false };
      const values = found.map((f) => f.value);
      const m = mean(values);
      // Several seeds: spread across seeds. One run of a k-fold task: spread across folds.
      const std = found.length > 1 ? sampleStd(values) : found[0].std;
      return { text: std !== null ? `${pct(m)} ± ${pct(std)}` : pct(m), value: m, std, seeds: found.length, best: false };
    });
    let group = rowGroups.find((g) => g.name === v.group);
    if (!group) { group = { name: v.group, rows: [] }; rowGroups.push(group); }
    group.rows.push({ key, label: v.label, names: v.runs.map((r) => r.spec.name), cells });
  }
  markBest(rowGroups, columns.length, pct);
  return { columns, columnGroups, rowGroups, hasResults: columns.length > 0 };
}

/**
 * Marks the best cell per column within each ablation group, compared at display precision `show`
 * (ties are all bold, as in the paper). A column with fewer than two values has no best.
 */
export function markBest(rowGroups: ReportModel['rowGroups'], columns: number, show: (v: number) => string): void {
  for (const g of rowGroups) {
    for (let ci = 0; ci < columns; ci++) {
      const vals = g.rows.map((r) => r.cells[ci].value).filter((x): x is number => x !== null);
      if (vals.length < 2) continue;
      const best = show(Math.max(...vals));
      for (const r of g.rows) if (r.cells[ci].value !== null && show(r.cells[ci].value!) === best) r.cells[ci].best = true;
    }
  }
}

function downsample<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = xs.length / max;
  return Array.from({ length: max }, (_, i) => xs[Math.floor(i * step)]).concat([xs[xs.length - 1]]);
}

export function lossChart(runs: ReportRun[]): string | null {
  const series: Series[] = runs.filter((r) => r.losses.length > 0)
    .map((r) => ({ name: r.spec.label && r.spec.label !== r.spec.name ? `${r.spec.label} (${r.spec.name})` : r.spec.name,
      points: downsample(r.losses, 400).map((p) => [p.step, p.total] as [number, number]) }));
  if (series.length === 0) return null;
  return lineChart(series, { title: 'Pretraining loss (total = L + λ_v·L_v + λ_a·L_a)', xLabel: 'step', yLabel: 'loss' });
}

/** Probe tasks to plot: the first scene-like task (coloured by scene) and the first language task (by language). */
export function plotTasks(columns: Column[]): { task: string; colouredBy: string }[] {
  const out: { task: string; colouredBy: string }[] = [];
  const scene = columns.find((c) => /scene/i.test(c.task) && c.modality === 'audio') ?? columns.find((c) => /scene/i.test(c.group));
  if (scene) out.push({ task: scene.task, colouredBy: 'scene' });
  const lang = columns.find((c) => /lang/i.test(c.task)) ?? columns.find((c) => /lang/i.test(c.group));
  if (lang && lang.task !== scene?.task) out.push({ task: lang.task, colouredBy: 'language' });
  return out;
}

export function embeddingPlots(runs: ReportRun[], columns: Column[], maxPoints = 400): ReportModel['embeddingPlots'] {
  const out: ReportModel['embeddingPlots'] = [];
  // One plot per variant (its first seed): further seeds look alike and would only repeat the picture.
  const seen = new Set<string>();
  const plotted = runs.filter((r) => { const k = variantOf(r).key; if (!r.exists || seen.has(k)) return false; seen.add(k); return true; });
  for (const { task, colouredBy } of plotTasks(columns)) {
    for (const run of plotted) {
      const emb = readEmbeddings(run.runDir, task);
      if (!emb || emb.n < 3) continue;
      // The test split where the task has one; k-fold tasks: every clip is a test clip in some fold.
      let rows = emb.clips.map((c, i) => (c.split === 'test' ? i : -1)).filter((i) => i >= 0);
      if (rows.length < 3) rows = emb.clips.map((_, i) => i);
      if (rows.length > maxPoints) rows = rows.filter((_, i) => i % Math.ceil(rows.length / maxPoints) === 0);
      const x = new Float32Array(rows.length * emb.dim);
      rows.forEach((r, i) => x.set(emb.x.subarray(r * emb.dim, (r + 1) * emb.dim), i * emb.dim));
      // z-score each dimension first so one large-variance unit does not decide the projection.
      for (let d = 0; d < emb.dim; d++) {
        let m = 0; for (let i = 0; i < rows.length; i++) m += x[i * emb.dim + d] / rows.length;
        let v = 0; for (let i = 0; i < rows.length; i++) v += (x[i * emb.dim + d] - m) ** 2 / rows.length;
        const s = Math.sqrt(v) || 1;
        for (let i = 0; i < rows.length; i++) x[i * emb.dim + d] = (x[i * emb.dim + d] - m) / s;
      }
      const p = pca(x, rows.length, emb.dim, 2);
      const points = rows.map((r, i) => ({ x: p[i * 2], y: p[i * 2 + 1], group: emb.clips[r].labels.join('+') || '(none)' }));
      const name = run.spec.label && run.spec.label !== run.spec.name ? `${run.spec.label} (${run.spec.name})` : run.spec.name;
      out.push({
        run: name, task, colouredBy,
        svg: scatter(points, { title: `${name}: ${task} embeddings (PCA), by ${colouredBy}` }),
        file: `embeddings-${run.spec.name}-${task}`.replace(/[^A-Za-z0-9._-]+/g, '_') + '.svg',
      });
    }
  }
  return out;
}

const signed = (v: number | null): { text: string; sign: AxisEffect['cells'][number]['sign'] } =>
  v === null ? { text: '—', sign: 'none' }
    : Math.abs(v) < 0.0005 ? { text: '0.0', sign: 'flat' } // would print as ±0.0
    : { text: `${v > 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}`, sign: Math.abs(v) < 0.005 ? 'flat' : v > 0 ? 'up' : 'down' };

/**
 * For every axis of every grid: the change in each task's test metric when only that axis moves from its
 * first value to another, averaged over the pairs of cells that agree on all other axes (and the seed).
 */
export function axisEffects(runs: ReportRun[], columns: Column[], columnGroups: ColumnGroup[]): AxisEffect[] {
  const out: AxisEffect[] = [];
  const byGrid = new Map<string, ReportRun[]>();
  for (const r of runs) { const g = r.spec.origin.grid; if (g && r.results.length) byGrid.set(g.name, [...(byGrid.get(g.name) ?? []), r]); }
  const key = (v: unknown) => JSON.stringify(v);
  for (const [grid, cells] of byGrid) {
    const axes = [...new Set(cells.flatMap((c) => Object.keys(c.spec.origin.grid!.axes)))].filter((a) => a !== 'seed');
    for (const axis of axes) {
      const values: string[] = [];
      for (const c of cells) { const v = key(c.spec.origin.grid!.axes[axis]); if (!values.includes(v)) values.push(v); }
      if (values.length < 2) continue;
      const rest = (c: ReportRun) => key(Object.entries(c.spec.origin.grid!.axes).filter(([k]) => k !== axis).sort(([a], [b]) => a.localeCompare(b)).concat([['seed', c.spec.optim.seed]]));
      for (const to of values.slice(1)) {
        const diffs: number[][] = columns.map(() => []);
        let pairs = 0;
        for (const base of cells.filter((c) => key(c.spec.origin.grid!.axes[axis]) === values[0])) {
          const other = cells.find((c) => key(c.spec.origin.grid!.axes[axis]) === to && rest(c) === rest(base));
          if (!other) continue;
          pairs++;
          columns.forEach((col, i) => {
            const a = base.results.find((r) => r.task === col.task); const b = other.results.find((r) => r.task === col.task);
            if (a && b) diffs[i].push(b.value - a.value);
          });
        }
        if (pairs === 0) continue;
        const means = diffs.map((d) => (d.length ? mean(d) : null));
        out.push({
          grid, axis, from: String(JSON.parse(values[0])), to: String(JSON.parse(to)), pairs,
          cells: means.map((m) => ({ value: m, ...signed(m) })),
          groups: columnGroups.map((g) => {
            const ms = columns.map((c, i) => (c.group === g.name ? means[i] : null)).filter((m): m is number => m !== null);
            const m = ms.length ? mean(ms) : null;
            return { name: g.name, value: m, ...signed(m) };
          }),
        });
      }
    }
  }
  return out;
}

export function buildReportModel(runs: ReportRun[], opts: { title: string; source: string; now?: Date }): ReportModel {
  const table = buildTable(runs.filter((r) => r.exists));
  const notes: string[] = [];
  const notRun = runs.filter((r) => !r.exists).map((r) => r.spec.name);
  if (notRun.length) notes.push(`${notRun.length} experiment(s) have no run directory yet: ${notRun.join(', ')}.`);
  const noResults = runs.filter((r) => r.exists && r.results.length === 0).map((r) => r.spec.name);
  if (noResults.length) notes.push(`No probe results yet for: ${noResults.join(', ')}.`);
  const external = [...new Set(runs.flatMap((r) => r.spec.probes.filter((p) => p.source.kind === 'external').map((p) => p.task)))];
  if (external.length) notes.push(`Probe tasks that exist only at paper scale were skipped: ${external.join(', ')}.`);
  // Experiments with one pretrain hash share one store entry (one checkpoint): say so, rather than let
  // identical pretraining look like a replicated result.
  const byEntry = new Map<string, string[]>();
  for (const r of runs) if (r.exists) byEntry.set(r.runDir, [...(byEntry.get(r.runDir) ?? []), r.spec.name]);
  for (const [dir, names] of byEntry) {
    if (names.length > 1) notes.push(`${names.join(', ')} share one pretraining (one checkpoint, store entry ${dir.split(/[\\/]/).pop()}); they differ only in names, labels or probes.`);
  }
  // Dub augmentation that did not happen for some samples changes what a row measures: say how much.
  for (const r of runs) {
    const v = r.exists ? r.record.secondaryViews : undefined;
    if (v && v.policy !== 'off' && v.fellBack > 0) {
      notes.push(`${r.spec.name}: ${(100 * v.fraction).toFixed(1)}% of secondary audio views (${v.fellBack} of ${v.views} over ${v.steps} steps) fell back to a second augmentation of the primary track (no dub for policy ${v.policy}).`);
    }
  }
  return {
    title: opts.title,
    generated: (opts.now ?? new Date()).toISOString(),
    source: opts.source,
    ...table,
    runs: runs.map((r) => {
      const t0 = r.record.started ? Date.parse(r.record.started) : NaN;
      const t1 = r.record.ended ? Date.parse(r.record.ended) : NaN;
      return {
        name: r.spec.name, label: r.spec.label, runDir: r.runDir, pretrainHash: r.record.hashes.pretrain.slice(0, 12),
        probeHash: r.record.hashes.probe.slice(0, 12), backend: r.record.backend ?? '—', seed: r.record.seed, status: r.record.status,
        started: r.record.started ?? '—', ended: r.record.ended ?? '—', duration: formatDuration((t1 - t0) / 1000),
        steps: r.losses.length ? r.losses[r.losses.length - 1].step : 0, exists: r.exists,
      };
    }),
    notRun,
    lossChart: lossChart(runs.filter((r) => r.exists)),
    lossChartFile: 'loss-curves.svg',
    embeddingPlots: embeddingPlots(runs, table.columns),
    effects: axisEffects(runs.filter((r) => r.exists), table.columns, table.columnGroups),
    stats: reportStats(runs.filter((r) => r.exists), table.columns, variantRuns(runs.filter((r) => r.exists))),
    notes,
  };
}
