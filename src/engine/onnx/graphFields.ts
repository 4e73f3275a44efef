/** New GraphProto fields the edit writes: nodes, graph inputs/outputs, and the Identity exposures. */
import {
  ATTRIBUTE_I,
  ATTRIBUTE_INTS,
  ATTRIBUTE_NAME,
  ATTRIBUTE_TYPE,
  ATTRIBUTE_TYPE_INT,
  ATTRIBUTE_TYPE_INTS,
  DIM_PARAM,
  ELEM_TYPE_FLOAT,
  GRAPH_NODE,
  GRAPH_OUTPUT,
  NODE_ATTRIBUTE,
  NODE_INPUT,
  NODE_NAME,
  NODE_OP_TYPE,
  NODE_OUTPUT,
  SHAPE_DIM,
  TENSOR_TYPE_ELEM_TYPE,
  TENSOR_TYPE_SHAPE,
  TYPE_TENSOR_TYPE,
  VALUE_INFO_NAME,
  VALUE_INFO_TYPE,
} from './fields';
import { concatBytes, messageField, stringField, varintField } from './wire';

/** A tensor to expose as a graph output: `source` is its name in the graph, `alias` the output's name. */
export interface Exposure {
  source: string;
  alias: string;
}

/**
 * GraphProto fields (Identity nodes, then output ValueInfos) that expose `source` tensors under `alias`
 * names: for tensors that cannot be renamed in place (graph inputs, outputs, initializers) and for the
 * appended edit of a graph whose head is not rewritten.
 */
export function exposureFields(exposed: Exposure[]): Uint8Array[] {
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
export function valueInfoField(graphField: number, name: string, elemType: number, dims?: string[]): Uint8Array {
  const shape = dims ? [messageField(TENSOR_TYPE_SHAPE, concatBytes(dims.map((d) => messageField(SHAPE_DIM, stringField(DIM_PARAM, d)))))] : [];
  const tensorType = messageField(TYPE_TENSOR_TYPE, concatBytes([varintField(TENSOR_TYPE_ELEM_TYPE, elemType), ...shape]));
  return messageField(graphField, concatBytes([stringField(VALUE_INFO_NAME, name), messageField(VALUE_INFO_TYPE, tensorType)]));
}

/** A node; `intAttributes` are INT attributes, or INTS where the value is a list (non-negative values only). */
export function nodeField(opType: string, name: string, inputs: string[], outputs: string[], intAttributes: Record<string, number | number[]> = {}): Uint8Array {
  const attributes = Object.entries(intAttributes).map(([key, value]) =>
    messageField(
      NODE_ATTRIBUTE,
      Array.isArray(value)
        ? concatBytes([stringField(ATTRIBUTE_NAME, key), ...value.map((v) => varintField(ATTRIBUTE_INTS, v)), varintField(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INTS)])
        : concatBytes([stringField(ATTRIBUTE_NAME, key), varintField(ATTRIBUTE_I, value), varintField(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT)]),
    ),
  );
  return messageField(
    GRAPH_NODE,
    concatBytes([...inputs.map((i) => stringField(NODE_INPUT, i)), ...outputs.map((o) => stringField(NODE_OUTPUT, o)), stringField(NODE_NAME, name), stringField(NODE_OP_TYPE, opType), ...attributes]),
  );
}
