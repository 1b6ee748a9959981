import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult } from '../../runtime/contracts.ts';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { buildReportModel, readRunDir, collectProgramRuns, renderReport, writeReport, pca, mdEscape, runDirOf } from '../../runtime/report/index.ts';
import { taskEmbeddings } from '../../runtime/probes/embed.ts';
import { loadHearTask } from '../../runtime/probes/hear.ts';
import { probeSpec, testSpec, fakeEncoder, writeToneTask, useBackend } from '../probes/helpers.ts';

let tmp: string;
before(async () => { await useBackend(); tmp = mkdtempSync(join(tmpdir(), 'lssd-report-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

const result = (task: string, group: string, value: number, std: number | null = null, metric: 'top1' | 'mAP' = 'top1'): ProbeResult =>
  ({ task, suite: 'synthetic', group, modality: 'audio', metric, value, std, folds: [{ fold: 'test', value, valid: value, config: {} }], n: { train: 1, valid: 1, test: 1 }, seconds: 1 });

// Store entries are keyed by pretrain hash alone: each fake run gets its own corpus seed, as distinct runs
// have distinct pretraining.
let cells = 0;
function cell(name: string, label: string, grid: { name: string; axes: Record<string, unknown> } | undefined, seed: number, results: ProbeResult[], root: string): string {
  const base = testSpec([probeSpec({ task: 'synth_scene', group: 'sound_scene' })], seed);
  const spec: ResolvedSpec = { ...base, name, label, data: { ...base.data, catalog: { ...base.data.catalog, seed: ++cells } as ResolvedSpec['data']['catalog'] },
    origin: { file: 'grid.lssd', extends: [], ...(grid ? { grid } : {}) } };
  spec.loss = { ...spec.loss, lambda_a: Number(grid?.axes.lambda_a ?? 0) };
  const hashes = stageHashes(spec);
  const runDir = runDirOf(root, hashes.pretrain);
  mkdirSync(join(runDir, 'probes', hashes.probe.slice(0, 12)), { recursive: true });
  writeFileSync(join(runDir, 'spec.json'), JSON.stringify(spec));
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ name, label, hashes, backend: 'wasm', seed, status: 'done',
    started: '2026-01-01T00:00:00.000Z', ended: '2026-01-01T00:02:00.000Z', attempts: [] }));
  writeFileSync(join(runDir, 'probes', hashes.probe.slice(0, 12), 'results.json'), JSON.stringify({ results }));
  writeFileSync(join(runDir, 'metrics.jsonl'), [1, 2, 3].map((s) => JSON.stringify({ ...(s === 2 ? {} : { type: 'step' }), step: s * 10, epoch: 0,
    loss: { L: 5 - s, L_v: 0, L_a: 1, total: 5 - s + seed }, lr: 1e-3, clipsPerSec: 1, dataWaitMs: 0 })).join('\n') + '\n{"type":"st');
  return runDir;
}

test('PCA recovers the dominant direction and orders components by variance', () => {
  // pairs (3t, 3t, ±1): the ±1 axis is uncorrelated with t, so the components are exactly (1,1,0)/√2 and (0,0,1).
  const n = 50; const x = new Float32Array(n * 3); const t = (i: number) => Math.floor(i / 2) - 12;
  for (let i = 0; i < n; i++) { x[i * 3] = 3 * t(i); x[i * 3 + 1] = 3 * t(i); x[i * 3 + 2] = i % 2 ? 1 : -1; }
  const p = pca(x, n, 3, 2);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(Math.abs(p[i * 2]) - 3 * Math.SQRT2 * Math.abs(t(i))) < 1e-4, `pc1[${i}] = ${p[i * 2]}`);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(Math.abs(p[i * 2 + 1]) - 1) < 1e-4, `pc2[${i}] = ${p[i * 2 + 1]}`);
});

