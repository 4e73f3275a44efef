/**
 * Writing the edited model. Two ways, both copying every field they do not change byte for byte:
 * - `withNarrowHead`: the graph re-encoded field by field, exposed tensors renamed in place and the
 *   masked-LM head narrowed to MASKED_POSITIONS_INPUT;
 * - `withAppendedExposures`: for a head we do not recognise, Identity nodes and output ValueInfos appended
 *   as one more ModelProto `graph` field (protobuf merges an embedded message that occurs twice), leaving
 *   the original bytes a prefix.
 */
import { ELEM_TYPE_FLOAT, ELEM_TYPE_INT64, GRAPH_INPUT, GRAPH_NODE, GRAPH_OUTPUT, GRAPH_VALUE_INFO, MODEL_GRAPH, NODE_INPUT, NODE_NAME, NODE_OUTPUT, VALUE_INFO_NAME } from './fields';
import { exposureFields, nodeField, valueInfoField, type Exposure } from './graphFields';
import {
  HIDDEN_AT_POSITIONS,
  LAYER_HIDDEN_AT_POSITIONS,
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
  type MaskedLmHead,
} from './head';
import type { OnnxGraphSummary } from './scan';
import { concatBytes, fieldSpans, lengthDelimitedHeader, messageField, readNameField, stringField, utf8, WireReader } from './wire';

/**
 * A node or ValueInfo with some names replaced: `names(field, name, index)` returns the new name of a string
 * field (NODE_INPUT/NODE_OUTPUT of a node, VALUE_INFO_NAME of a ValueInfo) or undefined to keep it. Other
 * fields are copied byte for byte. Returns undefined when nothing changed.
 */
function renamedMessage(
  bytes: Uint8Array,
  payload: [number, number],
  fields: ReadonlySet<number>,
  names: (field: number, name: string, index: number) => string | undefined,
): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let changed = false;
  let inputIndex = 0;
  for (const f of fieldSpans(bytes, payload[0], payload[1])) {
    if (fields.has(f.field) && f.payload) {
      const name = utf8.decode(bytes.subarray(f.payload[0], f.payload[1]));
      const to = names(f.field, name, f.field === NODE_INPUT ? inputIndex++ : -1);
      if (to !== undefined && to !== name) {
        parts.push(stringField(f.field, to));
        changed = true;
        continue;
      }
    }
    parts.push(bytes.subarray(f.start, f.end));
  }
  return changed ? concatBytes(parts) : undefined;
}

/**
 * The model re-encoded around its graph, initializers and untouched nodes copied byte for byte:
 * - each exposed tensor is renamed to its alias where it is produced and read (no Identity copy, which
 *   cost onnxruntime a 150 MB memcpy per 512-token forward), except tensors that are already graph
 *   inputs, outputs or initializers, which get an Identity node;
 * - the head's readers take the hidden state at MASKED_POSITIONS_INPUT instead of the whole sequence,
 *   and the head output loses its [batch, seq, vocab] shape; its softmax is one more output
 *   (PROBABILITIES_OUTPUT);
 * - a copy of the head's nodes, sharing its initializers and constants, reads every hidden state
 *   (`hiddenStates`, the aliases 0 … L) at LAYER_POSITIONS_INPUT and writes LAYER_LOGITS_OUTPUT.
 */
