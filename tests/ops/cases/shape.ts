// Shape and layout ops.
import { fixed, ints, type OpCase } from '../harness.js';
import * as S from '../reference/shape.js';
import { F, I } from './common.js';

const BIG = Number.MAX_SAFE_INTEGER;

const reshapeCases: OpCase[] = [
  {
    method: 'reshape',
    id: '[2,3,4] to [0,-1] (0 copies, -1 infers)',
    inputs: [F('x', [2, 3, 4])],
    build: (b, [x]) => b.reshape(x, [0, -1]),
    ref: ([x]) => S.reshape(x, [0, -1]),
  },
  {
    method: 'reshape',
    id: '[2,3,4] to [-1,0,2]',
    inputs: [F('x', [2, 3, 4])],
    build: (b, [x]) => b.reshape(x, [-1, 0, 2]),
    ref: ([x]) => S.reshape(x, [-1, 0, 2]),
  },
  {
    method: 'reshape',
    id: '[6,2] to [3,4] (explicit)',
    inputs: [F('x', [6, 2])],
    build: (b, [x]) => b.reshape(x, [3, 4]),
    ref: ([x]) => S.reshape(x, [3, 4]),
  },
  {
    method: 'reshape',
    id: "symbolic ['batch',3,4] to [0,-1]",
    inputs: [F('x', ['batch', 3, 4], undefined, [5, 3, 4])],
    build: (b, [x]) => b.reshape(x, [0, -1]),
    ref: ([x]) => S.reshape(x, [0, -1]),
  },
  {
    method: 'reshape',
    id: "symbolic ['batch',12] to [-1,3,4]",
    inputs: [F('x', ['batch', 12], undefined, [2, 12])],
    build: (b, [x]) => b.reshape(x, [-1, 3, 4]),
    ref: ([x]) => S.reshape(x, [-1, 3, 4]),
  },
  {
    method: 'reshape',
    id: '[1] to a scalar []',
    inputs: [F('x', [1])],
    build: (b, [x]) => b.reshape(x, []),
    ref: ([x]) => S.reshape(x, []),
  },
  {
    method: 'reshape',
    id: 'target shape as a graph input (runtime)',
    declared: 'rank',
    inputs: [F('x', [2, 6]), I('shape', [3], fixed([3, -1, 2]))],
    build: (b, [x, s]) => b.reshape(x, s),
    ref: ([x]) => S.reshape(x, [3, -1, 2]),
  },
  {
    method: 'reshape',
    id: 'int64 with allowzero (no zeros in the target)',
    floatTypes: 'nofloat',
    inputs: [I('x', [2, 3])],
    build: (b, [x]) => b.reshape(x, [3, 2], { allowzero: true }),
    ref: ([x]) => S.reshape(x, [3, 2], true),
  },
];

const transposeCases: OpCase[] = [
  { id: 'default perm (reverse) of [2,3,4]', shape: [2, 3, 4], perm: undefined },
  { id: 'perm [1,0,2]', shape: [2, 3, 4], perm: [1, 0, 2] },
  { id: 'perm [2,0,1]', shape: [2, 3, 4], perm: [2, 0, 1] },
  { id: 'rank 4 perm [0,2,3,1]', shape: [2, 3, 2, 4], perm: [0, 2, 3, 1] },
  { id: 'rank 2 default', shape: [3, 5], perm: undefined },
].map(({ id, shape, perm }): OpCase => ({
  method: 'transpose',
  id,
  inputs: [F('x', shape)],
  build: (b, [x]) => b.transpose(x, perm),
  ref: ([x]) => x.transpose(perm).copy(),
}));
transposeCases.push({
  method: 'transpose',
  id: "symbolic ['batch','seq',2] perm [1,2,0]",
  inputs: [F('x', ['batch', 'seq', 2], undefined, [3, 4, 2])],
  build: (b, [x]) => b.transpose(x, [1, 2, 0]),
  ref: ([x]) => x.transpose([1, 2, 0]).copy(),
});

