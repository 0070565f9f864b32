import type { GradientRule } from '../rule.js';

/** y = softmax(x) along axis: dx = y * (dy - sum(dy * y, axis)). */
export const Softmax: GradientRule = {
  opType: 'Softmax',
  inputs: ['input'],
  differentiable: ['input'],
  nonDifferentiable: [],
  grad: ({ g, dy, y, int }) => {
    const s = y();
    return [g.mul(s, g.sub(dy, g.reduceSum(g.mul(dy, s), [int('axis', -1)], { keepdims: true })))];
  },
};
