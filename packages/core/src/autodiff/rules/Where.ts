import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = cond ? a : b (broadcasting): da = dy where cond, db = dy where not. */
export const Where: GradientRule = {
  opType: 'Where',
  inputs: ['condition', 'X', 'Y'],
  differentiable: ['X', 'Y'],
  nonDifferentiable: ['condition'],
  grad: ({ g, dy, x, needs }) => [
    null,
    needs(1) ? unbroadcast(g, g.where(x(0), dy, 0), x(1)) : null,
    needs(2) ? unbroadcast(g, g.where(x(0), 0, dy), x(2)) : null,
  ],
};
