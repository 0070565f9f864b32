/**
 * The corpus's only source of randomness: a seeded 32-bit generator (mulberry32) with named sub-streams.
 * `Rng.from(seed, 'layout', 17)` hashes its parts into a seed, so independent streams (values, layout, noise)
 * never shift each other when one of them draws more numbers. Math.random is never used.
 */
import { Mulberry32 } from '../util/random.js';

export class Rng extends Mulberry32 {
  /** A generator whose seed is a hash of the parts (numbers and strings). */
  static from(...parts: Array<number | string>): Rng {
    return new Rng(hashParts(parts));
  }

  /** A new independent stream derived from this one's next draw and a label. */
  fork(label: string | number): Rng {
    return Rng.from(this.uint32(), label);
  }

  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  float(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }

  /** Fisher-Yates in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** k distinct items in random order */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle([...items]).slice(0, Math.min(k, items.length));
  }

  /** standard normal (Box-Muller) scaled */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** log-uniform in [lo, hi] */
  logUniform(lo: number, hi: number): number {
    return Math.exp(this.float(Math.log(lo), Math.log(hi)));
  }

  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }

  /** n characters from an alphabet */
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  letters(n: number): string {
    return this.chars(n, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  }

  alnum(n: number): string {
    return this.chars(n, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789');
  }
}

/** 32-bit hash of a list of numbers and strings (murmur3-style mixing). */
export function hashParts(parts: ReadonlyArray<number | string>): number {
  let h = 0x9e3779b9;
  const mix = (k: number) => {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  };
  for (const p of parts) {
    if (typeof p === 'number') {
      mix(p | 0);
      mix(Math.floor(p / 4294967296) | 0);
    } else {
      mix(p.length);
      for (let i = 0; i < p.length; i++) mix(p.charCodeAt(i));
    }
    mix(0x5bd1e995);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
