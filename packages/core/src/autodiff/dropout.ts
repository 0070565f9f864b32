/**
 * Reproducible dropout: the mask is a counter-based hash of (seed, salt, element index) computed with
 * default-domain int64 ops of opset 17 (Mod, Mul, Add; BitwiseXor only arrives at opset 18), so a given
 * seed gives the same mask on every run and every backend, and a resumed run equals an uninterrupted one.
 *
 * All arithmetic stays in [0, P) with P = 2^31 - 1 (prime): products of two such values stay below 2^62, so
 * int64 never overflows. Each element's index goes through affine rounds (multiplications by primitive
 * roots, permutations mod P) and squarings (non-linear, so neighbouring elements decorrelate), keyed by
 * values derived from seed and salt. An element is dropped when its hash is below ratio * P; kept ones are
 * scaled by 1 / (1 - ratio). The mask does not depend on x, so the gradient is the same mask times dy.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { TensorRef } from '../onnx/types.js';
import { HybridocError } from '../util/errors.js';
import { reshapeLike } from './grad-math.js';

/** 2^31 - 1, a prime. */
export const DROPOUT_HASH_MODULUS = 2147483647;
const A1 = 48271; // primitive roots mod P (MINSTD multipliers)
const A2 = 69621;
const A3 = 16807;

/** (a * b + c) mod P on exact integers. */
function mulAddMod(a: number, b: number, c: number): number {
  return Number((BigInt(a) * BigInt(b) + BigInt(c)) % BigInt(DROPOUT_HASH_MODULUS));
}

/**
 * x scaled by a dropout mask derived from `seed` (an int64 scalar, usually a graph input advanced per
 * step), `salt` (a distinct integer per dropout site) and each element's flat index. With training false
 * or ratio 0 it returns x itself.
 */
export function reproducibleDropout(
  g: GraphBuilder,
  x: TensorRef,
  ratio: number,
  seed: TensorRef,
  salt: number,
  training: boolean,
): TensorRef {
  if (!(ratio >= 0 && ratio < 1)) throw new HybridocError(`reproducibleDropout: ratio ${ratio} is not in [0, 1)`);
  if (!Number.isInteger(salt)) throw new HybridocError(`reproducibleDropout: salt ${salt} is not an integer`);
  const s = g.ref(seed);
  if (s.dtype !== 'int64') throw new HybridocError(`reproducibleDropout: seed '${s.name}' is ${s.dtype}, not int64`);
  if (!training || ratio === 0) return x;
  return g.scope('dropout', () => {
    const P = DROPOUT_HASH_MODULUS;
    const mod = (t: TensorRef) => g.mod(t, P);
    const saltKey = mulAddMod(((salt % P) + P) % P, A2, 12345);
    // Keys from the seed (scalar ops): k1 = mix(seed), k2 = mix(k1), k3 = mix(k2).
    const k0 = mod(g.add(g.mul(mod(s), A1), saltKey));
    const square = (t: TensorRef, add: TensorRef | number) => mod(g.add(mod(g.mul(t, t)), add));
    const k1 = square(k0, 1013904223 % P);
    const k2 = square(mod(g.mul(k1, A3)), saltKey);
    const k3 = square(mod(g.mul(k2, A2)), 2891336453 % P);
    // Per element.
    const index = reshapeLike(g, g.range(0, g.size(x), 1), x);
    let h = mod(g.mul(mod(g.add(index, k1)), A1));
    h = square(h, k2);
    h = mod(g.add(g.mul(h, A2), k1));
    h = square(h, k3);
    h = mod(g.mul(h, A3));
    const scale = g.constant(1 / (1 - ratio), { dtype: x.dtype });
    const zero = g.constant(0, { dtype: x.dtype });
    const mask = g.where(g.less(h, Math.floor(ratio * P)), zero, scale, { name: 'mask' });
    return g.mul(x, mask);
  });
}
