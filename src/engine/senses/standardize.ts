/**
 * Standardized dimensions (Timkey & van Schijndel 2021, "All Bark and No Bite: Rogue Dimensions in
 * Transformer Language Models Obscure Representational Quality"): in BERT-like models a few dimensions
 * have means and variances far larger than the rest and dominate every cosine, so that all vectors look
 * alike. Z-scoring each dimension over the vectors being compared gives every dimension an equal say.
 */

/**
 * A new n×dim matrix with every column z-scored over the n rows: mean 0, population standard deviation 1
 * (divided by n, as NumPy's default and the paper's). A column with no spread (std 0, or n < 2) carries no
 * information about how the rows differ and becomes all zeros, never NaN. Sums run in float64.
 */
export function standardizeColumns(rows: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  if (n < 2) return out;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let j = 0; j < dim; j++) mean[j] += rows[o + j];
  }
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const variance = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let j = 0; j < dim; j++) {
      const d = rows[o + j] - mean[j];
      variance[j] += d * d;
    }
  }
  const scale = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    const std = Math.sqrt(variance[j] / n);
    // Relative test: float32 columns of one repeated value leave a variance of rounding noise only.
    scale[j] = std > 1e-12 * Math.max(1, Math.abs(mean[j])) ? 1 / std : 0;
  }
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let j = 0; j < dim; j++) out[o + j] = scale[j] === 0 ? 0 : (rows[o + j] - mean[j]) * scale[j];
  }
  return out;
}