export function withNarrowHead(
  bytes: Uint8Array,
  graph: OnnxGraphSummary,
  head: MaskedLmHead,
  lastHidden: string,
  exposed: Exposure[],
  hiddenStates: string[],
  lens: LogitLens = { head, input: lastHidden, inputs: hiddenStates, narrowInputAt: hiddenStates.length - 1 },
  nextTokenReads = false,
): Uint8Array | undefined {
  const modelFields = fieldSpans(bytes, 0, bytes.length);
  const graphs = modelFields.filter((f) => f.field === MODEL_GRAPH && f.payload);
  if (graphs.length !== 1) return undefined;
  const boundary = new Set([...graph.inputNames, ...graph.outputNames]);
  const renames = new Map(exposed.filter((e) => !boundary.has(e.source) && !graph.initializerNames.has(e.source)).map((e) => [e.source, e.alias]));
  const copied = exposed.filter((e) => !renames.has(e.source));
  const nodeNames = new Set([NODE_INPUT, NODE_OUTPUT]);
  const graphParts: Uint8Array[] = [];
  const layerHead: Uint8Array[] = [];
  const lensNodes = new Set(lens.head.nodes);
  let nodeIndex = 0;
  for (const f of fieldSpans(bytes, graphs[0].payload![0], graphs[0].payload![1])) {
    if (f.field === GRAPH_NODE && f.payload) {
      if (lensNodes.has(nodeIndex)) layerHead.push(layerHeadNode(bytes, f.payload, lens.head, lens.input));
      const reader = head.readers.has(nodeIndex);
      const node = renamedMessage(bytes, f.payload, nodeNames, (field, name) =>
        field === NODE_INPUT && reader && name === lastHidden ? HIDDEN_AT_POSITIONS : renames.get(name),
      );
      graphParts.push(node ? messageField(GRAPH_NODE, node) : bytes.subarray(f.start, f.end));
      nodeIndex++;
    } else if (f.field === GRAPH_VALUE_INFO && f.payload) {
      const info = renamedMessage(bytes, f.payload, new Set([VALUE_INFO_NAME]), (_, name) => renames.get(name));
      graphParts.push(info ? messageField(GRAPH_VALUE_INFO, info) : bytes.subarray(f.start, f.end));
    } else if (f.field === GRAPH_OUTPUT && f.payload && readNameField(new WireReader(bytes, f.payload[0], f.payload[1]), VALUE_INFO_NAME) === head.output) {
      graphParts.push(valueInfoField(GRAPH_OUTPUT, head.output, ELEM_TYPE_FLOAT, ['masked_positions', 'vocab']));
    } else {
      graphParts.push(bytes.subarray(f.start, f.end));
    }
  }
  if (nodeIndex !== graph.nodes.length) return undefined;
  const flat = 'context_lens/head/hidden_flat';
  const lastAlias = renames.get(lastHidden) ?? lastHidden;
  // Every lens input flattened to [batch × seq, hidden] (the narrowed head's input is flattened once, for both heads).
  const flats = lens.inputs.map((_, i) => (i === lens.narrowInputAt ? flat : `context_lens/layer_head/hidden_flat_${i}`));
  const gathered = lens.inputs.map((_, i) => `context_lens/layer_head/hidden_${i}_at_positions`);
  graphParts.push(
    valueInfoField(GRAPH_INPUT, MASKED_POSITIONS_INPUT, ELEM_TYPE_INT64, ['masked_positions']),
    nodeField('Flatten', 'context_lens/head/flatten', [lastAlias], [flat], { axis: 2 }),
    nodeField('Gather', 'context_lens/head/gather', [flat, MASKED_POSITIONS_INPUT], [HIDDEN_AT_POSITIONS], { axis: 0 }),
    nodeField('Softmax', 'context_lens/head/softmax', [head.output], [PROBABILITIES_OUTPUT], { axis: 1 }),
    valueInfoField(GRAPH_OUTPUT, PROBABILITIES_OUTPUT, ELEM_TYPE_FLOAT, ['masked_positions', 'vocab']),
    valueInfoField(GRAPH_INPUT, LAYER_POSITIONS_INPUT, ELEM_TYPE_INT64, ['layer_positions']),
    ...lens.inputs.flatMap((alias, i) => (i === lens.narrowInputAt ? [] : [nodeField('Flatten', `context_lens/layer_head/flatten_${i}`, [alias], [flats[i]], { axis: 2 })])),
    ...gathered.map((g, i) => nodeField('Gather', `context_lens/layer_head/gather_${i}`, [flats[i], LAYER_POSITIONS_INPUT], [g], { axis: 0 })),
    nodeField('Concat', 'context_lens/layer_head/concat', gathered, [LAYER_HIDDEN_AT_POSITIONS], { axis: 0 }),
    ...layerHead,
    valueInfoField(GRAPH_OUTPUT, LAYER_LOGITS_OUTPUT, ELEM_TYPE_FLOAT, ['layer_rows', 'vocab']),
    ...exposureFields(copied),
    ...exposed.filter((e) => renames.has(e.source)).map((e) => valueInfoField(GRAPH_OUTPUT, e.alias, ELEM_TYPE_FLOAT)),
    ...(nextTokenReads ? nextTokenReadFields(graph.opset) : []),
  );
  const graphLength = graphParts.reduce((n, p) => n + p.length, 0);
  const parts: Uint8Array[] = [];
  for (const f of modelFields) {
    if (f === graphs[0]) parts.push(lengthDelimitedHeader(MODEL_GRAPH, graphLength), ...graphParts);
    else parts.push(bytes.subarray(f.start, f.end));
  }
  return concatBytes(parts);
}

