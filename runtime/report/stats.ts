// Statistics for reports: a mean with its 95% confidence interval over seeds (Student t), and the
// paired bootstrap of a mean difference, resampling the units of replication (seeds).
//
//   meanCI(xs)                 mean, t-interval (n − 1 degrees of freedom), n
//   bootstrapMeanCI(xs, opts)  percentile interval of the mean of xs under resampling with replacement:
//                              exact (every one of the C(2n − 1, n) multisets, weighted by its multinomial
//                              probability) while that count is ≤ opts.exactLimit, else Monte Carlo with
//                              opts.resamples draws from a fixed-seed generator — both deterministic, so a
//                              report rendered twice prints the same numbers.
//
// Quantiles are the inverted CDF (the smallest value whose cumulative probability reaches p, numpy's
// `method='inverted_cdf'`). Checked against an independent numpy/scipy computation in
// test/report/stats.test.ts (fixtures from test/fixtures/stats/make.py).
import { mulberry32 } from '../train/rng.ts';

export interface MeanCI { mean: number; lo: number; hi: number; n: number }

export interface BootstrapCI extends MeanCI {
  /** 'exact': full enumeration of the bootstrap distribution; 'monte-carlo': `resamples` draws. */
  method: 'exact' | 'monte-carlo';
  /** Resamples drawn (Monte Carlo) or distinct multisets enumerated (exact). */
  resamples: number;
}

export interface BootstrapOptions {
  /** Confidence level (default 0.95). */
  level?: number;
  /** Monte Carlo draws when enumeration is too large (default 10,000). */
  resamples?: number;
  /** Seed of the Monte Carlo generator (default 20240601): fixed so reports are reproducible. */
  seed?: number;
  /** Enumerate exactly while the number of multisets is at most this (default 100,000: n ≤ 10). */
  exactLimit?: number;
}

export const BOOTSTRAP_DEFAULTS = { level: 0.95, resamples: 10000, seed: 20240601, exactLimit: 100000 } as const;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// ---- Student t ------------------------------------------------------------------------------------

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), |error| < 1e-13 for x > 0.5
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised incomplete beta I_x(a, b) by its continued fraction (modified Lentz). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x)) / a;
  const tiny = 1e-300;
  let f = 1, c = 1, d = 0;
  for (let i = 0; i <= 400; i++) {
    const m = Math.floor(i / 2);
    const num = i === 0 ? 1 : i % 2 === 0 ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)) : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d; if (Math.abs(d) < tiny) d = tiny; d = 1 / d;
    c = 1 + num / c; if (Math.abs(c) < tiny) c = tiny;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-15) break;
  }
  return front * (f - 1);
}

/** CDF of Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t (bisection on the CDF; |error| < 1e-10). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`studentTQuantile(${p}, ${df})`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0, hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean and its t-interval. One value: the interval is the value itself (no spread to estimate), marked by n = 1. */
export function meanCI(xs: readonly number[], level = 0.95): MeanCI {
  const n = xs.length;
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  const m = mean(xs);
  if (n === 1) return { mean: m, lo: NaN, hi: NaN, n };
  const sd = Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
  const h = studentTQuantile(1 - (1 - level) / 2, n - 1) * sd / Math.sqrt(n);
  return { mean: m, lo: m - h, hi: m + h, n };
}

// ---- bootstrap ------------------------------------------------------------------------------------

/** C(2n − 1, n): the number of distinct bootstrap resamples (multisets) of n values. */
export function multisetCount(n: number): number {
  let c = 1;
  for (let i = 1; i <= n; i++) c = (c * (n - 1 + i)) / i;
  return Math.round(c);
}

/** Smallest value whose cumulative weight reaches p (values sorted ascending, weights summing to 1). */
function invertedCdf(sorted: { v: number; w: number }[], p: number): number {
  let acc = 0;
  // a little slack so a cumulative weight that equals p up to rounding counts as reaching it
  for (const s of sorted) { acc += s.w; if (acc >= p - 1e-12) return s.v; }
  return sorted[sorted.length - 1].v;
}

/** Every multiset of n indices as counts, with its multinomial probability n!/(∏ c_i!) / n^n. */
function exactDistribution(xs: readonly number[]): { v: number; w: number }[] {
  const n = xs.length;
  const logFact = [0];
  for (let i = 1; i <= n; i++) logFact[i] = logFact[i - 1] + Math.log(i);
  const out: { v: number; w: number }[] = [];
  const counts = new Array<number>(n).fill(0);
  const walk = (i: number, left: number, sum: number, logW: number) => {
    if (i === n - 1) {
      counts[i] = left;
      out.push({ v: (sum + left * xs[i]) / n, w: Math.exp(logFact[n] + logW - logFact[left] - n * Math.log(n)) });
      return;
    }
    for (let c = 0; c <= left; c++) { counts[i] = c; walk(i + 1, left - c, sum + c * xs[i], logW - logFact[c]); }
  };
  walk(0, n, 0, 0);
  return out;
}

/**
 * Percentile bootstrap interval of the mean of `xs` (the per-unit values: one paired difference per
 * seed). Exact while the multisets number at most `exactLimit`, else Monte Carlo; deterministic either way.
 */
export function bootstrapMeanCI(xs: readonly number[], o: BootstrapOptions = {}): BootstrapCI {
  const level = o.level ?? BOOTSTRAP_DEFAULTS.level;
  const n = xs.length;
  const m = n ? mean(xs) : NaN;
  if (n < 2) return { mean: m, lo: NaN, hi: NaN, n, method: 'exact', resamples: n };
  const a = (1 - level) / 2;
  const count = multisetCount(n);
  if (count <= (o.exactLimit ?? BOOTSTRAP_DEFAULTS.exactLimit)) {
    const dist = exactDistribution(xs).sort((p, q) => p.v - q.v);
    return { mean: m, lo: invertedCdf(dist, a), hi: invertedCdf(dist, 1 - a), n, method: 'exact', resamples: count };
  }
  const B = o.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const rand = mulberry32(o.seed ?? BOOTSTRAP_DEFAULTS.seed);
  const means = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[Math.floor(rand() * n)];
    means[b] = s / n;
  }
  means.sort();
  const w = 1 / B;
  const sorted = Array.from(means, (v) => ({ v, w }));
  return { mean: m, lo: invertedCdf(sorted, a), hi: invertedCdf(sorted, 1 - a), n, method: 'monte-carlo', resamples: B };
}

/** Does the interval exclude 0 (both ends on one side)? */
export const excludesZero = (ci: { lo: number; hi: number }) => Number.isFinite(ci.lo) && Number.isFinite(ci.hi) && (ci.lo > 0 || ci.hi < 0);
