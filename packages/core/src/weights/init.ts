/**
 * Seeded parameter initialisation from a parameter table (model/parameters.ts). Each tensor draws from its
 * own stream, seeded by (seed, tensor name), so a tensor's initial values do not depend on which other
 * tensors exist or their order: adding a head or a layer leaves the others' initial values unchanged.
 * Normal draws use Box-Muller over a xoshiro128** generator, computed in float64 and stored as float32.
 */
import type { ParameterSpec } from '../model/parameters.js';
import { shapeNumel } from '../model/parameters.js';
import { fnv1a32, splitmix32 } from '../util/random.js';

/** 32-bit FNV-1a of a string, mixed with a seed. */
function hashSeed(seed: number, name: string): number {
  return fnv1a32(name, 0x811c9dc5 ^ (seed >>> 0));
}

/** xoshiro128** seeded through splitmix32; uniform floats in [0, 1). */
export class ParameterRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      const z = splitmix32(x);
      x = (x + 0x9e3779b9) >>> 0;
      return z;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** uniform 32-bit unsigned integer */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** uniform in (0, 1] with 32 random bits (plenty for float32 parameters) */
  uniform(): number {
    return (this.nextUint32() + 1) / 4294967296;
  }

  /** standard normal */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** One tensor's initial values. */
export function initializeParameter(spec: ParameterSpec, seed: number): Float32Array {
  const n = shapeNumel(spec.shape);
  const out = new Float32Array(n);
  const init = spec.init;
  switch (init.kind) {
    case 'zeros':
      break;
    case 'ones':
      out.fill(1);
      break;
    case 'constant':
      out.fill(init.value);
      break;
    case 'normal': {
      const rng = new ParameterRng(hashSeed(seed, spec.name));
      for (let i = 0; i < n; i++) out[i] = rng.normal() * init.std;
      if (init.zeroRow !== undefined) {
        const width = n / spec.shape[0];
        out.fill(0, init.zeroRow * width, (init.zeroRow + 1) * width);
      }
      break;
    }
  }
  return out;
}

/** Initial values for every tensor of a table, by name, in table order. */
export function initializeParameters(specs: readonly ParameterSpec[], seed: number): Map<string, Float32Array> {
  return new Map(specs.map((s) => [s.name, initializeParameter(s, seed)]));
}
