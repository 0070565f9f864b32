import { unbroadcast } from '../grad-math.js';
import type { TensorRef } from '../../onnx/types.js';
import type { GradientRule } from '../rule.js';

/** y = min(max(x, lo), hi): dx = dy where lo <= x <= hi; dlo = dy where x < lo; dhi = dy where x > hi. */
export const Clip: GradientRule = {
  opType: 'Clip',
  inputs: ['input', 'min', 'max'],
  differentiable: ['input', 'min', 'max'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, inputs, needs }) => {
    const v = x(0);
    const [, lo, hi] = inputs;
    let inside: TensorRef | null = null;
    if (lo) inside = g.greaterOrEqual(v, lo);
    if (hi) inside = inside ? g.and(inside, g.lessOrEqual(v, hi)) : g.lessOrEqual(v, hi);
    return [
      needs(0) ? (inside ? g.where(inside, dy, 0) : dy) : null,
      needs(1) && lo ? unbroadcast(g, g.where(g.less(v, lo), dy, 0), lo) : null,
      needs(2) && hi ? unbroadcast(g, g.where(g.greater(v, hi), dy, 0), hi) : null,
    ];
  },
};
