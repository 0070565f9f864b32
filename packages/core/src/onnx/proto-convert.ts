/** Conversions between the builder's records (TensorValue, TensorType, AttrValue) and ONNX protobuf messages. */
import { dtypeFromOnnx, dtypeToOnnx, fromRawData, tensorValue, toRawData, type DType, type TensorValue } from './dtype.js';
import { int64ToNumber, onnx, type AttributeProto, type GraphProto, type TensorProto, type ValueInfoProto } from './onnx-proto.js';
import type { AttrValue, Attributes, Dim, Shape, TensorType } from './types.js';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A TensorProto holding the value as little-endian raw_data. */
export function tensorToProto(t: TensorValue, name?: string): onnx.TensorProto {
  return onnx.TensorProto.create({
    dims: [...t.dims],
    dataType: dtypeToOnnx(t.dtype),
    rawData: toRawData(t),
    ...(name !== undefined ? { name } : {}),
  });
}

/** The value of a TensorProto, from raw_data or the typed repeated fields. */
export function tensorFromProto(p: TensorProto): TensorValue {
  const dtype = dtypeFromOnnx(p.dataType ?? 0);
  if (!dtype) throw new Error(`tensor ${p.name ?? ''}: unsupported data_type ${p.dataType}`);
  const dims = (p.dims ?? []).map(int64ToNumber);
  if (p.rawData && p.rawData.length > 0) return fromRawData(dtype, p.rawData, dims);
  if (p.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new Error(`tensor ${p.name ?? ''}: external data is not supported`);
  const values = typedFieldValues(p, dtype);
  return tensorValue(dtype, values, dims);
}

function typedFieldValues(p: TensorProto, dtype: DType): number[] {
  switch (dtype) {
    case 'float32':
      return p.floatData ?? [];
    case 'float64':
      return p.doubleData ?? [];
    case 'int64':
      return (p.int64Data ?? []).map(int64ToNumber);
    case 'uint64':
    case 'uint32':
      return (p.uint64Data ?? []).map(int64ToNumber);
    default:
      return p.int32Data ?? [];
  }
}

export function shapeToProto(shape: Shape): onnx.ITensorShapeProto | undefined {
  if (shape === null) return undefined;
  return { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) };
}

export function valueInfoToProto(name: string, t: TensorType): onnx.IValueInfoProto {
  const shape = shapeToProto(t.shape);
  return { name, type: { tensorType: { elemType: dtypeToOnnx(t.dtype), ...(shape ? { shape } : {}) } } };
}

/** The tensor type a ValueInfoProto declares; undefined when it is not a tensor of a supported dtype. */
export function valueInfoType(v: ValueInfoProto): TensorType | undefined {
  const tt = v.type?.tensorType;
  if (!tt) return undefined;
  const dtype = dtypeFromOnnx(tt.elemType ?? 0);
  if (!dtype) return undefined;
  const shape: Shape = tt.shape ? (tt.shape.dim ?? []).map(dimFromProto) : null;
  return { dtype, shape };
}

function dimFromProto(d: onnx.TensorShapeProto.IDimension): Dim {
  if (d.dimValue !== null && d.dimValue !== undefined) return int64ToNumber(d.dimValue);
  if (d.dimParam) return d.dimParam;
  return null;
}

export function attrToProto(name: string, a: AttrValue, graphToProto: (g: AttrValue & { type: 'graph' }) => GraphProto): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'string':
      return { name, type: T.STRING, s: utf8.encode(a.value) };
    case 'ints':
      return { name, type: T.INTS, ints: a.value };
    case 'floats':
      return { name, type: T.FLOATS, floats: a.value };
    case 'strings':
      return { name, type: T.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'tensor':
      return { name, type: T.TENSOR, t: tensorToProto(a.value) };
    case 'graph':
      return { name, type: T.GRAPH, g: graphToProto(a) };
  }
}

/** Non-graph attributes as typed values (graph attributes are read from the proto directly). */
export function attrsFromProto(list: AttributeProto[] | null | undefined): Attributes {
  const T = onnx.AttributeProto.AttributeType;
  const out: Attributes = {};
  for (const a of list ?? []) {
    const name = a.name ?? '';
    switch (a.type) {
      case T.INT:
        out[name] = { type: 'int', value: int64ToNumber(a.i) };
        break;
      case T.FLOAT:
        out[name] = { type: 'float', value: a.f ?? 0 };
        break;
      case T.STRING:
        out[name] = { type: 'string', value: fromUtf8.decode(a.s ?? new Uint8Array()) };
        break;
      case T.INTS:
        out[name] = { type: 'ints', value: (a.ints ?? []).map(int64ToNumber) };
        break;
      case T.FLOATS:
        out[name] = { type: 'floats', value: a.floats ?? [] };
        break;
      case T.STRINGS:
        out[name] = { type: 'strings', value: (a.strings ?? []).map((s) => fromUtf8.decode(s)) };
        break;
      case T.TENSOR:
        if (a.t) out[name] = { type: 'tensor', value: tensorFromProto(a.t) };
        break;
      default:
        break;
    }
  }
  return out;
}
