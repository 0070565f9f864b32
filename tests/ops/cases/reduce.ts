// Reductions and normalisations: Reduce*, ArgMax/ArgMin, TopK, CumSum, Softmax, LogSoftmax, LayerNormalization.
import { fixed, ints, uniform, type OpCase } from '../harness.js';
import * as R from '../reference/reduce.js';
import { NDArray } from '../reference/ndarray.js';
import { attrF, F, I } from './common.js';

const reduceSumCases: OpCase[] = [
  {
    method: 'reduceSum',
    id: 'axes [1] keepdims 1',
    inputs: [F('x', [2, 3, 4])],
    build: (b, [x]) => b.reduceSum(x, [1]),
    ref: ([x]) => R.reduceSum(x, [1], true),
  },
  {
    method: 'reduceSum',
    id: 'axes [-1] keepdims 0',
    inputs: [F('x', [2, 3, 4])],
    build: (b, [x]) => b.reduceSum(x, [-1], { keepdims: false }),
    ref: ([x]) => R.reduceSum(x, [-1], false),
  },
  {
    method: 'reduceSum',
    id: 'axes [0, -1] keepdims 0, symbolic middle dim',
    inputs: [F('x', [2, 'seq', 4], undefined, [2, 5, 4])],
    build: (b, [x]) => b.reduceSum(x, [0, -1], { keepdims: false }),
    ref: ([x]) => R.reduceSum(x, [0, -1], false),
  },
  {
    method: 'reduceSum',
    id: 'no axes: everything, keepdims 1',
    inputs: [F('x', [3, 4])],
    build: (b, [x]) => b.reduceSum(x),
    ref: ([x]) => R.reduceSum(x, undefined, true),
  },
  {
    method: 'reduceSum',
    id: 'no axes: everything, keepdims 0 (scalar)',
    inputs: [F('x', [3, 4])],
    build: (b, [x]) => b.reduceSum(x, null, { keepdims: false }),
    ref: ([x]) => R.reduceSum(x, undefined, false),
  },
  {
    method: 'reduceSum',
    id: 'empty axes with noop_with_empty_axes (identity)',
    inputs: [F('x', [2, 3])],
    build: (b, [x]) => b.reduceSum(x, [], { noopWithEmptyAxes: true }),
    ref: ([x]) => x,
  },
  {
    method: 'reduceSum',
    id: 'axes as a graph input (runtime), keepdims 1',
    declared: 'rank',
    inputs: [F('x', [2, 3, 4]), I('axes', [2], fixed([0, -1]))],
    build: (b, [x, axes]) => b.reduceSum(x, axes),
    ref: ([x]) => R.reduceSum(x, [0, -1], true),
  },
  {
    method: 'reduceSum',
    id: 'axes as a graph input (runtime), keepdims 0',
    declared: 'any',
    inputs: [F('x', [2, 3, 4]), I('axes', [1], fixed([1]))],
    build: (b, [x, axes]) => b.reduceSum(x, axes, { keepdims: false }),
    ref: ([x]) => R.reduceSum(x, [1], false),
  },
  {
    method: 'reduceSum',
    id: 'int64 axes [0]',
    floatTypes: 'nofloat',
    inputs: [I('x', [3, 2])],
    build: (b, [x]) => b.reduceSum(x, [0], { keepdims: false }),
    ref: ([x]) => R.reduceSum(x, [0], false),
  },
];

type AttrReduce = 'reduceMean' | 'reduceMax' | 'reduceMin' | 'reduceLogSumExp' | 'reduceSumSquare' | 'reduceProd' | 'reduceL2';
const ATTR_REDUCE: Record<AttrReduce, (x: NDArray, axes: number[] | undefined, keep: boolean) => NDArray> = {
  reduceMean: R.reduceMean,
  reduceMax: R.reduceMax,
  reduceMin: R.reduceMin,
  reduceLogSumExp: R.reduceLogSumExp,
  reduceSumSquare: R.reduceSumSquare,
  reduceProd: R.reduceProd,
  reduceL2: R.reduceL2,
};