const concatCases: OpCase[] = [
  {
    method: 'concat',
    id: 'axis 0',
    inputs: [F('a', [2, 3]), F('b', [1, 3])],
    build: (b, [x, y]) => b.concat([x, y], 0),
    ref: ([x, y]) => S.concat([x, y], 0),
  },
  {
    method: 'concat',
    id: 'axis -1, three inputs',
    inputs: [F('a', [2, 3, 1]), F('b', [2, 3, 4]), F('c', [2, 3, 2])],
    build: (b, [x, y, z]) => b.concat([x, y, z], -1),
    ref: ([x, y, z]) => S.concat([x, y, z], -1),
  },
  {
    method: 'concat',
    id: 'axis -2 with a symbolic batch',
    inputs: [F('a', ['batch', 2, 3], undefined, [2, 2, 3]), F('b', ['batch', 1, 3], undefined, [2, 1, 3])],
    build: (b, [x, y]) => b.concat([x, y], -2),
    ref: ([x, y]) => S.concat([x, y], -2),
  },
  {
    method: 'concat',
    id: 'int64 axis 1',
    floatTypes: 'nofloat',
    inputs: [I('a', [2, 1]), I('b', [2, 2])],
    build: (b, [x, y]) => b.concat([x, y], 1),
    ref: ([x, y]) => S.concat([x, y], 1),
  },
];

const splitCases: OpCase[] = [
  {
    method: 'split',
    id: '2 equal parts along axis 1',
    inputs: [F('x', [2, 4, 3])],
    build: (b, [x]) => b.split(x, 2, { axis: 1 }),
    ref: ([x]) => S.split(x, 2, 1),
  },
  {
    method: 'split',
    id: 'sizes [1,3] along axis -1',
    inputs: [F('x', [2, 4])],
    build: (b, [x]) => b.split(x, [1, 3], { axis: -1 }),
    ref: ([x]) => S.split(x, [1, 3], -1),
  },
  {
    method: 'split',
    id: 'sizes [2,1,1] along the default axis 0',
    inputs: [F('x', [4, 3])],
    build: (b, [x]) => b.split(x, [2, 1, 1]),
    ref: ([x]) => S.split(x, [2, 1, 1], 0),
  },
  {
    method: 'split',
    id: 'sizes as a graph input (runtime)',
    declared: 'rank',
    inputs: [F('x', [5, 2]), I('sizes', [2], fixed([3, 2]))],
    build: (b, [x, s]) => b.split(x, s, { outputs: 2 }),
    ref: ([x]) => S.split(x, [3, 2], 0),
  },
];

interface SliceVariant {
  id: string;
  shape: number[];
  starts: number[];
  ends: number[];
  axes?: number[];
  steps?: number[];
}
const sliceCases: OpCase[] = (
  [
    { id: 'axis 1 [1:3]', shape: [3, 4], starts: [1], ends: [3], axes: [1] },
    { id: 'axes omitted: leading axes', shape: [4, 5], starts: [1, 0], ends: [3, 4] },
    { id: 'negative starts and ends', shape: [3, 6], starts: [-4], ends: [-1], axes: [1] },
    { id: 'negative axis, step 2', shape: [2, 7], starts: [0], ends: [7], axes: [-1], steps: [2] },
    { id: 'step -1 reverses (end = -INT_MAX)', shape: [2, 5], starts: [-1], ends: [-BIG], axes: [1], steps: [-1] },
    { id: 'step -2 from 5 down to 1 (exclusive)', shape: [7, 2], starts: [5], ends: [1], axes: [0], steps: [-2] },
    { id: 'clamped indices (starts -100, ends 100)', shape: [3, 4], starts: [-100, 1], ends: [100, 100], axes: [0, 1] },
    { id: 'start beyond the end with a negative step clamps to the last', shape: [6], starts: [100], ends: [-100], axes: [0], steps: [-3] },
    { id: 'empty result (start >= end)', shape: [3, 4], starts: [3], ends: [1], axes: [1] },
    { id: 'two axes with mixed steps', shape: [4, 5, 3], starts: [3, 0], ends: [-BIG, BIG], axes: [0, 2], steps: [-2, 2] },
  ] as SliceVariant[]
).map(({ id, shape, starts, ends, axes, steps }): OpCase => ({
  method: 'slice',
  id,
  inputs: [F('x', shape)],
  build: (b, [x]) => b.slice(x, starts, ends, axes, steps),
  ref: ([x]) => S.slice(x, starts, ends, axes, steps),
}));
sliceCases.push(
  {
    method: 'slice',
    id: "symbolic ['batch','seq'], seq [1:]",
    declared: 'rank',
    inputs: [F('x', ['batch', 'seq'], undefined, [2, 5])],
    build: (b, [x]) => b.slice(x, [1], [BIG], [1]),
    ref: ([x]) => S.slice(x, [1], [BIG], [1]),
  },
  {
    method: 'slice',
    id: 'starts/ends as graph inputs (runtime)',
    declared: 'rank',
    inputs: [F('x', [4, 3]), I('s', [1], fixed([1])), I('e', [1], fixed([-1]))],
    build: (b, [x, s, e]) => b.slice(x, s, e, [0]),
    ref: ([x]) => S.slice(x, [1], [-1], [0]),
  },
);

