import type { GradientRule } from '../rule.js';

/** y = sqrt(x): dx = dy * 0.5 / y. */
export const Sqrt: GradientRule = {
  opType: 'Sqrt',
  inputs: ['X'],
  differentiable: ['X'],
  nonDifferentiable: [],
  grad: ({ g, dy, y }) => [g.div(g.mul(dy, 0.5), y())],
};
