// End to end on a random-tensor dataset: the loss falls, no tensors leak per step, checkpoints are
// atomic and resume exactly (model + optimiser + step), init from loads a parent, the encoder embeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { lower } from '../../compiler/lower.ts';
import type { RunEvent } from '../../runtime/contracts.ts';
import { trainExperiment } from '../../runtime/train/index.ts';
import { loadEncoder } from '../../runtime/train/encoder.ts';
import { loadCheckpoint } from '../../runtime/train/checkpoint.ts';
import { isLssdError } from '../../runtime/media/errors.ts';
import { tinySpec, randomDataset } from './fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'lssd-train-'));
const never = new AbortController().signal;

function withSteps(steps: number, over: Parameters<typeof tinySpec>[0] = {}) {
  const s = tinySpec(over);
  return { ...s, optim: { ...s.optim, duration: { steps } } };
}

test('the loss falls on a learnable task; metrics and events are written; no tensors leak per step', async () => {
  const spec = withSteps(60);
  const plan = lower(spec).value!;
  const dir = tmp();
  const events: RunEvent[] = [];
  const tensorsAtStep: number[] = [];
  const r = await trainExperiment({ spec, plan, runDir: dir, dataset: randomDataset(spec), signal: never,
    events: (e) => { events.push(e); if (e.type === 'step') tensorsAtStep.push(tf.memory().numTensors); } });
  assert.equal(r.status, 'done');
  assert.equal(r.checkpointDir, join(dir, 'checkpoints', 'final'));
  const start = events.find((e) => e.type === 'run-start');
  assert.ok(start && start.type === 'run-start' && start.backend === tf.getBackend() && start.totalSteps === 60 && start.resumedFrom === null);
  const st = events.filter((e) => e.type === 'selftest');
  assert.ok(st.length >= 6 && st.every((e) => e.type === 'selftest' && e.ok));
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 60);
  const first = lines.slice(0, 8).reduce((s, l) => s + l.loss.L, 0) / 8, last = lines.slice(-8).reduce((s, l) => s + l.loss.L, 0) / 8;
  assert.ok(last < first * 0.6, `loss falls: first 8 steps ${first.toFixed(3)}, last 8 ${last.toFixed(3)}`);
  assert.ok(Number.isFinite(lines[5].loss.L_v) && Number.isFinite(lines[5].loss.L_a), 'tracked-only terms are logged');
  // Same number of live tensors after every step (after the first, which creates optimiser slots).
  assert.ok(tensorsAtStep.length >= 10);
  assert.deepEqual(new Set(tensorsAtStep.slice(1)).size, 1, `tensors per step: ${tensorsAtStep.slice(0, 12)}`);
  assert.ok(events.some((e) => e.type === 'epoch-end'));
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).filter((n) => n.startsWith('.tmp')), [], 'no temp dirs left');
  rmSync(dir, { recursive: true, force: true });
});

