/** Conversions between host tensors and ONNX Runtime JS tensors (shared by the node and web adapters; no copies). */
import type { Tensor as OrtTensor, TypedTensor } from 'onnxruntime-common';
import type { HostTensor, TensorDType, HostTensorData } from './tensor.js';

type OrtTensorCtor = new (type: TypedTensor<'float32'>['type'] | string, data: HostTensorData, dims: readonly number[]) => OrtTensor;

export function toOrtFeeds(Ctor: unknown, feeds: Record<string, HostTensor>): Record<string, OrtTensor> {
  const C = Ctor as OrtTensorCtor;
  const out: Record<string, OrtTensor> = {};
  for (const [name, t] of Object.entries(feeds)) out[name] = new C(t.dtype, t.data, t.dims);
  return out;
}

export function fromOrtTensor(t: OrtTensor): HostTensor {
  const dtype = t.type as TensorDType;
  let data = t.data as HostTensorData;
  if (dtype === 'bool' && !(data instanceof Uint8Array)) data = Uint8Array.from(data as unknown as ArrayLike<number>);
  return { dtype, dims: [...t.dims], data };
}
