// Work shared between experiments (compiler/resolve.ts convertValue: a value node is converted once per
// compile; Resolver.build: a section whose inputs equal an earlier experiment's is shared from its second
// occurrence on; compiler/validate.ts: a shared probe or section is validated once) must never share
// mutable data: a section shared between experiments is deep-frozen, one built for an experiment alone is
// its own, and the task and backbone resolutions are shared by design.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile } from '../../compiler/index.ts';
import type { CompilerHost } from '../../compiler/host.ts';
import { SHARED_SECTIONS } from '../../compiler/spec.ts';
import { nodeHost } from '../../runtime/host.ts';

const GRID = `import "paper"
grid g extends paper_main {
  axis lambda_a = [0, 0.5] -> loss.lambda_a
  axis seed = [1, 2] -> optim.seed
  model.heads.hidden = [2048, 1024]
  dubs.policy = random(EN, ES)
  data.shots.length = 4s .. 8s
}
`;

test('grid cells share converted values only as copies; tasks and backbones are shared', () => {
  const base = nodeHost();
  const host: CompilerHost = { ...base, readFile: (p) => (p === 'g.lssd' ? GRID : base.readFile(p)) };
  const r = compileFile('g.lssd', host);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const [a, b, c, d] = r.value!.experiments;
  assert.ok(a && b && c && d);
  // Equal where the grid says so…
  assert.deepEqual(a.model.heads, b.model.heads);
  assert.deepEqual(a.dubs.languages, b.dubs.languages);
  assert.deepEqual([a.data.shots.min_length, a.data.shots.max_length], [4, 8]);
  // …as one frozen object from a section's second occurrence on, where no axis reaches the section:
  // writing into it throws, a copy on write changes one cell only.
  assert.equal(b.model, c.model);
  assert.equal(b.dubs, d.dubs);
  assert.ok(SHARED_SECTIONS.has(b.model) && Object.isFrozen(b.model.heads.hidden) && Object.isFrozen(b.dubs.languages));
  assert.throws(() => b.model.heads.hidden.push(7), TypeError);
  assert.throws(() => { b.dubs.languages[0] = 'fr'; }, TypeError);
  b.dubs = { ...b.dubs, languages: ['fr'] };
  assert.deepEqual(d.dubs.languages, ['en', 'es']);
  assert.deepEqual(c.model.heads.hidden, [2048, 1024]);
  // The first occurrence is its experiment's own.
  a.model.heads.hidden.push(7);
  assert.deepEqual(b.model.heads.hidden, [2048, 1024]);
  // Sections an axis changes are built per value (loss: lambda_a; optim: seed).
  assert.notEqual(b.loss, c.loss);
  assert.notDeepEqual(b.optim, c.optim);
  // Axis values land per cell.
  assert.deepEqual([a.loss.lambda_a, a.optim.seed, b.optim.seed, c.loss.lambda_a, d.optim.seed], [0, 1, 2, 0.5, 2]);
  // Task and backbone resolutions are one object per program (and probes are validated once).
  assert.equal(a.probes[0], b.probes[0]);
  assert.equal(a.model.audio, c.model.audio);
  // A second compile of the same text resolves the same specs.
  const again = compileFile('g.lssd', host).value!.experiments;
  assert.deepEqual(again[2], c);
});
