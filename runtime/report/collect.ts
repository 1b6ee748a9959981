// What a report is made of, read from run directories: the resolved spec, run.json (hashes, backend, seed,
// times, status), probe results for the run's probe hash, the loss curve from metrics.jsonl, and the
// cached probe-set embeddings (for the 2-D plot). For a spec/grid file the run directories are found by
// stage hash under <root>/runs/, exactly where `lssdc run` put them.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeResult, SecondaryViews } from '../contracts.ts';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { PROBE, ProbeError } from '../probes/errors.ts';
import { runDirFor } from '../orchestrate/run-dir.ts';
import { readRefs, type StoreRef } from '../store/refs.ts';

export interface LossPoint { step: number; total: number; L: number; L_v: number; L_a: number }

export interface RunRecord {
  name: string;
  label: string;
  file?: string;
  hashes: { pretrain: string; probe: string };
  backend: string | null;
  seed: number;
  status: string;
  started: string | null;
  ended: string | null;
  overrides?: Record<string, unknown>;
  /** Scale profile the experiment ran under (shown as `A.4 @ cpu`), null for none. */
  profile?: string | null;
  /** Every experiment that maps to this store entry (same pretrain hash), most recently used first. */
  sharedWith?: StoreRef[];
  /** run.json `secondaryViews`: a_s from a dub or fallen back to a second augmentation of a_p. */
  secondaryViews?: SecondaryViews;
}

export interface ReportRun {
  runDir: string;
  spec: ResolvedSpec;
  record: RunRecord;
  /** False when the experiment has no run directory yet (listed in the report as not run). */
  exists: boolean;
  results: ProbeResult[];
  losses: LossPoint[];
}

const readJson = <T>(path: string): T | undefined => { try { return JSON.parse(readFileSync(path, 'utf8')) as T; } catch { return undefined; } };

/** The store entry of a pretrain hash, where the orchestrator trains it (runtime/orchestrate/run-dir.ts). */
export const runDirOf = (root: string, pretrainHash: string) => runDirFor(root, pretrainHash);

function readResults(path: string): ProbeResult[] | undefined {
  const r = readJson<ProbeResult[] | { results: ProbeResult[] }>(path);
  if (!r) return undefined;
  return Array.isArray(r) ? r : Array.isArray(r.results) ? r.results : undefined;
}

/** Probe results for `probeHash`, else the newest results.json of the run (a report of an older probe plan beats none). */
export function readRunResults(runDir: string, probeHash: string | undefined): ProbeResult[] {
  if (probeHash) {
    const r = readResults(join(runDir, 'probes', probeHash.slice(0, 12), 'results.json'));
    if (r) return r;
  }
  const dir = join(runDir, 'probes');
  if (!existsSync(dir)) return [];
  const candidates = readdirSync(dir).map((d) => join(dir, d, 'results.json')).filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const c of candidates) { const r = readResults(c); if (r) return r; }
  return [];
}