/** The nodes, inputs and outputs of head.ts's next-token reads (NEXT_TOP_K_INPUT …), over PROBABILITIES_OUTPUT. */
function nextTokenReadFields(opset: number): Uint8Array[] {
  const above = 'context_lens/next/above';
  const aboveFloat = 'context_lens/next/above_float';
  const axes = 'context_lens/next/axes';
  // ReduceSum takes its axes as an input from opset 13 on, as an attribute before.
  const reduce =
    opset >= 13
      ? [nodeField('Constant', 'context_lens/next/axes', [], [axes], { value_ints: [1] }), nodeField('ReduceSum', 'context_lens/next/count', [aboveFloat, axes], [NEXT_ID_ABOVE_OUTPUT], { keepdims: 0 })]
      : [nodeField('ReduceSum', 'context_lens/next/count', [aboveFloat], [NEXT_ID_ABOVE_OUTPUT], { axes: [1], keepdims: 0 })];
  return [
    valueInfoField(GRAPH_INPUT, NEXT_TOP_K_INPUT, ELEM_TYPE_INT64, ['one']),
    valueInfoField(GRAPH_INPUT, NEXT_IDS_INPUT, ELEM_TYPE_INT64, ['masked_positions', 'one']),
    nodeField('TopK', 'context_lens/next/top_k', [PROBABILITIES_OUTPUT, NEXT_TOP_K_INPUT], [NEXT_TOP_PROBABILITIES_OUTPUT, NEXT_TOP_IDS_OUTPUT], { axis: 1 }),
    nodeField('GatherElements', 'context_lens/next/id_probability', [PROBABILITIES_OUTPUT, NEXT_IDS_INPUT], [NEXT_ID_PROBABILITIES_OUTPUT], { axis: 1 }),
    nodeField('Greater', 'context_lens/next/more_probable', [PROBABILITIES_OUTPUT, NEXT_ID_PROBABILITIES_OUTPUT], [above]),
    nodeField('Cast', 'context_lens/next/as_float', [above], [aboveFloat], { to: ELEM_TYPE_FLOAT }),
    ...reduce,
    valueInfoField(GRAPH_OUTPUT, NEXT_TOP_PROBABILITIES_OUTPUT, ELEM_TYPE_FLOAT, ['masked_positions', 'k']),
    valueInfoField(GRAPH_OUTPUT, NEXT_TOP_IDS_OUTPUT, ELEM_TYPE_INT64, ['masked_positions', 'k']),
    valueInfoField(GRAPH_OUTPUT, NEXT_ID_PROBABILITIES_OUTPUT, ELEM_TYPE_FLOAT, ['masked_positions', 'one']),
    valueInfoField(GRAPH_OUTPUT, NEXT_ID_ABOVE_OUTPUT, ELEM_TYPE_FLOAT, ['masked_positions']),
  ];
}

/**
 * What the copy of the head over every hidden layer (the logit lens) is made of: for a masked LM the head
 * itself, read at every hidden state; for a decoder whose last hidden state is the final layer norm's
 * output, ln_f + lm_head, read at the residual stream (the blocks' outputs, the last one before ln_f).
 */
export interface LogitLens {
  head: MaskedLmHead;
  /** The tensor the lens head's nodes read in the graph (the copy reads LAYER_HIDDEN_AT_POSITIONS instead). */
  input: string;
  /** The tensors (aliases where exposed) the copy reads, layer 0 … L, in row order of LAYER_LOGITS_OUTPUT. */
  inputs: string[];
  /** The index in `inputs` of the narrowed head's own input, whose flattened copy both heads share; -1 for none. */
  narrowInputAt: number;
}

/**
 * A head node copied for the layer head: its name and the tensors it makes get a prefix (the head's output
 * becomes LAYER_LOGITS_OUTPUT), and where it read the last hidden state it reads LAYER_HIDDEN_AT_POSITIONS.
 * Initializers and constants keep their names, so the copy shares the head's weights.
 */
function layerHeadNode(bytes: Uint8Array, payload: [number, number], head: MaskedLmHead, lastHidden: string): Uint8Array {
  const copyOf = (name: string): string => (name === head.output ? LAYER_LOGITS_OUTPUT : `context_lens/layer_head/${name}`);
  const node = renamedMessage(bytes, payload, new Set([NODE_INPUT, NODE_OUTPUT, NODE_NAME]), (field, name) => {
    if (field === NODE_NAME || field === NODE_OUTPUT) return copyOf(name);
    if (name === lastHidden) return LAYER_HIDDEN_AT_POSITIONS;
    return head.tensors.has(name) ? copyOf(name) : undefined;
  });
  return messageField(GRAPH_NODE, node ?? bytes.subarray(payload[0], payload[1]));
}

/** The original bytes followed by one more graph field holding the exposures: protobuf merges it into the graph. */
export function withAppendedExposures(bytes: Uint8Array, exposed: Exposure[]): Uint8Array {
  const tail = messageField(MODEL_GRAPH, concatBytes(exposureFields(exposed)));
  const out = new Uint8Array(bytes.length + tail.length);
  out.set(bytes, 0);
  out.set(tail, bytes.length);
  return out;
}
