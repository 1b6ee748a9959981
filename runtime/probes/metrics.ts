// Probe metrics, as hear-eval-kit scores them (heareval/score.py, hear-eval-kit 8559649): every score takes
// the model's *activated* outputs (softmax for multiclass, sigmoid for multilabel: ScenePredictionModel logs
// `prediction`, not the logit) and multi-hot targets [n, classes].
//   top1_acc / pitch_acc  argmax(prediction) == argmax(target)                         (Top1Accuracy)
//   chroma_acc            the same modulo 12 (octave errors ignored)                    (ChromaAccuracy)
//   mAP                   sklearn average_precision_score(average="macro")              (MeanAveragePrecision)
//   aucroc                sklearn roc_auc_score(average="macro"); NaN when a class has   (AUCROC)
//                         only positives or only negatives (sklearn raises, the kit returns nan)
//   d_prime               mean over classes of √2·Φ⁻¹(AUC_c); NaN as for aucroc          (DPrime)
// Average precision follows current scikit-learn (≥ 1.1, what `scikit-learn>=0.24.2` in the kit's setup.py
// installs today): a class without positives has AP 0 and still counts in the macro mean.
import type { ProbeMetric } from '../../compiler/spec.ts';

/** Fraction of rows whose highest score is at the true class index (first index on ties, as np.argmax). */
export function top1(scores: Float32Array | number[], n: number, classes: number, truth: ArrayLike<number>, modulo = 0): number {
  if (n === 0) return NaN;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    let best = 0; let bestV = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = scores[i * classes + c];
      if (v > bestV) { bestV = v; best = c; }
    }
    if (modulo ? best % modulo === truth[i] % modulo : best === truth[i]) hit++;
  }
  return hit / n;
}

/**
 * Average precision of one ranking: Σ_k (R_k − R_{k−1}) · P_k over distinct score thresholds, descending
 * (sklearn.metrics.average_precision_score). `emptyAs` is returned when there is no positive (sklearn ≥ 1.1: 0).
 */
export function averagePrecision(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>, emptyAs = NaN): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let totalPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) totalPos++;
  if (totalPos === 0) return emptyAs;
  let ap = 0; let tp = 0; let seen = 0; let prevRecall = 0;
  for (let k = 0; k < n;) {
    const t = scores[order[k]];
    while (k < n && scores[order[k]] === t) { if (positive[order[k]]) tp++; seen++; k++; }
    const recall = tp / totalPos;
    ap += (recall - prevRecall) * (tp / seen);
    prevRecall = recall;
  }
  return ap;
}

/** Area under the ROC curve of one ranking (ties count one half, as sklearn's trapezoidal ROC); NaN unless both classes occur. */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  // Mann–Whitney U with mid-ranks for ties.
  let rankSum = 0;
  for (let k = 0; k < n;) {
    let e = k;
    while (e + 1 < n && scores[order[e + 1]] === scores[order[k]]) e++;
    const mid = (k + e) / 2 + 1;
    for (let j = k; j <= e; j++) if (positive[order[j]]) rankSum += mid;
    k = e + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function column(scores: ArrayLike<number>, n: number, classes: number, c: number, truth: ArrayLike<number>): { s: Float64Array; p: Uint8Array } {
  const s = new Float64Array(n); const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) { s[i] = scores[i * classes + c]; p[i] = truth[i * classes + c] > 0 ? 1 : 0; }
  return { s, p };
}

/** Macro mAP over every class (multi-hot truth rows [n, classes]); a class without positives counts as AP 0 (sklearn ≥ 1.1). */
export function meanAveragePrecision(scores: Float32Array | number[], n: number, classes: number, truth: ArrayLike<number>): number {
  if (n === 0 || classes === 0) return NaN;
  let sum = 0;
  for (let c = 0; c < classes; c++) { const { s, p } = column(scores, n, classes, c, truth); sum += averagePrecision(s, p, 0); }
  return sum / classes;
}

