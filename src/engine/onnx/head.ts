/** The masked-LM head: found after the encoder's last hidden state, so that it can compute logits only where asked. */
import type { OnnxGraphSummary, OnnxNodeSummary } from './scan';

/**
 * Graph input of an edited model: int64 [K], positions in the flattened [batch × seq] input whose logits
 * are computed; `logits` is then [K, vocab]. The vocabulary projection is 16–23 % of a bert-base forward
 * and onnxruntime runs every node whatever is fetched, so without this the analysis forward (which needs
 * no logits) and each masked guess (which needs one row) would pay for every position's logits.
 */
export const MASKED_POSITIONS_INPUT = 'context_lens_masked_positions';
/** The hidden state gathered at MASKED_POSITIONS_INPUT, which the head's readers take instead of the whole sequence. */
export const HIDDEN_AT_POSITIONS = 'context_lens/head/hidden_at_positions';

/**
 * Graph input of an edited model: int64 [J], positions in the flattened [batch × seq] input at which a copy
 * of the head reads every hidden state (0 = the embeddings … L); LAYER_LOGITS_OUTPUT is then
 * [(L + 1) × J, vocab], row `layer × J + j`. Its own input, not MASKED_POSITIONS_INPUT, because every node
 * runs whatever is fetched: fed empty (forward.ts does), the copy costs nothing in the forwards that do not
 * want it. (A default value, an initializer of the same name, would spare callers the feed, but
 * onnxruntime-node passes only the session's `inputNames` through, so such an input could not be fed.)
 */
export const LAYER_POSITIONS_INPUT = 'context_lens_layer_positions';
export const LAYER_LOGITS_OUTPUT = 'context_lens_layer_logits';
/**
 * Softmax of the narrowed head's `logits` ([K, vocab]), computed by onnxruntime: its vectorised
 * exponentials take a fraction of the time of one Math.exp per vocabulary entry in JavaScript, which for
 * the unmasked predictions of a long text (every position's row) cost half a forward.
 */
export const PROBABILITIES_OUTPUT = 'context_lens_probabilities';
/**
 * A decoder's next-token rows read in the graph (onnxruntime's vectorised passes instead of JavaScript's
 * over [K, vocab] probabilities, which for every position of a long text were a tenth of the forward, and
 * no [K, vocab] output to copy out): TopK of PROBABILITIES_OUTPUT (k fed at NEXT_TOP_K_INPUT) as
 * NEXT_TOP_PROBABILITIES_OUTPUT and NEXT_TOP_IDS_OUTPUT [K, k]; for the id fed per row at NEXT_IDS_INPUT
 * ([K, 1]: the token that follows), its probability NEXT_ID_PROBABILITIES_OUTPUT [K, 1] and how many ids
 * are more probable, NEXT_ID_ABOVE_OUTPUT [K] (its rank − 1).
 */
export const NEXT_TOP_K_INPUT = 'context_lens_next_top_k';
export const NEXT_IDS_INPUT = 'context_lens_next_ids';
export const NEXT_TOP_PROBABILITIES_OUTPUT = 'context_lens_next_top_probabilities';
export const NEXT_TOP_IDS_OUTPUT = 'context_lens_next_top_ids';
export const NEXT_ID_PROBABILITIES_OUTPUT = 'context_lens_next_id_probabilities';
export const NEXT_ID_ABOVE_OUTPUT = 'context_lens_next_id_above';
/** The hidden states of every layer gathered at LAYER_POSITIONS_INPUT, stacked layer after layer: the copy's input. */
export const LAYER_HIDDEN_AT_POSITIONS = 'context_lens/layer_head/hidden_at_positions';

export interface MaskedLmHead {
  /** Indices (in graph.nodes) of the nodes that read the last hidden state. */
  readers: Set<number>;
  /** The graph output the head produces (`logits`). */
  output: string;
  /** Indices (in graph.nodes) of every node of the head, in graph order (the copy for LAYER_LOGITS_OUTPUT repeats them). */
  nodes: number[];
  /** The tensors the head's nodes produce. */
  tensors: Set<string>;
}

/**
 * The nodes downstream of the encoder's last hidden state, when they form a per-position head: one graph
 * output, and no input other than the hidden state, their own results, initializers and constants.
 * Anything else (a pooler, a second output) leaves the graph as it is.
 */
export function findMaskedLmHead(graph: OnnxGraphSummary, lastHidden: string): MaskedLmHead | undefined {
  const inHead = new Set<string>([lastHidden]);
  const readers = new Set<number>();
  // Tensors that depend on no graph input: Constant nodes, and nodes fed only by initializers and constants
  // (torch's exporter turns initializers that hold equal values into Identity nodes of one of them).
  const constants = new Set<string>();
  for (const n of graph.nodes) {
    const isConstant = n.opType === 'Constant' || (n.inputs.length > 0 && n.inputs.every((x) => x === '' || graph.initializerNames.has(x) || constants.has(x)));
    if (isConstant) for (const o of n.outputs) constants.add(o);
  }
  const headNodes: OnnxNodeSummary[] = [];
  const nodes: number[] = [];
  // Exported graphs list nodes in topological order: one pass collects the downstream closure.
  graph.nodes.forEach((n, i) => {
    if (!n.inputs.some((x) => inHead.has(x))) return;
    if (n.inputs.includes(lastHidden)) readers.add(i);
    headNodes.push(n);
    nodes.push(i);
    for (const o of n.outputs) inHead.add(o);
  });
  const outputs = graph.outputNames.filter((o) => inHead.has(o) && o !== lastHidden);
  if (outputs.length !== 1 || readers.size === 0) return undefined;
  const external = headNodes.flatMap((n) => n.inputs).filter((x) => x !== '' && !inHead.has(x) && !graph.initializerNames.has(x) && !constants.has(x));
  if (external.length) return undefined;
  const tensors = new Set(headNodes.flatMap((n) => n.outputs));
  return { readers, output: outputs[0], nodes, tensors };
}
