import { rankOf, staticShape } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = tile(x, repeats): dy viewed as [r0, d0, r1, d1, ...] and summed over the repeat axes. */
export const Tile: GradientRule = {
  opType: 'Tile',
  inputs: ['input', 'repeats'],
  differentiable: ['input'],
  nonDifferentiable: ['repeats'],
  grad: ({ g, dy, x, constValues }) => {
    const t = x(0);
    const rank = rankOf(t, 'Tile gradient');
    const repeats = constValues(1);
    const s = staticShape(t.shape);
    const interleaved =
      repeats && s
        ? g.constInt64(s.flatMap((d, i) => [repeats[i], d]))
        : g.reshape(g.concat([g.unsqueeze(x(1), [1]), g.unsqueeze(g.shape(t), [1])], 1), [-1]);
    const axes = Array.from({ length: rank }, (_, i) => 2 * i);
    return [g.reduceSum(g.reshape(dy, interleaved), axes, { keepdims: false })];
  },
};
