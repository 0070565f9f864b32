import type { GradientRule } from '../rule.js';

/** y = cast(x) between float types: dx = cast(dy) back (integer and bool sides carry no gradient). */
export const Cast: GradientRule = {
  opType: 'Cast',
  inputs: ['input'],
  differentiable: ['input'],
  nonDifferentiable: [],
  grad: ({ g, dy, x }) => [dy.dtype === x(0).dtype ? dy : g.cast(dy, x(0).dtype)],
};
