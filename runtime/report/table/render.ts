// Renders compiler/table.ts's TableData with Handlebars: templates/table/table.md.hbs (Markdown,
// unescaped but with `md` escaping pipes and markup) and table.html.hbs (HTML, Handlebars' escaping),
// or a user template. The view handed to a template is documented in docs/diff-and-grids.md §Tables.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { TableData } from '../../../compiler/table.ts';

export type TableFormat = 'markdown' | 'html';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/table/', import.meta.url));

export interface TableView {
  title: string;
  columns: { id: string; header: string; align: string; alignClass: string }[];
  alignClasses: string[];
  /** Each row: `cells` in column order (the first column is the row label), plus the raw row. */
  rows: { name: string; label: string; file: string; grid?: string; cells: string[]; values: Record<string, unknown> }[];
  notes: string[];
}

/** The template view: a leading row-label column, then the data's columns. */
export function tableView(d: TableData): TableView {
  const columns = [{ id: 'label', header: '', align: 'left' }, ...d.columns];
  const mdAlign = { left: ':---', right: '---:', center: ':---:' } as Record<string, string>;
  return {
    title: d.title,
    columns: columns.map((c) => ({ id: c.id, header: c.header, align: mdAlign[c.align] ?? '---', alignClass: c.align })),
    alignClasses: columns.map((c) => c.align),
    rows: d.rows.map((r) => ({ name: r.name, label: r.label, file: r.file, grid: r.grid, values: r.values, cells: [r.label, ...d.columns.map((c) => r.cells[c.id])] })),
    notes: d.notes,
  };
}

/** Markdown inline escaping for table cells: pipes and the characters that start markup. */
export const mdEscape = (s: unknown) => String(s ?? '').replace(/([\\|*`[\]<>])/g, '\\$1').replace(/\n/g, ' ');

export class TemplateError extends Error {}

export function renderTable(d: TableData, opts: { format: TableFormat; template?: { name: string; text: string } }): string {
  const hb = Handlebars.create();
  hb.registerHelper('md', (s: unknown) => mdEscape(s));
  const name = opts.template?.name ?? `table.${opts.format === 'html' ? 'html' : 'md'}.hbs`;
  const text = opts.template?.text ?? readFileSync(TEMPLATE_DIR + name, 'utf8');
  let t: HandlebarsTemplateDelegate;
  // Handlebars compiles lazily: parse first so a syntax error is reported as such, before rendering.
  try { hb.parse(text); t = hb.compile(text, { noEscape: opts.format === 'markdown', strict: false }); }
  catch (e) { throw new TemplateError(`${name}: template failed to compile: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`); }
  try { return t(tableView(d)); }
  catch (e) { throw new TemplateError(`${name}: template failed to render: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`); }
}
