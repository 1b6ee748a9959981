// Native-backend provisioning: leaves a loadable @tensorflow/tfjs-node in this checkout whenever one can be
// had, built once per user into a shared cache. Plain Node (it runs from npm's postinstall, before any
// TypeScript tooling can be assumed); every external step runs as a child process with a time limit, so an
// install never hangs and never fails because a native path failed (the caller turns errors into a report).
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync,
  renameSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import https from 'node:https';

export const TFJS_NODE_VERSION = '4.22.0';
/** tfjs-node's installer skips its download when this file exists in deps/lib (scripts/deps-constants.js). */
export const TFJS_LIBTF_VERSION = '2.9.1';
/** What the pip index of this project's machines serves; any 2.x wheel with libtensorflow_cc.so.2 works. */
export const TF_WHEEL_VERSION = '2.21.0';

/**
 * The flavors, in preference order. `official-*` are tfjs-node's own installer (libtensorflow 2.9.1 from
 * storage.googleapis.com); `wheel-*` assemble the TensorFlow C API from a pip wheel. GPU flavors are
 * considered only when an NVIDIA GPU is visible.
 */
export const FLAVORS = {
  'official-gpu': { gpu: true, source: 'official', what: 'tfjs-node installer, libtensorflow-gpu 2.9.1 (needs CUDA 11.2 + cuDNN 8.1 on the system)' },
  'wheel-gpu': { gpu: true, source: 'wheel', pipName: 'tensorflow', what: `pip wheel tensorflow==${TF_WHEEL_VERSION} + its [and-cuda] nvidia-* wheels` },
  'official-cpu': { gpu: false, source: 'official', what: 'tfjs-node installer, libtensorflow-cpu 2.9.1' },
  'wheel-cpu': { gpu: false, source: 'wheel', pipName: 'tensorflow-cpu', what: `pip wheel tensorflow-cpu==${TF_WHEEL_VERSION}` },
};

/** Flavors to consider on this machine, best first. */
export function flavorOrder(gpu) {
  const cpu = ['official-cpu', 'wheel-cpu'];
  return gpu.present ? ['official-gpu', 'wheel-gpu', ...cpu] : cpu;
}

export { cacheRoot } from './cache-root.mjs';

/** Where one flavor's assembled libraries and binding live: keyed by everything the binary depends on. */
export function entryDir(root, flavor, platform = process.platform, arch = process.arch) {
  return join(root, 'native', `tfjs-node-${TFJS_NODE_VERSION}`, `${platform}-${arch}`, flavor);
}

/** The N-API build version node-pre-gyp's `find` loads: the highest of the package's list this Node supports. */
export function napiBuildVersion(pkgJson, nodeNapi = Number(process.versions.napi)) {
  const vs = (pkgJson.binary?.napi_versions ?? []).filter((v) => v <= nodeNapi);
  return vs.length ? Math.max(...vs) : null;
}

// ---------------------------------------------------------------------------------------------- probes

/** NVIDIA GPUs visible to this process: the driver's /proc entry, then `nvidia-smi -L` (10 s limit). */
export function detectGpu(run = spawnSync, fsExists = existsSync) {
  const driver = fsExists('/proc/driver/nvidia/version');
  const r = run('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  const devices = r && r.status === 0 && typeof r.stdout === 'string'
    ? r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('GPU ')) : [];
  return { present: driver || devices.length > 0, driver, devices };
}

/** HEAD request with a hard time limit; resolves to null when reachable, else the reason. */
export function probeUrl(url, timeoutMs = 5000) {
  return new Promise((done) => {
    let settled = false;
    const finish = (why) => { if (!settled) { settled = true; done(why); } };
    try {
      const req = https.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
        res.resume();
        finish(res.statusCode && res.statusCode < 400 ? null : `HTTP ${res.statusCode} from ${url}`);
      });
      req.on('timeout', () => { req.destroy(); finish(`no answer from ${new URL(url).host} within ${timeoutMs / 1000} s`); });
      req.on('error', (e) => finish(`${new URL(url).host} unreachable (${e.code ?? e.message})`));
      req.end();
    } catch (e) { finish(String(e.message ?? e)); }
  });
}

