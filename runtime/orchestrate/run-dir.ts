// The run store's entries: `<root>/runs/<pretrainHash12>/`, one per pretrain stage hash, shared by every
// experiment, grid cell and profile with that hash (docs/architecture.md, runtime/store/README.md). Names
// and labels are not part of the key: the experiments that map to an entry are recorded in its refs/.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from './atomic.ts';
import type { ProbeResult, SecondaryViews } from '../contracts.ts';

export interface RunJson {
  /** The experiment that first trained this entry (others that map to it: refs/). */
  name: string;
  label: string;
  /** Scale profile the experiment was run under (`lssdc run --profile`), null for none. */
  profile?: string | null;
  file: string;
  hashes: { pretrain: string; probe: string };
  backend: string | null;
  seed: number;
  /** Command-line overrides that changed the spec (recorded because they change the hash). */
  overrides: { steps?: number };
  /** `init from`: the parent's name when this entry was trained, its pretrain hash (the key of its entry). */
  init: { from: string; pretrain?: string; checkpointDir: string } | null;
  /** running → trained (final checkpoint written) → done (probes written); interrupted / failed on the way. */
  status: 'running' | 'trained' | 'done' | 'interrupted' | 'failed';
  started: string;
  ended: string | null;
  /** Every process that worked on this directory; a resumed run adds one. An attempt killed with -9 is
   *  marked `stale` by the next one (runtime/orchestrate/stale.ts). */
  attempts: { pid: number; host: string; started: string; ended: string | null; status: string; resumedFrom?: number | null }[];
  error?: string;
  /** Secondary audio views a_s over the steps trained: from a dub or fallen back to a second augmentation of a_p. */
  secondaryViews?: SecondaryViews;
}

export const short = (hash: string) => hash.slice(0, 12);
/** Names may contain characters unsafe in paths (grid cells: `A4[lr=1e-3]`); keep them readable. */
export const safeName = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'experiment';
export const runsDir = (root: string) => join(root, 'runs');
/** The store entry of a pretrain hash: the same directory for every experiment with that hash. */
export const runDirFor = (root: string, pretrainHash: string) => join(runsDir(root), short(pretrainHash));
/** An entry directory's name: exactly 12 lowercase hex digits. */
export const isEntryName = (n: string) => /^[0-9a-f]{12}$/.test(n);
export const finalCheckpoint = (runDir: string) => join(runDir, 'checkpoints', 'final');
export const probeResultsPath = (runDir: string, probeHash: string) => join(runDir, 'probes', short(probeHash), 'results.json');

export const isTrained = (runDir: string) => existsSync(finalCheckpoint(runDir));

export function readRunJson(runDir: string): RunJson | undefined {
  return readJson<RunJson>(join(runDir, 'run.json'));
}

export function updateRunJson(runDir: string, patch: (r: RunJson) => RunJson): RunJson {
  const cur = readRunJson(runDir);
  if (!cur) throw new Error(`run.json missing in ${runDir}`);
  const next = patch(cur);
  writeJsonAtomic(join(runDir, 'run.json'), next);
  return next;
}

/** Probe results written for this probe hash (P writes them; an array or `{ results: [...] }`). */
export function readProbeResults(runDir: string, probeHash: string): ProbeResult[] | undefined {
  const r = readJson<ProbeResult[] | { results: ProbeResult[] }>(probeResultsPath(runDir, probeHash));
  if (!r) return undefined;
  return Array.isArray(r) ? r : Array.isArray(r.results) ? r.results : undefined;
}

/** Highest `checkpoints/step-<N>` present (for display: training itself resumes from it). */
export function lastCheckpointStep(runDir: string): number | null {
  const dir = join(runDir, 'checkpoints');
  if (!existsSync(dir)) return null;
  let best: number | null = null;
  for (const n of readdirSync(dir)) {
    const m = /^step-(\d+)$/.exec(n);
    if (m && (best === null || Number(m[1]) > best)) best = Number(m[1]);
  }
  return best;
}
