import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffPrograms, diffSpecs, classifyPath, renderDiffText, renderDiffMarkdown, textconv } from '../../compiler/diff.ts';
import { stageHashes } from '../../compiler/hash.ts';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import { groupA, paperSpec, initFrom } from './specs.ts';

/** Same object with every key order reversed (what a reformatted / reordered source resolves to). */
function reversedKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reversedKeys) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) out[k] = reversedKeys((v as Record<string, unknown>)[k]);
    return out as T;
  }
  return v;
}

test('key order and provenance do not show as changes or move hashes', () => {
  const a = paperSpec('A1');
  const b = reversedKeys(paperSpec('A1', (s) => { s.origin = { file: 'elsewhere.lssd', extends: ['A0', 'paper_main'] }; }));
  assert.deepEqual(diffSpecs(a, b), []);
  assert.deepEqual(stageHashes(a), stageHashes(b));
  const d = diffPrograms({ experiments: [a] }, { experiments: [b] });
  assert.equal(d.experiments[0].status, 'unchanged');
  assert.equal(d.summary.unchanged, 1);
});

test('a loss weight change is one re-pretrain change and moves both hashes', () => {
  const a = paperSpec('A1');
  const b = paperSpec('A1', (s) => { s.loss.lambda_a = 0.2; });
  const cs = diffSpecs(a, b);
  assert.deepEqual(cs, [{ op: '~', path: 'loss.lambda_a', section: 'loss', before: 0, after: 0.2, consequence: 'pretrain' }]);
  const [ha, hb] = [stageHashes(a), stageHashes(b)];
  assert.notEqual(ha.pretrain, hb.pretrain);
  assert.notEqual(ha.probe, hb.probe);
  const text = renderDiffText(diffPrograms({ experiments: [a] }, { experiments: [b] }));
  assert.match(text, /~ loss\.lambda_a: 0 → 0\.2\s+re-pretrain/);
  assert.match(text, /Plan: 1 to re-pretrain, 0 to re-probe only, 0 with no effect, 0 unchanged — 1 field change \(1 re-pretrain, 0 re-probe only, 0 no effect\)\./);
});

test('probe settings are re-probe only; labels and expected stats have no effect', () => {
  const a = paperSpec('A1');
  const b = paperSpec('A1', (s) => { s.probes[0].probe.lr = [1e-4]; s.label = 'A.1 (new)'; s.data.expected.avg_dubs = 3; s.loss.track = ['L']; });
  const cs = diffSpecs(a, b);
  const byPath = Object.fromEntries(cs.map((c) => [c.path, c.consequence]));
  assert.deepEqual(byPath, { label: 'none', 'data.expected.avg_dubs': 'none', 'loss.track': 'none', 'probes[esc50].probe.lr': 'probe' });
  const [ha, hb] = [stageHashes(a), stageHashes(b)];
  assert.equal(ha.pretrain, hb.pretrain);
  assert.notEqual(ha.probe, hb.probe);
  const d = diffPrograms({ experiments: [a] }, { experiments: [b] });
  assert.equal(d.experiments[0].consequence, 'probe');
  assert.equal(d.summary.reProbe, 1);
});

test('probes are matched by task: adding one is `+`, reordering is nothing', () => {
  const a = paperSpec('A1');
  const b = paperSpec('A1', (s) => { s.probes.reverse(); });
  assert.deepEqual(diffSpecs(a, b), []);
  const c = paperSpec('A1', (s) => { s.probes.push({ ...s.probes[0], task: 'fsd50k', metric: 'mAP' }); s.probes.splice(1, 1); });
  const cs = diffSpecs(a, c);
  assert.deepEqual(cs.map((x) => `${x.op} ${x.path}`), ['- probes[crema_d]', '+ probes[fsd50k]']);
  assert.ok(cs.every((x) => x.consequence === 'probe'));
});

test('changing A2 marks A4 (init from A2) stale and leaves A1/A3 alone', () => {
  const before = groupA();
  const after = groupA();
  after[1].optim.seed = 7; // A2
  const d = diffPrograms({ experiments: before }, { experiments: after });
  const st = Object.fromEntries(d.experiments.map((e) => [e.name, e.status]));
  assert.deepEqual(st, { A1: 'unchanged', A2: 'changed', A3: 'unchanged', A4: 'stale' });
  const a4 = d.experiments.find((e) => e.name === 'A4')!;
  assert.deepEqual(a4.stale, { via: 'A2' });
  assert.equal(a4.consequence, 'pretrain');
  assert.equal(d.summary.rePretrain, 2);
  assert.equal(d.summary.stale, 1);
  assert.match(renderDiffText(d), /! stale: init from A2, whose weights change/);
});

