import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/**
 * y = fmod(a, b) = a - b * trunc(a / b) for floats (integer Mod carries no gradient): da = dy,
 * db = -dy * trunc(a / b) = -dy * (a - y) / b.
 */
export const Mod: GradientRule = {
  opType: 'Mod',
  inputs: ['A', 'B'],
  differentiable: ['A', 'B'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, y, needs }) => [
    needs(0) ? unbroadcast(g, dy, x(0)) : null,
    needs(1) ? unbroadcast(g, g.neg(g.mul(dy, g.div(g.sub(x(0), y()), x(1)))), x(1)) : null,
  ],
};
