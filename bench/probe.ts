// Probe time per task for the HEAR grid (stdlib preset hear_mlp: hear-eval-kit's protocol, 8 grid points on
// the first split, the winner retrained on the other folds), on every HEAR task directory it finds:
// ../shared/data/hear/* and test/fixtures/hear/*, plus `--embeddings DIR` directories in hear-eval-kit's
// layout (e.g. written by `lssdc probe … --export-hear DIR`). Without real embeddings each task gets
// label-correlated vectors of `--dim` (default 512) values, so the time measured is the protocol's, not an
// encoder's. Usage: node --import tsx bench/probe.ts [--dim N] [--embeddings DIR] [--backend wasm|cpu|tensorflow]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { loadHearTask, type HearTask } from '../runtime/probes/hear.ts';
import { runProtocol } from '../runtime/probes/protocol.ts';
import { embeddingTaskDirs, importHearTask } from '../runtime/probes/hear-export.ts';
import { rng } from '../runtime/probes/train-probe.ts';
import { selectBackend } from '../runtime/train/backend.ts';
import type { ProbeSpec } from '../compiler/spec.ts';

const arg = (name: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const dim = Number(arg('--dim') ?? 512);

// hear_mlp as stdlib/tasks.lssd declares it (kept in sync by test/probes/protocol.test.ts's use of drawGrid).
const { compileFile } = await import('../compiler/index.ts');
const { nodeHost } = await import('../runtime/host.ts');
const base = nodeHost();
const virtual = join(process.cwd(), '<bench-probe>.lssd');
const text = 'import "cpu"\ntask bench_hear extends hear_mlp {\n  suite = local\n  modality = audio\n  source = dir(".")\n}\n' +
  'experiment bench_probe extends cpu_small {\n  probes = [bench_hear]\n}\n';
const out = compileFile(virtual, { ...base, readFile: (p: string) => (p === virtual || p.endsWith('<bench-probe>.lssd') ? text : base.readFile(p)) });
if (!out.value) { console.error(out.diagnostics); process.exit(1); }
const probe: ProbeSpec = out.value.experiments[0].probes[0];

await selectBackend((arg('--backend') ?? 'auto') as 'auto');
console.log(`backend ${tf.getBackend()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${probe.probe.grid_points} grid points`);

function synthetic(task: HearTask): { x: Float32Array; dim: number } {
  const r = rng(7);
  const centres = task.labels.map(() => Float32Array.from({ length: dim }, () => r() * 2 - 1));
  const x = new Float32Array(task.clips.length * dim);
  task.clips.forEach((c, i) => { for (let d = 0; d < dim; d++) x[i * dim + d] = c.labels.reduce((a, l) => a + centres[l][d], 0) + 2 * (r() * 2 - 1); });
  return { x, dim };
}

const dirs = (root: string) => (existsSync(root) ? readdirSync(root).map((n) => join(root, n)).filter((p) => statSync(p).isDirectory() && existsSync(join(p, 'task_metadata.json'))) : []);
const jobs: { name: string; load: () => { task: HearTask; x: Float32Array; dim: number } }[] = [
  ...[...dirs('../shared/data/hear'), ...dirs('test/fixtures/hear')].map((d) => ({ name: d, load: () => { const task = loadHearTask(d); return { task, ...synthetic(task) }; } })),
  ...(arg('--embeddings') ? embeddingTaskDirs(arg('--embeddings')!).map((d) => ({ name: `${d} (real embeddings)`, load: () => importHearTask(d) })) : []),
];
console.log('| task | clips | dim | folds | metric | value | seconds |\n|---|---|---|---|---|---|---|');
let total = 0;
for (const j of jobs) {
  const { task, x, dim: d } = j.load();
  const t0 = performance.now();
  const r = await runProtocol(task, { x, dim: d }, { ...probe, task: task.name, prediction: task.prediction }, 0);
  const s = (performance.now() - t0) / 1000;
  total += s;
  console.log(`| ${j.name} | ${task.clips.length} | ${d} | ${r.folds.length} | ${r.metric} | ${(r.value * 100).toFixed(2)} | ${s.toFixed(1)} |`);
}
console.log(`total ${total.toFixed(1)} s over ${jobs.length} tasks; load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
