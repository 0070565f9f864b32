import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = (x0 + ... + x(n-1)) / n (broadcasting): dxi = dy / n. */
export const Mean: GradientRule = {
  opType: 'Mean',
  inputs: ['data_0...'],
  differentiable: ['data_0...'],
  nonDifferentiable: [],
  grad: ({ g, dy, inputs, needs }) => {
    const share = g.mul(dy, 1 / inputs.length);
    return inputs.map((t, i) => (t && needs(i) ? unbroadcast(g, share, t) : null));
  },
};
