// What a fuzz case must satisfy, shared by the campaigns (bench/fuzz.ts) and the crash-corpus test
// (test/fuzz/corpus.test.ts). A case is one file's text substituted into the program; the oracle
// compiles it (and lowers and hashes every experiment that compiled), renders the diagnostics as
// `lssdc check` would, and formats the file when it parses. It returns the broken properties, [] if none.
import { compileFile } from '../../compiler/index.ts';
import type { CompilerHost } from '../../compiler/host.ts';
import { lower } from '../../compiler/lower.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { CATALOG } from '../../compiler/messages.ts';
import { renderDiagnostics, diagnosticsToJson, MAX_PER_FILE } from '../../compiler/render.ts';
import { format } from '../../compiler/fmt.ts';
import { parse } from '../../grammar/index.ts';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import type { Entry, File, GridItem, Source, Span } from '../../grammar/ast.ts';
import { astKey } from '../compiler/ast-util.ts';
import { parseCached } from '../../compiler/resolve-load.ts';

export interface FuzzCase {
  /** The file compiled (repo-relative). */
  entry: string;
  /** The file whose text is replaced: the entry itself or a stdlib file it imports (`stdlib/x.lssd`). */
  victim: string;
  text: string;
  /** Compile with this profile (`--profile`), reaching the binding and scaling paths. */
  profile?: string;
}

const CODES = new Set(CATALOG.map((m) => m.code));

/**
 * Output limits a terminal can live with, whatever the input: no rendered line wider than
 * LINE_LIMIT characters (excerpts are cut at 200 columns; a message quoting a huge name must be cut
 * too), and at most MAX_PER_FILE rendered diagnostics per file plus one "… N more" line.
 */
export const LINE_LIMIT = 1000;

