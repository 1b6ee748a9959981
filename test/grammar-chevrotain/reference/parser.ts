// FROZEN REFERENCE — the hand-written parser that grammar/ used before the chevrotain pipeline, kept only as
// the oracle of test/grammar-chevrotain/differential.test.ts. Not product code: nothing outside that test imports it.

// Parser: tokens → AST (grammar/ast.ts). Recursive descent, one function per production of the
// grammar in docs/language.md §2. The tree it builds *is* the concrete syntax (every node keeps its
// span, comments ride on File.comments), so no separate CST pass is needed. On a syntax error the
// parser reports it, skips to the next line or closing brace, and carries on: one typo never hides
// the rest of the file's diagnostics.
import type {
  Block, BlockDecl, CallLit, Decl, Entry, File, GridDecl, GridItem, Ident, Import, InitFrom, NumberLit,
  Path, Quantity, Source, Span, StringLit, Value,
} from '../../../grammar/ast.ts';
import { lex, Positions, type Token, type TokenKind } from './lexer.ts';
import { SYNTAX, type SyntaxDiagnostic } from '../../../grammar/syntax-codes.ts';
import { STRING_ESCAPES } from '../../../grammar/tokens.ts';

/** Unit words that may follow a number after a space: `12 epochs`, `4.6M shots`, `12 per_device`. */
export const UNIT_WORDS = new Set([
  's', 'ms', 'min', 'h', 'Hz', 'kHz', 'fps', 'px', '%', 'epochs', 'epoch', 'steps', 'step', 'shots', 'clips',
  'titles', 'frames', 'bins', 'samples', 'per_device',
]);

const DECL_KEYWORDS = new Set(['experiment', 'preset', 'backbone', 'task', 'profile', 'project', 'grid']);
const MULTIPLIER: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9 };
const MAX_DEPTH = 200;

class Bail extends Error {}

export interface ParseResult {
  file: File;
  diagnostics: SyntaxDiagnostic[];
}

export function parseSource(source: Source): ParseResult {
  return new Parser(source).parseFile();
}

const describe = (t: Token): string =>
  t.kind === 'EOF' ? 'end of file' : t.kind === 'String' ? `string ${t.text}` : `'${t.text}'`;

class Parser {
  private readonly positions: Positions;
  private readonly tokens: Token[];
  private pos = 0;
  private readonly diagnostics: SyntaxDiagnostic[] = [];
  private readonly lexComments: File['comments'];

  constructor(private readonly source: Source) {
    this.positions = new Positions(source);
    const r = lex(source, this.positions);
    this.tokens = r.tokens;
    this.lexComments = r.comments;
    for (const e of r.errors) {
      if (e.code === 'unterminated-string') this.report(SYNTAX.unterminatedString, e.span, 'unterminated string', 'close the string with `"` on the same line');
      else if (e.code === 'bad-escape') this.report(SYNTAX.badEscape, e.span, `unknown escape '${e.text.replace('\n', '\\n')}' in a string`, `write '\\\\' for a backslash (e.g. "C:\\\\data"); the escapes are ${STRING_ESCAPES.join(' ')}`);
      else this.report(SYNTAX.unexpectedChar, e.span, `unexpected character '${e.text}'`);
    }
  }