test('staleness is transitive and names the ancestor that changed', () => {
  const mk = () => [paperSpec('P'), paperSpec('Q', (s) => { s.init = initFrom('P'); }), paperSpec('R', (s) => { s.init = initFrom('Q'); })];
  const before = mk(); const after = mk();
  after[0].data.budget = 5_100_000;
  const d = diffPrograms({ experiments: before }, { experiments: after });
  assert.deepEqual(d.experiments.map((e) => [e.name, e.status, e.stale?.via]), [['P', 'changed', undefined], ['Q', 'stale', 'P'], ['R', 'stale', 'P']]);
  // Only the lineage side-set changes (parent reachable through `all`, not compared): still stale.
  const d2 = diffPrograms({ experiments: [before[2]], all: new Map(before.map((s) => [s.name, s])) },
    { experiments: [after[2]], all: new Map(after.map((s) => [s.name, s])) });
  assert.equal(d2.experiments[0].status, 'stale');
});

test('added and removed experiments; comparing two named experiments pairs them', () => {
  const [a1, a2, a3] = groupA();
  const d = diffPrograms({ experiments: [a1, a2] }, { experiments: [a1, a3] });
  assert.deepEqual(d.experiments.map((e) => [e.name, e.status]), [['A1', 'unchanged'], ['A3', 'added'], ['A2', 'removed']]);
  const pair = diffPrograms({ experiments: [a1] }, { experiments: [a3] });
  assert.equal(pair.experiments[0].renamedFrom, 'A1');
  assert.deepEqual(pair.experiments[0].changes.map((c) => `${c.op} ${c.path} ${c.consequence}`).sort(),
    ['~ init pretrain', '~ label none', '~ loss.lambda_a pretrain', '~ name none']);
  assert.deepEqual(pair.experiments[0].changes.find((c) => c.path === 'init'), { op: '~', path: 'init', section: 'init', before: 'random', after: 'A1', consequence: 'pretrain' });
});

/** Every leaf of a spec, as [path, setter] pairs. */
function leaves(spec: ResolvedSpec): [string, (s: ResolvedSpec) => void][] {
  const out: [string, (s: ResolvedSpec) => void][] = [];
  const walk = (v: unknown, path: string, get: (s: ResolvedSpec) => Record<string, unknown>, key: string) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k,
        (s) => (key ? get(s)[key] : s) as Record<string, unknown>, k);
      return;
    }
    const perturb = (x: unknown): unknown => typeof x === 'number' ? x + 1 : typeof x === 'boolean' ? !x : typeof x === 'string' ? `${x}_x`
      : Array.isArray(x) ? [...x, x[0] ?? 1] : x === null ? 1 : x;
    out.push([path, (s) => { get(s)[key] = perturb(get(s)[key]); }]);
  };
  walk(spec, '', () => spec as unknown as Record<string, unknown>, '');
  return out;
}

test('classification agrees with the stage hashes on every leaf', () => {
  const base = paperSpec('A1', (s) => { s.probes = []; });
  const h0 = stageHashes(base);
  let checked = 0;
  for (const [path, mutate] of leaves(base)) {
    // init.kind only has valid values 'random'/'from' (covered by the pairing test above).
    if (path.startsWith('origin') || path === 'lssd' || path === 'name' || path === 'init.kind') continue;
    const s = structuredClone(base); mutate(s);
    const h = stageHashes(s);
    const c = classifyPath(path);
    assert.equal(h.pretrain !== h0.pretrain, c === 'pretrain', `${path}: pretrain hash vs class ${c}`);
    assert.equal(h.probe !== h0.probe, c !== 'none', `${path}: probe hash vs class ${c}`);
    checked++;
  }
  assert.ok(checked > 40, `only ${checked} leaves checked`);
});

test('markdown and textconv forms', () => {
  const before = groupA(); const after = groupA();
  after[1].dubs.policy = 'random'; after[1].dubs.languages = ['es', 'fr'];
  const md = renderDiffMarkdown(diffPrograms({ experiments: before }, { experiments: after }));
  assert.match(md, /\| \*\*A4\*\* \| stale \(init from A2\) \| re-pretrain \|/);
  assert.match(md, /\| `~` \| `dubs.policy` \| `any` \| `random` \| re-pretrain \|/);
  const t1 = textconv(groupA()); const t2 = textconv(groupA().map(reversedKeys));
  assert.equal(t1, t2);
  assert.match(t1, /^ {2}loss\.lambda_a = 0\.2$/m);
  assert.match(t1, /^ {2}probes\[esc50\]\.probe\.lr = \[0\.001\]$/m);
});
