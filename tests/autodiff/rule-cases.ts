// Finite-difference cases, at least one per gradient rule, including what breaks naive rules: broadcasting
// on either side of every binary op, reductions with and without keepdims, negative axes, duplicate indices.
import type { GraphBuilder, TensorRef } from '@hybridoc/core';
import type { GradCase, InputSpec } from './gradcheck.js';

const f = (...shape: number[]): InputSpec => ({ shape });
const pos = (...shape: number[]): InputSpec => ({ shape, range: [0.5, 2] });
const ints = (shape: number[], values: number[]): InputSpec => ({ dtype: 'int64', shape, values });
type Build = (g: GraphBuilder, t: Record<string, TensorRef>) => TensorRef | TensorRef[];
const c = (op: string, name: string, inputs: Record<string, InputSpec>, build: Build, extra: Partial<GradCase> = {}): GradCase => ({
  op,
  name: `${op}: ${name}`,
  inputs,
  build,
  ...extra,
});

const BROADCAST_PAIRS: Array<[string, InputSpec, InputSpec]> = [
  ['same shape', f(2, 3), f(2, 3)],
  ['b broadcasts over leading and size-1 axes', f(2, 3, 4), f(3, 1)],
  ['a broadcasts', f(4), f(2, 3, 4)],
  ['both broadcast', f(2, 1, 4), f(1, 3, 1)],
  ['scalar b', f(2, 3), f()],
  ['symbolic dims', { shape: ['n', 3], dims: [2, 3] }, { shape: [1, 3] }],
  ['unknown dims (run-time axes)', { shape: [null, 3, null], dims: [2, 3, 4] }, { shape: [null, 1], dims: [3, 1] }],
];

const binary = (op: 'Add' | 'Sub' | 'Mul' | 'Div'): GradCase[] =>
  BROADCAST_PAIRS.map(([name, a, b]) =>
    c(op, name, { a, b: op === 'Div' ? { ...b, range: [0.5, 2] } : b }, (g, t) => g.node(op, [t.a, t.b])[0]),
  );

const unary = (op: string, input: InputSpec = f(2, 3), extra: Partial<GradCase> = {}) =>
  c(op, 'elementwise', { x: input }, (g, t) => g.node(op, [t.x])[0], extra);

