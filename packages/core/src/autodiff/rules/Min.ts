import { selectedInputGrads } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = min(x0, x1, ...) (broadcasting): dy goes to the inputs equal to y, split between ties. */
export const Min: GradientRule = {
  opType: 'Min',
  inputs: ['data_0...'],
  differentiable: ['data_0...'],
  nonDifferentiable: [],
  grad: ({ g, dy, y, inputs, needs }) => selectedInputGrads(g, dy, y(), inputs, needs),
};
