// Rendering diagnostics for people (source line + carets, related locations, hint) and for tools
// (JSON). Pure: takes the sources the compiler read.
import type { Source, Span } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';

export interface RenderOptions {
  color?: boolean;
}

const C = { red: '\x1b[31;1m', yellow: '\x1b[33;1m', cyan: '\x1b[36;1m', blue: '\x1b[34;1m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };

export function renderDiagnostics(ds: readonly Diagnostic[], sources: Map<string, Source> | Source[], opts: RenderOptions = {}): string {
  const map = Array.isArray(sources) ? new Map(sources.map((s) => [s.name, s])) : sources;
  return ds.map((d) => renderOne(d, map, opts)).join('\n');
}

const paint = (on: boolean | undefined, code: string, s: string) => (on ? code + s + C.reset : s);

export const location = (s: Span): string => `${s.file}:${s.start.line}:${s.start.column}`;

function renderOne(d: Diagnostic, sources: Map<string, Source>, o: RenderOptions): string {
  const sevColor = d.severity === 'error' ? C.red : d.severity === 'warning' ? C.yellow : C.cyan;
  const head = `${d.span ? paint(o.color, C.bold, location(d.span)) + ': ' : ''}${paint(o.color, sevColor, `${d.severity} ${d.code}`)}: ${paint(o.color, C.bold, d.message)}`;
  const lines = [head];
  if (d.span) lines.push(...excerpt(d.span, sources, o, sevColor));
  for (const r of d.related) {
    lines.push(`  ${paint(o.color, C.bold, location(r.span))}: ${paint(o.color, C.cyan, 'note')}: ${r.message}`);
    lines.push(...excerpt(r.span, sources, o, C.cyan).map((l) => '  ' + l));
  }
  if (d.hint) lines.push(`  ${paint(o.color, C.cyan, 'hint')}: ${d.hint}`);
  return lines.join('\n') + '\n';
}

/** The span's first line with carets under it (a multi-line span is underlined to the line's end). */
export function excerpt(span: Span, sources: Map<string, Source>, o: RenderOptions, color: string): string[] {
  const src = sources.get(span.file);
  if (!src) return [];
  const lineText = src.text.split('\n')[span.start.line - 1];
  if (lineText === undefined) return [];
  const text = lineText.replace(/\r$/, '').replace(/\t/g, ' ');
  const num = String(span.start.line);
  const gutter = ' '.repeat(num.length);
  const startCol = span.start.column - 1;
  const endCol = span.end.line === span.start.line ? span.end.column - 1 : text.length;
  const width = Math.max(1, endCol - startCol);
  return [
    `${paint(o.color, C.blue, ` ${num} |`)} ${text}`,
    `${paint(o.color, C.blue, ` ${gutter} |`)} ${' '.repeat(Math.max(0, startCol))}${paint(o.color, color, '^'.repeat(width))}`,
  ];
}

export interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  related: { file: string; line: number; column: number; message: string }[];
  hint?: string;
}

/** The machine-readable form printed by `--json`. */
export function diagnosticsToJson(ds: readonly Diagnostic[]): JsonDiagnostic[] {
  return ds.map((d) => {
    const j: JsonDiagnostic = { code: d.code, severity: d.severity, message: d.message, related: [] };
    if (d.span) Object.assign(j, { file: d.span.file, line: d.span.start.line, column: d.span.start.column, endLine: d.span.end.line, endColumn: d.span.end.column });
    j.related = d.related.map((r) => ({ file: r.span.file, line: r.span.start.line, column: r.span.start.column, message: r.message }));
    if (d.hint) j.hint = d.hint;
    return j;
  });
}

/**
 * Golden form: the source reprinted with each diagnostic under its line, spans marked with `~~~`
 * (test/cases). Diagnostics in other files are listed after the source with their location.
 */
export function renderGolden(source: Source, ds: readonly Diagnostic[]): string {
  const lines = source.text.replace(/\n$/, '').split('\n');
  const byLine = new Map<number, Diagnostic[]>();
  const elsewhere: Diagnostic[] = [];
  for (const d of ds) {
    if (d.span && d.span.file === source.name && d.span.start.line <= lines.length) {
      const l = d.span.start.line;
      byLine.set(l, [...(byLine.get(l) ?? []), d]);
    } else elsewhere.push(d);
  }
  const out: string[] = [];
  lines.forEach((text, i) => {
    out.push(text);
    for (const d of byLine.get(i + 1) ?? []) {
      const s = d.span!;
      const start = s.start.column - 1;
      const end = s.end.line === s.start.line ? s.end.column - 1 : text.length;
      out.push(' '.repeat(start) + '~'.repeat(Math.max(1, end - start)));
      out.push(`!!! ${d.severity} ${d.code}: ${d.message}`);
      for (const r of d.related) out.push(`!!!   note ${r.span.file === source.name ? `line ${r.span.start.line}:${r.span.start.column}` : location(r.span)}: ${r.message}`);
      if (d.hint) out.push(`!!!   hint: ${d.hint}`);
    }
  });
  for (const d of elsewhere) {
    const at = !d.span ? '' : d.span.file === source.name ? 'end of file: ' : location(d.span) + ': ';
    out.push(`!!! ${at}${d.severity} ${d.code}: ${d.message}`);
    if (d.hint) out.push(`!!!   hint: ${d.hint}`);
  }
  return out.join('\n') + '\n';
}
