/**
 * The generated ONNX protobuf code (proto/onnx.js + onnx.d.ts, from scripts/gen-onnx-proto.mjs).
 *
 * The import path climbs to the package root and back into src/ on purpose: tsc does not copy the generated
 * .js into dist/ (allowJs cannot emit declarations for it), and '../../src/onnx/proto/onnx.js' resolves to the
 * same committed file from src/onnx/ (tests, jest) and from dist/onnx/ (the built CLI) alike.
 */
import { onnx } from '../../src/onnx/proto/onnx.js';

export { onnx };
export type ModelProto = onnx.ModelProto;
export type GraphProto = onnx.IGraphProto;
export type NodeProto = onnx.INodeProto;
export type TensorProto = onnx.ITensorProto;
export type ValueInfoProto = onnx.IValueInfoProto;
export type AttributeProto = onnx.IAttributeProto;

/** int64 fields decode as Long objects (or numbers): as a JS number. */
export function int64ToNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
