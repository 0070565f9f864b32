import { HybridocError } from '../../util/errors.js';
import { zerosLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/**
 * y = scatter_nd(data, indices, updates, reduction none|add): dupdates = gather_nd(dy, indices);
 * ddata = dy (add) or dy with the overwritten positions zeroed (none).
 */
export const ScatterND: GradientRule = {
  opType: 'ScatterND',
  inputs: ['data', 'indices', 'updates'],
  differentiable: ['data', 'updates'],
  nonDifferentiable: ['indices'],
  grad: ({ g, dy, x, needs, string, node }) => {
    const reduction = string('reduction', 'none');
    if (reduction !== 'none' && reduction !== 'add') {
      throw new HybridocError(`ScatterND gradient (node '${node.name}'): reduction '${reduction}' is not supported`);
    }
    const dData = !needs(0) ? null : reduction === 'add' ? dy : g.scatterND(dy, x(1), zerosLike(g, x(2)));
    return [dData, null, needs(2) ? g.gatherND(dy, x(1)) : null];
  },
};
