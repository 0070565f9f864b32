// Elementwise ops: arithmetic with broadcasting, unary math, comparisons, logic, Where, Cast, Clip.
import type { GraphBuilder, TensorRef } from '@hybridoc/core';
import { awayFromZero, fixed, ints, uniform, type FloatDType, type OpCase } from '../harness.js';
import * as E from '../reference/elementwise.js';
import { NDArray } from '../reference/ndarray.js';
import { B, F, I, sc } from './common.js';

type BinaryMethod = 'add' | 'sub' | 'mul' | 'div';
const BINARY: Record<BinaryMethod, (a: NDArray, b: NDArray) => NDArray> = { add: E.add, sub: E.sub, mul: E.mul, div: E.div };

function binaryCases(method: BinaryMethod): OpCase[] {
  const rhs = method === 'div' ? awayFromZero(0.5, 2) : undefined;
  const call = (b: GraphBuilder, x: TensorRef | number, y: TensorRef | number) => b[method](x, y);
  const f = BINARY[method];
  return [
    {
      method,
      id: 'same shape [2,3]',
      inputs: [F('a', [2, 3]), F('b', [2, 3], rhs)],
      build: (b, [x, y]) => call(b, x, y),
      ref: ([x, y]) => f(x, y),
    },
    {
      method,
      id: 'broadcast [2,3,4] with [4]',
      inputs: [F('a', [2, 3, 4]), F('b', [4], rhs)],
      build: (b, [x, y]) => call(b, x, y),
      ref: ([x, y]) => f(x, y),
    },
    {
      method,
      id: 'two-way broadcast [2,1,4] with [3,1]',
      inputs: [F('a', [2, 1, 4]), F('b', [3, 1], rhs)],
      build: (b, [x, y]) => call(b, x, y),
      ref: ([x, y]) => f(x, y),
    },
    {
      method,
      id: 'tensor op JS number (scalar constant)',
      inputs: [F('a', [3, 2])],
      build: (b, [x]) => call(b, x, 0.75),
      ref: ([x], dt) => f(x, sc(dt, 0.75)),
    },
    {
      method,
      id: 'JS number op tensor, symbolic batch',
      inputs: [F('a', ['batch', 3], rhs, [4, 3])],
      build: (b, [x]) => call(b, 1.5, x),
      ref: ([x], dt) => f(sc(dt, 1.5), x),
    },
    {
      method,
      id: 'int64 broadcast [2,3] with [3]',
      floatTypes: 'nofloat',
      inputs: [I('a', [2, 3], ints(-9, 9)), I('b', [3], method === 'div' ? fixed([-2, 3, 4]) : ints(-4, 4))],
      build: (b, [x, y]) => call(b, x, y),
      ref: ([x, y]) => f(x, y),
    },
  ];
}

type UnaryMethod =
  'sqrt' | 'exp' | 'log' | 'erf' | 'tanh' | 'relu' | 'sigmoid' | 'neg' | 'abs' | 'reciprocal' | 'floor' | 'ceil' | 'sign' | 'identity';

const halves = (rng: () => number, n: number) => ints(-6, 6)(rng, n).map((v) => v / 2);

const UNARY: Array<[UnaryMethod, (a: NDArray) => NDArray, ReturnType<typeof uniform>?, Partial<OpCase>?]> = [
  ['sqrt', E.sqrt, uniform(0, 4)],
  ['exp', E.exp, uniform(-3, 3)],
  ['log', E.log, uniform(0.05, 5)],
  ['erf', E.erf, uniform(-3, 3), { noFloat64: 'Erf' }],
  ['tanh', E.tanh, uniform(-3, 3)],
  ['relu', E.relu],
  ['sigmoid', E.sigmoid, uniform(-6, 6)],
  ['neg', E.neg],
  ['abs', E.abs],
  ['reciprocal', E.reciprocal, awayFromZero(0.25, 4)],
  ['floor', E.floor, halves],
  ['ceil', E.ceil, halves],
  ['sign', E.sign, halves],
  ['identity', (a) => a],
];

