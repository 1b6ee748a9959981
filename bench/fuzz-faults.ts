// Fault injection on training runs (issue 13): kill -9 at many points of a 100-step run (cpu backend,
// fixed seed, checkpoints every 4 steps; test/signals/fixtures/sig.lssd, or with --spec another, such as
// sig-cpu.lssd, whose tower is small enough for the pure-JS backend), resume after each kill, and
// compare the final checkpoint byte for byte with an uninterrupted run's.
//
//   node --import tsx bench/fuzz-faults.ts [--points 24] [--steps 100] [--seed S] [--backend cpu] [--spec FILE] [--control] [--prepared DIR] [--json]
//
// Kill points are random steps (seeded), each followed by a random 0–40 ms delay so that some land
// inside a checkpoint write; every attempt resumes from the newest complete checkpoint. The final
// checkpoints must match: weights.bin and every other file byte-identical, manifest.json equal but for
// its `created` time. test/signals/faults.test.ts runs the same sweep with 2 points on sig-cpu.lssd.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyRoot, lssdc, preparedRoot, SIG_SPEC, type Proc } from '../test/signals/helpers.ts';
import { rng } from '../test/fuzz/mutate.ts';

export interface SweepResult {
  points: number[];
  /** One per process started: the step it resumed from, the last step it logged, how it ended. */
  attempts: { resumedFrom: number | null; lastStep: number | null; signal: string | null; code: number | null }[];
  reference: string;
  final: string;
  /** Files of the final checkpoint that differ from the reference's (empty: bit-identical). */
  differences: string[];
  /** With `control`: files differing between two uninterrupted runs (non-empty: the backend itself is not deterministic). */
  controlDifferences?: string[];
  backend: string;
  seconds: number;
}

const runDirOf = (p: Proc) => (p.events.find((e) => e.type === 'run-start') as { runDir: string } | undefined)?.runDir;

/** The files of a checkpoint directory, manifest.json without its `created` stamp. */
function checkpointFiles(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(dir).sort()) {
    let b = readFileSync(join(dir, f));
    if (f === 'manifest.json') { const m = JSON.parse(b.toString('utf8')); delete m.created; b = Buffer.from(JSON.stringify(m)); }
    out.set(f, b);
  }
  return out;
}

async function runOnce(spec: string, root: string, steps: number, backend: string, killAt?: { step: number; delayMs: number }) {
  let sent = false;
  const p = lssdc(['run', spec, '--root', root, '--json', '--steps', String(steps), '--no-probe', '--backend', backend], (e, pp) => {
    if (killAt && !sent && e.type === 'step' && e.step >= killAt.step) {
      sent = true;
      setTimeout(() => pp.child.kill('SIGKILL'), killAt.delayMs);
    }
  });
  const r = await p.done;
  const stepsSeen = p.events.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step);
  const start = p.events.find((e) => e.type === 'run-start') as { resumedFrom: number | null } | undefined;
  return { p, r, runDir: runDirOf(p), resumedFrom: start?.resumedFrom ?? null, lastStep: stepsSeen.length ? Math.max(...stepsSeen) : null };
}

/**
 * `prepared`: a root whose corpus and features exist (a 1-step run made them); copied, never changed.
 * Returns the attempts and the differences between the final checkpoints.
 */