const unsqueezeCases: OpCase[] = [
  { id: 'axes [0]', shape: [2, 3], axes: [0] },
  { id: 'axes [-1]', shape: [2, 3], axes: [-1] },
  { id: 'axes [0, 3]', shape: [2, 3], axes: [0, 3] },
  { id: 'negative axes [-1, -3] count in the output rank', shape: [2, 3], axes: [-1, -3] },
  { id: 'scalar to [1]', shape: [], axes: [0] },
].map(({ id, shape, axes }): OpCase => ({
  method: 'unsqueeze',
  id,
  inputs: [F('x', shape)],
  build: (b, [x]) => b.unsqueeze(x, axes),
  ref: ([x]) => S.unsqueeze(x, axes),
}));

const squeezeCases: OpCase[] = [
  { id: 'axes [1]', shape: [2, 1, 3], axes: [1] as number[] | undefined },
  { id: 'axes [-1]', shape: [2, 3, 1], axes: [-1] },
  { id: 'axes [0, -2]', shape: [1, 3, 1, 2], axes: [0, -2] },
  { id: 'no axes: every size-1 dim', shape: [1, 3, 1, 2, 1], axes: undefined },
].map(({ id, shape, axes }): OpCase => ({
  method: 'squeeze',
  id,
  inputs: [F('x', shape)],
  build: (b, [x]) => b.squeeze(x, axes),
  ref: ([x]) => S.squeeze(x, axes),
}));
squeezeCases.push({
  method: 'squeeze',
  id: "symbolic ['batch',1,'seq'] axes [1]",
  inputs: [F('x', ['batch', 1, 'seq'], undefined, [2, 1, 3])],
  build: (b, [x]) => b.squeeze(x, [1]),
  ref: ([x]) => S.squeeze(x, [1]),
});

const expandCases: OpCase[] = [
  { id: '[3,1] to [2,3,4]', shape: [3, 1], to: [2, 3, 4] },
  { id: 'shape smaller than the input: [2,3] with [3]', shape: [2, 3], to: [3] },
  { id: 'shape with 1s where the input is larger: [2,3] with [1,1]', shape: [2, 3], to: [1, 1] },
  { id: 'scalar to [2,2]', shape: [], to: [2, 2] },
  { id: 'two-way: [1,4] with [3,1]', shape: [1, 4], to: [3, 1] },
].map(({ id, shape, to }): OpCase => ({
  method: 'expand',
  id,
  inputs: [F('x', shape)],
  build: (b, [x]) => b.expand(x, to),
  ref: ([x]) => S.expand(x, to),
}));

const tileCases: OpCase[] = [
  { id: '[2,3] repeats [2,1]', shape: [2, 3], reps: [2, 1] },
  { id: '[2,1,3] repeats [1,3,2]', shape: [2, 1, 3], reps: [1, 3, 2] },
].map(({ id, shape, reps }): OpCase => ({
  method: 'tile',
  id,
  inputs: [F('x', shape)],
  build: (b, [x]) => b.tile(x, reps),
  ref: ([x]) => S.tile(x, reps),
}));
tileCases.push({
  method: 'tile',
  id: 'int64 repeats [3]',
  floatTypes: 'nofloat',
  inputs: [I('x', [2])],
  build: (b, [x]) => b.tile(x, [3]),
  ref: ([x]) => S.tile(x, [3]),
});

