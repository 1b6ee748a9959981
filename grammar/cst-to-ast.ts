// CST (grammar/cst-parser.ts) → AST (grammar/ast.ts). A manual walk rather than a chevrotain visitor:
// each function takes one rule's node and returns the AST node with its span. Nothing semantic:
// numbers keep their text, units stay as written, names are not resolved.
import type { CstNode, IToken } from 'chevrotain';
import type {
  Block, BlockDecl, CallLit, Comment, Decl, Entry, File, GridDecl, GridItem, Ident, Import, NumberLit, Path, Quantity,
  Source, Span, StringLit, Value,
} from './ast.ts';
import { cstParser, type ParseSideTables } from './cst-parser.ts';
import type { SourceSpan } from './span.ts';
import { SYNTAX, type SyntaxDiagnostic } from './syntax-codes.ts';
import { lexSource, numberValue, Positions, scanString, STRING_ESCAPES, tokenSpan, type Lexed } from './tokens.ts';

type Children = CstNode['children'];
const nodes = (c: Children, key: string): CstNode[] => (c[key] as CstNode[] | undefined) ?? [];
const toks = (c: Children, key: string): IToken[] => (c[key] as IToken[] | undefined) ?? [];
const node = (c: Children, key: string): CstNode | undefined => (c[key] as CstNode[] | undefined)?.[0];
const tok = (c: Children, key: string): IToken | undefined => (c[key] as IToken[] | undefined)?.[0];

export interface ParseResult {
  file: File;
  diagnostics: SyntaxDiagnostic[];
}

/** Lex, parse and convert one source file. Always returns a File (possibly partial). */
export function parseSource(source: Source): ParseResult {
  const positions = new Positions(source);
  const lexed = lexSource(source, positions);
  // Each import or declaration becomes AST as soon as it is parsed, and its CST is dropped then.
  const ast = new CstToAst(source, lexed);
  const { diagnostics, side } = cstParser().parseTokens(lexed.tokens, positions, (top, sideSoFar) => {
    ast.topLevel(top, sideSoFar);
    (top as { children: CstNode['children'] }).children = {};
  });
  const lexDiagnostics: SyntaxDiagnostic[] = lexed.errors.map((e) => e.kind === 'unterminated-string'
    ? { code: SYNTAX.unterminatedString, severity: 'error', message: 'unterminated string', span: e.span, related: [], hint: 'close the string with `"` on the same line' }
    : e.kind === 'bad-escape'
      ? { code: SYNTAX.badEscape, severity: 'error', message: `unknown escape '${e.text.replace('\n', '\\n')}' in a string`, span: e.span, related: [],
        hint: `write '\\\\' for a backslash (e.g. "C:\\\\data"); the escapes are ${STRING_ESCAPES.join(' ')}` }
      : { code: SYNTAX.unexpectedChar, severity: 'error', message: `unexpected character '${e.text}'`, span: e.span, related: [], hint: undefined });
  const file = ast.file(side);
  return { file, diagnostics: [...lexDiagnostics, ...diagnostics] };
}

class CstToAst {
  private readonly positions: Positions;
  /** The parser's side tables; unclosedEnd is complete for every item handed to topLevel(). */
  private side: ParseSideTables = { unclosedEnd: new Map(), strayDocs: [] };
  private readonly imports: Import[] = [];
  private readonly decls: Decl[] = [];
  constructor(private readonly source: Source, private readonly lexed: Lexed) {
    this.positions = lexed.positions;
  }

  private span(t: IToken): Span { return tokenSpan(t, this.positions); }
  /** Every span in here is the parser's (a SourceSpan of this file). */
  private join(a: Span, b: Span): Span { return (a as SourceSpan).to(b as SourceSpan); }
  private ident(t: IToken): Ident { return { kind: 'Ident', name: t.image, span: this.span(t) }; }
  private string(t: IToken): StringLit { return { kind: 'String', value: scanString(t.image).value, span: this.span(t) }; }

  /** One `topLevel` CST node (an import or a declaration), in file order. */
  topLevel(top: CstNode, side: ParseSideTables): void {
    this.side = side;
    const c = top.children;
    const imp = node(c, 'importDecl');
    if (imp) {
      const kw = tok(imp.children, 'Import')!;
      const s = tok(imp.children, 'String')!;
      const path = this.string(s);
      this.imports.push({ kind: 'Import', path, span: this.join(this.span(kw), path.span) });
      return;
    }
    const d = node(c, 'decl');
    if (!d) return;
    const docs = toks(c, 'DocComment');
    const doc = docs.length ? docs.map((t) => t.image.trimEnd().replace(/^\/\/\/ ?/, '')).join('\n') : undefined;
    this.decls.push(this.decl(d, doc));
  }

