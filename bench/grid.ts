// Grid and diff benchmarks (issue 4):
//   1. a 10,000-cell grid (4 axes × 10 values over the paper preset): expandGrid alone, then the whole
//      front end (compileFile: expand + resolve + check + validate every cell), then stage hashes of
//      every cell, then the confound check;
//   2. diff of two 200-experiment directories (200 files each, 1 experiment per file, lineage chains;
//      the "after" side reformatted and reordered, with 10 real changes): compiling both sides plus
//      diffPrograms, and diffPrograms alone.
//
//   node --import tsx bench/grid.ts [--runs N] [--json]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../compiler/index.ts';
import type { CompilerHost } from '../compiler/host.ts';
import { expandGrid } from '../compiler/grid.ts';
import { checkConfounds } from '../compiler/confound.ts';
import { stageHashes } from '../compiler/hash.ts';
import { diffPrograms, type SpecSet } from '../compiler/diff.ts';
import type { GridDecl } from '../grammar/ast.ts';
import { parse } from '../grammar/index.ts';
import { nodeHost } from '../runtime/host.ts';
import { loadFiles } from '../cli/commands/diff.ts';
import { GRID } from './grid-fixture.ts';

const args = process.argv.slice(2);
const runs = (() => { const i = args.indexOf('--runs'); return i >= 0 ? Number(args[i + 1]) : 5; })();
const json = args.includes('--json');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time<T>(f: () => T): { ms: number; value: T } {
  let value!: T; const xs: number[] = [];
  for (let i = 0; i < runs + 1; i++) { const t0 = performance.now(); value = f(); if (i > 0) xs.push(performance.now() - t0); }
  return { ms: median(xs), value };
}

// ---- 1. 10,000-cell grid ----------------------------------------------------------------------------
const disk = nodeHost();
const memHost = (files: Record<string, string>): CompilerHost => ({ ...disk, readFile: (p) => files[p] ?? disk.readFile(p) });
const gridHost = memHost({ 'big.lssd': GRID });
const decl = parse({ name: 'big.lssd', text: GRID }).value!.decls[0] as GridDecl;

// expandGrid memoises its structural analysis per declaration; parse afresh so each run pays for it.
const expand = time(() => expandGrid(parse({ name: 'big.lssd', text: GRID }).value!.decls[0] as GridDecl).value!.cells.length);
const compile = time(() => compileFile('big.lssd', gridHost));
const program = compile.value.value!;
const cells = program.experiments.length;
const errors = compile.value.diagnostics.filter((d) => d.severity === 'error').length;
const hashes = time(() => { const look = (n: string) => program.all.get(n); let k = 0; for (const s of program.experiments) k += stageHashes(s, look).pretrain.length; return k; });
const confound = time(() => checkConfounds(decl, (n) => program.all.get(n)).length);

// ---- 2. diff of two 200-experiment directories --------------------------------------------------------
const N = 200;
function experiment(i: number, after: boolean): string {
  const parent = i % 10 === 0 ? '' : `import "./e${i - 1}.lssd"\n`;
  const init = i % 10 === 0 ? '' : `  init from e${i - 1}\n`;
  const changed = after && i % 20 === 5; // 10 real changes, each making the rest of its chain stale
  const lines = [`  label = "E.${i}"`, `  loss.lambda_a = ${changed ? 0.3 : (i % 3) / 10}`, `  optim.seed = ${i}`, `  data.budget = ${1 + (i % 7)}M shots`, init.trimEnd()].filter(Boolean);
  if (after) lines.reverse(); // reordered (and the import moved below a comment): no semantic change
  return `${after ? '// reformatted\n' : ''}import "paper"\n${parent}\nexperiment e${i} extends paper_main {\n${lines.join('\n')}\n}\n`;
}
const root = mkdtempSync(join(tmpdir(), 'lssd-bench-diff-'));
const dirs = ['a', 'b'].map((d) => join(root, d));
const lists: string[][] = [[], []];
dirs.forEach((d, side) => {
  mkdirSync(d);
  for (let i = 0; i < N; i++) { const f = join(d, `e${i}.lssd`); writeFileSync(f, experiment(i, side === 1)); lists[side].push(f); }
});
// The `lssdc diff DIR_A DIR_B` path: each directory compiled as one program, then diffPrograms.
const load = (files: string[]): SpecSet => {
  const r = loadFiles(files);
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  if (errs.length) throw new Error(`bench fixture does not compile: ${errs[0].message}`);
  return r.set;
};
const full = time(() => diffPrograms(load(lists[0]), load(lists[1])));
const a = load(lists[0]); const b = load(lists[1]);
const diffOnly = time(() => diffPrograms(a, b));
rmSync(root, { recursive: true, force: true });

const s = diffOnly.value.summary;
const result = {
  grid: { cells, errors, expandMs: expand.ms, compileMs: compile.ms, hashMs: hashes.ms, confoundMs: confound.ms },
  diff: { experiments: N, changed: s.rePretrain - s.stale, stale: s.stale, unchanged: s.unchanged, compileAndDiffMs: full.ms, diffMs: diffOnly.ms },
  runs,
};
if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else {
  const f = (x: number) => `${x.toFixed(1)} ms`;
  process.stdout.write([
    `grid: ${cells} cells (${errors} errors), median of ${runs} runs`,
    `  expandGrid (AST cells)            ${f(expand.ms)}`,
    `  compileFile (expand+resolve+check) ${f(compile.ms)}`,
    `  stage hashes, all cells           ${f(hashes.ms)}`,
    `  confound check                    ${f(confound.ms)}`,
    `diff: two directories of ${N} experiments (${result.diff.changed} changed, ${s.stale} stale, ${s.unchanged} unchanged)`,
    `  compile both sides + diff         ${f(full.ms)}`,
    `  diffPrograms only                 ${f(diffOnly.ms)}`,
  ].join('\n') + '\n');
}
