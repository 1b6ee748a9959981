// Training benchmark for the CPU-sized models: per backend, clips/s and achieved GFLOP/s per training
// step (analytic FLOPs from the plan / measured step time), the step split (waiting for data, input
// preparation, forward+backward, optimiser), the plain matmul peak for comparison, and each tower's
// share of forward+backward (what splitting the towers over two worker threads could at most gain).
// Batches are random tensors of the plan's shapes served instantly, so "data wait" here is the
// trainer's own overhead; with the real dataset see metrics.jsonl's dataWaitMs of a run.
// In the same run, bench/train_torch.py times the same step in PyTorch at 1 and 2 threads (patch
// families only; skipped with a message when no python can import torch) and the ratios
// torch-2-thread ms / backend ms are printed (≥ 1 means lssd is at least as fast as PyTorch).
//
// `tensorflow` trains in graph mode (runtime/train/graph-train.ts: the step as one TF_Session run) and
// `tensorflow-eager` is the same backend with LSSD_GRAPH=0 (one eager TF op at a time), side by side;
// `wasm` is the default thread policy (runtime/train/thread-policy.ts: one XNNPACK thread per core this run
// has, on tfjs-backend-wasm's threaded build when that is more than one), `wasm-1t` the single-threaded
// build (LSSD_WASM_THREADS=1) and `wasm-2t` the threaded build with two threads (LSSD_WASM_THREADS=2).
//
//   node --import tsx bench/train.ts [--file experiments/quickstart.lssd] [--steps N] [--backends tensorflow,tensorflow-eager,wasm,wasm-1t,wasm-2t,cpu]
//                                    [--no-torch] [--json] [--in-process]
// Each backend runs in a child process of its own unless --in-process (or a single backend) is given.
// LSSD_TORCH_PYTHON picks the python (default: the first of /usr/bin/python3, python3 that imports torch).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { compileFile } from '../compiler/index.ts';
import { lower } from '../compiler/lower.ts';
import type { Plan } from '../compiler/plan.ts';
import { nodeHost } from '../runtime/host.ts';
import type { Batch, Dataset } from '../runtime/contracts.ts';
import { selectBackend, trainExperiment } from '../runtime/train/index.ts';
import { wasmThreadSummary } from '../runtime/train/backend.ts';
import { buildModel } from '../runtime/train/model.ts';
import { splitInput } from '../compiler/params.ts';
import { mulberry32 } from '../runtime/train/rng.ts';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const root = fileURLToPath(new URL('..', import.meta.url));
const file = opt('--file', join(root, 'experiments/quickstart.lssd'));
const steps = Number(opt('--steps', '12'));
const backends = opt('--backends', 'tensorflow,tensorflow-eager,wasm,wasm-1t,wasm-2t').split(',').filter(Boolean);
const torch = !args.includes('--no-torch');
for (const b of backends) if (!['tensorflow', 'tensorflow-eager', 'wasm', 'wasm-1t', 'wasm-2t', 'cpu'].includes(b)) { console.error(`--backends: '${b}' is not one of tensorflow, tensorflow-eager, wasm, wasm-1t, wasm-2t, cpu`); process.exit(2); }
const json = args.includes('--json');

