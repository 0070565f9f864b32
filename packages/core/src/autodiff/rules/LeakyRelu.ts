import type { GradientRule } from '../rule.js';

/** y = x (x >= 0), alpha * x (x < 0): dx = dy or alpha * dy. */
export const LeakyRelu: GradientRule = {
  opType: 'LeakyRelu',
  inputs: ['X'],
  differentiable: ['X'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, float }) => [g.where(g.less(x(0), 0), g.mul(dy, float('alpha', 0.01)), dy)],
};