export async function killSweep(o: { prepared: string; points: number; steps: number; seed: number; log?: (s: string) => void;
  /** Default 'cpu' (tfjs-backend-cpu: deterministic). */ backend?: string;
  /** The experiment file; default test/signals/fixtures/sig.lssd (its corpus is what `prepared` holds). */ spec?: string;
  /** Also a second uninterrupted run, compared with the first: tells a backend's own nondeterminism from a resume bug. */ control?: boolean }): Promise<SweepResult> {
  const backend = o.backend ?? 'cpu', spec = o.spec ?? SIG_SPEC;
  const t0 = Date.now();
  const r = rng(o.seed);
  const fresh = (name: string) => copyRoot(o.prepared, `lssd-faults-${name}-`);
  const refRoot = fresh('ref'), faultRoot = fresh('kill'), controlRoot = o.control ? fresh('control') : undefined;
  try {
    const ref = await runOnce(spec, refRoot, o.steps, backend);
    if (ref.r.code !== 0 || !ref.runDir) throw new Error(`reference run failed (exit ${ref.r.code}): ${ref.p.stderr().slice(-2000)}`);
    o.log?.(`reference: ${o.steps} steps in ${(ref.r.ms / 1000).toFixed(1)} s`);
    // Distinct kill steps spread over the run (never the last step, so each kill leaves work to resume).
    const points = new Set<number>();
    while (points.size < Math.min(o.points, o.steps - 1)) points.add(1 + Math.floor(r() * (o.steps - 1)));
    const sorted = [...points].sort((a, b) => a - b);
    const attempts: SweepResult['attempts'] = [];
    let runDir: string | undefined;
    for (const step of sorted) {
      const a = await runOnce(spec, faultRoot, o.steps, backend, { step, delayMs: Math.floor(r() * 40) });
      runDir ??= a.runDir;
      attempts.push({ resumedFrom: a.resumedFrom, lastStep: a.lastStep, signal: a.r.signal, code: a.r.code });
      o.log?.(`  kill at ≥${step}: resumed from ${a.resumedFrom ?? 0}, last step ${a.lastStep}, ${a.r.signal ?? `exit ${a.r.code}`}`);
      if (a.r.code === 0) break; // finished before the kill landed (a late point): nothing left to interrupt
      if (a.r.signal !== 'SIGKILL') throw new Error(`attempt ended with exit ${a.r.code}, not a kill: ${a.p.stderr().slice(-2000)}`);
    }
    const last = await runOnce(spec, faultRoot, o.steps, backend);
    attempts.push({ resumedFrom: last.resumedFrom, lastStep: last.lastStep, signal: last.r.signal, code: last.r.code });
    if (last.r.code !== 0) throw new Error(`the final resume failed (exit ${last.r.code}): ${last.p.stderr().slice(-2000)}`);
    runDir ??= last.runDir;
    const refFinal = join(ref.runDir, 'checkpoints', 'final'), final = join(runDir!, 'checkpoints', 'final');
    if (!existsSync(final)) throw new Error(`no final checkpoint at ${final}`);
    const a = checkpointFiles(refFinal), b = checkpointFiles(final);
    const diff = (x: Map<string, Buffer>, y: Map<string, Buffer>) => [...new Set([...x.keys(), ...y.keys()])].filter((f) => !x.get(f) || !y.get(f) || !x.get(f)!.equals(y.get(f)!));
    let controlDifferences: string[] | undefined;
    if (controlRoot) {
      const c = await runOnce(spec, controlRoot, o.steps, backend);
      if (c.r.code !== 0 || !c.runDir) throw new Error(`control run failed (exit ${c.r.code}): ${c.p.stderr().slice(-2000)}`);
      controlDifferences = diff(a, checkpointFiles(join(c.runDir, 'checkpoints', 'final')));
    }
    return { points: sorted, attempts, reference: refFinal, final, differences: diff(a, b), controlDifferences, backend, seconds: (Date.now() - t0) / 1000 };
  } finally {
    rmSync(refRoot, { recursive: true, force: true });
    rmSync(faultRoot, { recursive: true, force: true });
    if (controlRoot) rmSync(controlRoot, { recursive: true, force: true });
  }
}

/** A root with the fixture's corpus and features, made by a 1-step run (shared within one `npm test` run). */
export const prepareRoot = (): Promise<string> => preparedRoot('lssd-faults-prep-');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (k: string, d: string) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
  const json = args.includes('--json');
  const say = (s: string) => { if (!json) process.stdout.write(s + '\n'); };
  const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');
  // --prepared DIR: a root an earlier sweep (or a 1-step run) prepared, reused instead of synthesising the
  // corpus again (minutes under load); copied, never changed, and kept.
  const given = opt('--prepared', '');
  const prepared = given || await prepareRoot();
  try {
    const res = await killSweep({ prepared, points: Number(opt('--points', '24')), steps: Number(opt('--steps', '100')), seed: Number(opt('--seed', '20261201')), log: say,
      backend: opt('--backend', 'cpu'), spec: opt('--spec', SIG_SPEC), control: args.includes('--control') });
    const kills = res.attempts.filter((a) => a.signal === 'SIGKILL').length;
    const summary = { ...res, kills, identical: res.differences.length === 0, loadBefore, loadAfter: loadavg().map((x) => x.toFixed(2)).join(' ') };
    if (json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    else say(`${kills} kill -9s over a ${opt('--steps', '100')}-step run, ${res.attempts.length} processes, ${res.seconds.toFixed(0)} s: final checkpoint ${summary.identical ? 'bit-identical to the uninterrupted run' : `DIFFERS in ${res.differences.join(', ')}`}${res.controlDifferences ? `; a second uninterrupted run ${res.controlDifferences.length ? `DIFFERS in ${res.controlDifferences.join(', ')}` : 'is bit-identical too'}` : ''}; load ${loadBefore} → ${summary.loadAfter}`);
    process.exitCode = summary.identical && kills >= Math.min(20, Number(opt('--points', '24'))) ? 0 : 1;
  } finally { if (!given) rmSync(prepared, { recursive: true, force: true }); }
}
