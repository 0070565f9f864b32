import { rankOf } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = transpose(x, perm): dx = transpose(dy, inverse(perm)); no perm reverses the axes. */
export const Transpose: GradientRule = {
  opType: 'Transpose',
  inputs: ['data'],
  differentiable: ['data'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, ints }) => {
    const r = rankOf(x(0), 'Transpose gradient');
    const perm = ints('perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
    return [
      g.transpose(
        dy,
        perm.map((_, i) => perm.indexOf(i)),
      ),
    ];
  },
};
