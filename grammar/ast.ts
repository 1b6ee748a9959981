// The lssd abstract syntax tree: pure data, every node carries its source span.
// Produced by grammar/cst-to-ast.ts (CST → AST), consumed by compiler/. Nothing semantic lives here:
// the grammar is deliberately generic (blocks of `key = value`), and compiler/schema decides which
// keys exist, their types, units and ranges. See docs/language.md.

/** A source file. `name` is the path as the user typed it (used in diagnostics). */
export interface Source {
  name: string;
  text: string;
}

/** A point in a file: character offset, 1-based line and column. */
export interface Position { offset: number; line: number; column: number }

/**
 * Half-open character range plus 1-based line/column of both ends. The parser's spans are
 * grammar/span.ts SourceSpan objects (offsets, line/column computed when read; JSON as this shape);
 * code that makes a span writes this shape as a plain object.
 */
export interface Span {
  readonly file: string;
  readonly start: Position;
  readonly end: Position;
}

export interface Node {
  span: Span;
}

export interface Ident extends Node {
  kind: 'Ident';
  name: string;
}

/** A comment kept for `fmt`: attached to the node that follows it (or trailing on the same line). */
export interface Comment extends Node {
  kind: 'Comment';
  text: string; // including the leading `//` or `#`
  trailing: boolean;
}

export interface File extends Node {
  kind: 'File';
  source: Source;
  imports: Import[];
  decls: Decl[];
  comments: Comment[]; // every comment in the file, in order (fmt re-attaches by position)
}

/** `import "paper"` (stdlib module) or `import "./A2.lssd"` (relative file). */
export interface Import extends Node {
  kind: 'Import';
  path: StringLit;
}

export type DeclKind = 'experiment' | 'preset' | 'backbone' | 'task' | 'profile' | 'project' | 'grid';

/**
 * `experiment A4 extends A2 { … }`, `preset paper_main { … }`, `backbone mvit_s { … }`,
 * `task esc50 { … }`, `profile cpu { … }` (how to run experiments on a kind of machine),
 * `project lab { … }` (in lssd.project: catalog bindings, the default profile). `grid` declarations
 * use GridDecl.
 */
export interface BlockDecl extends Node {
  kind: 'BlockDecl';
  declKind: Exclude<DeclKind, 'grid'>;
  name: Ident;
  extends: Ident[]; // `extends a, b` — later parents override earlier ones
  body: Block;
  doc?: string; // text of `///` doc comments directly above
}

/**
 * grid abl {
 *   base = A1                              // experiment every cell starts from
 *   axis dubs = [off, random(ALL)]         // named axis, one value per cell position
 *   axis lambda_a = [0, 0.2] -> loss.lambda_a  // axis bound to a field path (default: the axis name is a path alias declared below)
 *   zip(seed, data.budget)                  // axes advanced together instead of crossed
 *   exclude { dubs = off, lambda_a = 0.2 }  // drop cells matching all given axis values
 *   name = "A{dubs}{lambda_a}"              // per-cell name pattern
 *   cell { ... }                            // overrides applied to every cell; may use `when {axis = v} { ... }`
 *   when { lambda_a = 0.2 } { init from cell(lambda_a = 0) }  // per-cell lineage by axis values
 * }
 */
export interface GridDecl extends Node {
  kind: 'GridDecl';
  declKind: 'grid';
  name: Ident;
  extends: Ident[]; // grid may extend an experiment/preset: the base of every cell
  items: GridItem[];
  doc?: string;
}

export type GridItem = GridAxis | GridZip | GridExclude | GridWhen | Entry;

export interface GridAxis extends Node {
  kind: 'GridAxis';
  name: Ident;
  values: Value[];
  /** Field path the axis sets, e.g. loss.lambda_a. Absent: the axis only selects `when` blocks / names. */
  target?: Path;
  /** Optional display labels per value, `axis dubs = [off as "✗", any as "✓"]`. */
  labels?: (StringLit | undefined)[];
}

export interface GridZip extends Node {
  kind: 'GridZip';
  axes: Ident[];
}

export interface GridExclude extends Node {
  kind: 'GridExclude';
  match: { axis: Ident; value: Value }[];
}

/** `when { axis = value, … } { entries }`: entries applied to the matching cells only. */
export interface GridWhen extends Node {
  kind: 'GridWhen';
  match: { axis: Ident; value: Value }[];
  body: Block;
}

export type Decl = BlockDecl | GridDecl;

export interface Block extends Node {
  kind: 'Block';
  entries: Entry[];
}

/** A dotted key path: `loss.lambda_a`, `data.batch`. */
export interface Path extends Node {
  kind: 'Path';
  parts: Ident[];
}

export type Entry = Field | Section | InitFrom;

/** `key = value` (key may be dotted: `loss.lambda_a = 0.2`). */
export interface Field extends Node {
  kind: 'Field';
  key: Path;
  value: Value;
}

/** `key { entries }` (key may be dotted). */
export interface Section extends Node {
  kind: 'Section';
  key: Path;
  body: Block;
}

/** `init from A2` / `init from A2.final` / `init from cell(lambda_a = 0)` (grids) / `init from random`. */
export interface InitFrom extends Node {
  kind: 'InitFrom';
  target: Value; // Ident, Path (A2.final) or Call (cell(...))
}

export type Value =
  | NumberLit
  | Quantity
  | RangeLit
  | StringLit
  | BoolLit
  | NoneLit
  | IdentValue
  | ListLit
  | CallLit
  | ExceptLit;

/** A bare number: `0.07`, `3e-4`, `1/8` (fraction kept exact as num/den), `4.6M` (suffix applied). */
export interface NumberLit extends Node {
  kind: 'Number';
  value: number;
  /** Original text, kept for fmt and for exact fractions. */
  text: string;
  fraction?: { num: number; den: number };
}

/** A number with a unit: `3s`, `48kHz`, `50%`, `4.6M shots`, `224px`, `25fps`, `12 epochs`. */
export interface Quantity extends Node {
  kind: 'Quantity';
  value: number; // magnitude as written times any K/M/B suffix, NOT converted to base unit
  unit: string; // as written: s, ms, min, h, Hz, kHz, dB, %, px, fps, epochs, steps, shots, clips, titles, frames, bins
  text: string;
}

/** `3s .. 12s`, `256px .. 320px`, `1..3`; `1 ..` is open above (hi absent). */
export interface RangeLit extends Node {
  kind: 'Range';
  lo: NumberLit | Quantity;
  hi?: NumberLit | Quantity;
}

export interface StringLit extends Node {
  kind: 'String';
  value: string;
}

export interface BoolLit extends Node {
  kind: 'Bool';
  value: boolean;
}

export interface NoneLit extends Node {
  kind: 'None';
}

/** An identifier used as a value: enum member (`adamw`, `off`), language (`EN`), or reference (`mvit_s`). */
export interface IdentValue extends Node {
  kind: 'IdentValue';
  name: string;
}

export interface ListLit extends Node {
  kind: 'List';
  items: Value[];
}

/** `random(ES, FR, JA)`, `fixed(ES)`, `round_robin(ES, FR, JA)`, `warmup_cosine(warmup = 2 epochs)`, `cell(lambda_a = 0)`. */
export interface CallLit extends Node {
  kind: 'Call';
  callee: Ident;
  args: Value[];
  named: { name: Ident; value: Value }[];
}

/** `all except [EN]` — the paper's U \ EN. */
export interface ExceptLit extends Node {
  kind: 'Except';
  base: Value;
  removed: Value;
}
