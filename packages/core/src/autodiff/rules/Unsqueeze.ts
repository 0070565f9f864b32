import { reshapeLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** Unsqueeze only rearranges the shape: dx = reshape(dy, shape(x)). */
export const Unsqueeze: GradientRule = {
  opType: 'Unsqueeze',
  inputs: ['data', 'axes'],
  differentiable: ['data'],
  nonDifferentiable: ['axes'],
  grad: ({ g, dy, x }) => [reshapeLike(g, dy, x(0))],
};
