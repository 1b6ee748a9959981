// The provisioning sequence (see README.md): cached entry → tfjs-node's own download → pip-wheel build →
// wasm with one message. Every dependency on the machine comes in through `host`, so tests drive the
// selection logic with fakes (a GPU, a failing download) without touching the network or the cache.
import {
  cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import * as L from './lib.mjs';

/** The real machine. */
export const realHost = {
  detectGpu: () => L.detectGpu(),
  probeUrl: (u) => L.probeUrl(u),
  verify: (projectDir) => L.verifyNative(projectDir),
  buildOfficial: (ctx, flavor, staging) => buildOfficial(ctx, flavor, staging),
  buildWheel: (ctx, flavor, staging) => buildWheel(ctx, flavor, staging),
  restorePackage: (ctx) => restorePackage(ctx),
};

const now = () => Date.now();

/**
 * Runs the sequence for the checkout at `projectDir`; returns the record that `lssdc doctor` reads
 * (also written to node_modules/.lssd/provision.json). Never throws.
 */
export async function provision({ projectDir, env = process.env, host = realHost, say = () => {} }) {
  const t0 = now();
  const root = L.cacheRoot(env);
  const pkgDir = join(projectDir, 'node_modules', '@tensorflow', 'tfjs-node');
  const rec = { version: 1, at: new Date().toISOString(), cache: root, backend: 'wasm', flavor: null, entry: null, tfVersion: null, gpu: null, gpuDevices: [], attempts: [], ms: 0, message: null };
  const done = (patch) => { Object.assign(rec, patch ?? {}); rec.ms = now() - t0; writeRecord(projectDir, rec); return rec; };
  const ctx = { projectDir, pkgDir, root, env, say };

  const forced = (env.LSSD_PROVISION ?? '').toLowerCase();
  if (forced === 'wasm' || forced === 'skip' || forced === '0' || forced === 'off') {
    rec.attempts.push({ flavor: 'all', ok: false, why: `skipped: LSSD_PROVISION=${env.LSSD_PROVISION}` });
    rec.message = wasmMessage(rec);
    return done();
  }
  try {
    if (!existsSync(join(pkgDir, 'package.json'))) {
      // npm without allowScripts ran tfjs-node's download, which failed, and npm removed the optional package.
      say('@tensorflow/tfjs-node is not in node_modules (its own install failed); restoring it without its install script');
      const r = await host.restorePackage(ctx);
      rec.attempts.push({ flavor: 'restore-package', ok: r.ok, why: r.why ?? null });
      if (!r.ok) { rec.message = wasmMessage(rec); return done(); }
    }
    const pkgJson = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    ctx.napi = L.napiBuildVersion(pkgJson);
    const gpu = host.detectGpu();
    rec.gpu = gpu;
    const order = L.flavorOrder(gpu);

    // tfjs-node's installer already ran to completion (an npm that ignores allowScripts, with a network).
    const depsReal = (() => { try { return lstatSync(join(pkgDir, 'deps')).isDirectory(); } catch { return false; } })();
    if (depsReal && existsSync(join(pkgDir, 'deps', 'lib', `libtensorflow.so.${L.TFJS_LIBTF_VERSION}`))) {
      const v = await host.verify(projectDir);
      rec.attempts.push({ flavor: 'installed-by-npm', ok: v.ok, why: v.why ?? null });
      if (v.ok) return done({ backend: 'tensorflow', flavor: 'installed-by-npm', tfVersion: v.tfVersion, gpuDevices: v.gpuDevices ?? [] });
    }

    // 1. An entry some earlier install (of any checkout) left in the cache: no network, seconds.
    for (const flavor of order) {
      const entry = L.entryDir(root, flavor);
      const m = L.readEntry(entry);
      if (!m) continue;
      const r = await useEntry(ctx, host, flavor, entry, m);
      rec.attempts.push({ flavor, cached: true, ok: r.ok, why: r.why ?? null });
      if (r.ok) return done({ backend: 'tensorflow', flavor, entry, tfVersion: r.tfVersion, gpuDevices: r.gpuDevices });
    }

    // 2. Build the best flavor that can be had, once per user: the lock makes a concurrent install wait.
    for (const flavor of order) {
      const entry = L.entryDir(root, flavor);
      const ts = now();
      let built;
      try {
        built = await L.withLock(`${entry}.lock`, async () => {
          const have = L.readEntry(entry);
          if (have) return { ok: true, manifest: have, byOther: true };
          return buildEntry(ctx, host, flavor, entry);
        }, { say });
      } catch (e) { built = { ok: false, why: String(e.message ?? e) }; }
      if (!built.ok) { rec.attempts.push({ flavor, ok: false, why: built.why, ms: now() - ts }); continue; }
      const r = await useEntry(ctx, host, flavor, entry, built.manifest);
      rec.attempts.push({ flavor, ok: r.ok, why: r.why ?? null, ms: now() - ts, built: !built.byOther });
      if (r.ok) return done({ backend: 'tensorflow', flavor, entry, tfVersion: r.tfVersion, gpuDevices: r.gpuDevices });
      // A flavor that builds but does not load (e.g. a GPU build without the CUDA libraries): keep it out of the
      // cached path so the next install does not pick it again, and keep it for inspection.
      try { renameSync(entry, `${entry}.broken-${Date.now()}`); } catch { /* someone else moved it */ }
    }
  } catch (e) {
    rec.attempts.push({ flavor: 'provision', ok: false, why: `unexpected: ${String(e?.stack ?? e)}` });
  }
  unlinkDeps(pkgDir);
  rec.message = wasmMessage(rec);
  return done();
}

async function useEntry(ctx, host, flavor, entry, manifest) {
  L.linkEntry(ctx.pkgDir, entry, manifest);
  const v = await host.verify(ctx.projectDir);
  if (!v.ok) { unlinkDeps(ctx.pkgDir); return { ok: false, why: `built but does not load: ${v.why}` }; }
  if (L.FLAVORS[flavor].gpu && !(v.gpuDevices ?? []).length) {
    unlinkDeps(ctx.pkgDir);
    return { ok: false, why: 'loads, but TensorFlow created no GPU device (CUDA/cuDNN libraries missing or mismatched)' };
  }
  return { ok: true, tfVersion: v.tfVersion, gpuDevices: v.gpuDevices ?? [] };
}

function unlinkDeps(pkgDir) {
  try { if (lstatSync(join(pkgDir, 'deps')).isSymbolicLink()) rmSync(join(pkgDir, 'deps')); } catch { /* none */ }
}

async function buildEntry(ctx, host, flavor, entry) {
  const spec = L.FLAVORS[flavor];
  const staging = `${entry}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  mkdirSync(staging, { recursive: true });
  const t = now();
  try {
    const r = spec.source === 'official' ? await host.buildOfficial(ctx, flavor, staging) : await host.buildWheel(ctx, flavor, staging);
    if (!r.ok) return r;
    const manifest = { flavor, what: spec.what, binding: r.binding, tfjsNode: L.TFJS_NODE_VERSION, napi: ctx.napi, source: r.source, built: new Date().toISOString(), buildMs: now() - t, bytes: L.duBytes(staging), ...(r.extra ?? {}) };
    writeFileSync(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2));
    renameSync(staging, entry);
    return { ok: true, manifest };
  } catch (e) {
    return { ok: false, why: String(e.message ?? e) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------- builders

/** tfjs-node's own installer, in place (it needs its dependencies), then moved into the cache. */
async function buildOfficial(ctx, flavor, staging) {
  const kind = L.FLAVORS[flavor].gpu ? 'gpu' : 'cpu';
  const url = L.officialLibUrl(kind, ctx.env);
  const unreachable = await realHost.probeUrl(url);
  if (unreachable) return { ok: false, why: `tfjs-node's download: ${unreachable}` };
  ctx.say(`running tfjs-node's installer (${kind}): downloads ${url}`);
  rmSync(join(ctx.pkgDir, 'deps'), { recursive: true, force: true });
  const bin = join(ctx.projectDir, 'node_modules', '.bin');
  const env = { ...ctx.env, PATH: `${bin}${delimiter}${ctx.env.PATH ?? ''}` };
  const r = await L.runCmd(process.execPath, ['scripts/install.js', kind, 'download'], { cwd: ctx.pkgDir, env, timeoutMs: 20 * 60_000 });
  const binding = `lib/napi-v${ctx.napi}/tfjs_binding.node`;
  if (r.code !== 0 || !existsSync(join(ctx.pkgDir, binding))) {
    return { ok: false, why: `tfjs-node's installer failed${r.timedOut ? ' (timed out)' : ''}: ${r.out.slice(-400).trim()}` };
  }
  moveTree(join(ctx.pkgDir, 'deps'), join(staging, 'deps'));
  mkdirSync(join(staging, 'lib', `napi-v${ctx.napi}`), { recursive: true });
  cpSync(join(ctx.pkgDir, binding), join(staging, binding));
  return { ok: true, binding, source: url };
}

/** The TensorFlow C API from a pip wheel, in tfjs-node's deps layout, and the binding built from source. */
async function buildWheel(ctx, flavor, staging) {
  const spec = L.FLAVORS[flavor];
  if (ctx.napi == null) return { ok: false, why: `this Node (N-API ${process.versions.napi}) is older than every N-API version tfjs-node supports` };
  const downloads = join(staging, 'download');
  let wheel = ctx.env.LSSD_TF_WHEEL && !spec.gpu ? ctx.env.LSSD_TF_WHEEL : null;
  let source = wheel;
  if (!wheel) {
    const d = await L.pipDownload(`${spec.pipName}==${L.TF_WHEEL_VERSION}`, downloads, { env: ctx.env, say: ctx.say });
    if (!d.wheel) return { ok: false, why: `pip: ${d.reasons.join('; ')}` };
    wheel = d.wheel; source = `${d.pip} download ${spec.pipName}==${L.TF_WHEEL_VERSION}`;
  }
  ctx.say(`extracting the TensorFlow C API from ${wheel.split('/').pop()}`);
  const x = join(staging, 'extract');
  await L.extractFromWheel(wheel, x, L.WHEEL_MEMBERS);
  const sizes = L.assembleDeps(x, join(staging, 'deps'), { strip: ctx.env.LSSD_NO_STRIP !== '1' });
  const extra = { libBytesUnstripped: sizes.before, libBytes: sizes.after, wheel: wheel.split('/').pop() };
  if (spec.gpu) {
    const cuda = await cudaWheels(ctx, wheel, downloads, join(staging, 'deps', 'lib'));
    if (!cuda.ok) return cuda;
    extra.cudaWheels = cuda.wheels;
  }
  ctx.say('building tfjs_binding.node with node-gyp');
  const binding = await L.buildBinding(ctx.pkgDir, join(staging, 'deps'), staging, ctx.napi, { env: ctx.env, say: ctx.say });
  rmSync(downloads, { recursive: true, force: true });
  rmSync(x, { recursive: true, force: true });
  return { ok: true, binding, source, extra };
}

/**
 * The GPU wheel's `and-cuda` extra, as its METADATA pins it; their lib/*.so* go next to libtensorflow_cc.so.2,
 * whose RUNPATH includes $ORIGIN/ (and dlopen searches the caller's RUNPATH).
 */
async function cudaWheels(ctx, wheel, downloads, libDir) {
  const meta = join(downloads, 'meta');
  await L.extractFromWheel(wheel, meta, ['tensorflow-']);
  const mdDir = readdirSync(meta).find((d) => d.endsWith('.dist-info'));
  const text = mdDir ? readFileSync(join(meta, mdDir, 'METADATA'), 'utf8') : '';
  const reqs = [...text.matchAll(/^Requires-Dist: (nvidia-[^;]+);\s*extra == "and-cuda"/gm)].map((m) => m[1].replace(/\s+/g, ''));
  if (!reqs.length) return { ok: false, why: 'the GPU wheel names no and-cuda libraries' };
  const wheels = [];
  for (const req of reqs) {
    const d = await L.pipDownload(req, join(downloads, 'cuda', String(wheels.length)), { env: ctx.env, say: ctx.say });
    if (!d.wheel) return { ok: false, why: `pip: ${req}: ${d.reasons.join('; ')}` };
    const x = join(downloads, 'cuda-x');
    await L.extractFromWheel(d.wheel, x, ['nvidia/']);
    for (const pkg of existsSync(join(x, 'nvidia')) ? readdirSync(join(x, 'nvidia')) : []) {
      const lib = join(x, 'nvidia', pkg, 'lib');
      if (!existsSync(lib)) continue;
      for (const f of readdirSync(lib)) if (f.includes('.so')) moveTree(join(lib, f), join(libDir, f));
    }
    rmSync(x, { recursive: true, force: true });
    wheels.push(d.wheel.split('/').pop());
  }
  return { ok: true, wheels };
}

/** npm removed the optional package after its download failed: put it back without running that script. */
async function restorePackage(ctx) {
  const npmCli = ctx.env.npm_execpath;
  const [cmd, args] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
  const r = await L.runCmd(cmd, [...args, 'install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', `@tensorflow/tfjs-node@${L.TFJS_NODE_VERSION}`],
    { cwd: ctx.projectDir, env: { ...ctx.env, LSSD_PROVISION: 'skip' }, timeoutMs: 10 * 60_000 });
  if (r.code === 0 && existsSync(join(ctx.pkgDir, 'package.json'))) return { ok: true };
  return { ok: false, why: `npm install --ignore-scripts @tensorflow/tfjs-node failed${r.timedOut ? ' (timed out)' : ''}: ${r.out.slice(-300).trim()}` };
}

function moveTree(from, to) {
  try { renameSync(from, to); } catch (e) {
    if (e.code !== 'EXDEV') throw e;
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
    rmSync(from, { recursive: true, force: true });
  }
}

// --------------------------------------------------------------------------------------------- record

export const recordPath = (projectDir) => join(projectDir, 'node_modules', '.lssd', 'provision.json');

function writeRecord(projectDir, rec) {
  try {
    mkdirSync(join(projectDir, 'node_modules', '.lssd'), { recursive: true });
    writeFileSync(recordPath(projectDir), JSON.stringify(rec, null, 2));
  } catch { /* no node_modules: nothing to record into */ }
}

/** The one message printed when everything native failed: why, per path, and how to fix it. */
export function wasmMessage(rec) {
  const why = rec.attempts.map((a) => `  - ${a.flavor}: ${a.why}`).join('\n');
  return [
    'lssd: no native TensorFlow backend; training will use wasm (single-threaded, no conv-backbone gradients).',
    why,
    '  fix: let `pip download --no-deps tensorflow-cpu==2.21.0` work (a pip index or LSSD_TF_WHEEL=/path/to/the.whl),',
    '       or let https://storage.googleapis.com be reached, then run `node provision/install.mjs`;',
    '       `npx lssdc doctor` shows the details.',
  ].join('\n');
}
