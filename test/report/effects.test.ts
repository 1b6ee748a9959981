// Report statistics over a fake grid (dubs × strength × 3 seeds) with known values: means and t-intervals
// over seeds, paired differences within and across the other axis, units = seeds, interactions, marks,
// and the Markdown/HTML sections. The interval arithmetic itself is checked in stats.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult } from '../../runtime/contracts.ts';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { buildReportModel, readRunDir, renderReport, runDirOf } from '../../runtime/report/index.ts';
import { bootstrapMeanCI, meanCI } from '../../runtime/report/stats.ts';
import { probeSpec, testSpec } from '../probes/helpers.ts';

let tmp: string;
before(() => { tmp = mkdtempSync(join(tmpdir(), 'lssd-effects-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

const result = (task: string, group: string, value: number): ProbeResult =>
  ({ task, suite: 'synthetic', group, modality: 'audio', metric: 'top1', value, std: null, folds: [{ fold: 'test', value, valid: value, config: {} }], n: { train: 1, valid: 1, test: 1 }, seconds: 1 });

let k = 0;
function cell(axes: { strength: number; dubs: string; seed: number }, scene: number, lang: number, root: string): string {
  const base = testSpec([probeSpec({ task: 'synth_scene', group: 'sound_scene' })], axes.seed);
  const name = `c${++k}`;
  const spec: ResolvedSpec = { ...base, name, label: name, data: { ...base.data, catalog: { ...base.data.catalog, seed: 100 + k } as ResolvedSpec['data']['catalog'] },
    optim: { ...base.optim, seed: axes.seed }, origin: { file: 'g.lssd', extends: [], grid: { name: 'g', axes } } };
  const hashes = stageHashes(spec);
  const runDir = runDirOf(root, hashes.pretrain);
  mkdirSync(join(runDir, 'probes', hashes.probe.slice(0, 12)), { recursive: true });
  writeFileSync(join(runDir, 'spec.json'), JSON.stringify(spec));
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ name, label: name, hashes, backend: 'cpu', seed: axes.seed, status: 'done', started: null, ended: null, attempts: [] }));
  writeFileSync(join(runDir, 'probes', hashes.probe.slice(0, 12), 'results.json'), JSON.stringify({ results: [result('scene', 'sound_scene', scene), result('language_id', 'language', lang)] }));
  return runDir;
}

// scene rises with dubs only at strength 1 (+0.10, +0.12, +0.08 by seed); language falls with dubs at
// strength 1 (−0.05 each seed) and is unchanged at 0. Seed offsets make the variant means spread.
const SEEDS = [0, 1, 2];
const sceneAt = (s: number, d: string, seed: number) => 0.5 + 0.01 * seed + (s === 1 && d === 'any' ? [0.10, 0.12, 0.08][seed] : 0);
const langAt = (s: number, d: string, seed: number) => 0.4 - 0.02 * seed + (s === 1 && d === 'any' ? -0.05 : 0);

test('seed means with t-intervals, paired bootstrap effects by seed, interactions, marks', () => {
  const root = join(tmp, 'r1');
  const dirs: string[] = [];
  for (const strength of [0, 1]) for (const seed of SEEDS) for (const dubs of ['off', 'any']) dirs.push(cell({ strength, seed, dubs }, sceneAt(strength, dubs, seed), langAt(strength, dubs, seed), root));
  const model = buildReportModel(dirs.map((d) => readRunDir(d)), { title: 't', source: 's' });
  const st = model.stats!;
  assert.deepEqual(model.columns.map((c) => c.task), ['scene', 'language_id']);

  // one row per variant (strength × dubs), 3 seeds each
  assert.equal(st.seedStats.length, 4);
  const row = st.seedStats.find((r) => /strength=1/.test(r.label) && /dubs=any/.test(r.label))!;
  const xs = SEEDS.map((s) => sceneAt(1, 'any', s));
  const ci = meanCI(xs);
  assert.equal(row.cells[0].n, 3);
  assert.ok(Math.abs(row.cells[0].value! - ci.mean) < 1e-12 && Math.abs(row.cells[0].lo! - ci.lo) < 1e-12 && Math.abs(row.cells[0].hi! - ci.hi) < 1e-12);

  const find = (change: string, within: string) => st.paired.find((p) => p.change === change && p.within === within)!;
  // dubs within strength = 1: 3 pairs, 3 seeds, scene diffs [+0.10, +0.12, +0.08]
  const d1 = find('dubs off → any', 'strength = 1');
  assert.equal(d1.pairs, 3); assert.equal(d1.units, 3);
  const b = bootstrapMeanCI([0.10, 0.12, 0.08]);
  assert.ok(Math.abs(d1.cells[0].value! - 0.10) < 1e-12 && Math.abs(d1.cells[0].lo! - b.lo) < 1e-12 && Math.abs(d1.cells[0].hi! - b.hi) < 1e-12);
  assert.equal(d1.cells[0].significant, true);
  // [+0.10, +0.12, +0.08]: t-interval 0.10 ± 4.303·0.02/√3 = [+5.0, +15.0] excludes 0 as well
  assert.equal(d1.cells[0].tSignificant, true);
  assert.equal(d1.cells[0].text, `+10.0 [+${(b.lo * 100).toFixed(1)}, +${(b.hi * 100).toFixed(1)}] *†`);
  assert.equal(d1.cells[1].significant, true, 'language −5 in every seed');
  // dubs within strength = 0: no change at all, nothing marked
  const d0 = find('dubs off → any', 'strength = 0');
  assert.equal(d0.cells[0].value, 0); assert.equal(d0.cells[0].significant, false);
  // overall dubs: 6 pairs but 3 units (each seed's two pairs averaged): (0.10+0)/2 …
  const all = find('dubs off → any', 'all');
  assert.equal(all.pairs, 6); assert.equal(all.units, 3);
  assert.ok(Math.abs(all.cells[0].value! - 0.05) < 1e-12);
  // per-seed scene diffs [0.05, 0.06, 0.04]: both intervals exclude 0; language [−0.025 ×3]: sd 0, the
  // t-interval collapses to the point, still excluding 0
  assert.equal(all.cells[0].tSignificant, true);
  // interaction: dubs effect at strength 1 minus at strength 0 = the strength-1 effect here
  const ix = st.interactions.find((i) => i.change === 'dubs off → any × strength 0 → 1')!;
  assert.equal(ix.units, 3);
  assert.ok(Math.abs(ix.cells[0].value! - 0.10) < 1e-12 && ix.cells[0].significant);
  assert.ok(Math.abs(ix.cells[1].value! + 0.05) < 1e-12);
  // two two-valued axes: their interaction is listed once
  assert.equal(st.interactions.length, 1);

  const { markdown, html } = renderReport(model);
  assert.ok(markdown.includes('## Statistics') && markdown.includes('### Paired differences') && markdown.includes('### Interactions'));
  assert.ok(markdown.includes('Monte Carlo resamples') && markdown.includes('exact enumeration'));
  assert.ok(markdown.includes('| g: dubs off → any | strength = 1 | 3 | 3 |'), markdown.slice(markdown.indexOf('### Paired')));
  assert.ok(html.includes('<h3>Paired differences</h3>') && html.includes('class="significant"'));
});

test('a single variant per cell (one seed) has no seed statistics; pairs are the units', () => {
  const root = join(tmp, 'r2');
  const dirs = [0, 1].flatMap((strength) => ['off', 'any'].map((dubs) => cell({ strength, seed: 0, dubs }, sceneAt(strength, dubs, 0), 0.3, root)));
  const model = buildReportModel(dirs.map((d) => readRunDir(d)), { title: 't', source: 's' });
  assert.equal(model.stats!.seedStats.length, 0);
  const all = model.stats!.paired.find((p) => p.change === 'dubs off → any' && p.within === 'all')!;
  assert.equal(all.pairs, 2); assert.equal(all.units, 2);
  const one = model.stats!.paired.find((p) => p.change === 'dubs off → any' && p.within === 'strength = 1')!;
  assert.equal(one.cells[0].text, '+10.0', 'one pair: no interval, no mark');
  // a difference that rounds to zero prints unsigned
  const zero = model.stats!.paired.find((p) => p.change === 'dubs off → any' && p.within === 'strength = 0')!;
  assert.equal(zero.cells[0].text, '0.0');
});
