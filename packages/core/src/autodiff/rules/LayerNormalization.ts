import { rankOf, unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/**
 * y = xhat * scale + bias, xhat = (x - mean) / sqrt(var + eps) over the axes from `axis` on. Mean and
 * inverse deviation are recomputed (the op's optional outputs are float32 even in double graphs).
 * dx = inv * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * scale; dscale = sum(dy * xhat); dbias = sum(dy).
 */
export const LayerNormalization: GradientRule = {
  opType: 'LayerNormalization',
  inputs: ['X', 'Scale', 'B'],
  differentiable: ['X', 'Scale', 'B'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, inputs, needs, int, float }) => {
    const X = x(0);
    const scale = x(1);
    const bias = inputs[2];
    const r = rankOf(X, 'LayerNormalization gradient');
    const axis = int('axis', -1) < 0 ? int('axis', -1) + r : int('axis', -1);
    const axes = Array.from({ length: r - axis }, (_, i) => axis + i);
    const eps = g.constant(float('epsilon', 1e-5), { dtype: X.dtype });
    const centered = g.sub(X, g.reduceMean(X, axes));
    const inv = g.reciprocal(g.sqrt(g.add(g.reduceMean(g.mul(centered, centered), axes), eps)));
    const xhat = g.mul(centered, inv);
    let dX = null;
    if (needs(0)) {
      const gh = g.mul(dy, scale);
      const inner = g.sub(g.sub(gh, g.reduceMean(gh, axes)), g.mul(xhat, g.reduceMean(g.mul(gh, xhat), axes)));
      dX = g.mul(inv, inner);
    }
    const dScale = needs(1) ? unbroadcast(g, g.mul(dy, xhat), scale) : null;
    const dBias = bias && needs(2) ? unbroadcast(g, dy, bias) : null;
    return [dX, dScale, dBias];
  },
};
