/**
 * Exposes the attention probabilities and per-layer hidden states of a BERT-family ONNX export as extra
 * graph outputs named `attentions.<layer>` and `hidden_states.<i>` (0 = embeddings … L).
 *
 * The file is never decoded into objects: a Hub model is hundreds of MB of initializers, and a decode/encode
 * round trip would cost time, memory and a protobuf dependency. We read the node list at the wire level,
 * then write the model again field by field, copying every field we do not change byte for byte: the
 * exposed tensors are renamed to their output names where they are made and read, and the masked-LM
 * head's readers are rewired to compute `logits` only at the positions the caller asks for
 * (MASKED_POSITIONS_INPUT). Where the head has a shape we do not recognise, Identity nodes and output
 * ValueInfos are appended as one more ModelProto `graph` field instead (protobuf merges an embedded
 * message that occurs twice), leaving the original bytes a prefix.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ContextLensError } from './errors';

// ---------------------------------------------------------------------------------------------------
// Protobuf wire format (only what the scan and the appended tail need)
// ---------------------------------------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Thrown by the reader; turned into a user-facing CORRUPT_MODEL error by the callers. */
class MalformedProtobufError extends Error {}

const utf8 = new TextDecoder('utf-8');

class WireReader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Varints up to 2^53: enough for tags, lengths and opset versions. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new MalformedProtobufError('varint runs past the end');
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new MalformedProtobufError('varint too large');
        return result;
      }
      scale *= 128;
    }
    throw new MalformedProtobufError('varint longer than 10 bytes');
  }

  /** Returns [start, end) of a length-delimited payload and moves past it. */
  lengthDelimited(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw new MalformedProtobufError('field runs past the end of its message');
    this.pos = end;
    return [start, end];
  }

  string(): string {
    const [start, end] = this.lengthDelimited();
    return utf8.decode(this.bytes.subarray(start, end));
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        // Groups (3/4) do not occur in ONNX; anything else means the bytes are not a protobuf.
        throw new MalformedProtobufError(`unexpected wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new MalformedProtobufError('field runs past the end of its message');
    this.pos += n;
  }
}

function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function messageField(fieldNumber: number, payload: Uint8Array): Uint8Array {
  return concatBytes([
    Uint8Array.from(encodeVarint((fieldNumber << 3) | WIRE_LENGTH_DELIMITED)),
    Uint8Array.from(encodeVarint(payload.length)),
    payload,
  ]);
}

function stringField(fieldNumber: number, value: string): Uint8Array {
  return messageField(fieldNumber, new TextEncoder().encode(value));
}

function varintField(fieldNumber: number, value: number): Uint8Array {
  return Uint8Array.from([...encodeVarint((fieldNumber << 3) | WIRE_VARINT), ...encodeVarint(value)]);
}

// ONNX field numbers (onnx.proto3).
const MODEL_GRAPH = 7;
const MODEL_OPSET_IMPORT = 8;
const OPSET_DOMAIN = 1;
const OPSET_VERSION = 2;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const TENSOR_NAME = 8;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR_TYPE = 1;
const TENSOR_TYPE_ELEM_TYPE = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_PARAM = 2;
const ELEM_TYPE_FLOAT = 1;
const ELEM_TYPE_INT64 = 7;
const GRAPH_INPUT = 11;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_I = 3;
const ATTRIBUTE_TYPE = 20;
const ATTRIBUTE_TYPE_INT = 2;

// ---------------------------------------------------------------------------------------------------
// Scan
// ---------------------------------------------------------------------------------------------------

export interface OnnxNodeSummary {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
}

export interface OnnxGraphSummary {
  /** In file order, which for exported graphs is a topological order. */
  nodes: OnnxNodeSummary[];
  outputNames: string[];
  inputNames: string[];
  initializerNames: Set<string>;
  /** Version of the default (ai.onnx) operator set; 0 when the file declares none. */
  opset: number;
}

function readNode(reader: WireReader): OnnxNodeSummary {
  const node: OnnxNodeSummary = { name: '', opType: '', inputs: [], outputs: [] };
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === WIRE_LENGTH_DELIMITED && field === NODE_INPUT) node.inputs.push(reader.string());
    else if (wire === WIRE_LENGTH_DELIMITED && field === NODE_OUTPUT) node.outputs.push(reader.string());
    else if (wire === WIRE_LENGTH_DELIMITED && field === NODE_NAME) node.name = reader.string();
    else if (wire === WIRE_LENGTH_DELIMITED && field === NODE_OP_TYPE) node.opType = reader.string();
    else reader.skip(wire);
  }
  return node;
}

/** Reads only the `name` of a message whose name is a string field, skipping its (possibly huge) payload. */
function readNameField(reader: WireReader, nameField: number): string {
  let name = '';
  while (!reader.done) {
    const tag = reader.varint();
    if (Math.floor(tag / 8) === nameField && (tag & 7) === WIRE_LENGTH_DELIMITED) name = reader.string();
    else reader.skip(tag & 7);
  }
  return name;
}

function readGraphInto(bytes: Uint8Array, start: number, end: number, summary: OnnxGraphSummary): void {
  const reader = new WireReader(bytes, start, end);
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire !== WIRE_LENGTH_DELIMITED || (field !== GRAPH_NODE && field !== GRAPH_OUTPUT && field !== GRAPH_INPUT && field !== GRAPH_INITIALIZER)) {
      reader.skip(wire);
      continue;
    }
    const [s, e] = reader.lengthDelimited();
    const inner = new WireReader(bytes, s, e);
    if (field === GRAPH_NODE) summary.nodes.push(readNode(inner));
    else if (field === GRAPH_OUTPUT) summary.outputNames.push(readNameField(inner, VALUE_INFO_NAME));
    else if (field === GRAPH_INPUT) summary.inputNames.push(readNameField(inner, VALUE_INFO_NAME));
    else summary.initializerNames.add(readNameField(inner, TENSOR_NAME));
  }
}

/**
 * Node list, graph outputs, initializer names and opset of an ONNX ModelProto. Initializer payloads are
 * skipped, not copied. Throws MalformedProtobufError on bytes that are not a complete protobuf message.
 */
function scanModel(bytes: Uint8Array): OnnxGraphSummary & { hasGraph: boolean } {
  const summary: OnnxGraphSummary & { hasGraph: boolean } = {
    nodes: [],
    outputNames: [],
    inputNames: [],
    initializerNames: new Set(),
    opset: 0,
    hasGraph: false,
  };
  let sawOpsetImport = false;
  const reader = new WireReader(bytes);
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) throw new MalformedProtobufError('field number 0');
    if (wire === WIRE_LENGTH_DELIMITED && field === MODEL_GRAPH) {
      const [s, e] = reader.lengthDelimited();
      readGraphInto(bytes, s, e, summary);
      summary.hasGraph = true;
    } else if (wire === WIRE_LENGTH_DELIMITED && field === MODEL_OPSET_IMPORT) {
      sawOpsetImport = true;
      const [s, e] = reader.lengthDelimited();
      const inner = new WireReader(bytes, s, e);
      let domain = '';
      let version = 0;
      while (!inner.done) {
        const t = inner.varint();
        if (Math.floor(t / 8) === OPSET_DOMAIN && (t & 7) === WIRE_LENGTH_DELIMITED) domain = inner.string();
        else if (Math.floor(t / 8) === OPSET_VERSION && (t & 7) === WIRE_VARINT) version = inner.varint();
        else inner.skip(t & 7);
      }
      if (domain === '' || domain === 'ai.onnx') summary.opset = version;
    } else {
      reader.skip(wire);
    }
  }
  // ModelProto fields are written in field-number order, so opset_import (8) follows the graph (7): a file
  // cut right after the graph still parses, and the missing opset is what gives the truncation away.
  if (!summary.hasGraph || !sawOpsetImport) throw new MalformedProtobufError('no graph or no opset_import');
  return summary;
}

// ---------------------------------------------------------------------------------------------------
// Choosing the tensors to expose
// ---------------------------------------------------------------------------------------------------

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

const MATMUL_OPS = new Set(['MatMul', 'MatMulInteger', 'QLinearMatMul']);
/** Elementwise steps between Q·Kᵀ and Softmax (scale, mask) or between Softmax and ·V (quantize, cast). */
const SCORE_PATH_OPS = new Set(['Add', 'Div', 'Mul', 'Sub', 'Where', 'Cast']);
const PROBS_PATH_OPS = new Set(['Cast', 'DynamicQuantizeLinear', 'QuantizeLinear', 'Dropout']);

/**
 * Name-independent matching for exports with other names (renamed graphs, other BERT-like architectures).
 * Attention: a Softmax fed (through scale/mask steps) by a MatMul of two activations (Q·Kᵀ) and feeding a
 * MatMul (·V). Hidden states, for post-LN encoders where each layer has two LayerNorms (after attention,
 * after the feed-forward): the embeddings LN and every second LN after it.
 */
export function findTargetsByStructure(graph: Pick<OnnxGraphSummary, 'nodes' | 'initializerNames'>): ExposeTargets | undefined {
  const { nodes, initializerNames } = graph;
  const producer = new Map<string, OnnxNodeSummary>();
  const consumers = new Map<string, OnnxNodeSummary[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) {
      if (!consumers.has(i)) consumers.set(i, []);
      consumers.get(i)!.push(n);
    }
  }
  const isActivation = (t: string | undefined): boolean =>
    !!t && !initializerNames.has(t) && producer.has(t) && producer.get(t)!.opType !== 'Constant';
  const consumersOf = (t: string | undefined): OnnxNodeSummary[] => (t ? (consumers.get(t) ?? []) : []);

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

// ---------------------------------------------------------------------------------------------------
// The edit
// ---------------------------------------------------------------------------------------------------

export const attentionOutputName = (layer: number): string => `attentions.${layer}`;
export const hiddenStateOutputName = (index: number): string => `hidden_states.${index}`;

export interface ExposedModel {
  /** The original bytes followed by the appended graph fragment. */
  bytes: Uint8Array;
  /** `attentions.0` … `attentions.{L-1}`: [batch, heads, seq, seq] float32. */
  attentionOutputs: string[];
  /** `hidden_states.0` (embeddings) … `hidden_states.L`: [batch, seq, hidden] float32. */
  hiddenStateOutputs: string[];
  opset: number;
  /** MASKED_POSITIONS_INPUT when `logits` is computed only at the positions fed there; undefined when the head could not be narrowed. */
  maskedPositionsInput?: string;
}

function corruptModelError(what: string, detail?: string): ContextLensError {
  return new ContextLensError(
    'CORRUPT_MODEL',
    `The model file ${what} is corrupt or truncated (it is not a complete ONNX model). Delete it and download or export it again.`,
    detail,
  );
}

/** GraphProto fields (nodes, then output ValueInfos) that expose `source` tensors under `alias` names. */
function exposureFields(exposed: Array<{ source: string; alias: string }>): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const { source, alias } of exposed) {
    parts.push(
      messageField(
        GRAPH_NODE,
        concatBytes([
          stringField(NODE_INPUT, source),
          stringField(NODE_OUTPUT, alias),
          stringField(NODE_NAME, `context_lens/expose/${alias}`),
          stringField(NODE_OP_TYPE, 'Identity'),
        ]),
      ),
    );
  }
  for (const { alias } of exposed) parts.push(valueInfoField(GRAPH_OUTPUT, alias, ELEM_TYPE_FLOAT));
  return parts;
}

/** A graph input or output ValueInfo; `dims` are symbolic names (omitted: rank unknown). */
function valueInfoField(graphField: number, name: string, elemType: number, dims?: string[]): Uint8Array {
  const shape = dims ? [messageField(TENSOR_TYPE_SHAPE, concatBytes(dims.map((d) => messageField(SHAPE_DIM, stringField(DIM_PARAM, d)))))] : [];
  const tensorType = messageField(TYPE_TENSOR_TYPE, concatBytes([varintField(TENSOR_TYPE_ELEM_TYPE, elemType), ...shape]));
  return messageField(graphField, concatBytes([stringField(VALUE_INFO_NAME, name), messageField(VALUE_INFO_TYPE, tensorType)]));
}

function nodeField(opType: string, name: string, inputs: string[], outputs: string[], intAttributes: Record<string, number> = {}): Uint8Array {
  const attributes = Object.entries(intAttributes).map(([key, value]) =>
    messageField(NODE_ATTRIBUTE, concatBytes([stringField(ATTRIBUTE_NAME, key), varintField(ATTRIBUTE_I, value), varintField(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT)])),
  );
  return messageField(
    GRAPH_NODE,
    concatBytes([...inputs.map((i) => stringField(NODE_INPUT, i)), ...outputs.map((o) => stringField(NODE_OUTPUT, o)), stringField(NODE_NAME, name), stringField(NODE_OP_TYPE, opType), ...attributes]),
  );
}

// ---------------------------------------------------------------------------------------------------
// The masked-LM head, computed only where asked
// ---------------------------------------------------------------------------------------------------

/**
 * Graph input of an edited model: int64 [K], positions in the flattened [batch × seq] input whose logits
 * are computed; `logits` is then [K, vocab]. The vocabulary projection is 16–23 % of a bert-base forward
 * and onnxruntime runs every node whatever is fetched, so without this the analysis forward (which needs
 * no logits) and each masked guess (which needs one row) would pay for every position's logits.
 */
export const MASKED_POSITIONS_INPUT = 'context_lens_masked_positions';
const HIDDEN_AT_POSITIONS = 'context_lens/head/hidden_at_positions';

interface FieldSpan {
  field: number;
  /** [start, end) of the whole field, tag included. */
  start: number;
  end: number;
  /** [start, end) of a length-delimited field's payload. */
  payload?: [number, number];
}

function fieldSpans(bytes: Uint8Array, start: number, end: number): FieldSpan[] {
  const reader = new WireReader(bytes, start, end);
  const out: FieldSpan[] = [];
  while (!reader.done) {
    const at = reader.pos;
    const tag = reader.varint();
    const wire = tag & 7;
    if (wire === WIRE_LENGTH_DELIMITED) {
      const payload = reader.lengthDelimited();
      out.push({ field: Math.floor(tag / 8), start: at, end: reader.pos, payload });
    } else {
      reader.skip(wire);
      out.push({ field: Math.floor(tag / 8), start: at, end: reader.pos });
    }
  }
  return out;
}

export interface MaskedLmHead {
  /** Indices (in graph.nodes) of the nodes that read the last hidden state. */
  readers: Set<number>;
  /** The graph output the head produces (`logits`). */
  output: string;
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
  // Exported graphs list nodes in topological order: one pass collects the downstream closure.
  graph.nodes.forEach((n, i) => {
    if (!n.inputs.some((x) => inHead.has(x))) return;
    if (n.inputs.includes(lastHidden)) readers.add(i);
    headNodes.push(n);
    for (const o of n.outputs) inHead.add(o);
  });
  const outputs = graph.outputNames.filter((o) => inHead.has(o) && o !== lastHidden);
  if (outputs.length !== 1 || readers.size === 0) return undefined;
  const external = headNodes.flatMap((n) => n.inputs).filter((x) => x !== '' && !inHead.has(x) && !graph.initializerNames.has(x) && !constants.has(x));
  if (external.length) return undefined;
  return { readers, output: outputs[0] };
}

const GRAPH_VALUE_INFO = 13;

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
 *   inputs or outputs, which get an Identity node;
 * - the head's readers take the hidden state at MASKED_POSITIONS_INPUT instead of the whole sequence,
 *   and the head output loses its [batch, seq, vocab] shape.
 */
function withNarrowHead(bytes: Uint8Array, graph: OnnxGraphSummary, head: MaskedLmHead, lastHidden: string, exposed: Array<{ source: string; alias: string }>): Uint8Array | undefined {
  const modelFields = fieldSpans(bytes, 0, bytes.length);
  const graphs = modelFields.filter((f) => f.field === MODEL_GRAPH && f.payload);
  if (graphs.length !== 1) return undefined;
  const boundary = new Set([...graph.inputNames, ...graph.outputNames]);
  const renames = new Map(exposed.filter((e) => !boundary.has(e.source) && !graph.initializerNames.has(e.source)).map((e) => [e.source, e.alias]));
  const copied = exposed.filter((e) => !renames.has(e.source));
  const nodeNames = new Set([NODE_INPUT, NODE_OUTPUT]);
  const graphParts: Uint8Array[] = [];
  let nodeIndex = 0;
  for (const f of fieldSpans(bytes, graphs[0].payload![0], graphs[0].payload![1])) {
    if (f.field === GRAPH_NODE && f.payload) {
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
  graphParts.push(
    valueInfoField(GRAPH_INPUT, MASKED_POSITIONS_INPUT, ELEM_TYPE_INT64, ['masked_positions']),
    nodeField('Flatten', 'context_lens/head/flatten', [renames.get(lastHidden) ?? lastHidden], [flat], { axis: 2 }),
    nodeField('Gather', 'context_lens/head/gather', [flat, MASKED_POSITIONS_INPUT], [HIDDEN_AT_POSITIONS], { axis: 0 }),
    ...exposureFields(copied),
    ...exposed.filter((e) => renames.has(e.source)).map((e) => valueInfoField(GRAPH_OUTPUT, e.alias, ELEM_TYPE_FLOAT)),
  );
  const graphLength = graphParts.reduce((n, p) => n + p.length, 0);
  const parts: Uint8Array[] = [];
  for (const f of modelFields) {
    if (f === graphs[0]) parts.push(Uint8Array.from([...encodeVarint((MODEL_GRAPH << 3) | WIRE_LENGTH_DELIMITED), ...encodeVarint(graphLength)]), ...graphParts);
    else parts.push(bytes.subarray(f.start, f.end));
  }
  return concatBytes(parts);
}

/**
 * Adds graph outputs `attentions.<layer>` and `hidden_states.<i>` to an ONNX BERT-family model.
 * A model that already has them (edited before) is returned unchanged.
 * @param what how to name the file in error messages
 */
export function exposeAttentionsAndHiddenStates(bytes: Uint8Array, what = 'you chose'): ExposedModel {
  let graph: ReturnType<typeof scanModel>;
  try {
    graph = scanModel(bytes);
  } catch (e) {
    if (e instanceof MalformedProtobufError) throw corruptModelError(what, e.message);
    throw e;
  }
  if (graph.nodes.length === 0) throw corruptModelError(what, 'the graph has no nodes');

  const targets = findTargetsByName(graph.nodes) ?? findTargetsByStructure(graph);
  if (!targets) {
    const ops = new Set(graph.nodes.map((n) => n.opType));
    const fused = ['Attention', 'MultiHeadAttention', 'PackedAttention'].some((op) => ops.has(op));
    throw new ContextLensError(
      'NOT_A_MASKED_LM',
      fused
        ? 'This model was exported with fused attention, so its attention weights cannot be read. Use an unoptimized ONNX export (as published by Xenova/… or onnx-community/… on the Hub).'
        : ops.has('Softmax')
          ? 'Context Lens could not find the attention and layer outputs of this model. It needs a BERT-style encoder (BERT, RoBERTa, DistilBERT, ELECTRA, …) exported to ONNX.'
          : 'This model has no attention layers that Context Lens can read. It needs a BERT-style encoder (BERT, RoBERTa, DistilBERT, ELECTRA, …) exported to ONNX.',
      `opset ${graph.opset}, ${graph.nodes.length} nodes`,
    );
  }

  const exposed = [
    ...targets.attentions.map((source, layer) => ({ source, alias: attentionOutputName(layer) })),
    ...targets.hiddenStates.map((source, i) => ({ source, alias: hiddenStateOutputName(i) })),
  ];
  const attentionOutputs = exposed.slice(0, targets.attentions.length).map((e) => e.alias);
  const hiddenStateOutputs = exposed.slice(targets.attentions.length).map((e) => e.alias);

  const existing = new Set(graph.outputNames);
  const narrowed = graph.inputNames.includes(MASKED_POSITIONS_INPUT) ? MASKED_POSITIONS_INPUT : undefined;
  if (exposed.every((e) => existing.has(e.alias))) return { bytes, attentionOutputs, hiddenStateOutputs, opset: graph.opset, maskedPositionsInput: narrowed };
  // Our aliases are only ever produced by our own Identity nodes; a partial set means a foreign graph
  // that happens to use these names, and adding a second producer would make it invalid.
  const producedNames = new Set(graph.nodes.flatMap((n) => n.outputs));
  const clash = exposed.find((e) => producedNames.has(e.alias) || existing.has(e.alias));
  if (clash) throw corruptModelError(what, `the graph already has a tensor named ${clash.alias}`);

  const lastHidden = targets.hiddenStates[targets.hiddenStates.length - 1];
  const head = findMaskedLmHead(graph, lastHidden);
  const rewritten = head && withNarrowHead(bytes, graph, head, lastHidden, exposed);
  if (rewritten) return { bytes: rewritten, attentionOutputs, hiddenStateOutputs, opset: graph.opset, maskedPositionsInput: MASKED_POSITIONS_INPUT };
  // A head we do not recognise: append the exposures as one more graph field (protobuf merges it in).
  const tail = messageField(MODEL_GRAPH, concatBytes(exposureFields(exposed)));
  const out = new Uint8Array(bytes.length + tail.length);
  out.set(bytes, 0);
  out.set(tail, bytes.length);
  return { bytes: out, attentionOutputs, hiddenStateOutputs, opset: graph.opset };
}

/** Reads the node list etc. of an ONNX file (exposed for tests and diagnostics). */
export function summarizeOnnxModel(bytes: Uint8Array, what = 'you chose'): OnnxGraphSummary {
  try {
    const { hasGraph: _hasGraph, ...summary } = scanModel(bytes);
    return summary;
  } catch (e) {
    if (e instanceof MalformedProtobufError) throw corruptModelError(what, e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------
// Edited files on disk, cached by the source's content
// ---------------------------------------------------------------------------------------------------

/** Bump when the edit changes, so that files edited by an older version are redone. */
const EDIT_VERSION = 3;

interface EditManifest {
  editVersion: number;
  sourceSha256: string;
  destPath: string;
  /** Size and mtime of the written file: if another edit overwrote it since, they no longer match. */
  destSize: number;
  destMtimeMs: number;
  attentionOutputs: string[];
  hiddenStateOutputs: string[];
  opset: number;
  maskedPositionsInput?: string;
}

export interface PreparedEdit {
  attentionOutputs: string[];
  hiddenStateOutputs: string[];
  opset: number;
  maskedPositionsInput?: string;
  /** True when an earlier edit of the same source content was reused. */
  cached: boolean;
  /** False when the source's size and times matched the last edit's, so its hash was not recomputed. */
  sourceHashed: boolean;
  sourceSha256: string;
}

/** What the source file looked like when it was last hashed (next to the edited file). */
interface SourceStamp {
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  sha256: string;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Write-then-rename, so that a crash or a concurrent reader never sees half a file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Writes the edited copy of `sourceOnnxPath` to `destPath`, unless an earlier call already wrote the edit
 * of the same source content there. `cacheDir` holds one small manifest per source content hash.
 */
export async function prepareEditedModelFile(sourceOnnxPath: string, destPath: string, cacheDir: string): Promise<PreparedEdit> {
  const dest = resolve(destPath);
  const stampPath = `${dest}.source.json`;
  let sourceSha256: string;
  let sourceHashed = false;
  let stamp: Omit<SourceStamp, 'sha256'>;
  try {
    const st = await stat(sourceOnnxPath);
    stamp = { path: resolve(sourceOnnxPath), size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
    // Hashing a Hub model reads hundreds of MB on every load: skip it while the file is untouched.
    const last = await readJson<SourceStamp>(stampPath);
    if (last && last.path === stamp.path && last.size === stamp.size && last.mtimeMs === stamp.mtimeMs && last.ctimeMs === stamp.ctimeMs && last.sha256) {
      sourceSha256 = last.sha256;
    } else {
      sourceSha256 = await sha256OfFile(sourceOnnxPath);
      sourceHashed = true;
    }
  } catch (e) {
    throw new ContextLensError('MODEL_FOLDER_MISSING', `The model file ${sourceOnnxPath} cannot be read.`, String(e));
  }
  const writeStamp = (sha256: string) => writeFileAtomic(stampPath, JSON.stringify({ ...stamp, sha256 } satisfies SourceStamp));
  const manifestPath = join(cacheDir, `${sourceSha256}.json`);
  const manifest = await readJson<EditManifest>(manifestPath);
  if (manifest && manifest.editVersion === EDIT_VERSION && manifest.sourceSha256 === sourceSha256 && manifest.destPath === dest) {
    const st = await stat(dest).catch(() => undefined);
    if (st && st.size === manifest.destSize && st.mtimeMs === manifest.destMtimeMs) {
      const { attentionOutputs, hiddenStateOutputs, opset, maskedPositionsInput } = manifest;
      if (sourceHashed) await writeStamp(sourceSha256);
      return { attentionOutputs, hiddenStateOutputs, opset, maskedPositionsInput, cached: true, sourceHashed, sourceSha256 };
    }
  }

  const source = await readFile(sourceOnnxPath);
  // The file may have changed since it was hashed: key the edit by the bytes actually edited.
  const editedSha256 = createHash('sha256').update(source).digest('hex');
  const edited = exposeAttentionsAndHiddenStates(source, sourceOnnxPath);
  await writeFileAtomic(dest, edited.bytes);
  const st = await stat(dest);
  const record: EditManifest = {
    editVersion: EDIT_VERSION,
    sourceSha256: editedSha256,
    destPath: dest,
    destSize: st.size,
    destMtimeMs: st.mtimeMs,
    attentionOutputs: edited.attentionOutputs,
    hiddenStateOutputs: edited.hiddenStateOutputs,
    opset: edited.opset,
    maskedPositionsInput: edited.maskedPositionsInput,
  };
  await writeFileAtomic(join(cacheDir, `${editedSha256}.json`), JSON.stringify(record, null, 2));
  // The stamp describes the file as stat saw it before reading; if it changed in between, the next load
  // sees other times and hashes again.
  await writeStamp(editedSha256);
  return {
    attentionOutputs: edited.attentionOutputs,
    hiddenStateOutputs: edited.hiddenStateOutputs,
    opset: edited.opset,
    maskedPositionsInput: edited.maskedPositionsInput,
    cached: false,
    sourceHashed: true,
    sourceSha256: editedSha256,
  };
}
