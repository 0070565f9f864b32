// The reference library itself, against worked examples from the ONNX operator documentation and hand
// computations (so a bug in the reference cannot silently agree with a bug in a graph).
import * as E from './reference/elementwise.js';
import * as X from './reference/indexing.js';
import * as L from './reference/linalg.js';
import { NDArray } from './reference/ndarray.js';
import * as R from './reference/reduce.js';
import * as S from './reference/shape.js';
import { erf } from './reference/special.js';

const f64 = (shape: number[], v: number[]) => NDArray.from('float64', shape, v);
const i64 = (shape: number[], v: number[]) => NDArray.from('int64', shape, v);

function expectArray(got: NDArray, shape: number[], values: number[], digits = 12) {
  expect(got.shape).toEqual(shape);
  const g = got.values();
  expect(g.length).toBe(values.length);
  g.forEach((v, i) => expect(v).toBeCloseTo(values[i], digits));
}

describe('reference ndarray', () => {
  test('views: transpose, negative strides and broadcasting read the right elements', () => {
    const a = f64([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(a.transpose().values()).toEqual([1, 4, 2, 5, 3, 6]);
    expect(a.stride(1, 2, -1, 3).values()).toEqual([3, 2, 1, 6, 5, 4]);
    expect(f64([3, 1], [1, 2, 3]).broadcastTo([2, 3, 2]).values()).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
    expect(() => f64([2], [1, 2]).broadcastTo([3])).toThrow(/broadcast/);
  });

  test('float32 arrays store float32-rounded values', () => {
    expect(NDArray.from('float32', [1], [0.1]).values()[0]).toBe(Math.fround(0.1));
    expect(NDArray.from('int64', [2], [2.7, -2.7]).values()).toEqual([2, -2]);
  });
});

describe('reference ops (ONNX documentation examples)', () => {
  test('Slice examples 1 and 2', () => {
    const data = f64([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    expectArray(S.slice(data, [1, 0], [2, 3], [0, 1], [1, 2]), [1, 2], [5, 7]);
    expectArray(S.slice(data, [0, 1], [-1, 1000]), [1, 3], [2, 3, 4]);
    expectArray(S.slice(f64([5], [0, 1, 2, 3, 4]), [-1], [-Infinity], [0], [-2]), [3], [4, 2, 0]);
  });

  test('Gather axis 0 and axis 1', () => {
    const d0 = f64([3, 2], [1.0, 1.2, 2.3, 3.4, 4.5, 5.7]);
    expectArray(X.gather(d0, i64([2, 2], [0, 1, 1, 2]), 0), [2, 2, 2], [1.0, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7]);
    const d1 = f64([3, 3], [1.0, 1.2, 1.9, 2.3, 3.4, 3.9, 4.5, 5.7, 5.9]);
    expectArray(X.gather(d1, i64([1, 2], [0, 2]), 1), [3, 1, 2], [1.0, 1.9, 2.3, 3.9, 4.5, 5.9]);
  });

  test('GatherElements, GatherND (batch_dims 0 and 1)', () => {
    expectArray(X.gatherElements(f64([2, 2], [1, 2, 3, 4]), i64([2, 2], [0, 0, 1, 0]), 1), [2, 2], [1, 1, 4, 3]);
    const d = f64([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
    expectArray(X.gatherND(d, i64([2, 2], [0, 1, 1, 0])), [2, 2], [2, 3, 4, 5]);
    expectArray(X.gatherND(d, i64([2, 1], [1, 0]), 1), [2, 2], [2, 3, 4, 5]);
  });

  test('ScatterElements and ScatterND (with reduction add)', () => {
    const s = X.scatterElements(f64([1, 5], [1, 2, 3, 4, 5]), i64([1, 2], [1, 3]), f64([1, 2], [1.1, 2.1]), 1);
    expectArray(s, [1, 5], [1, 1.1, 3, 2.1, 5]);
    const nd = X.scatterND(f64([8], [1, 2, 3, 4, 5, 6, 7, 8]), i64([4, 1], [4, 3, 1, 7]), f64([4], [9, 10, 11, 12]));
    expectArray(nd, [8], [1, 11, 3, 10, 9, 6, 7, 12]);
    const add = X.scatterND(f64([3], [1, 1, 1]), i64([3, 1], [0, 0, 2]), f64([3], [5, 7, 2]), 'add');
    expectArray(add, [3], [13, 1, 3]);
  });

  test('Pad reflect and edge', () => {
    const d = f64([3, 2], [1.0, 1.2, 2.3, 3.4, 4.5, 5.7]);
    expectArray(S.pad(d, [0, 2, 0, 0], 'reflect'), [3, 4], [1.0, 1.2, 1.0, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7, 4.5, 5.7]);
    expectArray(S.pad(d, [0, 2, 0, 0], 'edge'), [3, 4], [1.0, 1.0, 1.0, 1.2, 2.3, 2.3, 2.3, 3.4, 4.5, 4.5, 4.5, 5.7]);
  });

  test('CumSum exclusive and reverse', () => {
    const x = f64([5], [1, 2, 3, 4, 5]);
    expectArray(R.cumSum(x, 0, true, false), [5], [0, 1, 3, 6, 10]);
    expectArray(R.cumSum(x, 0, false, true), [5], [15, 14, 12, 9, 5]);
    expectArray(R.cumSum(x, 0, true, true), [5], [14, 12, 9, 5, 0]);
  });

  test('Mod with fmod 0 (integers) and 1 (floats)', () => {
    const a = i64([6], [-4, 7, 5, 4, -7, 8]);
    const b = i64([6], [2, -3, 8, -2, 3, 5]);
    expectArray(E.mod(a, b, false), [6], [0, -2, 5, 0, 2, 3]);
    const fa = f64([6], [-4.3, 7.2, 5.0, 4.3, -7.2, 8.0]);
    const fb = f64([6], [2.1, -3.4, 8.0, -2.1, 3.4, 5.0]);
    expectArray(E.mod(fa, fb, true), [6], [-0.1, 0.4, 5, 0.1, -0.4, 3]);
  });

  test('Conv 5x5 with a 3x3 ones kernel, with and without padding', () => {
    const x = f64([1, 1, 5, 5], [...Array(25).keys()]);
    const w = NDArray.full('float64', [1, 1, 3, 3], 1);
    expectArray(L.conv(x, w, null), [1, 1, 3, 3], [54, 63, 72, 99, 108, 117, 144, 153, 162]);
    const padded = L.conv(x, w, null, { pads: [1, 1, 1, 1] });
    expect(padded.shape).toEqual([1, 1, 5, 5]);
    expect(padded.values().slice(0, 5)).toEqual([12, 21, 27, 33, 24]);
    const strided = L.conv(x, w, null, { pads: [1, 1, 1, 1], strides: [2, 2] });
    expectArray(strided, [1, 1, 3, 3], [12, 27, 24, 63, 108, 81, 72, 117, 84]);
  });

  test('MatMul 1-D cases, Gemm, Einsum', () => {
    expectArray(L.matmul(f64([3], [1, 2, 3]), f64([3], [4, 5, 6])), [], [32]);
    expectArray(L.matmul(f64([2], [1, 2]), f64([2, 2], [1, 2, 3, 4])), [2], [7, 10]);
    const g = L.gemm(f64([2, 1], [1, 2]), f64([2, 1], [3, 4]), f64([1], [10]), { transB: true, alpha: 2, beta: 0.5 });
    expectArray(g, [2, 2], [11, 13, 17, 21]);
    expectArray(L.einsum('ij,jk->ik', [f64([1, 2], [1, 2]), f64([2, 1], [3, 4])]), [1, 1], [11]);
    expectArray(L.einsum('ii->i', [f64([2, 2], [1, 2, 3, 4])]), [2], [1, 4]);
    expectArray(L.einsum('ij', [f64([2, 2], [1, 2, 3, 4])]), [2, 2], [1, 2, 3, 4]);
    expectArray(L.einsum('ji', [f64([2, 2], [1, 2, 3, 4])]), [2, 2], [1, 3, 2, 4]);
  });

  test('Range, OneHot, TopK, Trilu, LayerNormalization, Softmax', () => {
    expectArray(S.range(3, 9, 3, 'int64'), [2], [3, 6]);
    expectArray(S.range(10, 4, -2, 'int64'), [3], [10, 8, 6]);
    expectArray(X.oneHot(i64([3], [1, -1, 5]), 3, 0, 1, -1, 'float64'), [3, 3], [0, 1, 0, 0, 0, 1, 0, 0, 0]);
    const [v, i] = R.topK(f64([3, 4], [...Array(12).keys()]), 3, 1, true);
    expectArray(v, [3, 3], [3, 2, 1, 7, 6, 5, 11, 10, 9]);
    expectArray(i, [3, 3], [3, 2, 1, 3, 2, 1, 3, 2, 1]);
    expectArray(S.trilu(f64([2, 3], [1, 2, 3, 4, 5, 6]), true, 1), [2, 3], [0, 2, 3, 0, 0, 6]);
    const ln = R.layerNormalization(f64([3], [1, 2, 3]), f64([3], [1, 1, 1]), null, -1, 0);
    expectArray(ln, [3], [-Math.sqrt(1.5), 0, Math.sqrt(1.5)]);
    expectArray(R.softmax(f64([2], [0, Math.log(3)]), -1), [2], [0.25, 0.75]);
  });

  test('erf against tabulated values', () => {
    const table: Array<[number, number]> = [
      [0, 0],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [-1.7, -0.9837904585907746],
      [2.5, 0.999593047982555],
      [3, 0.9999779095030014],
    ];
    for (const [x, want] of table) expect(Math.abs(erf(x) - want)).toBeLessThan(1e-14);
  });
});
