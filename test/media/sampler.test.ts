// Batch composition statistics and dub policies, on the sampler's plan (no media needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler, type SamplerTitle, type SamplerConfig } from '../../runtime/media/sampler.ts';

function titles(n: number, shotsEach: (i: number) => number, dubs: (i: number) => string[] = () => ['es', 'fr']): SamplerTitle[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i, reader: null,
    shots: Array.from({ length: shotsEach(i) }, (_, s) => ({ index: s, start: s * 5, end: s * 5 + 4 })),
    primary: { stream: 1, lang: 'en' },
    dubs: dubs(i).map((l, j) => ({ stream: 2 + j, lang: l })),
  }));
}

function cfg(over: Partial<SamplerConfig> = {}): SamplerConfig {
  return {
    seed: 1, batchSize: 32, devices: 2, sameTitle: 4, windowLength: 1.5, policy: 'any', languages: [],
    video: null, audio: { frames: 10, mels: 8, framesPerSecond: 50, timeMask: 0.5, freqMask: 0.5 }, ...over,
  };
}

test('each device batch is groups of k distinct shots from one title (same-title hard negatives)', () => {
  const s = new Sampler(titles(20, () => 10), cfg());
  for (let step = 0; step < 50; step++) {
    const plan = s.plan(step);
    assert.equal(plan.length, 32);
    for (let d = 0; d < 2; d++) {
      const dev = plan.slice(d * 16, (d + 1) * 16);
      const groups = new Map<number, number[]>();
      for (const e of dev) groups.set(e.title, [...(groups.get(e.title) ?? []), e.shot]);
      assert.equal(groups.size, 4, 'four titles per device batch of 16 with k = 4');
      for (const shots of groups.values()) {
        assert.equal(shots.length, 4);
        assert.equal(new Set(shots).size, 4, 'distinct shots within a title');
      }
    }
  }
});

test('share of same-title pairs matches k / per-device batch; titles drawn uniformly', () => {
  const s = new Sampler(titles(10, () => 12), cfg({ batchSize: 64, devices: 1, sameTitle: 8 }));
  const counts = new Array(10).fill(0);
  let sameTitleNeighbours = 0, n = 0;
  for (let step = 0; step < 300; step++) {
    const plan = s.plan(step);
    for (const e of plan) {
      counts[e.title]++;
      sameTitleNeighbours += plan.filter((o) => o.title === e.title).length; n++;
    }
  }
  // Paper: 1/8 of each batch from one title → every example has 8 same-title members (itself included).
  assert.equal(sameTitleNeighbours / n, 8);
  const expected = (300 * 64) / 10;
  const chi2 = counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 30, `title frequencies not uniform: chi2 ${chi2.toFixed(1)} for ${counts}`);
});

test('B.3 composition: k = 12 per_device of 26 is two groups of 1 + 12 clips per device', () => {
  const s = new Sampler(titles(30, () => 20), cfg({ batchSize: 104, devices: 4, sameTitle: 13 }));
  for (let step = 0; step < 20; step++) {
    const plan = s.plan(step);
    assert.equal(plan.length, 104);
    for (let d = 0; d < 4; d++) {
      const groups = new Map<number, Set<number>>();
      for (const e of plan.slice(d * 26, (d + 1) * 26)) groups.set(e.title, (groups.get(e.title) ?? new Set()).add(e.shot));
      assert.deepEqual([...groups.values()].map((g) => g.size), [13, 13], 'each device batch: 2 titles × (positive + 12 same-title clips)');
    }
  }
});

