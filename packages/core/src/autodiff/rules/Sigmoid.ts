import type { GradientRule } from '../rule.js';

/** y = sigmoid(x): dx = dy * y * (1 - y). */
export const Sigmoid: GradientRule = {
  opType: 'Sigmoid',
  inputs: ['X'],
  differentiable: ['X'],
  nonDifferentiable: [],
  grad: ({ g, dy, y }) => [g.mul(dy, g.mul(y(), g.sub(1, y())))],
};
