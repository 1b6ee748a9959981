// Text table of a plan's parameter counts for `lssdc show --params`: per tower the backbone, input,
// analytic count as instantiated, and — where the backbone declares a published figure — the analytic
// count of the published reference variant (classifier, RGB stem) with its deviation.
import type { Plan } from '../../compiler/plan.ts';

const m = (n: number) => `${(n / 1e6).toFixed(2)}M`;

export function paramTable(plan: Plan): string {
  const rows: string[][] = [['tower', 'backbone', 'family', 'input', 'params', 'published', 'reference variant (analytic)', 'Δ']];
  for (const t of [plan.graph.towers.video, plan.graph.towers.audio]) {
    if (!t) continue;
    const pub = t.published;
    rows.push([t.modality, t.backbone, t.family, `[${t.input.join('x')}]`, m(t.params), pub ? m(pub.params) : '—',
      pub ? `${m(pub.reference)} (${pub.variant})` : '—', pub ? `${((100 * (pub.reference - pub.params)) / pub.params).toFixed(2)}%` : '']);
  }
  for (const h of plan.graph.heads) rows.push([`head ${h.name}`, '', 'mlp', `[${h.inputDim}]→[${h.layers.join(',')}]`, m(h.params), '', '', '']);
  rows.push(['total', '', '', '', m(plan.estimates.params.total), '', '', '']);
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd());
  lines.splice(1, 0, w.map((x) => '-'.repeat(x)).join('  '));
  const e = plan.estimates;
  lines.push(`training step: batch ${plan.data.globalBatch}, ~${(e.flopsPerStep / 1e9).toFixed(1)} GFLOP, ~${(e.memoryBytes / 2 ** 30).toFixed(2)} GiB, ≥${e.secondsPerStepCpu.toFixed(2)} s on one wasm core`);
  return `${plan.experiment}\n${lines.join('\n')}\n`;
}
