// Parser: tokens → CST (chevrotain). One rule per production of docs/language.md §2; the CST is
// turned into the AST by grammar/cst-to-ast.ts.
//
// The language is LL(1) plus a few layout- and word-sensitive decisions (a unit noun, `except`, a
// range's upper bound or a call's `(` only count on the same line; a declaration keyword at the start
// of a line inside a block means the block was never closed). Those decisions are GATEs, and every
// choice is made on its first token (maxLookahead 1, alternatives tried in order).
//
// Error recovery is ours, not chevrotain's token-insertion/re-sync: a syntax error reports one
// diagnostic with our wording and code (LSSD1xxx), abandons the current entry, and skips to the next
// line (at the same bracket depth) or the closing brace; at top level, to the next declaration
// keyword at a line start. One typo never hides the rest of the file's diagnostics, and the partial
// tree keeps every entry that did parse. A rule that meets an error throws BAIL; the block loops and
// the file loop catch it (chevrotain unwinds its rule and CST stacks in `finally`, so catching inside
// a rule is safe).
import type {
  CstNode, IOrAlt, IRecognitionException, IToken, OptionalProductionType, Rule, TokenType,
} from 'chevrotain';
import type { Span } from './ast.ts';
import { GRAMMAR_VALIDATED } from './validated.ts';
import { SYNTAX, type SyntaxDiagnostic } from './syntax-codes.ts';
import {
  CstParser, EOF, isRecognitionException, LLkLookaheadStrategy, tokenMatcher,
  allTokens, Arrow, As, Axis, BlockKeyword, Comma, DeclKeyword, DocComment, Dot, DotDot, Equals, Except, Exclude,
  Extends, False, From, Grid, Ident, Import, Init, LBrace, LBracket, LParen, None, NumberTok, numberValue, Positions,
  RBrace, RBracket, RParen, Semi, Slash, StringTok, tokenEnd, tokenSpan, True, UnitWord, When, Zip, type LssdToken,
} from './tokens.ts';

/** Thrown (not an Error: no stack to capture) to abandon the current entry after reporting. */
const BAIL = { name: 'LssdBail' } as const;

/** What the CST alone cannot say: where an unclosed `{` ended (the last token before giving up). */
export interface ParseSideTables {
  unclosedEnd: Map<IToken, IToken>;
  /** `///` that documents nothing (inside a block, or not followed by a declaration): kept as comments for fmt. */
  strayDocs: { token: IToken; trailing: boolean }[];
}

const ALL_DIGITS = /^[0-9]+$/;
const MAX_DEPTH = 200;
const nl = (t: IToken): boolean => t.tokenType === EOF || (t as LssdToken).newlineBefore;
const describe = (t: IToken): string =>
  t.tokenType === EOF ? 'end of file'
    : t.tokenType === StringTok ? `string ${t.image}`
      : `'${t.image.slice(0, tokenEnd(t) - t.startOffset)}'`;

type Msg = string | (() => string);

/**
 * Two departures from plain LL(1), both to report errors where the hand-written grammar of
 * docs/language.md does:
 * - Loops that run "until the closing token" (`while (!at(']'))`) are decided by their GATE alone;
 *   LL(1) would end them silently on a token that cannot start an item, we enter and report it.
 * - An alternation with no matching alternative takes its last one, which is always the "else"
 *   branch (an error report, an empty alternative, or the most general form such as `entry`).
 */
const GATE_DRIVEN_LOOPS = new Set([
  'file/1', 'block/1', 'gridBody/1', 'axis/1', 'zip/1', 'matchList/1', 'list/1', 'call/1',
]);

