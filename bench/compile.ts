// Front-end benchmark (issue 17). Whole processes, as an editor, a pre-commit hook or a grid cell pays:
//   1. `lssdc --version`, `lssdc check experiments`, `lssdc check` of a 10,000-cell grid: median of --runs
//      (default 5) after one warm-up; `lssdc check` of a 10 MB file: --big-runs (default 1); with CPU
//      time and peak RSS, next to the goals;
//   2. scaling: check, show --hash, table, fmt --check and expand of generated files at --sizes MB
//      (default 0.1,1,10; the issue's 1,10,100 with --sizes 1,10,100, which needs over 10 GB and minutes per
//      command at 100 MB), with the exponent k of time ∝ size^k between neighbouring sizes, the slope of a
//      log-log fit over all sizes (1 = linear) and the CPU cost per extra MB between the two largest;
//   3. in-process phases: parse / compile / fmt of a generated 5,000-line file.
// It runs `npm run build` first, so bin/lssdc.js runs the compiled CLI of the current sources.
//
// `lssdc` is run as a program, as a shell, an editor or npx runs it (bin/lssdc.js's sh part: the startup
// snapshot for compile-only commands); --via-node runs `node bin/lssdc.js` instead (the code-cache bundle).
// check's result cache is off (a temp LSSD_CACHE_DIR, LSSD_CHECK_CACHE=0) except in the row marked warm.
//
//   node --import tsx bench/compile.ts [--runs N] [--big-runs N] [--sizes 0.1,1,10] [--commands check,show,…] [--scale-runs N] [--timeout S] [--via-node] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../compiler/index.ts';
import type { CompilerHost } from '../compiler/host.ts';
import { format } from '../compiler/fmt.ts';
import { parse } from '../grammar/index.ts';
import { nodeHost } from '../runtime/host.ts';
import { GRID } from './grid-fixture.ts';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const runs = Number(opt('--runs', '5'));
const scaleRuns = Number(opt('--scale-runs', '1'));
const sizes = opt('--sizes', '0.1,1,10').split(',').map(Number);
const timeoutS = Number(opt('--timeout', '300'));
const json = args.includes('--json');
const root = fileURLToPath(new URL('..', import.meta.url));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const loadBefore = load();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const say = (s: string) => { if (!json) process.stdout.write(s + '\n'); };

const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--quiet'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) { process.stderr.write(`bench: npm run build failed\n${build.stderr}`); process.exit(1); }

const tmp = mkdtempSync(join(tmpdir(), 'lssd-bench-compile-'));
const usageFile = join(tmp, 'usage.json');
/**
 * check's result cache (cli/result-cache.ts) lives here, not in ~/.cache, and is off (LSSD_CHECK_CACHE=0)
 * for every figure but the one row that says "result cache warm": the others are cold compiles.
 */
const cacheDir = join(tmp, 'cache');

/** Stands for `node -e 0` (with the same usage preload) in the list of processes measured. */
const NODE_ALONE = '\0node -e 0';
interface Sample { wallMs: number; cpuMs: number; maxRssMB: number; status: number | null; timedOut: boolean }
/** CPU time (user + system) of this process's waited-for children so far, ms (/proc/self/stat cutime + cstime; 10 ms ticks). */
const childrenCpuMs = () => { const t = readFileSync('/proc/self/stat', 'utf8'); const f = t.slice(t.lastIndexOf(')') + 2).split(' '); return (Number(f[13]) + Number(f[14])) * 10; };
/** How `lssdc` is started: as a program (bin/lssdc.js's sh part: `--version` in sh, compile-only commands from the startup snapshot), or `node bin/lssdc.js` (--via-node: the code-cache bundle). */
const viaNode = args.includes('--via-node');
/**
 * One `lssdc ARGS` process (`node -e 0` for the baseline): wall time, and its CPU time and peak RSS as
 * the process reports them at exit (bench/usage.mjs; cli/snapshot-entry.ts under LSSD_BENCH_USAGE), else
 * (sh answered: `--version`) CPU from /proc and no RSS.
 */
