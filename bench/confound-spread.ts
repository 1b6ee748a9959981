// Where the confound grid's seed spread comes from (docs/results-confound.md, "Where the seed spread comes
// from"). For every trained cell of FILE (run by `lssdc run FILE` first; embeddings cached in each run
// directory), the cached probe-set embeddings are probed again — nothing is retrained or re-embedded:
//   full     all clips of the corpus's probe tasks, with R probe seeds (probe seed r = 0 is the run's own,
//            so that row must equal the run's recorded result: checked);
//   subsets  K disjoint subsets of the clips (stratified by fold and class: clip i of its (fold, class)
//            group goes to subset i mod K), each with R2 probe seeds — with a 60-per-class corpus and K = 3
//            each subset is the grid's eval size, 20 per class.
// Cells are paired along the `dubs` axis (off → any) at equal other axes. For the paired difference D and
// for single cells, per task it prints the pooled standard deviations over probe seeds (encoder and clips
// fixed), over clip subsets (encoder and probe seed fixed) and over encoder seeds.
//   node --import tsx bench/confound-spread.ts experiments/confound/pilot.lssd [--root DIR] [--probe-seeds 4]
//        [--subsets 3] [--subset-seeds 2] [--grid NAME: only that grid's cells] [--json OUT.json]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { compileFile } from '../compiler/index.ts';
import { nodeHost, projectFileFor } from '../runtime/host.ts';
import { defaultRoot } from '../runtime/paths.ts';
import { collectProgramRuns, readEmbeddings } from '../runtime/report/collect.ts';
import { loadHearTask, type HearTask } from '../runtime/probes/hear.ts';
import { runProtocol } from '../runtime/probes/protocol.ts';
import { writeJsonAtomic } from '../runtime/probes/index.ts';
import { corpusDir, type SyntheticCatalog } from '../runtime/media/synth/index.ts';
import { selectBackend } from '../runtime/train/backend.ts';
import type { ProbeSpec, ResolvedSpec } from '../compiler/spec.ts';

const argv = process.argv.slice(2);
const arg = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const file = argv.find((a, i) => !a.startsWith('--') && (i === 0 || !argv[i - 1].startsWith('--')));
if (!file) { console.error('usage: node --import tsx bench/confound-spread.ts FILE.lssd [--root DIR] [--probe-seeds R] [--subsets K] [--subset-seeds R2] [--grid NAME] [--json OUT]'); process.exit(2); }
const count = (name: string, dflt: number, min: number) => {
  const v = Number(arg(name) ?? dflt);
  if (!Number.isInteger(v) || v < min) { console.error(`${name} must be a whole number ≥ ${min}, got '${arg(name)}'`); process.exit(2); }
  return v;
};
const R = count('--probe-seeds', 4, 2), K = count('--subsets', 3, 2), R2 = count('--subset-seeds', 2, 2);
const path = resolve(file);
const root = resolve(arg('--root') ?? defaultRoot(path));

const out = compileFile(path, nodeHost(), { project: projectFileFor(path) });
if (!out.value || out.diagnostics.some((d) => d.severity === 'error')) { console.error(out.diagnostics); process.exit(1); }
const onlyGrid = arg('--grid');
const runs = collectProgramRuns(out.value.experiments, out.value.all, root)
  .filter((r) => r.exists && r.results.length > 0 && (onlyGrid === undefined || r.spec.origin.grid?.name === onlyGrid));
if (runs.length === 0) { console.error(`no probed runs of ${file} under ${root}: run \`lssdc run ${file}\` first`); process.exit(1); }
await selectBackend('auto');

type Sets = { full: number[]; subsets: number[][] };
const probeSeed = (spec: ResolvedSpec, r: number) => spec.optim.seed + 1000 * r;
const cpu0 = process.cpuUsage(), t0 = Date.now();

