import type { GradientRule } from '../rule.js';

/** y = x: dx = dy. */
export const Identity: GradientRule = {
  opType: 'Identity',
  inputs: ['input'],
  differentiable: ['input'],
  nonDifferentiable: [],
  grad: ({ dy }) => [dy],
};
