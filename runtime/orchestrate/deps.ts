// The runtime pieces orchestration drives, behind one interface so tests inject fakes and the real ones
// (tfjs, ffmpeg) are only loaded when a run actually needs them.
import type { ResolvedSpec } from '../../compiler/spec.ts';
import type { Outcome } from '../../compiler/diagnostic.ts';
import type { DataEvents, Dataset, ProbeResult, RunEvent } from '../contracts.ts';

export type EventSink = (e: RunEvent) => void;

export interface TrainArgs {
  spec: ResolvedSpec;
  plan: unknown;
  runDir: string;
  dataset: Dataset;
  events: EventSink;
  signal: AbortSignal;
  init?: { checkpointDir: string };
}

export interface ProbeArgs {
  spec: ResolvedSpec;
  runDir: string;
  root: string;
  events: EventSink;
  signal: AbortSignal;
  /** The probe-stage hash as the orchestrator computed it (with lineage); results go under it. */
  probeHash: string;
}

export interface RuntimeDeps {
  lower(spec: ResolvedSpec, program: unknown): Outcome<unknown>;
  selectBackend(pref: string): Promise<string>;
  ensureDataset(spec: ResolvedSpec, opts: { root: string; events?: DataEvents; batchSize: number }): Promise<Dataset>;
  trainExperiment(args: TrainArgs): Promise<{ status: 'done' | 'interrupted'; checkpointDir: string }>;
  probeExperiment(args: ProbeArgs): Promise<ProbeResult[]>;
}

/** The real implementations (compiler/lower.ts, runtime/train, runtime/media, runtime/probes). */
export async function loadRuntimeDeps(): Promise<RuntimeDeps> {
  const [lowerMod, train, media, probes] = await Promise.all([
    import('../../compiler/lower.ts'),
    import('../train/index.ts'),
    import('../media/ensure.ts'),
    import('../probes/index.ts'),
  ]);
  return {
    lower: lowerMod.lower as RuntimeDeps['lower'],
    selectBackend: train.selectBackend as RuntimeDeps['selectBackend'],
    trainExperiment: train.trainExperiment as unknown as RuntimeDeps['trainExperiment'],
    ensureDataset: media.ensureDataset as RuntimeDeps['ensureDataset'],
    probeExperiment: probes.probeExperiment as unknown as RuntimeDeps['probeExperiment'],
  };
}
