/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) for everything that must be
 * reproducible from a seed: sampler batch orders, bootstrap resamples. Not for cryptography.
 */
import { splitmix32 } from '../util/random.js';

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `keys` are mixed in order, so (seed, epoch) and (epoch, seed) give different streams. Each key is an integer. */
  constructor(...keys: number[]) {
    let h = 0x9e3779b9;
    const mix = (x: number) => {
      h = splitmix32(h ^ x);
    };
    for (const k of keys) {
      if (!Number.isSafeInteger(k)) throw new RangeError(`seed keys must be safe integers, got ${k}`);
      // both 32-bit halves, so seeds above 2^32 still differ
      mix(k >>> 0);
      mix(Math.floor(k / 0x100000000) >>> 0);
    }
    this.a = splitmix32(h);
    this.b = splitmix32(this.a ^ 0x85ebca6b);
    this.c = splitmix32(this.b ^ 0xc2b2ae35);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    return this.nextUint32() / 0x100000000;
  }

  /** uniform integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }
}