function lssdc(argv: string[], timeoutMs = timeoutS * 1000, resultCache = false): Sample {
  rmSync(usageFile, { force: true });
  const node = argv[0] === NODE_ALONE;
  const usage = ['--import', join(root, 'bench/usage.mjs')];
  const [cmd, ...cmdArgs] = node ? [process.execPath, ...usage, '-e', '0'] : viaNode ? [process.execPath, ...usage, join(root, 'bin/lssdc.js'), ...argv] : [join(root, 'bin/lssdc.js'), ...argv];
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(cmd, cmdArgs,
    { cwd: root, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 30, env: { ...process.env, LSSD_SOURCES: '', LSSD_BENCH_USAGE: usageFile, NO_COLOR: '1', LSSD_CACHE_DIR: cacheDir, LSSD_CHECK_CACHE: resultCache ? '' : '0' } });
  const wallMs = performance.now() - t0;
  const procCpuMs = childrenCpuMs() - c0;
  if (/running the TypeScript sources/.test(r.stderr ?? '')) throw new Error(`bench: bin/lssdc.js did not run the build:\n${r.stderr}`);
  let u = { cpuMs: procCpuMs, maxRssMB: NaN };
  try { u = JSON.parse(readFileSync(usageFile, 'utf8')); } catch { /* sh answered, or killed before exit */ }
  return { wallMs, ...u, status: r.status, timedOut: r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' };
}
function measure(argv: string[], n = runs, warmUp = true, resultCache = false): Sample & { runs: number } {
  if (warmUp) lssdc(argv, undefined, resultCache); // file cache, code cache (and, with resultCache, check's entry: every run after is a hit)
  const xs = Array.from({ length: n }, () => lssdc(argv, undefined, resultCache));
  return { wallMs: median(xs.map((x) => x.wallMs)), cpuMs: median(xs.map((x) => x.cpuMs)), maxRssMB: Math.max(...xs.map((x) => x.maxRssMB)),
    status: xs[0].status, timedOut: xs.some((x) => x.timedOut), runs: n };
}

// ---- inputs --------------------------------------------------------------------------------------
/** A sweep written by hand, scaled: short experiments over the CPU preset with comments, sections, units and lineage. */
function sweep(bytes: number): { text: string; experiments: number } {
  const chunks: string[] = ['import "cpu"', ''];
  let n = 0; let i = 0;
  while (n < bytes) {
    const c = [
      `/// Sweep point ${i}.`,
      `experiment sweep_${i} extends ${i % 10 === 0 ? 'cpu_small' : `sweep_${i - 1}`} {`,
      `  label = "sweep ${i}"  // trailing comment`,
      `  data.batch { per_device = 32  same_title = ${[1, 3, 7, 15][i % 4]} per_device }`,
      `  views.audio { time_mask = ${10 + (i % 40)}%  freq_mask = 20% }`,
      `  loss { lambda_v = 0  lambda_a = ${(i % 5) / 10} }`,
      `  optim.duration = ${100 + i} steps`,
      ...(i % 10 === 0 ? [] : [`  init from sweep_${i - 1}`]),
      '}', ''].join('\n');
    chunks.push(c); n += c.length + 1; i++;
  }
  return { text: chunks.join('\n'), experiments: i };
}
const gridFile = join(tmp, 'grid10k.lssd');
writeFileSync(gridFile, GRID);
const sizeFiles = new Map<number, { file: string; experiments: number; bytes: number }>();
for (const mb of [...new Set([...sizes, 10])]) {
  const s = sweep(mb * 1e6); const file = join(tmp, `sweep-${mb}MB.lssd`);
  writeFileSync(file, s.text); sizeFiles.set(mb, { file, experiments: s.experiments, bytes: Buffer.byteLength(s.text) });
}

// ---- 1. whole process against the goals ------------------------------------------------------------
const ten10 = sizeFiles.get(10)!;
const goals: { what: string; argv: string[]; goalMs?: number; goalMB?: number; n?: number; warmUp?: boolean; resultCache?: boolean }[] = [
  // Node starting and exiting, measured the same way in the same run: the floor under every figure below.
  { what: 'node -e 0 (the floor, no goal)', argv: [NODE_ALONE] },
  { what: 'lssdc --version', argv: ['--version'], goalMs: 80 },
  { what: 'lssdc check experiments (cold)', argv: ['check', 'experiments'], goalMs: 150 },
  // The same with check's result cache on and filled by the warm-up: every measured run is a hit (an
  // unchanged tree checked again, as a pre-commit hook or an editor's save sees it), never the cold figure.
  { what: 'lssdc check experiments (result cache warm)', argv: ['check', 'experiments'], goalMs: 150, resultCache: true },
  { what: 'lssdc check (10,000-cell grid)', argv: ['check', gridFile], goalMs: 1000 },
  // Seconds per run: one run, no warm-up (--big-runs N for more).
  { what: `lssdc check (10 MB, ${ten10.experiments} experiments)`, argv: ['check', ten10.file], goalMs: 5000, goalMB: 500, n: Number(opt('--big-runs', '1')), warmUp: false },
];
const fmtMs = (x: number) => (x >= 10000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
say(`load average before: ${loadBefore} (2 cores, shared)`);
say('whole process (median after a warm-up)                wall      cpu     peak RSS   goal');
const whole: ((typeof goals)[number] & Sample & { runs: number })[] = [];
for (const g of goals) {
  const w = { ...g, ...measure(g.argv, g.n ?? runs, g.warmUp ?? true, g.resultCache ?? false) };
  whole.push(w);
  const ok = w.goalMs !== undefined && w.wallMs <= w.goalMs && (w.goalMB === undefined || w.maxRssMB <= w.goalMB) && !w.timedOut;
  const floor = whole[0];
  const above = w === floor ? '' : `, ${fmtMs(w.wallMs - floor.wallMs)} wall / ${fmtMs(w.cpuMs - floor.cpuMs)} cpu above node -e 0`;
  const goal = w.goalMs === undefined ? '' : `≤ ${fmtMs(w.goalMs)}${w.goalMB ? `, ≤ ${w.goalMB} MB` : ''} ${ok ? 'met' : 'NOT met'}`;
  say(`  ${w.what.padEnd(52)} ${fmtMs(w.wallMs).padStart(8)} ${fmtMs(w.cpuMs).padStart(8)} ${(Number.isNaN(w.maxRssMB) ? '—' : `${w.maxRssMB.toFixed(0)} MB`).padStart(8)}   ${goal}${w.status !== 0 ? ` (exit ${w.status})` : ''} [${w.runs} runs${above}]`);
}

// ---- 2. scaling --------------------------------------------------------------------------------------
const COMMANDS: Record<string, string[]> = { check: ['check'], show: ['show', '--hash'], table: ['table'], fmt: ['fmt', '--check'], expand: ['expand'] };
const wanted = opt('--commands', Object.keys(COMMANDS).join(',')).split(',');
const scaling: { command: string; points: { mb: number; experiments: number; wallMs: number; cpuMs: number; maxRssMB: number; timedOut: boolean; status: number | null }[]; k: (number | null)[]; slope: number | null; msPerMB: number | null }[] = [];
say(`\nscaling (files of ${sizes.join(', ')} MB; ${scaleRuns === 1 ? 'one run' : `median of ${scaleRuns}`} each, after a warm-up up to 1 MB; k: time ∝ size^k between neighbours, on CPU time)`);
for (const name of wanted) {
  const points = sizes.map((mb) => {
    const f = sizeFiles.get(mb)!;
    const s = measure([...COMMANDS[name], f.file], scaleRuns, mb <= 1);
    return { mb, experiments: f.experiments, wallMs: s.wallMs, cpuMs: s.cpuMs, maxRssMB: s.maxRssMB, timedOut: s.timedOut, status: s.status };
  });
  const k = points.slice(1).map((p, i) => (p.timedOut || points[i].timedOut ? null : Math.log(p.cpuMs / points[i].cpuMs) / Math.log(p.mb / points[i].mb)));
  // The slope over all sizes: least-squares fit of log CPU time against log size (1 = linear).
  const ok = points.filter((p) => !p.timedOut && p.cpuMs > 0);
  const xs = ok.map((p) => Math.log(p.mb)); const ys = ok.map((p) => Math.log(p.cpuMs));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length; const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = ok.length < 2 ? null : xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  // Marginal cost per MB between the two largest sizes (fixed startup cost excluded).
  const last = ok.length >= 2 ? (ok[ok.length - 1].cpuMs - ok[ok.length - 2].cpuMs) / (ok[ok.length - 1].mb - ok[ok.length - 2].mb) : null;
  scaling.push({ command: COMMANDS[name].join(' '), points, k, slope, msPerMB: last });
  say(`  ${COMMANDS[name].join(' ').padEnd(12)} ${points.map((p) => `${p.mb} MB: ${p.timedOut ? `> ${timeoutS} s` : `${fmtMs(p.wallMs)} (cpu ${fmtMs(p.cpuMs)}, ${p.maxRssMB.toFixed(0)} MB)`}`).join('  ')}  k = ${k.map((x) => (x === null ? '?' : x.toFixed(2))).join(', ')}; slope ${slope === null ? '?' : slope.toFixed(2)}${last === null ? '' : `, ${fmtMs(last)} cpu per extra MB`}`);
}

// ---- 3. in-process phases ------------------------------------------------------------------------------
const host = nodeHost({ cwd: root });
const ms = (t0: number) => performance.now() - t0;
const big = 'bench-generated.lssd';
const { text } = sweep(5000 * 31); // ~5,000 lines
const lines = text.split('\n').length;
const bigHost: CompilerHost = { ...host, readFile: (p) => (p === big ? text : host.readFile(p)) };
const parseT: number[] = []; const compileT: number[] = []; const fmtT: number[] = [];
let bigErrors = 0; let bigExperiments = 0;
for (let k = 0; k < Math.max(3, Math.min(runs, 5)); k++) {
  let t = performance.now(); const p = parse({ name: big, text }); parseT.push(ms(t));
  t = performance.now(); format(p.value!); fmtT.push(ms(t));
  t = performance.now(); const r = compileFile(big, bigHost); compileT.push(ms(t));
  bigErrors = r.diagnostics.filter((d) => d.severity === 'error').length; bigExperiments = r.value?.experiments.length ?? 0;
}
const phases = { lines, experiments: bigExperiments, errors: bigErrors, parseMs: median(parseT), compileMs: median(compileT), fmtMs: median(fmtT) };
say(`\nin process, ${lines}-line file (${bigExperiments} experiments, ${bigErrors} errors): parse ${phases.parseMs.toFixed(1)} ms, compile (load+parse+resolve+check+validate) ${phases.compileMs.toFixed(1)} ms, fmt ${phases.fmtMs.toFixed(1)} ms`);
say(`load average after: ${load()}`);
if (json) process.stdout.write(JSON.stringify({ loadBefore, loadAfter: load(), whole, scaling, phases }) + '\n');
rmSync(tmp, { recursive: true, force: true });
