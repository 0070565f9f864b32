/**
 * Host tensors: the one tensor type the rest of hybridoc passes around (dtype, dims, typed array).
 * Backends convert to and from their own tensor classes without copying the data.
 */
export type TensorDType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'uint8' | 'int8';

export type HostTensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

export interface HostTensor {
  dtype: TensorDType;
  dims: readonly number[];
  data: HostTensorData;
}

const CTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
  bool: Uint8Array,
  uint8: Uint8Array,
  int8: Int8Array,
} as const;

export function numel(dims: readonly number[]): number {
  return dims.reduce((a, d) => a * d, 1);
}

/** Make a host tensor, checking that the data length matches the dims. */
export function tensor(
  dtype: TensorDType,
  dims: readonly number[],
  data?: HostTensorData | ArrayLike<number> | ArrayLike<bigint>,
): HostTensor {
  const n = numel(dims);
  let out: HostTensorData;
  if (data === undefined) out = new CTORS[dtype](n);
  else if (ArrayBuffer.isView(data) && data.constructor === CTORS[dtype]) out = data as HostTensorData;
  else if (dtype === 'int64') out = BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
  else out = (CTORS[dtype] as { from(a: ArrayLike<number>): HostTensorData }).from(Array.from(data as ArrayLike<number>, Number));
  if (out.length !== n) throw new Error(`tensor: ${out.length} values do not fill dims [${dims.join(', ')}] (${n})`);
  return { dtype, dims: [...dims], data: out };
}

export const f32 = (dims: readonly number[], data?: ArrayLike<number>) => tensor('float32', dims, data as ArrayLike<number>);
export const f64 = (dims: readonly number[], data?: ArrayLike<number>) => tensor('float64', dims, data as ArrayLike<number>);
export const i64 = (dims: readonly number[], data?: ArrayLike<number> | ArrayLike<bigint>) => tensor('int64', dims, data);
export const scalar = (dtype: TensorDType, value: number) => tensor(dtype, [], [value]);

/** Values as plain numbers (int64 converted; fine for tests and small tensors). */
export function toNumbers(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}
