// Principal components by power iteration with deflation on the centred data (plain JS: the embedding
// plot needs two components of a few hundred points, far below anything worth a tensor library).

/** Projects rows of x [n, dim] onto their first `k` principal components → [n, k]. Deterministic. */
export function pca(x: Float32Array, n: number, dim: number, k = 2, iterations = 100): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += x[i * dim + d] / n;
  const c = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) c[i * dim + d] = x[i * dim + d] - mean[d];
  const comps: Float64Array[] = [];
  const out = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    // Deterministic start that is not orthogonal to typical data: a fixed, slowly varying vector.
    let v = Float64Array.from({ length: dim }, (_, d) => 1 + ((d * 7919 + j * 104729) % 97) / 97);
    for (let it = 0; it < iterations; it++) {
      // w = Cᵀ(C v), then remove earlier components (deflation) and normalise.
      const cv = new Float64Array(n);
      for (let i = 0; i < n; i++) { let s = 0; for (let d = 0; d < dim; d++) s += c[i * dim + d] * v[d]; cv[i] = s; }
      const w = new Float64Array(dim);
      for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) w[d] += c[i * dim + d] * cv[i];
      for (const p of comps) { let dot = 0; for (let d = 0; d < dim; d++) dot += w[d] * p[d]; for (let d = 0; d < dim; d++) w[d] -= dot * p[d]; }
      let norm = 0; for (let d = 0; d < dim; d++) norm += w[d] * w[d];
      norm = Math.sqrt(norm);
      if (norm < 1e-12) break; // data has fewer than k directions of variance
      v = w.map((z) => z / norm);
    }
    // Sign convention: the largest-magnitude loading is positive, so plots do not flip between runs.
    let big = 0; for (let d = 0; d < dim; d++) if (Math.abs(v[d]) > Math.abs(v[big])) big = d;
    if (v[big] < 0) v = v.map((z) => -z);
    comps.push(v);
    for (let i = 0; i < n; i++) { let s = 0; for (let d = 0; d < dim; d++) s += c[i * dim + d] * v[d]; out[i * k + j] = s; }
  }
  return out;
}
