// MatMul, Gemm, Einsum, Conv.
import type { OpCase } from '../harness.js';
import * as L from '../reference/linalg.js';
import { attrF, F } from './common.js';

const matmulCases: OpCase[] = [
  { id: '1-D x 1-D (dot product, scalar)', a: [5], b: [5] },
  { id: '1-D x 2-D', a: [4], b: [4, 3] },
  { id: '2-D x 1-D', a: [3, 4], b: [4] },
  { id: '2-D x 2-D', a: [3, 4], b: [4, 2] },
  { id: 'batched [2,3,4] x [4,5]', a: [2, 3, 4], b: [4, 5] },
  { id: 'batch broadcast [2,1,3,4] x [3,4,2]', a: [2, 1, 3, 4], b: [3, 4, 2] },
  { id: '1-D x batched [2,4,3]', a: [4], b: [2, 4, 3] },
].map(({ id, a, b }): OpCase => ({
  method: 'matmul',
  id,
  inputs: [F('a', a), F('b', b)],
  build: (g, [x, y]) => g.matmul(x, y),
  ref: ([x, y]) => L.matmul(x, y),
}));
matmulCases.push({
  method: 'matmul',
  id: "symbolic ['batch','seq',4] x [4,3]",
  inputs: [F('a', ['batch', 'seq', 4], undefined, [2, 3, 4]), F('b', [4, 3])],
  build: (g, [x, y]) => g.matmul(x, y),
  ref: ([x, y]) => L.matmul(x, y),
});

interface GemmVariant {
  id: string;
  a: number[];
  b: number[];
  c?: number[];
  o: { alpha?: number; beta?: number; transA?: boolean; transB?: boolean };
}
const gemmCases: OpCase[] = (
  [
    { id: 'no C', a: [3, 4], b: [4, 2], o: {} },
    { id: 'C [M,N]', a: [3, 4], b: [4, 2], c: [3, 2], o: {} },
    { id: 'C [N] broadcast', a: [3, 4], b: [4, 2], c: [2], o: {} },
    { id: 'C [M,1] broadcast', a: [3, 4], b: [4, 2], c: [3, 1], o: {} },
    { id: 'C scalar', a: [3, 4], b: [4, 2], c: [], o: {} },
    { id: 'transA', a: [4, 3], b: [4, 2], c: [2], o: { transA: true } },
    { id: 'transB', a: [3, 4], b: [2, 4], c: [2], o: { transB: true } },
    { id: 'transA transB alpha 0.7 beta -1.3', a: [4, 3], b: [2, 4], c: [3, 2], o: { transA: true, transB: true, alpha: 0.7, beta: -1.3 } },
    { id: 'alpha 2.5 without C', a: [2, 3], b: [3, 5], o: { alpha: 2.5 } },
  ] as GemmVariant[]
).map(({ id, a, b, c, o }): OpCase => ({
  method: 'gemm',
  id,
  inputs: c ? [F('a', a), F('b', b), F('c', c)] : [F('a', a), F('b', b)],
  build: (g, [x, y, z]) => g.gemm(x, y, z ?? null, o),
  ref: ([x, y, z]) =>
    L.gemm(x, y, z ?? null, {
      ...o,
      alpha: o.alpha === undefined ? undefined : attrF(o.alpha),
      beta: o.beta === undefined ? undefined : attrF(o.beta),
    }),
}));

const einsumCases: OpCase[] = [
  {
    eq: 'ij,jk->ik',
    shapes: [
      [3, 4],
      [4, 2],
    ],
  },
  {
    eq: 'bij,bjk->bik',
    shapes: [
      [2, 3, 4],
      [2, 4, 5],
    ],
  },
  { eq: 'ij->ji', shapes: [[3, 4]] },
  { eq: 'i,i->', shapes: [[6], [6]] },
  { eq: 'bij->bj', shapes: [[2, 3, 4]] },
  {
    eq: 'ij,kj->ikj (outer over i,k)',
    shapes: [
      [2, 3],
      [4, 3],
    ],
  },
  {
    eq: 'ij,jk (implicit output)',
    shapes: [
      [3, 4],
      [4, 2],
    ],
  },
  { eq: 'ii->i (diagonal)', shapes: [[4, 4]] },
  {
    eq: '...ij,...jk->...ik',
    shapes: [
      [2, 3, 4],
      [2, 4, 5],
    ],
  },
  {
    eq: 'bhqd,bhkd->bhqk',
    shapes: [
      [1, 2, 3, 4],
      [1, 2, 5, 4],
    ],
  },
].map(({ eq, shapes }): OpCase => {
  const equation = eq.split(' ')[0];
  return {
    method: 'einsum',
    id: eq,
    inputs: shapes.map((s, i) => F(`x${i}`, s)),
    build: (g, xs) => g.einsum(equation, xs),
    ref: (xs) => L.einsum(equation, xs),
  };
});

interface ConvVariant {
  id: string;
  x: number[];
  w: number[];
  bias?: boolean;
  o: { strides?: number[]; pads?: number[]; dilations?: number[]; group?: number; autoPad?: 'SAME_UPPER' | 'SAME_LOWER' | 'VALID' };
}
const convCases: OpCase[] = (
  [
    { id: '2-D, no padding, no bias', x: [1, 2, 5, 5], w: [3, 2, 3, 3], o: {} },
    { id: '2-D with bias, pads 1, strides 2', x: [2, 2, 5, 6], w: [3, 2, 3, 3], bias: true, o: { pads: [1, 1, 1, 1], strides: [2, 2] } },
    {
      id: '2-D asymmetric pads [0,1,2,0], strides [1,2]',
      x: [1, 3, 4, 5],
      w: [2, 3, 2, 3],
      bias: true,
      o: { pads: [0, 1, 2, 0], strides: [1, 2] },
    },
    { id: '2-D dilations 2', x: [1, 1, 6, 6], w: [2, 1, 2, 2], bias: true, o: { dilations: [2, 2] } },
    { id: '2-D patch embedding (kernel = stride)', x: [1, 3, 8, 8], w: [4, 3, 4, 4], bias: true, o: { strides: [4, 4] } },
    { id: '1-D, pads [2,1], strides 2', x: [2, 3, 7], w: [4, 3, 3], bias: true, o: { pads: [2, 1], strides: [2] } },
    {
      id: '2-D auto_pad SAME_UPPER, strides 2',
      x: [1, 2, 5, 4],
      w: [2, 2, 3, 2],
      bias: true,
      o: { autoPad: 'SAME_UPPER', strides: [2, 2] },
    },
    { id: '2-D group 2', x: [1, 4, 4, 4], w: [6, 2, 3, 3], bias: true, o: { group: 2, pads: [1, 1, 1, 1] } },
  ] as ConvVariant[]
).map(({ id, x, w, bias, o }): OpCase => ({
  method: 'conv',
  id,
  noFloat64: 'Conv',
  inputs: bias ? [F('x', x), F('w', w), F('b', [w[0]])] : [F('x', x), F('w', w)],
  build: (g, [xx, ww, bb]) => g.conv(xx, ww, bb ?? null, o),
  ref: ([xx, ww, bb]) => L.conv(xx, ww, bb ?? null, o),
}));

export const LINALG_CASES: OpCase[] = [...matmulCases, ...gemmCases, ...einsumCases, ...convCases];
