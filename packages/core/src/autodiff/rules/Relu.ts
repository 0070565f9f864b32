import type { GradientRule } from '../rule.js';

/** y = max(x, 0): dx = dy where x > 0, else 0. */
export const Relu: GradientRule = {
  opType: 'Relu',
  inputs: ['X'],
  differentiable: ['X'],
  nonDifferentiable: [],
  grad: ({ g, dy, x }) => [g.where(g.greater(x(0), 0), dy, 0)],
};
