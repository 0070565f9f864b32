import { extremumReductionGrad } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = max(x, axes): dy goes to the elements equal to the maximum, split between ties. */
export const ReduceMax: GradientRule = {
  opType: 'ReduceMax',
  inputs: ['data'],
  differentiable: ['data'],
  nonDifferentiable: [],
  grad: (ctx) => [extremumReductionGrad(ctx)],
};