test('Table-2 style report: seeds merged as mean ± std, best per ablation group in bold, escaping, SVG', async () => {
  const root = join(tmp, 'lssd');
  const evil = '<script>alert(1)</script> | *x*';
  const g = (axes: Record<string, unknown>) => ({ name: 'group_a', axes });
  const dirs = [
    cell('A_off_0_s0', 'A off', g({ dubs: 'off', lambda_a: 0, seed: 0 }), 0, [result('synth_scene', 'sound_scene', 0.8), result('synth_language_id', 'language', 0.5)], root),
    cell('A_off_0_s1', 'A off', g({ dubs: 'off', lambda_a: 0, seed: 1 }), 1, [result('synth_scene', 'sound_scene', 0.6), result('synth_language_id', 'language', 0.7)], root),
    cell('A_any_0_s0', 'A any', g({ dubs: 'any', lambda_a: 0, seed: 0 }), 0, [result('synth_scene', 'sound_scene', 0.9), result('synth_language_id', 'language', 0.4, 0.05)], root),
    cell('solo', evil, undefined, 0, [result('synth_scene', 'sound_scene', 0.1)], root),
    cell('solo2', 'other', undefined, 0, [result('synth_scene', 'sound_scene', 0.2)], root),
  ];
  const runs = dirs.map((d) => readRunDir(d));
  assert.equal(runs[0].losses.length, 3, 'torn last line of metrics.jsonl is ignored');
  const model = buildReportModel(runs, { title: `Report ${evil}`, source: 'grid.lssd', now: new Date(0) });
  assert.deepEqual(model.columns.map((c) => c.task), ['synth_scene', 'synth_language_id']);
  const [ga, ex] = model.rowGroups;
  assert.equal(ga.name, 'group_a');
  assert.equal(ga.rows.length, 2, 'two seeds of one variant are one row');
  const off = ga.rows.find((r) => r.label.includes('dubs=off'))!;
  assert.equal(off.cells[0].text, '70.0 ± 14.1');
  assert.equal(off.cells[0].seeds, 2);
  const any = ga.rows.find((r) => r.label.includes('dubs=any'))!;
  assert.equal(any.cells[1].text, '40.0 ± 5.0', 'one run of a k-fold task: fold std');
  assert.deepEqual([off.cells[0].best, any.cells[0].best, off.cells[1].best, any.cells[1].best], [false, true, true, false]);
  // Best is per ablation group: 'other' (20.0) is bold in its own group although group_a has higher values.
  assert.deepEqual(ex.rows.map((r) => r.cells[0].best), [false, true]);

  const { markdown, html } = renderReport(model);
  assert.ok(!html.includes('<script>alert'), 'spec strings are HTML-escaped');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!markdown.includes('<script>'), 'spec strings are escaped in Markdown');
  assert.ok(markdown.includes('&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\*'));
  assert.ok(markdown.includes('| **20.0** |'));
  assert.ok(markdown.includes('**90.0**') && markdown.includes('**60.0 ± 14.1**'));
  assert.match(html, /<td class="best">90\.0<\/td>/);
  assert.match(html, /<svg[^>]*>.*Pretraining loss/s);
  assert.ok(html.includes('<polyline'), 'loss curves drawn');
  assert.ok(html.includes('wasm') && html.includes(runs[0].record.hashes.pretrain.slice(0, 12)), 'run records');
  // Every Markdown table line has the same number of cells as the header.
  const results = markdown.slice(markdown.indexOf('## Results'), markdown.search(/## (Axis effects|Runs)/));
  const tableLines = results.split('\n').filter((l) => l.startsWith('| '));
  const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
  assert.ok(tableLines.every((l) => cells(l) === cells(tableLines[0])), tableLines.join('\n'));
});

test('embedding plots come from the probe embedding cache, coloured by scene and by language', async () => {
  const root = join(tmp, 'lssd-emb');
  const runDir = cell('emb', 'emb', undefined, 0, [result('synth_scene', 'sound_scene', 0.9), result('synth_language_id', 'language', 0.5)], root);
  const taskDir = join(tmp, 'scene-task'); writeToneTask(taskDir, { classes: 3, perSplit: 4 });
  const spec = testSpec([]);
  const media = { decodeAudio: (await import('../../runtime/media/decode.ts')).decodeAudio, logMel: (await import('../../runtime/media/logmel.ts')).logMel,
    decodeVideo: async () => { throw new Error('no video'); } };
  for (const name of ['synth_scene', 'synth_language_id']) {
    await taskEmbeddings(loadHearTask(taskDir), fakeEncoder({ mels: 24 }), { modality: 'audio', audio: spec.views.audio, video: spec.views.video, window: 0.5 }, media, runDir, { name });
  }
  const model = buildReportModel([readRunDir(runDir)], { title: 't', source: 's' });
  assert.deepEqual(model.embeddingPlots.map((p) => [p.task, p.colouredBy]), [['synth_scene', 'scene'], ['synth_language_id', 'language']]);
  const svg = model.embeddingPlots[0].svg;
  assert.equal((svg.match(/<circle[^>]*fill-opacity/g) ?? []).length, 12, 'one point per test clip');
  assert.ok(svg.includes('tone_0') && svg.includes('tone_2'), 'legend names the labels');
  const out = join(tmp, 'out');
  const files = writeReport(model, out);
  assert.ok(files.some((f) => f.endsWith('report.md')) && files.some((f) => f.endsWith('report.html')), files.join());
  assert.ok(existsSync(join(out, 'loss-curves.svg')), 'loss svg');
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  for (const p of model.embeddingPlots) { assert.ok(md.includes(`](${p.file})`), md); assert.ok(existsSync(join(out, p.file))); }
  assert.ok(readFileSync(join(out, 'report.html'), 'utf8').includes('<circle'), 'HTML is self-contained: plots inline');
});

test('grid/spec input: run dirs found by stage hash, missing ones listed; user templates; template errors are diagnostics', () => {
  const root = join(tmp, 'lssd-prog');
  const ran = testSpec([probeSpec()]); ran.name = 'ran'; ran.label = 'Ran';
  const missing = testSpec([probeSpec()], 5); missing.name = 'missing';
  const h = stageHashes(ran);
  const dir = runDirOf(root, h.pretrain);
  mkdirSync(join(dir, 'probes', h.probe.slice(0, 12)), { recursive: true });
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(ran));
  writeFileSync(join(dir, 'probes', h.probe.slice(0, 12), 'results.json'), JSON.stringify([result('spoken_digit', 'semantic_speech', 0.3)]));
  // run.json from an earlier probe plan: the spec being reported decides which results are shown.
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ name: 'ran', hashes: { pretrain: h.pretrain, probe: 'f'.repeat(64) }, status: 'done' }));
  const runs = collectProgramRuns([ran, missing], new Map([['ran', ran], ['missing', missing]]), root);
  assert.deepEqual(runs.map((r) => r.exists), [true, false]);
  assert.equal(runs[0].results.length, 1);
  const model = buildReportModel(runs, { title: 't', source: 's' });
  assert.deepEqual(model.notRun, ['missing']);
  assert.ok(model.notes.some((n) => n.includes('missing')));

  const tpl = join(tmp, 'mine.md.hbs');
  writeFileSync(tpl, '{{#each runs}}{{name}}={{status}};{{/each}}');
  assert.equal(renderReport(model, { template: tpl }).markdown, 'ran=done;missing=not run;');
  writeFileSync(tpl, '{{#each runs}}');
  assert.throws(() => renderReport(model, { template: tpl }), (e: Error & { code?: string }) => e.code === 'LSSD5411');
  assert.throws(() => renderReport(model, { template: join(tmp, 'x.txt') }), (e: Error & { code?: string }) => e.code === 'LSSD5411');
  assert.throws(() => readRunDir(join(tmp, 'nothing')), (e: Error & { code?: string }) => e.code === 'LSSD5410');
  assert.equal(mdEscape('a|b_c'), 'a\\|b\\_c');
});

