// Golden resolved specs: every experiment of the paper (experiments/*.lssd, experiments/controlled/)
// resolves without diagnostics, and its canonical JSON matches test/cases/resolved/<file>.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../compiler/index.ts';
import { canonicalJson } from '../../compiler/canonical.ts';
import { renderDiagnostics } from '../../compiler/render.ts';
import { nodeHost } from '../../runtime/host.ts';
import { golden } from './golden.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const host = nodeHost({ cwd: root });
const files = [
  ...readdirSync(join(root, 'experiments')).filter((f) => f.endsWith('.lssd')).map((f) => `experiments/${f}`),
  ...readdirSync(join(root, 'experiments/controlled')).filter((f) => f.endsWith('.lssd')).map((f) => `experiments/controlled/${f}`),
].sort();

test('all Table 1 and Table B.3 variants exist', () => {
  for (const n of ['A1', 'A2', 'A3', 'A4', 'B1', 'B2', 'B3', 'B4', 'B5', 'C1', 'C2']) assert.ok(files.includes(`experiments/${n}.lssd`), n);
  for (const n of ['EN', 'SEP', 'AUD', 'ES', 'FR', 'JA', 'EFJ', 'A_EFJ']) assert.ok(files.includes(`experiments/controlled/${n}.lssd`), n);
});

for (const f of files) {
  test(`resolved golden: ${f}`, () => {
    const r = compileFile(f, host);
    assert.equal(r.diagnostics.length, 0, renderDiagnostics(r.diagnostics, r.value?.sources ?? new Map()));
    const specs = r.value!.experiments;
    assert.ok(specs.length >= 1);
    golden(join(root, 'test/cases/resolved', f.replace(/^experiments\//, '').replace(/\//g, '__').replace(/\.lssd$/, '.json')),
      canonicalJson(specs.length === 1 ? specs[0] : specs, 2) + '\n');
  });
}

test('Table 1 facts survive resolution', () => {
  const get = (f: string) => compileFile(`experiments/${f}.lssd`, host).value!.experiments[0];
  const A1 = get('A1'); const A2 = get('A2'); const A3 = get('A3'); const A4 = get('A4');
  assert.deepEqual(A1.data.filters.original_language.include, ['en', 'es', 'fr']);
  assert.equal(A1.data.filters.dubs.min, 1);
  assert.equal(A1.data.budget, 4_600_000);
  assert.equal(A1.data.expected.avg_dubs, 2.8);
  assert.equal(A1.dubs.policy, 'off'); assert.equal(A2.dubs.policy, 'any');
  assert.deepEqual(A1.optim.duration, A2.optim.duration); // equal steps
  assert.deepEqual(A3.init, { kind: 'from', experiment: 'A1', file: 'experiments/A1.lssd', checkpoint: 'final' });
  assert.equal(A4.init.kind === 'from' && A4.init.experiment, 'A2');
  assert.deepEqual([A3.loss.lambda_v, A3.loss.lambda_a], [0, 0.2]);
  const B1 = get('B1'); const B2 = get('B2'); const B3 = get('B3'); const B5 = get('B5'); const C1 = get('C1'); const C2 = get('C2');
  assert.deepEqual(B2.data.filters.original_language, { include: 'all', exclude: ['en'] });
  assert.deepEqual(B1.optim.duration, B3.optim.duration);
  assert.deepEqual(B2.optim.duration, B3.optim.duration);
  assert.equal(B3.data.budget, 19_400_000);
  assert.deepEqual([B5.loss.lambda_v, B5.loss.lambda_a], [0.2, 0.2]);
  assert.equal(B5.init.kind === 'from' && B5.init.experiment, 'B3');
  assert.equal(C1.model.video?.name, 'mvit_b'); assert.equal(C1.dubs.policy, 'any');
  assert.deepEqual([C2.loss.lambda_v, C2.loss.lambda_a], [0.1, 0.1]);
  assert.equal(C2.data.budget, 5_100_000);
  // Appendix A.
  assert.equal(A1.data.batch.same_title_per_device, 8);
  assert.equal(A1.views.audio.sample_rate, 48000);
  assert.equal(A1.optim.optimizer.lr, 3e-4);
});

test('Table B.3 facts survive resolution', () => {
  const get = (f: string) => compileFile(`experiments/controlled/${f}.lssd`, host).value!.experiments[0];
  const EN = get('EN'); const SEP = get('SEP'); const AUD = get('AUD'); const EFJ = get('EFJ'); const AE = get('A_EFJ'); const JA = get('JA');
  assert.equal(EN.model.video?.name, 'x3d_m'); assert.equal(EN.model.audio.name, 'resnet50_audio');
  assert.equal(EN.model.audio.output_dim, 1024); assert.equal(EN.model.heads.share_audio, false);
  // B.3: k = 12 same-movie clips besides the positive → groups of 13, two per device batch of 26.
  assert.equal(EN.data.batch.same_title_per_device, 13); assert.equal(EN.data.batch.per_device, 26);
  assert.deepEqual(EN.optim.schedule.warmup, { epochs: 0.5 });
  assert.equal(EN.dubs.primary, 'en');
  assert.equal(SEP.views.audio.source, 'speech_removed'); assert.equal(SEP.views.audio.sample_rate, 44100);
  assert.equal(AUD.model.modality, 'audio_only'); assert.equal(AUD.model.video, null);
  assert.ok(AUD.probes.every((p) => p.modality === 'audio'));
  assert.deepEqual([EFJ.dubs.policy, EFJ.dubs.languages], ['round_robin', ['es', 'fr', 'ja']]);
  assert.deepEqual([JA.dubs.policy, JA.dubs.languages], ['fixed', ['ja']]);
  assert.equal(AE.label, 'A+EFJ'); assert.equal(AE.model.modality, 'audio_only'); assert.equal(AE.dubs.policy, 'round_robin');
});
