// Tokens and lexer (chevrotain). Keywords are *soft*: every keyword token is also an `Ident` (token
// category), so `task = …`, `data.grid = …` or a field called `axis` stay legal; the parser decides by
// position. Plain comments ride on a side channel for `fmt`; `///` doc comments stay in the token
// stream because the parser attaches them to the declaration below. Any character no token accepts
// becomes an `Unknown` token on its own channel, so the lexer itself never fails and reports each run
// of stray characters once (LSSD1001).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { IToken, TokenType } from 'chevrotain';
import type { Comment, Source, Span } from './ast.ts';
import { Positions, type SourceSpan } from './span.ts';
import { GRAMMAR_VALIDATED } from './validated.ts';

// chevrotain's package entry (lib/src/api.js) is some 200 ES modules (its sources plus lodash-es):
// about a second to load through tsx's loader, paid by every `lssdc` run. The package ships the same
// build bundled as one file, which loads in tens of milliseconds; we load that one.
const chevrotainEntry = createRequire(import.meta.url).resolve('chevrotain'); // …/chevrotain/lib/src/api.js
const chevrotain = (await import(new URL('../chevrotain.mjs', pathToFileURL(chevrotainEntry)).href)) as typeof import('chevrotain');
export const { CstParser, EOF, isRecognitionException, LLkLookaheadStrategy, tokenMatcher } = chevrotain;
const { createToken, Lexer } = chevrotain;

/** Unit words that may follow a number after a space: `12 epochs`, `4.6M shots`, `12 per_device`. */
export const UNIT_WORDS = new Set([
  's', 'ms', 'min', 'h', 'Hz', 'kHz', 'fps', 'px', '%', 'epochs', 'epoch', 'steps', 'step', 'shots', 'clips',
  'titles', 'frames', 'bins', 'samples', 'per_device',
]);

// ---- token types ------------------------------------------------------------------------------

