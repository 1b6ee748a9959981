// Table data for `lssdc table` (rendering with Handlebars lives in runtime/report/table/). The default
// columns are the paper's Table 1 ("Details of different pretraining model variants"): # data, init.,
// (λv, λa), original language, avg. # dubs, dub augment — each computed from the resolved spec, so the
// table cannot drift from the experiments. Where a grid axis that sets a column's field declares a
// display label (`axis languages = [[EN, ES, FR] as "ESF"] -> …`), the cell shows that label: the
// paper's own notation lives in the .lssd source, not here. Pure: no I/O.
import type { ResolvedSpec } from './spec.ts';
import type { GridInfoAxis } from './grid.ts';
import { canonicalJson } from './canonical.ts';
import { showValue } from './diff.ts';

export interface TableColumnDef {
  id: string;
  header: string;
  align: 'left' | 'right' | 'center';
  /** Source field paths (as grid axes target them) whose axis labels override the computed text. */
  axisTargets: string[];
  /** The column's raw value (JSON) and its text. */
  value(spec: ResolvedSpec, ctx: TableContext): unknown;
  text(spec: ResolvedSpec, ctx: TableContext): string;
}

export interface TableContext {
  /** Every experiment reachable, by name (for `init from` labels). */
  lookup(name: string): ResolvedSpec | undefined;
}

export interface TableRow {
  name: string;
  label: string;
  file: string;
  grid?: string;
  /** Display text per column id. */
  cells: Record<string, string>;
  /** Raw value per column id (for JSON output and custom templates). */
  values: Record<string, unknown>;
}

export interface TableData {
  title: string;
  columns: { id: string; header: string; align: TableColumnDef['align'] }[];
  rows: TableRow[];
  /** Notation used in the cells (e.g. "U: all languages of the catalog"). */
  notes: string[];
}

const getPath = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);

/** `4600000` → `4.6M`, `120000` → `120K`; null → `all`. */
export function shortCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'all';
  const fmt = (x: number, s: string) => `${Math.round(x * 10) / 10}${s}`;
  if (Math.abs(n) >= 1e9) return fmt(n / 1e9, 'B');
  if (Math.abs(n) >= 1e6) return fmt(n / 1e6, 'M');
  if (Math.abs(n) >= 1e4) return fmt(n / 1e3, 'K');
  return String(n);
}

const langs = (ls: string[]) => ls.map((l) => l.toUpperCase());
const setText = (ls: string[]) => (ls.length === 1 ? langs(ls)[0] : `{${langs(ls).join(',')}}`);

/** The paper's notation for a title-language filter: `U` (all), `U\EN`, `EN`, `{EN,ES,FR}`. */
export function languageSetText(f: ResolvedSpec['data']['filters']['original_language']): string {
  const base = f.include === 'all' ? 'U' : setText(f.include);
  return f.exclude.length ? `${base}\\${setText(f.exclude)}` : base;
}

const num = (x: number) => String(x);

export const BUILTIN_COLUMNS: TableColumnDef[] = [
  {
    id: 'data', header: '# data', align: 'right', axisTargets: ['data.budget'],
    value: (s) => s.data.budget, text: (s) => shortCount(s.data.budget),
  },
  {
    id: 'init', header: 'init.', align: 'left', axisTargets: [],
    value: (s) => (s.init.kind === 'from' ? s.init.experiment : null),
    text: (s, ctx) => (s.init.kind === 'from' ? ctx.lookup(s.init.experiment)?.label ?? s.init.experiment : 'rand.'),
  },
  {
    id: 'lambdas', header: '(λv, λa)', align: 'center', axisTargets: [],
    value: (s) => [s.loss.lambda_v, s.loss.lambda_a], text: (s) => `(${num(s.loss.lambda_v)},${num(s.loss.lambda_a)})`,
  },
  {
    id: 'languages', header: 'original language', align: 'left', axisTargets: ['data.titles.original_language'],
    value: (s) => s.data.filters.original_language, text: (s) => languageSetText(s.data.filters.original_language),
  },
  {
    id: 'avg_dubs', header: 'avg. # dubs', align: 'right', axisTargets: ['data.expected.avg_dubs'],
    value: (s) => s.data.expected.avg_dubs, text: (s) => (s.data.expected.avg_dubs === null ? '–' : s.data.expected.avg_dubs.toFixed(1)),
  },
  {
    id: 'dub_augment', header: 'dub augment', align: 'center', axisTargets: ['dubs.policy'],
    value: (s) => s.dubs.policy !== 'off', text: (s) => (s.dubs.policy !== 'off' ? '✓' : '✗'),
  },
];

