// `lssdc doctor`: which backend `runtime.backend = auto` picks on this machine and why the others are not
// available, with the TensorFlow version, threads, CPU features, GPUs, the native-backend cache, and one
// fix per problem. The machine is reached only through `DoctorProbes`, so tests substitute fakes.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { DOCTOR, GRAPH, WASM } from '../../compiler/messages-runtime.ts';
import { wasmThreadPolicy } from '../train/thread-policy.ts';
import * as P from '../../provision/lib.mjs';
import type { ProvisionRecord } from '../../provision/provision.mjs';

export interface TensorflowProbe {
  ok: boolean;
  /** Why it did not load: the child's last output, or the signal that killed it. */
  why?: string;
  crashed?: boolean;
  tfVersion?: string;
  /** TensorFlow's own device names (`…/device:GPU:0`), from its `Created device` log lines. */
  gpuDevices?: string[];
}

export interface DoctorProbes {
  projectDir: string;
  env: NodeJS.ProcessEnv;
  tensorflow(): Promise<TensorflowProbe>;
  /** Activates a backend in this process the way training does (runtime/train/backend.ts). */
  select(pref: 'auto' | 'wasm'): Promise<{ ok: boolean; backend?: string; why?: string; wasmThreads?: number }>;
  gpus(): P.GpuProbe;
  cpuFlags(): string[];
  record(): ProvisionRecord | null;
  /** With tensorflow active: whether a traced step replays as a TF graph (null) or why not (runtime/train/graph.ts). */
  graph(): Promise<string | null>;
}

export interface Problem { code: string; severity: 'error' | 'warning'; message: string; fix: string }

export interface DoctorReport {
  auto: string;
  backends: {
    tensorflow: { available: boolean; why: string | null; tfVersion: string | null; flavor: string | null; entry: string | null; gpuDevices: string[] };
    wasm: { available: boolean; why: string | null };
    cpu: { available: true; note: string };
  };
  threads: {
    cores: number; tfIntraOp: string; tfInterOp: string;
    /** The wasm line: threads a run takes, which build, and why. */
    wasm: string;
    /** The wasm threads chosen (runtime/train/thread-policy.ts) and started by this doctor's own wasm probe (null: not started). */
    wasmChoice: { threads: number; why: string; started: number | null } | null;
  };
  /** How a training step runs on the backend auto picks: 'graph' (one TF_Session run) or 'eager', and why. */
  stepMode: { mode: 'graph' | 'eager'; why: string };
  cpu: { model: string; features: string[] };
  gpu: { visible: string[]; driver: boolean; usedByTensorflow: string[] };
  cache: { root: string; entries: Array<{ flavor: string; dir: string; bytes: number; built: string | null; source: string | null }>; bytes: number; broken: string[] };
  provision: { ran: boolean; at: string | null; attempts: ProvisionRecord['attempts']; ms: number | null };
  problems: Problem[];
}

/** The CPU features that decide TensorFlow's and XNNPACK's kernels. */
const FEATURES = ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx512_bf16', 'amx_tile', 'neon', 'asimd'];