  /** The file, once every top-level item went through topLevel(). */
  file(side: ParseSideTables): File {
    this.side = side;
    const { imports, decls } = this;
    const n = this.source.text.length;
    let comments = this.lexed.comments;
    if (this.side.strayDocs.length) {
      comments = [...comments, ...this.side.strayDocs.map(({ token, trailing }): Comment => ({
        kind: 'Comment', text: token.image.trimEnd(), span: this.span(token), trailing,
      }))].sort((a, b) => a.span.start.offset - b.span.start.offset);
    }
    return {
      kind: 'File', source: this.source, imports, decls, comments,
      span: this.positions.span(0, n),
    };
  }

  private decl(d: CstNode, doc: string | undefined): Decl {
    const c = d.children;
    const names = toks(c, 'Ident');
    const name = this.ident(names[0]);
    const ext = names.slice(1).map((t) => this.ident(t));
    const grid = node(c, 'gridBody');
    if (grid) {
      const kw = tok(c, 'Grid')!;
      const items: GridItem[] = nodes(grid.children, 'gridItem').map((g) => this.gridItem(g));
      const g: GridDecl = { kind: 'GridDecl', declKind: 'grid', name, extends: ext, items, span: this.join(this.span(kw), this.closeSpan(grid)) };
      if (doc !== undefined) g.doc = doc;
      return g;
    }
    const kw = tok(c, 'BlockKeyword')!;
    const body = this.block(node(c, 'block')!);
    const b: BlockDecl = {
      kind: 'BlockDecl', declKind: kw.image as BlockDecl['declKind'], name, extends: ext, body,
      span: this.join(this.span(kw), body.span),
    };
    if (doc !== undefined) b.doc = doc;
    return b;
  }

  /** The closing `}` of a block, or the last token before the parser gave up on it. */
  private closeSpan(b: CstNode): Span {
    const close = tok(b.children, 'RBrace');
    if (close) return this.span(close);
    return this.span(this.side.unclosedEnd.get(tok(b.children, 'LBrace')!)!);
  }

  private block(b: CstNode): Block {
    const open = tok(b.children, 'LBrace')!;
    const entries = nodes(b.children, 'entry').map((e) => this.entry(e));
    return { kind: 'Block', entries, span: this.join(this.span(open), this.closeSpan(b)) };
  }

  private path(p: CstNode): Path {
    const parts = toks(p.children, 'Ident').map((t) => this.ident(t));
    return { kind: 'Path', parts, span: this.join(parts[0].span, parts[parts.length - 1].span) };
  }

  private entry(e: CstNode): Entry {
    const c = e.children;
    const init = tok(c, 'Init');
    if (init) {
      const target = this.value(node(c, 'value')!);
      return { kind: 'InitFrom', target, span: this.join(this.span(init), target.span) };
    }
    const key = this.path(node(c, 'path')!);
    const body = node(c, 'block');
    if (body) {
      const b = this.block(body);
      return { kind: 'Section', key, body: b, span: this.join(key.span, b.span) };
    }
    const value = this.value(node(c, 'value')!);
    return { kind: 'Field', key, value, span: this.join(key.span, value.span) };
  }

  // ---- grid items ------------------------------------------------------------------------------
  private gridItem(g: CstNode): GridItem {
    const c = g.children;
    const axis = node(c, 'axis');
    if (axis) {
      const a = axis.children;
      const kw = tok(a, 'Axis')!;
      const values: Value[] = [];
      const labels: (StringLit | undefined)[] = [];
      let anyLabel = false;
      for (const av of nodes(a, 'axisValue')) {
        values.push(this.value(node(av.children, 'value')!));
        const label = tok(av.children, 'String');
        labels.push(label ? this.string(label) : undefined);
        if (label) anyLabel = true;
      }
      const item: GridItem = { kind: 'GridAxis', name: this.ident(tok(a, 'Ident')!), values, span: this.span(kw) };
      let end = this.span(tok(a, 'RBracket')!);
      const target = node(a, 'path');
      if (target) { item.target = this.path(target); end = item.target.span; }
      if (anyLabel) item.labels = labels;
      item.span = this.join(item.span, end);
      return item;
    }
    const zip = node(c, 'zip');
    if (zip) {
      const z = zip.children;
      return {
        kind: 'GridZip', axes: toks(z, 'Ident').map((t) => this.ident(t)),
        span: this.join(this.span(tok(z, 'Zip')!), this.span(tok(z, 'RParen')!)),
      };
    }
    const exclude = node(c, 'exclude');
    if (exclude) {
      const list = node(exclude.children, 'matchList')!;
      return {
        kind: 'GridExclude', match: this.matchList(list),
        span: this.join(this.span(tok(exclude.children, 'Exclude')!), this.span(tok(list.children, 'RBrace')!)),
      };
    }
    const when = node(c, 'when');
    if (when) {
      const w = when.children;
      const body = this.block(node(w, 'block')!);
      return { kind: 'GridWhen', match: this.matchList(node(w, 'matchList')!), body, span: this.join(this.span(tok(w, 'When')!), body.span) };
    }
    return this.entry(node(c, 'entry')!);
  }