test('writeReport with a Markdown name and an assets sub-directory links the charts there', () => {
  const root = join(tmp, 'lssd-assets');
  const dir = cell('assets', 'assets', undefined, 0, [result('synth_scene', 'sound_scene', 0.5)], root);
  const out = join(tmp, 'docs');
  const files = writeReport(buildReportModel([readRunDir(dir)], { title: 't', source: 's' }), out, { mdName: 'results-tiny.md', assetsDir: 'results-tiny' });
  assert.ok(files.includes(join(out, 'results-tiny.md')) && files.includes(join(out, 'results-tiny.html')));
  assert.ok(existsSync(join(out, 'results-tiny', 'loss-curves.svg')));
  assert.ok(readFileSync(join(out, 'results-tiny.md'), 'utf8').includes('](results-tiny/loss-curves.svg)'));
  assert.throws(() => writeReport(buildReportModel([], { title: 't', source: 's' }), out, { assetsDir: '../x' }), (e: Error & { code?: string }) => e.code === 'LSSD5410');
});

test('axis effects: mean paired differences per task and task kind when one grid axis changes', () => {
  const root = join(tmp, 'lssd-effects');
  const g = (dubs: string, lambda_a: number) => ({ name: 'ga', axes: { dubs, lambda_a } });
  const r = (scene: number, lang: number) => [result('scene', 'sound_scene', scene), result('language_id', 'language', lang)];
  const runs = [
    cell('e1', 'e1', g('off', 0), 0, r(0.50, 0.60), root), cell('e2', 'e2', g('any', 0), 0, r(0.60, 0.50), root),
    cell('e3', 'e3', g('off', 0.2), 0, r(0.40, 0.70), root), cell('e4', 'e4', g('any', 0.2), 0, r(0.60, 0.70), root),
  ].map((d) => readRunDir(d));
  const model = buildReportModel(runs, { title: 't', source: 's' });
  const dubs = model.effects.find((e) => e.axis === 'dubs')!;
  assert.equal(dubs.pairs, 2);
  assert.deepEqual([dubs.from, dubs.to], ['off', 'any']);
  // scene: (+0.10 + +0.20) / 2 = +15.0 points; language: (−0.10 + 0) / 2 = −5.0 points
  assert.deepEqual(dubs.cells.map((c) => c.text), ['+15.0', '−5.0']);
  assert.deepEqual(dubs.groups.map((c) => [c.name, c.text, c.sign]), [['sound_scene', '+15.0', 'up'], ['language', '−5.0', 'down']]);
  const lam = model.effects.find((e) => e.axis === 'lambda_a')!;
  assert.deepEqual(lam.cells.map((c) => c.text), ['−5.0', '+15.0']);
  const { markdown, html } = renderReport(model);
  assert.ok(markdown.includes('## Axis effects') && markdown.includes('ga: dubs off → any | 2 |'));
  assert.ok(html.includes('<td class="down">−5.0</td>'));
});

test('a run whose secondary views fell back to a second augmentation says how many in the report notes', () => {
  const root = join(tmp, 'lssd-fallback');
  const runDir = cell('fb', 'FB', undefined, 0, [result('synth_scene', 'sound_scene', 0.7)], root);
  const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ ...run,
    secondaryViews: { policy: 'fixed', steps: 120, sampledSteps: 120, views: 1920, dubbed: 1440, fellBack: 480, fraction: 0.25 } }));
  const model = buildReportModel([readRunDir(runDir)], { title: 't', source: 's' });
  assert.ok(model.notes.includes('fb: 25.0% of secondary audio views (480 of 1920 over 120 steps) fell back to a second augmentation of the primary track (no dub for policy fixed).'), model.notes.join('\n'));
  assert.match(renderReport(model).markdown, /25\.0% of secondary audio views/);
});