export async function diagnose(probes: DoctorProbes): Promise<DoctorReport> {
  const rec = probes.record();
  const tfp = await probes.tensorflow();
  const gpu = probes.gpus();
  const root = P.cacheRoot(probes.env);
  const cache = scanCache(root);
  const problems: Problem[] = [];

  // `auto` as training resolves it; a binding that kills its process would kill training too, so it is
  // not loaded here in that case.
  let auto: string;
  let autoSel: Awaited<ReturnType<DoctorProbes['select']>> | null = null;
  if (tfp.crashed) auto = 'none (loading tfjs-node kills the process)';
  else { autoSel = await probes.select('auto'); auto = autoSel.ok ? autoSel.backend! : `none (${autoSel.why})`; }
  const wasm = auto === 'wasm' && autoSel ? autoSel : await probes.select('wasm');

  if (!tfp.ok) {
    const attempts = rec?.attempts.filter((a) => !a.ok).map((a) => `${a.flavor}: ${a.why}`) ?? [];
    problems.push({
      code: DOCTOR.nativeUnavailable.code, severity: 'error',
      message: `the native backend 'tensorflow' does not load: ${tfp.why}${attempts.length ? `; provisioning said: ${attempts.join('; ')}` : ''}`,
      fix: rec
        ? 'make one native path work, then run `node provision/install.mjs`: let `pip download --no-deps tensorflow-cpu==2.21.0` reach an index (or set LSSD_TF_WHEEL=/path/to/the.whl), or let https://storage.googleapis.com be reached'
        : 'run `npm install` (or `node provision/install.mjs`) in this checkout: provisioning has not run here',
    });
  }
  if (tfp.crashed) {
    problems.push({ code: DOCTOR.nativeCrashes.code, severity: 'error', message: `loading @tensorflow/tfjs-node kills the process (${tfp.why})`,
      fix: `delete the cache entry (${rec?.entry ?? root}) and run \`node provision/install.mjs\`, or install with LSSD_PROVISION=wasm` });
  }
  if (!wasm.ok) {
    problems.push({ code: DOCTOR.wasmUnavailable.code, severity: auto === 'cpu' ? 'error' : 'warning', message: `the wasm backend does not initialise: ${wasm.why}`,
      fix: 'reinstall the dependencies (`npm ci`)' });
  }
  const tfGpus = tfp.gpuDevices ?? [];
  if (gpu.present && tfp.ok && tfGpus.length === 0) {
    problems.push({ code: DOCTOR.gpuUnused.code, severity: 'warning',
      message: `an NVIDIA GPU is visible (${gpu.devices.join(', ') || '/proc/driver/nvidia'}) but TensorFlow created no GPU device: training runs on the CPU`,
      fix: 'install CUDA 11.2 + cuDNN 8.1 (official-gpu), or let pip reach tensorflow==2.21.0 and its nvidia-* wheels (wheel-gpu), then run `node provision/install.mjs` (provision/README.md)' });
  }
  if (cache.broken.length) {
    problems.push({ code: DOCTOR.brokenEntries.code, severity: 'warning', message: `cache entries set aside because they built but did not load: ${cache.broken.join(', ')}`,
      fix: 'read their manifest.json for the cause; delete them to reclaim the space' });
  }

  let stepMode: DoctorReport['stepMode'];
  if (auto !== 'tensorflow') stepMode = { mode: 'eager', why: `graph mode is for the tensorflow backend; auto picks ${auto}` };
  else if (probes.env.LSSD_GRAPH === '0') stepMode = { mode: 'eager', why: 'LSSD_GRAPH=0 is set' };
  else {
    const why = await probes.graph();
    stepMode = why ? { mode: 'eager', why: `graph mode does not work here: ${why}` } : { mode: 'graph', why: 'a traced test step replays as one TF_Session run (LSSD_GRAPH=0 opts out)' };
    if (why) problems.push({ code: GRAPH.eagerFallback.code, severity: 'warning', message: `training steps cannot run as TensorFlow graphs here (${why}); they run eagerly, slower`, fix: 'reinstall the native backend (`node provision/install.mjs`); a run says LSSD5350 with the reason for its own model' });
  }

  // wasm threads as a run would take them (runtime/train/thread-policy.ts), and as the wasm probe above
  // started them; a bad LSSD_WASM_THREADS / LSSD_JOBS is that run's LSSD5351 / LSSD5353.
  let wasmThreads: string;
  let wasmChoice: DoctorReport['threads']['wasmChoice'] = null;
  try {
    const c = wasmThreadPolicy(probes.env, availableParallelism());
    const started = wasm.ok ? wasm.wasmThreads ?? null : null;
    wasmChoice = { ...c, started };
    const build = (n: number) => (n === 1 ? 'one: the single-threaded build' : `${n}: the threaded build, ${n} XNNPACK threads`);
    const other = c.threads === 1 ? 'LSSD_WASM_THREADS=2 starts the threaded build with two threads' : 'LSSD_WASM_THREADS=1 the single-threaded build';
    wasmThreads = `${build(c.threads)} (${c.why}; ${other})`;
    if (started !== null && started !== c.threads) {
      wasmThreads = `${build(started)}: the threaded build failed to start here (wanted ${c.threads}: ${c.why})`;
      problems.push({ code: WASM.threadedFailed.code, severity: 'warning', message: `the threaded wasm backend (${c.threads} threads) failed to start; a wasm run trains single-threaded`,
        fix: 'reinstall the dependencies (`npm ci`); LSSD_WASM_THREADS=1 selects the single-threaded build without trying' });
    }
  } catch (e) {
    const err = e as Error & { code?: string; hint?: string };
    if (!err.code?.startsWith('LSSD')) throw e;
    wasmThreads = 'none chosen (a variable is not valid: a wasm run stops with the problem below)';
    problems.push({ code: err.code, severity: 'error', message: err.message, fix: err.hint ?? 'unset LSSD_WASM_THREADS and LSSD_JOBS' });
  }

  const cpuFlags = probes.cpuFlags();
  return {
    auto,
    backends: {
      tensorflow: { available: tfp.ok, why: tfp.ok ? null : tfp.why ?? null, tfVersion: tfp.tfVersion ?? null, flavor: rec?.flavor ?? null, entry: rec?.entry ?? null, gpuDevices: tfGpus },
      wasm: { available: wasm.ok, why: wasm.ok ? null : wasm.why ?? null },
      cpu: { available: true, note: 'pure JS, 10-1000x slower; used only when asked for or when nothing else loads' },
    },
    threads: {
      cores: availableParallelism(),
      tfIntraOp: probes.env.TF_NUM_INTRAOP_THREADS ? `${probes.env.TF_NUM_INTRAOP_THREADS} (TF_NUM_INTRAOP_THREADS)` : `TensorFlow's default: one per core (${availableParallelism()})`,
      tfInterOp: probes.env.TF_NUM_INTEROP_THREADS ? `${probes.env.TF_NUM_INTEROP_THREADS} (TF_NUM_INTEROP_THREADS)` : `TensorFlow's default: one per core (${availableParallelism()})`,
      wasm: wasmThreads,
      wasmChoice,
    },
    stepMode,
    cpu: { model: cpus()[0]?.model ?? 'unknown', features: FEATURES.filter((f) => cpuFlags.includes(f)) },
    gpu: { visible: gpu.devices, driver: gpu.driver, usedByTensorflow: tfGpus },
    cache,
    provision: { ran: !!rec, at: rec?.at ?? null, attempts: rec?.attempts ?? [], ms: rec?.ms ?? null },
    problems,
  };
}

