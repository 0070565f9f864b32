import type { GradientRule } from '../rule.js';

/** y = trilu(x, k): dx = trilu(dy, k) with the same triangle. */
export const Trilu: GradientRule = {
  opType: 'Trilu',
  inputs: ['input', 'k'],
  differentiable: ['input'],
  nonDifferentiable: ['k'],
  grad: ({ g, dy, inputs, int }) => [g.trilu(dy, { upper: int('upper', 1) === 1, ...(inputs[1] ? { k: inputs[1] } : {}) })],
};