/** The URL tfjs-node's installer would fetch (it honours the same environment variables). */
export function officialLibUrl(kind, env = process.env) {
  const host = env.TFJS_NODE_CDN_STORAGE || env.npm_config_TFJS_NODE_CDN_STORAGE || env.CDN_STORAGE || 'https://storage.googleapis.com/';
  const base = env.TFJS_NODE_BASE_URI || env.npm_config_TFJS_NODE_BASE_URI || `${host}tensorflow/libtensorflow/libtensorflow-`;
  return `${base}${kind}-linux-x86_64-${TFJS_LIBTF_VERSION}.tar.gz`;
}

// ------------------------------------------------------------------------------------------- processes

/** Runs a command with a time limit, capturing output; never throws. */
export function runCmd(cmd, args, { cwd, env, timeoutMs = 600_000, log } = {}) {
  return new Promise((done) => {
    let out = '';
    let child;
    try {
      child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    } catch (e) { done({ code: -1, out: String(e.message ?? e), timedOut: false }); return; }
    const onData = (d) => { out += d; if (out.length > 400_000) out = out.slice(-200_000); if (log) log(String(d)); };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { try { child.kill('SIGKILL'); } catch { /* gone */ } }
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); done({ code: -1, out: out + String(e.message ?? e), timedOut }); });
    child.on('close', (code) => { clearTimeout(timer); done({ code: code ?? -1, out, timedOut }); });
  });
}

const tail = (s, n = 600) => (s.length > n ? `…${s.slice(-n)}` : s).trim();

// ------------------------------------------------------------------------------------------------ lock

/**
 * A per-entry lock (an atomic mkdir) so two installs at once build a flavor once: the second waits, then
 * finds the entry complete. A lock whose owner process is gone (same host), or older than `staleMs`, is
 * taken over.
 */
export async function withLock(lockDir, fn, { staleMs = 45 * 60_000, waitMs = 40 * 60_000, say = () => {} } = {}) {
  mkdirSync(dirname(lockDir), { recursive: true });
  const start = Date.now();
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'owner.json'), JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = null;
      try { owner = JSON.parse(readFileSync(join(lockDir, 'owner.json'), 'utf8')); } catch { /* being written */ }
      const age = (() => { try { return Date.now() - statSync(lockDir).mtimeMs; } catch { return 0; } })();
      const dead = owner && owner.host === hostname() && !alive(owner.pid);
      if (dead || age > staleMs) { rmSync(lockDir, { recursive: true, force: true }); continue; }
      if (Date.now() - start > waitMs) throw new Error(`timed out waiting for the lock ${lockDir} (held by pid ${owner?.pid})`);
      if (!announced) { say(`waiting for another install (pid ${owner?.pid ?? '?'}) that is building ${lockDir}`); announced = true; }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try { return await fn(); } finally { rmSync(lockDir, { recursive: true, force: true }); }
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

// ---------------------------------------------------------------------------------------------- entries

/** A complete entry has its manifest (written last, after the rename made the directory visible). */
export function readEntry(dir) {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    if (!existsSync(join(dir, 'deps', 'lib', `libtensorflow.so.${TFJS_LIBTF_VERSION}`))) return null;
    if (!existsSync(join(dir, m.binding))) return null;
    return m;
  } catch { return null; }
}

/** Bytes under a directory, not following symlinks. */
export function duBytes(dir) {
  let n = 0;
  const walk = (p) => {
    let st;
    try { st = lstatSync(p); } catch { return; }
    if (st.isDirectory()) { for (const c of readdirSync(p)) walk(join(p, c)); } else if (st.isFile()) n += st.size;
  };
  walk(dir);
  return n;
}

/**
 * Points a checkout's node_modules/@tensorflow/tfjs-node at a cache entry: `deps` becomes a symlink to the
 * entry's libraries, the (small) binding is copied to where node-pre-gyp's `find` looks. The binding's rpath
 * is $ORIGIN/../../deps/lib, so it resolves through the symlink.
 */
export function linkEntry(pkgDir, entry, manifest) {
  const deps = join(pkgDir, 'deps');
  rmSync(deps, { recursive: true, force: true });
  symlinkSync(join(entry, 'deps'), deps, 'dir');
  const dest = join(pkgDir, manifest.binding);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(join(entry, manifest.binding), dest);
}

/** Whether the checkout already points at `entry` (second install of the same checkout). */
export function linkedTo(pkgDir, entry) {
  try { return readlinkSync(join(pkgDir, 'deps')) === join(entry, 'deps'); } catch { return false; }
}

// ------------------------------------------------------------------------------------------------ wheel

export function pipCandidates(env = process.env) {
  const c = [];
  if (env.LSSD_PIP) c.push(env.LSSD_PIP.split(' '));
  c.push(['python3', '-m', 'pip'], ['pip3'], ['pip'], ['python', '-m', 'pip']);
  return c;
}