const padCases: OpCase[] = [
  {
    method: 'pad',
    id: 'constant 0 (default)',
    inputs: [F('x', [2, 3])],
    build: (b, [x]) => b.pad(x, [1, 0, 2, 1]),
    ref: ([x]) => S.pad(x, [1, 0, 2, 1], 'constant', 0),
  },
  {
    method: 'pad',
    id: 'constant value 1.5',
    inputs: [F('x', [2, 2, 3])],
    build: (b, [x]) => b.pad(x, [0, 1, 1, 0, 0, 2], { value: 1.5 }),
    ref: ([x]) => S.pad(x, [0, 1, 1, 0, 0, 2], 'constant', 1.5),
  },
  {
    method: 'pad',
    id: 'reflect',
    inputs: [F('x', [3, 4])],
    build: (b, [x]) => b.pad(x, [2, 1, 0, 3], { mode: 'reflect' }),
    ref: ([x]) => S.pad(x, [2, 1, 0, 3], 'reflect'),
  },
  {
    method: 'pad',
    id: 'edge',
    inputs: [F('x', [3, 2])],
    build: (b, [x]) => b.pad(x, [1, 2, 2, 1], { mode: 'edge' }),
    ref: ([x]) => S.pad(x, [1, 2, 2, 1], 'edge'),
  },
  {
    method: 'pad',
    id: 'negative pads crop',
    inputs: [F('x', [4, 5])],
    build: (b, [x]) => b.pad(x, [-1, 1, 0, -2], { value: -3 }),
    ref: ([x]) => S.pad(x, [-1, 1, 0, -2], 'constant', -3),
  },
  {
    method: 'pad',
    id: 'int64 constant 7',
    floatTypes: 'nofloat',
    inputs: [I('x', [2, 2])],
    build: (b, [x]) => b.pad(x, [0, 1, 1, 0], { value: 7 }),
    ref: ([x]) => S.pad(x, [0, 1, 1, 0], 'constant', 7),
  },
];

const flattenCases: OpCase[] = [
  { id: 'default axis 1', axis: undefined },
  { id: 'axis 0', axis: 0 },
  { id: 'axis 2', axis: 2 },
  { id: 'axis -1', axis: -1 },
  { id: 'axis 3 (= rank)', axis: 3 },
].map(({ id, axis }): OpCase => ({
  method: 'flatten',
  id,
  inputs: [F('x', [2, 3, 4])],
  build: (b, [x]) => b.flatten(x, axis === undefined ? {} : { axis }),
  ref: ([x]) => S.flatten(x, axis ?? 1),
}));

const shapeCases: OpCase[] = [
  { id: 'whole shape', o: {} },
  { id: 'start 1', o: { start: 1 } },
  { id: 'end -1', o: { end: -1 } },
  { id: 'start -2 end 10 (clamped)', o: { start: -2, end: 10 } },
].map(({ id, o }): OpCase => ({
  method: 'shape',
  id,
  inputs: [F('x', [2, 3, 4])],
  build: (b, [x]) => b.shape(x, o),
  ref: ([x]) => S.shapeOf(x, o.start, o.end),
}));
shapeCases.push({
  method: 'shape',
  id: "symbolic ['batch', 3] (values known at run time only)",
  inputs: [F('x', ['batch', 3], undefined, [5, 3])],
  build: (b, [x]) => b.shape(x),
  ref: ([x]) => S.shapeOf(x),
});

const sizeCases: OpCase[] = [
  {
    method: 'size',
    id: '[2,3,4]',
    inputs: [F('x', [2, 3, 4])],
    build: (b, [x]) => b.size(x),
    ref: ([x]) => S.sizeOf(x),
  },
  {
    method: 'size',
    id: 'scalar',
    inputs: [F('x', [])],
    build: (b, [x]) => b.size(x),
    ref: ([x]) => S.sizeOf(x),
  },
];

const constantOfShapeCases: OpCase[] = [
  {
    method: 'constantOfShape',
    id: 'const shape [2,3], value 1.5',
    inputs: [],
    build: (b, _x, dt) => b.constantOfShape([2, 3], { value: 1.5, dtype: dt }),
    ref: (_x, dt) => S.constantOfShape([2, 3], 1.5, dt),
  },
  {
    method: 'constantOfShape',
    id: 'default float32 zeros',
    floatTypes: 'nofloat',
    inputs: [],
    build: (b) => b.constantOfShape([3]),
    ref: () => S.constantOfShape([3], 0, 'float32'),
  },
  {
    method: 'constantOfShape',
    id: 'int64 value 7',
    floatTypes: 'nofloat',
    inputs: [],
    build: (b) => b.constantOfShape([2, 2], { value: 7, dtype: 'int64' }),
    ref: () => S.constantOfShape([2, 2], 7, 'int64'),
  },
  {
    method: 'constantOfShape',
    id: 'shape from Shape of an input (runtime)',
    declared: 'rank',
    inputs: [F('x', ['batch', 4], undefined, [3, 4])],
    build: (b, [x], dt) => b.constantOfShape(b.shape(x), { value: -2, dtype: dt }),
    ref: ([x], dt) => S.constantOfShape(x.shape, -2, dt),
  },
  {
    method: 'constantOfShape',
    id: 'empty shape gives a scalar',
    inputs: [],
    build: (b, _x, dt) => b.constantOfShape([], { value: 3, dtype: dt }),
    ref: (_x, dt) => S.constantOfShape([], 3, dt),
  },
];