function subsetTask(task: HearTask, k: number): { task: HearTask; rows: number[] } {
  const seen = new Map<string, number>();
  const rows: number[] = [];
  const order = task.clips.map((c, i) => i).sort((a, b) => (task.clips[a].file < task.clips[b].file ? -1 : 1));
  for (const i of order) {
    const c = task.clips[i];
    const g = `${c.split}\u0000${c.labels.join(',')}`;
    const n = seen.get(g) ?? 0;
    seen.set(g, n + 1);
    if (n % K === k) rows.push(i);
  }
  rows.sort((a, b) => a - b);
  const keep = new Set(rows.map((i) => `${task.clips[i].split}\u0000${task.clips[i].file}`));
  const fileOrder = Object.fromEntries(Object.entries(task.fileOrder).map(([s, fs]) => [s, fs.filter((f) => keep.has(`${s}\u0000${f}`))]));
  return { task: { ...task, clips: rows.map((i) => task.clips[i]), fileOrder }, rows };
}

const pick = (x: Float32Array, dim: number, rows: number[]) => {
  const o = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => o.set(x.subarray(r * dim, (r + 1) * dim), i * dim));
  return o;
};

// values[cell][task] = { full: [R], subsets: [K][R2] } (percent)
const values = new Map<string, Map<string, Sets>>();
const clipsPerClass = new Map<string, { full: number; subset: number }>();
for (const run of runs) {
  const spec = run.spec;
  const cat = spec.data.catalog;
  if (cat.kind !== 'synthetic') { console.error(`${spec.name}: not a synthetic corpus`); process.exit(1); }
  const perTask = new Map<string, Sets>();
  for (const probe of spec.probes as ProbeSpec[]) {
    if (probe.source.kind !== 'synthetic') continue;
    const task = loadHearTask(join(corpusDir(cat as unknown as SyntheticCatalog, root), 'tasks', probe.source.task));
    const emb = readEmbeddings(run.runDir, probe.task);
    if (!emb) { console.error(`${spec.name}: no cached embeddings of ${probe.task} in ${run.runDir}`); process.exit(1); }
    const at = new Map(emb.clips.map((c, i) => [`${c.split}\u0000${c.file}`, i]));
    const rows = task.clips.map((c) => at.get(`${c.split}\u0000${c.file}`));
    if (rows.some((r) => r === undefined)) { console.error(`${spec.name}: cached ${probe.task} embeddings do not cover the task's clips`); process.exit(1); }
    const x = pick(emb.x, emb.dim, rows as number[]);
    const full: number[] = [];
    for (let r = 0; r < R; r++) full.push(100 * (await runProtocol(task, { x, dim: emb.dim }, probe, probeSeed(spec, r))).value);
    const recorded = run.results.find((p) => p.task === probe.task);
    if (!recorded || Math.abs(100 * recorded.value - full[0]) > 1e-6) {
      console.error(`${spec.name} ${probe.task}: re-probing with the run's own seed gave ${full[0]}, the run recorded ${recorded ? 100 * recorded.value : 'nothing'}`);
      process.exit(1);
    }
    const subsets: number[][] = [];
    for (let k = 0; k < K; k++) {
      const s = subsetTask(task, k);
      const xs = pick(x, emb.dim, s.rows);
      const vs: number[] = [];
      for (let r = 0; r < R2; r++) vs.push(100 * (await runProtocol(s.task, { x: xs, dim: emb.dim }, probe, probeSeed(spec, r))).value);
      subsets.push(vs);
      if (k === 0) clipsPerClass.set(probe.task, { full: task.clips.length / task.labels.length, subset: s.rows.length / task.labels.length });
    }
    perTask.set(probe.task, { full, subsets });
    process.stderr.write(`${spec.name} ${probe.task}: full ${full.map((v) => v.toFixed(1)).join(' ')} | subsets ${subsets.map((s) => s.map((v) => v.toFixed(1)).join('/')).join(' ')}\n`);
  }
  values.set(spec.name, perTask);
}

