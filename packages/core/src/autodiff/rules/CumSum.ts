import type { GradientRule } from '../rule.js';

/** y = cumsum(x, axis): dx = cumsum(dy, axis) in the other direction (same exclusive flag). */
export const CumSum: GradientRule = {
  opType: 'CumSum',
  inputs: ['x', 'axis'],
  differentiable: ['x'],
  nonDifferentiable: ['axis'],
  grad: ({ g, dy, x, int }) => [g.cumSum(dy, x(1), { exclusive: int('exclusive', 0) === 1, reverse: int('reverse', 0) !== 1 })],
};
