// FROZEN REFERENCE — the hand-written lexer that grammar/ used before the chevrotain pipeline, kept only as
// the oracle of test/grammar-chevrotain/differential.test.ts. Not product code: nothing outside that test imports it.

// Lexer: source text → tokens with spans. Hand-written (the token set is tiny and a hand-written
// scanner gives exact spans and our own diagnostics; see grammar/README.md). Comments are kept as
// tokens on a side channel for `fmt`; newlines are not significant.
import type { Comment, Source, Span } from '../../../grammar/ast.ts';

export type TokenKind =
  | 'Ident' | 'Number' | 'String'
  | 'LBrace' | 'RBrace' | 'LBracket' | 'RBracket' | 'LParen' | 'RParen'
  | 'Equals' | 'Comma' | 'Semi' | 'Dot' | 'DotDot' | 'Slash' | 'Arrow' | 'Plus'
  | 'DocComment' | 'EOF';

export interface Token {
  kind: TokenKind;
  /** Raw text (for String: the decoded value is in `value`). */
  text: string;
  value?: string;
  span: Span;
  /** True when a newline separates this token from the previous one (used for unit nouns). */
  newlineBefore: boolean;
}

export interface LexError {
  code: 'unexpected-char' | 'unterminated-string' | 'bad-escape';
  span: Span;
  text: string;
}

export interface LexResult {
  tokens: Token[];
  comments: Comment[];
  errors: LexError[];
}

const PUNCT: Record<string, TokenKind> = {
  '{': 'LBrace', '}': 'RBrace', '[': 'LBracket', ']': 'RBracket', '(': 'LParen', ')': 'RParen',
  '=': 'Equals', ',': 'Comma', ';': 'Semi', '/': 'Slash', '+': 'Plus',
};

const isIdentStart = (c: string) => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string) => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

/** Line/column bookkeeping shared by lexer and parser (1-based line and column). */
export class Positions {
  private readonly lineStarts: number[] = [0];
  constructor(readonly source: Source) {
    const t = source.text;
    for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }
  pos(offset: number): { offset: number; line: number; column: number } {
    let lo = 0; let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }
  span(start: number, end: number): Span {
    return { file: this.source.name, start: this.pos(start), end: this.pos(end) };
  }
}

export function lex(source: Source, positions = new Positions(source)): LexResult {
  const text = source.text;
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const errors: LexError[] = [];
  let i = 0;
  let newline = true;
  let lastLineWithToken = -1;
  const push = (kind: TokenKind, start: number, end: number, value?: string) => {
    const span = positions.span(start, end);
    tokens.push({ kind, text: text.slice(start, end), value, span, newlineBefore: newline });
    newline = false;
    // A separator alone before a comment does not make it trailing (as in grammar/tokens.ts).
    if (kind !== 'Comma' && kind !== 'Semi') lastLineWithToken = span.end.line;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { newline = true; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') { i++; continue; }
    if (c === '/' && text[i + 1] === '/' || c === '#') {
      let j = i; while (j < text.length && text[j] !== '\n') j++;
      const raw = text.slice(i, j).replace(/\s+$/, '');
      const span = positions.span(i, i + raw.length);
      if (raw.startsWith('///') && !raw.startsWith('////')) {
        tokens.push({ kind: 'DocComment', text: raw, span, newlineBefore: newline });
        lastLineWithToken = span.end.line;
      } else {
        comments.push({ kind: 'Comment', text: raw, span, trailing: lastLineWithToken === span.start.line });
      }
      i = j; continue;
    }
    if (c === '"') {
      let j = i + 1; let value = ''; let closed = false;
      while (j < text.length && text[j] !== '\n') {
        if (text[j] === '\\' && j + 1 < text.length) {
          // Escapes as in grammar/tokens.ts STRING_ESCAPES (LSSD1020 for any other).
          const e = text[j + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"' };
          if (e in simple) { value += simple[e]; j += 2; continue; }
          let len = 2;
          if (e === 'u') {
            const m = /^u\{([0-9A-Fa-f]{1,6})\}|^u([0-9A-Fa-f]{4})/.exec(text.slice(j + 1));
            const cp = m ? parseInt(m[1] ?? m[2], 16) : NaN;
            if (m && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) { value += String.fromCodePoint(cp); j += 1 + m[0].length; continue; }
            if (m) len = 1 + m[0].length;
          }
          errors.push({ code: 'bad-escape', span: positions.span(j, j + len), text: text.slice(j, j + len) });
          value += text.slice(j, j + len); j += len; continue;
        }
        if (text[j] === '"') { closed = true; j++; break; }
        value += text[j]; j++;
      }
      if (!closed) errors.push({ code: 'unterminated-string', span: positions.span(i, j), text: text.slice(i, j) });
      push('String', i, j, value);
      i = j; continue;
    }
    if (isDigit(c) || ((c === '-' || c === '.') && isDigit(text[i + 1] ?? '')) ||
        (c === '-' && text[i + 1] === '.' && isDigit(text[i + 2] ?? ''))) {
      let j = i;
      if (text[j] === '-') j++;
      while (isDigit(text[j] ?? '') || text[j] === '_') j++;
      if (text[j] === '.' && text[j + 1] !== '.' && isDigit(text[j + 1] ?? '')) { j++; while (isDigit(text[j] ?? '')) j++; }
      if ((text[j] === 'e' || text[j] === 'E') && (isDigit(text[j + 1] ?? '') || ((text[j + 1] === '-' || text[j + 1] === '+') && isDigit(text[j + 2] ?? '')))) {
        j += 2; while (isDigit(text[j] ?? '')) j++;
      }
      // Attached suffix/unit: `4.6M`, `3s`, `48kHz`, `50%`, `224px`.
      if (text[j] === '%') j++;
      else while (isIdentPart(text[j] ?? '')) j++;
      push('Number', i, j);
      i = j; continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1; while (isIdentPart(text[j] ?? '')) j++;
      push('Ident', i, j);
      i = j; continue;
    }
    if (c === '.' && text[i + 1] === '.') { push('DotDot', i, i + 2); i += 2; continue; }
    if (c === '.') { push('Dot', i, i + 1); i++; continue; }
    if (c === '-' && text[i + 1] === '>') { push('Arrow', i, i + 2); i += 2; continue; }
    const p = PUNCT[c];
    if (p) { push(p, i, i + 1); i++; continue; }
    // Unknown character: report once per run of them and skip.
    let j = i + 1;
    while (j < text.length && !/[\s{}[\]()=,;"A-Za-z0-9_]/.test(text[j])) j++;
    errors.push({ code: 'unexpected-char', span: positions.span(i, j), text: text.slice(i, j) });
    i = j;
  }
  const end = positions.span(text.length, text.length);
  tokens.push({ kind: 'EOF', text: '', span: end, newlineBefore: true });
  return { tokens, comments, errors };
}
