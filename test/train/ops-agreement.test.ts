// Op-by-op numeric agreement: the forward value and the gradients (of Σ f(x)·r for a fixed random r)
// of every block in runtime/train/ops.ts, the NT-Xent loss, the AdamW update, and a whole model's
// losses and parameter gradients, on every available backend and lowering, against the pure-JS cpu
// backend. Error = max |got − ref| / max(1, max |ref|) per tensor, which must be ≤ 1e-4.
// tensorflow is compared when @tensorflow/tfjs-node loads (native lowering, and the portable lowering
// forced on it); the test says so, and why, when it cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { lower } from '../../compiler/lower.ts';
import { selectBackend } from '../../runtime/train/backend.ts';
import { attention, l2Normalize, layerNorm, linear, meanPool, mm, normLinear, patchEmbed, selfAttention, setLowering, activeLowering, type Lowering } from '../../runtime/train/ops.ts';
import { ntXentGrouped } from '../../runtime/train/loss.ts';
import { buildModel } from '../../runtime/train/model.ts';
import { Optimizer } from '../../runtime/train/optim.ts';
import { ParamStore } from '../../runtime/train/store.ts';
import { mulberry32, truncNormal } from '../../runtime/train/rng.ts';
import { patchify } from '../../runtime/train/models/patch.ts';
import { randomDataset, tinySpec } from './fixtures.ts';

const TOL = 1e-4;

interface Case { name: string; shapes: number[][]; f: (...xs: tf.Tensor[]) => tf.Tensor }

const constData = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.37) * 0.8), shape);

const cases: Case[] = [
  { name: 'mm rank 2', shapes: [[9, 13], [13, 5]], f: (a, b) => mm(a, b) },
  { name: 'mm rank 3', shapes: [[3, 6, 4], [3, 4, 7]], f: (a, b) => mm(a, b) },
  { name: 'linear', shapes: [[10, 12], [12, 6], [6]], f: (x, w, b) => linear(x, { w, b }) },
  { name: 'linear + relu', shapes: [[10, 12], [12, 6], [6]], f: (x, w, b) => linear(x, { w, b }, { relu: true }) },
  { name: 'patch embedding (x @ w + b + pos)', shapes: [[7, 6], [6], [4, 6]], f: (w, b, pos) => patchEmbed(constData([12, 7]), { w, b }, pos, 3) },
  { name: 'layer norm', shapes: [[12, 16], [16], [16]], f: (x, g, b) => layerNorm(x, { g, b }) },
  { name: 'self-attention (fused qkv)', shapes: [[15, 8], [8, 24], [24]], f: (x, w, b) => selfAttention(x, { w, b }, 3, 5, 2) },
  { name: 'layer norm + linear', shapes: [[10, 8], [8], [8], [8, 6], [6]], f: (x, g, b, w, c) => normLinear(x, { g, b }, { w, b: c }) },
  { name: 'layer norm + linear + relu', shapes: [[10, 8], [8], [8], [8, 6], [6]], f: (x, g, b, w, c) => normLinear(x, { g, b }, { w, b: c }, { relu: true }) },
  { name: 'self-attention after layer norm', shapes: [[15, 8], [8], [8], [8, 24], [24]], f: (x, g, bl, w, b) => selfAttention(x, { w, b }, 3, 5, 2, { g, b: bl }) },
  { name: 'attention core (q, k, v)', shapes: [[15, 8], [15, 8], [15, 8]], f: (q, k, v) => attention(q, k, v, 3, 5, 2) },
  { name: 'l2 normalize', shapes: [[6, 8]], f: (x) => l2Normalize(x) },
  { name: 'mean pool', shapes: [[12, 4]], f: (x) => meanPool(x, 3) },
  { name: 'nt_xent (2 groups)', shapes: [[8, 6], [8, 6]], f: (x, y) => ntXentGrouped(l2Normalize(x), l2Normalize(y), 0.1, 2) },
];

type Arrays = Float32Array[];

async function evalCase(c: Case): Promise<{ value: Float32Array; grads: Arrays }> {
  const rand = mulberry32(c.name.length * 7919 + 1);
  const xs = c.shapes.map((s) => truncNormal(s.reduce((a, b) => a * b, 1), 1, rand));
  return tf.tidy(() => {
    const ts = xs.map((x, i) => tf.tensor(x, c.shapes[i]));
    const out = c.f(...ts);
    const r = tf.tensor(truncNormal(out.size, 1, mulberry32(99)), out.shape);
    const gs = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(c.f(...a), r)))(ts);
    return { value: out.dataSync() as Float32Array, grads: gs.map((g) => g.dataSync() as Float32Array) };
  });
}

/** Loss terms and every parameter gradient of the tiny two-tower model of test/train/fixtures.ts. */
async function evalModel(): Promise<{ value: Float32Array; grads: Arrays }> {
  const spec = tinySpec();
  const plan = lower(spec).value!;
  const model = buildModel(plan);
  const batch = await randomDataset(spec).batchAt(0);
  const p = model.prepare(batch);
  const names = model.store.names();
  const vars = names.map((n) => model.store.vars.get(n)!);
  let terms: number[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const l = model.losses(p);
    terms = Object.values(l.terms).map((t) => t!.dataSync()[0]);
    return l.total;
  }, vars);
  const out = { value: Float32Array.from([value.dataSync()[0], ...terms]), grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
  tf.dispose([value, ...Object.values(grads), p.audio, ...(p.video ? [p.video] : [])]);
  model.dispose();
  return out;
}

