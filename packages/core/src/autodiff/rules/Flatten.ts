import { reshapeLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** Flatten only rearranges the shape: dx = reshape(dy, shape(x)). */
export const Flatten: GradientRule = {
  opType: 'Flatten',
  inputs: ['input'],
  differentiable: ['input'],
  nonDifferentiable: [],
  grad: ({ g, dy, x }) => [reshapeLike(g, dy, x(0))],
};
