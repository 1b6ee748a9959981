// The results table laid out for a terminal of a given width (issue 13: at 80 columns a table of
// twelve probe tasks was wrapped by the terminal mid-row and unreadable). In order of preference:
//   1. the table as it is (runtime/orchestrate/results.ts formatResultsTable), when it fits;
//   2. transposed — tasks as rows, experiments as columns — when that fits (many tasks, few experiments);
//   3. wrapped — the task columns split into blocks that fit, each repeating the experiment column;
//   4. a list — one experiment per heading, one task per line — when even one task column does not fit
//      next to the experiment names (very long labels); lines cut to the width with `…`.
// Widths are display columns (CJK and emoji labels count two per character).
import type { ResultsTable } from '../contracts.ts';
import { cleanText, displayWidth } from '../../compiler/render.ts';
import { formatResultsTable } from '../orchestrate/results.ts';

const pct = (v: number) => (v * 100).toFixed(1);
const cellText = (v: { value: number; std: number | null } | null) =>
  (v ? (v.std !== null && v.std !== undefined ? `${pct(v.value)}±${pct(v.std)}` : pct(v.value)) : '—');
const rowName = (r: ResultsTable['rows'][number]) => cleanText(r.label && r.label !== r.name ? `${r.label} ${r.name}` : r.name);

const widest = (text: string) => Math.max(0, ...text.split('\n').map(displayWidth));
const padEnd = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - displayWidth(s)));
const padStart = (s: string, w: number) => ' '.repeat(Math.max(0, w - displayWidth(s))) + s;

/** `s` cut to `w` display columns, ending in `…` when cut. */
function cut(s: string, w: number): string {
  if (displayWidth(s) <= w) return s;
  let out = '', used = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (used + cw > w - 1) break;
    out += ch; used += cw;
  }
  return out + '…';
}

/** Tasks as rows (grouped under a line naming the group), experiments as columns. */
export function transposeResultsTable(t: ResultsTable): string {
  const head = ['task (metric)', ...t.rows.map(rowName)];
  const lines: (string[] | string)[] = [];
  let group: string | undefined;
  t.columns.forEach((c, i) => {
    if (c.group !== group) { group = c.group; lines.push(cleanText(c.group)); }
    lines.push([`  ${cleanText(c.task)} (${c.metric})`, ...t.rows.map((r) => cellText(r.values[i]))]);
  });
  const rows = lines.filter((l): l is string[] => Array.isArray(l));
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]))));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? padEnd(c, widths[0]) : padStart(c, widths[i]))).join(' │ ');
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(head), rule, ...lines.map((l) => (Array.isArray(l) ? line(l) : l))].join('\n');
}

/** One heading per experiment, one `group  task (metric)  value` line per task. */
function listResultsTable(t: ResultsTable, width: number): string {
  const label = t.columns.map((c) => `${cleanText(c.group)}  ${cleanText(c.task)} (${c.metric})`);
  const w = Math.max(...label.map(displayWidth));
  return t.rows.map((r) => [cut(rowName(r), width),
    ...t.columns.map((_, i) => cut(`  ${padEnd(label[i], w)}  ${cellText(r.values[i])}`, width))].join('\n')).join('\n\n');
}

const subTable = (t: ResultsTable, from: number, to: number): ResultsTable => ({
  columns: t.columns.slice(from, to),
  rows: t.rows.map((r) => ({ ...r, values: r.values.slice(from, to) })),
});

/** The results table in at most `width` display columns per line (see the header for the order of layouts). */
export function layoutResultsTable(t: ResultsTable, width: number): string {
  const full = formatResultsTable(t);
  if (t.rows.length === 0 || t.columns.length === 0 || widest(full) <= width) return full;
  const tr = transposeResultsTable(t);
  if (widest(tr) <= width) return tr;
  // Greedy blocks of consecutive task columns, each as wide as fits.
  const blocks: string[] = [];
  let from = 0;
  while (from < t.columns.length) {
    let to = from + 1;
    if (widest(formatResultsTable(subTable(t, from, to))) > width) return listResultsTable(t, width);
    while (to < t.columns.length && widest(formatResultsTable(subTable(t, from, to + 1))) <= width) to++;
    blocks.push(formatResultsTable(subTable(t, from, to)));
    from = to;
  }
  return blocks.join('\n\n');
}
