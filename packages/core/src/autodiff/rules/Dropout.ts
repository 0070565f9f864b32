import { HybridocError } from '../../util/errors.js';
import type { GradientRule } from '../rule.js';

/**
 * ONNX Dropout: an identity outside training mode; in training mode dx = dy * mask / (1 - ratio) with the
 * op's own mask output. Training graphs should use reproducibleDropout (autodiff/dropout.ts) instead, whose
 * mask comes from a seed input; its gradient needs no rule of its own (the mask is a constant factor).
 */
export const Dropout: GradientRule = {
  opType: 'Dropout',
  inputs: ['data', 'ratio', 'training_mode'],
  differentiable: ['data'],
  nonDifferentiable: ['ratio', 'training_mode'],
  grad: ({ g, dy, inputs, outputs, constValues, node }) => {
    const mode = inputs[2];
    const fixed = mode ? constValues(2) : [0];
    if (fixed && fixed[0] === 0) return [dy];
    const mask = outputs[1];
    if (!mask) throw new HybridocError(`Dropout gradient (node '${node.name}'): training mode needs the mask output`);
    const ratio = inputs[1] ? constValues(1) : [0.5];
    const scale = ratio
      ? g.constant(1 / (1 - Math.fround(ratio[0])), { dtype: dy.dtype })
      : g.cast(g.reciprocal(g.sub(1, inputs[1]!)), dy.dtype);
    const masked = g.mul(g.mul(dy, g.cast(mask, dy.dtype)), scale);
    return [fixed ? masked : g.where(mode!, masked, dy)];
  },
};
