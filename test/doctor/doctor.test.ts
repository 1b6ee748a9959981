// `lssdc doctor` over a fake machine (native missing, a GPU used and unused, a crashing binding), and the
// real command's JSON and exit code on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { diagnose, renderReport, type DoctorProbes, type TensorflowProbe } from '../../runtime/doctor/index.ts';
import { DOCTOR, GRAPH } from '../../compiler/messages-runtime.ts';
import { entryDir } from '../../provision/lib.mjs';
import type { ProvisionRecord } from '../../provision/provision.mjs';

const root = new URL('../..', import.meta.url).pathname;

function rec(over: Partial<ProvisionRecord> = {}): ProvisionRecord {
  return { version: 1, at: '2026-01-01T00:00:00Z', cache: '/c', backend: 'wasm', flavor: null, entry: null, tfVersion: null, gpu: null, gpuDevices: [], attempts: [], ms: 1000, message: null, ...over };
}

function fake(o: { tf: TensorflowProbe; gpu?: string[]; record?: ProvisionRecord | null; wasm?: boolean; wasmThreads?: number; cache?: string; graph?: string | null; env?: Record<string, string> }): DoctorProbes & { selected: string[] } {
  const selected: string[] = [];
  return {
    selected,
    projectDir: '/nowhere',
    env: { LSSD_CACHE_DIR: o.cache ?? mkdtempSync(join(tmpdir(), 'lssd-doctor-')), ...o.env },
    tensorflow: async () => o.tf,
    select: async (pref) => {
      selected.push(pref);
      const wasm = { ok: true, backend: 'wasm', ...(o.wasmThreads !== undefined ? { wasmThreads: o.wasmThreads } : {}) };
      if (pref === 'auto') return o.tf.ok ? { ok: true, backend: 'tensorflow' } : o.wasm === false ? { ok: true, backend: 'cpu' } : wasm;
      return o.wasm === false ? { ok: false, why: 'wasm binary missing' } : wasm;
    },
    gpus: () => ({ present: !!o.gpu?.length, driver: !!o.gpu?.length, devices: o.gpu ?? [] }),
    cpuFlags: () => ['fpu', 'sse4_2', 'avx', 'avx2', 'fma'],
    record: () => (o.record === undefined ? rec() : o.record),
    graph: async () => o.graph ?? null,
  };
}

test('step mode: graph on tensorflow; a failing graph self-check is LSSD5350 with the reason; eager elsewhere', async () => {
  const ok = await diagnose(fake({ tf: { ok: true, tfVersion: '2.21.0' }, record: rec({ backend: 'tensorflow', flavor: 'wheel-cpu' }) }));
  assert.equal(ok.stepMode.mode, 'graph');
  assert.match(renderReport(ok), /step mode: {7}graph \(/);
  const bad = await diagnose(fake({ tf: { ok: true, tfVersion: '2.21.0' }, record: rec({ backend: 'tensorflow', flavor: 'wheel-cpu' }), graph: 'TensorFlow refused the step\'s graph: x' }));
  assert.equal(bad.stepMode.mode, 'eager');
  const p = bad.problems.find((q) => q.code === GRAPH.eagerFallback.code);
  assert.ok(p && p.severity === 'warning' && /TensorFlow refused/.test(p.message) && p.fix.length > 0);
  const wasm = await diagnose(fake({ tf: { ok: false, why: 'not installed' } }));
  assert.deepEqual([wasm.stepMode.mode, /tensorflow backend; auto picks wasm/.test(wasm.stepMode.why)], ['eager', true]);
  assert.ok(!wasm.problems.some((q) => q.code === GRAPH.eagerFallback.code));
});

test('native unavailable: auto is wasm, LSSD5330 carries provisioning\'s reasons and a fix, exit-worthy error', async () => {
  const r = await diagnose(fake({
    tf: { ok: false, why: '@tensorflow/tfjs-node is not installed in node_modules' },
    record: rec({ attempts: [{ flavor: 'official-cpu', ok: false, why: 'storage.googleapis.com unreachable (ENOTFOUND)' }, { flavor: 'wheel-cpu', ok: false, why: 'pip: no index' }] }),
  }));
  assert.equal(r.auto, 'wasm');
  assert.equal(r.backends.tensorflow.available, false);
  const p = r.problems.find((x) => x.code === DOCTOR.nativeUnavailable.code);
  assert.ok(p && p.severity === 'error');
  assert.match(p.message, /ENOTFOUND/);
  assert.match(p.message, /pip: no index/);
  assert.match(p.fix, /provision\/install\.mjs/);
  assert.deepEqual(r.cpu.features, ['sse4_2', 'avx', 'avx2', 'fma']);
  assert.match(renderReport(r), /backend \(auto\): {2}wasm/);
  assert.match(renderReport(r), /fix: /);
});

test('provisioning never ran: the fix says to run npm install', async () => {
  const r = await diagnose(fake({ tf: { ok: false, why: 'not installed' }, record: null }));
  assert.match(r.problems[0].fix, /npm install/);
  assert.equal(r.provision.ran, false);
});

test('a GPU visible and used: no problem, the devices are listed; visible but unused: LSSD5333 warning', async () => {
  const used = await diagnose(fake({ tf: { ok: true, tfVersion: '2.21.0', gpuDevices: ['/job:localhost/replica:0/task:0/device:GPU:0'] }, gpu: ['GPU 0: NVIDIA H200'], record: rec({ backend: 'tensorflow', flavor: 'wheel-gpu' }) }));
  assert.equal(used.auto, 'tensorflow');
  assert.deepEqual(used.problems, []);
  assert.deepEqual(used.gpu.usedByTensorflow, ['/job:localhost/replica:0/task:0/device:GPU:0']);
  assert.match(renderReport(used), /GPU: \/job:localhost/);
  const unused = await diagnose(fake({ tf: { ok: true, tfVersion: '2.21.0', gpuDevices: [] }, gpu: ['GPU 0: NVIDIA H200'], record: rec({ backend: 'tensorflow', flavor: 'wheel-cpu' }) }));
  assert.deepEqual(unused.problems.map((p) => [p.code, p.severity]), [[DOCTOR.gpuUnused.code, 'warning']]);
  assert.match(unused.problems[0].fix, /CUDA/);
});

test('a binding that kills its process is not loaded in-process; wasm missing too is reported', async () => {
  const f = fake({ tf: { ok: false, crashed: true, why: 'killed by SIGSEGV' }, wasm: false });
  const r = await diagnose(f);
  assert.deepEqual(f.selected, ['wasm'], 'auto is not resolved in-process when tfjs-node crashes');
  assert.match(r.auto, /^none/);
  assert.deepEqual(r.problems.map((p) => p.code), [DOCTOR.nativeUnavailable.code, DOCTOR.nativeCrashes.code, DOCTOR.wasmUnavailable.code]);
});

test('the cache: entries with sizes, broken ones reported', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'lssd-doctor-cache-'));
  const e = entryDir(cache, 'wheel-cpu');
  mkdirSync(join(e, 'deps', 'lib'), { recursive: true });
  mkdirSync(join(e, 'lib', 'napi-v8'), { recursive: true });
  writeFileSync(join(e, 'deps', 'lib', 'libtensorflow.so.2.9.1'), 'x'.repeat(1000));
  writeFileSync(join(e, 'lib', 'napi-v8', 'tfjs_binding.node'), 'y');
  writeFileSync(join(e, 'manifest.json'), JSON.stringify({ flavor: 'wheel-cpu', binding: 'lib/napi-v8/tfjs_binding.node', built: 'then', source: 'pip' }));
  mkdirSync(`${entryDir(cache, 'wheel-gpu')}.broken-1`, { recursive: true });
  const r = await diagnose(fake({ tf: { ok: true, tfVersion: '2.21.0' }, cache }));
  assert.equal(r.cache.entries.length, 1);
  assert.ok(r.cache.bytes > 1000);
  assert.equal(r.cache.broken.length, 1);
  assert.deepEqual(r.problems.map((p) => p.code), [DOCTOR.brokenEntries.code]);
});

