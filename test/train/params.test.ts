// Analytic parameter counts: against published figures (reference variants, documented in
// compiler/params.ts) and against the variables the runtime actually builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';
import { countBackbone, referenceCount, type BackboneLike } from '../../compiler/params.ts';
import { lower } from '../../compiler/lower.ts';
import { buildModel } from '../../runtime/train/model.ts';
import { tinySpec } from './fixtures.ts';
import { useTestBackend } from '../backend.ts';

const root = new URL('../..', import.meta.url).pathname;

/** Every backbone declared in stdlib/backbones.lssd, as the compiler resolves it. */
function stdlibBackbones(): Map<string, BackboneLike & { published_params: number | null }> {
  const out = new Map<string, BackboneLike & { published_params: number | null }>();
  for (const f of ['experiments/A1.lssd', 'experiments/C1.lssd', 'experiments/controlled/EN.lssd', 'experiments/quickstart.lssd']) {
    const o = compileFile(join(root, f), nodeHost());
    assert.ok(o.value, `${f} compiles: ${o.diagnostics.map((d) => d.message).join('; ')}`);
    for (const s of o.value.experiments) for (const b of [s.model.video, s.model.audio]) if (b) out.set(b.name, b);
  }
  return out;
}

// Tolerance: 1% of the published figure (the publications round to 0.1M; our counts of the reference
// variants land within 0.2%: MViTv2-S 34.54M, MViT-B 36.61M, X3D-M 3.79M, ResNet-50 25.557M).
const TOL = 0.01;

test('paper backbones: reference-variant counts match the published figures within 1%', () => {
  const bbs = stdlibBackbones();
  const seen: string[] = [];
  for (const [name, b] of bbs) {
    if (b.published_params == null) continue;
    const ref = referenceCount(b);
    assert.ok(ref, `${name} has a reference variant`);
    const rel = Math.abs(ref.params - b.published_params) / b.published_params;
    assert.ok(rel <= TOL, `${name}: ${ref.params} vs published ${b.published_params} (${(rel * 100).toFixed(2)}%) [${ref.variant}]`);
    seen.push(name);
  }
  for (const n of ['mvit_s', 'mvit_b', 'x3d_m', 'resnet50_audio']) assert.ok(seen.includes(n), `${n} compared (seen ${seen})`);
});

test('analytic counts equal the variables the runtime builds (CPU-sized backbones, heads)', async () => {
  await useTestBackend();
  const bbs = stdlibBackbones();
  for (const name of ['cpu_video_s', 'cpu_audio_s']) assert.ok(bbs.has(name), `${name} declared`);
  const spec = tinySpec();
  spec.model = { ...spec.model, video: bbs.get('cpu_video_s') as typeof spec.model.video, audio: bbs.get('cpu_audio_s') as typeof spec.model.audio };
  spec.views = { ...spec.views, video: { ...spec.views.video, frames: 8, crop: 32 }, audio: { ...spec.views.audio, mels: 64 } };
  const plan = lower(spec).value!;
  const model = buildModel(plan);
  try {
    assert.equal(model.store.count('video/'), plan.graph.towers.video!.params);
    assert.equal(model.store.count('audio/'), plan.graph.towers.audio.params);
    assert.equal(model.store.count('head/'), plan.estimates.params.heads);
    assert.equal(countBackbone(bbs.get('cpu_video_s')!, [8, 32, 32, 3]).params, plan.graph.towers.video!.params);
  } finally { model.dispose(); }
});