  private matchList(m: CstNode): { axis: Ident; value: Value }[] {
    return nodes(m.children, 'matchItem').map((i) => ({
      axis: this.ident(tok(i.children, 'Ident')!),
      value: this.value(node(i.children, 'value')!),
    }));
  }

  // ---- values ----------------------------------------------------------------------------------
  private value(v: CstNode): Value {
    const c = v.children;
    const ps = nodes(c, 'primary');
    let out = this.primary(ps[0]);
    const dd = tok(c, 'DotDot');
    if (dd) {
      const lo = out as NumberLit | Quantity;
      if (ps.length > 1) {
        const hi = this.primary(ps[1]) as NumberLit | Quantity;
        out = { kind: 'Range', lo, hi, span: this.join(lo.span, hi.span) };
      } else {
        out = { kind: 'Range', lo, span: this.join(lo.span, this.span(dd)) };
      }
    }
    const rest = node(c, 'value');
    if (rest) {
      const removed = this.value(rest);
      out = { kind: 'Except', base: out, removed, span: this.join(out.span, removed.span) };
    }
    return out;
  }

  private primary(p: CstNode): Value {
    const c = p.children;
    const num = node(c, 'number');
    if (num) return this.number(num);
    const s = tok(c, 'String');
    if (s) return this.string(s);
    const list = node(c, 'list');
    if (list) {
      const l = list.children;
      return {
        kind: 'List', items: nodes(l, 'value').map((x) => this.value(x)),
        span: this.join(this.span(tok(l, 'LBracket')!), this.span(tok(l, 'RBracket')!)),
      };
    }
    const t = tok(c, 'True') ?? tok(c, 'False');
    if (t) return { kind: 'Bool', value: t.image === 'true', span: this.span(t) };
    const none = tok(c, 'None');
    if (none) return { kind: 'None', span: this.span(none) };
    const call = node(c, 'call');
    if (call) return this.call(call);
    const parts = toks(node(c, 'identValue')!.children, 'Ident');
    const first = this.span(parts[0]);
    return {
      kind: 'IdentValue', name: parts.map((x) => x.image).join('.'),
      span: parts.length === 1 ? first : this.join(first, this.span(parts[parts.length - 1])),
    };
  }

  private number(n: CstNode): NumberLit | Quantity {
    const c = n.children;
    const [t, d] = toks(c, 'Number');
    const { value, suffix } = numberValue(t.image)!; // the parser rejected anything else
    const span = this.span(t);
    if (suffix) return { kind: 'Quantity', value, unit: suffix, text: t.image, span };
    if (d) {
      const den = Number(d.image);
      return {
        kind: 'Number', value: value / den, text: `${t.image}/${d.image}`, fraction: { num: value, den },
        span: this.join(span, this.span(d)),
      };
    }
    const unit = tok(c, 'UnitWord');
    if (unit) return { kind: 'Quantity', value, unit: unit.image, text: `${t.image} ${unit.image}`, span: this.join(span, this.span(unit)) };
    return { kind: 'Number', value, text: t.image, span };
  }

  private call(n: CstNode): CallLit {
    const c = n.children;
    const callee = this.ident(tok(c, 'callee')!);
    return {
      kind: 'Call', callee,
      args: nodes(c, 'value').map((x) => this.value(x)),
      named: nodes(c, 'namedArg').map((a) => ({ name: this.ident(tok(a.children, 'Ident')!), value: this.value(node(a.children, 'value')!) })),
      span: this.join(callee.span, this.span(tok(c, 'RParen')!)),
    };
  }
}
