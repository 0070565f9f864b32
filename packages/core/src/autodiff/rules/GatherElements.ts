import { zerosLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = gather_elements(data, indices, axis): ddata = scatter_elements(zeros, indices, dy, add). */
export const GatherElements: GradientRule = {
  opType: 'GatherElements',
  inputs: ['data', 'indices'],
  differentiable: ['data'],
  nonDifferentiable: ['indices'],
  grad: ({ g, dy, x, int }) => [g.scatterElements(zerosLike(g, x(0)), x(1), dy, { axis: int('axis', 0), reduction: 'add' })],
};
