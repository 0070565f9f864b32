import type { GradientRule } from '../rule.js';

/** y = -x: dx = -dy. */
export const Neg: GradientRule = {
  opType: 'Neg',
  inputs: ['X'],
  differentiable: ['X'],
  nonDifferentiable: [],
  grad: ({ g, dy }) => [g.neg(dy)],
};
