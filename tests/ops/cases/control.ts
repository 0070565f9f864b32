// Control flow (Loop, Scan, If) and the data/generic methods (constant, constInt64, initializer, node, dropout).
import { attr, tensorValue } from '@hybridoc/core';
import { fixed, uniform, type OpCase } from '../harness.js';
import * as E from '../reference/elementwise.js';
import { NDArray } from '../reference/ndarray.js';
import { alongAxis, cumSum, reduceMax } from '../reference/reduce.js';
import { B, F, I, sc } from './common.js';

/** Cumulative product along axis 0, row by row. */
function cumProd(x: NDArray): NDArray {
  return alongAxis(x, 0, (lane) => {
    let p = 1;
    return lane.map((v) => (p *= v));
  });
}

/** Running max along axis 0. */
function cumMax(x: NDArray): NDArray {
  return alongAxis(x, 0, (lane) => {
    let m = -Infinity;
    return lane.map((v) => (m = Math.max(m, v)));
  });
}

const loopCases: OpCase[] = [
  {
    method: 'loop',
    id: 'cumulative product over rows, trip count from Shape (runtime)',
    declared: 'rank',
    inputs: [F('seq', ['steps', 3], uniform(0.5, 1.5), [5, 3])],
    build: (b, [seq], dt) => {
      const n = b.gather(b.shape(seq), 0);
      const one = b.constant([1, 1, 1], { dtype: dt });
      const { states, scanOutputs } = b.loop({ tripCount: n, carried: [one] }, (g, i, _c, [acc]) => {
        const next = g.mul(acc, g.gather(seq, i));
        return { carried: [next], scanOutputs: [next] };
      });
      return [states[0], scanOutputs[0]];
    },
    ref: ([seq]) => {
      const all = cumProd(seq);
      return [all.stride(0, seq.shape[0] - 1, 1, 1).reshape([3]), all];
    },
  },
  {
    method: 'loop',
    id: 'constant trip count 4 with an iteration-dependent body',
    // The body's condition output is a constant true, but the builder does not look into it: the scan
    // output's length stays unknown.
    declared: 'rank',
    inputs: [F('x', [2])],
    build: (b, [x], dt) => {
      const { states, scanOutputs } = b.loop({ tripCount: 4, carried: [x] }, (g, i, _c, [acc]) => {
        const next = g.add(g.mul(acc, 0.5), g.cast(i, dt));
        return { carried: [next], scanOutputs: [g.cast(i, dt)] };
      });
      return [states[0], scanOutputs[0]];
    },
    ref: ([x], dt) => {
      let acc = x;
      for (let i = 0; i < 4; i++) acc = E.add(E.mul(acc, sc(dt, 0.5)), sc(dt, i));
      return [acc, NDArray.from(dt, [4], [0, 1, 2, 3])];
    },
  },
  {
    method: 'loop',
    id: 'condition only (no trip count): double until the max exceeds 100',
    declared: 'rank',
    inputs: [F('x', [3], uniform(0.5, 2))],
    build: (b, [x]) => {
      const { states, scanOutputs } = b.loop({ cond: true, carried: [x] }, (g, _i, _c, [acc]) => {
        const next = g.mul(acc, 2);
        return {
          cond: g.less(g.reduceMax(next, null, { keepdims: false }), 100),
          carried: [next],
          scanOutputs: [g.reduceMax(next, null, { keepdims: false })],
        };
      });
      return [states[0], scanOutputs[0]];
    },
    ref: ([x], dt) => {
      let acc = x;
      const maxes: number[] = [];
      for (;;) {
        acc = E.mul(acc, sc(dt, 2));
        const m = reduceMax(acc, undefined, false).values()[0];
        maxes.push(m);
        if (!(m < 100)) break;
      }
      return [acc, NDArray.from(dt, [maxes.length], maxes)];
    },
  },
  {
    method: 'loop',
    id: 'trip count and condition (stops at whichever comes first), int64 counter',
    floatTypes: 'nofloat',
    declared: 'rank',
    inputs: [I('n', [], fixed([10])), I('start', [], fixed([3]))],
    build: (b, [n, start]) => {
      const { states } = b.loop({ tripCount: n, cond: true, carried: [start, b.constInt64(0)] }, (g, i, _c, [v, count]) => {
        const next = g.mul(v, 2);
        return { cond: g.less(next, 50), carried: [next, g.add(count, 1)] };
      });
      return states;
    },
    ref: () => {
      let v = 3;
      let count = 0;
      for (let i = 0; i < 10; i++) {
        v *= 2;
        count++;
        if (!(v < 50)) break;
      }
      return [NDArray.scalar('int64', v), NDArray.scalar('int64', count)];
    },
  },
];