// pairs along `dubs`: off → any at equal other axes
const axesOf = (s: ResolvedSpec) => s.origin.grid?.axes ?? {};
const keyOf = (s: ResolvedSpec) => `${s.origin.grid?.name ?? s.name} ${JSON.stringify(Object.entries(axesOf(s)).filter(([a]) => a !== 'dubs' && a !== 'seed').sort())}`;
const groups = new Map<string, { seed: number; off?: string; any?: string }[]>();
for (const run of runs) {
  const a = axesOf(run.spec);
  const list = groups.get(keyOf(run.spec)) ?? [];
  let e = list.find((x) => x.seed === run.spec.optim.seed);
  if (!e) { e = { seed: run.spec.optim.seed }; list.push(e); }
  if (a.dubs === 'off') e.off = run.spec.name; else if (a.dubs === 'any') e.any = run.spec.name;
  groups.set(keyOf(run.spec), list);
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const variance = (v: number[]) => { const m = mean(v); return v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1); };
const sd = (v: number[]) => Math.sqrt(variance(v));
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

/** The decomposition of one quantity q[s] (per encoder seed s), each a Sets. */
function decompose(q: Sets[]) {
  const probeFull = Math.sqrt(mean(q.map((s) => variance(s.full))));
  const probeSub = Math.sqrt(mean(q.flatMap((s) => s.subsets.map(variance))));
  const clips = Math.sqrt(mean(q.flatMap((s) => Array.from({ length: R2 }, (_, r) => variance(s.subsets.map((v) => v[r]))))));
  const gridLike = mean(Array.from({ length: K }, (_, k) => sd(q.map((s) => s.subsets[k][0]))));
  const full1 = sd(q.map((s) => s.full[0]));
  const avgVar = variance(q.map((s) => mean(s.full)));
  const encoder = Math.sqrt(Math.max(0, avgVar - probeFull ** 2 / R));
  return { n: q.length, mean: mean(q.map((s) => mean(s.full))), meanSub: mean(q.map((s) => mean(s.subsets.map((v) => v[0])))), probeFull, probeSub, clips, gridLike, full1, encoder };
}

const diff = (a: Sets, b: Sets): Sets => ({ full: a.full.map((v, i) => v - b.full[i]), subsets: a.subsets.map((s, k) => s.map((v, r) => v - b.subsets[k][r])) });
const report: Record<string, unknown> = {};
const lines: string[] = [];
const tasks = [...values.values().next().value!.keys()];
for (const [key, list] of groups) {
  const pairs = list.filter((p) => p.off && p.any).sort((a, b) => a.seed - b.seed);
  if (pairs.length < 2) continue;
  lines.push(`\n${key}: ${pairs.length} encoder seeds (${pairs.map((p) => p.seed).join(', ')}), probe seeds ${R} on all clips, ${K} disjoint subsets × ${R2} probe seeds`);
  lines.push('| task | clips/class: all, subset | quantity | mean (all) | mean (subset) | SD probe seed (all) | SD probe seed (subset) | SD clip subset | SD encoder seed (subset, 1 probe seed: the grid) | SD encoder seed (all, 1 probe seed) | SD encoder seed (all, probe noise removed) |');
  lines.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of tasks) {
    const cpc = clipsPerClass.get(t)!;
    const rows: [string, Sets[]][] = [
      ['dubs off', pairs.map((p) => values.get(p.off!)!.get(t)!)],
      ['dubs any', pairs.map((p) => values.get(p.any!)!.get(t)!)],
      ['any − off (paired)', pairs.map((p) => diff(values.get(p.any!)!.get(t)!, values.get(p.off!)!.get(t)!))],
    ];
    for (const [what, q] of rows) {
      const d = decompose(q);
      report[`${key} ${t} ${what}`] = d;
      lines.push(`| ${t} | ${cpc.full}, ${cpc.subset} | ${what} | ${f1(d.mean)} | ${f1(d.meanSub)} | ${f1(d.probeFull)} | ${f1(d.probeSub)} | ${f1(d.clips)} | ${f1(d.gridLike)} | ${f1(d.full1)} | ${f1(d.encoder)} |`);
    }
  }
}
const cpu = process.cpuUsage(cpu0);
const summary = `${runs.length} runs re-probed in ${((Date.now() - t0) / 1000).toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} CPU-s (this process), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`;
console.log(lines.join('\n'));
console.log(`\n${summary}`);
const json = arg('--json');
if (json) writeJsonAtomic(resolve(json), { file, root, R, K, R2, summary, values: Object.fromEntries([...values].map(([c, m]) => [c, Object.fromEntries(m)])), decomposition: report });
