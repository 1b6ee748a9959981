// Renders a ReportModel with Handlebars into report.md (+ the SVG charts as files beside it, since
// Markdown viewers drop inline SVG) and a self-contained report.html (charts inline, styles inline, no
// external requests). Users can replace either template (`--template my.html.hbs` / `my.md.hbs`).
// Escaping: HTML templates use Handlebars' default {{ }} escaping; the Markdown template is compiled without
// HTML escaping but receives a model whose every string is escaped for Markdown (mdEscape) — SVG markup,
// built with its own escaping in svg.ts, is the only thing passed through untouched.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { PROBE, ProbeError } from '../probes/errors.ts';
import type { ReportModel } from './model.ts';
import { b3Table, table2Model, type Layout } from './layouts.ts';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/report/', import.meta.url));

/**
 * Escapes Markdown (and inline HTML) metacharacters so spec strings render literally, also inside tables:
 * emphasis, code, links, table pipes and HTML everywhere; block markers (#, +, -, digits + '.') only
 * where they would start a block (at the start, followed by a space). Parentheses need no escape once brackets are escaped.
 */
export function mdEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ')
    .replace(/^(\s*)([#+-])(?=\s|$)/, '$1\\$2').replace(/^(\s*\d+)\.(?=\s|$)/, '$1\\.');
}

// svg: built with svg.ts escaping; file: sanitised to [A-Za-z0-9._-] (a link target, where escapes would show).
const RAW_KEYS = new Set(['svg', 'lossChart', 'file', 'lossChartFile']);

/** Deep copy with every string escaped for Markdown, except SVG markup. */
export function escapeModelForMarkdown<T>(value: T, key = ''): T {
  if (typeof value === 'string') return (RAW_KEYS.has(key) ? value : mdEscape(value)) as T;
  if (Array.isArray(value)) return value.map((v) => escapeModelForMarkdown(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeModelForMarkdown(v, k)])) as T;
  }
  return value;
}

function handlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('add', (a: number, b: number) => a + b);
  hb.registerHelper('repeat', (s: string, n: number) => Array.from({ length: n }, () => s).join(''));
  return hb;
}

function compile(source: string, name: string, md: boolean): HandlebarsTemplateDelegate {
  try {
    const t = handlebars().compile(source, { noEscape: md, strict: false });
    return t;
  } catch (e) {
    throw new ProbeError(PROBE.templateFailed.code, `template failed to compile: ${(e as Error).message.split('\n')[0]}`, name);
  }
}

function run(t: HandlebarsTemplateDelegate, model: unknown, name: string): string {
  try { return t(model); } catch (e) {
    throw new ProbeError(PROBE.templateFailed.code, `template failed to render: ${(e as Error).message.split('\n')[0]}`, name);
  }
}

export interface RenderOptions {
  /** A user template replacing the Markdown (`*.md`, `*.md.hbs`) or HTML (`*.html`, `*.html.hbs`) one. */
  template?: string;
  /** The paper's table layouts (runtime/report/layouts.ts): `default`, `table2` (Table 2), `b3` (Tables B.3/B.4). */
  layout?: Layout;
}

function templatePaths(opts: RenderOptions): { md: string; html: string } {
  const stem = opts.layout === 'b3' ? 'b3' : 'report';
  const paths = { md: join(TEMPLATE_DIR, `${stem}.md.hbs`), html: join(TEMPLATE_DIR, `${stem}.html.hbs`) };
  if (opts.template) {
    const name = basename(opts.template);
    if (/\.md(\.hbs|\.handlebars)?$/i.test(name)) paths.md = opts.template;
    else if (/\.html?(\.hbs|\.handlebars)?$/i.test(name)) paths.html = opts.template;
    else throw new ProbeError(PROBE.templateFailed.code, `cannot tell whether template '${name}' is Markdown or HTML`, opts.template,
      'name it *.md.hbs or *.html.hbs');
  }
  return paths;
}

function readTemplate(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch {
    throw new ProbeError(PROBE.templateFailed.code, 'template not found', path);
  }
}

export function renderReport(modelIn: ReportModel, opts: RenderOptions = {}): { markdown: string; html: string } {
  const paths = templatePaths(opts);
  const model = opts.layout === 'table2' ? table2Model(modelIn) : opts.layout === 'b3' ? { ...modelIn, b3: b3Table(modelIn) } : modelIn;
  const markdown = run(compile(readTemplate(paths.md), paths.md, true), escapeModelForMarkdown(model), paths.md);
  const html = run(compile(readTemplate(paths.html), paths.html, false), model, paths.html);
  return { markdown, html };
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Writes report.md, report.html and the charts as SVG files into `outDir`; returns the paths written.
 * `mdName` renames the Markdown file (e.g. results-tiny.md; the HTML takes the same stem); `assetsDir`
 * puts the SVG files in a sub-directory (e.g. results-tiny/) that report.md links into.
 */
export function writeReport(model: ReportModel, outDir: string, opts: RenderOptions & { mdName?: string; assetsDir?: string } = {}): string[] {
  const assets = opts.assetsDir ? opts.assetsDir.replace(/\/+$/, '') : '';
  if (assets && (assets.startsWith('/') || assets.split('/').includes('..'))) {
    throw new ProbeError(PROBE.badReportInput.code, `the assets directory must be a relative path inside the output directory, got '${assets}'`);
  }
  const link = (f: string) => (assets ? `${assets}/${f}` : f);
  const linked: ReportModel = { ...model, lossChartFile: link(model.lossChartFile),
    embeddingPlots: model.embeddingPlots.map((e) => ({ ...e, file: link(e.file) })) };
  mkdirSync(join(outDir, assets), { recursive: true });
  const { markdown, html } = renderReport(linked, opts);
  const written: string[] = [];
  const stem = (opts.mdName ?? 'report.md').replace(/\.md$/, '');
  const md = join(outDir, `${stem}.md`);
  writeAtomic(md, markdown); written.push(md);
  const h = join(outDir, `${stem}.html`);
  writeAtomic(h, html); written.push(h);
  if (model.lossChart) { const p = join(outDir, linked.lossChartFile); writeAtomic(p, model.lossChart); written.push(p); }
  for (const e of linked.embeddingPlots) { const p = join(outDir, e.file); writeAtomic(p, e.svg); written.push(p); }
  return written;
}