const attrReduceCases: OpCase[] = (Object.keys(ATTR_REDUCE) as AttrReduce[]).flatMap((method): OpCase[] => {
  const f = ATTR_REDUCE[method];
  const gen = method === 'reduceProd' ? uniform(0.5, 1.5) : undefined;
  return [
    {
      method,
      id: 'axes [-1] keepdims 0',
      inputs: [F('x', [2, 3, 4], gen)],
      build: (b, [x]) => b[method](x, [-1], { keepdims: false }),
      ref: ([x]) => f(x, [-1], false),
    },
    {
      method,
      id: 'axes [0, 2] keepdims 1',
      inputs: [F('x', [2, 3, 4], gen)],
      build: (b, [x]) => b[method](x, [0, 2]),
      ref: ([x]) => f(x, [0, 2], true),
    },
    {
      method,
      id: 'all axes keepdims 0, symbolic batch',
      inputs: [F('x', ['batch', 3], gen, [4, 3])],
      build: (b, [x]) => b[method](x, null, { keepdims: false }),
      ref: ([x]) => f(x, undefined, false),
    },
  ];
});

const argCases: OpCase[] = (['argMax', 'argMin'] as const).flatMap((method): OpCase[] => {
  const largest = method === 'argMax';
  return [
    {
      method,
      id: 'axis -1 keepdims 0',
      inputs: [F('x', [2, 3, 5])],
      build: (b, [x]) => b[method](x, { axis: -1, keepdims: false }),
      ref: ([x]) => R.argExtreme(x, -1, false, largest, false),
    },
    {
      method,
      id: 'axis 1 keepdims 1',
      inputs: [F('x', [2, 4, 3])],
      build: (b, [x]) => b[method](x, { axis: 1 }),
      ref: ([x]) => R.argExtreme(x, 1, true, largest, false),
    },
    {
      method,
      id: 'default axis 0, ties take the first index',
      inputs: [F('x', [6, 4], ints(0, 2))],
      build: (b, [x]) => b[method](x, { keepdims: false }),
      ref: ([x]) => R.argExtreme(x, 0, false, largest, false),
    },
    {
      method,
      id: 'select_last_index with ties',
      inputs: [F('x', [3, 6], ints(0, 2))],
      build: (b, [x]) => b[method](x, { axis: 1, keepdims: false, selectLastIndex: true }),
      ref: ([x]) => R.argExtreme(x, 1, false, largest, true),
    },
    {
      method,
      id: 'int64 input',
      floatTypes: 'nofloat',
      inputs: [I('x', [3, 4], ints(-5, 5))],
      build: (b, [x]) => b[method](x, { axis: -1, keepdims: false }),
      ref: ([x]) => R.argExtreme(x, -1, false, largest, false),
    },
  ];
});

const topKCases: OpCase[] = [
  {
    method: 'topK',
    id: 'k 2 along the last axis (largest)',
    inputs: [F('x', [3, 5])],
    build: (b, [x]) => b.topK(x, 2),
    ref: ([x]) => R.topK(x, 2, -1, true),
  },
  {
    method: 'topK',
    id: 'k 3 along axis 0, smallest',
    inputs: [F('x', [4, 2, 3])],
    build: (b, [x]) => b.topK(x, 3, { axis: 0, largest: false }),
    ref: ([x]) => R.topK(x, 3, 0, false),
  },
  {
    method: 'topK',
    id: 'k as a graph input (runtime)',
    declared: 'rank',
    inputs: [F('x', [2, 6]), I('k', [1], fixed([4]))],
    build: (b, [x, k]) => b.topK(x, k, { axis: 1 }),
    ref: ([x]) => R.topK(x, 4, 1, true),
  },
  {
    method: 'topK',
    id: 'int64 values, axis -2',
    floatTypes: 'nofloat',
    inputs: [I('x', [5, 2], fixed([5, -1, 3, 8, -4, 2, 9, 0, 1, 7]))],
    build: (b, [x]) => b.topK(x, 2, { axis: -2 }),
    ref: ([x]) => R.topK(x, 2, -2, true),
  },
];

