/** The edit as a whole: scan, choose the tensors, then rewrite the graph (or append to it). */
import { ContextLensError } from '../errors';
import { findDecoderTargets } from './decoderTargets';
import { findMaskedLmHead, LAYER_POSITIONS_INPUT, MASKED_POSITIONS_INPUT } from './head';
import type { Exposure } from './graphFields';
import { withAppendedExposures, withNarrowHead } from './rewrite';
import { corruptModelError, summarizeOnnxModel, type OnnxGraphSummary } from './scan';
import { findTargetsByName, findTargetsByStructure, noTargetsError } from './targets';

export const attentionOutputName = (layer: number): string => `attentions.${layer}`;
export const hiddenStateOutputName = (index: number): string => `hidden_states.${index}`;

export interface ExposedModel {
  /**
   * The edited model: re-encoded with the exposed tensors renamed in place and the head narrowed, or, for a
   * head we do not recognise, the original bytes followed by an appended graph fragment. The input itself
   * when it was edited before.
   */
  bytes: Uint8Array;
  /** `attentions.0` … `attentions.{L-1}`: [batch, heads, seq, seq] float32. */
  attentionOutputs: string[];
  /** `hidden_states.0` (embeddings) … `hidden_states.L`: [batch, seq, hidden] float32. */
  hiddenStateOutputs: string[];
  opset: number;
  /** MASKED_POSITIONS_INPUT when `logits` is computed only at the positions fed there; undefined when the head could not be narrowed. */
  maskedPositionsInput?: string;
  /** LAYER_POSITIONS_INPUT when LAYER_LOGITS_OUTPUT gives the head's logits at every hidden layer; undefined with the head. */
  layerPositionsInput?: string;
}

/** The exposures a graph gets, or the result itself when the graph was edited before. */
type ExposurePlan = { done: ExposedModel } | { exposed: Exposure[]; attentionOutputs: string[]; hiddenStateOutputs: string[] };

/**
 * Names the targets' tensors `attentions.<layer>` and `hidden_states.<i>`. A graph whose outputs already
 * are those names was edited by us before (`done`: returned unchanged). Throws CORRUPT_MODEL when the graph
 * has some of these names already.
 */
function planExposures(bytes: Uint8Array, graph: OnnxGraphSummary, targets: { attentions: string[]; hiddenStates: string[] }, what: string): ExposurePlan {
  const exposed = [
    ...targets.attentions.map((source, layer) => ({ source, alias: attentionOutputName(layer) })),
    ...targets.hiddenStates.map((source, i) => ({ source, alias: hiddenStateOutputName(i) })),
  ];
  const attentionOutputs = exposed.slice(0, targets.attentions.length).map((e) => e.alias);
  const hiddenStateOutputs = exposed.slice(targets.attentions.length).map((e) => e.alias);

  const existing = new Set(graph.outputNames);
  const narrowed = graph.inputNames.includes(MASKED_POSITIONS_INPUT) ? MASKED_POSITIONS_INPUT : undefined;
  const layered = graph.inputNames.includes(LAYER_POSITIONS_INPUT) ? LAYER_POSITIONS_INPUT : undefined;
  if (exposed.every((e) => existing.has(e.alias))) {
    return { done: { bytes, attentionOutputs, hiddenStateOutputs, opset: graph.opset, maskedPositionsInput: narrowed, layerPositionsInput: layered } };
  }
  // Our edit makes every alias a graph output (checked just above), whether it renamed the tensor in place
  // or copied it with an Identity node; a partial set means a foreign graph that happens to use these
  // names, and adding a second producer would make it invalid.
  const producedNames = new Set(graph.nodes.flatMap((n) => n.outputs));
  const clash = exposed.find((e) => producedNames.has(e.alias) || existing.has(e.alias));
  if (clash) throw corruptModelError(what, `the graph already has a tensor named ${clash.alias}`);
  return { exposed, attentionOutputs, hiddenStateOutputs };
}

/**
 * Adds graph outputs `attentions.<layer>` and `hidden_states.<i>` to an ONNX BERT-family model.
 * A model that already has them (edited before) is returned unchanged.
 * @param what how to name the file in error messages
 */