export function readLosses(runDir: string): LossPoint[] {
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const out: LossPoint[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line);
      // Step records: run events (`type: 'step'`, written by the orchestrator) or the trainer's own lines
      // (no `type`, a `step` and a `loss`). Epoch and checkpoint records are skipped.
      const isStep = e.type === 'step' || (e.type === undefined && typeof e.step === 'number');
      if (isStep && e.loss && typeof e.loss.total === 'number') out.push({ step: e.step, total: e.loss.total, L: e.loss.L, L_v: e.loss.L_v, L_a: e.loss.L_a });
    } catch { /* a torn last line after kill -9: ignore */ }
  }
  // A resumed run may log a step twice (before and after the interruption): keep the last record.
  const byStep = new Map(out.map((p) => [p.step, p]));
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/** Reads one run directory (needs spec.json). */
export function readRunDir(runDir: string, expected?: { spec: ResolvedSpec; hashes: { pretrain: string; probe: string }; profile?: string | null; file?: string }): ReportRun {
  const specPath = join(runDir, 'spec.json');
  // The store entry is shared by every experiment with its pretrain hash; spec.json is the one that trained
  // it first. The experiment being reported (name, label, probes) is the file's own spec. A profiled one is
  // shown as `A.4 @ cpu`.
  const stored = expected ? undefined : readJson<ResolvedSpec>(specPath);
  const own = expected?.spec;
  // (compiler/profile.ts already labels profiled specs so; an unlabelled one gets it here.)
  const suffix = expected?.profile ? ` @ ${expected.profile}` : '';
  const spec = own && suffix && !(own.label || '').endsWith(suffix) ? { ...own, label: `${own.label || own.name}${suffix}` } : own ?? stored;
  if (!spec) {
    throw new ProbeError(PROBE.badReportInput.code, 'not a run directory: spec.json is missing or unreadable', runDir,
      'pass a run directory under .lssd/runs/, or the .lssd file whose experiments were run');
  }
  const run = readJson<Partial<RunRecord> & { hashes?: { pretrain: string; probe: string } }>(join(runDir, 'run.json'));
  // The spec being reported decides which probe plan's results to show (run.json keeps the hashes of the
  // run that trained the checkpoint; a later probe plan has its own hash).
  const hashes = expected?.hashes ?? run?.hashes ?? stageHashes(spec);
  return {
    runDir, spec, exists: true,
    // A store entry is shared by every experiment with its pretrain hash: the one being reported names the
    // row (run.json names the experiment that trained it first).
    record: {
      name: expected?.spec.name ?? run?.name ?? spec.name, label: expected?.spec.label ?? run?.label ?? spec.label, file: expected?.file ?? run?.file, hashes,
      backend: run?.backend ?? null, seed: run?.seed ?? spec.optim.seed, status: run?.status ?? 'unknown',
      started: run?.started ?? null, ended: run?.ended ?? null, overrides: run?.overrides,
      profile: expected ? expected.profile ?? null : (run as { profile?: string | null } | undefined)?.profile ?? null,
      sharedWith: readRefs(runDir),
      ...(run?.secondaryViews ? { secondaryViews: run.secondaryViews } : {}),
    },
    results: readRunResults(runDir, hashes.probe),
    losses: readLosses(runDir),
  };
}

/** A ReportRun for an experiment that has no run directory yet. */
export function notRun(spec: ResolvedSpec, hashes: { pretrain: string; probe: string }, runDir: string): ReportRun {
  return { runDir, spec, exists: false, results: [], losses: [],
    record: { name: spec.name, label: spec.label, hashes, backend: null, seed: spec.optim.seed, status: 'not run', started: null, ended: null } };
}

/** The run directories of a compiled program's experiments (grid cells expanded), in declaration order. */
export function collectProgramRuns(experiments: ResolvedSpec[], all: Map<string, ResolvedSpec>, root: string, o: { profile?: string | null } = {}): ReportRun[] {
  return experiments.map((spec) => {
    const hashes = stageHashes(spec, (n) => all.get(n));
    const runDir = runDirOf(root, hashes.pretrain);
    return existsSync(runDir) ? readRunDir(runDir, { spec, hashes, profile: o.profile ?? null }) : notRun(spec, hashes, runDir);
  });
}

export interface EmbeddingCache {
  task: string;
  modality: string;
  dim: number;
  n: number;
  x: Float32Array;
  clips: { file: string; split: string; labels: string[] }[];
}

/** Cached probe-set embeddings of a run for `task` (newest when several), or undefined. */
export function readEmbeddings(runDir: string, task: string): EmbeddingCache | undefined {
  const dir = join(runDir, 'embeddings');
  if (!existsSync(dir)) return undefined;
  const metas = readdirSync(dir).filter((d) => !d.includes('.tmp-')).map((d) => join(dir, d, 'meta.json')).filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const m of metas) {
    const meta = readJson<{ task: string; modality: string; dim: number; n: number; clips: EmbeddingCache['clips'] }>(m);
    if (!meta || meta.task !== task) continue;
    const buf = readFileSync(join(m, '..', 'embeddings.f32'));
    if (buf.length !== meta.n * meta.dim * 4) continue;
    return { ...meta, x: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)) };
  }
  return undefined;
}
