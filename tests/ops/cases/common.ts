// Shorthands for the case tables.
import type { Dim } from '@hybridoc/core';
import type { FloatDType, Gen, InputSpec } from '../harness.js';
import { NDArray } from '../reference/ndarray.js';

/** A float input (the variant's float type). */
export const F = (name: string, shape: Dim[], gen?: Gen, dims?: number[]): InputSpec => ({ name, dtype: 'float', shape, gen, dims });
export const I = (name: string, shape: Dim[], gen?: Gen, dims?: number[]): InputSpec => ({ name, dtype: 'int64', shape, gen, dims });
export const B = (name: string, shape: Dim[], gen?: Gen, dims?: number[]): InputSpec => ({ name, dtype: 'bool', shape, gen, dims });

/** A scalar reference value of the variant's float type (a JS number operand becomes one in the graph). */
export const sc = (dt: FloatDType, v: number) => NDArray.scalar(dt, v);
export const sci = (v: number) => NDArray.scalar('int64', v);

/** Float attributes are float32 in ONNX, whatever the tensors' type. */
export const attrF = (v: number) => Math.fround(v);
