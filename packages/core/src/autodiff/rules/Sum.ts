import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = x0 + x1 + ... (broadcasting): dxi = dy, summed back to xi's shape. */
export const Sum: GradientRule = {
  opType: 'Sum',
  inputs: ['data_0...'],
  differentiable: ['data_0...'],
  nonDifferentiable: [],
  grad: ({ g, dy, inputs, needs }) => inputs.map((t, i) => (t && needs(i) ? unbroadcast(g, dy, t) : null)),
};