const scanCases: OpCase[] = [
  {
    method: 'scan',
    id: 'running max over rows',
    inputs: [F('x', [5, 4])],
    build: (b, [x]) => {
      const init = b.gather(x, 0);
      const { states, scanOutputs } = b.scan({ states: [init], scanInputs: [x] }, (g, [m], [row]) => {
        const next = g.max([m, row]);
        return { states: [next], scanOutputs: [next] };
      });
      return [states[0], scanOutputs[0]];
    },
    ref: ([x]) => {
      const all = cumMax(x);
      return [all.stride(0, 4, 1, 1).reshape([4]), all];
    },
  },
  {
    method: 'scan',
    id: 'reverse running sum over axis 1, output stacked on axis 1 in reverse',
    inputs: [F('x', [3, 6])],
    build: (b, [x], dt) => {
      const zero = b.constant([0, 0, 0], { dtype: dt });
      const { states, scanOutputs } = b.scan(
        { states: [zero], scanInputs: [x], scanInputAxes: [1], scanInputDirections: [1], scanOutputAxes: [1], scanOutputDirections: [1] },
        (g, [s], [col]) => {
          const next = g.add(s, col);
          return { states: [next], scanOutputs: [next] };
        },
      );
      return [states[0], scanOutputs[0]];
    },
    ref: ([x]) => {
      const all = cumSum(x, 1, false, true);
      return [all.stride(1, 0, 1, 1).reshape([3]), all];
    },
  },
  {
    method: 'scan',
    id: 'two scan inputs and two states, symbolic sequence length',
    declared: 'rank',
    inputs: [F('a', ['seq', 2], undefined, [4, 2]), F('b', ['seq', 2], undefined, [4, 2])],
    build: (b, [a, bb], dt) => {
      const z = b.constant([0, 0], { dtype: dt });
      const { states, scanOutputs } = b.scan({ states: [z, z], scanInputs: [a, bb] }, (g, [sa, sp], [ra, rb]) => {
        const prod = g.mul(ra, rb);
        return { states: [g.add(sa, ra), g.add(sp, prod)], scanOutputs: [prod] };
      });
      return [...states, scanOutputs[0]];
    },
    ref: ([a, bb]) => {
      const prod = E.mul(a, bb);
      const sumRows = (t: NDArray) => cumSum(t, 0, false, false).stride(0, 3, 1, 1).reshape([2]);
      return [sumRows(a), sumRows(prod), prod];
    },
  },
];

const ifCases: OpCase[] = [true, false].map((c): OpCase => ({
  method: 'if',
  id: `cond ${c}: then x*2, else x-1`,
  inputs: [B('c', [], fixed([c ? 1 : 0])), F('x', [2, 3])],
  build: (b, [cond, x]) =>
    b.if(
      cond,
      (g) => [g.mul(x, 2)],
      (g) => [g.sub(x, 1)],
    ),
  ref: ([, x], dt) => (c ? E.mul(x, sc(dt, 2)) : E.sub(x, sc(dt, 1))),
}));

