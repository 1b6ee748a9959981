// Mutation fuzz campaigns (issue 13). Not a test: the suite replays the crash corpus this writes
// (test/fuzz/corpus.test.ts) and runs a small seeded sample (test/compiler/fuzz.test.ts).
//
//   node --import tsx bench/fuzz.ts [--mode compile|fmt|cli|index] [--cases N] [--start N] [--workers W] [--seed S] [--slow MS] [--no-save] [--json]
//
// compile and fmt run in W worker threads (default min(2, cores)); case n is a function of (seed, n), so
// `--start` splits a campaign into chunks that together run the same cases as one run.
//
// compile  every experiment and stdlib file, 1–3 mutations each of 17 kinds (test/fuzz/mutate.ts), compiled
//          (a third with --profile cpu), lowered and hashed; properties in test/fuzz/oracle.ts: no exception,
//          every diagnostic coded (in the catalog) with an in-bounds span, rendered output bounded and escaped,
//          fmt round-trip / idempotence / comments kept in place when the mutant parses.   default 100,000 cases
// fmt      the same files, mutations that mostly keep them parsing (comments, duplicated and swapped lines and
//          tokens, numbers, names, unicode, huge strings); fmt properties only.            default 100,000 cases
// cli      mutants written to a temp dir and run through the real CLI (`check`, `fmt --check`, `show`,
//          `--json`): exit 0/1/2, never 70 or "internal error", bounded stderr, no raw ESC.   default 300 cases
// index    generated broken media (bench/fuzz-media.ts) through `indexDirectory`: never an exception, each
//          file a title or a coded skip, one bounded line each.                                default 400 files
//
// A failing case is minimised (delta debugging on lines, then characters) and saved, once per distinct
// failure signature, as test/fixtures/fuzz-crashes/<mode>-<signature>.json (unless --no-save).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { nodeHost } from '../runtime/host.ts';
import type { CompilerHost } from '../compiler/host.ts';
import { mutateSome, rng, KINDS, type MutationKind } from '../test/fuzz/mutate.ts';
import { checkCase, checkFmt, type Failure, type FuzzCase } from '../test/fuzz/oracle.ts';
import { cliCase, packEntry, targets, victimPath, CORPUS_DIR, type CorpusEntry } from '../test/fuzz/targets.ts';

/** One worker's share of a compile or fmt campaign: the cases n with n % workers === worker. */
interface WorkerJob { mode: 'compile' | 'fmt'; start: number; cases: number; seed: number; shrink: boolean; worker: number; workers: number; slowMs: number }
type WorkerMsg =
  | { type: 'failure'; sig: string; count: number; entry?: CorpusEntry }
  | { type: 'progress'; cases: number; failing: number; byKind: Record<string, number> }
  | { type: 'slow'; case: number; ms: number; victim: string; kinds: string[]; bytes: number }
  | { type: 'begin'; worker: number; case: number };

/** Case n's random stream: a function of the campaign seed and n only. */
const caseRng = (seed: number, n: number) => rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b)) >>> 0);

/**
 * The node host with its answers memoised: the repo does not change during a campaign, and the disk
 * reads, stats and project-root walks were a tenth of a case's CPU. The mutant itself never reaches
 * this host (checkCase substitutes it first).
 */
function frozenHost(h: CompilerHost): CompilerHost {
  const memo = <T>(f: (...a: string[]) => T) => { const m = new Map<string, T>(); return (...a: string[]) => { const k = a.join('\0'); if (!m.has(k)) m.set(k, f(...a)); return m.get(k)!; }; };
  return { ...h, readFile: memo((p) => h.readFile(p)), resolveImport: memo((s, f) => h.resolveImport(s, f)), ...(h.checkImport ? { checkImport: memo((t, f) => h.checkImport!(t, f)) } : {}) };
}

