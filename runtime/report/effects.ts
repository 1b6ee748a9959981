// Statistics of a report (runtime/report/stats.ts applied to the runs):
//   seedStats     per variant and task: mean and 95% t-interval over its seeds, n;
//   paired        per grid axis change (overall, and within each value of every other axis): the mean
//                 paired difference per task with a bootstrap 95% interval, the number of pairs and of
//                 replication units; marked when the interval excludes 0;
//   interactions  for a two-valued axis A and another axis B: how much A's effect changes when B moves
//                 from its first value (a difference of paired differences), with the same interval.
//
// Pairs are cells that differ only in the axis (every other axis and the seed equal). The unit of
// replication is the seed: each seed's pairs are averaged first and the seeds are resampled, so cells
// that share a seed are never treated as independent. A grid with a single seed resamples its pairs.
import type { ReportRun } from './collect.ts';
import type { Column } from './model.ts';
import { BOOTSTRAP_DEFAULTS, bootstrapMeanCI, excludesZero, meanCI } from './stats.ts';

export interface StatCell {
  text: string; value: number | null; lo: number | null; hi: number | null; n: number;
  /** The bootstrap interval excludes 0 (marked `*`). */
  significant: boolean;
  /**
   * The Student-t interval over the same units excludes 0 too (marked `†`): with few seeds the percentile
   * bootstrap is narrower than the t-interval (≈ 0.63× at n = 5), so `*` alone overstates the evidence.
   */
  tSignificant: boolean;
}

export interface SeedStatsRow { label: string; cells: StatCell[] }

export interface PairedEffect {
  grid: string;
  /** `dubs off → any`, or an interaction `dubs off → any × strength 0 → 1`. */
  change: string;
  /** `all`, or the other axis value the pairs are restricted to (`strength = 1`). */
  within: string;
  pairs: number;
  /** Replication units resampled (seeds; pairs when the grid has one seed). */
  units: number;
  cells: StatCell[];
}

export interface ReportStats {
  seedStats: SeedStatsRow[];
  paired: PairedEffect[];
  interactions: PairedEffect[];
  /** How the intervals were computed, for the report's text. */
  method: string;
  /** Anything to show (a variant with several seeds, or a paired comparison). */
  shown: boolean;
}

const pts = (v: number) => v * 100;
/** Points with one decimal; the sign is taken after rounding, so −0.04 prints as 0.0, never −0.0. */
const fmtPt = (v: number, sign: boolean) => {
  const r = Number(pts(v).toFixed(1));
  return `${r > 0 ? (sign ? '+' : '') : r < 0 ? '−' : ''}${Math.abs(r).toFixed(1)}`;
};

function cellOf(xs: number[], kind: 'mean' | 'diff'): StatCell {
  if (!xs.length) return { text: '—', value: null, lo: null, hi: null, n: 0, significant: false, tSignificant: false };
  const ci = kind === 'mean' ? meanCI(xs) : bootstrapMeanCI(xs);
  const sign = kind === 'diff';
  const has = Number.isFinite(ci.lo) && Number.isFinite(ci.hi);
  const significant = kind === 'diff' && excludesZero(ci);
  const tSignificant = significant && excludesZero(meanCI(xs));
  const text = `${fmtPt(ci.mean, sign)}${has ? ` [${fmtPt(ci.lo, sign)}, ${fmtPt(ci.hi, sign)}]` : ''}${significant ? ' *' : ''}${tSignificant ? '†' : ''}`;
  return { text, value: ci.mean, lo: has ? ci.lo : null, hi: has ? ci.hi : null, n: xs.length, significant, tSignificant };
}

const key = (v: unknown) => JSON.stringify(v);
const axesOf = (r: ReportRun) => r.spec.origin.grid!.axes as Record<string, unknown>;
const show = (v: string) => String(JSON.parse(v));

/** Seed-averaged paired differences: one value per unit, per column. */
function unitValues(pairs: { seed: number; diff: (c: Column) => number | null }[], columns: Column[]): { units: number; perColumn: number[][] } {
  const seeds = [...new Set(pairs.map((p) => p.seed))];
  const bySeed = seeds.length > 1;
  const groups = bySeed ? seeds.map((s) => pairs.filter((p) => p.seed === s)) : pairs.map((p) => [p]);
  const perColumn = columns.map((c) => groups.map((g) => {
    const ds = g.map((p) => p.diff(c)).filter((d): d is number => d !== null);
    return ds.length ? ds.reduce((a, b) => a + b, 0) / ds.length : null;
  }).filter((d): d is number => d !== null));
  return { units: groups.length, perColumn };
}

const value = (r: ReportRun, c: Column) => r.results.find((x) => x.task === c.task)?.value ?? null;

