import type { GradientRule } from '../rule.js';

/** y = exp(x): dx = dy * y. */
export const Exp: GradientRule = {
  opType: 'Exp',
  inputs: ['input'],
  differentiable: ['input'],
  nonDifferentiable: [],
  grad: ({ g, dy, y }) => [g.mul(dy, y())],
};
