import { HybridocError } from '../../util/errors.js';
import type { GradientRule } from '../rule.js';

/** y = pad(x, pads) in constant mode: dx = pad(dy, -pads), which crops what was added (and re-pads crops). */
export const Pad: GradientRule = {
  opType: 'Pad',
  inputs: ['data', 'pads', 'constant_value'],
  differentiable: ['data'],
  nonDifferentiable: ['pads', 'constant_value'],
  grad: ({ g, dy, x, string, constValues, node }) => {
    const mode = string('mode', 'constant');
    if (mode !== 'constant') throw new HybridocError(`Pad gradient (node '${node.name}'): mode '${mode}' is not supported`);
    const pads = constValues(1);
    return [g.pad(dy, pads ? pads.map((p) => -p) : g.neg(x(1)))];
  },
};
