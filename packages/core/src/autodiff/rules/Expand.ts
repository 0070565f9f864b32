import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = expand(x, shape) (broadcasting): dx = dy summed over the broadcast axes. */
export const Expand: GradientRule = {
  opType: 'Expand',
  inputs: ['input', 'shape'],
  differentiable: ['input'],
  nonDifferentiable: ['shape'],
  grad: ({ g, dy, x }) => [unbroadcast(g, dy, x(0))],
};
