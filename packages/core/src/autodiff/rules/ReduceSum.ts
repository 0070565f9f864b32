import { expandTo, reducedGradient } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = sum(x, axes): dx = dy broadcast back over the reduced axes (axes may be a run-time input). */
export const ReduceSum: GradientRule = {
  opType: 'ReduceSum',
  inputs: ['data', 'axes'],
  differentiable: ['data'],
  nonDifferentiable: ['axes'],
  grad: (ctx) => [expandTo(ctx.g, reducedGradient(ctx).dyk, ctx.x(0))],
};