/** Control characters that must never reach a terminal from a rendered diagnostic (newline and tab are allowed). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

export type Failure = { property: string; detail: string };

function checkDiagnostic(d: Diagnostic, sources: Map<string, { text: string }> | undefined, out: Failure[]) {
  if (!/^LSSD\d{4}$/.test(d.code) || !CODES.has(d.code)) out.push({ property: 'coded', detail: `code ${JSON.stringify(d.code)} is not in the catalog: ${d.message}` });
  if (!['error', 'warning', 'info'].includes(d.severity)) out.push({ property: 'coded', detail: `severity ${d.severity}` });
  if (typeof d.message !== 'string' || !d.message.length) out.push({ property: 'coded', detail: `empty message for ${d.code}` });
  if (/internal error|this is a bug/i.test(d.message)) out.push({ property: 'no-internal-error', detail: `${d.code}: ${d.message.slice(0, 300)}` });
  for (const s of [d.span, ...d.related.map((x) => x.span)]) {
    if (!s) continue;
    const src = sources?.get(s.file);
    if (!src) { out.push({ property: 'span', detail: `${d.code}: points into unknown file ${s.file}` }); continue; }
    const ok = s.start.offset >= 0 && s.start.offset <= s.end.offset && s.end.offset <= src.text.length
      && s.start.line >= 1 && s.start.column >= 1 && (s.start.line < s.end.line || (s.start.line === s.end.line && s.start.column <= s.end.column));
    if (!ok) out.push({ property: 'span', detail: `${d.code}: span ${JSON.stringify(s)} out of bounds (file length ${src.text.length}): ${d.message.slice(0, 200)}` });
  }
}

function checkRendered(rendered: string, ds: readonly Diagnostic[], sources: Map<string, Source>, out: Failure[]) {
  // Attributed to the diagnostic that printed it, so a campaign's failures group by code.
  const culprit = (bad: (s: string) => boolean) => ds.find((d) => bad(renderDiagnostics([d], sources)))?.code ?? 'summary';
  if (RAW_CONTROL.test(rendered)) {
    const i = rendered.search(RAW_CONTROL);
    out.push({ property: 'escaped', detail: `${culprit((s) => RAW_CONTROL.test(s))}: raw control character U+${rendered.charCodeAt(i).toString(16).padStart(4, '0')} near ${JSON.stringify(rendered.slice(Math.max(0, i - 40), i + 10))}` });
  }
  const tooLong = (s: string) => s.split('\n').some((l) => l.length > LINE_LIMIT);
  if (tooLong(rendered)) {
    const long = rendered.split('\n').find((l) => l.length > LINE_LIMIT)!;
    out.push({ property: 'bounded', detail: `${culprit(tooLong)}: a rendered line of ${long.length} characters: ${JSON.stringify(long.slice(0, 120))}…` });
  }
  const files = new Set(ds.map((d) => d.span?.file ?? ''));
  const heads = rendered.split('\n').filter((l) => /^(\S.*: )?(error|warning|info) LSSD\d{4}: /.test(l)).length;
  if (heads > files.size * MAX_PER_FILE) out.push({ property: 'bounded', detail: `summary: ${heads} diagnostics rendered for ${files.size} files (cap ${MAX_PER_FILE} per file)` });
}

/** Runs one case against `base` (a node host on the repo). Exceptions are failures, never thrown. */
export function checkCase(c: FuzzCase, base: CompilerHost, victimPath: string): Failure[] {
  const out: Failure[] = [];
  const host: CompilerHost = {
    ...base,
    readFile: (p) => (p === c.victim || p === victimPath ? c.text : base.readFile(p)),
  };
  try {
    const res = compileFile(c.entry, host, { profile: c.profile, project: false });
    const sources = res.value?.sources;
    for (const d of res.diagnostics) checkDiagnostic(d, sources, out);
    const rendered = renderDiagnostics(res.diagnostics, sources ?? new Map());
    checkRendered(rendered, res.diagnostics, sources ?? new Map(), out);
    JSON.stringify(diagnosticsToJson(res.diagnostics));
    if (res.value && !res.diagnostics.some((d) => d.severity === 'error')) {
      const p = res.value;
      // Lowering and hashing one experiment per case (the last, often a grid's far corner) keeps a campaign's pace.
      for (const spec of p.experiments.slice(-1)) {
        const l = lower(spec, p);
        for (const d of l.diagnostics) checkDiagnostic(d, sources, out);
        stageHashes(spec, (n) => p.all.get(n));
      }
    }
  } catch (e) {
    out.push({ property: 'no-exception', detail: `compile: ${(e as Error)?.stack ?? String(e)}`.slice(0, 2000) });
  }
  // The compiler's parse cache already holds the mutant's parse (under the name the compiler read it by).
  out.push(...checkFmt(victimPath, c.text, parseCached));
  return out;
}

/**
 * Where each comment sits, independent of layout: how many word characters of code precede it, and
 * whether it trails code on its line. fmt may move whitespace and punctuation, never a comment past a
 * word (a comment after `lr = 0.1` stays after `0.1`, one above `model` stays above it).
 */
export function anchors(text: string, comments: readonly { span: { start: { offset: number }; end: { offset: number } }; trailing?: boolean }[]): string[] {
  const sorted = [...comments].map((c, i) => ({ c, i })).sort((x, y) => x.c.span.start.offset - y.c.span.start.offset);
  const res: string[] = new Array(comments.length);
  let pos = 0, words = 0;
  for (const { c, i } of sorted) {
    // String contents do not count: fmt may re-escape them (`\u{2029}`).
    // Doc lines (`///`) do not count either: a comment among them is printed after the whole doc.
    // A doc line may follow code on its line (`import "x" /// doc`): fmt prints it on a line of its own.
    // To the newline only: `.` and `$` stop at U+2028/U+2029, which a doc line may hold.
    words += (text.slice(pos, c.span.start.offset).replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/\/\/\/(?!\/)[^\n]*/g, '').match(/\w/g) ?? []).length;
    pos = c.span.end.offset;
    res[i] = `${words}${c.trailing ? ' trailing' : ' own-line'}`;
  }
  return res;
}

