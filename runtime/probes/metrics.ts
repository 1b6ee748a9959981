// Probe metrics, as HEAR computes them: top-1 accuracy (multiclass) and mean average precision
// (multilabel; macro over classes, average precision as scikit-learn defines it, ties handled by
// treating equal scores as one threshold). Scores are row-major [n, classes].

/** Fraction of rows whose highest score is at the true class index. */
export function top1(scores: Float32Array | number[], n: number, classes: number, truth: ArrayLike<number>): number {
  if (n === 0) return NaN;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    let best = 0; let bestV = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = scores[i * classes + c];
      if (v > bestV) { bestV = v; best = c; }
    }
    if (best === truth[i]) hit++;
  }
  return hit / n;
}

/**
 * Average precision of one ranking: Σ_k (R_k − R_{k−1}) · P_k over distinct score thresholds, descending
 * (sklearn.metrics.average_precision_score). NaN when there is no positive.
 */
export function averagePrecision(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let totalPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) totalPos++;
  if (totalPos === 0) return NaN;
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

/** Macro mAP over classes that have at least one positive in `truth` (multi-hot rows, [n, classes]). */
export function meanAveragePrecision(scores: Float32Array | number[], n: number, classes: number, truth: ArrayLike<number>): number {
  let sum = 0; let count = 0;
  const col = new Float64Array(n); const pos = new Uint8Array(n);
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < n; i++) { col[i] = scores[i * classes + c]; pos[i] = truth[i * classes + c] > 0 ? 1 : 0; }
    const ap = averagePrecision(col, pos);
    if (!Number.isNaN(ap)) { sum += ap; count++; }
  }
  return count === 0 ? NaN : sum / count;
}
