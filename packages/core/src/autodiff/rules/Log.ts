import type { GradientRule } from '../rule.js';

/** y = log(x): dx = dy / x. */
export const Log: GradientRule = {
  opType: 'Log',
  inputs: ['input'],
  differentiable: ['input'],
  nonDifferentiable: [],
  grad: ({ g, dy, x }) => [g.div(dy, x(0))],
};