/**
 * Bracket depth (`(` and `[`, outside strings and comments) at `offset`. fmt keeps comments among a
 * value's items in place (depth 1); one nested deeper, inside an item, moves above that item's line
 * (compiler/fmt.ts), so the attachment property is checked only for files without such comments.
 */
export function nestingAt(text: string, offset: number): number {
  let depth = 0;
  const re = /"(?:[^"\\\n]|\\.)*"?|(?:\/\/|#)[^\n]*|[()[\]]/g;
  for (let m = re.exec(text); m && m.index < offset; m = re.exec(text)) {
    const t = m[0];
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') depth = Math.max(0, depth - 1);
  }
  return depth;
}

/**
 * Comment positions fmt moves on purpose (compiler/fmt.ts), where the attachment property is not
 * checked: nested two brackets deep (inside a list item or call argument), inside a field but not among
 * a list's or call's items (`label = // c⏎ "x"`: above the field), inside a declaration's head or an import.
 */
function movedByDesign(file: File, offset: number): boolean {
  const depth = nestingAt(file.source.text, offset);
  if (depth >= 2 || inDeclHead(file, offset) || inSectionHead(file, offset) || inWhenCondition(file, offset) || insideItem(file, offset) || file.imports.some((i) => offset > i.span.start.offset && offset < i.span.end.offset)) return true;
  // `zip(a // c⏎, b)`: fmt prints a zip on one line, such a comment above it, whatever the depth.
  if (fieldSpans(file, 'GridZip').some((s) => offset > s.start.offset && offset < s.end.offset)) return true;
  return depth === 0 && fieldSpans(file).some((s) => offset > s.start.offset && offset < s.end.offset);
}

function fieldSpans(file: File, only?: 'GridZip'): Span[] {
  const out: Span[] = [];
  const walk = (es: readonly (Entry | GridItem)[]) => {
    for (const e of es) {
      if (only && e.kind !== only) { if (e.kind === 'Section' || e.kind === 'GridWhen') walk(e.body.entries); continue; }
      if (e.kind === 'Field' || e.kind === 'InitFrom' || e.kind === 'GridAxis' || e.kind === 'GridExclude' || e.kind === 'GridZip') out.push(e.span);
      else if (e.kind === 'Section') walk(e.body.entries);
      else if (e.kind === 'GridWhen') walk(e.body.entries);
    }
  };
  for (const d of file.decls) walk(d.kind === 'GridDecl' ? d.items : d.body.entries);
  return out;
}

/**
 * Inside one item of a list or call (`[EFR] // c⏎ as "ES"` is one item): fmt prints an item on one
 * line and such a comment above it (compiler/fmt.ts commentedItems), whatever the bracket depth.
 */
function insideItem(file: File, offset: number): boolean {
  const within = (n: { span?: Span } | undefined) => !!n?.span && offset > n.span.start.offset && offset < n.span.end.offset;
  const visit = (x: unknown): boolean => {
    if (!x || typeof x !== 'object') return false;
    if (Array.isArray(x)) return x.some(visit);
    const o = x as { kind?: string; items?: { span?: Span }[]; args?: { span?: Span }[]; named?: { name: { span: Span }; value: { span: Span } }[] };
    if (o.kind === 'List' && o.items?.some(within)) return true;
    // A named argument is one item from its name to its value (`c(s = // c⏎ s)`), as fmt prints it.
    if (o.kind === 'Call' && (o.args?.some(within) || o.named?.some((n) => within({ span: { file: n.name.span.file, start: n.name.span.start, end: n.value.span.end } })))) return true;
    // An axis item is its value and its label (`[EFR] as "ESF"`).
    const ax = x as { kind?: string; values?: { span: Span }[]; labels?: ({ span: Span } | null | undefined)[] };
    if (ax.kind === 'GridAxis' && ax.values?.some((v, i) => { const l = ax.labels?.[i]; return !!l && offset > v.span.start.offset && offset < l.span.end.offset; })) return true;
    return Object.entries(o).some(([k, v]) => k !== 'span' && k !== 'source' && visit(v));
  };
  return visit(file.decls);
}

