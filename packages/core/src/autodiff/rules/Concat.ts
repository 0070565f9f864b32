import { rankOf } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = concat(x0, x1, ..., axis): dy is split back into pieces of the inputs' sizes along axis. */
export const Concat: GradientRule = {
  opType: 'Concat',
  inputs: ['inputs...'],
  differentiable: ['inputs...'],
  nonDifferentiable: [],
  grad: ({ g, dy, inputs, needs, int }) => {
    const xs = inputs.map((t) => t!);
    const r = rankOf(xs[0], 'Concat gradient');
    const axis = int('axis', 0) < 0 ? int('axis', 0) + r : int('axis', 0);
    if (xs.length === 1) return [dy];
    const sizes = xs.map((t) => t.shape?.[axis]);
    const split = sizes.every((d): d is number => typeof d === 'number')
      ? sizes
      : g.concat(
          xs.map((t) => g.shape(t, { start: axis, end: axis + 1 })),
          0,
        );
    const parts = g.split(dy, split, { axis, outputs: xs.length });
    return parts.map((p, i) => (needs(i) ? p : null));
  },
};
