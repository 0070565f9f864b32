/**
 * The dropout seed of each forward pass, a pure function of (run seed, optimizer step, micro-batch), so a
 * resumed run draws exactly the masks an uninterrupted one drew. The value lies in [0, 2^31 - 1), the
 * range reproducibleDropout hashes in (autodiff/dropout.ts).
 */
import { DROPOUT_HASH_MODULUS } from '../autodiff/dropout.js';

/** splitmix64's finaliser on BigInt: a well-mixed 64-bit value from a 64-bit input. */
function mix64(x: bigint): bigint {
  const M = (1n << 64n) - 1n;
  let z = (x + 0x9e3779b97f4a7c15n) & M;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}

/** Seed of the dropout masks of micro-batch `micro` of optimizer step `step` (counted from 0). */
export function dropoutSeedFor(seed: number, step: number, micro = 0): number {
  for (const [name, v] of [
    ['seed', seed],
    ['step', step],
    ['micro', micro],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`dropoutSeedFor: ${name} must be an integer >= 0, got ${v}`);
  }
  const h = mix64(mix64(mix64(BigInt(seed)) ^ BigInt(step)) ^ BigInt(micro));
  return Number(h % BigInt(DROPOUT_HASH_MODULUS));
}