function randomBatches(plan: Plan): Dataset {
  const B = plan.data.globalBatch, v = plan.data.videoShape, a = plan.data.audioShape;
  const vN = v ? v.reduce((x, y) => x * y, 1) : 0, aN = a[0] * a[1] * a[2];
  const fill = (n: number, r: () => number) => Float32Array.from({ length: n }, r);
  // Two pre-generated batches served alternately: generating 3.5M random floats per step would otherwise
  // show up as data time (the trainer counts the dataset's synchronous work as data wait).
  const make = (step: number): Batch => {
    const r = mulberry32(step + 1);
    return {
      size: B, vp: v ? fill(B * vN, r) : null, vs: v ? fill(B * vN, r) : null, videoShape: v ? [B, ...v] : null,
      ap: fill(B * aN, r), as: fill(B * aN, r), audioShape: [B, a[0], a[1], a[2]],
      title: new Int32Array(B).map((_, i) => i % 4), shot: new Int32Array(B).map((_, i) => i), langP: Array(B).fill('en'), langS: Array(B).fill('es'), dubbed: new Uint8Array(B).fill(1),
    };
  };
  const pool = [make(0), make(1)];
  return {
    titles: [], stats: { titles: 0, shots: 0, avgDubs: 0, shotsDropped: { tooShort: 0, tooLong: 0 } }, stepsPerEpoch: 1_000_000,
    async batchAt(step: number): Promise<Batch> { return pool[step % 2]; },
    async close() {},
  };
}

const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };

async function matmulPeak(): Promise<number> {
  const a = tf.randomNormal([512, 512]), b = tf.randomNormal([512, 1024]);
  const times: number[] = [];
  for (let i = 0; i < 6; i++) { const t0 = performance.now(); const y = tf.matMul(a, b); await y.data(); y.dispose(); times.push(performance.now() - t0); }
  tf.dispose([a, b]);
  return (2 * 512 * 512 * 1024) / (median(times.slice(1)) / 1000) / 1e9;
}

/** Forward+backward time of each tower alone on the plan's 2B examples (dummy loss: sum of squares). */
async function towerSplit(plan: Plan): Promise<Record<string, number>> {
  const model = buildModel(plan);
  const ds = randomBatches(plan);
  const b = await ds.batchAt(0);
  const p = model.prepare(b);
  const out: Record<string, number> = {};
  for (const [name, tower, x] of [['video', model.towers.video, p.video], ['audio', model.towers.audio, p.audio]] as const) {
    if (!tower || !x) continue;
    const vars = model.store.names(`${name}/`).map((n) => model.store.vars.get(n)!);
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tower.forward(x, 2 * b.size))) as tf.Scalar, vars);
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
      times.push(performance.now() - t0);
    }
    out[name] = median(times.slice(1));
  }
  tf.dispose([p.audio, ...(p.video ? [p.video] : [])]);
  model.dispose();
  return out;
}

/** The plan's towers, heads, loss and optimiser as bench/train_torch.py reads them (null: a family it does not mirror). */
function torchSpec(plan: Plan): Record<string, unknown> | string {
  const towers: Record<string, unknown> = {};
  for (const t of [plan.graph.towers.video, plan.graph.towers.audio]) {
    if (!t) continue;
    if (t.family !== 'patch_transformer' && t.family !== 'patch_mlp') return `the ${t.modality} tower is ${t.family}; the PyTorch reference mirrors the patch families only`;
    const c = t.config, { dims, channels } = splitInput(t.modality, t.input);
    towers[t.modality] = { input: t.input, dims, channels, patch: c.patch, dim: c.dim, depth: c.depth, heads: t.family === 'patch_transformer' ? c.heads : 0, mlp_ratio: c.mlp_ratio, outputDim: t.outputDim };
  }
  return { towers, heads: plan.graph.heads, loss: plan.graph.loss, optim: plan.optim, batch: plan.data.globalBatch, devices: plan.data.devices };
}

