import { extremumReductionGrad } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = min(x, axes): dy goes to the elements equal to the minimum, split between ties. */
export const ReduceMin: GradientRule = {
  opType: 'ReduceMin',
  inputs: ['data'],
  differentiable: ['data'],
  nonDifferentiable: [],
  grad: (ctx) => [extremumReductionGrad(ctx)],
};
