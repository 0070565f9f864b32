// Indexing ops: Gather, GatherElements, GatherND, ScatterElements, ScatterND, OneHot.
import { fixed, ints, type OpCase } from '../harness.js';
import * as X from '../reference/indexing.js';
import { NDArray } from '../reference/ndarray.js';
import { F, I } from './common.js';

const gatherCases: OpCase[] = [
  {
    method: 'gather',
    id: 'axis 0, JS index array with a negative index',
    inputs: [F('x', [4, 3])],
    build: (b, [x]) => b.gather(x, [3, -4, 1, -1]),
    ref: ([x]) => X.gather(x, NDArray.from('int64', [4], [3, -4, 1, -1]), 0),
  },
  {
    method: 'gather',
    id: 'axis 1, 2-D index tensor with negatives',
    inputs: [F('x', [2, 5, 3]), I('i', [2, 3], ints(-5, 4))],
    build: (b, [x, i]) => b.gather(x, i, { axis: 1 }),
    ref: ([x, i]) => X.gather(x, i, 1),
  },
  {
    method: 'gather',
    id: 'scalar JS index drops the axis (axis -1)',
    inputs: [F('x', [2, 3, 4])],
    build: (b, [x]) => b.gather(x, -2, { axis: -1 }),
    ref: ([x]) => X.gather(x, NDArray.scalar('int64', -2), -1),
  },
  {
    method: 'gather',
    id: 'embedding lookup with symbolic [batch, seq] ids',
    inputs: [F('table', [7, 4]), I('ids', ['batch', 'seq'], ints(0, 6), [2, 3])],
    build: (b, [t, i]) => b.gather(t, i),
    ref: ([t, i]) => X.gather(t, i, 0),
  },
  {
    method: 'gather',
    id: 'int64 data',
    floatTypes: 'nofloat',
    inputs: [I('x', [3, 4], ints(-50, 50)), I('i', [2], fixed([2, -3]))],
    build: (b, [x, i]) => b.gather(x, i, { axis: 1 }),
    ref: ([x, i]) => X.gather(x, i, 1),
  },
];

const gatherElementsCases: OpCase[] = [
  {
    method: 'gatherElements',
    id: 'axis 1',
    inputs: [F('x', [3, 4]), I('i', [3, 2], ints(0, 3))],
    build: (b, [x, i]) => b.gatherElements(x, i, { axis: 1 }),
    ref: ([x, i]) => X.gatherElements(x, i, 1),
  },
  {
    method: 'gatherElements',
    id: 'default axis 0 with negative indices',
    inputs: [F('x', [3, 4]), I('i', [2, 4], ints(-3, 2))],
    build: (b, [x, i]) => b.gatherElements(x, i),
    ref: ([x, i]) => X.gatherElements(x, i, 0),
  },
  {
    method: 'gatherElements',
    id: 'axis -1 of a rank-3 tensor',
    inputs: [F('x', [2, 3, 5]), I('i', [2, 3, 2], ints(-5, 4))],
    build: (b, [x, i]) => b.gatherElements(x, i, { axis: -1 }),
    ref: ([x, i]) => X.gatherElements(x, i, -1),
  },
];

const gatherNDCases: OpCase[] = [
  {
    method: 'gatherND',
    id: 'full index tuples into [3,4]',
    inputs: [F('x', [3, 4]), I('i', [5, 2], fixed([0, 0, 2, 3, 1, -1, -3, 2, 2, 0]))],
    build: (b, [x, i]) => b.gatherND(x, i),
    ref: ([x, i]) => X.gatherND(x, i),
  },
  {
    method: 'gatherND',
    id: 'partial tuples select rows of [3,4,2]',
    inputs: [F('x', [3, 4, 2]), I('i', [2, 2, 1], fixed([2, 0, 1, 1]))],
    build: (b, [x, i]) => b.gatherND(x, i),
    ref: ([x, i]) => X.gatherND(x, i),
  },
  {
    method: 'gatherND',
    id: 'batch_dims 1',
    inputs: [F('x', [2, 3, 4]), I('i', [2, 2, 2], fixed([0, 1, 2, 3, 1, 0, 0, 2]))],
    build: (b, [x, i]) => b.gatherND(x, i, { batchDims: 1 }),
    ref: ([x, i]) => X.gatherND(x, i, 1),
  },
];

