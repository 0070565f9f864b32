import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = a + b (broadcasting): da = dy, db = dy, each summed back to its input's shape. */
export const Add: GradientRule = {
  opType: 'Add',
  inputs: ['A', 'B'],
  differentiable: ['A', 'B'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, needs }) => [needs(0) ? unbroadcast(g, dy, x(0)) : null, needs(1) ? unbroadcast(g, dy, x(1)) : null],
};
