// The provisioning sequence with a fake machine: which flavor wins, caching across checkouts, GPU
// selection, the single wasm message, concurrency, and the lock. The real build is exercised by
// `npm install` itself and by CI (`node provision/install.mjs --require-native`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provision, type Host, type Ctx } from '../../provision/provision.mjs';
import { detectGpu, entryDir, flavorOrder, napiBuildVersion, withLock, TFJS_LIBTF_VERSION } from '../../provision/lib.mjs';

function checkout(root: string, name: string): string {
  const dir = join(root, name);
  const pkg = join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', binary: { napi_versions: [3, 4, 5, 6, 7, 8] } }));
  return dir;
}

/** A build that lays out what a real one would: the versioned library name and the binding. */
function fakeBuild(staging: string, ctx: Ctx): { ok: true; binding: string; source: string } {
  mkdirSync(join(staging, 'deps', 'lib'), { recursive: true });
  writeFileSync(join(staging, 'deps', 'lib', `libtensorflow.so.${TFJS_LIBTF_VERSION}`), 'lib');
  const binding = `lib/napi-v${ctx.napi}/tfjs_binding.node`;
  mkdirSync(join(staging, `lib/napi-v${ctx.napi}`), { recursive: true });
  writeFileSync(join(staging, binding), 'binding');
  return { ok: true, binding, source: 'fake' };
}

interface Calls { official: string[]; wheel: string[]; verify: number }
function fakeHost(o: { gpu?: boolean; official?: boolean; wheel?: boolean; gpuDevice?: boolean; loads?: boolean; delayMs?: number } = {}): { host: Host; calls: Calls } {
  const calls: Calls = { official: [], wheel: [], verify: 0 };
  const host: Host = {
    detectGpu: () => ({ present: !!o.gpu, driver: !!o.gpu, devices: o.gpu ? ['GPU 0: NVIDIA H200 (fake)'] : [] }),
    probeUrl: async () => null,
    verify: async (projectDir) => {
      calls.verify++;
      const deps = join(projectDir, 'node_modules', '@tensorflow', 'tfjs-node', 'deps');
      if (o.loads === false || !existsSync(join(deps, 'lib', `libtensorflow.so.${TFJS_LIBTF_VERSION}`))) return { ok: false, why: 'libtensorflow not found' };
      const gpuEntry = readlinkSync(deps).includes('-gpu');
      return { ok: true, tfVersion: '2.21.0', gpuDevices: gpuEntry && o.gpuDevice !== false ? ['/job:localhost/replica:0/task:0/device:GPU:0'] : [] };
    },
    buildOfficial: async (ctx, flavor, staging) => {
      calls.official.push(flavor);
      return o.official ? fakeBuild(staging, ctx) : { ok: false, why: "tfjs-node's download: storage.googleapis.com unreachable (ENOTFOUND)" };
    },
    buildWheel: async (ctx, flavor, staging) => {
      calls.wheel.push(flavor);
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      return o.wheel === false ? { ok: false, why: 'pip: no index reachable' } : fakeBuild(staging, ctx);
    },
    restorePackage: async () => ({ ok: false, why: 'npm offline' }),
  };
  return { host, calls };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'lssd-provision-'));

test('no GPU, no download: the wheel flavor is built once, linked, and reused by a second checkout', async () => {
  const root = tmp();
  const env = { LSSD_CACHE_DIR: join(root, 'cache') };
  const a = checkout(root, 'a');
  const { host, calls } = fakeHost();
  const r1 = await provision({ projectDir: a, env, host });
  assert.equal(r1.backend, 'tensorflow');
  assert.equal(r1.flavor, 'wheel-cpu');
  assert.deepEqual(calls.official, ['official-cpu']);
  assert.deepEqual(calls.wheel, ['wheel-cpu']);
  assert.match(r1.attempts[0].why ?? '', /unreachable/);
  const entry = entryDir(env.LSSD_CACHE_DIR, 'wheel-cpu');
  assert.equal(readlinkSync(join(a, 'node_modules/@tensorflow/tfjs-node/deps')), join(entry, 'deps'));
  assert.ok(existsSync(join(a, 'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node')));
  assert.ok(lstatSync(join(a, 'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node')).isFile());
  assert.equal(JSON.parse(readFileSync(join(a, 'node_modules/.lssd/provision.json'), 'utf8')).flavor, 'wheel-cpu');

  const b = checkout(root, 'b');
  const r2 = await provision({ projectDir: b, env, host });
  assert.equal(r2.flavor, 'wheel-cpu');
  assert.equal(r2.attempts.length, 1);
  assert.equal(r2.attempts[0].cached, true);
  assert.deepEqual(calls.wheel, ['wheel-cpu'], 'the second checkout builds nothing');
});

test('the official download wins over the wheel when it works', async () => {
  const root = tmp();
  const { host, calls } = fakeHost({ official: true });
  const r = await provision({ projectDir: checkout(root, 'a'), env: { LSSD_CACHE_DIR: join(root, 'c') }, host });
  assert.equal(r.flavor, 'official-cpu');
  assert.deepEqual(calls.wheel, []);
});

