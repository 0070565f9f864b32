/**
 * Reproducible dropout: the mask is a counter-based hash of (seed, salt, element index) computed with
 * default-domain integer ops of opset 17, so a given seed gives the same mask on every run and every backend,
 * and a resumed run equals an uninterrupted one.
 *
 * Keys (scalar ops, once per site): the int64 seed and the salt go through affine rounds and squarings modulo
 * P = 2^31 - 1 (prime; products of two values below P stay below 2^62, so int64 never overflows), giving two
 * keys k1, k2 in [0, P), cast to uint32.
 *
 * Per element, uint32 arithmetic (wrap-around modulo 2^32 is defined behaviour in ONNX Runtime's C++ kernels
 * and in WebAssembly alike; no Mod, no float), in two parts:
 *
 *   u = mix(index)                       a fixed hash of the flat index, computed once per tensor shape and
 *                                        shared by every site of that shape (three "squares" rounds, after
 *                                        Widynski's counter-based generator, on 32-bit words):
 *                                          y = index * 0x9E3779B1 + C1,  x = rot(y * y + C2),
 *                                          x = rot(x * x + y),  u = x * x + C1
 *                                        rot(v) = (v >> 16) + v * 2^16, a rotation by 16 (disjoint halves)
 *   v = (u + k1) * (u + k2)              per site: keyed by both keys before a product, so nearby keys
 *   h = (v >> 16) * v + u                do not give nearby hashes
 *
 * Multiplications and additions only carry low bits upward; the right shifts bring high bits down, so no
 * output bit is a function of a few index bits (a single round leaves elements 2^16 apart visibly
 * correlated). An element is dropped when h < floor(ratio * 2^32) (a drop rate within 2^-32 of `ratio`);
 * kept ones are scaled by 1 / (1 - ratio). The mask does not depend on x, so the gradient is the same mask
 * times dy. tests/autodiff/dropout-hash.test.ts holds a TypeScript model of all this, checks the graph
 * against it element by element on both backends, and tests the model's masks for joint structure along
 * strides and across sites.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { TensorRef } from '../onnx/types.js';
import { HybridocError } from '../util/errors.js';
import { reshapeLike } from './grad-math.js';

/** 2^31 - 1, a prime: the keys (and dropout seeds, trainer/dropout-seed.ts) lie in [0, P). */
export const DROPOUT_HASH_MODULUS = 2147483647;
const A1 = 48271; // primitive roots mod P (MINSTD multipliers)
const A2 = 69621;
const A3 = 16807;
/** 2^32 / golden ratio, odd: spreads consecutive indices over the 32-bit words. */
const INDEX_MULTIPLIER = 0x9e3779b1;
/** Fixed odd constants of the index hash. */
const INDEX_C1 = 0x2545f491;
const INDEX_C2 = 0x68e31da5;

/** (a * b + c) mod P on exact integers. */
function mulAddMod(a: number, b: number, c: number): number {
  return Number((BigInt(a) * BigInt(b) + BigInt(c)) % BigInt(DROPOUT_HASH_MODULUS));
}

/** v >> 16 on uint32. */
function shiftRight16(g: GraphBuilder, v: TensorRef): TensorRef {
  return g.node('BitShift', [v, g.constant(16, { dtype: 'uint32' })], { direction: 'RIGHT' }, [{ dtype: 'uint32', shape: v.shape }])[0];
}

/**
 * u = mix(index) as a flat uint32 vector, cached per builder and (static or symbolic) shape, so the sites of
 * one shape share it; each site reshapes it to its own x, so a size mismatch fails loudly instead of
 * broadcasting. A cached tensor is reused only while its node is still in the graph.
 */
const mixedIndexCache = new WeakMap<GraphBuilder, Map<string, TensorRef>>();

function mixedIndex(g: GraphBuilder, x: TensorRef): TensorRef {
  const key = x.shape && x.shape.every((d) => d !== null) ? JSON.stringify(x.shape) : undefined;
  let cache = mixedIndexCache.get(g);
  let u = key !== undefined ? cache?.get(key) : undefined;
  if (!u || !g.producer(u.name)) {
    const c = (v: number) => g.constant(v, { dtype: 'uint32' });
    const rot = (v: TensorRef) => g.add(shiftRight16(g, v), g.mul(v, c(0x10000)));
    const index = g.cast(g.range(0, g.cast(g.size(x), 'int32'), 1, { dtype: 'int32' }), 'uint32');
    const y = g.add(g.mul(index, c(INDEX_MULTIPLIER)), c(INDEX_C1));
    let m = rot(g.add(g.mul(y, y), c(INDEX_C2)));
    m = rot(g.add(g.mul(m, m), y));
    u = g.add(g.mul(m, m), c(INDEX_C1), { name: 'mixed_index' });
    if (key !== undefined) {
      if (!cache) mixedIndexCache.set(g, (cache = new Map()));
      cache.set(key, u);
    }
  }
  return reshapeLike(g, u, x);
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
    // Keys from seed and salt (scalar ops): k0 = mix(seed, salt), k1 = mix(k0), k2 = mix(k1).
    const k0 = mod(g.add(g.mul(mod(s), A1), saltKey));
    const square = (t: TensorRef, add: TensorRef | number) => mod(g.add(mod(g.mul(t, t)), add));
    const k1 = square(k0, 1013904223 % P);
    const k2 = square(mod(g.mul(k1, A3)), saltKey);
    const u32 = (t: TensorRef) => g.cast(t, 'uint32');
    // Per element, uint32 arithmetic modulo 2^32.
    const u = mixedIndex(g, x);
    const v = g.mul(g.add(u, u32(k1)), g.add(u, u32(k2)), { name: 'keyed' });
    const h = g.add(g.mul(shiftRight16(g, v), v), u, { name: 'hash' });
    const threshold = g.constant(Math.floor(ratio * 2 ** 32), { dtype: 'uint32' });
    const scale = g.constant(1 / (1 - ratio), { dtype: x.dtype });
    const zero = g.constant(0, { dtype: x.dtype });
    const mask = g.where(g.less(h, threshold), zero, scale, { name: 'mask' });
    return g.mul(x, mask);
  });
}
