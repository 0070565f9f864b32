import { reshapeLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** Squeeze only rearranges the shape: dx = reshape(dy, shape(x)). */
export const Squeeze: GradientRule = {
  opType: 'Squeeze',
  inputs: ['data', 'axes'],
  differentiable: ['data'],
  nonDifferentiable: ['axes'],
  grad: ({ g, dy, x }) => [reshapeLike(g, dy, x(0))],
};
