import type { GradientRule } from '../rule.js';

/** y = 1 / x: dx = -dy * y^2. */
export const Reciprocal: GradientRule = {
  opType: 'Reciprocal',
  inputs: ['X'],
  differentiable: ['X'],
  nonDifferentiable: [],
  grad: ({ g, dy, y }) => [g.neg(g.mul(dy, g.mul(y(), y())))],
};