function torchPython(): { python: string } | { skipped: string } {
  const candidates = process.env.LSSD_TORCH_PYTHON ? [process.env.LSSD_TORCH_PYTHON] : ['/usr/bin/python3', 'python3'];
  const tried: string[] = [];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python: py };
    tried.push(`${py}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { skipped: `no python imports torch (${tried.join('; ')}); on Debian: apt-get install python3-torch libopenblas0-openmp, or set LSSD_TORCH_PYTHON` };
}

/**
 * Debian's torch links libblas.so.3, an alternatives link that may point at the pthread OpenBLAS, whose
 * own thread pool fights torch's OpenMP one at 2 threads; the OpenMP build (libopenblas0-openmp) is put
 * first on the library path when it is installed (LSSD_TORCH_BLAS=system keeps the system's choice).
 */
function openblasOpenmp(): Record<string, string> {
  const dir = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
  if (process.env.LSSD_TORCH_BLAS === 'system' || !existsSync(join(dir, 'libblas.so.3'))) return {};
  return { LD_LIBRARY_PATH: [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}

/** Median ms/step of bench/train_torch.py at `threads` (one process per thread count: BLAS reads its thread env at load). */
function torchStep(python: string, spec: Record<string, unknown>, threads: number, n: number): { stepMs: number; bestMs: number; cpuMs: number; torch: string; params: number; blas: string } | { skipped: string } {
  const n2 = String(threads);
  const r = spawnSync(python, [join(root, 'bench/train_torch.py'), '--threads', n2, '--steps', String(n)], {
    input: JSON.stringify(spec), encoding: 'utf8', timeout: 600_000,
    env: { ...process.env, OMP_NUM_THREADS: n2, OPENBLAS_NUM_THREADS: n2, MKL_NUM_THREADS: n2, ...openblasOpenmp() },
  });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !line) return { skipped: `bench/train_torch.py --threads ${threads} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr?.trim().split('\n').slice(-3).join(' | ')}` };
  return JSON.parse(line);
}

const o = compileFile(file, nodeHost());
if (!o.value) { console.error(o.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')); process.exit(1); }
const spec = o.value.experiments[0];
const lowered = lower(spec, o.value);
if (!lowered.value) { console.error(lowered.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')); process.exit(1); }
const results: Record<string, unknown>[] = [];
// Each backend runs in a process of its own, as a training run does (the backend is process-wide):
// with tfjs-node loaded and used first, the wasm step took 14–25% more CPU and ~30% more wall time in
// the same process (wasm-only 786–847 ms CPU/step vs 892–983 after tensorflow, load 12–16; measured with
// a per-step process.cpuUsage() probe), so one process for all backends misreports the later ones.
const inProcess = args.includes('--in-process') || backends.length === 1;
if (!inProcess) {
  for (const pref of backends) {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--file', file, '--steps', String(steps), '--backends', pref, '--no-torch', '--json'],
      { encoding: 'utf8', timeout: 1_800_000, stdio: ['ignore', 'pipe', 'inherit'] });
    const out = r.stdout?.slice(r.stdout.indexOf('\n[') + 1);
    let got: Record<string, unknown>[] | null = null;
    try { got = JSON.parse(out ?? ''); } catch { got = null; }
    const mine = got?.find((x) => x.backend === pref || (typeof x.stepMs === 'number'));
    if (r.status !== 0 || !mine) {
      const why = `${pref}: skipped — the child process failed (${r.error?.message ?? `exit ${r.status}`})`;
      results.push({ backend: pref, skipped: why });
      if (!json) console.log(why);
      continue;
    }
    results.push(mine);
    if (!json) printBackend(mine as unknown as BackendResult);
  }
}
interface BackendResult {
  backend: string; wasmThreads?: string; experiment: string; batch: number; params: number; stepMs: number; bestMs: number; cpuMs: number; firstStepMs: number; modes: string; clipsPerSec: number; gflops: number; matmulPeakGflops: number;
  splitMs: { dataWait: number; prepare: number; forwardBackward: number; optimizer: number }; dataWaitShare: number; towerForwardBackwardMs: Record<string, number>; twoWorkerBound: number | null;
}
function printBackend(r: BackendResult): void {
  const split = r.splitMs, towers = r.towerForwardBackwardMs;
  console.log(`${r.backend}${r.wasmThreads ? ` [${r.wasmThreads}]` : ''}: ${r.experiment}, batch ${r.batch}, ${(r.params / 1e6).toFixed(2)}M params — ${r.stepMs.toFixed(0)} ms/step (best ${r.bestMs.toFixed(0)}; CPU ${r.cpuMs.toFixed(0)} ms/step), ${r.clipsPerSec.toFixed(1)} clips/s, ${r.gflops.toFixed(1)} GFLOP/s (matmul peak ${r.matmulPeakGflops.toFixed(1)})`);
  console.log(`  step mode: ${r.modes}; first step (self-test excluded; graph mode: trace ×2 + session build + first run) ${r.firstStepMs.toFixed(0)} ms`);
  console.log(`  split (median ms): data wait ${split.dataWait.toFixed(1)} (${(100 * r.dataWaitShare).toFixed(1)}%), prepare ${split.prepare.toFixed(1)}, forward+backward ${split.forwardBackward.toFixed(0)}, optimizer ${split.optimizer.toFixed(0)}`);
  if (r.twoWorkerBound) console.log(`  towers fwd+bwd: video ${towers.video!.toFixed(0)} ms, audio ${towers.audio!.toFixed(0)} ms → two-thread tower split could at most give ${r.twoWorkerBound.toFixed(2)}x`);
}
for (const label of inProcess ? backends : []) {
  let backend: string;
  const pref = label === 'tensorflow-eager' ? 'tensorflow' : label.startsWith('wasm') ? 'wasm' : label;
  if (label === 'tensorflow-eager') process.env.LSSD_GRAPH = '0';
  if (label === 'wasm-2t') process.env.LSSD_WASM_THREADS = '2';
  if (label === 'wasm-1t') process.env.LSSD_WASM_THREADS = '1';
  try {
    backend = await selectBackend(pref as 'wasm');
  } catch (e) {
    const why = `${pref}: skipped — ${(e as Error).message}`;
    results.push({ backend: pref, skipped: why });
    if (!json) console.log(why);
    continue;
  }
  const n = backend === 'cpu' ? Math.min(steps, 3) : steps;
  const base = lowered.value;
  const plan: Plan = { ...base, backend: { ...base.backend, preference: pref as Plan['backend']['preference'] },
    optim: { ...base.optim, schedule: { ...(base.optim.schedule ?? { kind: 'constant', warmupSteps: 0, peak: base.optim.lr, min: 0 }), totalSteps: n } as NonNullable<Plan['optim']['schedule']> },
    checkpointEvery: 1_000_000, logEvery: 1 };
  const dir = mkdtempSync(join(tmpdir(), 'lssd-bench-'));
  // CPU time per step (user + system, all threads) from a process.cpuUsage() probe at each step event.
  const cpuAt: number[] = [];
  await trainExperiment({ spec, plan, runDir: dir, dataset: randomBatches(plan), signal: new AbortController().signal,
    events: (e) => { if (e.type === 'step') { const c = process.cpuUsage(); cpuAt.push((c.user + c.system) / 1000); } } });
  const all = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const m = all.slice(1); // first step warms up (and compiles the graph)
  const cpuSteps = cpuAt.slice(1).map((c, i) => c - cpuAt[i]);
  rmSync(dir, { recursive: true, force: true });
  const stepMs = median(m.map((x) => x.stepMs)), bestMs = Math.min(...m.map((x) => x.stepMs));
  const split = { dataWait: median(m.map((x) => x.dataWaitMs)), prepare: median(m.map((x) => x.prepareMs)), forwardBackward: median(m.map((x) => x.forwardBackwardMs)), optimizer: median(m.map((x) => x.optimizerMs)) };
  const towers = backend === 'cpu' ? {} : await towerSplit(plan);
  const r = {
    backend: label === 'tensorflow-eager' || label.startsWith('wasm-') ? label : backend, ...(backend === 'wasm' ? { wasmThreads: wasmThreadSummary() ?? undefined } : {}), experiment: spec.name, batch: plan.data.globalBatch, steps: m.length, params: plan.estimates.params.total,
    stepMs, bestMs, cpuMs: median(cpuSteps), firstStepMs: all[0].stepMs,
    modes: Object.entries(all.reduce((acc: Record<string, number>, x) => { acc[x.mode] = (acc[x.mode] ?? 0) + 1; return acc; }, {})).map(([k, n]) => `${k} ×${n}`).join(', '), clipsPerSec: plan.data.globalBatch / (stepMs / 1000), gflops: plan.estimates.flopsPerStep / (stepMs / 1000) / 1e9,
    matmulPeakGflops: await matmulPeak(), splitMs: split, dataWaitShare: split.dataWait / stepMs, towerForwardBackwardMs: towers,
    twoWorkerBound: towers.video && towers.audio ? (towers.video + towers.audio) / Math.max(towers.video, towers.audio) : null,
  };
  results.push(r);
  if (!json) printBackend(r);
}
if (torch) {
  const spec = torchSpec(lowered.value);
  const py = typeof spec === 'string' ? { skipped: spec } : torchPython();
  const ref: Record<number, number> = {}, refBest: Record<number, number> = {}, refCpu: Record<number, number> = {};
  if ('skipped' in py) {
    results.push({ backend: 'torch', skipped: py.skipped });
    if (!json) console.log(`torch: skipped — ${py.skipped}`);
  } else {
    for (const threads of [1, 2]) {
      const r = torchStep(py.python, spec as Record<string, unknown>, threads, steps);
      results.push({ backend: `torch-${threads}t`, python: py.python, ...r });
      if ('skipped' in r) { if (!json) console.log(`torch ${threads} thread(s): skipped — ${r.skipped}`); continue; }
      ref[threads] = r.stepMs;
      refCpu[threads] = r.cpuMs;
      refBest[threads] = r.bestMs;
      if (r.params !== lowered.value.estimates.params.total) console.log(`  WARNING: the PyTorch model has ${r.params} parameters, the plan ${lowered.value.estimates.params.total}`);
      if (!json) console.log(`torch ${r.torch} (${r.blas}), ${threads} thread${threads > 1 ? 's' : ''}: ${r.stepMs.toFixed(0)} ms/step (best ${r.bestMs.toFixed(0)}; CPU ${r.cpuMs.toFixed(0)} ms/step), ${(lowered.value.data.globalBatch / (r.stepMs / 1000)).toFixed(1)} clips/s`);
    }
    const ratios: Record<string, Record<string, number>> = {};
    for (const r of results) {
      if (typeof r.stepMs !== 'number' || String(r.backend).startsWith('torch')) continue;
      ratios[String(r.backend)] = Object.fromEntries(Object.entries(ref).map(([t, ms]) => [`torch${t}t`, ms / (r.stepMs as number)]));
      // CPU time moves less with other jobs' load than wall time does (it still includes spin-waiting).
      ratios[String(r.backend)].cpuTorch1t = refCpu[1] / (r.cpuMs as number);
      if (!json && refCpu[1]) console.log(`cpu ratio ${r.backend}: torch-1-thread CPU ms / ${r.backend} CPU ms = ${(refCpu[1] / (r.cpuMs as number)).toFixed(2)}x${refCpu[2] ? ` (torch-2-thread CPU ${refCpu[2].toFixed(0)} ms/step)` : ''}`);
      if (!json) console.log(`ratio ${r.backend}: ${Object.entries(ref).map(([t, ms]) => `${(ms / (r.stepMs as number)).toFixed(2)}x torch-${t}-thread (best/best ${(refBest[Number(t)] / (r.bestMs as number)).toFixed(2)}x)`).join(', ')} (torch ms / ${r.backend} ms of the medians; ≥ 1 is faster than PyTorch)`);
    }
    results.push({ ratios });
  }
}
const load = loadavg().map((x) => x.toFixed(2)).join(' ');
results.push({ loadavg: load });
if (json) console.log(JSON.stringify(results, null, 1));
else console.log(`load average ${load} (2-core machine: numbers move with other jobs' load)`);