const rangeCases: OpCase[] = [
  {
    method: 'range',
    id: 'int64 constants 0..10 step 3',
    floatTypes: 'nofloat',
    inputs: [],
    build: (b) => b.range(0, 10, 3),
    ref: () => S.range(0, 10, 3, 'int64'),
  },
  {
    method: 'range',
    id: 'int64 negative delta 10..2 step -3',
    floatTypes: 'nofloat',
    inputs: [],
    build: (b) => b.range(10, 2, -3),
    ref: () => S.range(10, 2, -3, 'int64'),
  },
  {
    method: 'range',
    id: 'float constants 0.5..2.75 step 0.25',
    inputs: [],
    build: (b, _x, dt) => b.range(0.5, 2.75, 0.25, { dtype: dt }),
    ref: (_x, dt) => S.range(0.5, 2.75, 0.25, dt),
  },
  {
    method: 'range',
    id: 'empty (limit below start, positive delta)',
    floatTypes: 'nofloat',
    inputs: [],
    build: (b) => b.range(5, 1, 2),
    ref: () => S.range(5, 1, 2, 'int64'),
  },
  {
    method: 'range',
    id: 'float inputs (runtime), delta negative',
    declared: 'rank',
    inputs: [F('start', [], fixed([3])), F('limit', [], fixed([-1.5])), F('delta', [], fixed([-0.75]))],
    build: (b, [s, l, d]) => b.range(s, l, d),
    ref: (_x, dt) => S.range(3, -1.5, -0.75, dt),
  },
  {
    method: 'range',
    id: 'int64 limit from a graph input, JS start/delta',
    floatTypes: 'nofloat',
    declared: 'rank',
    inputs: [I('n', [], fixed([6]))],
    build: (b, [n]) => b.range(1, n, 2),
    ref: () => S.range(1, 6, 2, 'int64'),
  },
];

const triluCases: OpCase[] = [
  {
    method: 'trilu',
    id: 'upper (default) [3,4]',
    inputs: [F('x', [3, 4])],
    build: (b, [x]) => b.trilu(x),
    ref: ([x]) => S.trilu(x, true, 0),
  },
  {
    method: 'trilu',
    id: 'lower k 1',
    inputs: [F('x', [4, 3])],
    build: (b, [x]) => b.trilu(x, { upper: false, k: 1 }),
    ref: ([x]) => S.trilu(x, false, 1),
  },
  {
    method: 'trilu',
    id: 'upper k -1 batched [2,3,4]',
    inputs: [F('x', [2, 3, 4])],
    build: (b, [x]) => b.trilu(x, { k: -1 }),
    ref: ([x]) => S.trilu(x, true, -1),
  },
  {
    method: 'trilu',
    id: 'lower, k as a graph input',
    inputs: [F('x', [3, 3]), I('k', [], fixed([-1]))],
    build: (b, [x, k]) => b.trilu(x, { upper: false, k }),
    ref: ([x]) => S.trilu(x, false, -1),
  },
  {
    method: 'trilu',
    id: 'int64 lower',
    floatTypes: 'nofloat',
    inputs: [I('x', [3, 3], ints(1, 9))],
    build: (b, [x]) => b.trilu(x, { upper: false }),
    ref: ([x]) => S.trilu(x, false, 0),
  },
];

export const SHAPE_CASES: OpCase[] = [
  ...reshapeCases,
  ...transposeCases,
  ...concatCases,
  ...splitCases,
  ...sliceCases,
  ...unsqueezeCases,
  ...squeezeCases,
  ...expandCases,
  ...tileCases,
  ...padCases,
  ...flattenCases,
  ...shapeCases,
  ...sizeCases,
  ...constantOfShapeCases,
  ...rangeCases,
  ...triluCases,
];