export const RULE_CASES: GradCase[] = [
  ...binary('Add'),
  ...binary('Sub'),
  ...binary('Mul'),
  ...binary('Div'),
  c('Mod', 'fmod, broadcasting', { a: { shape: [2, 3], range: [-5, 5] }, b: { shape: [3], range: [0.7, 1.9] } }, (g, t) =>
    g.mod(t.a, t.b, { fmod: true }),
  ),
  c('Pow', 'tensor exponent, both broadcast', { a: pos(2, 3), p: { shape: [3], range: [-1, 2] } }, (g, t) => g.pow(t.a, t.p)),
  c('Pow', 'constant exponent 2', { a: f(2, 3) }, (g, t) => g.pow(t.a, 2)),
  c('Pow', 'constant exponent 3', { a: f(2, 3) }, (g, t) => g.pow(t.a, 3)),
  c('Pow', 'constant exponent 0.5', { a: pos(2, 3) }, (g, t) => g.pow(t.a, 0.5)),
  unary('Sqrt', pos(2, 3)),
  unary('Exp'),
  unary('Log', pos(2, 3)),
  unary('Erf', f(2, 3), { dtype: 'float32' }),
  unary('Tanh'),
  unary('Relu', f(3, 4)),
  c('LeakyRelu', 'alpha 0.2', { x: f(3, 4) }, (g, t) => g.node('LeakyRelu', [t.x], { alpha: 0.2 })[0]),
  unary('Sigmoid'),
  unary('Neg'),
  unary('Abs', f(3, 4)),
  unary('Reciprocal', pos(2, 3)),
  unary('Identity'),
  c('Cast', 'float32 -> float64', { x: f(2, 3) }, (g, t) => g.mul(g.cast(t.x, 'float64'), g.cast(t.x, 'float64')), { dtype: 'float32' }),
  c('Cast', 'float64 -> float32 -> float64', { x: f(2, 3) }, (g, t) => g.cast(g.tanh(g.cast(t.x, 'float32')), 'float64'), {
    rtol: 1e-3,
    atol: 1e-4,
    eps: 1e-3,
  }),
  c('Max', 'three inputs, broadcasting', { a: f(2, 3), b: f(3), c: f(2, 1) }, (g, t) => g.max([t.a, t.b, t.c])),
  c('Min', 'three inputs, broadcasting', { a: f(2, 3), b: f(3), c: f(2, 1) }, (g, t) => g.min([t.a, t.b, t.c])),
  c('Max', 'against a constant (relu-like)', { a: f(3, 4) }, (g, t) => g.max([t.a, 0])),
  c('Sum', 'three inputs, broadcasting', { a: f(2, 3), b: f(3), c: f(2, 1) }, (g, t) => g.sum([t.a, t.b, t.c])),
  c('Mean', 'two inputs, broadcasting', { a: f(2, 3), b: f(3) }, (g, t) => g.node('Mean', [t.a, t.b])[0], { dtype: 'float32' }),
  c('Where', 'broadcast branches', { cond: { dtype: 'bool', shape: [2, 3], values: [1, 0, 0, 1, 1, 0] }, a: f(2, 3), b: f(3) }, (g, t) =>
    g.where(t.cond, t.a, t.b),
  ),
  c('Clip', 'constant bounds', { x: { shape: [3, 5], range: [-2, 2] } }, (g, t) => g.clip(t.x, -0.5, 0.7)),
  c(
    'Clip',
    'tensor bounds',
    { x: { shape: [3, 5], range: [-2, 2] }, lo: { shape: [], values: [-0.6] }, hi: { shape: [], values: [0.4] } },
    (g, t) => g.clip(t.x, t.lo, t.hi),
  ),
  c('Clip', 'max only', { x: { shape: [3, 5], range: [-2, 2] } }, (g, t) => g.clip(t.x, null, 0.3)),
  // linear algebra
  c('MatMul', '2-D', { a: f(3, 4), b: f(4, 5) }, (g, t) => g.matmul(t.a, t.b)),
  c('MatMul', '3-D by 2-D (weight gradient as one GEMM)', { a: f(2, 3, 4), b: f(4, 5) }, (g, t) => g.matmul(t.a, t.b)),
  c('MatMul', 'batched', { a: f(2, 3, 4), b: f(2, 4, 5) }, (g, t) => g.matmul(t.a, t.b)),
  c('MatMul', 'batch broadcasting', { a: f(2, 1, 3, 4), b: f(3, 4, 2) }, (g, t) => g.matmul(t.a, t.b)),
  c('MatMul', '2-D by 3-D', { a: f(3, 4), b: f(2, 4, 5) }, (g, t) => g.matmul(t.a, t.b)),
  c('MatMul', '1-D by 2-D', { a: f(4), b: f(4, 5) }, (g, t) => g.matmul(t.a, t.b)),
  c('MatMul', '3-D by 1-D', { a: f(2, 3, 4), b: f(4) }, (g, t) => g.matmul(t.a, t.b)),
  c('MatMul', '1-D by 1-D', { a: f(4), b: f(4) }, (g, t) => g.matmul(t.a, t.b)),
  c('MatMul', 'symbolic batch', { a: { shape: ['b', 3, 4], dims: [2, 3, 4] }, b: f(4, 5) }, (g, t) => g.matmul(t.a, t.b)),
  c('Gemm', 'alpha, beta, C row vector', { a: f(3, 4), b: f(4, 5), c: f(5) }, (g, t) => g.gemm(t.a, t.b, t.c, { alpha: 0.7, beta: 1.3 })),
  c('Gemm', 'transA, C column', { a: f(4, 3), b: f(4, 5), c: f(3, 1) }, (g, t) => g.gemm(t.a, t.b, t.c, { transA: true })),
  c('Gemm', 'transB, scalar C', { a: f(3, 4), b: f(5, 4), c: f() }, (g, t) => g.gemm(t.a, t.b, t.c, { transB: true, beta: 0.5 })),
  c('Gemm', 'transA and transB, no C', { a: f(4, 3), b: f(5, 4) }, (g, t) =>
    g.gemm(t.a, t.b, null, { transA: true, transB: true, alpha: 2 }),
  ),
  c('Einsum', 'batched matmul', { a: f(2, 3, 4), b: f(2, 4, 5) }, (g, t) => g.einsum('bij,bjk->bik', [t.a, t.b])),
  c('Einsum', 'attention scores', { q: f(1, 2, 3, 4), k: f(1, 2, 5, 4) }, (g, t) => g.einsum('bhqd,bhkd->bhqk', [t.q, t.k])),
  c('Einsum', 'row sums (expanded back)', { a: f(3, 4) }, (g, t) => g.einsum('ij->i', [t.a])),
  c('Einsum', 'implicit output, matrix-vector', { a: f(3, 4), v: f(4) }, (g, t) => g.einsum('ij,j', [t.a, t.v])),
  c('Einsum', 'ellipsis', { a: f(2, 3, 4), b: f(4, 5) }, (g, t) => g.einsum('...j,jk->...k', [t.a, t.b])),
  c(
    'Conv',
    'stride 2, padding 1, bias',
    { x: f(2, 3, 7, 7), w: f(4, 3, 3, 3), b: f(4) },
    (g, t) => g.conv(t.x, t.w, t.b, { strides: [2, 2], pads: [1, 1, 1, 1] }),
    { dtype: 'float32', samples: 10 },
  ),
  c(
    'Conv',
    'patch embedding (stride = kernel)',
    { x: f(1, 3, 8, 8), w: f(5, 3, 4, 4), b: f(5) },
    (g, t) => g.conv(t.x, t.w, t.b, { strides: [4, 4] }),
    { dtype: 'float32', samples: 10 },
  ),
  c(
    'Conv',
    'stride 1, uneven pads, no bias',
    { x: f(1, 2, 5, 6), w: f(3, 2, 2, 3) },
    (g, t) => g.conv(t.x, t.w, null, { pads: [1, 0, 0, 2] }),
    {
      dtype: 'float32',
      samples: 10,
    },
  ),
  // normalisation
  c('Softmax', 'last axis', { x: f(2, 3, 4) }, (g, t) => g.softmax(t.x)),
  c('Softmax', 'axis 1', { x: f(2, 3, 4) }, (g, t) => g.softmax(t.x, { axis: 1 })),
  c('LogSoftmax', 'last axis', { x: f(2, 3, 4) }, (g, t) => g.logSoftmax(t.x)),
  c('LogSoftmax', 'axis 0', { x: f(2, 3, 4) }, (g, t) => g.logSoftmax(t.x, { axis: 0 })),
  c('LayerNormalization', 'last axis', { x: f(2, 3, 4), s: f(4), b: f(4) }, (g, t) => g.layerNormalization(t.x, t.s, t.b)),
  c('LayerNormalization', 'axis 1, epsilon 1e-3', { x: f(2, 3, 4), s: f(3, 4), b: f(3, 4) }, (g, t) =>
    g.layerNormalization(t.x, t.s, t.b, { axis: 1, epsilon: 1e-3 }),
  ),
  c('LayerNormalization', 'no bias', { x: f(3, 5), s: f(5) }, (g, t) => g.layerNormalization(t.x, t.s, null, { axis: -1 })),
  // reductions
  c('ReduceSum', 'axis 1, keepdims', { x: f(2, 3, 4) }, (g, t) => g.reduceSum(t.x, [1])),
  c('ReduceSum', 'axis -1, no keepdims', { x: f(2, 3, 4) }, (g, t) => g.reduceSum(t.x, [-1], { keepdims: false })),
  c('ReduceSum', 'axes 0 and -1, no keepdims', { x: f(2, 3, 4) }, (g, t) => g.reduceSum(t.x, [0, -1], { keepdims: false })),
  c('ReduceSum', 'all axes', { x: f(2, 3) }, (g, t) => g.reduceSum(t.x, null, { keepdims: false })),
  c('ReduceSum', 'axes as a run-time input, no keepdims', { x: f(2, 3, 4), axes: ints([1], [-2]) }, (g, t) =>
    g.reduceSum(t.x, t.axes, { keepdims: false }),
  ),
  c('ReduceSum', 'axes as a run-time input, keepdims', { x: f(2, 3, 4), axes: ints([2], [0, 2]) }, (g, t) => g.reduceSum(t.x, t.axes)),
  c('ReduceSum', 'empty axes with noop_with_empty_axes', { x: f(2, 3) }, (g, t) => g.reduceSum(t.x, null, { noopWithEmptyAxes: true })),
  c('ReduceMean', 'axis -2, no keepdims', { x: f(2, 3, 4) }, (g, t) => g.reduceMean(t.x, [-2], { keepdims: false })),
  c('ReduceMean', 'axes 0 and 2, keepdims', { x: f(2, 3, 4) }, (g, t) => g.reduceMean(t.x, [0, 2])),
  c('ReduceMean', 'all axes, symbolic dims', { x: { shape: ['a', 3], dims: [2, 3] } }, (g, t) =>
    g.reduceMean(t.x, null, { keepdims: false }),
  ),
  c('ReduceMax', 'axis 1, no keepdims', { x: f(2, 3, 4) }, (g, t) => g.reduceMax(t.x, [1], { keepdims: false })),
  c('ReduceMax', 'axis -1, keepdims', { x: f(2, 3, 4) }, (g, t) => g.reduceMax(t.x, [-1])),
  c('ReduceMax', 'all axes', { x: f(3, 4) }, (g, t) => g.reduceMax(t.x, null, { keepdims: false })),
  c('ReduceMin', 'axis 0, no keepdims', { x: f(3, 4) }, (g, t) => g.reduceMin(t.x, [0], { keepdims: false })),
  c('ReduceLogSumExp', 'axis 1, no keepdims', { x: f(2, 3, 4) }, (g, t) => g.reduceLogSumExp(t.x, [1], { keepdims: false })),
  c('ReduceLogSumExp', 'axis -1, keepdims', { x: f(2, 3, 4) }, (g, t) => g.reduceLogSumExp(t.x, [-1])),
  c('ReduceSumSquare', 'axis 0, no keepdims', { x: f(3, 4) }, (g, t) => g.reduceSumSquare(t.x, [0], { keepdims: false })),
  c('ReduceSumSquare', 'axis -1, keepdims', { x: f(3, 4) }, (g, t) => g.reduceSumSquare(t.x, [-1])),
  c('ReduceL2', 'axis 1, keepdims', { x: f(3, 4) }, (g, t) => g.reduceL2(t.x, [1])),
  // indexing
  c('Gather', 'embedding rows with duplicate and negative ids', { e: f(6, 3), ids: ints([2, 4], [1, 4, 1, 0, 5, -1, 1, 2]) }, (g, t) =>
    g.gather(t.e, t.ids),
  ),
  c('Gather', 'axis 1, 2-D indices with duplicates', { x: f(3, 5, 2), ids: ints([2, 2], [4, 0, 4, 4]) }, (g, t) =>
    g.gather(t.x, t.ids, { axis: 1 }),
  ),
  c('Gather', 'axis -1, scalar index', { x: f(3, 4) }, (g, t) => g.gather(t.x, 2, { axis: -1 })),
  c('GatherElements', 'axis 1 with duplicates', { x: f(3, 4), ids: ints([3, 2], [0, 0, 3, 1, 2, 2]) }, (g, t) =>
    g.gatherElements(t.x, t.ids, { axis: 1 }),
  ),
  c('GatherElements', 'axis 0', { x: f(3, 4), ids: ints([2, 4], [2, 0, 1, 2, 2, 2, 0, 1]) }, (g, t) => g.gatherElements(t.x, t.ids)),
  c('GatherND', 'pairs with duplicates', { x: f(3, 4, 2), ids: ints([3, 2], [0, 1, 2, 3, 0, 1]) }, (g, t) => g.gatherND(t.x, t.ids)),
  c('TopK', 'k = 2 on the last axis', { x: f(3, 5) }, (g, t) => g.topK(t.x, 2)[0]),
  c('ScatterElements', 'reduction none', { x: f(3, 4), u: f(1, 4), ids: ints([1, 4], [2, 0, 1, 2]) }, (g, t) =>
    g.scatterElements(t.x, t.ids, t.u),
  ),
  c('ScatterElements', 'reduction add with duplicates', { x: f(3, 4), u: f(2, 4), ids: ints([2, 4], [2, 0, 1, 2, 2, 0, 0, 1]) }, (g, t) =>
    g.scatterElements(t.x, t.ids, t.u, { reduction: 'add' }),
  ),
  c('ScatterND', 'reduction none', { x: f(4, 3), u: f(2, 3), ids: ints([2, 1], [1, 3]) }, (g, t) => g.scatterND(t.x, t.ids, t.u)),
  c('ScatterND', 'reduction add with duplicates', { x: f(4, 3), u: f(3, 3), ids: ints([3, 1], [1, 3, 1]) }, (g, t) =>
    g.scatterND(t.x, t.ids, t.u, { reduction: 'add' }),
  ),
  // shape ops
  c('Reshape', '-1 and 0', { x: f(2, 3, 4) }, (g, t) => g.reshape(t.x, [0, -1])),
  c('Transpose', 'perm', { x: f(2, 3, 4) }, (g, t) => g.transpose(t.x, [2, 0, 1])),
  c('Transpose', 'default perm', { x: f(2, 3, 4) }, (g, t) => g.transpose(t.x)),
  c('Concat', 'axis 1', { a: f(2, 1, 3), b: f(2, 2, 3), c: f(2, 3, 3) }, (g, t) => g.concat([t.a, t.b, t.c], 1)),
  c('Concat', 'axis -1, run-time sizes', { a: { shape: [2, null], dims: [2, 2] }, b: f(2, 3) }, (g, t) => g.concat([t.a, t.b], -1)),
  c('Split', 'sizes, one output unused', { x: f(2, 6) }, (g, t) => g.split(t.x, [2, 4], { axis: 1 })[0]),
  c('Split', 'equal parts on the last axis', { x: f(2, 6) }, (g, t) => {
    const [a, b, d] = g.split(t.x, 3, { axis: -1 });
    return [g.mul(a, b), d];
  }),
  c('Slice', 'unit steps, negative starts, ends past the end (Pad)', { x: f(4, 6) }, (g, t) => g.slice(t.x, [1, -4], [3, 100], [0, 1])),
  c('Slice', 'steps 2 and -1', { x: f(4, 6) }, (g, t) => g.slice(t.x, [0, -1], [4, -100], [0, 1], [2, -1])),
  c('Slice', 'negative axis, negative step', { x: f(3, 5) }, (g, t) => g.slice(t.x, [3], [0], [-1], [-2])),
  c('Slice', 'run-time starts', { x: f(4, 5), s: ints([1], [1]) }, (g, t) => g.slice(t.x, t.s, [4], [1])),
  c('Unsqueeze', 'axes -1 and 0', { x: f(2, 3) }, (g, t) => g.unsqueeze(t.x, [-1, 0])),
  c('Squeeze', 'axis 1', { x: f(2, 1, 3) }, (g, t) => g.squeeze(t.x, [1])),
  c('Flatten', 'axis 2', { x: f(2, 3, 2, 2) }, (g, t) => g.flatten(t.x, { axis: 2 })),
  c('Expand', 'leading and size-1 axes', { x: f(3, 1) }, (g, t) => g.expand(t.x, [2, 3, 4])),
  c('Tile', 'constant repeats', { x: f(2, 3) }, (g, t) => g.tile(t.x, [3, 2])),
  c('Tile', 'run-time repeats', { x: f(2, 3), r: ints([2], [2, 3]) }, (g, t) => g.tile(t.x, t.r)),
  c('CumSum', 'axis 1', { x: f(2, 4) }, (g, t) => g.cumSum(t.x, 1)),
  c('CumSum', 'exclusive, reverse, negative axis', { x: f(2, 4) }, (g, t) => g.cumSum(t.x, -1, { exclusive: true, reverse: true })),
  c('CumSum', 'exclusive', { x: f(3, 2) }, (g, t) => g.cumSum(t.x, 0, { exclusive: true })),
  c('Pad', 'positive pads', { x: f(2, 3) }, (g, t) => g.pad(t.x, [1, 0, 2, 1], { value: 0.5 })),
  c('Pad', 'crops and pads', { x: f(3, 4) }, (g, t) => g.pad(t.x, [-1, 1, 0, -2])),
  c('Trilu', 'upper, k = 1', { x: f(3, 4) }, (g, t) => g.trilu(t.x, { k: 1 })),
  c('Trilu', 'lower', { x: f(3, 3) }, (g, t) => g.trilu(t.x, { upper: false })),
  c('Dropout', 'inference mode is an identity', { x: f(2, 3) }, (g, t) => g.dropout(t.x, { ratio: 0.3 })[0]),
];