class LookaheadWithGateDrivenLoops extends LLkLookaheadStrategy {
  override buildLookaheadForOptional(o: {
    prodOccurrence: number; prodType: OptionalProductionType; rule: Rule; maxLookahead: number; dynamicTokensEnabled: boolean;
  }): () => boolean {
    if (o.prodType === 'Repetition' && GATE_DRIVEN_LOOPS.has(`${o.rule.name}/${o.prodOccurrence}`)) return () => true;
    return super.buildLookaheadForOptional(o);
  }
  override buildLookaheadForAlternation(o: {
    prodOccurrence: number; rule: Rule; maxLookahead: number; hasPredicates: boolean; dynamicTokensEnabled: boolean;
  }): (orAlts?: IOrAlt<unknown>[]) => number | undefined {
    const llk = super.buildLookaheadForAlternation(o);
    return function (this: unknown, orAlts?: IOrAlt<unknown>[]) {
      const alt = llk.call(this, orAlts);
      return alt === undefined && orAlts ? orAlts.length - 1 : alt;
    };
  }
}

class LssdCstParser extends CstParser {
  // Per-parse state, reset by parseTokens().
  private positions!: Positions;
  diagnostics: SyntaxDiagnostic[] = [];
  side: ParseSideTables = { unclosedEnd: new Map(), strayDocs: [] };
  private absorbed = new Set<unknown>();
  /** The Number token being parsed and its attached suffix, read by the gates of `number`. */
  private numTok!: IToken;
  private numSuffix = '';
  /** Named arguments seen so far, one counter per open call (calls nest). */
  private namedArgs: number[] = [];
  /** The key of the entry being parsed, for "expected '=' or '{' after 'a.b'". */
  private lastKey: CstNode | undefined;
  /** parseTokens' `each`: called with every import or declaration parsed, as soon as it is parsed. */
  private eachTopLevel: ((node: CstNode, side: ParseSideTables) => void) | undefined;

  constructor() {
    super(allTokens, {
      maxLookahead: 1, recoveryEnabled: false, nodeLocationTracking: 'none', skipValidations: GRAMMAR_VALIDATED,
      lookaheadStrategy: new LookaheadWithGateDrivenLoops({ maxLookahead: 1 }),
    });
    this.performSelfAnalysis();
  }