function scanCache(root: string): DoctorReport['cache'] {
  const base = dirname(P.entryDir(root, 'x'));
  const entries: DoctorReport['cache']['entries'] = [];
  const broken: string[] = [];
  let names: string[] = [];
  try { names = readdirSync(base); } catch { /* no cache yet */ }
  for (const name of names.sort()) {
    const dir = join(base, name);
    if (name.includes('.broken-')) { broken.push(dir); continue; }
    const m = P.readEntry(dir);
    if (m) entries.push({ flavor: name, dir, bytes: m.bytes ?? P.duBytes(dir), built: m.built ?? null, source: m.source ?? null });
  }
  return { root, entries, bytes: entries.reduce((s, e) => s + e.bytes, 0), broken };
}

/** The lssd checkout this module belongs to (from the sources or from build/). */
export function projectDir(from = fileURLToPath(import.meta.url)): string {
  for (let d = dirname(from); d !== dirname(d); d = dirname(d)) {
    try { if (JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name === 'lssd') return d; } catch { /* keep looking */ }
  }
  return process.cwd();
}

/** The real machine. */
export function realProbes(dir = projectDir(), env: NodeJS.ProcessEnv = process.env): DoctorProbes {
  return {
    projectDir: dir,
    env,
    async tensorflow() {
      if (!existsSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json'))) return { ok: false, why: '@tensorflow/tfjs-node is not installed in node_modules' };
      // In a child: a broken native library can abort its process.
      const code = `const tf = require('@tensorflow/tfjs-node'); console.log('LSSD_TF ' + JSON.stringify({ backend: tf.getBackend(), tf: tf.backend().binding.TF_Version }));`;
      const r = spawnSync(process.execPath, ['-e', code], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...env, TF_CPP_MIN_LOG_LEVEL: '0' } });
      const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
      const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('LSSD_TF '));
      if (r.signal) return { ok: false, crashed: r.signal !== 'SIGTERM', why: r.signal === 'SIGTERM' ? 'loading timed out after 120 s' : `killed by ${r.signal}` };
      if (r.status !== 0 || !line) return { ok: false, why: lastLines(out) };
      const v = JSON.parse(line.slice(7)) as { backend: string; tf: string };
      return { ok: v.backend === 'tensorflow', tfVersion: v.tf, why: v.backend === 'tensorflow' ? undefined : `loaded, but the active backend is ${v.backend}`, gpuDevices: [...out.matchAll(/Created device (\S*GPU:\d+)/g)].map((m) => m[1]) };
    },
    async select(pref) {
      try {
        const { selectBackend, wasmThreadCount } = await import('../train/backend.ts');
        const backend = await selectBackend(pref);
        return { ok: true, backend, ...(backend === 'wasm' ? { wasmThreads: wasmThreadCount() } : {}) };
      } catch (e) { return { ok: false, why: (e as Error).message }; }
    },
    gpus: () => P.detectGpu(),
    cpuFlags() {
      try {
        const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
        return line ? line.split(':')[1].trim().split(/\s+/) : [];
      } catch { return []; }
    },
    async graph() {
      // The wasm probe may have switched the process's backend since auto picked tensorflow.
      const { selectBackend } = await import('../train/backend.ts');
      const { graphSelfCheck } = await import('../train/graph.ts');
      try { await selectBackend('tensorflow'); } catch (e) { return (e as Error).message; }
      return graphSelfCheck();
    },
    record() {
      try { return JSON.parse(readFileSync(join(dir, 'node_modules', '.lssd', 'provision.json'), 'utf8')) as ProvisionRecord; } catch { return null; }
    },
  };
}

