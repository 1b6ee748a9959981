// The result cache of `lssdc check` (cli/main.ts): a run's output kept with everything it observed, so
// that the same run again, over the same inputs, prints it without compiling.
//
// A run is recorded, not predicted: while the command runs, the synchronous file-system calls it makes
// (readFileSync, existsSync, statSync, lstatSync, readdirSync, realpathSync, accessSync), the environment
// variables it reads and what it writes to stdout and stderr are noted. The entry stores each call
// with what it returned (a file's bytes as their SHA-256, a stat as the file's type and size, a listing
// as its names), the variables with their values, the output in order, and the exit code. A later run
// with the same key (the build's stamp, Node's version, the arguments, the cwd, whether stdout and
// stderr are terminals and their widths, the home directory) repeats every recorded call and compares
// what it returns now: all equal → the stored output and exit code (a hit), else the command runs and
// its entry is rewritten. Because the check is a function of what it reads, equal observations give
// equal output; a run that did anything the recorder cannot replay (another fs call, an asynchronous
// read, standard input, listing the whole environment) is not stored.
//
// Entries live in `<cache root>/check/<key>.json` (the cache root of provision/lib.mjs: LSSD_CACHE_DIR,
// else $XDG_CACHE_HOME/lssd, else ~/.cache/lssd), written atomically (temp file + rename); at most
// MAX_ENTRIES are kept (the least recently written go first). LSSD_CHECK_CACHE=0 turns it off. Only a
// build that names itself (bin/lssdc.js's bundle and the startup snapshot pass build/stamp.json) uses it:
// the TypeScript sources (tsx, `npm test`) have no identity to key on, so they never do.
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from '../provision/cache-root.mjs';

/** Entries kept in the cache folder; a write past this removes the oldest. */
export const MAX_ENTRIES = 256;
/** Output larger than this (bytes, stdout and stderr together) is not stored. */
export const MAX_OUTPUT = 4 << 20;
const VERSION = 1;

// node:crypto is loaded on first use, not at module evaluation (the startup snapshot is built without it).
let sha: ((data: string | Uint8Array) => string) | undefined;
const sha256 = (data: string | Uint8Array) => {
  if (!sha) {
    const { createHash } = createRequire(process.execPath)('node:crypto') as typeof import('node:crypto');
    sha = (d) => createHash('sha256').update(d).digest('hex');
  }
  return sha(data);
};

/** The folder entries are kept in: `check/` under the user's lssd cache (provision/cache-root.mjs). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'check');
}

/** One observed call: [kind, path, what it returned]. */
type Op = [kind: 'read' | 'exists' | 'stat' | 'lstat' | 'readdir' | 'realpath' | 'access', path: string, result: string];
interface Entry { v: number; key: string; env: [string, string | null][]; ops: Op[]; out: [fd: 1 | 2, text: string][]; code: number }

const original = {
  readFileSync: fs.readFileSync, existsSync: fs.existsSync, statSync: fs.statSync, lstatSync: fs.lstatSync,
  readdirSync: fs.readdirSync, realpathSync: fs.realpathSync, accessSync: fs.accessSync,
};
const errorOf = (e: unknown) => `E:${(e as NodeJS.ErrnoException)?.code ?? 'unknown'}`;
const typeOf = (st: fs.Stats) => (st.isFile() ? `f:${st.size}` : st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFIFO() ? 'p' : st.isSocket() ? 's' : st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : '?');

/** What each recorded call returns now, computed with the unpatched functions (replay and recording agree). */
const observe: Record<Op[0], (path: string) => string> = {
  read: (p) => { try { return sha256(original.readFileSync(p)); } catch (e) { return errorOf(e); } },
  exists: (p) => String(original.existsSync(p)),
  stat: (p) => { try { return typeOf(original.statSync(p)); } catch (e) { return errorOf(e); } },
  lstat: (p) => { try { return typeOf(original.lstatSync(p)); } catch (e) { return errorOf(e); } },
  readdir: (p) => { try { return JSON.stringify(original.readdirSync(p)); } catch (e) { return errorOf(e); } },
  realpath: (p) => { try { return original.realpathSync(p); } catch (e) { return errorOf(e); } },
  access: (p) => { try { original.accessSync(p); return 'ok'; } catch (e) { return errorOf(e); } },
};

/** The key of a run: everything outside the file system and the environment its output can depend on. */
export function runKey(build: string, argv: string[]): string {
  const tty = (s: NodeJS.WriteStream) => (s.isTTY ? `tty:${s.columns ?? ''}` : 'no');
  return sha256(JSON.stringify([VERSION, sha256(build), process.version, process.platform, process.arch, argv, process.cwd(), tty(process.stdout), tty(process.stderr), homedir()]));
}

