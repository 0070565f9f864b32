/** Reductions (ONNX Reduce*, ArgMax/ArgMin, TopK, CumSum, Softmax family, LayerNormalization). */
import { axisOf, forEachIndex, NDArray, type RefDType } from './ndarray.js';

/**
 * Reduces over `axes` (all axes when undefined or empty, unless noopWithEmptyAxes) with `combine` applied to the
 * reduced values in row-major order.
 */
export function reduce(
  x: NDArray,
  axes: readonly number[] | undefined,
  keepdims: boolean,
  combine: (vals: number[]) => number,
  options: { noopWithEmptyAxes?: boolean; dtype?: RefDType } = {},
): NDArray {
  if (axes !== undefined && axes.length === 0 && options.noopWithEmptyAxes) return x.copy();
  const set = new Set(axes && axes.length ? axes.map((a) => axisOf(a, x.rank)) : x.shape.map((_, i) => i));
  const keptShape = x.shape.map((d, i) => (set.has(i) ? 1 : d));
  const redShape = x.shape.map((d, i) => (set.has(i) ? d : 1));
  const outShape = keepdims ? keptShape : x.shape.filter((_, i) => !set.has(i));
  const out: number[] = [];
  forEachIndex(keptShape, (base) => {
    const b = [...base];
    const vals: number[] = [];
    forEachIndex(redShape, (r) => {
      vals.push(x.at(b.map((v, i) => v + r[i])));
    });
    out.push(combine(vals));
  });
  return NDArray.from(options.dtype ?? x.dtype, outShape, out);
}

const sumOf = (v: number[]) => v.reduce((s, x) => s + x, 0);

type R = (x: NDArray, axes: readonly number[] | undefined, keepdims: boolean) => NDArray;
export const reduceSum: R = (x, axes, k) => reduce(x, axes, k, sumOf);
export const reduceMean: R = (x, axes, k) => reduce(x, axes, k, (v) => sumOf(v) / v.length);
export const reduceMax: R = (x, axes, k) => reduce(x, axes, k, (v) => Math.max(...v));
export const reduceMin: R = (x, axes, k) => reduce(x, axes, k, (v) => Math.min(...v));
export const reduceProd: R = (x, axes, k) => reduce(x, axes, k, (v) => v.reduce((p, t) => p * t, 1));
export const reduceSumSquare: R = (x, axes, k) => reduce(x, axes, k, (v) => sumOf(v.map((t) => t * t)));
export const reduceL2: R = (x, axes, k) => reduce(x, axes, k, (v) => Math.sqrt(sumOf(v.map((t) => t * t))));
export const reduceLogSumExp: R = (x, axes, k) => reduce(x, axes, k, (v) => Math.log(sumOf(v.map(Math.exp))));

/** ArgMax/ArgMin along one axis: the first (or, with selectLast, the last) index of the extreme value. */
export function argExtreme(x: NDArray, axis: number, keepdims: boolean, largest: boolean, selectLast: boolean): NDArray {
  return reduce(
    x,
    [axis],
    keepdims,
    (v) => {
      let best = 0;
      for (let i = 1; i < v.length; i++) {
        const better = largest ? v[i] > v[best] : v[i] < v[best];
        if (better || (selectLast && v[i] === v[best])) best = i;
      }
      return best;
    },
    { dtype: 'int64' },
  );
}

/** Moves `axis` to the end, applies fn to every 1-D lane (returning a lane of length m), moves it back. */
export function alongAxis(x: NDArray, axis: number, fn: (lane: number[]) => number[], dtype: RefDType = x.dtype): NDArray {
  const a = axisOf(axis, x.rank);
  const perm = [...x.shape.keys()].filter((i) => i !== a).concat([a]);
  const moved = x.transpose(perm);
  const outerShape = moved.shape.slice(0, -1);
  const n = x.shape[a];
  const out: number[] = [];
  let m = -1;
  forEachIndex(outerShape, (outer) => {
    const lane = Array.from({ length: n }, (_, j) => moved.at([...outer, j]));
    const r = fn(lane);
    m = r.length;
    out.push(...r);
  });
  if (m < 0) m = n;
  const movedOut = NDArray.from(dtype, [...outerShape, m], out);
  const inv = perm.map((_, i) => perm.indexOf(i));
  return movedOut.transpose(inv).copy();
}

/** TopK: the k largest (or smallest) along axis, ties broken by the lower index; values and int64 indices. */
export function topK(x: NDArray, k: number, axis: number, largest: boolean): [NDArray, NDArray] {
  const order = (lane: number[]) =>
    lane
      .map((v, i) => [v, i] as const)
      .sort((p, q) => (p[0] === q[0] ? p[1] - q[1] : largest ? q[0] - p[0] : p[0] - q[0]))
      .slice(0, k);
  return [alongAxis(x, axis, (lane) => order(lane).map((p) => p[0])), alongAxis(x, axis, (lane) => order(lane).map((p) => p[1]), 'int64')];
}

/** CumSum along axis; exclusive leaves out the current element, reverse sums from the end. */
export function cumSum(x: NDArray, axis: number, exclusive: boolean, reverse: boolean): NDArray {
  return alongAxis(x, axis, (lane) => {
    const n = lane.length;
    const out = new Array<number>(n);
    let s = 0;
    for (let t = 0; t < n; t++) {
      const i = reverse ? n - 1 - t : t;
      if (exclusive) {
        out[i] = s;
        s += lane[i];
      } else {
        s += lane[i];
        out[i] = s;
      }
    }
    return out;
  });
}

/** Softmax along one axis (opset 13): exp(x - max) / sum. */
export function softmax(x: NDArray, axis: number): NDArray {
  return alongAxis(x, axis, (lane) => {
    const m = Math.max(...lane);
    const e = lane.map((v) => Math.exp(v - m));
    const s = sumOf(e);
    return e.map((v) => v / s);
  });
}

export function logSoftmax(x: NDArray, axis: number): NDArray {
  return alongAxis(x, axis, (lane) => {
    const m = Math.max(...lane);
    const lse = m + Math.log(sumOf(lane.map((v) => Math.exp(v - m))));
    return lane.map((v) => v - lse);
  });
}

/**
 * LayerNormalization (opset 17): normalise over axes [axis, rank) with mean and biased variance, then
 * y = (x - mean) / sqrt(var + epsilon) * scale + bias (scale and bias broadcast to the normalised shape).
 */
export function layerNormalization(x: NDArray, scale: NDArray, bias: NDArray | null, axis: number, epsilon: number): NDArray {
  const a = axisOf(axis, x.rank);
  const normShape = x.shape.slice(a);
  const s = scale.broadcastTo(normShape);
  const b = bias?.broadcastTo(normShape);
  const groups = x.shape.slice(0, a);
  const out = new Array<number>(x.size);
  let flat = 0;
  forEachIndex(groups, (g) => {
    const head = [...g];
    const vals: number[] = [];
    forEachIndex(normShape, (r) => {
      vals.push(x.at([...head, ...r]));
    });
    const mean = sumOf(vals) / vals.length;
    const variance = sumOf(vals.map((v) => (v - mean) ** 2)) / vals.length;
    const inv = 1 / Math.sqrt(variance + epsilon);
    let k = 0;
    forEachIndex(normShape, (r) => {
      out[flat++] = (vals[k++] - mean) * inv * s.at(r) + (b ? b.at(r) : 0);
    });
  });
  return NDArray.from(x.dtype, x.shape, out);
}
