// The ONNX graph layer: dtypes, the typed graph builder, shape inference, the structural checker,
// serialization and summaries. Re-exported from the package index.
export {
  DTYPES,
  isDType,
  dtypeToOnnx,
  dtypeFromOnnx,
  isFloatDType,
  tensorValue,
  tensorToNumbers,
  numElements,
  toRawData,
  fromRawData,
  BYTES_PER_ELEMENT,
} from './dtype.js';
export type { DType, TensorValue, TypedArray, TypedArrayOf } from './dtype.js';
export { attr, attrInt, attrInts, attrFloat, attrString, shapeToString, typeToString } from './types.js';
export type { Dim, Shape, TensorType, TensorRef, AttrValue, Attributes, NodeRecord } from './types.js';
export { GraphBuilder } from './graph-builder.js';
export type {
  Input,
  Operand,
  IntsInput,
  OpOptions,
  OutputSpec,
  LoopOptions,
  LoopBody,
  LoopBodyResult,
  ScanOptions,
  ScanBody,
  ScanBodyResult,
  LoopResult,
} from './graph-builder.js';
export {
  SHAPE_RULES,
  inferOutputs,
  broadcastShapes,
  mergeShapes,
  reduceShape,
  sliceLength,
  sumDims,
  normalizeAxis,
  ShapeError,
} from './shape-inference.js';
export type { InferContext, ShapeRule } from './shape-inference.js';
export { checkModel, checkGraph, assertValidModel, formatProblem } from './checker.js';
export type { CheckProblem, OuterScope } from './checker.js';
export { buildModel, modelMetadata, METADATA_KEYS } from './model.js';
export type { ModelOptions } from './model.js';
export { encodeModel, decodeModel, saveModel, loadModel, writeFileAtomic } from './serialize.js';
export { summarizeModel } from './summary.js';
export type { ModelSummary, TensorSummary } from './summary.js';
export { tensorToProto, tensorFromProto, valueInfoToProto, valueInfoType } from './proto-convert.js';
export { onnx, int64ToNumber } from './onnx-proto.js';
export { IR_VERSION, OPSET_VERSION, OPSET17_OPS } from './opset.js';