test('a title with fewer shots than a group gives them all and the next title completes the group', () => {
  const s = new Sampler(titles(6, (i) => (i % 2 ? 2 : 9)), cfg({ batchSize: 12, devices: 1, sameTitle: 4 }));
  let short = 0;
  for (let step = 0; step < 30; step++) {
    const plan = s.plan(step);
    assert.equal(plan.length, 12);
    const seen = new Set(plan.map((e) => `${e.title}:${e.shot}`));
    assert.equal(seen.size, 12, 'no example repeated within a batch');
    const per = new Map<number, number>();
    for (const e of plan) per.set(e.title, (per.get(e.title) ?? 0) + 1);
    for (const [t, n] of per) {
      if (t % 2) { assert.equal(n, 2, 'a 2-shot title gives both its shots'); short++; } else assert.ok(n <= 4);
    }
  }
  assert.ok(short > 0);
  assert.throws(() => new Sampler(titles(3, () => 9), cfg({ batchSize: 16, devices: 1, sameTitle: 5 })), /groups of 5 do not fill a device batch of 16/);
});

test('plan is a pure function of (seed, step); another seed gives other batches', () => {
  const a = new Sampler(titles(20, () => 10), cfg()), b = new Sampler(titles(20, () => 10), cfg());
  const c = new Sampler(titles(20, () => 10), cfg({ seed: 2 }));
  assert.deepEqual(a.plan(17), b.plan(17));
  for (let i = 0; i < 5; i++) a.plan(i);
  assert.deepEqual(a.plan(3), b.plan(3), 'order of calls does not matter');
  assert.notDeepEqual(a.plan(17), c.plan(17));
  assert.notDeepEqual(a.plan(17), a.plan(18));
});

test('windows lie inside the shot', () => {
  const s = new Sampler(titles(5, () => 6), cfg());
  for (let step = 0; step < 20; step++) for (const e of s.plan(step)) {
    const shot = s.titles[e.title].shots[e.shot];
    for (const w of e.windows) assert.ok(w >= shot.start && w + 1.5 <= shot.end + 1e-9, `window ${w} outside ${shot.start}..${shot.end}`);
  }
});

test('dub policies: off / fixed / random / round_robin / any, with fallback to the primary', () => {
  const ts = titles(8, () => 6, (i) => (i < 4 ? ['es', 'fr', 'ja'] : i < 6 ? ['es'] : []));
  const run = (policy: SamplerConfig['policy'], languages: string[], steps = 40) => {
    const s = new Sampler(ts, cfg({ policy, languages }));
    return Array.from({ length: steps }, (_, st) => ({ st, plan: s.plan(st) }));
  };
  for (const { plan } of run('off', [])) for (const e of plan) { assert.equal(e.dubbed, false); assert.deepEqual(e.secondary, e.primary); }
  for (const { plan } of run('fixed', ['fr'])) for (const e of plan) {
    if (e.title < 4) { assert.equal(e.secondary.lang, 'fr'); assert.ok(e.dubbed); } else { assert.equal(e.dubbed, false); assert.equal(e.secondary.lang, 'en'); }
  }
  for (const { st, plan } of run('round_robin', ['es', 'fr', 'ja'])) for (const e of plan) {
    const want = ['es', 'fr', 'ja'][st % 3];
    const has = e.title < 4 || (e.title < 6 && want === 'es');
    assert.equal(e.dubbed, has);
    assert.equal(e.secondary.lang, has ? want : 'en');
  }
  const randomLangs = new Set<string>();
  for (const { plan } of run('random', ['es', 'ja'])) for (const e of plan) {
    if (e.title >= 6) assert.equal(e.dubbed, false);
    if (e.dubbed) { assert.ok(['es', 'ja'].includes(e.secondary.lang)); randomLangs.add(e.secondary.lang); }
  }
  assert.deepEqual([...randomLangs].sort(), ['es', 'ja']);
  const anyLangs = new Set<string>();
  for (const { plan } of run('any', [])) for (const e of plan) {
    assert.equal(e.dubbed, e.title < 6);
    if (e.dubbed) { assert.notEqual(e.secondary.lang, e.primary.lang); anyLangs.add(e.secondary.lang); }
  }
  assert.deepEqual([...anyLangs].sort(), ['es', 'fr', 'ja']);
});

test('bad sampler arguments are rejected with the value received', () => {
  assert.throws(() => new Sampler([], cfg()), /no titles/);
  assert.throws(() => new Sampler(titles(2, () => 3), cfg({ batchSize: 0 })), /batchSize must be positive, got 0/);
});
