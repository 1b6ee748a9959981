// Front-end benchmark: time to check every experiment in experiments/ (cold: first compile in the
// process, including the ajv schema compile; warm: mean of later runs), and to parse, compile and
// format a generated 5,000-line file.
//
//   node --import tsx bench/compile.ts [--runs N] [--lines N] [--json]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../compiler/index.ts';
import type { CompilerHost } from '../compiler/host.ts';
import { format } from '../compiler/fmt.ts';
import { parse } from '../grammar/index.ts';
import { nodeHost } from '../runtime/host.ts';

const args = process.argv.slice(2);
const opt = (k: string, d: number) => { const i = args.indexOf(k); return i >= 0 ? Number(args[i + 1]) : d; };
const runs = opt('--runs', 10);
const targetLines = opt('--lines', 5000);
const json = args.includes('--json');
const root = fileURLToPath(new URL('..', import.meta.url));

const files: string[] = [];
(function walk(d: string) {
  for (const n of readdirSync(d).sort()) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p); else if (n.endsWith('.lssd')) files.push(relative(root, p));
  }
})(join(root, 'experiments'));

const host = nodeHost({ cwd: root });
const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function checkAll(): { experiments: number; errors: number } {
  let experiments = 0; let errors = 0;
  for (const f of files) {
    const r = compileFile(f, host);
    experiments += r.value?.experiments.length ?? 0;
    errors += r.diagnostics.filter((d) => d.severity === 'error').length;
  }
  return { experiments, errors };
}

let t = performance.now();
const first = checkAll();
const cold = ms(t);
const warm: number[] = [];
for (let i = 0; i < runs; i++) { t = performance.now(); checkAll(); warm.push(ms(t)); }

// A generated file of ~targetLines lines: many short experiments over the CPU preset, with comments,
// sections, lists, ranges and lineage, like a large sweep written by hand.
const chunks: string[] = ['import "cpu"', ''];
let i = 0;
while (chunks.length < targetLines) {
  chunks.push(
    `/// Sweep point ${i}.`,
    `experiment sweep_${i} extends ${i % 10 === 0 ? 'cpu_small' : `sweep_${i - 1}`} {`,
    `  label = "sweep ${i}"  // trailing comment`,
    `  data.batch { per_device = 32  same_title = ${2 + (i % 4)} per_device }`,
    `  views.audio { time_mask = ${10 + (i % 40)}%  freq_mask = 20% }`,
    `  loss { lambda_v = 0  lambda_a = ${(i % 5) / 10} }`,
    `  optim.duration = ${100 + i} steps`,
    ...(i % 10 === 0 ? [] : [`  init from sweep_${i - 1}`]),
    '}',
    '',
  );
  i++;
}
const text = chunks.join('\n');
const lines = text.split('\n').length;
const big = 'bench-generated.lssd';
const bigHost: CompilerHost = { ...host, readFile: (p) => (p === big ? text : host.readFile(p)) };
const parseT: number[] = []; const compileT: number[] = []; const fmtT: number[] = [];
let bigDiag = 0;
for (let k = 0; k < Math.max(3, Math.min(runs, 5)); k++) {
  t = performance.now(); const p = parse({ name: big, text }); parseT.push(ms(t));
  t = performance.now(); format(p.value!); fmtT.push(ms(t));
  t = performance.now(); const r = compileFile(big, bigHost); compileT.push(ms(t));
  bigDiag = r.diagnostics.filter((d) => d.severity === 'error').length;
}

const result = {
  checkAll: { files: files.length, experiments: first.experiments, errors: first.errors, coldMs: +cold.toFixed(1), warmMs: +median(warm).toFixed(1) },
  bigFile: { lines, experiments: i, errors: bigDiag, parseMs: +median(parseT).toFixed(1), compileMs: +median(compileT).toFixed(1), fmtMs: +median(fmtT).toFixed(1) },
};
if (json) process.stdout.write(JSON.stringify(result) + '\n');
else {
  const c = result.checkAll; const b = result.bigFile;
  process.stdout.write(
    `check experiments/: ${c.files} files, ${c.experiments} experiments, ${c.errors} errors — cold ${c.coldMs} ms, warm ${c.warmMs} ms (median of ${runs})\n` +
    `${b.lines}-line file (${b.experiments} experiments, ${b.errors} errors): parse ${b.parseMs} ms, compile (resolve+check+validate) ${b.compileMs} ms, fmt ${b.fmtMs} ms\n`);
}
