import { HybridocError } from '../../util/errors.js';
import { zerosLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/**
 * y = scatter_elements(data, indices, updates, axis, reduction none|add): dupdates = gather_elements(dy);
 * ddata = dy (add) or dy with the overwritten positions zeroed (none).
 */
export const ScatterElements: GradientRule = {
  opType: 'ScatterElements',
  inputs: ['data', 'indices', 'updates'],
  differentiable: ['data', 'updates'],
  nonDifferentiable: ['indices'],
  grad: ({ g, dy, x, needs, int, string, node }) => {
    const reduction = string('reduction', 'none');
    if (reduction !== 'none' && reduction !== 'add') {
      throw new HybridocError(`ScatterElements gradient (node '${node.name}'): reduction '${reduction}' is not supported`);
    }
    const axis = int('axis', 0);
    const dData = !needs(0) ? null : reduction === 'add' ? dy : g.scatterElements(dy, x(1), zerosLike(g, x(2)), { axis });
    return [dData, null, needs(2) ? g.gatherElements(dy, x(1), { axis }) : null];
  },
};
