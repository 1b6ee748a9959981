// runtime/report/stats.ts against an independent computation: reference values from numpy/scipy
// (test/fixtures/stats/make.py, run once with /usr/bin/python3; its output is committed beside it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bootstrapMeanCI, excludesZero, meanCI, multisetCount, studentTQuantile } from '../../runtime/report/stats.ts';

interface Ref {
  t975: Record<string, number>; t95: Record<string, number>;
  meanCI: Record<string, { xs: number[]; mean: number; lo: number; hi: number }>;
  exact: Record<string, { xs: number[]; resamples: number; lo: number; hi: number; sd: number }>;
  montecarlo: Record<string, { xs: number[]; resamples: number; lo: number; hi: number; sd: number }>;
}
const ref = JSON.parse(readFileSync(new URL('../fixtures/stats/reference.json', import.meta.url), 'utf8')) as Ref;

test('Student t quantiles match scipy.stats.t.ppf', () => {
  for (const [df, q] of Object.entries(ref.t975)) assert.ok(Math.abs(studentTQuantile(0.975, Number(df)) - q) < 1e-8, `t975 df ${df}`);
  for (const [df, q] of Object.entries(ref.t95)) assert.ok(Math.abs(studentTQuantile(0.95, Number(df)) - q) < 1e-8, `t95 df ${df}`);
  assert.ok(Math.abs(studentTQuantile(0.025, 4) + ref.t975['4']) < 1e-8, 'symmetric');
});

test('mean CIs match scipy.stats.t.interval', () => {
  for (const [name, r] of Object.entries(ref.meanCI)) {
    const ci = meanCI(r.xs);
    assert.equal(ci.n, r.xs.length);
    for (const k of ['mean', 'lo', 'hi'] as const) assert.ok(Math.abs(ci[k] - r[k]) < 1e-9, `${name}.${k}: ${ci[k]} vs ${r[k]}`);
  }
  const one = meanCI([0.4]);
  assert.equal(one.mean, 0.4);
  assert.ok(Number.isNaN(one.lo) && Number.isNaN(one.hi), 'one seed has no interval');
});

test('exact bootstrap: the multiset walk equals numpy over all n^n ordered resamples', () => {
  for (const [name, r] of Object.entries(ref.exact)) {
    const ci = bootstrapMeanCI(r.xs);
    assert.equal(ci.method, 'exact', name);
    assert.equal(ci.resamples, multisetCount(r.xs.length));
    assert.ok(Math.abs(ci.lo - r.lo) < 1e-9, `${name} lo: ${ci.lo} vs ${r.lo}`);
    assert.ok(Math.abs(ci.hi - r.hi) < 1e-9, `${name} hi: ${ci.hi} vs ${r.hi}`);
  }
  assert.equal(multisetCount(5), 126);
  assert.equal(multisetCount(10), 92378);
});

test('Monte Carlo bootstrap (10,000 resamples, fixed seed) agrees with numpy 2M resamples; deterministic', () => {
  for (const [name, r] of Object.entries(ref.montecarlo)) {
    const ci = bootstrapMeanCI(r.xs);
    assert.equal(ci.method, 'monte-carlo');
    assert.equal(ci.resamples, 10000);
    // the 2.5% quantile of B draws has standard error ≈ √(p(1 − p)/B) / φ(1.96) · sd = 0.027 sd; allow 4 of them
    const tol = 4 * Math.sqrt(0.025 * 0.975 / 10000) / 0.05844 * r.sd;
    assert.ok(Math.abs(ci.lo - r.lo) < tol, `${name} lo ${ci.lo} vs ${r.lo} (±${tol})`);
    assert.ok(Math.abs(ci.hi - r.hi) < tol, `${name} hi ${ci.hi} vs ${r.hi} (±${tol})`);
    assert.deepEqual(bootstrapMeanCI(r.xs), ci, 'same numbers every time');
    assert.notDeepEqual(bootstrapMeanCI(r.xs, { seed: 7 }), ci, 'the seed is what fixes them');
  }
});

test('excludesZero marks only intervals on one side of 0', () => {
  assert.equal(excludesZero({ lo: 0.1, hi: 2 }), true);
  assert.equal(excludesZero({ lo: -2, hi: -0.1 }), true);
  assert.equal(excludesZero({ lo: -0.1, hi: 2 }), false);
  assert.equal(excludesZero({ lo: NaN, hi: NaN }), false);
  assert.equal(excludesZero(bootstrapMeanCI([1, 2, 3, 4, 5])), true);
  assert.equal(excludesZero(bootstrapMeanCI([-1, 1, -2, 2, 0.5])), false);
});

test('with 5 seeds the percentile bootstrap is narrower than the t-interval (why reports mark † apart from *)', () => {
  const xs = [0.03, -0.01, 0.02, 0.05, 0.01];
  const b = bootstrapMeanCI(xs), t = meanCI(xs);
  assert.equal(excludesZero(b), true);
  assert.equal(excludesZero(t), false);
  assert.ok((b.hi - b.lo) / (t.hi - t.lo) < 0.7);
});