const dataCases: OpCase[] = [
  {
    method: 'constant',
    id: 'float array with dims [2,2] added to an input',
    inputs: [F('x', [2, 2])],
    build: (b, [x], dt) => b.add(x, b.constant([0.5, -1, 2, 0.125], { dtype: dt, dims: [2, 2] })),
    ref: ([x], dt) => E.add(x, NDArray.from(dt, [2, 2], [0.5, -1, 2, 0.125])),
  },
  {
    method: 'constant',
    id: 'bool array and a TensorValue',
    floatTypes: 'nofloat',
    inputs: [],
    build: (b) => [b.constant([true, false, true]), b.constant(tensorValue('int64', [4, -5, 6], [3, 1]))],
    ref: () => [NDArray.from('bool', [3], [1, 0, 1]), NDArray.from('int64', [3, 1], [4, -5, 6])],
  },
  {
    method: 'constInt64',
    id: 'scalar and 1-D',
    floatTypes: 'nofloat',
    inputs: [],
    build: (b) => [b.constInt64(-7), b.constInt64([1, 2, 3]), b.constInt64([5, 6], { dims: [2, 1] })],
    ref: () => [NDArray.scalar('int64', -7), NDArray.from('int64', [3], [1, 2, 3]), NDArray.from('int64', [2, 1], [5, 6])],
  },
  {
    method: 'initializer',
    id: 'a weight matrix used by MatMul',
    inputs: [F('x', [2, 3])],
    build: (b, [x], dt) => b.matmul(x, b.initializer(`w_${dt}`, tensorValue(dt, [1, -2, 0.5, 3, 0.25, -1], [3, 2]))),
    ref: ([x], dt) => {
      const w = NDArray.from(dt, [3, 2], [1, -2, 0.5, 3, 0.25, -1]);
      return NDArray.build(dt, [2, 2], ([i, j]) => [0, 1, 2].reduce((s, k) => s + x.at([i, k]) * w.at([k, j]), 0));
    },
  },
];

const nodeCases: OpCase[] = [
  {
    method: 'node',
    id: 'an op with a shape rule (Sin), output count only',
    inputs: [F('x', [2, 3])],
    build: (b, [x]) => b.node('Sin', [x]),
    ref: ([x]) => E.map(x, Math.sin),
  },
  {
    method: 'node',
    id: 'attributes (Gemm alpha as attr.float, transB as a plain int)',
    inputs: [F('a', [2, 3]), F('b', [4, 3])],
    build: (b, [x, y]) => b.node('Gemm', [x, y], { alpha: attr.float(2), transB: 1 }),
    ref: ([x, y], dt) => NDArray.build(dt, [2, 4], ([i, j]) => 2 * [0, 1, 2].reduce((s, k) => s + x.at([i, k]) * y.at([j, k]), 0)),
  },
  {
    method: 'node',
    id: 'an op without a shape rule (NonZero) with a declared output spec',
    floatTypes: 'nofloat',
    declared: 'rank',
    inputs: [I('x', [2, 3], fixed([0, 4, 0, -1, 0, 2]))],
    build: (b, [x]) => b.node('NonZero', [x], {}, [{ dtype: 'int64', shape: [2, null] }]),
    ref: () => NDArray.from('int64', [2, 3], [0, 1, 1, 1, 0, 2]),
  },
  {
    method: 'node',
    id: 'an omitted optional input (Clip with max only)',
    inputs: [F('x', [5])],
    build: (b, [x], dt) => b.node('Clip', [x, null, b.constant(0.25, { dtype: dt })]),
    ref: ([x], dt) => E.clip(x, null, sc(dt, 0.25).values()[0]),
  },
];

const dropoutCases: OpCase[] = [
  {
    method: 'dropout',
    id: 'inference mode (no options) is the identity, mask all true',
    inputs: [F('x', [2, 4])],
    build: (b, [x]) => b.dropout(x),
    ref: ([x]) => [x, NDArray.full('bool', x.shape, 1)],
  },
  {
    method: 'dropout',
    id: 'ratio 0.5 without training mode is the identity',
    inputs: [F('x', [3, 2])],
    build: (b, [x]) => b.dropout(x, { ratio: 0.5 }),
    ref: ([x]) => [x, NDArray.full('bool', x.shape, 1)],
  },
  {
    method: 'dropout',
    id: 'training mode with ratio 0 is the identity',
    inputs: [F('x', ['batch', 3], undefined, [2, 3])],
    build: (b, [x]) => b.dropout(x, { ratio: 0, trainingMode: true, seed: 7 }),
    ref: ([x]) => [x, NDArray.full('bool', x.shape, 1)],
  },
  {
    method: 'dropout',
    id: 'training mode from a graph input (false), ratio tensor',
    inputs: [F('x', [4]), F('r', [], fixed([0.9])), B('t', [], fixed([0]))],
    build: (b, [x, r, t]) => b.dropout(x, { ratio: r, trainingMode: t }),
    ref: ([x]) => [x, NDArray.full('bool', x.shape, 1)],
  },
];

export const CONTROL_CASES: OpCase[] = [...loopCases, ...scanCases, ...ifCases, ...dataCases, ...nodeCases, ...dropoutCases];
