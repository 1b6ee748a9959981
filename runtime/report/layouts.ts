// The paper's table layouts, selectable with `lssdc report --layout`:
//   table2  Table 2: rows = variants, columns in the paper's task order (HEAR: ESC-50, LibriCount, CREMA-D,
//           Vocal Imitation, FSD50K, Speech Commands, VoxLingua107 top-10; then LVU on audio embeddings:
//           Director, Genre, Relation, Scene, Speak, Writer, Year), values in % with 2 decimals, best per
//           ablation group bold. Tasks the paper does not list follow in the default order.
//   b3      Tables B.3 / B.4: rows = tasks grouped by kind, an M column (the embedding probed: A, V, AV),
//           columns = variants, values as fractions with 3 decimals (± the spread), the best of each row
//           bold and the worst marked.
import { markBest, type Column, type ReportModel, type TableCell } from './model.ts';

export type Layout = 'default' | 'table2' | 'b3';

/** Table 2's column order (the paper's caption: HEAR left to right, then LVU). */
export const TABLE2_ORDER = ['esc50', 'libricount', 'crema_d', 'vocal_imitation', 'fsd50k', 'speech_commands', 'voxlingua107_top10',
  'lvu_director_a', 'lvu_genre_a', 'lvu_relationship_a', 'lvu_scene_a', 'lvu_speaking_style_a', 'lvu_writer_a', 'lvu_year_a'];

/** Tables B.3 then B.4, row order. */
export const B3_ORDER = ['esc50', 'fsd50k', 'tut18', 'vocal_imitation', 'vggsound_av', 'vggsound', 'crema_d', 'gtzan_music_speech', 'libricount',
  'fluent_speech_commands', 'speech_commands_5h', 'speech_commands', 'voxforge', 'voxlingua107_top10', 'hmdb51_linear', 'hmdb51', 'ucf101_linear', 'ucf101'];

const rank = (order: string[], task: string) => { const i = order.indexOf(task); return i < 0 ? order.length : i; };

/** Table 2 layout: the default model with its columns in the paper's order and 2-decimal percentages. */
export function table2Model(m: ReportModel): ReportModel {
  const idx = m.columns.map((_, i) => i).sort((a, b) => (rank(TABLE2_ORDER, m.columns[a].task) - rank(TABLE2_ORDER, m.columns[b].task)) || a - b);
  const columns = idx.map((i) => m.columns[i]);
  const pct2 = (v: number) => (v * 100).toFixed(2);
  const rowGroups = m.rowGroups.map((g) => ({
    ...g,
    rows: g.rows.map((r) => ({ ...r, cells: idx.map((i): TableCell => {
      const c = r.cells[i];
      return c.value === null ? { ...c, best: false } : { ...c, best: false, text: c.std !== null ? `${pct2(c.value)} ± ${pct2(c.std)}` : pct2(c.value) };
    }) })),
  }));
  markBest(rowGroups, columns.length, pct2);
  // Column groups follow the new order (consecutive runs of one group).
  const columnGroups: ReportModel['columnGroups'] = [];
  for (const c of columns) {
    const last = columnGroups[columnGroups.length - 1];
    if (last && last.name === c.group) last.span++; else columnGroups.push({ name: c.group, span: 1 });
  }
  return { ...m, columns, columnGroups, rowGroups };
}

export interface B3Cell { text: string; value: number | null; best: boolean; worst: boolean }
export interface B3Row { task: string; metric: string; modality: string; cells: B3Cell[] }
export interface B3Table { variants: string[]; groups: { name: string; rows: B3Row[] }[] }

const MODALITY: Record<Column['modality'] & string, string> = { audio: 'A', video: 'V', audiovisual: 'AV' };

/** Tables B.3/B.4 layout: tasks as rows (grouped by kind), variants as columns, best bold and worst marked per row. */
export function b3Table(m: ReportModel): B3Table {
  const rows = m.rowGroups.flatMap((g) => g.rows);
  const variants = rows.map((r) => r.label);
  const frac = (v: number) => v.toFixed(3).replace(/^(-?)0\./, '$1.');
  const order = m.columns.map((_, i) => i).sort((a, b) => (rank(B3_ORDER, m.columns[a].task) - rank(B3_ORDER, m.columns[b].task)) || a - b);
  const groups: B3Table['groups'] = [];
  for (const ci of order) {
    const col = m.columns[ci];
    const cells: B3Cell[] = rows.map((r) => {
      const c = r.cells[ci];
      if (c.value === null) return { text: '—', value: null, best: false, worst: false };
      return { text: c.std !== null ? `${frac(c.value)}±${frac(c.std)}` : frac(c.value), value: c.value, best: false, worst: false };
    });
    const shown = cells.filter((c) => c.value !== null).map((c) => frac(c.value!));
    if (shown.length >= 2) {
      const hi = Math.max(...shown.map(Number)); const lo = Math.min(...shown.map(Number));
      if (hi !== lo) for (const c of cells) if (c.value !== null) { c.best = Number(frac(c.value)) === hi; c.worst = Number(frac(c.value)) === lo; }
    }
    let g = groups.find((x) => x.name === col.group);
    if (!g) { g = { name: col.group, rows: [] }; groups.push(g); }
    g.rows.push({ task: col.task, metric: col.metric, modality: MODALITY[col.modality as keyof typeof MODALITY] ?? col.modality, cells });
  }
  return { variants, groups };
}
