import { zerosLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** [values, indices] = topk(x, k, axis): dx = scatter_elements(zeros, indices, dvalues, add). */
export const TopK: GradientRule = {
  opType: 'TopK',
  inputs: ['X', 'K'],
  differentiable: ['X'],
  nonDifferentiable: ['K'],
  grad: ({ g, dOutputs, x, y, int }) => [
    dOutputs[0] ? g.scatterElements(zerosLike(g, x(0)), y(1), dOutputs[0], { axis: int('axis', -1), reduction: 'add' }) : null,
    null,
  ],
};