async function runWorker(job: WorkerJob) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const base = frozenHost(nodeHost({ cwd: root }));
  const ts = targets(root);
  const originals = new Map(ts.map((t) => [t.victim, readFileSync(join(root, t.victim), 'utf8')]));
  const pool = [...originals.values()];
  const fmtKinds: MutationKind[] = ['comment', 'comment', 'comment', 'line-dup', 'line-swap', 'token-duplicate', 'numbers', 'rename', 'unicode', 'huge-string', 'huge-number'];
  const seen = new Map<string, number>();
  let cases = 0, failing = 0, byKind: Record<string, number> = {};
  const flush = () => {
    for (const [sig, count] of seen) if (count > 0) { parentPort!.postMessage({ type: 'failure', sig, count, } satisfies WorkerMsg); seen.set(sig, 0); }
    parentPort!.postMessage({ type: 'progress', cases, failing, byKind } satisfies WorkerMsg);
    cases = 0; failing = 0; byKind = {};
  };
  for (let n = job.start + job.worker; n < job.start + job.cases; n += job.workers) {
    const r = caseRng(job.seed, n);
    const t = ts[Math.floor(r() * ts.length)];
    const m = mutateSome(originals.get(t.victim)!, r, pool, job.mode === 'fmt' ? fmtKinds : KINDS);
    for (const k of m.kinds) byKind[k] = (byKind[k] ?? 0) + 1;
    const c: FuzzCase = { entry: t.entry, victim: t.victim, text: m.text, profile: job.mode === 'compile' && r() < 0.33 ? 'cpu' : undefined };
    const vp = victimPath(t.victim, base.stdlibDir);
    const run = (x: FuzzCase) => (job.mode === 'fmt' ? checkFmt(x.victim, x.text) : checkCase(x, base, vp));
    // Announced so that the main thread can name a case that never finishes (it reports only finished ones).
    parentPort!.postMessage({ type: 'begin', worker: job.worker, case: n } satisfies WorkerMsg);
    const t0 = Date.now();
    const fs = run(c);
    const ms = Date.now() - t0;
    // A case far slower than the rest is a finding of its own (a pathological input), reported as it happens.
    if (ms > job.slowMs) parentPort!.postMessage({ type: 'slow', case: n, ms, victim: c.victim, kinds: m.kinds, bytes: c.text.length } satisfies WorkerMsg);
    cases++;
    if (fs.length) {
      failing++;
      for (const f of fs) {
        const sig = signature(f);
        if (seen.has(sig)) { seen.set(sig, seen.get(sig)! + 1); continue; }
        const small = !job.shrink ? c.text : minimise(c.text, (text) => run({ ...c, text }).some((g) => signature(g) === sig));
        seen.set(sig, 0);
        parentPort!.postMessage({ type: 'failure', sig, count: 1, entry: { mode: job.mode, entry: c.entry, victim: c.victim, profile: c.profile, text: small, property: f.property, detail: f.detail.slice(0, 500), seed: job.seed, case: n, kinds: m.kinds } } satisfies WorkerMsg);
      }
    }
    if (cases === 500) flush();
  }
  flush();
}

const args = process.argv.slice(2);
const opt = (k: string, d: string) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const mode = opt('--mode', 'compile') as 'compile' | 'fmt' | 'cli' | 'index';
const defaults = { compile: 100_000, fmt: 100_000, cli: 300, index: 400 } as const;
if (!(mode in defaults)) { process.stderr.write(`bench/fuzz: --mode is compile, fmt, cli or index, got ${mode}\n`); process.exit(2); }
const cases = Number(opt('--cases', String(defaults[mode])));
const seed = Number(opt('--seed', '20261201'));
// compile and fmt: cases start..start+N-1, so a campaign runs in chunks (`--start 25000 --cases 25000`) with the same cases as one run.
const start = Number(opt('--start', '0'));
const save = !args.includes('--no-save');
const shrink = !args.includes('--no-minimise');
const json = args.includes('--json');
// --slow MS: report (stderr) every case that takes longer than MS to check (default 10 s).
const slowMs = Number(opt('--slow', '10000'));
const workers = Math.max(1, Number(opt('--workers', String(Math.min(2, availableParallelism())))));
const root = fileURLToPath(new URL('..', import.meta.url));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const say = (s: string) => { if (!json) process.stdout.write(s + '\n'); };