/** Per-class ROC AUC; null when some class lacks positives or negatives (sklearn raises ValueError, the kit returns nan). */
function aucs(scores: ArrayLike<number>, n: number, classes: number, truth: ArrayLike<number>): number[] | null {
  const out: number[] = [];
  for (let c = 0; c < classes; c++) {
    const { s, p } = column(scores, n, classes, c, truth);
    const a = rocAuc(s, p);
    if (Number.isNaN(a)) return null;
    out.push(a);
  }
  return out.length ? out : null;
}

export function macroAucRoc(scores: ArrayLike<number>, n: number, classes: number, truth: ArrayLike<number>): number {
  const a = aucs(scores, n, classes, truth);
  return a ? a.reduce((x, y) => x + y, 0) / a.length : NaN;
}

export function dPrime(scores: ArrayLike<number>, n: number, classes: number, truth: ArrayLike<number>): number {
  const a = aucs(scores, n, classes, truth);
  return a ? a.reduce((x, y) => x + Math.SQRT2 * normPpf(y), 0) / a.length : NaN;
}

/** Φ⁻¹(p), the standard normal quantile (Wichura 1988, AS241 PPND16: ~1e-16 relative accuracy), ±∞ at 0 and 1. */
export function normPpf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
      13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608) /
      (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
        5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1);
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let v: number;
  if (r <= 5) {
    r -= 1.6;
    v = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
      3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
        0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    v = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
      0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r + 6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
        0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -v : v;
}

/** The kit's metric names (task_metadata.json `evaluation`) → lssd's; event-level scores (sed_eval) are not scene metrics. */
export const KIT_METRICS: Record<string, ProbeMetric> = { top1_acc: 'top1', pitch_acc: 'top1', chroma_acc: 'chroma', mAP: 'mAP', aucroc: 'aucroc', d_prime: 'd_prime' };

/** Softmax (multiclass) or sigmoid (multilabel) of row-major logits, in float64 like the comparison needs. */
export function activate(logits: Float32Array, n: number, classes: number, prediction: 'multiclass' | 'multilabel'): Float64Array {
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    if (prediction === 'multilabel') { for (let c = 0; c < classes; c++) out[o + c] = 1 / (1 + Math.exp(-logits[o + c])); continue; }
    let m = -Infinity; for (let c = 0; c < classes; c++) m = Math.max(m, logits[o + c]);
    let z = 0; for (let c = 0; c < classes; c++) { out[o + c] = Math.exp(logits[o + c] - m); z += out[o + c]; }
    for (let c = 0; c < classes; c++) out[o + c] /= z;
  }
  return out;
}

/**
 * One metric of activated predictions. `y`: class index per row (multiclass) or multi-hot rows (multilabel).
 */
export function scoreMetric(metric: ProbeMetric, pred: ArrayLike<number>, n: number, classes: number, y: Float32Array | Int32Array,
  prediction: 'multiclass' | 'multilabel'): number {
  const multiHot = (): Float32Array => {
    if (prediction === 'multilabel') return y as Float32Array;
    const t = new Float32Array(n * classes); for (let i = 0; i < n; i++) t[i * classes + y[i]] = 1; return t;
  };
  const argmaxTruth = (): ArrayLike<number> => {
    if (prediction === 'multiclass') return y;
    // argmax of a multi-hot target row (the kit's Top1Accuracy on multilabel data): its first positive.
    return Int32Array.from({ length: n }, (_, i) => { for (let c = 0; c < classes; c++) if (y[i * classes + c] > 0) return c; return 0; });
  };
  switch (metric) {
    case 'top1': return top1(pred as Float32Array, n, classes, argmaxTruth());
    case 'chroma': return top1(pred as Float32Array, n, classes, argmaxTruth(), 12);
    case 'mAP': return meanAveragePrecision(pred as Float32Array, n, classes, multiHot());
    case 'aucroc': return macroAucRoc(pred, n, classes, multiHot());
    case 'd_prime': return dPrime(pred, n, classes, multiHot());
  }
}
