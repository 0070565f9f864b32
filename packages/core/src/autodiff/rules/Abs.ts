import type { GradientRule } from '../rule.js';

/** y = |x|: dx = dy * sign(x). */
export const Abs: GradientRule = {
  opType: 'Abs',
  inputs: ['X'],
  differentiable: ['X'],
  nonDifferentiable: [],
  grad: ({ g, dy, x }) => [g.mul(dy, g.sign(x(0)))],
};