// Failures group by property and the part of the detail before its first ': ' (a code, a command, or
// for an exception its first stack frame), never by the mutant's text.
const signature = (f: Failure) => {
  if (f.property === 'no-exception') {
    const frame = f.detail.split('\n').find((l) => /^\s+at /.test(l))?.trim().replace(/:\d+:\d+\)?$/, '') ?? '';
    return `${f.property}:${f.detail.split('\n')[0].replace(/\d+/g, 'N').slice(0, 80)} ${frame}`;
  }
  if (f.property.startsWith('fmt-')) return `${f.property}:${f.detail.replace(/"[^"]*"/g, 'S').replace(/\d+/g, 'N').slice(0, 80)}`;
  return `${f.property}:${f.detail.split(': ')[0]}`;
};
const sigHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 10);

/** Delta debugging: drop chunks of lines, then of characters, while the same signature still fails. */
function minimise(text: string, fails: (t: string) => boolean, budget = 400, seconds = 20): string {
  let calls = 0;
  const until = Date.now() + seconds * 1000;
  const pass = (units: string[], join_: string): string[] => {
    let n = 2;
    while (units.length >= 2 && calls < budget && Date.now() < until) {
      const size = Math.ceil(units.length / n);
      let reduced = false;
      for (let i = 0; i < units.length && calls < budget && Date.now() < until; i += size) {
        const cand = [...units.slice(0, i), ...units.slice(i + size)];
        calls++;
        if (fails(cand.join(join_))) { units = cand; n = Math.max(n - 1, 2); reduced = true; break; }
      }
      if (!reduced) { if (n >= units.length) break; n = Math.min(units.length, n * 2); }
    }
    return units;
  };
  const lines = pass(text.split('\n'), '\n').join('\n');
  return lines.length <= 20_000 ? pass([...lines], '').join('') : lines;
}

if (!isMainThread) {
  await runWorker(workerData as WorkerJob);
  process.exit(0);
}

const found = new Map<string, { entry: CorpusEntry; count: number }>();
function record(sig: string, entry: CorpusEntry) {
  const have = found.get(sig);
  if (have) { have.count++; return; }
  found.set(sig, { entry, count: 1 });
  say(`  new failure ${sig} (case ${entry.case})`);
  if (save) {
    mkdirSync(CORPUS_DIR, { recursive: true });
    // A signature already in the corpus was fixed there (the corpus test replays it), so seeing it again is a
    // new instance of that kind of failure: it is saved beside the old one under its case number.
    const first = join(CORPUS_DIR, `${mode}-${sigHash(sig)}.json`);
    const file = existsSync(first) ? join(CORPUS_DIR, `${mode}-${sigHash(sig)}-${entry.case}.json`) : first;
    if (!existsSync(file)) writeFileSync(file, JSON.stringify(packEntry(entry), null, 1) + '\n');
  }
}

const t0 = Date.now();
const cpu0 = process.cpuUsage();
const loadBefore = load();
const byKind = new Map<MutationKind, number>();
let failing = 0;
const r = rng(seed);
const slow: { case: number; ms: number; victim: string; kinds: string[]; bytes: number }[] = [];

