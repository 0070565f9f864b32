import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = a * b (broadcasting): da = dy * b, db = dy * a. */
export const Mul: GradientRule = {
  opType: 'Mul',
  inputs: ['A', 'B'],
  differentiable: ['A', 'B'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, needs }) => [
    needs(0) ? unbroadcast(g, g.mul(dy, x(1)), x(0)) : null,
    needs(1) ? unbroadcast(g, g.mul(dy, x(0)), x(1)) : null,
  ],
};
