/**
 * The ONNX field numbers (onnx.proto3) this folder reads or writes, grouped by the message they belong
 * to, so that a new field is added next to its siblings and never defined twice.
 */

// ModelProto
export const MODEL_GRAPH = 7;
export const MODEL_OPSET_IMPORT = 8;

// OperatorSetIdProto
export const OPSET_DOMAIN = 1;
export const OPSET_VERSION = 2;

// GraphProto
export const GRAPH_NODE = 1;
export const GRAPH_INITIALIZER = 5;
export const GRAPH_INPUT = 11;
export const GRAPH_OUTPUT = 12;
export const GRAPH_VALUE_INFO = 13;

// NodeProto
export const NODE_INPUT = 1;
export const NODE_OUTPUT = 2;
export const NODE_NAME = 3;
export const NODE_OP_TYPE = 4;
export const NODE_ATTRIBUTE = 5;

// AttributeProto
export const ATTRIBUTE_NAME = 1;
export const ATTRIBUTE_I = 3;
export const ATTRIBUTE_INTS = 8;
export const ATTRIBUTE_TYPE = 20;
/** AttributeProto.AttributeType.INT */
export const ATTRIBUTE_TYPE_INT = 2;
/** AttributeProto.AttributeType.INTS */
export const ATTRIBUTE_TYPE_INTS = 7;

// TensorProto
export const TENSOR_NAME = 8;

// ValueInfoProto
export const VALUE_INFO_NAME = 1;
export const VALUE_INFO_TYPE = 2;

// TypeProto
export const TYPE_TENSOR_TYPE = 1;

// TypeProto.Tensor
export const TENSOR_TYPE_ELEM_TYPE = 1;
export const TENSOR_TYPE_SHAPE = 2;

// TensorShapeProto and its Dimension
export const SHAPE_DIM = 1;
export const DIM_PARAM = 2;

// TensorProto.DataType
export const ELEM_TYPE_FLOAT = 1;
export const ELEM_TYPE_INT64 = 7;