if (mode === 'compile' || mode === 'fmt') {
  const ts = targets(root);
  say(`fuzz ${mode}: ${cases} cases (${start}..${start + cases - 1}) over ${ts.length} targets (${new Set(ts.map((t) => t.victim)).size} files), seed ${seed}, ${workers} worker${workers === 1 ? '' : 's'}, load ${loadBefore}`);
  // Case n is a pure function of (seed, n) (caseRng), so a split over workers runs the same cases as one
  // process does, and any case is replayed from its number alone. Each worker minimises a signature new to
  // it; this thread keeps the first of each and the counts.
  let done = 0, lastReport = 0;
  const onMessage = (m: WorkerMsg) => {
    if (m.type === 'failure') {
      const have = found.get(m.sig);
      if (have) have.count += m.count;
      else if (m.entry) { record(m.sig, m.entry); found.get(m.sig)!.count = m.count; }
    } else if (m.type === 'begin') {
      running.set(m.worker, { case: m.case, since: Date.now(), told: false });
    } else if (m.type === 'slow') {
      slow.push(m);
      process.stderr.write(`  slow case ${m.case}: ${(m.ms / 1000).toFixed(1)} s (${m.victim}, ${m.bytes} characters, ${m.kinds.join('+')})\n`);
    } else if (m.type === 'progress') {
      done += m.cases; failing += m.failing;
      for (const [k, v] of Object.entries(m.byKind)) byKind.set(k as MutationKind, (byKind.get(k as MutationKind) ?? 0) + v);
      // Progress on stderr even under --json: a campaign stopped early still says how far it got.
      if (done - lastReport >= 5_000) { lastReport = done; process.stderr.write(`  ${done} cases, ${failing} failing, ${found.size} distinct, ${((Date.now() - t0) / 1000).toFixed(0)} s, load ${load()}\n`); }
    }
  };
  const running = new Map<number, { case: number; since: number; told: boolean }>();
  const watchdog = setInterval(() => {
    for (const c of running.values()) if (!c.told && Date.now() - c.since > slowMs) { c.told = true; process.stderr.write(`  case ${c.case} still running after ${((Date.now() - c.since) / 1000).toFixed(0)} s\n`); }
  }, 5_000);
  await Promise.all(Array.from({ length: workers }, (_, w) => new Promise<void>((res, rej) => {
    // The worker loads this file through tsx's loader (registered in the worker: loader hooks are per thread).
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const wk = new Worker(boot, {
      eval: true,
      workerData: { mode, start, cases, seed, shrink, worker: w, workers, slowMs } satisfies WorkerJob,
      // A larger young generation: the mutants are short-lived garbage; scavenges were a third of the CPU.
      resourceLimits: { maxYoungGenerationSizeMb: 128 },
    });
    wk.on('message', onMessage);
    wk.on('error', rej);
    wk.on('exit', (code) => (code === 0 ? res() : rej(new Error(`fuzz worker ${w} exited ${code}`))));
  })));
  clearInterval(watchdog);
} else if (mode === 'cli') {
  // The scratch project is a copy of experiments/: only its files are mutated there.
  const ts = targets(root).filter((t) => t.victim.startsWith('experiments/'));
  const originals = new Map(ts.map((t) => [t.victim, readFileSync(join(root, t.victim), 'utf8')]));
  const pool = [...originals.values()];
  const tmp = mkdtempSync(join(tmpdir(), 'lssd-fuzz-cli-'));
  say(`fuzz cli: ${cases} cases, seed ${seed}, load ${loadBefore}`);
  try {
    for (let n = 0; n < cases; n++) {
      const t = ts[Math.floor(r() * ts.length)];
      const m = mutateSome(originals.get(t.victim)!, r, pool);
      for (const k of m.kinds) byKind.set(k, (byKind.get(k) ?? 0) + 1);
      const command = (['check', 'fmt', 'show', 'check-json'] as const)[n % 4];
      const fs = cliCase({ root, tmp, victim: t.victim, text: m.text, command });
      if (fs.length) {
        failing++;
        for (const f of fs) record(signature(f), { mode: 'cli', entry: t.victim, victim: t.victim, command, text: m.text, property: f.property, detail: f.detail.slice(0, 500), seed, case: n, kinds: m.kinds });
      }
    }
  } finally { rmSync(tmp, { recursive: true, force: true }); }
} else {
  const { indexCampaign } = await import('./fuzz-media.ts');
  const res = await indexCampaign({ files: cases, seed, say, record: (sig, e) => record(sig, e) });
  failing = res.failing;
  for (const [k, v] of res.byKind) byKind.set(k as MutationKind, v);
}

const wall = (Date.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const summary = {
  mode, start, cases, seed, workers, failingCases: failing, distinctFailures: found.size,
  failures: [...found.entries()].map(([sig, v]) => ({ signature: sig, count: v.count })),
  slowCases: slow,
  byKind: Object.fromEntries([...byKind.entries()].sort()),
  wallSeconds: Math.round(wall * 10) / 10, cpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
  casesPerSecond: Math.round(cases / wall), loadBefore, loadAfter: load(),
};
if (json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
else {
  say(`${mode}: ${cases} cases in ${summary.wallSeconds} s wall, ${summary.cpuSeconds} s CPU (${summary.casesPerSecond}/s), ${failing} failing, ${found.size} distinct failures; load ${loadBefore} → ${summary.loadAfter}`);
  for (const f of summary.failures) say(`  ${f.count} × ${f.signature}`);
  for (const s of summary.slowCases) say(`  slow: case ${s.case}, ${(s.ms / 1000).toFixed(1)} s (${s.victim}, ${s.bytes} characters, ${s.kinds.join("+")})`);
}
process.exit(found.size ? 1 : 0);
