/**
 * Exposes the attention probabilities and per-layer hidden states of a BERT-family ONNX export as extra
 * graph outputs named `attentions.<layer>` and `hidden_states.<i>` (0 = embeddings … L).
 *
 * The file is never decoded into objects: a Hub model is hundreds of MB of initializers, and a decode/encode
 * round trip would cost time, memory and a protobuf dependency. We read the node list at the wire level
 * (`wire.ts`, `scan.ts`), choose the tensors (`targets.ts`), then write the model again field by field,
 * copying every field we do not change byte for byte (`rewrite.ts`): the exposed tensors are renamed to
 * their output names where they are made and read, and the masked-LM head's readers are rewired to
 * compute `logits` only at the positions the caller asks for (MASKED_POSITIONS_INPUT, `head.ts`). Where the
 * head has a shape we do not recognise, Identity nodes and output ValueInfos are appended as one more
 * ModelProto `graph` field instead (protobuf merges an embedded message that occurs twice), leaving the
 * original bytes a prefix. `editCache.ts` keeps the edited file on disk, keyed by the source's content.
 */
export { prepareEditedModelFile, type EditKind, type PreparedEdit } from './editCache';
export { exposeAttentionsAndHiddenStates, exposeDecoderOutputs, type ExposedModel } from './expose';
export {
  LAYER_LOGITS_OUTPUT,
  LAYER_POSITIONS_INPUT,
  MASKED_POSITIONS_INPUT,
  NEXT_ID_ABOVE_OUTPUT,
  NEXT_ID_PROBABILITIES_OUTPUT,
  NEXT_IDS_INPUT,
  NEXT_TOP_IDS_OUTPUT,
  NEXT_TOP_K_INPUT,
  NEXT_TOP_PROBABILITIES_OUTPUT,
  PROBABILITIES_OUTPUT,
} from './head';
export { summarizeOnnxModel, type OnnxGraphSummary, type OnnxNodeSummary } from './scan';
