import { reducedGradient } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = sqrt(sum(x^2, axes)): dx = dy * x / y. */
export const ReduceL2: GradientRule = {
  opType: 'ReduceL2',
  inputs: ['data'],
  differentiable: ['data'],
  nonDifferentiable: [],
  grad: (ctx) => {
    const { dyk, yk } = reducedGradient(ctx);
    return [ctx.g.mul(dyk, ctx.g.div(ctx.x(0), yk()))];
  },
};
