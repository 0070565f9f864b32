import { HybridocError } from '../../util/errors.js';
import { zerosLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = gather_nd(data, indices) (batch_dims 0): ddata = scatter_nd(zeros, indices, dy, add). */
export const GatherND: GradientRule = {
  opType: 'GatherND',
  inputs: ['data', 'indices'],
  differentiable: ['data'],
  nonDifferentiable: ['indices'],
  grad: ({ g, dy, x, int, node }) => {
    if (int('batch_dims', 0) !== 0) throw new HybridocError(`GatherND gradient (node '${node.name}'): batch_dims > 0 is not supported`);
    return [g.scatterND(zerosLike(g, x(0)), x(1), dy, { reduction: 'add' })];
  },
};