  // ---- helpers ---------------------------------------------------------------------------------
  private at(type: TokenType, k = 1): boolean { return tokenMatcher(this.LA(k), type); }
  private span(t: IToken): Span { return tokenSpan(t, this.positions); }
  private join(a: IToken, b: IToken): Span { return tokenSpan(a, this.positions).to(tokenSpan(b, this.positions)); }
  private report(code: string, span: Span, message: string, hint?: string): void {
    this.diagnostics.push({ code, severity: 'error', message, span, related: [], hint });
  }
  private fail(code: string, span: Span, message: string, hint?: string): never {
    this.report(code, span, message, hint);
    throw BAIL;
  }
  /** Reports `expected <what>, found <next token>` and abandons the entry. */
  private failExpected(what: Msg, hint?: string): never {
    const t = this.LA(1);
    const w = typeof what === 'string' ? what : what();
    return this.fail(t.tokenType === EOF ? SYNTAX.unexpectedEof : SYNTAX.unexpectedToken, this.span(t), `expected ${w}, found ${describe(t)}`, hint);
  }
  /** CONSUME with our message on a mismatch (checked first, so chevrotain never builds an exception). */
  private expect(idx: number, type: TokenType, what: Msg, hint?: string): IToken {
    if (!this.RECORDING_PHASE && !this.at(type)) this.failExpected(what, hint);
    return this.consume(idx, type);
  }
  /** A declaration keyword opening a line, followed by a name: the block above was never closed. */
  private declStartsAt(k: number): boolean {
    const t = this.LA(k);
    return tokenMatcher(t, DeclKeyword) && nl(t) && tokenMatcher(this.LA(k + 1), Ident);
  }
  /** May the next token start a range's upper bound? (`1 ..` followed by a new key is open.) */
  private startsValue(): boolean {
    const t = this.LA(1);
    if (t.tokenType === NumberTok || t.tokenType === StringTok || t.tokenType === LBracket) return true;
    return tokenMatcher(t, Ident) && !this.at(Equals, 2) && !this.at(LBrace, 2);
  }
  /** After separators and stray doc comments, does another item follow (not `}`, EOF or a declaration)? */
  private itemAhead(): boolean {
    let k = 1;
    let t = this.LA(k);
    while (t.tokenType === Semi || t.tokenType === Comma) t = this.LA(++k);
    while (t.tokenType === DocComment) t = this.LA(++k);
    return !(t.tokenType === RBrace || t.tokenType === EOF || this.declStartsAt(k));
  }
  /** Turns what an entry threw into diagnostics; rethrows anything that is not a syntax error. */
  private absorb(e: unknown): void {
    if (e === BAIL || this.absorbed.has(e)) return;
    if (e instanceof Error && isRecognitionException(e)) {
      this.absorbed.add(e);
      // A decision the gates did not foresee; still a syntax error, never a crash.
      const t = (e as IRecognitionException).token;
      this.report(t.tokenType === EOF ? SYNTAX.unexpectedEof : SYNTAX.unexpectedToken, this.span(t), `unexpected ${describe(t)}`);
      return;
    }
    throw e;
  }
  /** Skip to the next line at this bracket depth, or to a closing `}` (left for the block to take). */
  private sync(): void {
    let depth = 0;
    const start = this.LA(0);
    for (let t = this.LA(1); t.tokenType !== EOF; t = this.LA(1)) {
      if (this.LA(0) !== start && depth === 0 && nl(t)) return;
      const ty = t.tokenType;
      if (ty === LBrace || ty === LBracket || ty === LParen) depth++;
      if (ty === RBrace || ty === RBracket || ty === RParen) {
        if (depth === 0) { if (ty === RBrace) return; } else depth--;
      }
      this.SKIP_TOKEN();
    }
  }
  /** Skip to the next `import` or declaration keyword at a line start outside braces. */
  private syncTopLevel(): void {
    let depth = 0;
    for (let t = this.LA(1); t.tokenType !== EOF; t = this.LA(1)) {
      if (depth <= 0 && nl(t) && (tokenMatcher(t, DeclKeyword) || t.tokenType === Import)) return;
      if (t.tokenType === LBrace) depth++;
      if (t.tokenType === RBrace) {
        depth--;
        if (depth <= 0) { this.SKIP_TOKEN(); if (depth < 0) depth = 0; continue; }
      }
      this.SKIP_TOKEN();
    }
  }
  /** Nesting depth of values and blocks: pathological input (`[[[[…`) is an error, not a stack overflow. */
  private depth = 0;
  private enter(): void {
    if (this.RECORDING_PHASE) return;
    if (++this.depth > MAX_DEPTH) {
      this.depth = 0; // the report unwinds to the enclosing entry, which carries on from depth 0
      this.fail(SYNTAX.unexpectedToken, this.span(this.LA(1)), `nesting deeper than ${MAX_DEPTH} levels`);
    }
  }
  private leave(): void {
    if (!this.RECORDING_PHASE) this.depth = Math.max(0, this.depth - 1);
  }
  private strayDoc(idx: number): void {
    const d = this.consume(idx, DocComment);
    if (!this.RECORDING_PHASE) this.side.strayDocs.push({ token: d, trailing: !nl(d) });
  }

  // The arguments of the DSL calls are built once per parser, not per rule invocation: closures are
  // what a chevrotain parser allocates most (and tsx's keep-names wrapper makes each one costlier).
  private readonly sep1 = [{ ALT: () => this.consume(1, Semi) }, { ALT: () => this.consume(1, Comma) }];
  private readonly sep2 = [{ ALT: () => this.consume(2, Semi) }, { ALT: () => this.consume(2, Comma) }];
  private readonly skipSep1 = () => this.or(1, this.sep1);
  private readonly skipSep2 = () => this.or(2, this.sep2);
  private readonly strayDoc1 = () => this.strayDoc(1);
  private readonly strayDoc2 = () => this.strayDoc(2);
  private readonly closeBrace = [{ ALT: () => this.consume(1, RBrace) }, { ALT: () => {} }];

