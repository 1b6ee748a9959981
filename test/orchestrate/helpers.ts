// Fakes for orchestration tests: a ResolvedSpec factory and a fake runtime (data, training, probes)
// that behaves like the real one where orchestration can tell: atomic step checkpoints, resume from the
// last one, `init` from a parent's final checkpoint, interruption through the AbortSignal.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, writeFileSync, existsSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import type { Dataset, ProbeResult, TaggedRunEvent } from '../../runtime/contracts.ts';
import type { RuntimeDeps } from '../../runtime/orchestrate/deps.ts';

export function spec(name: string, o: { steps?: number; seed?: number; parent?: string; probes?: string[]; catalog?: ResolvedSpec['data']['catalog'] } = {}): ResolvedSpec {
  return {
    lssd: 1, name, label: name, description: '', origin: { file: 'test.lssd', extends: [] },
    data: {
      catalog: o.catalog ?? { kind: 'synthetic', titles: 2, minutes_per_title: 1, seed: 0, languages: ['en', 'es'] },
      filters: { original_language: { include: 'all', exclude: [] }, dubs: { min: 0, max: null }, content: ['movie', 'episode'] },
      shots: { min_length: 3, max_length: 12, cut_detection: { method: 'sidecar', threshold: 0.3 } },
      budget: null, batch: { per_device: 4, devices: 1, same_title_per_device: 2 }, windows: { count: 2, length: 1 },
      expected: { shots: null, avg_dubs: null },
    },
    views: {
      video: { fps: 4, frames: 2, scale: { min: 32, max: 40 }, crop: 32, flip: true },
      audio: { sample_rate: 16000, n_fft: 512, hop: 256, mels: 32, db: true, time_mask: 0.5, freq_mask: 0.5, channels: 'mono', source: 'mix' },
    },
    dubs: { policy: 'any', languages: [], primary: 'original' },
    model: {
      modality: 'audio_only', video: null,
      audio: { name: 'tiny', modality: 'audio', family: 'patch_mlp', output_dim: 16, config: {}, published_params: null },
      heads: { hidden: [], dim: 8, share_audio: true },
    },
    loss: { kind: 'nt_xent', temperature: 0.1, lambda_v: 0, lambda_a: 1, track: ['L', 'L_v', 'L_a'] },
    optim: {
      optimizer: { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, momentum: 0 },
      schedule: { kind: 'constant', warmup: { steps: 0 }, min_lr: 0 },
      duration: { steps: o.steps ?? 12 }, seed: o.seed ?? 0,
    },
    init: o.parent ? { kind: 'from', experiment: o.parent, file: 'test.lssd', checkpoint: 'final' } : { kind: 'random' },
    probes: (o.probes ?? ['scene']).map((task) => ({
      task, suite: 'synthetic', source: { kind: 'synthetic', task }, modality: 'audio', group: 'sound_scene', prediction: 'multiclass', metric: 'top1',
      probe: { kind: 'linear', hidden: [[]], dropout: [0], lr: [1e-3], init: ['xavier_uniform'], hidden_norm: 'none', embedding_norm: 'zscore', steps: 0, warmup: 0, shuffle: true, val_every: 1, grid_points: 0, grid_seed: 42, select: 'first', optimizer: 'adam', epochs: 1, batch: 8, patience: 1, schedule: 'constant' },
      pooling: 'mean', window: 1,
    })),
    runtime: { backend: 'auto', checkpoint_every_steps: 4, workers: 0, log_every_steps: 1 },
  } as ResolvedSpec;
}

export const program = (...specs: ResolvedSpec[]) => ({ experiments: specs, all: new Map(specs.map((s) => [s.name, s])) });

export const tmp = () => mkdtempSync(join(tmpdir(), 'lssd-orch-'));

export interface FakeLog {
  trained: { name: string; resumedFrom: number | null; init?: string; steps: number[] }[];
  probed: string[];
  datasets: string[];
  maxConcurrent: number;
}

/**
 * @param stepDelayMs time per fake step (lets tests overlap cells and interrupt mid-run)
 * @param onStep called after each step (tests abort from here)
 */