export const TABLE1_COLUMNS = BUILTIN_COLUMNS.map((c) => c.id);

/** A column showing any resolved-spec path (`optim.duration`, `model.video.name`). */
export function pathColumn(path: string): TableColumnDef {
  return {
    id: path, header: path, align: 'left', axisTargets: [path],
    value: (s) => getPath(s, path),
    text: (s) => { const v = getPath(s, path); return v === undefined ? '–' : showValue(v); },
  };
}

export interface TableOptions {
  /** Column ids (built-in: data, init, lambdas, languages, avg_dubs, dub_augment) or resolved-spec paths. Default: Table 1's. */
  columns?: string[];
  title?: string;
  /** Every reachable experiment by name (for init labels); default: the rows themselves. */
  all?: Map<string, ResolvedSpec>;
  /** Grid axes by grid name (compiler/grid.ts `gridAxes`), for display labels. */
  grids?: Map<string, GridInfoAxis[]>;
}

/** Unknown column ids: returned so the CLI can report them with a suggestion. */
export function unknownColumns(ids: string[], sample?: ResolvedSpec): string[] {
  return ids.filter((id) => !BUILTIN_COLUMNS.some((c) => c.id === id) && (!sample || getPath(sample, id) === undefined));
}

export function tableData(specs: ResolvedSpec[], opts: TableOptions = {}): TableData {
  const byName = opts.all ?? new Map(specs.map((s) => [s.name, s]));
  const ctx: TableContext = { lookup: (n) => byName.get(n) ?? specs.find((s) => s.name === n) };
  const cols = (opts.columns ?? TABLE1_COLUMNS).map((id) => BUILTIN_COLUMNS.find((c) => c.id === id) ?? pathColumn(id));

  const labelFor = (s: ResolvedSpec, col: TableColumnDef): string | undefined => {
    const g = s.origin.grid;
    const axes = g && opts.grids?.get(g.name);
    if (!g || !axes) return undefined;
    for (const a of axes) {
      if (!a.target || !col.axisTargets.includes(a.target)) continue;
      const v = a.values.find((x) => canonicalJson(x.json) === canonicalJson(g.axes[a.name]));
      if (v?.label !== undefined) return v.label;
    }
    return undefined;
  };

  const notes: string[] = [];
  const rows: TableRow[] = specs.map((s) => {
    const cells: Record<string, string> = {}; const values: Record<string, unknown> = {};
    for (const c of cols) {
      values[c.id] = c.value(s, ctx);
      const computed = c.text(s, ctx);
      const label = labelFor(s, c);
      cells[c.id] = label ?? computed;
      // A label the source defines as notation (ESF := {EN,ES,FR}) goes in the caption, as in the paper.
      const note = `${label} := ${computed}`;
      if (label !== undefined && label !== computed && /^[\p{L}\p{N}\\]+$/u.test(label) && !notes.includes(note)) notes.push(note);
    }
    const row: TableRow = { name: s.name, label: s.label, file: s.origin.file, cells, values };
    if (s.origin.grid) row.grid = s.origin.grid.name;
    return row;
  });

  const used = (re: RegExp) => rows.some((r) => Object.values(r.cells).some((t) => re.test(t)));
  if (cols.some((c) => c.id === 'languages') && used(/^U/)) notes.push('U: every original language of the catalog; U\\X: all of them but X.');
  return { title: opts.title ?? 'Details of different pretraining model variants', columns: cols.map((c) => ({ id: c.id, header: c.header, align: c.align })), rows, notes };
}
