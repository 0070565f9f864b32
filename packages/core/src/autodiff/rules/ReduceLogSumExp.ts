import { reducedGradient } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = log(sum(exp(x), axes)): dx = dy * exp(x - y). */
export const ReduceLogSumExp: GradientRule = {
  opType: 'ReduceLogSumExp',
  inputs: ['data'],
  differentiable: ['data'],
  nonDifferentiable: [],
  grad: (ctx) => {
    const { dyk, yk } = reducedGradient(ctx);
    return [ctx.g.mul(dyk, ctx.g.exp(ctx.g.sub(ctx.x(0), yk())))];
  },
};