test('lssdc doctor --json on this machine: a report whose exit code follows its problems', () => {
  const r = spawnSync(process.execPath, [join(root, 'bin/lssdc.js'), 'doctor', '--json'], { encoding: 'utf8', timeout: 180_000 });
  const report = JSON.parse(r.stdout);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(report.auto), report.auto);
  assert.equal(r.status, report.problems.some((p: { severity: string }) => p.severity === 'error') ? 1 : 0);
  assert.equal(report.backends.tensorflow.available, report.auto === 'tensorflow');
  if (report.backends.tensorflow.available) assert.match(report.backends.tensorflow.tfVersion, /^2\./);
  const bad = spawnSync(process.execPath, [join(root, 'bin/lssdc.js'), 'doctor', '--jsno'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
});

test('wasm threads: the cores of the run by default, LSSD_WASM_THREADS=N overrides, a failed start LSSD5352, bad values the run\'s LSSD5351 / LSSD5353', async () => {
  const tf = { ok: false, why: 'not installed' };
  const cores = availableParallelism();
  const def = await diagnose(fake({ tf, wasmThreads: Math.min(8, cores) }));
  assert.equal(def.threads.wasmChoice?.threads, Math.min(8, cores));
  assert.equal(def.threads.wasmChoice?.started, Math.min(8, cores));
  assert.match(def.threads.wasmChoice!.why, /cores for this run/);
  const one = await diagnose(fake({ tf, env: { LSSD_WASM_THREADS: '1' }, wasmThreads: 1 }));
  assert.match(renderReport(one), /wasm one: the single-threaded build \(LSSD_WASM_THREADS=1; LSSD_WASM_THREADS=2 starts the threaded build/);
  const shared = await diagnose(fake({ tf, env: { LSSD_JOBS: String(cores) }, wasmThreads: 1 }));
  assert.match(shared.threads.wasm, /^one: the single-threaded build \(\d+ cores? shared by \d+ concurrent jobs \(LSSD_JOBS\)/);
  const two = await diagnose(fake({ tf, env: { LSSD_WASM_THREADS: '2' }, wasmThreads: 2 }));
  assert.equal(two.threads.wasm, '2: the threaded build, 2 XNNPACK threads (LSSD_WASM_THREADS=2; LSSD_WASM_THREADS=1 the single-threaded build)');
  assert.equal(two.problems.length, 1, JSON.stringify(two.problems)); // only 'tensorflow is missing'
  const failed = await diagnose(fake({ tf, env: { LSSD_WASM_THREADS: '2' }, wasmThreads: 1 }));
  assert.match(failed.threads.wasm, /^one: the single-threaded build: the threaded build failed to start here \(wanted 2: LSSD_WASM_THREADS=2\)/);
  assert.ok(failed.problems.some((q) => q.code === 'LSSD5352' && q.severity === 'warning'), JSON.stringify(failed.problems));
  for (const [env, code, bad] of [[{ LSSD_WASM_THREADS: 'lots' }, 'LSSD5351', 'lots'], [{ LSSD_JOBS: '0' }, 'LSSD5353', '0']] as const) {
    const r = await diagnose(fake({ tf, env }));
    const p = r.problems.find((q) => q.code === code);
    assert.ok(p && p.severity === 'error' && p.message.includes(`got '${bad}'`) && p.fix.length > 0, JSON.stringify(r.problems));
    assert.equal(r.threads.wasmChoice, null);
  }
});