  /**
   * `{ item* }` after the `{`: separators (`;` `,`) and stray `///` are skipped between items; an
   * item that fails is dropped and the loop resumes at the next line.
   */
  private bodyLoop(open: IToken, items: { GATE: () => boolean; DEF: () => void }): void {
    this.many(1, items);
    this.many(4, this.skipSep2);
    this.many(5, this.strayDoc2);
    const t = this.LA(1);
    this.or(3, this.closeBrace);
    if (!this.RECORDING_PHASE && t.tokenType !== RBrace) {
      const message = t.tokenType === EOF ? `'{' is never closed` : `'{' is never closed before '${t.image}'`;
      this.report(SYNTAX.unclosedBlock, this.span(open), message, 'add the missing `}`');
      this.side.unclosedEnd.set(open, this.LA(0));
    }
  }
  private bodyItem(item: () => CstNode): void {
    this.many(2, this.skipSep1);
    this.many(3, this.strayDoc1);
    const before = this.LA(0);
    try {
      this.subrule(1, item);
    } catch (e) {
      this.absorb(e);
      this.sync();
      if (this.LA(0) === before) this.SKIP_TOKEN();
    }
  }
  private readonly entries = { GATE: () => this.itemAhead(), DEF: () => this.bodyItem(this.entry) };
  private readonly gridItems = { GATE: () => this.itemAhead(), DEF: () => this.bodyItem(this.gridItem) };

  // ---- file ------------------------------------------------------------------------------------
  private readonly topLevels = {
    GATE: () => !this.at(EOF),
    DEF: () => {
      const before = this.LA(0);
      let node: CstNode | undefined;
      try {
        node = this.subrule(1, this.topLevel);
      } catch (e) {
        this.absorb(e);
        this.syncTopLevel();
        if (this.LA(0) === before) this.SKIP_TOKEN();
      }
      if (node && !this.RECORDING_PHASE) this.eachTopLevel?.(node, this.side);
      if (!this.RECORDING_PHASE) this.dropConsumedTokens();
    },
  };
  /**
   * Nothing reads a token of a finished top-level item again but LA(0) and LA(-1) (the side tables keep
   * their own): its slots in the token vector are cleared, so a large file's tokens (about 17 bytes of
   * tokens per byte of source) die as the AST grows instead of living through the whole parse.
   */
  private droppedUpTo = 0;
  private dropConsumedTokens(): void {
    const self = this as unknown as { tokVector: (IToken | undefined)[]; currIdx: number };
    const v = self.tokVector;
    const end = self.currIdx - 1;
    for (let i = this.droppedUpTo; i < end; i++) v[i] = undefined;
    if (end > this.droppedUpTo) this.droppedUpTo = end;
  }
  readonly file = this.RULE('file', () => {
    this.many(1, this.topLevels);
  });