const cumSumCases: OpCase[] = [
  { id: 'axis 1', axis: 1, exclusive: false, reverse: false },
  { id: 'axis -1 exclusive', axis: -1, exclusive: true, reverse: false },
  { id: 'axis 0 reverse', axis: 0, exclusive: false, reverse: true },
  { id: 'axis 1 exclusive reverse', axis: 1, exclusive: true, reverse: true },
].map(({ id, axis, exclusive, reverse }): OpCase => ({
  method: 'cumSum',
  id,
  inputs: [F('x', [3, 4, 2])],
  build: (b, [x]) => b.cumSum(x, axis, { exclusive, reverse }),
  ref: ([x]) => R.cumSum(x, axis, exclusive, reverse),
}));
cumSumCases.push(
  {
    method: 'cumSum',
    id: 'axis as a graph input',
    inputs: [F('x', [2, 5]), I('axis', [], fixed([-1]))],
    build: (b, [x, axis]) => b.cumSum(x, axis),
    ref: ([x]) => R.cumSum(x, -1, false, false),
  },
  {
    method: 'cumSum',
    id: 'int64',
    floatTypes: 'nofloat',
    inputs: [I('x', [2, 5])],
    build: (b, [x]) => b.cumSum(x, 1, { reverse: true }),
    ref: ([x]) => R.cumSum(x, 1, false, true),
  },
);

const softmaxCases: OpCase[] = (['softmax', 'logSoftmax'] as const).flatMap((method): OpCase[] => {
  const f = method === 'softmax' ? R.softmax : R.logSoftmax;
  return [
    {
      method,
      id: 'default axis (-1)',
      inputs: [F('x', [2, 3, 4], uniform(-4, 4))],
      build: (b, [x]) => b[method](x),
      ref: ([x]) => f(x, -1),
    },
    {
      method,
      id: 'axis 0',
      inputs: [F('x', [2, 3, 4], uniform(-4, 4))],
      build: (b, [x]) => b[method](x, { axis: 0 }),
      ref: ([x]) => f(x, 0),
    },
    {
      method,
      id: 'axis 1',
      inputs: [F('x', [2, 3, 4], uniform(-4, 4))],
      build: (b, [x]) => b[method](x, { axis: 1 }),
      ref: ([x]) => f(x, 1),
    },
    {
      method,
      id: 'axis -2, symbolic dims',
      inputs: [F('x', ['batch', 'seq', 3], uniform(-4, 4), [2, 5, 3])],
      build: (b, [x]) => b[method](x, { axis: -2 }),
      ref: ([x]) => f(x, -2),
    },
  ];
});

const layerNormCases: OpCase[] = [
  {
    method: 'layerNormalization',
    id: 'axis -1 with bias (default epsilon 1e-5)',
    inputs: [F('x', [2, 3, 5]), F('scale', [5]), F('bias', [5])],
    build: (b, [x, s, bias]) => b.layerNormalization(x, s, bias),
    ref: ([x, s, bias]) => R.layerNormalization(x, s, bias, -1, attrF(1e-5)),
  },
  {
    method: 'layerNormalization',
    id: 'axis -2 without bias, epsilon 0.1',
    inputs: [F('x', [2, 3, 4]), F('scale', [3, 4])],
    build: (b, [x, s]) => b.layerNormalization(x, s, null, { axis: -2, epsilon: 0.1 }),
    ref: ([x, s]) => R.layerNormalization(x, s, null, -2, attrF(0.1)),
  },
  {
    method: 'layerNormalization',
    id: 'axis 1 of a rank-2 input, symbolic batch',
    inputs: [F('x', ['batch', 6], undefined, [3, 6]), F('scale', [6]), F('bias', [6])],
    build: (b, [x, s, bias]) => b.layerNormalization(x, s, bias, { axis: 1, epsilon: 1e-3 }),
    ref: ([x, s, bias]) => R.layerNormalization(x, s, bias, 1, attrF(1e-3)),
  },
];

export const REDUCE_CASES: OpCase[] = [
  ...reduceSumCases,
  ...attrReduceCases,
  ...argCases,
  ...topKCases,
  ...cumSumCases,
  ...softmaxCases,
  ...layerNormCases,
];
