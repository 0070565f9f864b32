/** Shape and layout ops (ONNX Reshape, Slice, Concat, Split, Squeeze, Pad, Tile, Trilu, Range, ...). */
import { axisOf, broadcastShapes, forEachIndex, NDArray, numel, type RefDType } from './ndarray.js';

/** Reshape: 0 copies the input's dim at that position (unless allowzero), one -1 takes what is left. */
export function reshape(x: NDArray, target: readonly number[], allowzero = false): NDArray {
  const shape = target.map((d, i) => (d === 0 && !allowzero ? x.shape[i] : d));
  const k = shape.indexOf(-1);
  if (k >= 0) {
    const rest = numel(shape.filter((_, i) => i !== k));
    shape[k] = x.size / rest;
  }
  return x.reshape(shape);
}

/**
 * Slice (opset 13): per listed axis, negative starts/ends count from the end; with step > 0 both clamp to
 * [0, dim], with step < 0 start clamps to [0, dim-1] and end to [-1, dim-1].
 */
export function slice(
  x: NDArray,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
  steps?: readonly number[],
): NDArray {
  let v = x;
  const ax = axes ?? starts.map((_, i) => i);
  ax.forEach((a0, j) => {
    const a = axisOf(a0, x.rank);
    const d = x.shape[a];
    const step = steps ? steps[j] : 1;
    let s = starts[j] < 0 ? starts[j] + d : starts[j];
    let e = ends[j] < 0 ? ends[j] + d : ends[j];
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    const count = Math.max(0, Math.ceil((e - s) / step));
    v = v.stride(a, s, step, count);
  });
  return v.copy();
}

export function concat(xs: readonly NDArray[], axis: number): NDArray {
  const a = axisOf(axis, xs[0].rank);
  const shape = [...xs[0].shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  return NDArray.build(xs[0].dtype, shape, (idx) => {
    let i = idx[a];
    for (const x of xs) {
      if (i < x.shape[a]) return x.at(idx.map((v, k) => (k === a ? i : v)));
      i -= x.shape[a];
    }
    throw new Error('unreachable');
  });
}

/** Split along axis into pieces of the given sizes, or into `sizes` equal pieces when it is a number. */
export function split(x: NDArray, sizes: number | readonly number[], axis: number): NDArray[] {
  const a = axisOf(axis, x.rank);
  const parts = typeof sizes === 'number' ? Array.from({ length: sizes }, () => x.shape[a] / sizes) : sizes;
  let start = 0;
  return parts.map((n) => {
    const piece = x.stride(a, start, 1, n).copy();
    start += n;
    return piece;
  });
}

/** Squeeze the listed axes (which must have size 1), or every size-1 axis. */
export function squeeze(x: NDArray, axes?: readonly number[]): NDArray {
  const set = new Set(axes ? axes.map((a) => axisOf(a, x.rank)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of set) if (x.shape[a] !== 1) throw new Error(`reference Squeeze: dim ${a} is ${x.shape[a]}`);
  return x.reshape(x.shape.filter((_, i) => !set.has(i)));
}

/** Unsqueeze: axes refer to the output's rank (rank + number of axes), negative ones count from its end. */
export function unsqueeze(x: NDArray, axes: readonly number[]): NDArray {
  const r = x.rank + axes.length;
  const set = new Set(axes.map((a) => axisOf(a, r)));
  const rest = [...x.shape];
  return x.reshape(Array.from({ length: r }, (_, i) => (set.has(i) ? 1 : rest.shift()!)));
}

/** Expand: broadcast x against `shape` (either may be the larger). */
export function expand(x: NDArray, shape: readonly number[]): NDArray {
  return x.broadcastTo(broadcastShapes(x.shape, shape)).copy();
}

export function tile(x: NDArray, repeats: readonly number[]): NDArray {
  return NDArray.build(
    x.dtype,
    x.shape.map((d, i) => d * repeats[i]),
    (idx) => x.at(idx.map((v, i) => v % x.shape[i])),
  );
}

/**
 * Pad (opset 13..17) with pads = [begin_0..begin_{r-1}, end_0..end_{r-1}] (negative pads crop). constant fills
 * with `value`, reflect mirrors without repeating the edge, edge repeats the edge.
 */
export function pad(x: NDArray, pads: readonly number[], mode: 'constant' | 'reflect' | 'edge', value = 0): NDArray {
  const r = x.rank;
  const shape = x.shape.map((d, i) => d + pads[i] + pads[i + r]);
  return NDArray.build(x.dtype, shape, (idx) => {
    const src: number[] = [];
    for (let i = 0; i < r; i++) {
      const d = x.shape[i];
      let j = idx[i] - pads[i];
      if (j < 0 || j >= d) {
        if (mode === 'constant') return value;
        if (mode === 'edge') j = j < 0 ? 0 : d - 1;
        else {
          const period = 2 * (d - 1);
          j = ((j % period) + period) % period;
          if (j >= d) j = period - j;
        }
      }
      src.push(j);
    }
    return x.at(src);
  });
}

/** Flatten to 2-D: [prod(dims before axis), prod(dims from axis)]; axis in [-r, r]. */
export function flatten(x: NDArray, axis: number): NDArray {
  const a = axis < 0 ? axis + x.rank : axis;
  return x.reshape([numel(x.shape.slice(0, a)), numel(x.shape.slice(a))]);
}

/** Trilu on the last two axes: upper keeps j - i >= k, lower keeps j - i <= k. */
export function trilu(x: NDArray, upper: boolean, k: number): NDArray {
  const r = x.rank;
  return NDArray.build(x.dtype, x.shape, (idx) => {
    const d = idx[r - 1] - idx[r - 2];
    return (upper ? d >= k : d <= k) ? x.at(idx) : 0;
  });
}

/** Shape(x)[start:end] with negative start/end counting from the end, both clamped to [0, rank]. */
export function shapeOf(x: NDArray, start = 0, end = x.rank): NDArray {
  const clampAxis = (v: number) => Math.min(Math.max(v < 0 ? v + x.rank : v, 0), x.rank);
  const s = clampAxis(start);
  const e = clampAxis(end);
  const dims = x.shape.slice(s, Math.max(s, e));
  return NDArray.from('int64', [dims.length], dims);
}

export function sizeOf(x: NDArray): NDArray {
  return NDArray.scalar('int64', x.size);
}

export function constantOfShape(shape: readonly number[], value: number, dtype: RefDType): NDArray {
  return NDArray.full(dtype, shape, value);
}

/** Range: max(ceil((limit - start) / delta), 0) elements start + i * delta. */
export function range(start: number, limit: number, delta: number, dtype: RefDType): NDArray {
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  return NDArray.from(
    dtype,
    [n],
    Array.from({ length: n }, (_, i) => start + i * delta),
  );
}

/** Every element, as a row-major list of multi-indices (for tests that need coordinates). */
export function indexList(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  forEachIndex(shape, (idx) => out.push([...idx]));
  return out;
}
