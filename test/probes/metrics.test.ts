import { test } from 'node:test';
import assert from 'node:assert/strict';
import { top1, averagePrecision, meanAveragePrecision } from '../../runtime/probes/metrics.ts';

test('top-1 accuracy against a hand count', () => {
  // rows: argmax 1, 0, 2, 2 ; truth 1, 1, 2, 0 → 2 of 4
  const s = [0.1, 0.8, 0.1, 0.5, 0.3, 0.2, 0, 0, 1, 0.2, 0.3, 0.5];
  assert.equal(top1(s, 4, 3, [1, 1, 2, 0]), 0.5);
  assert.ok(Number.isNaN(top1([], 0, 3, [])));
});

test('average precision matches the step-wise definition (sklearn), ties included', () => {
  // ranked: + - + -  → AP = 0.5·1 + 0.5·(2/3)
  assert.ok(Math.abs(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]) - (0.5 + 1 / 3)) < 1e-12);
  // perfect ranking
  assert.equal(averagePrecision([0.9, 0.1, 0.8], [1, 0, 1]), 1);
  // tie between a positive and a negative at the top: one threshold, precision 1/2 at recall 1/2
  assert.ok(Math.abs(averagePrecision([0.5, 0.5, 0.1], [1, 0, 1]) - (0.5 * 0.5 + 0.5 * (2 / 3))) < 1e-12);
  assert.ok(Number.isNaN(averagePrecision([0.3, 0.2], [0, 0])));
});

test('mAP is the macro mean over classes with positives', () => {
  // class 0: scores .9 .8 .7, truth 1 0 1 → 0.5·1 + 0.5·2/3 ; class 1: .1 .9 .2, truth 0 1 0 → 1 ; class 2: no positives, skipped
  const scores = [0.9, 0.1, 0.3, 0.8, 0.9, 0.2, 0.7, 0.2, 0.1];
  const truth = [1, 0, 0, 0, 1, 0, 1, 0, 0];
  const expected = ((0.5 + 1 / 3) + 1) / 2;
  assert.ok(Math.abs(meanAveragePrecision(scores, 3, 3, truth) - expected) < 1e-12);
});
