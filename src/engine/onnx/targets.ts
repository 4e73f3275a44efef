/**
 * Choosing the tensors to expose: each layer's attention probabilities and the hidden states (the
 * embeddings' output, then each layer's), found by the names torch.onnx gives HF modules or, failing
 * that, by the shape of the graph around them.
 */
import { ContextLensError } from '../errors';
import type { OnnxGraphSummary, OnnxNodeSummary } from './scan';

export interface ExposeTargets {
  /** Tensor names of the attention probabilities, one per layer in layer order. */
  attentions: string[];
  /** Tensor names of the hidden states: embeddings output, then each layer's output (length L + 1). */
  hiddenStates: string[];
  /** How they were found. */
  method: 'names' | 'structure';
}

/**
 * Ops whose output is a LayerNorm result. Below opset 17 LayerNorm is decomposed and its last op is the
 * bias Add. Dynamic quantization puts a `<tensor>_QuantizeLinear` node in the same name scope; it must not
 * be picked (its output is uint8), hence a closed list of ops rather than "last node in the scope".
 */
const LAYER_NORM_OPS = new Set(['LayerNormalization', 'SkipLayerNormalization', 'SimplifiedLayerNormalization']);
const isLayerNormResult = (n: OnnxNodeSummary): boolean => LAYER_NORM_OPS.has(n.opType) || n.opType === 'Add';

const ATTENTION_SCOPE = /(?:^|\/)layer\.(\d+)\/attention\//;
const LAYER_OUTPUT_LN_SCOPE = /(?:^|\/)layer\.(\d+)\/(?:output\/LayerNorm|output_layer_norm)\//;
const EMBEDDINGS_LN_SCOPE = /(?:^|\/)embeddings\/LayerNorm\//;

/** The LayerNorm result of a scope: a LayerNormalization-family op if present, else the last Add. */
function layerNormOutputOf(scopeNodes: OnnxNodeSummary[]): string | undefined {
  const fused = scopeNodes.filter((n) => LAYER_NORM_OPS.has(n.opType));
  const pick = fused.length ? fused[fused.length - 1] : scopeNodes.filter(isLayerNormResult).pop();
  return pick?.outputs[0];
}

/** Index-ordered list 0..n-1 from a sparse map, or undefined when a layer is missing. */
function contiguous(byLayer: Map<number, string>): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < byLayer.size; i++) {
    const t = byLayer.get(i);
    if (t === undefined) return undefined;
    out.push(t);
  }
  return out;
}

/** Matching by the node names torch.onnx gives HF BERT-family modules (`/bert/encoder/layer.3/attention/self/Softmax`). */
export function findTargetsByName(nodes: OnnxNodeSummary[]): ExposeTargets | undefined {
  const softmaxByLayer = new Map<number, string>();
  const layerOutputNodes = new Map<number, OnnxNodeSummary[]>();
  const embeddingNodes: OnnxNodeSummary[] = [];
  for (const n of nodes) {
    const attention = ATTENTION_SCOPE.exec(n.name);
    if (attention && n.opType === 'Softmax') {
      const layer = Number(attention[1]);
      if (softmaxByLayer.has(layer)) return undefined; // two Softmax in one layer: not the layout we know
      softmaxByLayer.set(layer, n.outputs[0]);
    }
    const ln = LAYER_OUTPUT_LN_SCOPE.exec(n.name);
    if (ln) {
      const layer = Number(ln[1]);
      if (!layerOutputNodes.has(layer)) layerOutputNodes.set(layer, []);
      layerOutputNodes.get(layer)!.push(n);
    }
    if (EMBEDDINGS_LN_SCOPE.test(n.name)) embeddingNodes.push(n);
  }
  const attentions = contiguous(softmaxByLayer);
  if (!attentions?.length) return undefined;
  const layerOutputs = new Map<number, string>();
  for (const [layer, scope] of layerOutputNodes) {
    const t = layerNormOutputOf(scope);
    if (t) layerOutputs.set(layer, t);
  }
  const embeddings = layerNormOutputOf(embeddingNodes);
  const perLayer = contiguous(layerOutputs);
  if (!embeddings || !perLayer || perLayer.length !== attentions.length) return undefined;
  return { attentions, hiddenStates: [embeddings, ...perLayer], method: 'names' };
}

export const MATMUL_OPS = new Set(['MatMul', 'MatMulInteger', 'QLinearMatMul']);
/** Elementwise steps between Q·Kᵀ and Softmax (scale, mask) or between Softmax and ·V (quantize, cast). */
export const SCORE_PATH_OPS = new Set(['Add', 'Div', 'Mul', 'Sub', 'Where', 'Cast']);
const PROBS_PATH_OPS = new Set(['Cast', 'DynamicQuantizeLinear', 'QuantizeLinear', 'Dropout']);

