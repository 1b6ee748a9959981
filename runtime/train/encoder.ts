// Frozen encoders for probing (the paper's protocol: heads discarded, backbone outputs mean-pooled).
// Loads <runDir>/checkpoints/final: its plan.json (written with every checkpoint, so a checkpoint is
// self-describing) rebuilds the towers, and only the backbone parameters are read.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Plan } from '../../compiler/plan.ts';
import type { Encoder } from '../contracts.ts';
import { activeBackend, selectBackend } from './backend.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { buildTower, type Tower } from './models/index.ts';
import { ParamStore } from './store.ts';
import { TrainCodes, TrainError } from './errors.ts';
import { repeatChannels } from '../media/channels.ts';

/** Examples per forward pass when embedding (bounds activation memory). */
const CHUNK = 32;

export function readCheckpointPlan(dir: string): Plan {
  const p = join(dir, 'plan.json');
  if (!existsSync(p)) throw new TrainError(TrainCodes.badCheckpoint, 'checkpoint has no plan.json', { path: dir });
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Plan;
  } catch (e) {
    throw new TrainError(TrainCodes.badCheckpoint, `plan.json is unreadable: ${(e as Error).message}`, { path: p });
  }
}

export async function loadEncoder(runDir: string): Promise<Encoder> {
  const dir = join(runDir, 'checkpoints', 'final');
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new TrainError(TrainCodes.badCheckpoint, 'the run has no final checkpoint (training has not finished)', { path: dir, hint: 'run `lssdc run` on the experiment first' });
  }
  if (!activeBackend()) await selectBackend('auto');
  const plan = readCheckpointPlan(dir);
  const ck = loadCheckpoint(dir);
  const store = new ParamStore(plan.optim.seed);
  const audio = buildTower(plan.graph.towers.audio, store, 'audio');
  const video = plan.graph.towers.video ? buildTower(plan.graph.towers.video, store, 'video') : null;
  store.training = false; // batch norm normalises with its running statistics
  for (const [name, v] of store.saved()) {
    const t = ck.tensors.get(name);
    if (!t || t.shape.join(',') !== v.shape.join(',')) throw new TrainError(TrainCodes.badCheckpoint, `checkpoint lacks backbone parameter '${name}' [${v.shape}]`, { path: dir });
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
  }
  const per = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const embedWith = (tower: Tower) => async (data: Float32Array, n: number): Promise<Float32Array> => {
    const size = per(tower.plan.input);
    if (data.length !== n * size) {
      throw new TrainError(TrainCodes.shapeMismatch, `${tower.plan.modality} input has ${data.length} floats for n = ${n}, expected n × [${tower.plan.input}] = ${n * size}`);
    }
    const out = new Float32Array(n * tower.plan.outputDim);
    for (let i = 0; i < n; i += CHUNK) {
      const k = Math.min(CHUNK, n - i);
      const y = tf.tidy(() => tower.forward(tower.prepare(data.subarray(i * size, (i + k) * size), k), k));
      out.set((await y.data()) as Float32Array, i * tower.plan.outputDim);
      y.dispose();
    }
    return out;
  };
  const a = plan.graph.towers.audio;
  // Probes hand over mono log-mel windows; a pseudo-stereo tower ([frames, mels, 2]) gets them duplicated, as in training.
  const ch = a.input[2] ?? 1;
  const audioEmbed = embedWith(audio);
  return {
    runDir,
    specHash: plan.specHash,
    audio: { dim: a.outputDim, frames: a.input[0], mels: a.input[1], embed: ch === 1 ? audioEmbed : (x, n) => audioEmbed(repeatChannels(x, ch), n) },
    video: video ? { dim: video.plan.outputDim, shape: video.plan.input as [number, number, number, number], embed: embedWith(video) } : null,
    dispose: () => store.dispose(),
  };
}
