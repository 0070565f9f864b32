import { countOf, expandTo, reducedGradient } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = mean(x, axes): dx = dy / n broadcast back, n the number of elements averaged. */
export const ReduceMean: GradientRule = {
  opType: 'ReduceMean',
  inputs: ['data'],
  differentiable: ['data'],
  nonDifferentiable: [],
  grad: (ctx) => {
    const { g } = ctx;
    const { dyk } = reducedGradient(ctx);
    return [expandTo(g, g.div(dyk, countOf(g, ctx.x(0), ctx.y(), dyk.dtype)), ctx.x(0))];
  },
};
