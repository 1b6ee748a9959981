// Work shared between experiments (compiler/resolve.ts convertValue: a value node is converted once per
// compile; compiler/validate.ts: a shared probe is validated once) must never share mutable data: every
// experiment owns its spec, except the task and backbone resolutions, which are shared by design.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile } from '../../compiler/index.ts';
import type { CompilerHost } from '../../compiler/host.ts';
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
  const [a, b, c] = r.value!.experiments;
  assert.ok(a && b && c);
  // Equal where the grid says so…
  assert.deepEqual(a.model.heads, b.model.heads);
  assert.deepEqual(a.dubs.languages, b.dubs.languages);
  assert.deepEqual([a.data.shots.min_length, a.data.shots.max_length], [4, 8]);
  // …but not the same objects: mutating one cell leaves the others alone.
  assert.notEqual(a.model.heads.hidden, b.model.heads.hidden);
  assert.notEqual(a.dubs.languages, b.dubs.languages);
  a.model.heads.hidden.push(7);
  a.dubs.languages.push('FR');
  assert.deepEqual(b.model.heads.hidden, [2048, 1024]);
  assert.deepEqual(c.dubs.languages, ['en', 'es']);
  // Axis values land per cell.
  assert.deepEqual([a.loss.lambda_a, a.optim.seed, b.optim.seed, c.loss.lambda_a], [0, 1, 2, 0.5]);
  // Task and backbone resolutions are one object per program (and probes are validated once).
  assert.equal(a.probes[0], b.probes[0]);
  assert.equal(a.model.audio, c.model.audio);
  // A second compile of the same text resolves the same specs.
  const again = compileFile('g.lssd', host).value!.experiments;
  assert.deepEqual(again[1], b);
});
