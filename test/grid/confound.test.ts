import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile } from '../../compiler/index.ts';
import { checkConfounds } from '../../compiler/confound.ts';
import type { CompilerHost } from '../../compiler/host.ts';
import type { GridDecl } from '../../grammar/ast.ts';
import { parse } from '../../grammar/index.ts';
import { nodeHost } from '../../runtime/host.ts';

/** In-memory host for the entry file; stdlib from disk. */
function host(text: string): CompilerHost {
  const disk = nodeHost();
  return { ...disk, readFile: (p) => (p === 'g.lssd' ? text : disk.readFile(p)) };
}
function confounds(text: string, provenance?: Parameters<typeof checkConfounds>[2]) {
  const r = compileFile('g.lssd', host(text));
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const program = r.value!;
  const decls = parse({ name: 'g.lssd', text }).value!.decls.filter((d): d is GridDecl => d.kind === 'GridDecl');
  return decls.flatMap((g) => checkConfounds(g, (n) => program.all.get(n), provenance));
}

const GRID_SEED = `import "paper"
grid g extends paper_main {
  axis dubs = [off, any] -> dubs.policy
  axis lambda_a = [0, 0.2] -> loss.lambda_a
  optim.duration = 1000 steps
  when { dubs = any } { optim.seed = 1 }
}`;

test('a when block keyed on an axis that also changes the seed is a confound, reported at both places', () => {
  const ds = confounds(GRID_SEED);
  assert.equal(ds.length, 1);
  const d = ds[0];
  assert.equal(d.code, 'LSSD6020');
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /cells g_off_0 and g_any_0, compared along axis 'dubs' \(off vs any\) also differ in `optim.seed`: 0 → 1/);
  assert.deepEqual([d.span!.start.line, d.span!.start.column], [6, 25]);
  assert.deepEqual(d.related.map((r) => [r.span.start.line, r.message]), [[3, "axis 'dubs' sets only dubs.policy"]]);

  // With the compiler's provenance, the other cell's setting (here: the preset) is the second place.
  const presetSpan = { file: 'stdlib/paper.lssd', start: { offset: 0, line: 40, column: 5 }, end: { offset: 4, line: 40, column: 9 } };
  const [p] = confounds(GRID_SEED, (name, path) => (name === 'g_off_0' && path === 'optim.seed' ? presetSpan : undefined));
  assert.deepEqual(p.related.map((r) => [r.span.file, r.span.start.line, r.message]),
    [['stdlib/paper.lssd', 40, 'g_off_0 gets 0 from here'], ['g.lssd', 3, "axis 'dubs' sets only dubs.policy"]]);
});

test('compileFile (hence lssdc check) reports the confound with the inherited setting as the second place', () => {
  const r = compileFile('g.lssd', host(GRID_SEED));
  const ds = r.diagnostics.filter((d) => d.code === 'LSSD6020');
  assert.equal(ds.length, 1);
  assert.deepEqual(ds[0].related.map((x) => [x.span.file, x.message]), [['stdlib/paper.lssd', 'g_off_0 gets 0 from here'], ['g.lssd', "axis 'dubs' sets only dubs.policy"]]);
});

test('equal epochs over budgets that differ along an axis: different step counts', () => {
  const ds = confounds(`import "paper"
grid g extends paper_main {
  axis budget = [1M shots, 2M shots] -> data.budget
}`);
  assert.deepEqual(ds.map((d) => d.code), ['LSSD6020']);
  assert.match(ds[0].message, /train for 12 epochs over 1000000 vs 2000000 shots, i\.e\. for different numbers of steps/);
  assert.equal(ds[0].span!.start.line, 3);
});

test('zipped partners, lineage and target-less axes are declared design, not confounds', () => {
  assert.deepEqual(confounds(`import "paper"
grid g extends paper_main {
  axis lang = [[EN], all] -> data.titles.original_language
  axis budget = [1M shots, 2M shots] -> data.budget
  zip(lang, budget)
  optim { duration = 1000 steps  schedule = warmup_cosine(warmup = 100 steps) }
  axis stage = [scratch, tune]
  axis lambda_a = [0, 0.2] -> loss.lambda_a
  when { lambda_a = 0.2 } { init from cell(lambda_a = 0) }
  when { stage = tune } { optim.seed = 3  data.titles.dubs = 1 .. }
}`), []);
  const t1 = compileFile('experiments/paper/table1.lssd', nodeHost()).value!;
  const src = t1.sources.get('experiments/paper/table1.lssd')!;
  const gs = parse(src).value!.decls.filter((d): d is GridDecl => d.kind === 'GridDecl');
  assert.deepEqual(gs.flatMap((g) => checkConfounds(g, (n) => t1.all.get(n))), [], 'Table 1 has no confounds');
});

test('B.1–B.3 at equal steps with a 2-epoch warm-up over their budgets: different schedules are a confound', () => {
  const ds = confounds(`import "paper"
grid group_b extends paper_main {
  axis languages = [[EN], all except [EN], all] -> data.titles.original_language
  axis budget = [11.8M shots, 9.8M shots, 19.4M shots] -> data.budget
  zip(languages, budget)
  optim.duration = 113700 steps
}`);
  assert.deepEqual(ds.map((d) => d.code), ['LSSD6020']);
  assert.match(ds[0].message, /^cells \S+, \S+, \S+, compared along axis 'languages' \(\[EN\] vs all except \[EN\] vs all\), train for 113,700 steps each but warm up for 11,524 \/ 9,572 \/ 18,946 steps \(2 epochs over 11.8M shots \/ 2 epochs over 9.8M shots \/ 2 epochs over 19.4M shots\)$/);
  assert.match(ds[0].hint!, /warmup = N steps/);
  // The warm-up in steps: one schedule for every cell, nothing to report.
  assert.deepEqual(confounds(`import "paper"
grid group_b extends paper_main {
  axis budget = [11.8M shots, 9.8M shots, 19.4M shots] -> data.budget
  optim { duration = 113700 steps  schedule = warmup_cosine(warmup = 18946 steps) }
}`), []);
  // A schedule the axis itself varies is the comparison, not a confound.
  assert.deepEqual(confounds(`import "paper"
grid w extends paper_main {
  axis warm = [warmup_cosine(warmup = 10 steps), warmup_cosine(warmup = 20 steps)] -> optim.schedule
  optim.duration = 1000 steps
}`), []);
});
