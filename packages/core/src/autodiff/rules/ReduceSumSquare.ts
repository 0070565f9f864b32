import { reducedGradient } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = sum(x^2, axes): dx = 2 * x * dy. */
export const ReduceSumSquare: GradientRule = {
  opType: 'ReduceSumSquare',
  inputs: ['data'],
  differentiable: ['data'],
  nonDifferentiable: [],
  grad: (ctx) => [ctx.g.mul(ctx.g.mul(ctx.x(0), 2), reducedGradient(ctx).dyk)],
};
