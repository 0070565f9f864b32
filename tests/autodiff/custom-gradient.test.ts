// Custom-gradient blocks: gradients() does not look inside (a Loop has no rule) and uses the supplied
// backward, checked here against finite differences.
import { customGradientBlock, gradients, GraphBuilder, type TensorRef } from '@hybridoc/core';
import { gradCheck, type GradCase } from './gradcheck.js';

/** Row-wise log-sum-exp of x [rows, cols] by a streaming Loop over the columns (running max and sum). */
function loopLogSumExp(g: GraphBuilder, x: TensorRef, cols: number): TensorRef {
  const first = g.gather(x, 0, { axis: 1 });
  const { states } = g.loop({ tripCount: cols - 1, carried: [first, g.mul(g.exp(g.sub(first, first)), 1)] }, (b, i, _cond, [m, s]) => {
    const xi = b.gather(x, b.add(i, 1), { axis: 1 });
    const next = b.max([m, xi]);
    return { carried: [next, b.add(b.mul(s, b.exp(b.sub(m, next))), b.exp(b.sub(xi, next)))] };
  });
  return g.add(states[0], g.log(states[1]), { name: 'lse' });
}

/** The block's backward: d lse / dx = softmax(x) = exp(x - lse). */
function lseBlock(g: GraphBuilder, x: TensorRef, cols: number): TensorRef {
  const lse = loopLogSumExp(g, x, cols);
  customGradientBlock(g, {
    inputs: [x],
    outputs: [lse],
    backward: (b, [dLse]) => [dLse ? b.mul(b.unsqueeze(dLse, [1]), b.exp(b.sub(x, b.unsqueeze(lse, [1])))) : null],
  });
  return lse;
}

/** Mean cross-entropy of logits [n, c] against int64 labels [n], written with plain ops, with a fused backward. */
function fusedCrossEntropy(g: GraphBuilder, logits: TensorRef, labels: TensorRef, classes: number): TensorRef {
  const m = g.reduceMax(logits, [-1]);
  const lse = g.add(g.log(g.reduceSum(g.exp(g.sub(logits, m)), [-1])), m);
  const picked = g.gatherElements(logits, g.unsqueeze(labels, [-1]), { axis: -1 });
  const loss = g.reduceMean(g.sub(lse, picked), null, { keepdims: false });
  customGradientBlock(g, {
    inputs: [logits],
    outputs: [loss],
    backward: (b, [dLoss]) => {
      const oneHot = b.cast(b.equal(b.unsqueeze(labels, [-1]), b.range(0, classes, 1)), logits.dtype);
      const n = b.cast(b.shape(logits, { start: 0, end: 1 }), logits.dtype);
      return [b.mul(b.div(b.sub(b.softmax(logits), oneHot), n), dLoss!)];
    },
  });
  return loss;
}

const CASES: GradCase[] = [
  {
    name: 'log-sum-exp written as a Loop',
    op: 'custom',
    inputs: { x: { shape: [3, 5], range: [-3, 3] } },
    build: (g, t) => lseBlock(g, g.mul(t.x, 1.5), 5),
  },
  {
    name: 'fused stable cross-entropy (plain ops inside the block)',
    op: 'custom',
    inputs: { z: { shape: [4, 6], range: [-20, 20] }, labels: { dtype: 'int64', shape: [4], values: [0, 5, 2, 2] } },
    build: (g, t) => fusedCrossEntropy(g, g.tanh(t.z), t.labels, 6),
  },
];

describe('custom-gradient blocks', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s matches finite differences', async (_n, c) => {
    expect(await gradCheck(c)).toEqual([]);
  });

  test('without the block a Loop on the path is refused by name', () => {
    const g = new GraphBuilder('plain');
    const x = g.input('x', 'float64', [2, 4]);
    const loss = g.reduceSum(loopLogSumExp(g, x, 4), null, { keepdims: false });
    expect(() => gradients(g, loss, [x])).toThrow(/no gradient rule for op 'Loop' \(node 'Loop'\)/);
  });

  test('the block is one unit: none of its nodes gets a rule applied, and its backward sees null for outputs off the path', () => {
    const g = new GraphBuilder('unit');
    const x = g.input('x', 'float64', [3]);
    const a = g.exp(x, { name: 'inner_exp' });
    const b = g.tanh(x, { name: 'inner_tanh' });
    const seen: Array<boolean> = [];
    customGradientBlock(g, {
      inputs: [x],
      outputs: [a, b],
      backward: (bb, [da, db]) => {
        seen.push(da !== null, db !== null);
        return [bb.mul(da!, a)];
      },
    });
    const loss = g.reduceSum(a, null, { keepdims: false });
    const before = g.nodes.length;
    gradients(g, loss, [x]);
    expect(seen).toEqual([true, false]);
    expect(g.nodes.slice(before).filter((n) => n.name.includes('inner_'))).toEqual([]);
  });

  test('a block reading a trainable tensor that is not one of its inputs is refused by name', () => {
    const g = new GraphBuilder('stray');
    const x = g.input('x', 'float64', [3]);
    const w = g.input('w', 'float64', [3]);
    const y = g.mul(x, w);
    customGradientBlock(g, { inputs: [x], outputs: [y], backward: (b, [dy]) => [b.mul(dy!, w)] });
    const loss = g.reduceSum(y, null, { keepdims: false });
    expect(() => gradients(g, loss, [x, w])).toThrow(/reads 'w', which depends on a wrt tensor but is not one of its inputs/);
    expect(() => gradients(g, loss, [x])).not.toThrow();
  });
});
