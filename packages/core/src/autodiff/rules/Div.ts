import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = a / b (broadcasting): da = dy / b, db = -dy * y / b. */
export const Div: GradientRule = {
  opType: 'Div',
  inputs: ['A', 'B'],
  differentiable: ['A', 'B'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, y, needs }) => {
    const da = needs(0) || needs(1) ? g.div(dy, x(1)) : null;
    return [needs(0) ? unbroadcast(g, da!, x(0)) : null, needs(1) ? unbroadcast(g, g.neg(g.mul(da!, y())), x(1)) : null];
  },
};
