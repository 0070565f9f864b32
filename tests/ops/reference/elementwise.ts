/** Elementwise reference ops with numpy broadcasting (ONNX Add, Mul, Pow, Where, Cast, comparisons, unary math). */
import { broadcastShapes, forEachIndex, NDArray, numel, storeAs, type RefDType } from './ndarray.js';
import { erf as erfScalar } from './special.js';

/** Applies f elementwise over the broadcast of the inputs; the result has dtype `dtype` (default: the first input's). */
export function zipWith(inputs: readonly NDArray[], f: (...v: number[]) => number, dtype: RefDType = inputs[0].dtype): NDArray {
  const shape = broadcastShapes(...inputs.map((a) => a.shape));
  const views = inputs.map((a) => a.broadcastTo(shape));
  const buf = new Float64Array(numel(shape));
  const vals = new Array<number>(inputs.length);
  forEachIndex(shape, (idx, flat) => {
    for (let k = 0; k < views.length; k++) vals[k] = views[k].at(idx);
    buf[flat] = storeAs(dtype, f(...vals));
  });
  return new NDArray(dtype, shape, buf);
}

export function map(a: NDArray, f: (v: number) => number, dtype: RefDType = a.dtype): NDArray {
  return zipWith([a], f, dtype);
}

function sameType(ops: string, ...xs: NDArray[]): RefDType {
  for (const x of xs) if (x.dtype !== xs[0].dtype) throw new Error(`reference ${ops}: dtypes differ`);
  return xs[0].dtype;
}

const isInt = (a: NDArray) => a.dtype === 'int64';

export const add = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => x + y, sameType('Add', a, b));
export const sub = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => x - y, sameType('Sub', a, b));
export const mul = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => x * y, sameType('Mul', a, b));
/** Div; integer division truncates toward zero (C semantics, as ONNX Runtime does). */
export const div = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => (isInt(a) ? Math.trunc(x / y) : x / y), sameType('Div', a, b));
/** Pow: the result has the base's type. */
export const pow = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => Math.pow(x, y), a.dtype);

/**
 * Mod. fmod=1: C fmod, the result takes the dividend's sign. fmod=0 (integers only): the result takes the
 * divisor's sign, like Python's %.
 */
export function mod(a: NDArray, b: NDArray, fmod: boolean): NDArray {
  return zipWith(
    [a, b],
    (x, y) => {
      const r = x % y; // JS % is C fmod
      if (fmod) return r;
      return r !== 0 && r < 0 !== y < 0 ? r + y : r;
    },
    sameType('Mod', a, b),
  );
}

export const max = (xs: NDArray[]) => zipWith(xs, (...v) => Math.max(...v), sameType('Max', ...xs));
export const min = (xs: NDArray[]) => zipWith(xs, (...v) => Math.min(...v), sameType('Min', ...xs));
export const sum = (xs: NDArray[]) => zipWith(xs, (...v) => v.reduce((s, x) => s + x, 0), sameType('Sum', ...xs));

export const sqrt = (a: NDArray) => map(a, Math.sqrt);
export const exp = (a: NDArray) => map(a, Math.exp);
export const log = (a: NDArray) => map(a, Math.log);
export const erf = (a: NDArray) => map(a, erfScalar);
export const tanh = (a: NDArray) => map(a, Math.tanh);
export const relu = (a: NDArray) => map(a, (x) => (x > 0 ? x : 0));
export const sigmoid = (a: NDArray) => map(a, (x) => 1 / (1 + Math.exp(-x)));
export const neg = (a: NDArray) => map(a, (x) => -x);
export const abs = (a: NDArray) => map(a, Math.abs);
export const reciprocal = (a: NDArray) => map(a, (x) => 1 / x);
export const floor = (a: NDArray) => map(a, Math.floor);
export const ceil = (a: NDArray) => map(a, Math.ceil);
export const sign = (a: NDArray) => map(a, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0));

export const equal = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => +(x === y), 'bool');
export const less = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => +(x < y), 'bool');
export const greater = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => +(x > y), 'bool');
export const lessOrEqual = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => +(x <= y), 'bool');
export const greaterOrEqual = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => +(x >= y), 'bool');
export const not = (a: NDArray) => map(a, (x) => +!x, 'bool');
export const and = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => +(!!x && !!y), 'bool');
export const or = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => +(!!x || !!y), 'bool');
export const xor = (a: NDArray, b: NDArray) => zipWith([a, b], (x, y) => +(!!x !== !!y), 'bool');

/** Where(cond, x, y) with three-way broadcasting. */
export function where(cond: NDArray, x: NDArray, y: NDArray): NDArray {
  return zipWith([cond, x, y], (c, a, b) => (c ? a : b), sameType('Where', x, y));
}

/** Cast: float to int truncates toward zero, to bool is "non-zero", to float32 rounds to nearest. */
export function cast(a: NDArray, to: RefDType): NDArray {
  return map(a, (x) => x, to);
}

/** Clip to [lo, hi]; an omitted bound is open. */
export function clip(a: NDArray, lo: number | null, hi: number | null): NDArray {
  return map(a, (x) => Math.min(Math.max(x, lo ?? -Infinity), hi ?? Infinity));
}