/**
 * Name-independent matching for exports with other names (renamed graphs, other BERT-like architectures).
 * Attention: a Softmax fed (through scale/mask steps) by a MatMul of two activations (Q·Kᵀ) and feeding a
 * MatMul (·V). Hidden states, for post-LN encoders where each layer has two LayerNorms (after attention,
 * after the feed-forward): the embeddings LN and every second LN after it.
 */
/** Who makes and who reads each tensor of a node list, and whether a tensor is an activation (computed from the inputs). */
export function graphIndex(graph: Pick<OnnxGraphSummary, 'nodes' | 'initializerNames'>) {
  const producer = new Map<string, OnnxNodeSummary>();
  const consumers = new Map<string, OnnxNodeSummary[]>();
  for (const n of graph.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) {
      if (!consumers.has(i)) consumers.set(i, []);
      consumers.get(i)!.push(n);
    }
  }
  const isActivation = (t: string | undefined): boolean =>
    !!t && !graph.initializerNames.has(t) && producer.has(t) && producer.get(t)!.opType !== 'Constant';
  const consumersOf = (t: string | undefined): OnnxNodeSummary[] => (t ? (consumers.get(t) ?? []) : []);
  /** Whether `start` feeds a MatMul (·V) within `hops` steps of casts and quantization. */
  const reachesMatMul = (start: string, hops: number): boolean => {
    let frontier = [start];
    for (let h = 0; h <= hops && frontier.length; h++) {
      const next: string[] = [];
      for (const t of frontier) {
        for (const c of consumersOf(t)) {
          if (MATMUL_OPS.has(c.opType)) return true;
          if (PROBS_PATH_OPS.has(c.opType)) next.push(...c.outputs);
        }
      }
      frontier = next;
    }
    return false;
  };
  return { producer, consumersOf, isActivation, reachesMatMul };
}

export function findTargetsByStructure(graph: Pick<OnnxGraphSummary, 'nodes' | 'initializerNames'>): ExposeTargets | undefined {
  const { nodes } = graph;
  const { producer, consumersOf, isActivation, reachesMatMul } = graphIndex(graph);
  const fedByQK = (start: string | undefined, hops: number): boolean => {
    let current = start ? producer.get(start) : undefined;
    for (let h = 0; current && h <= hops; h++) {
      if (MATMUL_OPS.has(current.opType)) {
        const operands = current.opType === 'QLinearMatMul' ? [current.inputs[0], current.inputs[3]] : current.inputs.slice(0, 2);
        return operands.every(isActivation);
      }
      if (!SCORE_PATH_OPS.has(current.opType)) return false;
      const next: string | undefined = current.inputs.find(isActivation);
      current = next ? producer.get(next) : undefined;
    }
    return false;
  };

  const attentions = nodes
    .filter((n) => n.opType === 'Softmax' && fedByQK(n.inputs[0], 6) && reachesMatMul(n.outputs[0], 3))
    .map((n) => n.outputs[0]);
  if (!attentions.length) return undefined;

  const layerNorms: string[] = [];
  for (const n of nodes) {
    if (LAYER_NORM_OPS.has(n.opType)) {
      layerNorms.push(n.outputs[0]);
    } else if (n.opType === 'Sqrt') {
      // Decomposed LayerNorm: (x - mean) / sqrt(var + eps) * weight + bias
      const div = consumersOf(n.outputs[0]).find((c) => c.opType === 'Div');
      const mul = consumersOf(div?.outputs[0]).find((c) => c.opType === 'Mul');
      const add = consumersOf(mul?.outputs[0]).find((c) => c.opType === 'Add');
      if (add) layerNorms.push(add.outputs[0]);
    }
  }
  const L = attentions.length;
  if (layerNorms.length < 2 * L + 1) return undefined;
  const hiddenStates = Array.from({ length: L + 1 }, (_, i) => layerNorms[2 * i]);
  return { attentions, hiddenStates, method: 'structure' };
}

/** Why no targets were found, in words a user can act on: fused attention, or not a BERT-style encoder. */
export function noTargetsError(graph: OnnxGraphSummary): ContextLensError {
  const ops = new Set(graph.nodes.map((n) => n.opType));
  const fused = ['Attention', 'MultiHeadAttention', 'PackedAttention'].some((op) => ops.has(op));
  return new ContextLensError(
    'NOT_A_MASKED_LM',
    fused
      ? 'This model was exported with fused attention, so its attention weights cannot be read. Use an unoptimized ONNX export (as published by Xenova/… or onnx-community/… on the Hub).'
      : ops.has('Softmax')
        ? 'Context Lens could not find the attention and layer outputs of this model. It needs a BERT-style encoder (BERT, RoBERTa, DistilBERT, ELECTRA, …) exported to ONNX.'
        : 'This model has no attention layers that Context Lens can read. It needs a BERT-style encoder (BERT, RoBERTa, DistilBERT, ELECTRA, …) exported to ONNX.',
    `opset ${graph.opset}, ${graph.nodes.length} nodes`,
  );
}
