/**
 * Choosing the tensors to expose in a pre-LN decoder (GPT-2 and its kin as torch.onnx / optimum export
 * them): each block's attention probabilities, the residual stream between blocks, and the final layer
 * norm, found by the shape of the graph (node names differ between exporters; the structure does not).
 *
 * A pre-LN block reads the residual stream x through ln_1 (attention) and ln_2 (MLP) and adds to it; the
 * model ends with ln_f. So the layer norms, in graph order, are ln_1, ln_2 of every block and then ln_f
 * (2L + 1), and the tensor each ln_1 reads is the residual stream entering its block: the embeddings
 * (wte + wpe) for block 0, block i − 1's output otherwise. ln_f reads the last block's output.
 */
import type { OnnxGraphSummary, OnnxNodeSummary } from './scan';
import { graphIndex, MATMUL_OPS, SCORE_PATH_OPS } from './targets';

/** Ops whose output is a layer norm; below opset 17 the norm is decomposed (see layerNorms). */
const FUSED_LAYER_NORM_OPS = new Set(['LayerNormalization', 'SimplifiedLayerNormalization']);
/** Fused attention: no Softmax is left to expose (onnxruntime's transformer optimizer writes these). */
export const FUSED_ATTENTION_OPS = new Set(['Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'PackedAttention']);
export interface DecoderTargets {
  /** One Softmax output per block, in block order; [] when the export fuses attention. */
  attentions: string[];
  /**
   * The hidden states as Hugging Face's `output_hidden_states` defines them for GPT-2: the embeddings
   * (wte + wpe), each block's output for blocks 0 … L − 2, and, last, the final layer norm's OUTPUT
   * (HF's GPT2Model applies ln_f before appending the last hidden state). Length L + 1.
   */
  hiddenStates: string[];
  /** The last block's output, ln_f's input: where the logit lens's copy of ln_f + lm_head reads layer L. */
  lastResidual: string;
  /** Blocks found (from the layer norms, so also when attention is fused). */
  numLayers: number;
}

interface LayerNorm {
  input: string;
  output: string;
}

/**
 * The layer norms in graph order with the tensor each normalizes: a LayerNormalization node, or the
 * decomposed form torch writes below opset 17, (x − mean) / sqrt(var + eps) · weight + bias, read from
 * its Sqrt: Sub(x, ReduceMean(x)) feeds the Div, the Div feeds the Mul and the Add that is its result.
 */
function layerNorms(nodes: OnnxNodeSummary[]): LayerNorm[] {
  const { producer, consumersOf } = graphIndex({ nodes, initializerNames: new Set() });
  const out: LayerNorm[] = [];
  for (const n of nodes) {
    if (FUSED_LAYER_NORM_OPS.has(n.opType)) {
      out.push({ input: n.inputs[0], output: n.outputs[0] });
    } else if (n.opType === 'Sqrt') {
      const div = consumersOf(n.outputs[0]).find((c) => c.opType === 'Div');
      const mul = consumersOf(div?.outputs[0]).find((c) => c.opType === 'Mul');
      const add = consumersOf(mul?.outputs[0]).find((c) => c.opType === 'Add');
      const sub = div ? producer.get(div.inputs[0]) : undefined;
      if (add && sub?.opType === 'Sub') out.push({ input: sub.inputs[0], output: add.outputs[0] });
    }
  }
  return out;
}

/**
 * Attention probabilities: a Softmax fed (through scale and mask steps) by a MatMul of two activations
 * (Q·Kᵀ) and feeding a MatMul (·V). Unlike the encoder search (targets.ts), every activation input of a
 * step is followed: the causal mask is a Where whose first input is the mask, not the scores.
 */
function attentionSoftmaxes(graph: Pick<OnnxGraphSummary, 'nodes' | 'initializerNames'>): string[] {
  const { producer, isActivation, reachesMatMul } = graphIndex(graph);
  const fedByQK = (tensor: string, hops: number): boolean => {
    const node = producer.get(tensor);
    if (!node || hops < 0) return false;
    if (MATMUL_OPS.has(node.opType)) {
      const operands = node.opType === 'QLinearMatMul' ? [node.inputs[0], node.inputs[3]] : node.inputs.slice(0, 2);
      return operands.every(isActivation);
    }
    if (!SCORE_PATH_OPS.has(node.opType)) return false;
    return node.inputs.filter(isActivation).some((t) => fedByQK(t, hops - 1));
  };
  return graph.nodes.filter((n) => n.opType === 'Softmax' && fedByQK(n.inputs[0], 6) && reachesMatMul(n.outputs[0], 3)).map((n) => n.outputs[0]);
}

/** The decoder's targets, or undefined when the graph is not a pre-LN decoder this search understands. */
export function findDecoderTargets(graph: Pick<OnnxGraphSummary, 'nodes' | 'initializerNames'>): DecoderTargets | undefined {
  // A graph we edited before holds a copy of ln_f (the logit lens): only the model's own nodes count.
  const own = { nodes: graph.nodes.filter((n) => !n.name.startsWith('context_lens/')), initializerNames: graph.initializerNames };
  return findIn(own);
}

function findIn(graph: Pick<OnnxGraphSummary, 'nodes' | 'initializerNames'>): DecoderTargets | undefined {
  const norms = layerNorms(graph.nodes);
  if (norms.length < 3 || norms.length % 2 === 0) return undefined;
  const numLayers = (norms.length - 1) / 2;
  const fused = graph.nodes.filter((n) => FUSED_ATTENTION_OPS.has(n.opType)).length;
  const attentions = fused ? [] : attentionSoftmaxes(graph);
  if (fused ? fused !== numLayers : attentions.length !== numLayers) return undefined;
  const blockInputs = Array.from({ length: numLayers }, (_, i) => norms[2 * i].input);
  // Each block's ln_2 reads the stream after its attention, not the block's input: a model that is not
  // pre-LN (post-LN GPT-1, say) has no such pairing.
  if (blockInputs.some((t, i) => t === norms[2 * i + 1].input) || new Set(blockInputs).size !== numLayers) return undefined;
  const lnF = norms[2 * numLayers];
  return { attentions, hiddenStates: [...blockInputs, lnF.output], lastResidual: lnF.input, numLayers };
}