export function fakeDeps(o: { stepDelayMs?: number; onStep?: (name: string, step: number) => void; failTrain?: string[]; probeValue?: (name: string) => number;
  /** The dataset's secondaryViews (runtime/media/ensure.ts computes it from the batch plans). */
  secondaryViews?: Dataset['secondaryViews']; lowerOptim?: boolean } = {}): { deps: RuntimeDeps; log: FakeLog } {
  const log: FakeLog = { trained: [], probed: [], datasets: [], maxConcurrent: 0 };
  let concurrent = 0;
  const deps: RuntimeDeps = {
    lower: (s) => ({ value: { experiment: s.name, steps: (s.optim.duration as { steps: number }).steps,
      ...(o.lowerOptim ? { optim: { schedule: { totalSteps: (s.optim.duration as { steps: number }).steps } } } : {}) }, diagnostics: [] }),
    selectBackend: async (pref) => (pref === 'auto' ? 'cpu' : pref),
    ensureDataset: async (s, { events }) => {
      log.datasets.push(s.name);
      events?.onProgress?.({ phase: 'synth', done: 2, total: 2 });
      const ds: Dataset = {
        titles: [], stats: { titles: 2, shots: 8, avgDubs: 1, shotsDropped: { tooShort: 0, tooLong: 0 } },
        batchAt: async () => { throw new Error('not used by the fake trainer'); }, stepsPerEpoch: 4, close: async () => undefined,
        ...(o.secondaryViews ? { secondaryViews: o.secondaryViews } : {}),
      };
      return ds;
    },
    trainExperiment: async ({ spec: s, runDir, events, signal, init }) => {
      concurrent++; log.maxConcurrent = Math.max(log.maxConcurrent, concurrent);
      try {
        if (o.failTrain?.includes(s.name)) throw new Error(`fake training of ${s.name} diverged`);
        const total = (s.optim.duration as { steps: number }).steps;
        const ckDir = join(runDir, 'checkpoints');
        mkdirSync(ckDir, { recursive: true });
        const last = readdirSync(ckDir).map((n) => /^step-(\d+)$/.exec(n)).filter(Boolean).map((m) => Number(m![1])).sort((a, b) => b - a)[0] ?? null;
        const entry = { name: s.name, resumedFrom: last, ...(init ? { init: init.checkpointDir } : {}), steps: [] as number[] };
        log.trained.push(entry);
        if (init && !existsSync(init.checkpointDir)) throw new Error(`init checkpoint missing: ${init.checkpointDir}`);
        // Like runtime/train: metrics.jsonl gets every step; a resume cuts it back to the checkpoint.
        const metricsPath = join(runDir, 'metrics.jsonl');
        if (existsSync(metricsPath)) {
          const keep = readFileSync(metricsPath, 'utf8').split('\n').filter((l) => { try { return JSON.parse(l).step <= (last ?? 0); } catch { return false; } });
          writeFileSync(metricsPath, keep.map((l) => l + '\n').join(''));
        }
        events({ type: 'run-start', name: s.name, runDir, backend: s.runtime.backend, seed: s.optim.seed, totalSteps: total, stepsPerEpoch: 4, resumedFrom: last, specHash: 'x' });
        const save = (name: string, step: number) => {
          const t = join(ckDir, `.tmp-${name}`);
          mkdirSync(t, { recursive: true });
          writeFileSync(join(t, 'state.json'), JSON.stringify({ step }));
          renameSync(t, join(ckDir, name));
          events({ type: 'checkpoint', step, path: join(ckDir, name) });
        };
        for (let step = (last ?? 0) + 1; step <= total; step++) {
          if (o.stepDelayMs) await new Promise((r) => setTimeout(r, o.stepDelayMs));
          const L = 3 / step;
          entry.steps.push(step);
          appendFileSync(metricsPath, JSON.stringify({ step, loss: { L, L_v: 0, L_a: L, total: L } }) + '\n');
          events({ type: 'step', step, epoch: Math.ceil(step / 4), loss: { L, L_v: 0, L_a: L, total: L }, lr: 1e-3, clipsPerSec: 10, dataWaitMs: 0 });
          o.onStep?.(s.name, step);
          if (step % s.runtime.checkpoint_every_steps === 0) save(`step-${step}`, step);
          if (signal.aborted) {
            if (step % s.runtime.checkpoint_every_steps !== 0) save(`step-${step}`, step);
            return { status: 'interrupted', checkpointDir: join(ckDir, `step-${step}`) };
          }
        }
        save('final', total);
        return { status: 'done', checkpointDir: join(ckDir, 'final') };
      } finally { concurrent--; }
    },
    probeExperiment: async ({ spec: s, events }) => {
      log.probed.push(s.name);
      return s.probes.map((p): ProbeResult => {
        events({ type: 'probe-start', task: p.task, n: 10 });
        const value = o.probeValue?.(s.name) ?? 0.5;
        events({ type: 'probe-end', task: p.task, metric: p.metric === 'auto' ? 'top1' : p.metric, value });
        return { task: p.task, suite: p.suite, group: p.group, modality: p.modality, metric: p.metric === 'auto' ? 'top1' : p.metric, value, std: null, folds: [], n: { train: 8, valid: 2, test: 2 }, seconds: 0 };
      });
    },
  };
  return { deps, log };
}

export function collector() {
  const events: TaggedRunEvent[] = [];
  return { events, emit: (e: TaggedRunEvent) => { events.push(e); } };
}

export const readJsonl = (p: string) => readFileSync(p, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
