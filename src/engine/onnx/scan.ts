/** Reading an ONNX ModelProto's node list, boundary names, initializer names and opset, at the wire level. */
import { ContextLensError } from '../errors';
import {
  GRAPH_INITIALIZER,
  GRAPH_INPUT,
  GRAPH_NODE,
  GRAPH_OUTPUT,
  MODEL_GRAPH,
  MODEL_OPSET_IMPORT,
  NODE_INPUT,
  NODE_NAME,
  NODE_OP_TYPE,
  NODE_OUTPUT,
  OPSET_DOMAIN,
  OPSET_VERSION,
  TENSOR_NAME,
  VALUE_INFO_NAME,
} from './fields';
import { MalformedProtobufError, readNameField, WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader } from './wire';

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

export function readNode(reader: WireReader): OnnxNodeSummary {
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
function scanModel(bytes: Uint8Array): OnnxGraphSummary {
  const summary: OnnxGraphSummary = { nodes: [], outputNames: [], inputNames: [], initializerNames: new Set(), opset: 0 };
  let sawGraph = false;
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
      sawGraph = true;
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
  if (!sawGraph || !sawOpsetImport) throw new MalformedProtobufError('no graph or no opset_import');
  return summary;
}

export function corruptModelError(what: string, detail?: string): ContextLensError {
  return new ContextLensError(
    'CORRUPT_MODEL',
    `The model file ${what} is corrupt or truncated (it is not a complete ONNX model). Delete it and download or export it again.`,
    detail,
  );
}

/**
 * Reads the node list etc. of an ONNX file; bytes that are not a complete ONNX model are CORRUPT_MODEL.
 * @param what how to name the file in error messages
 */
export function summarizeOnnxModel(bytes: Uint8Array, what = 'you chose'): OnnxGraphSummary {
  try {
    return scanModel(bytes);
  } catch (e) {
    if (e instanceof MalformedProtobufError) throw corruptModelError(what, e.message);
    throw e;
  }
}