  private readonly topLevelAlts = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { ALT: () => this.subrule(1, this.importDecl) },
      { ALT: () => this.subrule(2, this.decl) },
      {
        ALT: () => {
          const t = this.LA(1);
          if (this.RECORDING_PHASE || t.tokenType === EOF) return; // EOF: trailing doc comments
          this.fail(SYNTAX.expectedDecl, this.span(t),
            `expected a declaration (experiment, preset, backbone, task, profile, project, grid) or import, found ${describe(t)}`);
        },
      },
    ],
  };
  private docs: IToken[] = [];
  private readonly docLines = () => { this.docs.push(this.consume(1, DocComment)); };
  /** Doc comments, then an import or a declaration (the doc comments document it). */
  readonly topLevel = this.RULE('topLevel', () => {
    this.docs = [];
    this.many(1, this.docLines);
    if (!this.RECORDING_PHASE && !this.at(DeclKeyword)) {
      for (const token of this.docs) this.side.strayDocs.push({ token, trailing: false });
    }
    this.or(1, this.topLevelAlts);
  });

  readonly importDecl = this.RULE('importDecl', () => {
    this.consume(1, Import);
    this.expect(2, StringTok, 'a quoted import path', 'e.g. import "paper" or import "./A1.lssd"');
  });

  private readonly declKeyword = [{ ALT: () => this.consume(1, Grid) }, { ALT: () => this.consume(1, BlockKeyword) }];
  private readonly moreParents = () => {
    this.consume(5, Comma);
    this.expect(6, Ident, `a name after ','`);
  };
  private readonly parents = () => {
    this.consume(3, Extends);
    this.expect(4, Ident, `a name after 'extends'`);
    this.many(1, this.moreParents);
  };
  /** `experiment A4 extends A2, B { … }`, `grid g extends A1 { … }`. */
  readonly decl = this.RULE('decl', () => {
    const kw = this.LA(1);
    this.or(1, this.declKeyword);
    const name = this.expect(2, Ident, () => `a name after '${kw.image}'`);
    this.option(1, this.parents);
    this.or(2, {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => kw.tokenType === Grid, ALT: () => this.subrule(1, this.gridBody, { ARGS: [`'{' to open grid '${name.image}'`] }) },
        { ALT: () => this.subrule(2, this.block, { ARGS: [`'{' to open ${kw.image} '${name.image}'`] }) },
      ],
    });
  });

  readonly block = this.RULE('block', (what?: string) => {
    this.enter();
    try {
      const open = this.expect(1, LBrace, what ?? '');
      this.bodyLoop(open, this.entries);
    } finally {
      this.leave();
    }
  });

  readonly gridBody = this.RULE('gridBody', (what?: string) => {
    const open = this.expect(1, LBrace, what ?? '');
    this.bodyLoop(open, this.gridItems);
  });

  private readonly pathTail = () => {
    this.consume(1, Dot);
    this.expect(2, Ident, `a field name after '.'`);
  };
  /** `a.b.c` */
  readonly path = this.RULE('path', () => {
    this.expect(1, Ident, 'a field name');
    this.many(1, this.pathTail);
  });

  private readonly sectionOrField = [
    { ALT: () => this.subrule(1, this.block, { ARGS: [''] }) },
    { ALT: () => { this.consume(1, Equals); this.subrule(2, this.value); } },
    {
      ALT: () => {
        if (this.RECORDING_PHASE) return;
        const name = (this.lastKey!.children.Ident as IToken[]).map((t) => t.image).join('.');
        this.failExpected(`'=' or '{' after '${name}'`);
      },
    },
  ];
  private readonly entryAlts = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      {
        GATE: () => this.at(From, 2),
        ALT: () => {
          this.consume(1, Init);
          this.consume(1, From);
          this.subrule(1, this.value);
        },
      },
      {
        ALT: () => {
          this.lastKey = this.subrule(1, this.path);
          this.or(2, this.sectionOrField);
        },
      },
      {
        ALT: () => {
          if (this.RECORDING_PHASE) return;
          const t = this.LA(1);
          this.fail(SYNTAX.expectedEntry, this.span(t),
            `expected a field (\`key = value\`, \`key { … }\` or \`init from …\`), found ${describe(t)}`);
        },
      },
    ],
  };
  /** `key = value`, `key { … }`, `init from value`. */
  readonly entry = this.RULE('entry', () => {
    this.or(1, this.entryAlts);
  });

  // ---- grid items ------------------------------------------------------------------------------
  private readonly gridItemAlts = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { GATE: () => this.at(Ident, 2), ALT: () => this.subrule(1, this.axis) },
      { GATE: () => this.at(LParen, 2), ALT: () => this.subrule(1, this.zip) },
      { GATE: () => this.at(LBrace, 2), ALT: () => this.subrule(1, this.exclude) },
      { GATE: () => this.at(LBrace, 2), ALT: () => this.subrule(1, this.when) },
      { ALT: () => this.subrule(1, this.entry) },
    ],
  };
  readonly gridItem = this.RULE('gridItem', () => {
    this.or(1, this.gridItemAlts);
  });

  /** `axis name = [v (as "label")?, …] (-> path)?` */
  readonly axis = this.RULE('axis', () => {
    this.consume(1, Axis);
    this.expect(2, Ident, 'an axis name');
    this.expect(3, Equals, `'=' after axis name`);
    const open = this.expect(4, LBracket, `'[' with the axis values`);
    this.many(1, {
      GATE: () => !this.at(RBracket),
      DEF: () => {
        if (!this.RECORDING_PHASE && this.at(EOF)) this.fail(SYNTAX.unclosedBlock, this.span(open), `'[' is never closed`);
        this.subrule(1, this.axisValue);
        this.or(1, [
          { ALT: () => this.consume(5, Comma) },
          { ALT: () => { if (!this.RECORDING_PHASE && !this.at(RBracket)) this.failExpected(`',' or ']'`); } },
        ]);
      },
    });
    this.consume(6, RBracket);
    this.option(1, () => {
      this.consume(7, Arrow);
      this.subrule(2, this.path);
    });
  });

  readonly axisValue = this.RULE('axisValue', () => {
    this.subrule(1, this.value);
    this.option(1, () => {
      this.consume(1, As);
      this.expect(2, StringTok, 'a quoted label after `as`');
    });
  });

  /** `zip(a, b)` */
  readonly zip = this.RULE('zip', () => {
    this.consume(1, Zip);
    this.consume(2, LParen);
    this.many(1, {
      GATE: () => !this.at(RParen),
      DEF: () => {
        this.expect(3, Ident, 'an axis name');
        this.or(1, [
          { ALT: () => this.consume(4, Comma) },
          { ALT: () => { if (!this.RECORDING_PHASE && !this.at(RParen)) this.failExpected(`',' or ')'`); } },
        ]);
      },
    });
    this.consume(5, RParen);
  });

  readonly exclude = this.RULE('exclude', () => {
    this.consume(1, Exclude);
    this.subrule(1, this.matchList);
  });

  readonly when = this.RULE('when', () => {
    this.consume(1, When);
    this.subrule(1, this.matchList);
    this.subrule(2, this.block, { ARGS: [`'{' with the entries for matching cells`] });
  });

  /** `{ axis = value, … }` */
  readonly matchList = this.RULE('matchList', () => {
    const open = this.expect(1, LBrace, `'{'`);
    this.many(1, {
      GATE: () => {
        let k = 1;
        while (this.at(Semi, k) || this.at(Comma, k)) k++;
        return !this.at(RBrace, k);
      },
      DEF: () => {
        this.many(2, this.skipSep1);
        if (!this.RECORDING_PHASE && this.at(EOF)) this.fail(SYNTAX.unclosedBlock, this.span(open), `'{' is never closed`);
        this.subrule(1, this.matchItem);
      },
    });
    this.many(3, this.skipSep2);
    this.consume(3, RBrace);
  });

  readonly matchItem = this.RULE('matchItem', () => {
    this.expect(1, Ident, 'an axis name');
    this.expect(2, Equals, `'=' after axis name`);
    this.subrule(1, this.value);
  });

  // ---- values ----------------------------------------------------------------------------------
  private readonly upperBound = {
    GATE: () => this.startsValue() && !nl(this.LA(1)),
    DEF: () => {
      const first = this.LA(1);
      const hi = this.subrule(2, this.primary);
      if (!this.RECORDING_PHASE) this.checkBound(hi, first, this.LA(0));
    },
  };
  private readonly except = {
    GATE: () => !nl(this.LA(1)),
    DEF: () => {
      this.consume(2, Except);
      this.subrule(3, this.value);
    },
  };
  private readonly range = () => {
    this.consume(1, DotDot);
    if (!this.RECORDING_PHASE) this.checkBound(this.rangeLo, this.rangeFirst, this.LA(-1));
    this.option(2, this.upperBound);
  };
  /** The lower bound just parsed, for `range` (set and read with no rule call in between). */
  private rangeLo!: CstNode;
  private rangeFirst!: IToken;
  /** `primary (.. primary?)? (except value)?` */
  readonly value = this.RULE('value', () => {
    this.enter();
    try {
      const first = this.LA(1);
      const lo = this.subrule(1, this.primary);
      this.rangeLo = lo;
      this.rangeFirst = first;
      this.option(1, this.range);
      this.option(3, this.except);
    } finally {
      this.leave();
    }
  });

  private checkBound(p: CstNode, first: IToken, last: IToken): void {
    if (p.children.number === undefined) {
      this.fail(SYNTAX.badRange, this.join(first, last), 'a range bound must be a number or a quantity (e.g. `3s .. 12s`)');
    }
  }

  private readonly primaryAlts = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { ALT: () => this.subrule(1, this.number) },
      { ALT: () => this.consume(1, StringTok) },
      { ALT: () => this.subrule(1, this.list) },
      { ALT: () => this.consume(1, True) },
      { ALT: () => this.consume(1, False) },
      { ALT: () => this.consume(1, None) },
      { GATE: () => this.at(LParen, 2) && !nl(this.LA(2)), ALT: () => this.subrule(1, this.call) },
      { ALT: () => this.subrule(1, this.identValue) },
      {
        ALT: () => {
          if (this.RECORDING_PHASE) return;
          const t = this.LA(1);
          this.fail(t.tokenType === EOF ? SYNTAX.unexpectedEof : SYNTAX.expectedValue, this.span(t), `expected a value, found ${describe(t)}`);
        },
      },
    ],
  };
  readonly primary = this.RULE('primary', () => {
    this.or(1, this.primaryAlts);
  });

  private readonly numberTail = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      {
        // `1/8`: an exact fraction of two plain integers.
        GATE: () => this.numSuffix === '' && ALL_DIGITS.test(this.numTok.image) && this.at(NumberTok, 2) && ALL_DIGITS.test(this.LA(2).image),
        ALT: () => {
          this.consume(1, Slash);
          const d = this.consume(2, NumberTok);
          if (!this.RECORDING_PHASE && Number(d.image) === 0) this.fail(SYNTAX.badNumber, this.join(this.numTok, d), 'division by zero in fraction');
        },
      },
      {
        // `4.6M shots`: a unit word on the same line that does not start the next field.
        GATE: () => this.numSuffix === '' && !nl(this.LA(1)) && !this.at(Equals, 2) && !this.at(LBrace, 2) && !this.at(Dot, 2),
        ALT: () => this.consume(1, UnitWord),
      },
      { ALT: () => {} },
    ],
  };
  /** `12`, `3s`, `4.6M shots`, `1/8`. */
  readonly number = this.RULE('number', () => {
    const t = this.consume(1, NumberTok);
    if (!this.RECORDING_PHASE) {
      const n = numberValue(t.image, false);
      if (!n) this.fail(SYNTAX.badNumber, this.span(t), `invalid number '${t.image}'`);
      if (!Number.isFinite(n.value)) this.fail(SYNTAX.badNumber, this.span(t), `number '${t.image}' is out of range`);
      this.numTok = t;
      this.numSuffix = n.suffix;
    }
    this.or(1, this.numberTail);
  });

  private readonly listItems = {
    GATE: () => !this.at(RBracket),
    DEF: () => {
      if (!this.RECORDING_PHASE && (this.at(EOF) || this.at(RBrace))) {
        // The `[` is the last LBracket before this item; find it for the report.
        this.fail(SYNTAX.unclosedBlock, this.span(this.openBrackets[this.openBrackets.length - 1]), `'[' is never closed`, 'add the missing `]`');
      }
      this.subrule(1, this.value);
      this.or(1, this.listSep);
    },
  };
  private readonly listSep = [
    { ALT: () => this.consume(2, Comma) },
    { ALT: () => { if (!this.RECORDING_PHASE && !this.at(RBracket)) this.failExpected(`',' or ']' in list`); } },
  ];
  /** Open `[` of the lists being parsed (lists nest). */
  private openBrackets: IToken[] = [];
  /** `[v, …]` (trailing comma allowed). */
  readonly list = this.RULE('list', () => {
    const open = this.consume(1, LBracket);
    this.openBrackets.push(open);
    try {
      this.many(1, this.listItems);
    } finally {
      this.openBrackets.pop();
    }
    this.consume(3, RBracket);
  });

  private readonly callArgs = {
    GATE: () => !this.at(RParen),
    DEF: () => {
      if (!this.RECORDING_PHASE && (this.at(EOF) || this.at(RBrace))) {
        const callee = this.callees[this.callees.length - 1];
        this.fail(SYNTAX.unclosedBlock, this.span(callee), `'(' of ${callee.image}(…) is never closed`, 'add the missing `)`');
      }
      this.or(1, this.argAlts);
      this.or(2, this.argSep);
    },
  };
  private readonly argAlts = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { GATE: () => this.at(Equals, 2), ALT: () => { this.subrule(1, this.namedArg); this.namedArgs[this.namedArgs.length - 1]++; } },
      {
        ALT: () => {
          if (!this.RECORDING_PHASE && this.namedArgs[this.namedArgs.length - 1] > 0) {
            this.fail(SYNTAX.positionalAfterNamed, this.span(this.LA(1)), 'positional argument after a named argument');
          }
          this.subrule(2, this.value);
        },
      },
    ],
  };
  private readonly argSep = [
    { ALT: () => this.consume(3, Comma) },
    {
      ALT: () => {
        if (!this.RECORDING_PHASE && !this.at(RParen)) this.failExpected(`',' or ')' in ${this.callees[this.callees.length - 1].image}(…)`);
      },
    },
  ];
  /** Callees of the calls being parsed (calls nest). */
  private callees: IToken[] = [];
  /** `name(v, …, k = v, …)`: positional arguments first. */
  readonly call = this.RULE('call', () => {
    const callee = this.consume(1, Ident, { LABEL: 'callee' });
    this.consume(2, LParen);
    this.callees.push(callee);
    this.namedArgs.push(0);
    try {
      this.many(1, this.callArgs);
    } finally {
      this.callees.pop();
      this.namedArgs.pop();
    }
    this.consume(4, RParen);
  });

  readonly namedArg = this.RULE('namedArg', () => {
    this.consume(1, Ident);
    this.consume(2, Equals);
    this.subrule(1, this.value);
  });

  private readonly dottedName = {
    GATE: () => this.at(Ident, 2),
    DEF: () => {
      this.consume(2, Dot);
      this.consume(3, Ident);
    },
  };
  /** `adamw`, `EN`, `A2.final` (dots only when a name follows). */
  readonly identValue = this.RULE('identValue', () => {
    this.consume(1, Ident);
    this.many(1, this.dottedName);
  });

  /** Parses a token vector from grammar/tokens.ts; the CST is always complete enough to convert. */
  /**
   * Parses a file's tokens. `each`, if given, receives every top-level item's CST node (an import or a
   * declaration, with its doc comments) as soon as the item is parsed, with the side tables so far:
   * cst-to-ast converts it there and drops its subtree, so a large file never holds its whole CST
   * (about 60 bytes of CST per byte of source).
   */
  parseTokens(tokens: IToken[], positions: Positions, each?: (node: CstNode, side: ParseSideTables) => void): { cst: CstNode; diagnostics: SyntaxDiagnostic[]; side: ParseSideTables } {
    this.positions = positions;
    this.diagnostics = [];
    this.side = { unclosedEnd: new Map(), strayDocs: [] };
    this.absorbed = new Set();
    this.namedArgs = []; this.callees = []; this.openBrackets = [];
    this.depth = 0;
    this.input = tokens;
    this.droppedUpTo = 0;
    this.eachTopLevel = each;
    let cst: CstNode;
    try {
      cst = this.file();
      for (const e of this.errors) this.absorb(e); // only for decisions the gates did not foresee
    } finally {
      // The parser is reused: without this it kept the last file's tokens alive (setting input resets it).
      this.eachTopLevel = undefined;
      this.input = [];
    }
    return { cst, diagnostics: this.diagnostics, side: this.side };
  }
}

// performSelfAnalysis is the expensive part: one instance, reused (parsing is not re-entrant).
let instance: LssdCstParser | undefined;
export function cstParser(): LssdCstParser {
  return (instance ??= new LssdCstParser());
}

export type { LssdCstParser };
