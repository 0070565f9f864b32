import type { GradientRule } from '../rule.js';

/** y = tanh(x): dx = dy * (1 - y^2). */
export const Tanh: GradientRule = {
  opType: 'Tanh',
  inputs: ['input'],
  differentiable: ['input'],
  nonDifferentiable: [],
  grad: ({ g, dy, y }) => [g.mul(dy, g.sub(1, g.mul(y(), y())))],
};
