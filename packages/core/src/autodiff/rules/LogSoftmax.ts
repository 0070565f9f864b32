import type { GradientRule } from '../rule.js';

/** y = log_softmax(x) along axis: dx = dy - exp(y) * sum(dy, axis). */
export const LogSoftmax: GradientRule = {
  opType: 'LogSoftmax',
  inputs: ['input'],
  differentiable: ['input'],
  nonDifferentiable: [],
  grad: ({ g, dy, y, int }) => [g.sub(dy, g.mul(g.exp(y()), g.reduceSum(dy, [int('axis', -1)], { keepdims: true })))],
};