function unaryCases(): OpCase[] {
  return UNARY.flatMap(([method, f, gen, extra]) => [
    {
      method,
      id: '[2,3,4]',
      inputs: [F('x', [2, 3, 4], gen)],
      build: (b: GraphBuilder, [x]: TensorRef[]) => b[method](x),
      ref: ([x]: NDArray[]) => f(x),
      ...extra,
    },
    {
      method,
      id: "symbolic ['batch', 5]",
      inputs: [F('x', ['batch', 5], gen, [3, 5])],
      build: (b: GraphBuilder, [x]: TensorRef[]) => b[method](x),
      ref: ([x]: NDArray[]) => f(x),
      ...extra,
    },
  ]);
}

const intUnary: OpCase[] = (['neg', 'abs', 'sign', 'identity'] as const).map((method) => ({
  method,
  id: 'int64',
  floatTypes: 'nofloat',
  inputs: [I('x', [2, 5], ints(-5, 5))],
  build: (b, [x]) => b[method](x),
  ref: ([x]) => (method === 'neg' ? E.neg(x) : method === 'abs' ? E.abs(x) : method === 'sign' ? E.sign(x) : x),
}));

const powCases: OpCase[] = [
  {
    method: 'pow',
    id: 'positive base, broadcast exponent [3,1] ^ [4]',
    inputs: [F('a', [3, 1], uniform(0.5, 2)), F('b', [4], uniform(-2, 2))],
    build: (b, [x, y]) => b.pow(x, y),
    ref: ([x, y]) => E.pow(x, y),
  },
  {
    method: 'pow',
    id: 'negative base, integer exponents',
    inputs: [F('a', [2, 3], awayFromZero(0.5, 2)), F('b', [2, 3], ints(-3, 3))],
    build: (b, [x, y]) => b.pow(x, y),
    ref: ([x, y]) => E.pow(x, y),
  },
  {
    method: 'pow',
    id: 'JS number exponent (x^2)',
    inputs: [F('a', [5])],
    build: (b, [x]) => b.pow(x, 2),
    ref: ([x], dt) => E.pow(x, sc(dt, 2)),
  },
  {
    method: 'pow',
    id: 'int64 exponent tensor (mixed types)',
    inputs: [F('a', [2, 3], awayFromZero(0.5, 2)), I('e', [3], fixed([0, 2, 3]))],
    build: (b, [x, y]) => b.pow(x, y),
    ref: ([x, y]) => E.pow(x, y),
  },
];

const modCases: OpCase[] = [
  {
    method: 'mod',
    id: 'fmod=1 floats, broadcast [2,3] % [3]',
    inputs: [F('a', [2, 3], uniform(-5, 5)), F('b', [3], awayFromZero(0.5, 2))],
    build: (b, [x, y]) => b.mod(x, y, { fmod: true }),
    ref: ([x, y]) => E.mod(x, y, true),
  },
  {
    method: 'mod',
    id: 'int64 fmod=0 takes the divisor sign',
    floatTypes: 'nofloat',
    inputs: [I('a', [2, 4], fixed([7, -7, 7, -7, 6, -1, 0, 9])), I('b', [4], fixed([3, 3, -3, -3]))],
    build: (b, [x, y]) => b.mod(x, y),
    ref: ([x, y]) => E.mod(x, y, false),
  },
  {
    method: 'mod',
    id: 'int64 fmod=1 takes the dividend sign',
    floatTypes: 'nofloat',
    inputs: [I('a', [2, 4], fixed([7, -7, 7, -7, 6, -1, 0, 9])), I('b', [4], fixed([3, 3, -3, -3]))],
    build: (b, [x, y]) => b.mod(x, y, { fmod: true }),
    ref: ([x, y]) => E.mod(x, y, true),
  },
];

const variadic = (method: 'max' | 'min' | 'sum', f: (xs: NDArray[]) => NDArray): OpCase[] => [
  {
    method,
    id: 'one input',
    inputs: [F('a', [2, 3])],
    build: (b, [x]) => b[method]([x]),
    ref: ([x]) => f([x]),
  },
  {
    method,
    id: 'two inputs broadcast [2,1,3] with [4,1]',
    inputs: [F('a', [2, 1, 3]), F('b', [4, 1])],
    build: (b, [x, y]) => b[method]([x, y]),
    ref: ([x, y]) => f([x, y]),
  },
  {
    method,
    id: 'three inputs with a JS number',
    inputs: [F('a', [3, 4]), F('b', [4])],
    build: (b, [x, y]) => b[method]([x, 0.25, y]),
    ref: ([x, y], dt) => f([x, sc(dt, 0.25), y]),
  },
  // Sum is float-only in the spec; Max and Min take integers too.
  ...(method === 'sum'
    ? []
    : [
        {
          method,
          id: 'int64',
          floatTypes: 'nofloat',
          inputs: [I('a', [2, 3]), I('b', [3])],
          build: (b, [x, y]) => b[method]([x, y]),
          ref: ([x, y]) => f([x, y]),
        } satisfies OpCase,
      ]),
];