function readEntry(file: string, key: string): Entry | undefined {
  let e: Entry;
  try { e = JSON.parse(original.readFileSync(file, 'utf8')); } catch { return undefined; }
  if (e?.v !== VERSION || e.key !== key || !Array.isArray(e.ops) || !Array.isArray(e.env) || !Array.isArray(e.out) || typeof e.code !== 'number') return undefined;
  return e;
}

/** Whether every recorded variable and call gives what it gave when the entry was written. */
function stillValid(e: Entry): boolean {
  for (const [k, v] of e.env) if ((process.env[k] ?? null) !== v) return false;
  for (const [kind, path, result] of e.ops) {
    const f = observe[kind];
    if (!f || f(path) !== result) return false;
  }
  return true;
}

interface Recording { ops: Op[]; env: Map<string, string | null>; out: [1 | 2, string][]; outBytes: number; why?: string }

/** Patches fs, process.env and the output streams to record `rec`; returns the function that undoes it. */
function record(rec: Recording): () => void {
  const mod = fs as unknown as Record<string, unknown>;
  const saved = new Map<string, unknown>();
  const patch = (name: string, f: unknown) => { saved.set(name, mod[name]); mod[name] = f; };
  const unreplayable = (name: string) => { rec.why ??= `fs.${name}`; };
  // Node's own fs functions call each other through the module (readFileSync → fs.openSync): calls made
  // inside a recorded one are its own business, not the command's.
  let inside = 0;
  // Each (kind, path) is kept once; the same call answering differently later in the run (a file
  // changed under it) makes the run one no replay can stand for.
  const seen = new Map<string, string>();
  const once = (kind: Op[0], path: string, result: string) => {
    const k = `${kind}\0${path}`;
    const before = seen.get(k);
    if (before === undefined) { seen.set(k, result); rec.ops.push([kind, path, result]); } else if (before !== result) rec.why ??= `${path} changed during the run`;
  };
  /** Calls `f` and records [kind, path, summary of its result or error]; a path that is not a string cannot be replayed. */
  const noted = <T>(kind: Op[0], path: unknown, f: () => T, summary: (r: T) => string): T => {
    if (inside) return f();
    if (typeof path !== 'string') { rec.why ??= `${kind} of a ${typeof path === 'number' ? 'file descriptor' : 'non-string path'}`; return f(); }
    let r: T;
    inside++;
    try { r = f(); } catch (e) { once(kind, path, errorOf(e)); throw e; } finally { inside--; }
    once(kind, path, summary(r));
    return r;
  };
  for (const [name, value] of Object.entries(mod)) {
    if (typeof value !== 'function' || /^[A-Z]/.test(name) || name in original) continue;
    patch(name, function (this: unknown, ...a: unknown[]) { if (!inside) unreplayable(name); return (value as (...x: unknown[]) => unknown).apply(this, a); });
  }
  patch('readFileSync', (path: unknown, opts?: unknown) => {
    const o = (typeof opts === 'string' ? { encoding: opts } : (opts ?? {})) as { encoding?: BufferEncoding | null; flag?: string };
    if (o.flag !== undefined && o.flag !== 'r') unreplayable(`readFileSync with flag ${o.flag}`);
    // The bytes are hashed (as the replay hashes them), then decoded as readFileSync would.
    const buf = noted('read', path, () => original.readFileSync(path as string, { flag: o.flag }), sha256);
    return o.encoding ? buf.toString(o.encoding) : buf;
  });
  patch('existsSync', (path: unknown) => noted('exists', path, () => original.existsSync(path as string), String));
  const stat = (kind: 'stat' | 'lstat', f: typeof fs.statSync) => (path: unknown, opts?: fs.StatSyncOptions) => {
    if (opts?.bigint) unreplayable(`${kind}Sync with bigint`);
    // throwIfNoEntry: false answers a missing file with undefined, recorded as the error it stands for.
    return noted(kind, path, () => f(path as string, opts), (st) => (st === undefined ? 'E:ENOENT' : typeOf(st as fs.Stats)));
  };
  patch('statSync', stat('stat', original.statSync));
  patch('lstatSync', stat('lstat', original.lstatSync));
  patch('readdirSync', (path: unknown, opts?: unknown) => {
    // Plain names only: file types (withFileTypes), recursion and Buffer names would need records of their own.
    if (opts !== undefined && opts !== 'utf8' && !(typeof opts === 'object' && opts !== null && Object.keys(opts).every((k) => k === 'encoding') && ['utf8', undefined].includes((opts as { encoding?: string }).encoding))) unreplayable('readdirSync with options');
    return noted('readdir', path, () => original.readdirSync(path as string), (names) => JSON.stringify(names));
  });
  const realpath = (f: (p: string) => string) => (path: unknown, opts?: unknown) => {
    if (opts !== undefined && opts !== 'utf8' && (opts as { encoding?: string })?.encoding !== 'utf8') unreplayable('realpathSync with options');
    return noted('realpath', path, () => f(path as string), (r) => r);
  };
  patch('realpathSync', Object.assign(realpath(original.realpathSync), { native: realpath(original.realpathSync.native) }));
  patch('accessSync', (path: unknown, mode?: number) => {
    if (mode !== undefined && mode !== fs.constants.F_OK) unreplayable('accessSync with a mode');
    noted('access', path, () => original.accessSync(path as string), () => 'ok');
  });
  const promises = fs.promises as unknown as Record<string, unknown>;
  const savedPromises = new Map<string, unknown>();
  for (const [name, value] of Object.entries(promises)) {
    if (typeof value !== 'function' || /^[A-Z]/.test(name)) continue;
    savedPromises.set(name, value);
    promises[name] = function (this: unknown, ...a: unknown[]) { unreplayable(`promises.${name}`); return (value as (...x: unknown[]) => unknown).apply(this, a); };
  }
  syncBuiltinESMExports();

  const env = process.env;
  process.env = new Proxy(env, {
    get(t, k) { const v = Reflect.get(t, k); if (typeof k === 'string' && !rec.env.has(k)) rec.env.set(k, v ?? null); return v; },
    has(t, k) { const v = Reflect.get(t, k); if (typeof k === 'string' && !rec.env.has(k)) rec.env.set(k, v ?? null); return Reflect.has(t, k); },
    ownKeys(t) { rec.why ??= 'the whole environment was listed'; return Reflect.ownKeys(t); },
    set(t, k, v) { rec.why ??= 'the environment was changed'; return Reflect.set(t, k, v); },
    deleteProperty(t, k) { rec.why ??= 'the environment was changed'; return Reflect.deleteProperty(t, k); },
  });

  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((s) => s.write);
  streams.forEach((s, i) => {
    const write = writes[i];
    s.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : undefined;
      if (text === undefined || (typeof chunk !== 'string' && Buffer.from(text, 'utf8').compare(Buffer.from(chunk as Uint8Array)) !== 0)) rec.why ??= 'output that is not text';
      else { rec.out.push([(i + 1) as 1 | 2, text]); rec.outBytes += text.length; }
      return (write as (...x: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof s.write;
  });

  return () => {
    streams.forEach((s, i) => { s.write = writes[i]; });
    process.env = env;
    for (const [name, value] of saved) mod[name] = value;
    for (const [name, value] of savedPromises) promises[name] = value;
    syncBuiltinESMExports();
  };
}

/** What `cached` did: replayed a stored run, ran and stored it, ran without storing (and why), or did not look. */
export type CacheOutcome = { state: 'hit' } | { state: 'stored' } | { state: 'not-stored'; why: string } | { state: 'off' };

/**
 * Runs `run` (a command's `run(args)`; `argv` its full command line) through the result cache when
 * `build` names the build (its stamp text) and the cache is on; `onOutcome` hears what happened (tests).
 */
export async function cached(build: string | undefined, argv: string[], run: () => Promise<number>, onOutcome?: (o: CacheOutcome) => void): Promise<number> {
  if (build === undefined || process.env.LSSD_CHECK_CACHE === '0') { onOutcome?.({ state: 'off' }); return run(); }
  const key = runKey(build, argv);
  const dir = cacheDir();
  const file = join(dir, `${key}.json`);
  const hit = readEntry(file, key);
  if (hit && stillValid(hit)) {
    for (const [fd, text] of hit.out) (fd === 1 ? process.stdout : process.stderr).write(text);
    onOutcome?.({ state: 'hit' });
    return hit.code;
  }
  const rec: Recording = { ops: [], env: new Map(), out: [], outBytes: 0 };
  const undo = record(rec);
  let code: number;
  try { code = await run(); } finally { undo(); }
  const why = rec.why ?? (rec.outBytes > MAX_OUTPUT ? `over ${MAX_OUTPUT} bytes of output` : undefined);
  if (why) { onOutcome?.({ state: 'not-stored', why }); return code; }
  const entry: Entry = { v: VERSION, key, env: [...rec.env], ops: rec.ops, out: rec.out, code };
  try {
    store(dir, file, JSON.stringify(entry));
    onOutcome?.({ state: 'stored' });
  } catch (e) {
    // The run's output is already right; a cache that cannot be written only costs the next run its shortcut.
    if (process.env.LSSD_DEBUG) process.stderr.write(`lssdc: result cache not written (${(e as Error).message})\n`);
    onOutcome?.({ state: 'not-stored', why: `cannot write ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
  }
  return code;
}

function store(dir: string, file: string, text: string) {
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) { fs.rmSync(tmp, { force: true }); throw e; }
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  if (names.length <= MAX_ENTRIES) return;
  const aged = names.map((n) => { try { return { n, t: fs.statSync(join(dir, n)).mtimeMs }; } catch { return { n, t: 0 }; } }).sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, names.length - MAX_ENTRIES)) fs.rmSync(join(dir, n), { force: true });
}
