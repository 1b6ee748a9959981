// A recorded-shape event stream of one small run (what runtime/train + probes emit), for renderer tests.
import type { TaggedRunEvent } from '../../runtime/contracts.ts';

export function oneRunStream(o: { name?: string; steps?: number; perEpoch?: number; run?: string } = {}): TaggedRunEvent[] {
  const name = o.name ?? 'quickstart';
  const total = o.steps ?? 40;
  const spe = o.perEpoch ?? 10;
  const tag = o.run ? { run: o.run } : {};
  const ev: TaggedRunEvent[] = [
    { type: 'program-start', file: 'experiments/quickstart.lssd', jobs: 1, cells: [{ name, label: 'Q', runDir: `.lssd/runs/${name}-0123456789ab`, after: null, hash: '0123456789ab', cached: false }] },
    { type: 'cell-state', name, state: 'running', ...tag },
    { type: 'data-progress', phase: 'synth', done: 1, total: 3, detail: 'title 1', ...tag },
    { type: 'data-progress', phase: 'synth', done: 3, total: 3, ...tag },
    { type: 'run-start', name, runDir: `.lssd/runs/${name}-0123456789ab`, backend: 'cpu', seed: 7, totalSteps: total, stepsPerEpoch: spe, resumedFrom: null, specHash: '0123456789abcdef', ...tag },
  ];
  for (let s = 1; s <= total; s++) {
    // A falling loss with a little wiggle, as a real run's.
    const L = 4 * Math.exp(-s / 15) + 0.5 + 0.05 * Math.sin(s);
    ev.push({ type: 'step', step: s, epoch: Math.floor((s - 1) / spe), loss: { L, L_v: L * 0.9, L_a: L * 1.1, total: L }, lr: 3e-4 * (1 - s / (total + 1)), clipsPerSec: 12.5, dataWaitMs: 1, ...tag });
    if (s % spe === 0) {
      ev.push({ type: 'epoch-end', epoch: s / spe - 1, loss: { L, L_v: L * 0.9, L_a: L * 1.1, total: L }, seconds: 3.2, ...tag });
      ev.push({ type: 'checkpoint', step: s, path: `.lssd/runs/${name}-0123456789ab/checkpoints/step-${s}`, ...tag });
    }
  }
  ev.push(
    { type: 'probe-start', task: 'synthetic_scene', n: 120, ...tag },
    { type: 'probe-end', task: 'synthetic_scene', metric: 'top1', value: 0.625, ...tag },
    { type: 'run-end', status: 'done', seconds: 14.2, ...tag },
    { type: 'cell-state', name, state: 'done', ...tag },
    { type: 'results', table: { columns: [{ task: 'synthetic_scene', group: 'sound_scene', metric: 'top1' }], rows: [{ name, label: 'Q', values: [{ value: 0.625, std: null }] }] } },
  );
  return ev;
}

/** Fake terminal stream for Ink: records what is written; `frames` joined is the screen's history. */
import { EventEmitter } from 'node:events';
export class FakeStdout extends EventEmitter {
  columns = 110;
  rows = 40;
  isTTY = true;
  writes: string[] = [];
  write(s: string) { this.writes.push(s); return true; }
  get text() { return stripAnsi(this.writes.join('')); }
  get last() { return stripAnsi(this.writes[this.writes.length - 1] ?? ''); }
}

export const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\u001b\][^\u0007]*\u0007/g, '');