type CmpMethod = 'equal' | 'less' | 'greater' | 'lessOrEqual' | 'greaterOrEqual';
const CMP: Record<CmpMethod, (a: NDArray, b: NDArray) => NDArray> = {
  equal: E.equal,
  less: E.less,
  greater: E.greater,
  lessOrEqual: E.lessOrEqual,
  greaterOrEqual: E.greaterOrEqual,
};

const comparisonCases: OpCase[] = (Object.keys(CMP) as CmpMethod[]).flatMap((method): OpCase[] => [
  {
    method,
    id: 'floats with ties, broadcast [2,3] with [3]',
    inputs: [F('a', [2, 3], ints(-2, 2)), F('b', [3], ints(-2, 2))],
    build: (b, [x, y]) => b[method](x, y),
    ref: ([x, y]) => CMP[method](x, y),
  },
  {
    method,
    id: 'tensor vs JS number',
    inputs: [F('a', [2, 4], halves)],
    build: (b, [x]) => b[method](x, 0.5),
    ref: ([x], dt) => CMP[method](x, sc(dt, 0.5)),
  },
  {
    method,
    id: 'int64, broadcast [3,1] with [1,4]',
    floatTypes: 'nofloat',
    inputs: [I('a', [3, 1], ints(-2, 2)), I('b', [1, 4], ints(-2, 2))],
    build: (b, [x, y]) => b[method](x, y),
    ref: ([x, y]) => CMP[method](x, y),
  },
]);

const logicCases: OpCase[] = [
  {
    method: 'not',
    id: 'bool [2,3]',
    floatTypes: 'nofloat',
    inputs: [B('a', [2, 3])],
    build: (b, [x]) => b.not(x),
    ref: ([x]) => E.not(x),
  },
  ...(['and', 'or', 'xor'] as const).flatMap((method): OpCase[] => {
    const f = method === 'and' ? E.and : method === 'or' ? E.or : E.xor;
    return [
      {
        method,
        id: 'bool same shape',
        floatTypes: 'nofloat',
        inputs: [B('a', [4, 2]), B('b', [4, 2])],
        build: (b, [x, y]) => b[method](x, y),
        ref: ([x, y]) => f(x, y),
      },
      {
        method,
        id: 'bool broadcast [2,1,3] with [4,1]',
        floatTypes: 'nofloat',
        inputs: [B('a', [2, 1, 3]), B('b', [4, 1])],
        build: (b, [x, y]) => b[method](x, y),
        ref: ([x, y]) => f(x, y),
      },
    ];
  }),
];

const whereCases: OpCase[] = [
  {
    method: 'where',
    id: 'three-way broadcast cond [2,1,4], x [3,1], y [4]',
    inputs: [B('c', [2, 1, 4]), F('x', [3, 1]), F('y', [4])],
    build: (b, [c, x, y]) => b.where(c, x, y),
    ref: ([c, x, y]) => E.where(c, x, y),
  },
  {
    method: 'where',
    id: 'JS number for y',
    inputs: [B('c', [2, 3]), F('x', [2, 3])],
    build: (b, [c, x]) => b.where(c, x, -1.5),
    ref: ([c, x], dt) => E.where(c, x, sc(dt, -1.5)),
  },
  {
    method: 'where',
    id: 'JS number for x, symbolic batch',
    inputs: [B('c', ['batch', 3], undefined, [2, 3]), F('y', ['batch', 3], undefined, [2, 3])],
    build: (b, [c, y]) => b.where(c, 2.5, y),
    ref: ([c, y], dt) => E.where(c, sc(dt, 2.5), y),
  },
  {
    method: 'where',
    id: 'int64 values',
    floatTypes: 'nofloat',
    inputs: [B('c', [3, 2]), I('x', [2]), I('y', [3, 1])],
    build: (b, [c, x, y]) => b.where(c, x, y),
    ref: ([c, x, y]) => E.where(c, x, y),
  },
];