/** In a grid's `when { axis = value }` condition: fmt prints the condition on the `when` line and such a comment above it. */
function inWhenCondition(file: File, offset: number): boolean {
  const walk = (es: readonly (Entry | GridItem)[]): boolean => es.some((e) =>
    (e.kind === 'GridWhen' && ((offset > e.span.start.offset && offset < e.body.span.start.offset) || walk(e.body.entries))) || (e.kind === 'Section' && walk(e.body.entries)));
  return file.decls.some((d) => walk(d.kind === 'GridDecl' ? d.items : d.body.entries));
}

/** Between a section's key and its `{` (`g // c⏎ { … }`): fmt moves such a comment inside the block, as for a declaration's head. */
function inSectionHead(file: File, offset: number): boolean {
  const walk = (es: readonly (Entry | GridItem)[]): boolean => es.some((e) =>
    (e.kind === 'Section' && offset >= e.key.span.end.offset && offset < e.body.span.start.offset) || (e.kind === 'Section' && walk(e.body.entries)) || (e.kind === 'GridWhen' && walk(e.body.entries)));
  return file.decls.some((d) => walk(d.kind === 'GridDecl' ? d.items : d.body.entries));
}

/** Inside a declaration's head (`grid a // c⏎ extends b {`): fmt moves such a comment after the opening brace. */
function inDeclHead(file: File, offset: number): boolean {
  return file.decls.some((d) => offset > d.span.start.offset && offset < file.source.text.indexOf('{', d.name.span.end.offset));
}

const lateImport = (f: File) => f.decls.length > 0 && f.imports.some((i) => i.span.start.offset > f.decls[0].span.start.offset);

/** fmt properties on one file: when it parses, fmt's output parses to the same AST and comments, and fmt is idempotent. */
export function checkFmt(name: string, text: string, parsed?: (s: Source) => ReturnType<typeof parse>): Failure[] {
  const out: Failure[] = [];
  try {
    const p = (parsed ?? parse)({ name, text });
    if (p.diagnostics.some((d) => d.severity === 'error') || !p.value) return out;
    const f = format(p.value);
    const again = parse({ name, text: f });
    if (again.diagnostics.some((d) => d.severity === 'error') || !again.value) {
      out.push({ property: 'fmt-parses', detail: `fmt output does not parse: ${again.diagnostics[0]?.code} ${again.diagnostics[0]?.message}` });
      return out;
    }
    if (astKey(again.value) !== astKey(p.value)) out.push({ property: 'fmt-round-trip', detail: 'fmt changed the AST' });
    const ca = p.value.comments.map((x) => x.text).join('\n'), cb = again.value.comments.map((x) => x.text).join('\n');
    if (ca !== cb) out.push({ property: 'fmt-comments', detail: `fmt changed the comments (${p.value.comments.length} → ${again.value.comments.length})` });
    // An import after a declaration moves up with the others (compiler/fmt.ts): every word count after it changes.
    else if (!lateImport(p.value) && !p.value.comments.some((c) => movedByDesign(p.value!, c.span.start.offset))) {
      const a = anchors(text, p.value.comments), b = anchors(f, again.value.comments);
      const i = a.findIndex((x, k) => x !== b[k]);
      if (i >= 0) out.push({ property: 'fmt-attached', detail: `comment ${JSON.stringify(p.value.comments[i].text.slice(0, 60))} moved: ${a[i]} → ${b[i]}` });
    }
    if (format(again.value) !== f) out.push({ property: 'fmt-idempotent', detail: 'fmt(fmt(x)) differs from fmt(x)' });
  } catch (e) {
    out.push({ property: 'no-exception', detail: `parse/fmt: ${(e as Error)?.stack ?? String(e)}`.slice(0, 2000) });
  }
  return out;
}
