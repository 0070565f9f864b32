import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/** y = x ^ p: dx = dy * p * x^(p-1); dp = dy * y * log(x) where x > 0 (0 elsewhere). */
export const Pow: GradientRule = {
  opType: 'Pow',
  inputs: ['X', 'Y'],
  differentiable: ['X', 'Y'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, y, needs, constValues }) => {
    const base = x(0);
    const exponent = x(1);
    let dx = null;
    if (needs(0)) {
      const c = constValues(1);
      if (c && c.length === 1 && c[0] === 2) dx = g.mul(g.mul(dy, base), 2);
      else if (c && c.length === 1 && c[0] === 1) dx = dy;
      else {
        const p = exponent.dtype === base.dtype ? exponent : g.cast(exponent, base.dtype);
        const lower = c && c.length === 1 ? g.constant(c[0] - 1, { dtype: base.dtype }) : g.sub(p, 1);
        dx = g.mul(dy, g.mul(p, g.pow(base, lower)));
      }
      dx = unbroadcast(g, dx, base);
    }
    let dp = null;
    if (needs(1)) {
      const positive = g.greater(base, 0);
      const logBase = g.where(positive, g.log(g.where(positive, base, 1)), 0);
      dp = unbroadcast(g, g.mul(dy, g.mul(y(), logBase)), exponent);
    }
    return [dx, dp];
  },
};
