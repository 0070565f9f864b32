import { rankOf, staticShape, zerosLike } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/**
 * y = gather(data, indices, axis): the embedding gradient. dy rows are added into zeros at the gathered
 * positions with ScatterND(reduction add), so duplicate indices accumulate. For axis > 0 the gathered axis
 * (and dy's index axes) move to the front, are scattered, and move back.
 */
export const Gather: GradientRule = {
  opType: 'Gather',
  inputs: ['data', 'indices'],
  differentiable: ['data'],
  nonDifferentiable: ['indices'],
  grad: ({ g, dy, x, int }) => {
    const data = x(0);
    const indices = g.unsqueeze(x(1).dtype === 'int64' ? x(1) : g.cast(x(1), 'int64'), [-1]);
    const r = rankOf(data, 'Gather gradient');
    const a = int('axis', 0) < 0 ? int('axis', 0) + r : int('axis', 0);
    if (a === 0) return [g.scatterND(zerosLike(g, data), indices, dy, { reduction: 'add' })];
    const q = rankOf(x(1), 'Gather gradient');
    const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
    const dyFront = g.transpose(dy, [...range(a, a + q), ...range(0, a), ...range(a + q, r + q - 1)]);
    const dataPerm = [a, ...range(0, a), ...range(a + 1, r)];
    const s = staticShape(data.shape);
    const frontShape = s ? g.constInt64(dataPerm.map((p) => s[p])) : g.gather(g.shape(data), dataPerm);
    const scattered = g.scatterND(g.constantOfShape(frontShape, { dtype: data.dtype }), indices, dyFront, { reduction: 'add' });
    const inverse = dataPerm.map((_, i) => dataPerm.indexOf(i));
    return [g.node('Transpose', [scattered], { perm: inverse }, [{ dtype: data.dtype, shape: data.shape }])[0]];
  },
};
