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

test('mAP is the macro mean over every class; a class without positives has AP 0 (scikit-learn ≥ 1.1, as the kit installs it)', () => {
  // class 0: scores .9 .8 .7, truth 1 0 1 → 0.5·1 + 0.5·2/3 ; class 1: .1 .9 .2, truth 0 1 0 → 1 ; class 2: no positives → 0
  const scores = [0.9, 0.1, 0.3, 0.8, 0.9, 0.2, 0.7, 0.2, 0.1];
  const truth = [1, 0, 0, 0, 1, 0, 1, 0, 0];
  const expected = ((0.5 + 1 / 3) + 1 + 0) / 3;
  assert.ok(Math.abs(meanAveragePrecision(scores, 3, 3, truth) - expected) < 1e-12);
});

test('ROC AUC, aucroc and d-prime as sklearn / scipy compute them', async () => {
  const { rocAuc, macroAucRoc, dPrime, normPpf, scoreMetric } = await import('../../runtime/probes/metrics.ts');
  // sklearn's documented example: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  assert.equal(rocAuc([0.5, 0.5, 0.5], [0, 1, 0]), 0.5, 'ties count one half');
  // scipy.stats.norm.ppf(0.975) = 1.959963984540054, ppf(0.1) = -1.2815515655446004, ppf(0.5) = 0
  assert.ok(Math.abs(normPpf(0.975) - 1.959963984540054) < 1e-14);
  assert.ok(Math.abs(normPpf(0.1) + 1.2815515655446004) < 1e-14);
  assert.ok(Math.abs(normPpf(1e-10) + 6.361340902404056) < 1e-12);
  assert.equal(normPpf(0.5), 0);
  // two classes, each column AUC 0.75 → aucroc 0.75, d' = √2·Φ⁻¹(0.75)
  const truth = [0, 1, 0, 1, 1, 0, 1, 0];
  const scores = [0.1, 0.9, 0.4, 0.6, 0.35, 0.65, 0.8, 0.2];
  assert.equal(macroAucRoc(scores, 4, 2, truth), 0.75);
  assert.ok(Math.abs(dPrime(scores, 4, 2, truth) - Math.SQRT2 * normPpf(0.75)) < 1e-12);
  // class 1 ranked perfectly: AUC 1 → aucroc 0.875, d' = ∞ (scipy's ppf(1) = inf)
  const perfect = [0.1, 0.9, 0.4, 0.8, 0.35, 0.3, 0.8, 0.2];
  assert.equal(macroAucRoc(perfect, 4, 2, truth), 0.875);
  assert.equal(dPrime(perfect, 4, 2, truth), Infinity);
  // a class absent from the split: sklearn raises, the kit returns NaN
  assert.ok(Number.isNaN(macroAucRoc([0.2, 0.8, 0.3, 0.7], 2, 2, [1, 0, 1, 0])));
  // multiclass metrics take class indices; top-1 of softmax outputs
  assert.equal(scoreMetric('top1', [0.2, 0.8, 0.9, 0.1], 2, 2, Int32Array.from([1, 1]), 'multiclass'), 0.5);
  assert.equal(scoreMetric('chroma', Float32Array.from([...Array(13)].map((_, i) => (i === 12 ? 1 : 0))), 1, 13, Int32Array.from([0]), 'multiclass'), 1);
});
