// The chevrotain pipeline (grammar/tokens → cst-parser → cst-to-ast) against the hand-written
// reference parser, on every .lssd of the repository, the docs' examples and seeded random mutations:
// never a crash; the same AST (spans included) whenever the reference accepts the input; at least one
// error whenever it rejects it, the first one with the same code and start; and — the bar we hold it
// to — identical partial trees and diagnostic lists, recovery included.
// The reference is frozen in ./reference/ (the parser this pipeline replaced); when the grammar changes on
// purpose, change it the same way. A larger run by hand: node --import tsx test/grammar-chevrotain/differential.ts 300 7
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpus } from './corpus.ts';
import { runDifferential, summary } from './differential.ts';

// ~2,000 inputs whatever the corpus size; a few seconds.
const perFile = Math.max(5, Math.floor(2000 / corpus().length));

test(`differential: chevrotain pipeline vs reference parser (${perFile} mutations per file)`, () => {
  const t = runDifferential(perFile, 20261124);
  const report = summary(t);
  assert.deepEqual(t.threw.map((x) => x.name), [], `chevrotain pipeline threw\n${t.threw[0]?.error}`);
  assert.deepEqual(t.cleanMismatch.map((x) => x.name), [], `different AST for an accepted input:\n${JSON.stringify(t.cleanMismatch[0]?.text)}`);
  assert.deepEqual(t.missedErrors.map((x) => x.name), [], `no error for a rejected input:\n${JSON.stringify(t.missedErrors[0]?.text)}`);
  const d = t.firstDisagree[0];
  assert.equal(t.firstAgree, t.erroneous, d && `first diagnostic differs on ${JSON.stringify(d.text)}\n  reference: ${d.reference}\n  chevrotain: ${d.chevrotain}`);
  assert.equal(t.identical, t.inputs, report);
  assert.ok(t.erroneous > t.inputs / 2 && t.clean > 50, `the mutations should give both kinds of input\n${report}`);
});