function lastLines(s: string): string {
  const lines = s.trim().split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
  return lines.slice(-3).join(' | ').slice(0, 600) || 'no output';
}

const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

/** The human form: one fact per line, then each problem with its fix. */
export function renderReport(r: DoctorReport): string {
  const t = r.backends.tensorflow;
  const L = [
    `backend (auto):  ${r.auto}`,
    `  tensorflow     ${t.available ? `available: TF ${t.tfVersion}${t.flavor ? `, ${t.flavor}` : ''}${t.gpuDevices.length ? `, GPU: ${t.gpuDevices.join(', ')}` : ', CPU only'}` : `unavailable: ${t.why}`}`,
    `  wasm           ${r.backends.wasm.available ? 'available' : `unavailable: ${r.backends.wasm.why}`}`,
    `  cpu            available (${r.backends.cpu.note})`,
    `threads:         ${r.threads.cores} cores; TF intra-op ${r.threads.tfIntraOp}; inter-op ${r.threads.tfInterOp}; wasm ${r.threads.wasm}`,
    `step mode:       ${r.stepMode.mode} (${r.stepMode.why})`,
    `cpu:             ${r.cpu.model}; ${r.cpu.features.join(' ') || 'no SIMD features reported'}`,
    `gpu:             ${r.gpu.visible.length ? r.gpu.visible.join('; ') : r.gpu.driver ? 'NVIDIA driver present, no device listed' : 'no NVIDIA GPU visible'}`,
    `cache:           ${r.cache.root} (${mb(r.cache.bytes)})`,
    ...r.cache.entries.map((e) => `  ${e.flavor.padEnd(14)} ${mb(e.bytes)}, built ${e.built ?? '?'}, from ${e.source ?? '?'}`),
    `provisioning:    ${r.provision.ran ? `ran ${r.provision.at} (${((r.provision.ms ?? 0) / 1000).toFixed(1)} s)` : 'has not run in this checkout'}`,
    ...r.provision.attempts.map((a) => `  ${a.flavor.padEnd(14)} ${a.ok ? 'ok' : 'failed'}${a.cached ? ' (cached)' : ''}${a.why ? `: ${a.why}` : ''}`),
  ];
  if (r.problems.length === 0) L.push('', 'no problems found');
  for (const p of r.problems) L.push('', `${p.severity} ${p.code}: ${p.message}`, `  fix: ${p.fix}`);
  return L.join('\n');
}
