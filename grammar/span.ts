// Source positions: a file's line starts, and spans kept as two offsets. No chevrotain here, so the
// compiler can build spans (compiler/preparsed.ts) without loading the parser.
import type { Position, Source, Span } from './ast.ts';

/** Offset → 1-based line/column, by binary search over line starts (only `\n` ends a line). */
export class Positions {
  private readonly lineStarts: number[] = [0];
  constructor(readonly source: Source) {
    const t = source.text;
    for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }
  /** Spans are mostly asked for in source order: try the line of the previous answer first. */
  private lastLine = 0;
  pos(offset: number): Position {
    const ls = this.lineStarts;
    const l = this.lastLine;
    if (ls[l] <= offset && (l + 1 === ls.length || offset < ls[l + 1])) return { offset, line: l + 1, column: offset - ls[l] + 1 };
    let lo = 0; let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    this.lastLine = lo;
    return { offset, line: lo + 1, column: offset - ls[lo] + 1 };
  }
  span(start: number, end: number): SourceSpan {
    return new SourceSpan(this, start, end);
  }
}

/**
 * The spans the parser makes: the file name and two offsets; `start` and `end` ({ offset, line, column })
 * are computed when read, from the file's line starts. One object of four fields where a span was three
 * objects (itself and two positions): spans were half of an AST's memory (docs: grammar/README.md).
 *
 * Reads as a `Span`; JSON.stringify writes the full `{ file, start, end }` (toJSON), so ASTs as JSON are
 * unchanged. Own enumerable properties are `file`, `startOffset` and `endOffset` (the line table is a
 * private field): a spread (`{ ...span }`) or a structured clone copies only those, so code that derives
 * a span writes `{ file: s.file, start: s.start, end: … }`; deep equality compares file and offsets.
 */
export class SourceSpan implements Span {
  readonly #at: Positions;
  readonly file: string;
  constructor(at: Positions, readonly startOffset: number, readonly endOffset: number) {
    this.#at = at;
    this.file = at.source.name;
  }
  get start(): Position { return this.#at.pos(this.startOffset); }
  get end(): Position { return this.#at.pos(this.endOffset); }
  /** A span from this one's start to `to`'s end (same file). */
  to(to: SourceSpan): SourceSpan { return new SourceSpan(this.#at, this.startOffset, to.endOffset); }
  toJSON(): Span { return { file: this.file, start: this.start, end: this.end }; }
}

/**
 * `v` with every SourceSpan in it replaced by a plain `{ file, start, end }`: what JSON.parse of its
 * JSON gives (compiler/preparsed.ts), keeping what JSON would not (undefined fields, -0), for deep
 * comparisons against ASTs made that way or by hand.
 */
export function plainSpans<T>(v: T): T {
  if (v instanceof SourceSpan) return { file: v.file, start: v.start, end: v.end } as T;
  if (Array.isArray(v)) return v.map(plainSpans) as T;
  if (v === null || typeof v !== 'object') return v;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) o[k] = plainSpans((v as Record<string, unknown>)[k]);
  return o as T;
}
