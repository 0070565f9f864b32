/**
 * The seeded pseudo-random building blocks the project shares. Stored data depends on their exact sequences
 * (the corpus bytes, CRF initial values, test inputs), so each function here is one fixed algorithm that must
 * never change. Generators with other algorithms (sampling/seeded-random.ts: sfc32; weights/init.ts:
 * xoshiro128**) keep their own files, since initial weights and batch orders depend on them. Not for
 * cryptography; Math.random is never used.
 */

/** mulberry32: a seeded generator of uniform unsigned 32-bit integers (`uint32`) and floats in [0, 1) (`next`). */
export class Mulberry32 {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** uniform unsigned 32-bit integer */
  uint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    return this.uint32() / 4294967296;
  }
}

/** Uniform floats in [0, 1) from mulberry32 seeded with `seed`, as a function. */
export function seededUniform(seed: number): () => number {
  const g = new Mulberry32(seed);
  return () => g.next();
}

/** splitmix32's output for state `x`: (x + 0x9e3779b9) through the murmur3 finaliser; a well-mixed 32-bit value. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** 32-bit FNV-1a of a string's UTF-16 code units; `basis` replaces the standard offset basis (to mix in a seed). */
export function fnv1a32(s: string, basis = 0x811c9dc5): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
