import type { GradientRule } from '../rule.js';

/** y = erf(x): dx = dy * 2/sqrt(pi) * exp(-x^2). */
export const Erf: GradientRule = {
  opType: 'Erf',
  inputs: ['input'],
  differentiable: ['input'],
  nonDifferentiable: [],
  grad: ({ g, dy, x }) => [g.mul(dy, g.mul(g.exp(g.neg(g.mul(x(0), x(0)))), 2 / Math.sqrt(Math.PI)))],
};
