// Rendering diagnostics for people (source line + carets, related locations, hint) and for tools
// (JSON). Pure: takes the sources the compiler read.
import type { Source, Span } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';

export interface RenderOptions {
  color?: boolean;
  /** Diagnostics shown per file, then "… N more" (default MAX_PER_FILE = 20). */
  maxPerFile?: number;
  /** Widest excerpt line in display columns before it is cut around the caret (default 200). */
  maxExcerptWidth?: number;
}

const C = { red: '\x1b[31;1m', yellow: '\x1b[33;1m', cyan: '\x1b[36;1m', blue: '\x1b[34;1m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };

export function renderDiagnostics(ds: readonly Diagnostic[], sources: Map<string, Source> | Source[], opts: RenderOptions = {}): string {
  const map = Array.isArray(sources) ? new Map(sources.map((s) => [s.name, s])) : sources;
  const max = opts.maxPerFile ?? MAX_PER_FILE;
  const shown = new Map<string, number>(); const hidden = new Map<string, number>();
  const out: string[] = [];
  for (const d of ds) {
    const file = d.span?.file ?? '';
    const n = shown.get(file) ?? 0;
    if (n >= max) { hidden.set(file, (hidden.get(file) ?? 0) + 1); continue; }
    shown.set(file, n + 1);
    out.push(renderOne(d, map, opts));
  }
  for (const [file, n] of hidden) out.push(`… ${n} more diagnostic${n === 1 ? '' : 's'}${file ? ` in ${cleanName(file)}` : ''} (${max} shown; --json lists all)\n`);
  return out.join('\n');
}

/** Diagnostics printed per file before "… N more" (a file of random bytes gives hundreds). */
export const MAX_PER_FILE = 20;
/** Excerpt lines wider than this are cut around the caret. */
export const MAX_EXCERPT_WIDTH = 200;

/** Messages, notes and hints wider than this are cut in the middle (a message may quote a 1 MB string or name). */
export const MAX_MESSAGE_WIDTH = 400;

/** `s` cut to MAX_MESSAGE_WIDTH display columns, keeping its start and end around a `…`. */
function clip(s: string, max = MAX_MESSAGE_WIDTH): string {
  if (s.length <= max / 2 || displayWidth(s) <= max) return s;
  const half = Math.floor((max - 1) / 2);
  return fit(s, half, false) + '…' + fit(s, max - 1 - half, true);
}

const paint = (on: boolean | undefined, code: string, s: string) => (on ? code + s + C.reset : s);

/**
 * Text safe to print on a terminal: ESC as `␛`, other control characters (C0, DEL, C1) and line/paragraph
 * separators as `\xNN` / `\u{…}`, so a spec cannot move the cursor, recolour or clear a user's screen.
 */
export function cleanText(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    if (n === 0x1b) return '␛';
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}

/** Columns a code point takes on a terminal: 0 for combining marks and joiners, 2 for wide (CJK, emoji), else 1. */
export function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
      (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xe0100 && cp <= 0xe01ef)) return 0;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1f300 && cp <= 0x1f64f) || (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x1f680 && cp <= 0x1f6ff) || (cp >= 0x1fa70 && cp <= 0x1faff) ||
      (cp >= 0x2600 && cp <= 0x26ff && [0x2614, 0x2615, 0x267f, 0x2693, 0x26a1, 0x26aa, 0x26ab, 0x26bd, 0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26d4, 0x26ea, 0x26f2, 0x26f3, 0x26f5, 0x26fa, 0x26fd].includes(cp)) ||
      (cp >= 0x2705 && cp <= 0x27bf && [0x2705, 0x270a, 0x270b, 0x2728, 0x274c, 0x274e, 0x2753, 0x2754, 0x2755, 0x2757, 0x2795, 0x2796, 0x2797, 0x27b0, 0x27bf].includes(cp)) ||
      (cp >= 0x20000 && cp <= 0x3fffd)) return 2;
  return 1;
}

