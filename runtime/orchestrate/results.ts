// The results table printed at the end of a run: rows = experiments, columns = probe tasks grouped as in
// the paper's tables. Data only here; the renderers format it (formatResultsTable) and P's `lssdc report`
// writes the HTML/Markdown versions.
import type { ProbeResult, ResultsTable } from '../contracts.ts';
import { cleanText } from '../../compiler/render.ts';

export function buildResultsTable(rows: { name: string; label: string; results: ProbeResult[] }[]): ResultsTable {
  const columns: ResultsTable['columns'] = [];
  const key = (r: { task: string }) => r.task;
  for (const row of rows) for (const r of row.results) {
    if (!columns.some((c) => c.task === key(r))) columns.push({ task: r.task, group: r.group, metric: r.metric });
  }
  // Group columns together, groups in order of first appearance (stable within a group).
  const groupOrder = [...new Set(columns.map((c) => c.group))];
  columns.sort((a, b) => groupOrder.indexOf(a.group) - groupOrder.indexOf(b.group));
  return {
    columns,
    rows: rows.map((row) => ({
      name: row.name, label: row.label,
      values: columns.map((c) => {
        const r = row.results.find((x) => x.task === c.task);
        return r ? { value: r.value, std: r.std } : null;
      }),
    })),
  };
}

const pct = (v: number) => (v * 100).toFixed(1);

/** Plain-text table (metrics in %, ± std over folds when k-fold), e.g. for a terminal or CI log. */
export function formatResultsTable(table: ResultsTable): string {
  // Names and labels come from the spec: control characters (an ESC in a label) are shown escaped.
  const t: ResultsTable = { ...table, rows: table.rows.map((r) => ({ ...r, name: cleanText(r.name), label: cleanText(r.label) })) };
  if (t.rows.length === 0) return '(no experiments)';
  if (t.columns.length === 0) return t.rows.map((r) => `${r.name}${r.label && r.label !== r.name ? ` (${r.label})` : ''}: no probe results`).join('\n');
  const head = ['experiment', ...t.columns.map((c) => `${c.task} (${c.metric})`)];
  const body = t.rows.map((r) => [r.label && r.label !== r.name ? `${r.label} ${r.name}` : r.name,
    ...r.values.map((v) => (v ? (v.std !== null && v.std !== undefined ? `${pct(v.value)}±${pct(v.std)}` : pct(v.value)) : '—'))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  // Group header: each group's name spans its columns.
  const groups: { name: string; width: number }[] = [];
  t.columns.forEach((c, i) => {
    const last = groups[groups.length - 1];
    const w = widths[i + 1];
    if (last && last.name === c.group) last.width += w + 3; else groups.push({ name: c.group, width: w });
  });
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]) : c.padStart(widths[i]))).join(' │ ');
  const groupLine = ' '.repeat(widths[0]) + ' │ ' + groups.map((g) => centre(g.name, g.width)).join(' │ ');
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [groupLine, line(head), rule, ...body.map(line)].join('\n');
}

function centre(s: string, w: number): string {
  if (s.length >= w) return s.slice(0, w);
  const left = Math.floor((w - s.length) / 2);
  return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
}
