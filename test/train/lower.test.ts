// Lowering: shapes, loss terms, schedule, heads, and the LSSD4xxx diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';
import { audioFrames, lower, LowerCodes } from '../../compiler/lower.ts';
import { tinySpec, tinyAudio } from './fixtures.ts';

const root = new URL('../..', import.meta.url).pathname;
const schema = JSON.parse(readFileSync(join(root, 'compiler/plan.schema.json'), 'utf8'));
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (o: object) => { compile(s: unknown): ((d: unknown) => boolean) & { errors?: unknown } };
const validate = new Ajv({ allErrors: true }).compile(schema);

test('audio window frames follow the un-centred STFT convention', () => {
  assert.equal(audioFrames(3, 48000, 1024, 501), 286); // paper: 3 s, 48 kHz, n_fft 1024, hop 501
  assert.equal(audioFrames(0.5, 8000, 256, 235), 16);
  assert.equal(audioFrames(0.01, 8000, 256, 235), 1);
});

test('quickstart lowers to a schema-valid plan with CPU-sized towers and no diagnostics', () => {
  const o = compileFile(join(root, 'experiments/quickstart.lssd'), nodeHost());
  assert.ok(o.value);
  const spec = o.value.experiments[0];
  const p = lower(spec, o.value);
  assert.deepEqual(p.diagnostics, []);
  const plan = p.value!;
  assert.ok(validate(plan), JSON.stringify(validate.errors));
  assert.deepEqual(plan.data.videoShape, [spec.views.video.frames, spec.views.video.crop, spec.views.video.crop, 3]);
  assert.deepEqual(plan.graph.loss.terms.map((t) => [t.name, t.weight, t.optimised]), [['L', 1, true], ['L_v', 0, false], ['L_a', 0, false]]);
  assert.deepEqual(plan.graph.loss.terms[0].pairs, [['v_p', 'a_s'], ['v_s', 'a_p']]);
  assert.ok(plan.estimates.secondsPerStepCpu < 5);
});

test('paper-scale experiments lower (for show --params) but are refused on CPU (LSSD4002)', () => {
  const o = compileFile(join(root, 'experiments/A1.lssd'), nodeHost());
  const p = lower(o.value!.experiments[0], o.value!);
  assert.ok(p.value, 'plan still produced');
  assert.ok(validate(p.value), JSON.stringify(validate.errors));
  const d = p.diagnostics.find((x) => x.code === LowerCodes.TooLarge);
  assert.ok(d && d.severity === 'error' && d.hint, 'LSSD4002 with a hint');
  // appendix A: 2 warmup epochs, lr 3e-4; steps per epoch from budget / (64 × 32)
  const plan = p.value!, spec = o.value!.experiments[0];
  assert.equal(plan.data.globalBatch, 2048);
  assert.equal(plan.optim.stepsPerEpoch, Math.ceil(spec.data.budget! / 2048));
  const dur = spec.optim.duration;
  assert.equal(plan.optim.schedule!.totalSteps, 'steps' in dur ? dur.steps : Math.round(dur.epochs * plan.optim.stepsPerEpoch!));
  assert.equal(plan.optim.schedule!.warmupSteps, 2 * plan.optim.stepsPerEpoch!);
  assert.equal(plan.optim.schedule!.peak, 3e-4);
});

test('controlled setup: separate primary/secondary audio heads when share_audio = false', () => {
  const o = compileFile(join(root, 'experiments/controlled/EN.lssd'), nodeHost());
  const plan = lower(o.value!.experiments[0], o.value!).value!;
  assert.deepEqual(plan.graph.heads.map((h) => [h.name, h.views]), [['video', ['v_p', 'v_s']], ['audio_p', ['a_p']], ['audio_s', ['a_s']]]);
  assert.equal(plan.data.perDevice, 26);
  assert.equal(plan.data.sameTitlePerDevice, 13, "k = 12 per_device: groups of the positive and 12 same-movie clips");
});

test('within-modal weights (Eq. 3) and audio-only models', () => {
  const spec = tinySpec({ loss: { kind: 'nt_xent', temperature: 0.1, lambda_v: 0, lambda_a: 0.2, track: ['L'] } });
  const plan = lower(spec).value!;
  assert.deepEqual(plan.graph.loss.terms.map((t) => [t.name, t.weight, t.optimised]), [['L', 1, true], ['L_a', 0.2, true]]);
  const aud = tinySpec({ model: { modality: 'audio_only', video: null, audio: tinyAudio, heads: { hidden: [], dim: 8, share_audio: true } },
    loss: { kind: 'nt_xent', temperature: 0.1, lambda_v: 0, lambda_a: 1, track: ['L', 'L_v', 'L_a'] } });
  const ap = lower(aud);
  assert.deepEqual(ap.diagnostics, []);
  assert.equal(ap.value!.graph.towers.video, null);
  assert.deepEqual(ap.value!.graph.loss.terms.map((t) => [t.name, t.pairs]), [['L_a', [['a_p', 'a_s']]]]);
  const bad = lower({ ...aud, loss: { ...aud.loss, lambda_a: 0 } });
  assert.ok(bad.diagnostics.some((d) => d.code === LowerCodes.EmptyLoss));
});

test('init from an incompatible experiment is LSSD4001; an unknown one LSSD4006', () => {
  const parent = tinySpec({ name: 'parent' });
  const child = tinySpec({ name: 'child', init: { kind: 'from', experiment: 'parent', file: 'x', checkpoint: 'final' } });
  const ok = lower(child, { all: new Map([['parent', parent]]) });
  assert.deepEqual(ok.diagnostics, []);
  assert.equal(ok.value!.init.kind, 'from');
  const other = tinySpec({ name: 'parent', model: { ...parent.model, audio: { ...tinyAudio, config: { ...tinyAudio.config, dim: 48 } } } });
  const bad = lower(child, { all: new Map([['parent', other]]) });
  assert.ok(bad.diagnostics.some((d) => d.code === LowerCodes.IncompatibleInit && /audio backbone/.test(d.message)), JSON.stringify(bad.diagnostics));
  const unknown = lower(child, { all: new Map() });
  assert.ok(unknown.diagnostics.some((d) => d.code === LowerCodes.UnknownInitParent));
});

test('bad backbone configs are diagnostics, not exceptions (LSSD4003)', () => {
  const spec = tinySpec();
  const typo = lower({ ...spec, model: { ...spec.model, audio: { ...tinyAudio, config: { ...tinyAudio.config, dimm: 3 } } } });
  assert.ok(typo.diagnostics.some((d) => d.code === LowerCodes.BadBackboneConfig && /dimm/.test(d.message)));
  const shape = lower({ ...spec, model: { ...spec.model, audio: { ...tinyAudio, config: { ...tinyAudio.config, patch: [4, 8, 2] } } } });
  assert.ok(shape.diagnostics.some((d) => d.code === LowerCodes.BadBackboneConfig && /patch/.test(d.message)));
  assert.equal(shape.value, undefined);
});