/** Display width of `s` on a terminal (see charWidth). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** The longest suffix (fromEnd) or prefix of `s` no wider than `cols`. */
function fit(s: string, cols: number, fromEnd: boolean): string {
  // Never more than 2 code units per column are kept: slicing first keeps a 1 MB line from becoming a 1 M-element array.
  const room = 2 * cols + 2;
  if (s.length > room) s = fromEnd ? s.slice(s.length - room) : s.slice(0, room);
  const chars = [...s]; let w = 0; let i = 0;
  const at = (k: number) => chars[fromEnd ? chars.length - 1 - k : k];
  while (i < chars.length && w + charWidth(at(i).codePointAt(0)!) <= cols) { w += charWidth(at(i).codePointAt(0)!); i++; }
  return fromEnd ? chars.slice(chars.length - i).join('') : chars.slice(0, i).join('');
}

/** A file name on one line: cleanText, and a newline or tab in the name as `\n` / `\t` (a name with a newline could forge a diagnostic line). */
export const cleanName = (name: string): string => cleanText(name).replace(/\n/g, '\\n').replace(/\t/g, '\\t');

export const location = (s: Span): string => `${cleanName(s.file)}:${s.start.line}:${s.start.column}`;

function renderOne(d: Diagnostic, sources: Map<string, Source>, o: RenderOptions): string {
  const sevColor = d.severity === 'error' ? C.red : d.severity === 'warning' ? C.yellow : C.cyan;
  const head = `${d.span ? paint(o.color, C.bold, location(d.span)) + ': ' : ''}${paint(o.color, sevColor, `${d.severity} ${d.code}`)}: ${paint(o.color, C.bold, clip(cleanText(d.message)))}`;
  const lines = [head];
  if (d.span) lines.push(...excerpt(d.span, sources, o, sevColor));
  for (const r of d.related) {
    lines.push(`  ${paint(o.color, C.bold, location(r.span))}: ${paint(o.color, C.cyan, 'note')}: ${clip(cleanText(r.message))}`);
    lines.push(...excerpt(r.span, sources, o, C.cyan).map((l) => '  ' + l));
  }
  if (d.hint) lines.push(`  ${paint(o.color, C.cyan, 'hint')}: ${clip(cleanText(d.hint))}`);
  return lines.join('\n') + '\n';
}

/**
 * The span's first line with carets under it (a multi-line span is underlined to the line's end).
 * Carets count display columns (CJK and emoji are two wide), control characters are shown escaped, and
 * a line wider than MAX_EXCERPT_WIDTH is cut to a window around the caret, marked with `…`.
 */
export function excerpt(span: Span, sources: Map<string, Source>, o: RenderOptions, color: string): string[] {
  const src = sources.get(span.file);
  if (!src) return [];
  const lineText = src.text.split('\n')[span.start.line - 1];
  if (lineText === undefined) return [];
  const raw = lineText.replace(/\r$/, '');
  const startCol = Math.min(raw.length, span.start.column - 1);
  const endCol = Math.max(startCol, Math.min(raw.length, span.end.line === span.start.line ? span.end.column - 1 : raw.length));
  const show = (t: string) => cleanText(t.replace(/\t/g, ' '));
  let before = show(raw.slice(0, startCol)); let mid = show(raw.slice(startCol, endCol)); let after = show(raw.slice(endCol));
  const max = o.maxExcerptWidth ?? MAX_EXCERPT_WIDTH;
  if (displayWidth(before) + displayWidth(mid) + displayWidth(after) > max) {
    const lead = Math.floor(max / 3);
    if (displayWidth(mid) > max - lead) { mid = fit(mid, max - lead - 1, false) + '…'; after = ''; }
    if (displayWidth(before) > lead) before = '…' + fit(before, lead - 1, true);
    const room = max - displayWidth(before) - displayWidth(mid);
    if (displayWidth(after) > room) after = fit(after, Math.max(0, room - 1), false) + '…';
  }
  const num = String(span.start.line);
  const gutter = ' '.repeat(num.length);
  const width = Math.max(1, displayWidth(mid.replace(/…$/, '')));
  return [
    `${paint(o.color, C.blue, ` ${num} |`)} ${before}${mid}${after}`,
    `${paint(o.color, C.blue, ` ${gutter} |`)} ${' '.repeat(displayWidth(before))}${paint(o.color, color, '^'.repeat(width))}`,
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