export function reportStats(runs: ReportRun[], columns: Column[], variants: { label: string; runs: ReportRun[] }[]): ReportStats {
  const seedStats: SeedStatsRow[] = variants.filter((v) => v.runs.length > 1).map((v) => ({
    label: v.label,
    cells: columns.map((c) => cellOf(v.runs.map((r) => value(r, c)).filter((x): x is number => x !== null), 'mean')),
  }));

  const paired: PairedEffect[] = [];
  const interactions: PairedEffect[] = [];
  const byGrid = new Map<string, ReportRun[]>();
  for (const r of runs) { const g = r.spec.origin.grid; if (g && r.results.length) byGrid.set(g.name, [...(byGrid.get(g.name) ?? []), r]); }
  for (const [grid, cells] of byGrid) {
    const axes = [...new Set(cells.flatMap((c) => Object.keys(axesOf(c))))].filter((a) => a !== 'seed');
    const valuesOf = (axis: string) => { const vs: string[] = []; for (const c of cells) { const v = key(axesOf(c)[axis]); if (!vs.includes(v)) vs.push(v); } return vs; };
    const restKey = (c: ReportRun, skip: string[]) => key(Object.entries(axesOf(c)).filter(([k]) => !skip.includes(k)).sort(([a], [b]) => a.localeCompare(b)).concat([['seed', c.spec.optim.seed]]));
    const at = (c: ReportRun, axis: string) => key(axesOf(c)[axis]);
    /** Pairs (base at `from`, other at `to` on `axis`, all else equal) among `pool`. */
    const pairsOf = (pool: ReportRun[], axis: string, from: string, to: string) => pool.filter((c) => at(c, axis) === from).flatMap((base) => {
      const other = pool.find((c) => at(c, axis) === to && restKey(c, [axis]) === restKey(base, [axis]));
      return other ? [{ base, other, seed: base.spec.optim.seed, diff: (col: Column) => { const a = value(base, col), b = value(other, col); return a === null || b === null ? null : b - a; } }] : [];
    });
    for (const axis of axes) {
      const vs = valuesOf(axis);
      if (vs.length < 2) continue;
      for (const to of vs.slice(1)) {
        const change = `${axis} ${show(vs[0])} → ${show(to)}`;
        const scopes: { within: string; pool: ReportRun[] }[] = [{ within: 'all', pool: cells }];
        for (const other of axes.filter((a) => a !== axis)) {
          const ovs = valuesOf(other);
          if (ovs.length < 2) continue;
          for (const ov of ovs) scopes.push({ within: `${other} = ${show(ov)}`, pool: cells.filter((c) => at(c, other) === ov) });
        }
        for (const s of scopes) {
          const ps = pairsOf(s.pool, axis, vs[0], to);
          if (!ps.length) continue;
          const u = unitValues(ps, columns);
          paired.push({ grid, change, within: s.within, pairs: ps.length, units: u.units, cells: u.perColumn.map((xs) => cellOf(xs, 'diff')) });
        }
      }
      // interactions of a two-valued axis with every other axis
      if (vs.length !== 2) continue;
      for (const other of axes.filter((a) => a !== axis)) {
        const ovs = valuesOf(other);
        // two two-valued axes: once, the later axis (the inner loop of the grid) as the treatment
        if (ovs.length < 2 || (ovs.length === 2 && axes.indexOf(other) > axes.indexOf(axis))) continue;
        for (const ov of ovs.slice(1)) {
          // per (seed, remaining axes): A's effect at `ov` minus A's effect at ovs[0]
          const lowPairs = pairsOf(cells.filter((c) => at(c, other) === ovs[0]), axis, vs[0], vs[1]);
          const highPairs = pairsOf(cells.filter((c) => at(c, other) === ov), axis, vs[0], vs[1]);
          const quads = lowPairs.flatMap((lp) => {
            const hp = highPairs.find((h) => restKey(h.base, [axis, other]) === restKey(lp.base, [axis, other]));
            return hp ? [{ seed: lp.seed, diff: (col: Column) => { const a = lp.diff(col), b = hp.diff(col); return a === null || b === null ? null : b - a; } }] : [];
          });
          if (!quads.length) continue;
          const u = unitValues(quads, columns);
          interactions.push({ grid, change: `${axis} ${show(vs[0])} → ${show(vs[1])} × ${other} ${show(ovs[0])} → ${show(ov)}`, within: 'all', pairs: quads.length, units: u.units, cells: u.perColumn.map((xs) => cellOf(xs, 'diff')) });
        }
      }
    }
  }
  const method = `Means over seeds with a 95% Student-t interval [lo, hi]. Paired differences (points) with a 95% percentile bootstrap ` +
    `interval over the replication units (seeds: each seed's pairs averaged first): exact enumeration of every resample while ` +
    `there are at most ${BOOTSTRAP_DEFAULTS.exactLimit.toLocaleString('en-US')} distinct ones (≤ 10 units), else ${BOOTSTRAP_DEFAULTS.resamples.toLocaleString('en-US')} ` +
    `Monte Carlo resamples from a generator seeded with ${BOOTSTRAP_DEFAULTS.seed} (the same numbers every time). * = the bootstrap interval excludes 0; † = the Student-t interval over the same ` +
    `units excludes 0 as well (with few seeds the percentile bootstrap is narrower than the t-interval — about 0.63× at 5 seeds — so * alone overstates the evidence).`;
  return { seedStats, paired, interactions, method, shown: seedStats.length > 0 || paired.length > 0 };
}
