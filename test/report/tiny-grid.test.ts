// experiments/tiny/grid.lssd is the CPU-sized counterpart of the paper's group A (Table 1): four cells,
// λ_a × dub augmentation × two seeds, the λ_a = 0.2 cells initialised from the λ_a = 0 cell with the same
// dub setting and seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';

test('the tiny grid expands to group A with its lineage and runnable probes', () => {
  const out = compileFile('experiments/tiny/grid.lssd', nodeHost());
  assert.deepEqual(out.diagnostics.filter((d) => d.severity === 'error'), []);
  const cells = out.value!.experiments;
  const row = (name: string) => { const s = cells.find((c) => c.name === name)!; return [s.dubs.policy, s.loss.lambda_a, s.optim.seed, s.init.kind === 'from' ? s.init.experiment : 'random']; };
  assert.deepEqual(cells.map((c) => c.name), ['tiny_a1', 'tiny_a2', 'tiny_a3', 'tiny_a4', 'tiny_a5', 'tiny_a6', 'tiny_a7', 'tiny_a8']);
  assert.deepEqual(row('tiny_a1'), ['off', 0, 0, 'random']);
  assert.deepEqual(row('tiny_a2'), ['any', 0, 0, 'random']);
  assert.deepEqual(row('tiny_a3'), ['off', 0.2, 0, 'tiny_a1']);
  assert.deepEqual(row('tiny_a4'), ['any', 0.2, 0, 'tiny_a2']);
  assert.deepEqual(row('tiny_a7'), ['off', 0.2, 1, 'tiny_a5']);
  assert.deepEqual(row('tiny_a8'), ['any', 0.2, 1, 'tiny_a6']);
  for (const c of cells) {
    assert.equal(c.data.catalog.kind, 'synthetic');
    assert.deepEqual(c.data.filters.original_language.include, ['en', 'es', 'fr']);
    assert.equal(c.data.filters.dubs.min, 1);
    assert.ok(c.probes.length >= 5 && c.probes.every((p) => p.source.kind !== 'external'), 'every probe task runs on CPU');
    assert.ok(c.probes.some((p) => p.group === 'language') && c.probes.some((p) => p.group === 'sound_scene'));
    assert.equal(c.probes.find((p) => p.task === 'scene')!.probe.kind, 'mlp');
  }
});