test('an NVIDIA GPU makes the GPU flavors come first; auto then has a GPU device', async () => {
  assert.deepEqual(flavorOrder({ present: true, driver: true, devices: [] }), ['official-gpu', 'wheel-gpu', 'official-cpu', 'wheel-cpu']);
  assert.deepEqual(flavorOrder({ present: false, driver: false, devices: [] }), ['official-cpu', 'wheel-cpu']);
  const root = tmp();
  const { host, calls } = fakeHost({ gpu: true });
  const r = await provision({ projectDir: checkout(root, 'a'), env: { LSSD_CACHE_DIR: join(root, 'c') }, host });
  assert.equal(r.flavor, 'wheel-gpu');
  assert.deepEqual(calls.official, ['official-gpu']);
  assert.deepEqual(r.gpuDevices, ['/job:localhost/replica:0/task:0/device:GPU:0']);
});

test('a GPU build that creates no GPU device is set aside and the CPU build is used', async () => {
  const root = tmp();
  const cache = join(root, 'c');
  const { host } = fakeHost({ gpu: true, gpuDevice: false });
  const r = await provision({ projectDir: checkout(root, 'a'), env: { LSSD_CACHE_DIR: cache }, host });
  assert.equal(r.flavor, 'wheel-cpu');
  assert.match(r.attempts.find((a) => a.flavor === 'wheel-gpu')?.why ?? '', /no GPU device/);
  const parent = join(entryDir(cache, 'wheel-gpu'), '..');
  assert.ok(readdirSync(parent).some((d) => d.startsWith('wheel-gpu.broken-')));
  assert.ok(!existsSync(entryDir(cache, 'wheel-gpu')));
});

test('everything failing leaves wasm, one message naming each reason and the fix, and never throws', async () => {
  const root = tmp();
  const a = checkout(root, 'a');
  const { host } = fakeHost({ wheel: false });
  const r = await provision({ projectDir: a, env: { LSSD_CACHE_DIR: join(root, 'c') }, host });
  assert.equal(r.backend, 'wasm');
  assert.match(r.message ?? '', /training will use wasm/);
  assert.match(r.message ?? '', /official-cpu: .*unreachable/);
  assert.match(r.message ?? '', /wheel-cpu: pip: no index reachable/);
  assert.match(r.message ?? '', /fix:/);
  assert.ok(!existsSync(join(a, 'node_modules/@tensorflow/tfjs-node/deps')));
});

test('a cached entry that no longer loads is reported and rebuilt paths are tried', async () => {
  const root = tmp();
  const env = { LSSD_CACHE_DIR: join(root, 'c') };
  await provision({ projectDir: checkout(root, 'a'), env, host: fakeHost().host });
  const { host } = fakeHost({ loads: false });
  const r = await provision({ projectDir: checkout(root, 'b'), env, host });
  assert.equal(r.backend, 'wasm');
  assert.match(r.attempts[0].why ?? '', /does not load/);
});

test('LSSD_PROVISION=wasm skips the native paths; a missing package that cannot be restored is reported', async () => {
  const root = tmp();
  const { host, calls } = fakeHost();
  const r = await provision({ projectDir: checkout(root, 'a'), env: { LSSD_CACHE_DIR: join(root, 'c'), LSSD_PROVISION: 'wasm' }, host });
  assert.equal(r.backend, 'wasm');
  assert.match(r.message ?? '', /LSSD_PROVISION=wasm/);
  assert.deepEqual(calls.wheel, []);
  const bare = join(root, 'bare');
  mkdirSync(join(bare, 'node_modules'), { recursive: true });
  const r2 = await provision({ projectDir: bare, env: { LSSD_CACHE_DIR: join(root, 'c') }, host });
  assert.equal(r2.backend, 'wasm');
  assert.match(r2.message ?? '', /restore-package: npm offline/);
});

test('two installs at once build the entry once', async () => {
  const root = tmp();
  const env = { LSSD_CACHE_DIR: join(root, 'c') };
  const { host, calls } = fakeHost({ delayMs: 1500 });
  const [r1, r2] = await Promise.all([provision({ projectDir: checkout(root, 'a'), env, host }), provision({ projectDir: checkout(root, 'b'), env, host })]);
  assert.equal(r1.backend, 'tensorflow');
  assert.equal(r2.backend, 'tensorflow');
  assert.deepEqual(calls.wheel, ['wheel-cpu']);
});

test('a lock left by a dead process is taken over', async () => {
  const root = tmp();
  const lock = join(root, 'x.lock');
  mkdirSync(lock);
  writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), started: '' }));
  assert.equal(await withLock(lock, async () => 7, { waitMs: 5000 }), 7);
  assert.ok(!existsSync(lock));
});

test('GPU detection reads the driver and nvidia-smi; the binding path follows the N-API version', () => {
  const smi = () => ({ status: 0, stdout: 'GPU 0: NVIDIA H200 (UUID: GPU-x)\n' });
  assert.deepEqual(detectGpu(smi, () => false), { present: true, driver: false, devices: ['GPU 0: NVIDIA H200 (UUID: GPU-x)'] });
  assert.equal(detectGpu(() => ({ status: null }), () => false).present, false);
  assert.equal(napiBuildVersion({ binary: { napi_versions: [3, 8] } }, 9), 8);
  assert.equal(napiBuildVersion({ binary: { napi_versions: [3, 8] } }, 6), 3);
});
