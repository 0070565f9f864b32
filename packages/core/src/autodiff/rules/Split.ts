import { zerosLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** [y0, y1, ...] = split(x, axis): dx = concat(dy0, dy1, ...), zeros for outputs no gradient reaches. */
export const Split: GradientRule = {
  opType: 'Split',
  inputs: ['input', 'split'],
  differentiable: ['input'],
  nonDifferentiable: ['split'],
  grad: ({ g, dOutputs, y, int }) => [
    g.concat(
      dOutputs.map((d, i) => d ?? zerosLike(g, y(i))),
      int('axis', 0),
    ),
  ],
};