const scatterElementsCases: OpCase[] = [
  {
    method: 'scatterElements',
    id: 'no reduction, axis 1, distinct indices per row',
    inputs: [F('x', [3, 4]), I('i', [3, 2], fixed([0, 2, 3, 1, -1, 0])), F('u', [3, 2])],
    build: (b, [x, i, u]) => b.scatterElements(x, i, u, { axis: 1 }),
    ref: ([x, i, u]) => X.scatterElements(x, i, u, 1),
  },
  {
    method: 'scatterElements',
    id: 'reduction add with duplicate indices (axis 0)',
    inputs: [F('x', [3, 3]), I('i', [4, 3], fixed([0, 1, 2, 0, 1, 2, 2, 2, 2, -3, 0, 1])), F('u', [4, 3])],
    build: (b, [x, i, u]) => b.scatterElements(x, i, u, { reduction: 'add' }),
    ref: ([x, i, u]) => X.scatterElements(x, i, u, 0, 'add'),
  },
  {
    method: 'scatterElements',
    id: 'reduction add, axis -1, duplicates within a row',
    inputs: [F('x', [2, 5]), I('i', [2, 4], fixed([1, 1, 1, 4, 0, -1, 4, 0])), F('u', [2, 4])],
    build: (b, [x, i, u]) => b.scatterElements(x, i, u, { axis: -1, reduction: 'add' }),
    ref: ([x, i, u]) => X.scatterElements(x, i, u, -1, 'add'),
  },
  {
    method: 'scatterElements',
    id: 'reduction mul with duplicates',
    inputs: [F('x', [4]), I('i', [3], fixed([2, 2, 0])), F('u', [3])],
    build: (b, [x, i, u]) => b.scatterElements(x, i, u, { reduction: 'mul' }),
    ref: ([x, i, u]) => X.scatterElements(x, i, u, 0, 'mul'),
  },
];

const scatterNDCases: OpCase[] = [
  {
    method: 'scatterND',
    id: 'no reduction, element updates',
    inputs: [F('x', [3, 3]), I('i', [3, 2], fixed([0, 0, 2, 1, -1, -1])), F('u', [3])],
    build: (b, [x, i, u]) => b.scatterND(x, i, u),
    ref: ([x, i, u]) => X.scatterND(x, i, u),
  },
  {
    method: 'scatterND',
    id: 'reduction add with duplicate element indices',
    inputs: [F('x', [4]), I('i', [5, 1], fixed([1, 3, 1, 1, 0])), F('u', [5])],
    build: (b, [x, i, u]) => b.scatterND(x, i, u, { reduction: 'add' }),
    ref: ([x, i, u]) => X.scatterND(x, i, u, 'add'),
  },
  {
    method: 'scatterND',
    id: 'reduction add of row slices with duplicates',
    inputs: [F('x', [4, 3]), I('i', [3, 1], fixed([2, 0, 2])), F('u', [3, 3])],
    build: (b, [x, i, u]) => b.scatterND(x, i, u, { reduction: 'add' }),
    ref: ([x, i, u]) => X.scatterND(x, i, u, 'add'),
  },
  {
    method: 'scatterND',
    id: 'reduction mul, 2-D index grid',
    inputs: [F('x', [2, 3]), I('i', [2, 2, 2], fixed([0, 1, 1, 2, 0, 1, 1, 0])), F('u', [2, 2])],
    build: (b, [x, i, u]) => b.scatterND(x, i, u, { reduction: 'mul' }),
    ref: ([x, i, u]) => X.scatterND(x, i, u, 'mul'),
  },
];

const oneHotIdx = fixed([0, 2, -1, 3, 5, -4]);
const oneHotCases: OpCase[] = [
  {
    method: 'oneHot',
    id: 'default axis -1; negative and out-of-range indices',
    noFloat64: 'OneHot',
    inputs: [I('i', [2, 3], oneHotIdx)],
    build: (b, [i], dt) => b.oneHot(i, 4, [0, 1], { dtype: dt }),
    ref: ([i], dt) => X.oneHot(i, 4, 0, 1, -1, dt),
  },
  {
    method: 'oneHot',
    id: 'axis 0, off/on -1/2',
    noFloat64: 'OneHot',
    inputs: [I('i', [2, 3], oneHotIdx)],
    build: (b, [i], dt) => b.oneHot(i, 4, [-1, 2], { axis: 0, dtype: dt }),
    ref: ([i], dt) => X.oneHot(i, 4, -1, 2, 0, dt),
  },
  {
    method: 'oneHot',
    id: 'axis 1 (middle), depth from a graph input',
    noFloat64: 'OneHot',
    declared: 'rank',
    inputs: [I('i', [2, 3], oneHotIdx), I('depth', [], fixed([5]))],
    build: (b, [i, d], dt) => b.oneHot(i, d, [0, 1], { axis: 1, dtype: dt }),
    ref: ([i], dt) => X.oneHot(i, 5, 0, 1, 1, dt),
  },
  {
    method: 'oneHot',
    id: 'int64 values tensor',
    floatTypes: 'nofloat',
    inputs: [I('i', [4], fixed([1, 0, -1, 2])), I('v', [2], fixed([5, 9]))],
    build: (b, [i, v]) => b.oneHot(i, 3, v),
    ref: ([i]) => X.oneHot(i, 3, 5, 9, -1, 'int64'),
  },
];

export const INDEXING_CASES: OpCase[] = [
  ...gatherCases,
  ...gatherElementsCases,
  ...gatherNDCases,
  ...scatterElementsCases,
  ...scatterNDCases,
  ...oneHotCases,
];