  // ---- token helpers -------------------------------------------------------------------------
  private peek(k = 0): Token { return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]; }
  private at(kind: TokenKind, text?: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === kind && (text === undefined || t.text === text);
  }
  private next(): Token { const t = this.peek(); if (t.kind !== 'EOF') this.pos++; return t; }
  private prevEnd(): Span { return this.tokens[Math.max(0, this.pos - 1)].span; }
  private join(a: Span, b: Span): Span { return { file: a.file, start: a.start, end: b.end }; }
  private report(code: string, span: Span, message: string, hint?: string) {
    this.diagnostics.push({ code, severity: 'error', message, span, related: [], hint });
  }
  private expect(kind: TokenKind, what: string, hint?: string): Token {
    if (this.at(kind)) return this.next();
    const t = this.peek();
    this.report(t.kind === 'EOF' ? SYNTAX.unexpectedEof : SYNTAX.unexpectedToken, t.span, `expected ${what}, found ${describe(t)}`, hint);
    throw new Bail();
  }
  private skipSeparators() { while (this.at('Semi') || this.at('Comma')) this.next(); }

  /** Error recovery: skip to the start of the next line (at this nesting depth) or a closing brace. */
  private sync() {
    let depth = 0;
    const start = this.pos;
    while (!this.at('EOF')) {
      const t = this.peek();
      if (this.pos > start && depth === 0 && t.newlineBefore) return;
      if (t.kind === 'LBrace' || t.kind === 'LBracket' || t.kind === 'LParen') depth++;
      if (t.kind === 'RBrace' || t.kind === 'RBracket' || t.kind === 'RParen') {
        if (depth === 0) { if (t.kind === 'RBrace') return; } else depth--;
      }
      this.next();
    }
  }

  // ---- file ----------------------------------------------------------------------------------
  parseFile(): ParseResult {
    const imports: Import[] = [];
    const decls: Decl[] = [];
    while (!this.at('EOF')) {
      const startPos = this.pos;
      try {
        const docStart = this.pos;
        const doc = this.docComments();
        if (doc !== undefined && !(this.at('Ident') && DECL_KEYWORDS.has(this.peek().text))) this.keepDocsAsComments(docStart);
        if (this.at('Ident', 'import')) {
          const kw = this.next();
          const s = this.expect('String', 'a quoted import path', 'e.g. import "paper" or import "./A1.lssd"');
          const path: StringLit = { kind: 'String', value: s.value ?? '', span: s.span };
          imports.push({ kind: 'Import', path, span: this.join(kw.span, s.span) });
        } else if (this.at('Ident') && DECL_KEYWORDS.has(this.peek().text)) {
          decls.push(this.decl(doc));
        } else if (!this.at('EOF')) {
          const t = this.peek();
          this.report(SYNTAX.expectedDecl, t.span, `expected a declaration (experiment, preset, backbone, task, profile, project, grid) or import, found ${describe(t)}`);
          throw new Bail();
        }
      } catch (e) {
        if (!(e instanceof Bail)) throw e;
        this.syncTopLevel();
        if (this.pos === startPos) this.next();
      }
    }
    const end = this.peek().span;
    this.lexComments.sort((a, b) => a.span.start.offset - b.span.start.offset);
    const file: File = {
      kind: 'File', source: this.source, imports, decls, comments: this.lexComments,
      span: { file: this.source.name, start: this.positions.pos(0), end: end.end },
    };
    return { file, diagnostics: this.diagnostics };
  }

  private syncTopLevel() {
    // Skip to the next top-level keyword at line start, balancing braces.
    let depth = 0;
    while (!this.at('EOF')) {
      const t = this.peek();
      if (depth <= 0 && t.newlineBefore && t.kind === 'Ident' && (DECL_KEYWORDS.has(t.text) || t.text === 'import')) return;
      if (t.kind === 'LBrace') depth++;
      if (t.kind === 'RBrace') { depth--; if (depth <= 0) { this.next(); if (depth < 0) depth = 0; continue; } }
      this.next();
    }
  }

  private keepDocsAsComments(from: number) {
    for (let i = from; i < this.pos; i++) {
      const t = this.tokens[i];
      if (t.kind === 'DocComment') this.lexComments.push({ kind: 'Comment', text: t.text, span: t.span, trailing: false });
    }
  }

  private docComments(): string | undefined {
    const lines: string[] = [];
    while (this.at('DocComment')) lines.push(this.next().text.replace(/^\/\/\/ ?/, ''));
    return lines.length ? lines.join('\n') : undefined;
  }

  private ident(what: string): Ident {
    const t = this.expect('Ident', what);
    return { kind: 'Ident', name: t.text, span: t.span };
  }

  private decl(doc: string | undefined): Decl {
    const kw = this.next();
    const name = this.ident(`a name after '${kw.text}'`);
    const ext: Ident[] = [];
    if (this.at('Ident', 'extends')) {
      this.next();
      ext.push(this.ident(`a name after 'extends'`));
      while (this.at('Comma')) { this.next(); ext.push(this.ident(`a name after ','`)); }
    }
    if (kw.text === 'grid') {
      const open = this.expect('LBrace', `'{' to open grid '${name.name}'`);
      const items: GridItem[] = [];
      const close = this.blockBody(open, () => items.push(this.gridItem()));
      const g: GridDecl = { kind: 'GridDecl', declKind: 'grid', name, extends: ext, items, span: this.join(kw.span, close) };
      if (doc !== undefined) g.doc = doc;
      return g;
    }
    const body = this.block(`'{' to open ${kw.text} '${name.name}'`);
    const d: BlockDecl = {
      kind: 'BlockDecl', declKind: kw.text as BlockDecl['declKind'], name, extends: ext, body,
      span: this.join(kw.span, body.span),
    };
    if (doc !== undefined) d.doc = doc;
    return d;
  }

  /** Parses items until the matching `}`; recovers per item. Returns the closing brace's span. */
  private blockBody(open: Token, item: () => void): Span {
    for (;;) {
      this.skipSeparators();
      // `///` inside a block documents nothing: kept as an ordinary comment (for fmt).
      while (this.at('DocComment')) { const t = this.next(); this.lexComments.push({ kind: 'Comment', text: t.text, span: t.span, trailing: !t.newlineBefore }); }
      if (this.at('RBrace')) return this.next().span;
      if (this.at('EOF')) {
        this.report(SYNTAX.unclosedBlock, open.span, `'{' is never closed`, 'add the missing `}`');
        return this.prevEnd();
      }
      if (this.at('Ident') && DECL_KEYWORDS.has(this.peek().text) && this.peek().newlineBefore && this.at('Ident', undefined, 1) && !this.at('Equals', undefined, 1)) {
        // A declaration keyword at line start inside a block: the block above was not closed.
        this.report(SYNTAX.unclosedBlock, open.span, `'{' is never closed before '${this.peek().text}'`, 'add the missing `}`');
        return this.prevEnd();
      }
      const before = this.pos;
      try { item(); } catch (e) {
        if (!(e instanceof Bail)) throw e;
        this.sync();
        if (this.pos === before) this.next();
      }
    }
  }

  private block(what: string): Block {
    this.enter(this.peek().span);
    try { return this.blockInner(what); } finally { this.depth = Math.max(0, this.depth - 1); }
  }

  private blockInner(what: string): Block {
    const open = this.expect('LBrace', what);
    const entries: Entry[] = [];
    const close = this.blockBody(open, () => entries.push(this.entry()));
    return { kind: 'Block', entries, span: this.join(open.span, close) };
  }

  private path(first?: Ident): Path {
    const parts: Ident[] = [first ?? this.ident('a field name')];
    while (this.at('Dot')) { this.next(); parts.push(this.ident(`a field name after '.'`)); }
    return { kind: 'Path', parts, span: this.join(parts[0].span, parts[parts.length - 1].span) };
  }

  private entry(): Entry {
    const t = this.peek();
    if (t.kind === 'Ident' && t.text === 'init' && this.at('Ident', 'from', 1)) {
      this.next(); this.next();
      const target = this.value();
      const e: InitFrom = { kind: 'InitFrom', target, span: this.join(t.span, target.span) };
      return e;
    }
    if (t.kind !== 'Ident') {
      this.report(SYNTAX.expectedEntry, t.span, `expected a field (\`key = value\`, \`key { … }\` or \`init from …\`), found ${describe(t)}`);
      throw new Bail();
    }
    const key = this.path();
    if (this.at('LBrace')) {
      const body = this.block('');
      return { kind: 'Section', key, body, span: this.join(key.span, body.span) };
    }
    if (!this.at('Equals')) {
      const n = this.peek();
      this.report(n.kind === 'EOF' ? SYNTAX.unexpectedEof : SYNTAX.unexpectedToken, n.span,
        `expected '=' or '{' after '${key.parts.map((p) => p.name).join('.')}', found ${describe(n)}`);
      throw new Bail();
    }
    this.next();
    const value = this.value();
    return { kind: 'Field', key, value, span: this.join(key.span, value.span) };
  }

  // ---- grid items ------------------------------------------------------------------------------
  private gridItem(): GridItem {
    const t = this.peek();
    if (t.kind === 'Ident' && t.text === 'axis' && this.at('Ident', undefined, 1) && !this.at('Equals', undefined, 1)) {
      this.next();
      const name = this.ident('an axis name');
      this.expect('Equals', `'=' after axis name`);
      const open = this.expect('LBracket', `'[' with the axis values`);
      const values: Value[] = []; const labels: (StringLit | undefined)[] = [];
      let anyLabel = false;
      while (!this.at('RBracket')) {
        if (this.at('EOF')) { this.report(SYNTAX.unclosedBlock, open.span, `'[' is never closed`); throw new Bail(); }
        values.push(this.value());
        if (this.at('Ident', 'as')) {
          this.next();
          const s = this.expect('String', 'a quoted label after `as`');
          labels.push({ kind: 'String', value: s.value ?? '', span: s.span }); anyLabel = true;
        } else labels.push(undefined);
        if (!this.at('RBracket')) this.expect('Comma', `',' or ']'`);
      }
      const close = this.next();
      let end = close.span;
      const axis: GridItem = { kind: 'GridAxis', name, values, span: t.span };
      if (this.at('Arrow')) { this.next(); axis.target = this.path(); end = axis.target.span; }
      if (anyLabel) axis.labels = labels;
      axis.span = this.join(t.span, end);
      return axis;
    }
    if (t.kind === 'Ident' && t.text === 'zip' && this.at('LParen', undefined, 1)) {
      this.next(); this.next();
      const axes: Ident[] = [];
      while (!this.at('RParen')) {
        axes.push(this.ident('an axis name'));
        if (!this.at('RParen')) this.expect('Comma', `',' or ')'`);
      }
      const close = this.next();
      return { kind: 'GridZip', axes, span: this.join(t.span, close.span) };
    }
    if (t.kind === 'Ident' && t.text === 'exclude' && this.at('LBrace', undefined, 1)) {
      this.next();
      const { match, end } = this.matchList();
      return { kind: 'GridExclude', match, span: this.join(t.span, end) };
    }
    if (t.kind === 'Ident' && t.text === 'when' && this.at('LBrace', undefined, 1)) {
      this.next();
      const { match } = this.matchList();
      const body = this.block(`'{' with the entries for matching cells`);
      return { kind: 'GridWhen', match, body, span: this.join(t.span, body.span) };
    }
    return this.entry();
  }

  private matchList(): { match: { axis: Ident; value: Value }[]; end: Span } {
    const open = this.expect('LBrace', `'{'`);
    const match: { axis: Ident; value: Value }[] = [];
    for (;;) {
      this.skipSeparators();
      if (this.at('RBrace')) return { match, end: this.next().span };
      if (this.at('EOF')) { this.report(SYNTAX.unclosedBlock, open.span, `'{' is never closed`); throw new Bail(); }
      const axis = this.ident('an axis name');
      this.expect('Equals', `'=' after axis name`);
      match.push({ axis, value: this.value() });
    }
  }

  // ---- values --------------------------------------------------------------------------------
  /** Nesting depth of values/blocks: pathological input (`[[[[…`) is an error, not a stack overflow. */
  private depth = 0;
  private enter(span: Span) {
    if (++this.depth > MAX_DEPTH) {
      this.depth = 0;
      this.report(SYNTAX.unexpectedToken, span, `nesting deeper than ${MAX_DEPTH} levels`);
      throw new Bail();
    }
  }

  value(): Value {
    this.enter(this.peek().span);
    try { return this.valueInner(); } finally { this.depth = Math.max(0, this.depth - 1); }
  }

  private valueInner(): Value {
    let v = this.primary();
    if (this.at('DotDot')) {
      const dd = this.next();
      if (v.kind !== 'Number' && v.kind !== 'Quantity') {
        this.report(SYNTAX.badRange, v.span, 'a range bound must be a number or a quantity (e.g. `3s .. 12s`)');
        throw new Bail();
      }
      const lo = v;
      if (this.startsValue() && !this.peek().newlineBefore) {
        const hi = this.primary();
        if (hi.kind !== 'Number' && hi.kind !== 'Quantity') {
          this.report(SYNTAX.badRange, hi.span, 'a range bound must be a number or a quantity (e.g. `3s .. 12s`)');
          throw new Bail();
        }
        v = { kind: 'Range', lo, hi, span: this.join(lo.span, hi.span) };
      } else {
        v = { kind: 'Range', lo, span: this.join(lo.span, dd.span) };
      }
    }
    if (this.at('Ident', 'except') && !this.peek().newlineBefore) {
      this.next();
      const removed = this.value();
      v = { kind: 'Except', base: v, removed, span: this.join(v.span, removed.span) };
    }
    return v;
  }

  private startsValue(): boolean {
    const t = this.peek();
    if (t.kind === 'Number' || t.kind === 'String' || t.kind === 'LBracket') return true;
    return t.kind === 'Ident' && !this.at('Equals', undefined, 1) && !this.at('LBrace', undefined, 1);
  }

  private primary(): Value {
    const t = this.peek();
    switch (t.kind) {
      case 'Number': return this.number();
      case 'String': this.next(); return { kind: 'String', value: t.value ?? '', span: t.span };
      case 'LBracket': {
        this.next();
        const items: Value[] = [];
        for (;;) {
          if (this.at('RBracket')) break;
          if (this.at('EOF') || this.at('RBrace')) {
            this.report(SYNTAX.unclosedBlock, t.span, `'[' is never closed`, 'add the missing `]`');
            throw new Bail();
          }
          items.push(this.value());
          if (this.at('Comma')) this.next();
          else if (!this.at('RBracket')) this.expect('Comma', `',' or ']' in list`);
        }
        const close = this.next();
        return { kind: 'List', items, span: this.join(t.span, close.span) };
      }
      case 'Ident': {
        this.next();
        if (t.text === 'true' || t.text === 'false') return { kind: 'Bool', value: t.text === 'true', span: t.span };
        if (t.text === 'none') return { kind: 'None', span: t.span };
        if (this.at('LParen') && !this.peek().newlineBefore) return this.call({ kind: 'Ident', name: t.text, span: t.span });
        let name = t.text; let span = t.span;
        while (this.at('Dot') && this.at('Ident', undefined, 1)) {
          this.next(); const p = this.next(); name += '.' + p.text; span = this.join(span, p.span);
        }
        return { kind: 'IdentValue', name, span };
      }
      default:
        this.report(t.kind === 'EOF' ? SYNTAX.unexpectedEof : SYNTAX.expectedValue, t.span, `expected a value, found ${describe(t)}`);
        throw new Bail();
    }
  }

  private call(callee: Ident): CallLit {
    this.next(); // (
    const args: Value[] = [];
    const named: CallLit['named'] = [];
    for (;;) {
      if (this.at('RParen')) break;
      if (this.at('EOF') || this.at('RBrace')) {
        this.report(SYNTAX.unclosedBlock, callee.span, `'(' of ${callee.name}(…) is never closed`, 'add the missing `)`');
        throw new Bail();
      }
      if (this.at('Ident') && this.at('Equals', undefined, 1)) {
        const name = this.ident('an argument name'); this.next();
        named.push({ name, value: this.value() });
      } else {
        if (named.length) {
          this.report(SYNTAX.positionalAfterNamed, this.peek().span, 'positional argument after a named argument');
          throw new Bail();
        }
        args.push(this.value());
      }
      if (this.at('Comma')) this.next();
      else if (!this.at('RParen')) this.expect('Comma', `',' or ')' in ${callee.name}(…)`);
    }
    const close = this.next();
    return { kind: 'Call', callee, args, named, span: this.join(callee.span, close.span) };
  }

  private number(): NumberLit | Quantity {
    const t = this.next();
    const m = /^(-?[0-9_]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)(.*)$/.exec(t.text);
    if (!m) { this.report(SYNTAX.badNumber, t.span, `invalid number '${t.text}'`); throw new Bail(); }
    let value = Number(m[1].replace(/_/g, ''));
    let suffix = m[2];
    if (suffix && MULTIPLIER[suffix[0]] !== undefined && (suffix.length === 1)) { value *= MULTIPLIER[suffix[0]]; suffix = ''; }
    value = cleanFloat(value);
    if (!Number.isFinite(value)) { this.report(SYNTAX.badNumber, t.span, `number '${t.text}' is out of range`); throw new Bail(); }
    if (suffix) return { kind: 'Quantity', value, unit: suffix, text: t.text, span: t.span };
    // Exact fraction `1/8`.
    if (this.at('Slash') && this.at('Number', undefined, 1) && /^[0-9]+$/.test(this.peek(1).text) && /^[0-9]+$/.test(t.text)) {
      this.next(); const d = this.next();
      const den = Number(d.text);
      if (den === 0) { this.report(SYNTAX.badNumber, this.join(t.span, d.span), 'division by zero in fraction'); throw new Bail(); }
      return { kind: 'Number', value: value / den, text: `${t.text}/${d.text}`, fraction: { num: value, den }, span: this.join(t.span, d.span) };
    }
    // Unit word after a space on the same line: `12 epochs`, `4.6M shots`.
    const u = this.peek();
    if (u.kind === 'Ident' && !u.newlineBefore && UNIT_WORDS.has(u.text) && !this.at('Equals', undefined, 1) && !this.at('LBrace', undefined, 1) && !this.at('Dot', undefined, 1)) {
      this.next();
      return { kind: 'Quantity', value, unit: u.text, text: `${t.text} ${u.text}`, span: this.join(t.span, u.span) };
    }
    return { kind: 'Number', value, text: t.text, span: t.span };
  }
}

/** 4.6 * 1e6 = 4599999.999999999 in floating point; round to the nearest value with ≤ 12 significant digits. */
function cleanFloat(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(12));
}