/** Parameters after three AdamW steps with fixed gradients (decayed matrix, undecayed vector). */
async function evalAdamW(): Promise<{ value: Float32Array; grads: Arrays }> {
  const store = new ParamStore(5);
  const w = store.get('w', [3, 4], { kind: 'normal', std: 1 }, true), b = store.get('b', [4], { kind: 'normal', std: 1 }, false);
  const opt = new Optimizer({ kind: 'adamw', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, momentum: 0 }, store);
  for (let s = 0; s < 3; s++) {
    const r = mulberry32(s + 11);
    const gs = { [w.name]: tf.tensor(truncNormal(12, 1, r), [3, 4]), [b.name]: tf.tensor(truncNormal(4, 1, r), [4]) };
    opt.apply(gs, 0.05);
    tf.dispose(Object.values(gs));
  }
  const m = opt.state();
  const out = { value: Float32Array.from([...w.dataSync(), ...b.dataSync()]), grads: ['m:w', 'v:w', 'm:b', 'v:b'].map((k) => m.get(k)!.dataSync() as Float32Array) };
  opt.dispose(); store.dispose();
  return out;
}

const blocks: { name: string; run: () => Promise<{ value: Float32Array; grads: Arrays }> }[] = [
  ...cases.map((c) => ({ name: c.name, run: () => evalCase(c) })),
  { name: 'whole model: loss terms and every parameter gradient', run: evalModel },
  { name: 'AdamW: parameters and moments after 3 steps', run: evalAdamW },
];

function err(got: Float32Array, ref: Float32Array): number {
  assert.equal(got.length, ref.length);
  let d = 0, s = 1;
  for (let i = 0; i < ref.length; i++) { d = Math.max(d, Math.abs(got[i] - ref[i])); s = Math.max(s, Math.abs(ref[i])); }
  return Number.isFinite(d) ? d / s : Infinity;
}

let reference: Map<string, { value: Float32Array; grads: Arrays }> | null = null;
async function referenceValues() {
  if (reference) return reference;
  await selectBackend('cpu');
  setLowering(null);
  reference = new Map();
  for (const b of blocks) reference.set(b.name, await b.run());
  return reference;
}

async function compare(backend: 'wasm' | 'tensorflow', lowering: Lowering | null, t: { test: (name: string, fn: () => Promise<void>) => Promise<void> }) {
  const ref = await referenceValues();
  for (const b of blocks) {
    await t.test(b.name, async () => {
      await selectBackend(backend);
      setLowering(lowering);
      try {
        const got = await b.run();
        const want = ref.get(b.name)!;
        const ev = err(got.value, want.value);
        assert.ok(ev <= TOL, `${b.name} on ${backend}/${activeLowering()}: forward error ${ev.toExponential(2)}`);
        got.grads.forEach((g, i) => {
          const e = err(g, want.grads[i]);
          assert.ok(e <= TOL, `${b.name} on ${backend}/${activeLowering()}: gradient ${i} error ${e.toExponential(2)}`);
        });
      } finally {
        setLowering(null);
      }
    });
  }
}

let tfNodeError: string | null = null;
try { const name = '@tensorflow/tfjs-node'; await import(name); } catch (e) { tfNodeError = (e as Error).message.split('\n')[0]; }
const skipTf = tfNodeError ? `@tensorflow/tfjs-node cannot load here (${tfNodeError}), so the tensorflow backend is not compared` : false;
if (skipTf) console.log(`# ops-agreement: ${skipTf}`);

test('wasm (portable lowering) agrees with the cpu backend to 1e-4, forward and gradients', async (t) => {
  await compare('wasm', null, t);
});

test('tensorflow (native lowering) agrees with the cpu backend to 1e-4, forward and gradients', { skip: skipTf }, async (t) => {
  await compare('tensorflow', null, t);
});

test('tensorflow with the portable lowering forced agrees with the cpu backend to 1e-4', { skip: skipTf }, async (t) => {
  await compare('tensorflow', 'portable', t);
});

test('the lowering follows the active backend', async () => {
  await selectBackend('wasm');
  assert.equal(activeLowering(), 'portable');
  await selectBackend('cpu');
  assert.equal(activeLowering(), 'portable');
  if (!skipTf) { await selectBackend('tensorflow'); assert.equal(activeLowering(), 'native'); }
});

test('patchify of the two views read in place equals patchify of their concatenation', () => {
  const r = mulberry32(3);
  const dims = [4, 6, 8], patch = [2, 3, 4], per = 4 * 6 * 8 * 3;
  const a = Float32Array.from({ length: 3 * per }, r), b = Float32Array.from({ length: 3 * per }, r);
  const both = new Float32Array(6 * per); both.set(a); both.set(b, a.length);
  assert.deepEqual(patchify([a, b], 6, dims, 3, patch), patchify(both, 6, dims, 3, patch));
  // Patch 0 of example 4 (the second view's second example) starts with its first pixel row segment.
  const P = 2 * 3 * 4 * 3, N = 2 * 2 * 2;
  assert.deepEqual(patchify([a, b], 6, dims, 3, patch).subarray(4 * N * P, 4 * N * P + 12), b.subarray(per, per + 12));
});