/**
 * `pip download --no-deps` of one wheel into `dir`, through whatever index pip is configured with. Tries
 * the running interpreter's tags first, then explicit manylinux/cp311 tags (the C library inside does not
 * depend on Python, so any CPython wheel of the version serves).
 */
export async function pipDownload(spec, dir, { env = process.env, say = () => {}, timeoutMs = 900_000 } = {}) {
  const reasons = [];
  mkdirSync(dir, { recursive: true });
  const tagSets = [[], ['--python-version', '3.11', '--platform', 'manylinux_2_27_x86_64', '--platform', 'manylinux_2_17_x86_64', '--only-binary=:all:']];
  for (const pip of pipCandidates(env)) {
    const probe = spawnSync(pip[0], [...pip.slice(1), '--version'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.status !== 0) { reasons.push(`${pip.join(' ')}: not available`); continue; }
    for (const tags of tagSets) {
      say(`pip download --no-deps ${spec} ${tags.join(' ')}`.trim());
      const r = await runCmd(pip[0], [...pip.slice(1), 'download', '--no-deps', '--disable-pip-version-check', '--retries', '1', '--timeout', '30', ...tags, '-d', dir, spec], { env, timeoutMs });
      const whl = readdirSync(dir).find((f) => f.endsWith('.whl'));
      if (r.code === 0 && whl) return { wheel: join(dir, whl), pip: pip.join(' ') };
      reasons.push(`${pip.join(' ')} download ${spec}: ${r.timedOut ? 'timed out' : tail(r.out, 300)}`);
    }
    break; // a working pip that cannot find the wheel will not find it under another name
  }
  return { wheel: null, reasons };
}

/** Extracts members matching the predicates from a wheel (a zip) with Python's zipfile: pip implies Python. */
export async function extractFromWheel(wheel, dest, prefixes, pythons = ['python3', 'python']) {
  const code = [
    'import sys, zipfile, os',
    'w, d = sys.argv[1], sys.argv[2]; pre = sys.argv[3:]',
    'z = zipfile.ZipFile(w); n = 0',
    'for i in z.infolist():',
    '    if any(i.filename.startswith(p) for p in pre) and not i.is_dir():',
    '        z.extract(i, d); n += 1',
    'print(n)',
  ].join('\n');
  for (const py of pythons) {
    const r = await runCmd(py, ['-c', code, wheel, dest, ...prefixes], { timeoutMs: 600_000 });
    if (r.code === 0) return Number(r.out.trim().split('\n').pop());
  }
  throw new Error(`could not extract ${wheel} (needs python3)`);
}

/** Members of the wheel that the C API build needs. */
export const WHEEL_MEMBERS = [
  'tensorflow/libtensorflow_cc.so.2',
  'tensorflow/libtensorflow_framework.so.2',
  'tensorflow/include/tensorflow/c/',
  'tensorflow/include/xla/tsl/c/',
  'tensorflow/include/tsl/platform/ctstring',
  'tensorflow/include/tensorflow/core/platform/ctstring',
];

/** Lays out deps/{lib,include} as tfjs-node's binding.gyp and installer expect, from an extracted wheel. */
export function assembleDeps(extracted, deps, { strip = true } = {}) {
  const lib = join(deps, 'lib');
  mkdirSync(lib, { recursive: true });
  const tfdir = join(extracted, 'tensorflow');
  const sizes = { before: 0, after: 0 };
  for (const f of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    renameSync(join(tfdir, f), join(lib, f));
    sizes.before += statSync(join(lib, f)).size;
    if (strip) {
      const r = spawnSync('strip', ['--strip-unneeded', join(lib, f)], { timeout: 600_000 });
      if (r.status !== 0 && r.error?.code !== 'ENOENT') throw new Error(`strip failed on ${f}`);
    }
    chmodSync(join(lib, f), 0o755);
    sizes.after += statSync(join(lib, f)).size;
  }
  for (const suffix of ['.so', '.so.2', `.so.${TFJS_LIBTF_VERSION}`]) {
    symlinkSync('libtensorflow_cc.so.2', join(lib, `libtensorflow${suffix}`));
    if (suffix !== '.so.2') symlinkSync('libtensorflow_framework.so.2', join(lib, `libtensorflow_framework${suffix}`));
  }
  renameSync(join(tfdir, 'include'), join(deps, 'include'));
  return sizes;
}

/** Where node-gyp lives: npm's own copy (npm sets npm_config_node_gyp for lifecycle scripts), else PATH. */
export function nodeGypCommand(env = process.env) {
  const cands = [env.npm_config_node_gyp, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  for (const c of cands) if (c && existsSync(c)) return [process.execPath, c];
  return ['node-gyp'];
}

/** Node's headers installed with this Node (offline); node-gyp downloads them only when none are found. */
export function nodeHeadersDir(env = process.env) {
  const cands = [env.npm_config_nodedir, resolve(dirname(process.execPath), '..'), process.config?.variables?.node_prefix];
  for (const c of cands) if (c && existsSync(join(c, 'include', 'node', 'node_api.h'))) return c;
  return null;
}

/** Builds tfjs_binding.node from the package's sources against `deps`, into `<out>/lib/napi-v<N>/`. */
export async function buildBinding(pkgDir, deps, out, napi, { env = process.env, say = () => {} } = {}) {
  const src = join(out, 'build-src');
  mkdirSync(src, { recursive: true });
  copyFileSync(join(pkgDir, 'binding.gyp'), join(src, 'binding.gyp'));
  copyFileSync(join(pkgDir, 'package.json'), join(src, 'package.json'));
  mkdirSync(join(src, 'binding'));
  for (const f of readdirSync(join(pkgDir, 'binding'))) copyFileSync(join(pkgDir, 'binding', f), join(src, 'binding', f));
  symlinkSync(deps, join(src, 'deps'), 'dir');
  const modulePath = join(out, 'lib', `napi-v${napi}`);
  const nodedir = nodeHeadersDir(env);
  const [cmd, ...pre] = nodeGypCommand(env);
  const args = [...pre, 'rebuild', `--jobs=${Math.max(1, Math.min(4, Number(env.LSSD_BUILD_JOBS) || 2))}`,
    ...(nodedir ? [`--nodedir=${nodedir}`] : []),
    '--module_name=tfjs_binding', `--module_path=${modulePath}`, `--napi_build_version=${napi}`];
  say(`node-gyp rebuild (headers: ${nodedir ?? 'node-gyp download'})`);
  const r = await runCmd(cmd, args, { cwd: src, env: { ...env, npm_config_nodedir: nodedir ?? '' }, timeoutMs: 900_000 });
  const binding = join(modulePath, 'tfjs_binding.node');
  if (r.code !== 0 || !existsSync(binding)) throw new Error(`node-gyp build of tfjs_binding failed${r.timedOut ? ' (timed out)' : ''}: ${tail(r.out)}`);
  rmSync(src, { recursive: true, force: true });
  return relative(out, binding);
}

// ------------------------------------------------------------------------------------------ verification

/**
 * Loads the linked package in a fresh Node, as the runtime will: backend name, TF version, and one conv
 * gradient (the op wasm lacks). GPU flavors must also report a GPU device.
 */
export async function verifyNative(projectDir, { timeoutMs = 180_000, env = process.env } = {}) {
  const code = `
    const tf = require('@tensorflow/tfjs-node');
    const x = tf.randomNormal([2, 8, 8, 3]);
    const f = tf.randomNormal([3, 3, 3, 4]);
    const g = tf.grad((w) => tf.conv2d(x, w, 1, 'same').square().sum())(f);
    const ok = Number.isFinite(g.sum().dataSync()[0]);
    console.log('LSSD_VERIFY ' + JSON.stringify({ backend: tf.getBackend(), tf: tf.backend().binding.TF_Version, convGrad: ok }));
  `;
  const r = await runCmd(process.execPath, ['-e', code], { cwd: projectDir, env: { ...env, TF_CPP_MIN_LOG_LEVEL: '0' }, timeoutMs });
  const line = r.out.split('\n').find((l) => l.startsWith('LSSD_VERIFY '));
  if (r.code !== 0 || !line) return { ok: false, why: r.timedOut ? `loading timed out after ${timeoutMs / 1000} s` : tail(r.out, 800) };
  const v = JSON.parse(line.slice('LSSD_VERIFY '.length));
  const gpuDevices = [...r.out.matchAll(/Created device (\S*GPU:\d+)/g)].map((m) => m[1]);
  if (v.backend !== 'tensorflow' || !v.convGrad) return { ok: false, why: `loaded but backend=${v.backend} convGrad=${v.convGrad}` };
  return { ok: true, tfVersion: v.tf, gpuDevices };
}
