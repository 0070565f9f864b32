import { reshapeLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** Reshape only rearranges the shape: dx = reshape(dy, shape(x)). */
export const Reshape: GradientRule = {
  opType: 'Reshape',
  inputs: ['data', 'shape'],
  differentiable: ['data'],
  nonDifferentiable: ['shape'],
  grad: ({ g, dy, x }) => [reshapeLike(g, dy, x(0))],
};