const Whitespace = createToken({ name: 'Whitespace', pattern: /[ \t\r\n\uFEFF]+/, group: Lexer.SKIPPED, line_breaks: true });
/** `///` documents the declaration below; `////…` is an ordinary comment. */
export const DocComment = createToken({ name: 'DocComment', pattern: /\/\/\/(?!\/)[^\n]*/ });
export const Comment_ = createToken({ name: 'Comment', pattern: /(?:\/\/|#)[^\n]*/, group: 'comments' });

/**
 * `"…"` on one line, with the escapes of STRING_ESCAPES (an unknown one is still lexed, then reported). An
 * unterminated string still becomes a token (reported by the lexer wrapper) so parsing carries on.
 */
export const StringTok = createToken({
  name: 'String',
  pattern: (text: string, offset: number) => {
    if (text.charCodeAt(offset) !== 34) return null;
    let j = offset + 1;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 10) break;
      if (c === 92 && j + 1 < text.length) { j += 2; continue; }
      j++;
      if (c === 34) break;
    }
    return [text.slice(offset, j)] as [string];
  },
  start_chars_hint: ['"'],
  line_breaks: true,
});

/** `12`, `-0.5`, `.5`, `3e-4`, `1_000`, with an attached suffix or unit: `4.6M`, `3s`, `48kHz`, `50%`. */
export const NumberTok = createToken({
  name: 'Number',
  pattern: /-?(?:[0-9][0-9_]*(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?(?:%|[A-Za-z0-9_]*)/,
});

export const Ident = createToken({ name: 'Ident', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

const keyword = (name: string, word: RegExp, extra: TokenType[] = []) =>
  createToken({ name, pattern: word, longer_alt: Ident, categories: [...extra, Ident] });

/** Category of the words that open a declaration. */
export const DeclKeyword = createToken({ name: 'DeclKeyword', pattern: Lexer.NA });
export const Grid = keyword('Grid', /grid/, [DeclKeyword]);
export const BlockKeyword = keyword('BlockKeyword', /experiment|preset|backbone|task|profile|project/, [DeclKeyword]);
export const Import = keyword('Import', /import/);
export const Extends = keyword('Extends', /extends/);
export const Init = keyword('Init', /init/);
export const From = keyword('From', /from/);
export const Axis = keyword('Axis', /axis/);
export const Zip = keyword('Zip', /zip/);
export const Exclude = keyword('Exclude', /exclude/);
export const When = keyword('When', /when/);
export const As = keyword('As', /as/);
export const Except = keyword('Except', /except/);
export const True = keyword('True', /true/);
export const False = keyword('False', /false/);
export const None = keyword('None', /none/);
/** A unit noun after a number (`12 epochs`); longest words first so `steps` is not read as `s`. */
export const UnitWord = keyword('UnitWord', new RegExp(
  [...UNIT_WORDS].filter((w) => /^[A-Za-z_]/.test(w)).sort((a, b) => b.length - a.length).join('|'),
));

export const LBrace = createToken({ name: 'LBrace', pattern: '{', label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: '}', label: "'}'" });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: "']'" });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: "')'" });
export const Equals = createToken({ name: 'Equals', pattern: '=', label: "'='" });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','" });
export const Semi = createToken({ name: 'Semi', pattern: ';', label: "';'" });
export const DotDot = createToken({ name: 'DotDot', pattern: '..', label: "'..'" });
export const Dot = createToken({ name: 'Dot', pattern: '.', label: "'.'" });
export const Slash = createToken({ name: 'Slash', pattern: '/', label: "'/'" });
export const Arrow = createToken({ name: 'Arrow', pattern: '->', label: "'->'" });
export const Plus = createToken({ name: 'Plus', pattern: '+', label: "'+'" });

/**
 * Anything else, as one run up to the next whitespace, bracket, `=`, `,`, `;`, quote or word
 * character — so `@@@` or `@.` is one diagnostic, not three.
 */
// Unknown may start with any character. chevrotain cannot read that off a complement set, and one
// such token turns off its first-character optimisation for the whole lexer (every token tried at
// every offset: lexing was a tenth of `check experiments`); listing every UTF-16 code as the hint keeps it.
const EVERY_CHAR_CODE = Array.from({ length: 0x10000 }, (_, i) => i);
export const Unknown = createToken({ name: 'Unknown', pattern: /[^][^\s{}[\]()=,;"A-Za-z0-9_]*/, group: 'unknown', start_chars_hint: EVERY_CHAR_CODE });

/** Order matters: first match wins, keywords before `Ident`, `..` before `.`, `///` before `//`. */
export const allTokens: TokenType[] = [
  Whitespace, DocComment, Comment_, StringTok, NumberTok,
  Grid, BlockKeyword, Import, Extends, Init, From, Axis, Zip, Exclude, When, As, Except, True, False, None, UnitWord,
  DeclKeyword, Ident,
  DotDot, Dot, Arrow, LBrace, RBrace, LBracket, RBracket, LParen, RParen, Equals, Comma, Semi, Slash, Plus,
  Unknown,
];

// Built once, on first use: chevrotain analyses the token set (first-character tables) on construction.
let lexer: InstanceType<typeof Lexer> | undefined;

// ---- positions ------------------------------------------------------------------------------

export { Positions } from './span.ts';

// ---- number values ----------------------------------------------------------------------------

const MULTIPLIER: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9 };

/**
 * The magnitude and attached suffix of a Number token: `4.6M` → 4600000 and `''`, `3s` → 3 and `'s'`.
 * A lone K/M/B suffix multiplies; anything else is a unit. Undefined when the text is no number.
 */
export function numberValue(text: string, clean = true): { value: number; suffix: string } | undefined {
  const m = /^(-?[0-9_]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)(.*)$/.exec(text);
  if (!m) return undefined;
  let value = Number(m[1].includes('_') ? m[1].replace(/_/g, '') : m[1]);
  let suffix = m[2];
  if (suffix.length === 1 && MULTIPLIER[suffix] !== undefined) { value *= MULTIPLIER[suffix]; suffix = ''; }
  // Rounding keeps finite numbers finite, so the parser's range check may skip it (toPrecision is slow).
  return { value: clean ? cleanFloat(value) : value, suffix };
}

/** 4.6 * 1e6 = 4599999.999999999 in floating point; round to the nearest value with ≤ 12 significant digits. */
function cleanFloat(x: number): number {
  // Integers under 1e12 have at most 12 digits already (most numbers of a file; toPrecision is slow).
  if (Number.isInteger(x) && Math.abs(x) < 1e12) return x;
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(12));
}

// ---- lexing -----------------------------------------------------------------------------------

/** A chevrotain token plus what the grammar needs from the layout: was there a newline before it? */
export interface LssdToken extends IToken {
  newlineBefore: boolean;
}

export interface LexDiagnostic {
  kind: 'unexpected-char' | 'unterminated-string' | 'bad-escape';
  span: Span;
  text: string;
}

export interface Lexed {
  tokens: LssdToken[];
  comments: Comment[];
  /** Stray characters and unterminated strings, in source order. */
  errors: LexDiagnostic[];
  positions: Positions;
}

/** Index of the first char after a token, ignoring trailing whitespace (comments end at the newline). */
export function tokenEnd(t: IToken): number {
  if (t.tokenType === DocComment) return t.startOffset + t.image.trimEnd().length;
  return t.startOffset + t.image.length;
}

/** The span of a token; chevrotain's EOF sentinel sits at the end of the text. */
export function tokenSpan(t: IToken, positions: Positions): SourceSpan {
  if (t.tokenType === EOF) { const n = positions.source.text.length; return positions.span(n, n); }
  return positions.span(t.startOffset, tokenEnd(t));
}

/**
 * The escapes a string may use (docs/language.md §2): `\\` `\"` `\n` `\t` `\r`, and `\u{H…}` (1–6 hex
 * digits) or `\uHHHH` for any Unicode scalar value. Any other backslash sequence is an error (LSSD1020):
 * dropping the backslash would silently change a Windows path such as "C:\data\new".
 */
export const STRING_ESCAPES = ['\\\\', '\\"', '\\n', '\\t', '\\r', '\\u{H…}', '\\uHHHH'] as const;

/**
 * Decodes a string token's image; `closed` unless unterminated; `bad` lists unknown escapes (offsets
 * into the image; the escape is kept literally in `value`).
 */
export function scanString(image: string): { value: string; closed: boolean; bad: { at: number; length: number; text: string }[] } {
  let value = '';
  const bad: { at: number; length: number; text: string }[] = [];
  for (let j = 1; j < image.length;) {
    const c = image[j];
    // A backslash that ends the image ends the file too: it is kept literally.
    if (c === '\\' && j + 1 < image.length) {
      const e = image[j + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"' };
      if (e in simple) { value += simple[e]; j += 2; continue; }
      if (e === 'u') {
        const m = /^u\{([0-9A-Fa-f]{1,6})\}|^u([0-9A-Fa-f]{4})/.exec(image.slice(j + 1));
        const cp = m ? parseInt(m[1] ?? m[2], 16) : NaN;
        if (m && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) { value += String.fromCodePoint(cp); j += 1 + m[0].length; continue; }
        const len = m ? 1 + m[0].length : 2;
        bad.push({ at: j, length: len, text: image.slice(j, j + len) }); value += image.slice(j, j + len); j += len; continue;
      }
      const len = 2;
      bad.push({ at: j, length: len, text: image.slice(j, j + len) }); value += image.slice(j, j + len); j += len; continue;
    }
    if (c === '"') return { value, closed: true, bad };
    value += c; j++;
  }
  return { value, closed: false, bad };
}

/**
 * chevrotain's offset-only tokens are `{ image, startOffset, tokenTypeIdx, tokenType }`; `newlineBefore`
 * added after the fact gave each token a separate property store (about 40 bytes more a token, a
 * tenth of a large file's parse memory). The lexer's token factory (an instance field its constructor
 * picks by `positionTracking`) is replaced with one that creates the field up front.
 */
function newLexer(): InstanceType<typeof Lexer> {
  const l = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: GRAMMAR_VALIDATED });
  const factory = l as unknown as { createTokenInstance?: unknown };
  if (typeof factory.createTokenInstance !== 'function') throw new Error('lssd lexer: chevrotain no longer has Lexer.createTokenInstance');
  factory.createTokenInstance = (image: string, startOffset: number, tokenTypeIdx: number, tokenType: TokenType): LssdToken =>
    ({ image, startOffset, tokenTypeIdx, tokenType, newlineBefore: false }) as LssdToken;
  return l;
}

export function lexSource(source: Source, positions = new Positions(source)): Lexed {
  const text = source.text;
  lexer ??= newLexer();
  const r = lexer.tokenize(text);
  const tokens = r.tokens as LssdToken[];
  const errors: LexDiagnostic[] = [];
  // Unknown runs and unterminated strings, merged in source order.
  const unknown = (r.groups.unknown ?? []) as IToken[];
  let u = 0;
  const flushUnknownBefore = (offset: number) => {
    for (; u < unknown.length && unknown[u].startOffset < offset; u++) {
      const t = unknown[u];
      errors.push({ kind: 'unexpected-char', span: positions.span(t.startOffset, t.startOffset + t.image.length), text: t.image });
    }
  };
  let prevEnd = 0;
  let nextNewline = text.indexOf('\n');
  let first = true;
  for (const t of tokens) {
    const start = t.startOffset;
    if (nextNewline !== -1 && nextNewline < prevEnd) nextNewline = text.indexOf('\n', prevEnd);
    t.newlineBefore = first || (nextNewline !== -1 && nextNewline < start);
    first = false;
    prevEnd = start + t.image.length;
    if (t.tokenType === StringTok) {
      const sc = scanString(t.image);
      if (!sc.closed || sc.bad.length) flushUnknownBefore(start);
      for (const b of sc.bad) errors.push({ kind: 'bad-escape', span: positions.span(start + b.at, start + b.at + b.length), text: b.text });
      if (!sc.closed) errors.push({ kind: 'unterminated-string', span: positions.span(start, prevEnd), text: t.image });
    }
  }
  flushUnknownBefore(Infinity);
  if (r.errors.length) {
    // Cannot happen (Unknown accepts any character); kept loud rather than silently dropping input.
    throw new Error(`lssd lexer: unexpected lexing error ${r.errors[0].message}`);
  }
  // Comments, with `trailing` = a token (doc comments included) ended on the comment's line. Separators
  // (`,` `;`) do not count: fmt drops a separator, so a comment after one alone on its line (`⏎,  // c`)
  // trails nothing, and fmt prints it on a line of its own.
  const comments: Comment[] = [];
  const raw = (r.groups.comments ?? []) as IToken[];
  let k = 0;
  let lastLineWithToken = -1;
  for (const c of raw) {
    const k0 = k;
    while (k < tokens.length && tokens[k].startOffset < c.startOffset) k++;
    if (k > k0) {
      let j = k - 1;
      while (j >= 0 && (tokens[j].tokenType === Comma || tokens[j].tokenType === Semi)) j--;
      lastLineWithToken = j >= 0 ? positions.pos(tokenEnd(tokens[j])).line : -1;
    }
    const body = c.image.trimEnd();
    const span = positions.span(c.startOffset, c.startOffset + body.length);
    comments.push({ kind: 'Comment', text: body, span, trailing: lastLineWithToken === span.start.line });
  }
  return { tokens, comments, errors, positions };
}
