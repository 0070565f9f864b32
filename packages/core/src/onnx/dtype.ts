/**
 * Element types of ONNX tensors, named as onnxruntime-common names them ('float32', 'int64', ...), with their
 * TensorProto.DataType codes, byte sizes and typed-array storage; plus TensorValue, a dense tensor value in
 * memory, and its little-endian raw_data encoding.
 */
import { endianness } from 'node:os';

export const DTYPES = [
  'float32',
  'float64',
  'float16',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint64',
  'uint32',
  'uint16',
  'uint8',
  'bool',
] as const;
export type DType = (typeof DTYPES)[number];

/** TensorProto.DataType codes (onnx.proto). */
const CODES: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
};
const BY_CODE = new Map<number, DType>(Object.entries(CODES).map(([k, v]) => [v, k as DType]));

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint64: 8,
  uint32: 4,
  uint16: 2,
  uint8: 1,
  bool: 1,
};

/** The typed array each dtype is stored in (bool as 0/1 bytes, float16 as its raw bits), as onnxruntime does. */
export interface TypedArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint64: BigUint64Array;
  uint32: Uint32Array;
  uint16: Uint16Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}
export type TypedArray = TypedArrayOf[DType];

type TypedArrayCtor = { new (n: number): TypedArray; new (buf: ArrayBuffer, off: number, len: number): TypedArray };
const CTORS: Record<DType, TypedArrayCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint64: BigUint64Array,
  uint32: Uint32Array,
  uint16: Uint16Array,
  uint8: Uint8Array,
  bool: Uint8Array,
} as unknown as Record<DType, TypedArrayCtor>;

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}

export function dtypeToOnnx(dtype: DType): number {
  return CODES[dtype];
}

/** The DType of a TensorProto.DataType code; undefined for types this project does not use (string, bfloat16, complex). */
export function dtypeFromOnnx(code: number): DType | undefined {
  return BY_CODE.get(code);
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

export function isBigIntDType(dtype: DType): dtype is 'int64' | 'uint64' {
  return dtype === 'int64' || dtype === 'uint64';
}

/** A dense tensor value: dims (row-major) and its elements in the dtype's typed array. */
export interface TensorValue<D extends DType = DType> {
  dtype: D;
  dims: readonly number[];
  data: TypedArrayOf[D];
}

export function numElements(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * A TensorValue from JS values: numbers (or bigints) for any dtype, booleans for bool, or a typed array of the
 * dtype's storage type (used as is, not copied). Dims default to 1-D [values.length].
 */
export function tensorValue<D extends DType>(
  dtype: D,
  values: ArrayLike<number> | ArrayLike<bigint> | ArrayLike<boolean> | TypedArrayOf[D],
  dims?: number[],
): TensorValue<D> {
  const n = values.length;
  const shape = dims ?? [n];
  if (numElements(shape) !== n) throw new Error(`tensorValue: ${n} values do not fill dims [${shape.join(', ')}]`);
  const Ctor = CTORS[dtype];
  if (values instanceof (Ctor as unknown as typeof Uint8Array) && !(dtype === 'float16' && !(values instanceof Uint16Array))) {
    return { dtype, dims: [...shape], data: values as TypedArrayOf[D] };
  }
  const out = new Ctor(n);
  const big = isBigIntDType(dtype);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number | bigint | boolean;
    if (big) (out as BigInt64Array)[i] = toBigInt(v, dtype);
    else (out as Float64Array)[i] = typeof v === 'bigint' ? Number(v) : Number(v);
  }
  return { dtype, dims: [...shape], data: out as TypedArrayOf[D] };
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** An int64 element: +-Infinity and out-of-range numbers clamp to the int64 range (Slice ends 'to the end'). */
function toBigInt(v: number | bigint | boolean, dtype: DType): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (v >= 2 ** 63) return dtype === 'uint64' && v < 2 ** 64 ? BigInt(v) : INT64_MAX;
  if (v <= -(2 ** 63)) return INT64_MIN;
  if (!Number.isInteger(v)) throw new Error(`tensorValue: ${v} is not an integer (${dtype})`);
  return BigInt(v);
}

/** The elements as JS numbers (int64 through Number(), exact below 2^53). */
export function tensorToNumbers(t: TensorValue): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** The little-endian bytes of the elements (a view, no copy, on little-endian machines). */
export function toRawData(t: TensorValue): Uint8Array {
  const a = t.data;
  if (LITTLE_ENDIAN || BYTES_PER_ELEMENT[t.dtype] === 1) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  const size = BYTES_PER_ELEMENT[t.dtype];
  for (let i = 0; i < a.length; i++) writeLE(view, i * size, t.dtype, a[i]);
  return out;
}

/** Elements from little-endian bytes (copied, so the result is aligned and owns its memory). */
export function fromRawData<D extends DType>(dtype: D, bytes: Uint8Array, dims: number[]): TensorValue<D> {
  const size = BYTES_PER_ELEMENT[dtype];
  const n = numElements(dims);
  if (bytes.byteLength !== n * size) {
    throw new Error(`raw_data has ${bytes.byteLength} bytes, dims [${dims.join(', ')}] of ${dtype} need ${n * size}`);
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  if (LITTLE_ENDIAN || size === 1) return { dtype, dims: [...dims], data: new CTORS[dtype](copy.buffer, 0, n) as TypedArrayOf[D] };
  const out = new CTORS[dtype](n);
  const view = new DataView(copy.buffer);
  for (let i = 0; i < n; i++) (out as unknown as Array<number | bigint>)[i] = readLE(view, i * size, dtype);
  return { dtype, dims: [...dims], data: out as TypedArrayOf[D] };
}

function writeLE(view: DataView, off: number, dtype: DType, v: number | bigint): void {
  switch (dtype) {
    case 'float32':
      return view.setFloat32(off, v as number, true);
    case 'float64':
      return view.setFloat64(off, v as number, true);
    case 'int64':
      return view.setBigInt64(off, v as bigint, true);
    case 'uint64':
      return view.setBigUint64(off, v as bigint, true);
    case 'int32':
      return view.setInt32(off, v as number, true);
    case 'uint32':
      return view.setUint32(off, v as number, true);
    case 'int16':
      return view.setInt16(off, v as number, true);
    case 'uint16':
    case 'float16':
      return view.setUint16(off, v as number, true);
    default:
      return view.setUint8(off, v as number);
  }
}

function readLE(view: DataView, off: number, dtype: DType): number | bigint {
  switch (dtype) {
    case 'float32':
      return view.getFloat32(off, true);
    case 'float64':
      return view.getFloat64(off, true);
    case 'int64':
      return view.getBigInt64(off, true);
    case 'uint64':
      return view.getBigUint64(off, true);
    case 'int32':
      return view.getInt32(off, true);
    case 'uint32':
      return view.getUint32(off, true);
    case 'int16':
      return view.getInt16(off, true);
    case 'uint16':
    case 'float16':
      return view.getUint16(off, true);
    default:
      return view.getUint8(off);
  }
}