test('interrupt + resume reproduces an uninterrupted run exactly (weights, optimiser, step)', async () => {
  const spec = withSteps(8);
  const plan = lower(spec).value!;
  const a = tmp(), b = tmp();
  await trainExperiment({ spec, plan, runDir: a, dataset: randomDataset(spec), signal: never, events: () => {} });

  const ac = new AbortController();
  const ds = randomDataset(spec);
  const r1 = await trainExperiment({ spec, plan, runDir: b, dataset: ds, signal: ac.signal,
    events: (e) => { if (e.type === 'step' && e.step === 5) ac.abort(); } });
  assert.equal(r1.status, 'interrupted');
  assert.ok(r1.checkpointDir.endsWith('step-5'));
  const events: RunEvent[] = [];
  const ds2 = randomDataset(spec);
  const r2 = await trainExperiment({ spec, plan, runDir: b, dataset: ds2, signal: never, events: (e) => events.push(e) });
  assert.equal(r2.status, 'done');
  const start = events.find((e) => e.type === 'run-start');
  assert.ok(start && start.type === 'run-start' && start.resumedFrom === 5);
  assert.equal(ds2.calls[0], 5, 'resumed run continues with the batch of step 5');
  const fa = loadCheckpoint(join(a, 'checkpoints', 'final')), fb = loadCheckpoint(join(b, 'checkpoints', 'final'));
  assert.equal(fb.manifest.step, 8);
  assert.equal(fb.manifest.optimizer.t, 8);
  for (const [name, t] of fa.tensors) {
    const u = fb.tensors.get(name)!;
    let maxDiff = 0;
    for (let i = 0; i < t.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(t.data[i] - u.data[i]));
    assert.ok(maxDiff < 1e-6, `${name} differs by ${maxDiff}`);
  }
  const lines = readFileSync(join(b, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
  assert.deepEqual(lines, [1, 2, 3, 4, 5, 6, 7, 8]);
  // A finished run is not retrained.
  const again = await trainExperiment({ spec, plan, runDir: b, dataset: randomDataset(spec), signal: never, events: () => {} });
  assert.equal(again.status, 'done');
  rmSync(a, { recursive: true, force: true }); rmSync(b, { recursive: true, force: true });
});

test('a checkpoint of another spec is refused (LSSD5304); init from loads the parent backbones', async () => {
  const spec = withSteps(3);
  const plan = lower(spec).value!;
  const parentDir = tmp();
  await trainExperiment({ spec, plan, runDir: parentDir, dataset: randomDataset(spec), signal: never, events: () => {} });

  const other = withSteps(4);
  const otherPlan = lower(other).value!;
  await assert.rejects(trainExperiment({ spec: other, plan: otherPlan, runDir: parentDir, dataset: randomDataset(other), signal: never, events: () => {} }),
    (e: unknown) => isLssdError(e) && e.code === 'LSSD5304');

  const child = withSteps(2, { name: 'child', init: { kind: 'from', experiment: 'tiny', file: 'x', checkpoint: 'final' } });
  child.loss = { ...child.loss, lambda_a: 0.5 };
  // lr = 0: the child's final weights are exactly what it was initialised with.
  child.optim = { ...child.optim, optimizer: { ...child.optim.optimizer, lr: 0 } };
  const childPlan = lower(child, { all: new Map([['tiny', spec]]) }).value!;
  const childDir = tmp();
  const seen: number[] = [];
  await trainExperiment({ spec: child, plan: childPlan, runDir: childDir, dataset: randomDataset(child), signal: never,
    init: { checkpointDir: join(parentDir, 'checkpoints', 'final') }, events: (e) => { if (e.type === 'step') seen.push(e.loss.L); } });
  const pk = loadCheckpoint(join(parentDir, 'checkpoints', 'final')), ck = loadCheckpoint(join(childDir, 'checkpoints', 'final'));
  const backbone = [...pk.tensors.keys()].filter((n) => n.startsWith('audio/') || n.startsWith('video/'));
  assert.ok(backbone.length > 10);
  for (const n of backbone) assert.deepEqual(ck.tensors.get(n)!.data, pk.tensors.get(n)!.data, `${n} loaded from the parent`);
  assert.equal(ck.manifest.step, 2);
  assert.equal(seen.length, 2);
  const parentEnc = await loadEncoder(parentDir);
  assert.equal(parentEnc.specHash, plan.specHash);
  assert.equal(parentEnc.audio.frames, 16);
  assert.equal(parentEnc.video!.shape.join(','), '4,16,16,3');
  const batch = await randomDataset(spec).batchAt(0);
  const za = await parentEnc.audio.embed(batch.ap, batch.size);
  const zv = await parentEnc.video!.embed(batch.vp!, batch.size);
  assert.equal(za.length, batch.size * 24);
  assert.equal(zv.length, batch.size * 32);
  assert.ok(za.every(Number.isFinite) && zv.every(Number.isFinite));
  // Embedding is deterministic and per-example (batching does not change results).
  const one = await parentEnc.audio.embed(batch.ap.subarray(0, 16 * 16), 1);
  for (let i = 0; i < 24; i++) assert.ok(Math.abs(one[i] - za[i]) < 1e-5);
  parentEnc.dispose();
  await assert.rejects(trainExperiment({ spec: child, plan: childPlan, runDir: tmp(), dataset: randomDataset(child), signal: never,
    init: { checkpointDir: join(childDir, 'nope') }, events: () => {} }), (e: unknown) => isLssdError(e) && e.code === 'LSSD5305');
  assert.ok(existsSync(join(childDir, 'checkpoints', 'final', 'plan.json')));
  for (const d of [parentDir, childDir]) rmSync(d, { recursive: true, force: true });
});

test('audio-only models train L_a alone; share_audio = false gives separate primary/secondary heads', async () => {
  const spec = withSteps(3, {
    model: { modality: 'audio_only', video: null, audio: tinySpec().model.audio, heads: { hidden: [16], dim: 8, share_audio: false } },
    loss: { kind: 'nt_xent', temperature: 0.1, lambda_v: 0, lambda_a: 1, track: ['L', 'L_v', 'L_a'] },
  });
  const plan = lower(spec).value!;
  const dir = tmp();
  const steps: RunEvent[] = [];
  const r = await trainExperiment({ spec, plan, runDir: dir, dataset: randomDataset(spec), signal: never, events: (e) => { if (e.type === 'step') steps.push(e); } });
  assert.equal(r.status, 'done');
  const s = steps[0];
  assert.ok(s.type === 'step' && Number.isFinite(s.loss.L_a) && Number.isNaN(s.loss.L) && s.loss.total === s.loss.L_a);
  const ck = loadCheckpoint(r.checkpointDir);
  const names = [...ck.tensors.keys()];
  assert.ok(names.some((n) => n.startsWith('head/audio_p/')) && names.some((n) => n.startsWith('head/audio_s/')));
  assert.ok(!names.some((n) => n.startsWith('video/')));
  const enc = await loadEncoder(dir);
  assert.equal(enc.video, null);
  enc.dispose();
  rmSync(dir, { recursive: true, force: true });
});
