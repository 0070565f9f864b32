/** Indexing ops: Gather, GatherElements, GatherND, ScatterElements, ScatterND, OneHot (negative indices allowed). */
import { axisOf, forEachIndex, NDArray } from './ndarray.js';

const wrap = (i: number, d: number) => {
  const j = i < 0 ? i + d : i;
  if (j < 0 || j >= d) throw new Error(`reference: index ${i} out of range for a dim of ${d}`);
  return j;
};

/** Gather: out[i_0..i_{a-1}, j..., k...] = data[i_0..i_{a-1}, indices[j...], k...]. */
export function gather(data: NDArray, indices: NDArray, axis: number): NDArray {
  const a = axisOf(axis, data.rank);
  const shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)];
  const q = indices.rank;
  return NDArray.build(data.dtype, shape, (idx) => {
    const j = idx.slice(a, a + q);
    return data.at([...idx.slice(0, a), wrap(indices.at(j), data.shape[a]), ...idx.slice(a + q)]);
  });
}

/** GatherElements: out has the indices' shape; out[p] = data[p with p[axis] replaced by indices[p]]. */
export function gatherElements(data: NDArray, indices: NDArray, axis: number): NDArray {
  const a = axisOf(axis, data.rank);
  return NDArray.build(data.dtype, indices.shape, (idx) => {
    const src = [...idx];
    src[a] = wrap(indices.at(idx), data.shape[a]);
    return data.at(src);
  });
}

/**
 * GatherND: the last indices dim (m) indexes the first m data dims after batch_dims; out shape =
 * indices.shape[:-1] + data.shape[batch_dims + m:].
 */
export function gatherND(data: NDArray, indices: NDArray, batchDims = 0): NDArray {
  const m = indices.shape[indices.rank - 1];
  const outShape = [...indices.shape.slice(0, -1), ...data.shape.slice(batchDims + m)];
  const q = indices.rank - 1;
  return NDArray.build(data.dtype, outShape, (idx) => {
    const batch = idx.slice(0, batchDims);
    const head = idx.slice(0, q);
    const tuple = Array.from({ length: m }, (_, k) => wrap(indices.at([...head, k]), data.shape[batchDims + k]));
    return data.at([...batch, ...tuple, ...idx.slice(q)]);
  });
}

type Reduction = 'none' | 'add' | 'mul';
const combine = (r: Reduction, old: number, upd: number) => (r === 'add' ? old + upd : r === 'mul' ? old * upd : upd);

/** ScatterElements: for every index position p, out[p with p[axis] = indices[p]] (op)= updates[p], in order. */
export function scatterElements(data: NDArray, indices: NDArray, updates: NDArray, axis: number, reduction: Reduction = 'none'): NDArray {
  const a = axisOf(axis, data.rank);
  const out = data.copy();
  const strides = out.strides;
  forEachIndex(indices.shape, (idx) => {
    const dst = [...idx];
    dst[a] = wrap(indices.at(idx), data.shape[a]);
    const p = dst.reduce((s, v, k) => s + v * strides[k], 0);
    out.buffer[p] = combine(reduction, out.buffer[p], updates.at(idx));
  });
  return out.copy();
}

/** ScatterND: each index tuple (last indices dim) addresses a slice of data that takes the matching update slice. */
export function scatterND(data: NDArray, indices: NDArray, updates: NDArray, reduction: Reduction = 'none'): NDArray {
  const m = indices.shape[indices.rank - 1];
  const out = data.copy();
  const strides = out.strides;
  const sliceShape = data.shape.slice(m);
  forEachIndex(indices.shape.slice(0, -1), (head) => {
    const h = [...head];
    const tuple = Array.from({ length: m }, (_, k) => wrap(indices.at([...h, k]), data.shape[k]));
    forEachIndex(sliceShape, (rest) => {
      const p = [...tuple, ...rest].reduce((s, v, k) => s + v * strides[k], 0);
      out.buffer[p] = combine(reduction, out.buffer[p], updates.at([...h, ...rest]));
    });
  });
  return out.copy();
}

/**
 * OneHot: a new axis of size depth at `axis` (negative: counted in the output's rank); an index in
 * [-depth, depth) (negative ones wrap) gives on_value at its position, anything else only off_values.
 */
export function oneHot(indices: NDArray, depth: number, off: number, on: number, axis: number, dtype: NDArray['dtype']): NDArray {
  const r = indices.rank + 1;
  const a = axisOf(axis, r);
  const shape = [...indices.shape.slice(0, a), depth, ...indices.shape.slice(a)];
  return NDArray.build(dtype, shape, (idx) => {
    const k = idx[a];
    let i = indices.at([...idx.slice(0, a), ...idx.slice(a + 1)]);
    if (i < 0) i += depth;
    return i === k ? on : off;
  });
}
