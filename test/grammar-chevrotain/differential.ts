// Runs the chevrotain pipeline and the hand-written reference parser on the same inputs and tallies
// how they agree. Used by differential.test.ts (fixed seed, bounded size) and by hand for larger runs:
//   node --import tsx test/grammar-chevrotain/differential.ts [mutationsPerFile] [seed]
import { isDeepStrictEqual } from 'node:util';
import type { Source } from '../../grammar/ast.ts';
import { parseSource as chevrotainParse } from '../../grammar/cst-to-ast.ts';
// The pipeline's spans are SourceSpan objects, the reference's plain `{ file, start, end }`: compared plain.
import { plainSpans } from '../../grammar/span.ts';
import { parseSource as referenceParse } from './reference/parser.ts';
import { corpus, mutate, rng } from './corpus.ts';

export interface Tally {
  inputs: number;
  /** The chevrotain pipeline threw (must be 0). */
  threw: { name: string; error: string }[];
  /** Reference accepted the input. */
  clean: number;
  /** …and chevrotain gave a different AST or reported errors (must be 0). */
  cleanMismatch: { name: string; text: string }[];
  /** Reference reported errors. */
  erroneous: number;
  /** …and chevrotain reported none (must be 0). */
  missedErrors: { name: string; text: string }[];
  /** …first diagnostic with the same code and start offset. */
  firstAgree: number;
  firstDisagree: { name: string; text: string; reference: string; chevrotain: string }[];
  /** Every diagnostic and the partial AST identical (recovery included). */
  identical: number;
}

const show = (d: { code: string; span: { start: { line: number; column: number } }; message: string } | undefined) =>
  d ? `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}` : '(none)';

export function newTally(): Tally {
  return { inputs: 0, threw: [], clean: 0, cleanMismatch: [], erroneous: 0, missedErrors: [], firstAgree: 0, firstDisagree: [], identical: 0 };
}

export function compareOne(src: Source, t: Tally): void {
  t.inputs++;
  const ref = referenceParse(src);
  let got: ReturnType<typeof chevrotainParse>;
  try {
    got = chevrotainParse(src);
  } catch (e) {
    t.threw.push({ name: src.name, error: String((e as Error).stack ?? e) });
    return;
  }
  const same = isDeepStrictEqual(plainSpans(got.file), ref.file) && isDeepStrictEqual(plainSpans(got.diagnostics), ref.diagnostics);
  if (same) t.identical++;
  if (ref.diagnostics.length === 0) {
    t.clean++;
    if (!same) t.cleanMismatch.push({ name: src.name, text: src.text });
    return;
  }
  t.erroneous++;
  if (got.diagnostics.length === 0) { t.missedErrors.push({ name: src.name, text: src.text }); return; }
  const a = ref.diagnostics[0]; const b = got.diagnostics[0];
  if (a.code === b.code && a.span.start.offset === b.span.start.offset) t.firstAgree++;
  else t.firstDisagree.push({ name: src.name, text: src.text, reference: show(a), chevrotain: show(b) });
}

/** The corpus as is, then `perFile` seeded mutations of every file (edits stack up to three deep). */
export function runDifferential(perFile: number, seed = 1): Tally {
  const t = newTally();
  const r = rng(seed);
  for (const src of corpus()) {
    compareOne(src, t);
    for (let i = 0; i < perFile; i++) {
      let text = src.text;
      const depth = 1 + Math.floor(r() * 3);
      for (let d = 0; d < depth; d++) text = mutate(text, r);
      compareOne({ name: `${src.name}~${i}`, text }, t);
    }
  }
  return t;
}

export function summary(t: Tally): string {
  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(2)}%` : 'n/a');
  return [
    `inputs ${t.inputs}: threw ${t.threw.length}`,
    `clean ${t.clean}: AST mismatches ${t.cleanMismatch.length}`,
    `erroneous ${t.erroneous}: missed ${t.missedErrors.length}, first diagnostic (code + start) agrees ${t.firstAgree} (${pct(t.firstAgree, t.erroneous)})`,
    `identical (AST + every diagnostic) ${t.identical} (${pct(t.identical, t.inputs)})`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const per = Number(process.argv[2] ?? 200);
  const seed = Number(process.argv[3] ?? 1);
  const t0 = performance.now();
  const t = runDifferential(per, seed);
  console.log(summary(t));
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const x of t.threw.slice(0, 3)) console.log('THREW', x.name, x.error);
  for (const x of t.cleanMismatch.slice(0, 3)) console.log('CLEAN MISMATCH', x.name, JSON.stringify(x.text));
  for (const x of t.missedErrors.slice(0, 3)) console.log('MISSED', x.name, JSON.stringify(x.text));
  for (const x of t.firstDisagree.slice(0, 8)) console.log('FIRST', x.name, '\n  ref:', x.reference, '\n  chv:', x.chevrotain);
}