export function exposeAttentionsAndHiddenStates(bytes: Uint8Array, what = 'you chose'): ExposedModel {
  const graph = summarizeOnnxModel(bytes, what);
  if (graph.nodes.length === 0) throw corruptModelError(what, 'the graph has no nodes');

  const targets = findTargetsByName(graph.nodes) ?? findTargetsByStructure(graph);
  if (!targets) throw noTargetsError(graph);
  const plan = planExposures(bytes, graph, targets, what);
  if ('done' in plan) return plan.done;
  const { exposed, attentionOutputs, hiddenStateOutputs } = plan;

  const lastHidden = targets.hiddenStates[targets.hiddenStates.length - 1];
  const head = findMaskedLmHead(graph, lastHidden);
  const rewritten = head && withNarrowHead(bytes, graph, head, lastHidden, exposed, hiddenStateOutputs);
  if (rewritten) {
    return { bytes: rewritten, attentionOutputs, hiddenStateOutputs, opset: graph.opset, maskedPositionsInput: MASKED_POSITIONS_INPUT, layerPositionsInput: LAYER_POSITIONS_INPUT };
  }
  return { bytes: withAppendedExposures(bytes, exposed), attentionOutputs, hiddenStateOutputs, opset: graph.opset };
}

/**
 * The decoder edit (GPT-2 and kin, optimum's signature: `past_key_values.*` in, `present.*` out): each
 * block's attention probabilities and the hidden states become outputs (decoderTargets.ts); `lm_head`
 * after the final layer norm is narrowed to MASKED_POSITIONS_INPUT as the masked-LM head is (positions
 * whose next-token logits are wanted), and the logit lens (ln_f + lm_head over every layer's residual
 * stream) is the layer-head copy at LAYER_POSITIONS_INPUT. An export with fused attention gives no
 * attention outputs (`attentionOutputs` empty); one whose head is not recognised keeps its full `logits`.
 */
export function exposeDecoderOutputs(bytes: Uint8Array, what = 'you chose'): ExposedModel {
  const graph = summarizeOnnxModel(bytes, what);
  if (graph.nodes.length === 0) throw corruptModelError(what, 'the graph has no nodes');
  const targets = findDecoderTargets(graph);
  if (!targets) throw noDecoderTargetsError(graph);
  const plan = planExposures(bytes, graph, targets, what);
  if ('done' in plan) return plan.done;
  const { exposed, attentionOutputs, hiddenStateOutputs } = plan;

  const finalNorm = targets.hiddenStates[targets.hiddenStates.length - 1];
  const head = findMaskedLmHead(graph, finalNorm);
  const lensHead = head && findMaskedLmHead(graph, targets.lastResidual);
  const lensInputs = [...hiddenStateOutputs.slice(0, -1), targets.lastResidual];
  const rewritten =
    head && lensHead && lensHead.output === head.output && withNarrowHead(bytes, graph, head, finalNorm, exposed, hiddenStateOutputs, { head: lensHead, input: targets.lastResidual, inputs: lensInputs, narrowInputAt: -1 }, true);
  if (rewritten) {
    return { bytes: rewritten, attentionOutputs, hiddenStateOutputs, opset: graph.opset, maskedPositionsInput: MASKED_POSITIONS_INPUT, layerPositionsInput: LAYER_POSITIONS_INPUT };
  }
  return { bytes: withAppendedExposures(bytes, exposed), attentionOutputs, hiddenStateOutputs, opset: graph.opset };
}

/** Why a decoder graph was not understood: a merged decoder (the model inside an If), or not a pre-LN decoder. */
function noDecoderTargetsError(graph: OnnxGraphSummary): ContextLensError {
  const ops = new Set(graph.nodes.map((n) => n.opType));
  const merged = ops.has('If') || graph.inputNames.includes('use_cache_branch');
  return new ContextLensError(
    'NOT_A_MASKED_LM',
    merged
      ? 'This is a merged decoder export (decoder_model_merged: the model sits inside an If node), whose attention and layer outputs Context Lens cannot reach. Use the plain decoder export onnx/model.onnx (as Xenova/gpt2 publishes it, or `optimum-cli export onnx --task text-generation-with-past`).'
      : 'Context Lens could not find the blocks of this causal language model: it reads GPT-2-style decoders (a layer norm before attention and before the MLP in every block, and a final layer norm). Use a GPT-2 family model such as Xenova/gpt2 or Xenova/distilgpt2.',
    `opset ${graph.opset}, ${graph.nodes.length} nodes`,
  );
}
