/**
 * Attention over heads and layers: the mean over heads of one layer, the mean over layers of those means,
 * and attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): per layer
 * Â = ½·mean_heads(A) + ½·I (the residual connection), rows renormalised to sum to 1, then Â_L ··· Â_1 —
 * row i says how much of position i's final representation flows from each input position.
 * The L − 1 products of n × n matrices (512³ multiply-adds each at bert-base length) run in onnxruntime's
 * MatMul through transformers.js's public `matmul`, on whichever runtime the engine loaded; JavaScript loops
 * would take seconds.
 */
import { throwIfAborted } from '../errors';
import { loadRuntime } from '../modelRuntime';

/** `attentions[l]`: [heads][n][n] row-major. Returns the n × n mean over heads (float64 sums). */
export function meanOverHeads(layer: Float32Array, numHeads: number, n: number): Float32Array {
  const nn = n * n;
  const acc = new Float64Array(nn);
  for (let h = 0; h < numHeads; h++) {
    const base = h * nn;
    for (let k = 0; k < nn; k++) acc[k] += layer[base + k];
  }
  const out = new Float32Array(nn);
  for (let k = 0; k < nn; k++) out[k] = acc[k] / numHeads;
  return out;
}

/** The mean over layers of each layer's mean over heads. */
export function meanOverLayers(attentions: readonly Float32Array[], numHeads: number, n: number): Float32Array {
  const nn = n * n;
  const acc = new Float64Array(nn);
  for (const layer of attentions) {
    for (let h = 0; h < numHeads; h++) {
      const base = h * nn;
      for (let k = 0; k < nn; k++) acc[k] += layer[base + k];
    }
  }
  const count = attentions.length * numHeads;
  const out = new Float32Array(nn);
  for (let k = 0; k < nn; k++) out[k] = acc[k] / count;
  return out;
}

/** ½·mean_heads(A) + ½·I with every row divided by its sum. */
export function residualAttention(layer: Float32Array, numHeads: number, n: number): Float32Array {
  const mean = meanOverHeads(layer, numHeads, n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const v = 0.5 * mean[i * n + j] + (i === j ? 0.5 : 0);
      mean[i * n + j] = v;
      sum += v;
    }
    for (let j = 0; j < n; j++) mean[i * n + j] /= sum;
  }
  return mean;
}

/** a · b for n × n row-major matrices, in onnxruntime. */
async function matmulSquare(a: Float32Array, b: Float32Array, n: number): Promise<Float32Array> {
  const { Tensor, matmul } = loadRuntime('auto').transformers;
  const product = await matmul(new Tensor('float32', a, [n, n]), new Tensor('float32', b, [n, n]));
  try {
    return Float32Array.from(product.data as Float32Array);
  } finally {
    product.dispose();
  }
}

/** Â_L ··· Â_1 over the layers in order (attentions[0] = the first encoder layer's). */
export async function attentionRollout(attentions: readonly Float32Array[], numHeads: number, n: number, signal?: AbortSignal): Promise<Float32Array> {
  let rolled = residualAttention(attentions[0], numHeads, n);
  for (let l = 1; l < attentions.length; l++) {
    throwIfAborted(signal);
    rolled = await matmulSquare(residualAttention(attentions[l], numHeads, n), rolled, n);
  }
  return rolled;
}