const otherFloat = (dt: FloatDType): FloatDType => (dt === 'float32' ? 'float64' : 'float32');

const castCases: OpCase[] = [
  {
    method: 'cast',
    id: 'float to int64 truncates toward zero',
    inputs: [F('x', [2, 5], fixed([-2.75, -2.5, -1.5, -0.5, -0.25, 0, 0.25, 1.5, 2.5, 3.75]))],
    build: (b, [x]) => b.cast(x, 'int64'),
    ref: ([x]) => E.cast(x, 'int64'),
  },
  {
    method: 'cast',
    id: 'int64 to float',
    inputs: [I('x', [2, 3], ints(-100, 100))],
    build: (b, [x], dt) => b.cast(x, dt),
    ref: ([x], dt) => E.cast(x, dt),
  },
  {
    method: 'cast',
    id: 'float to bool (non-zero is true)',
    inputs: [F('x', [6], fixed([0, 1, -1, 0.5, 0, -0.25]))],
    build: (b, [x]) => b.cast(x, 'bool'),
    ref: ([x]) => E.cast(x, 'bool'),
  },
  {
    method: 'cast',
    id: 'bool to float',
    inputs: [B('x', [2, 3])],
    build: (b, [x], dt) => b.cast(x, dt),
    ref: ([x], dt) => E.cast(x, dt),
  },
  {
    method: 'cast',
    id: 'to the other float type',
    inputs: [F('x', [3, 3], uniform(-10, 10))],
    build: (b, [x], dt) => b.cast(x, otherFloat(dt)),
    ref: ([x], dt) => E.cast(x, otherFloat(dt)),
  },
  {
    method: 'cast',
    id: 'int64 to bool',
    floatTypes: 'nofloat',
    inputs: [I('x', [5], fixed([0, 3, -2, 0, 1]))],
    build: (b, [x]) => b.cast(x, 'bool'),
    ref: ([x]) => E.cast(x, 'bool'),
  },
];

const clipCases: OpCase[] = [
  {
    method: 'clip',
    id: 'min and max',
    inputs: [F('x', [3, 4])],
    build: (b, [x]) => b.clip(x, -0.5, 1.25),
    ref: ([x], dt) => E.clip(x, sc(dt, -0.5).values()[0], 1.25),
  },
  {
    method: 'clip',
    id: 'min only',
    inputs: [F('x', [3, 4])],
    build: (b, [x]) => b.clip(x, 0.3, null),
    ref: ([x], dt) => E.clip(x, sc(dt, 0.3).values()[0], null),
  },
  {
    method: 'clip',
    id: 'max only',
    inputs: [F('x', [3, 4])],
    build: (b, [x]) => b.clip(x, null, -0.3),
    ref: ([x], dt) => E.clip(x, null, sc(dt, -0.3).values()[0]),
  },
  {
    method: 'clip',
    id: 'no bounds (identity)',
    inputs: [F('x', [2, 2])],
    build: (b, [x]) => b.clip(x, null, null),
    ref: ([x]) => x,
  },
  {
    method: 'clip',
    id: 'bounds as scalar tensors',
    inputs: [F('x', [2, 5]), F('lo', [], fixed([-1])), F('hi', [], fixed([0.5]))],
    build: (b, [x, lo, hi]) => b.clip(x, lo, hi),
    ref: ([x, lo, hi]) => E.clip(x, lo.values()[0], hi.values()[0]),
  },
  {
    method: 'clip',
    id: 'int64',
    floatTypes: 'nofloat',
    inputs: [I('x', [6], ints(-9, 9))],
    build: (b, [x]) => b.clip(x, -2, 3),
    ref: ([x]) => E.clip(x, -2, 3),
  },
];

export const ELEMENTWISE_CASES: OpCase[] = [
  ...(['add', 'sub', 'mul', 'div'] as const).flatMap(binaryCases),
  ...powCases,
  ...modCases,
  ...variadic('max', E.max),
  ...variadic('min', E.min),
  ...variadic('sum', E.sum),
  ...unaryCases(),
  ...intUnary,
  ...comparisonCases,
  ...logicCases,
  ...whereCases,
  ...castCases,
  ...clipCases,
];
