// reproducibleDropout's mask, bit for bit: a TypeScript model of the documented hash (keys modulo 2^31 - 1
// from seed and salt; a fixed uint32 hash of the element index shared per shape; a keyed uint32 round per
// site) predicts every element the graph draws, on both backends and for tensors of different shapes in one
// graph. The model then stands in for the graph in statistical tests that pairwise checks miss: joint
// patterns of 8 elements along strides (rows and columns of any width, heads of attention tensors) and of
// 8 sites or 8 consecutive seeds at the same element.
import { createSession, encodeModel, GraphBuilder, reproducibleDropout, tensor, toNumbers, type TensorRef } from '@hybridoc/core';

const P = 2147483647n;
const modP = (v: bigint) => ((v % P) + P) % P;

/** The two uint32 keys of (seed, salt). */
function keysOf(seed: bigint, salt: number): [number, number] {
  const saltKey = modP(modP(BigInt(salt)) * 69621n + 12345n);
  const k0 = modP(modP(seed) * 48271n + saltKey);
  const square = (t: bigint, add: bigint) => modP(modP(t * t) + add);
  const k1 = square(k0, 1013904223n % P);
  const k2 = square(modP(k1 * 16807n), saltKey);
  return [Number(k1), Number(k2)];
}

const sq = (x: number, add: number) => (Math.imul(x, x) + add) >>> 0;
const rot = (x: number) => ((x >>> 16) + Math.imul(x, 0x10000)) >>> 0;

/** The fixed index hash u(i). */
function mixedIndex(i: number): number {
  const y = (Math.imul(i, 0x9e3779b1) + 0x2545f491) >>> 0;
  let x = rot(sq(y, 0x68e31da5));
  x = rot(sq(x, y));
  return sq(x, 0x2545f491);
}

const mixedIndices = new Uint32Array(1 << 19).map((_, i) => mixedIndex(i));

/** The keep mask (1 = kept) reproducibleDropout documents, computed in TypeScript. */
function expectedKeep(seed: bigint, salt: number, ratio: number, n: number): Uint8Array {
  const [k1, k2] = keysOf(seed, salt);
  const threshold = Math.floor(ratio * 2 ** 32);
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = i < mixedIndices.length ? mixedIndices[i] : mixedIndex(i);
    const v = Math.imul((u + k1) >>> 0, (u + k2) >>> 0) >>> 0;
    keep[i] = (Math.imul(v >>> 16, v) + u) >>> 0 >= threshold ? 1 : 0;
  }
  return keep;
}

/**
 * z-score of the chi-square of the 256 patterns of 8 bits taken `stride` apart (all windows of a tiling):
 * about N(0, 1) for independent bits with P(1) = q.
 */
function windowChiSquareZ(bits: Uint8Array, q: number, stride: number): number {
  const counts = new Float64Array(256);
  let windows = 0;
  for (let base = 0; base + 8 * stride <= bits.length; base += 8 * stride) {
    for (let o = 0; o < stride; o++) {
      let v = 0;
      for (let j = 0; j < 8; j++) v = v * 2 + bits[base + o + j * stride];
      counts[v]++;
      windows++;
    }
  }
  let chi = 0;
  for (let v = 0; v < 256; v++) {
    let pr = 1;
    for (let j = 0; j < 8; j++) pr *= (v >> j) & 1 ? q : 1 - q;
    chi += (counts[v] - windows * pr) ** 2 / (windows * pr);
  }
  return (chi - 255) / Math.sqrt(2 * 255);
}

describe('reproducibleDropout hash', () => {
  const shapes: Record<string, number[]> = { a: [6, 7, 11], b: [6, 7, 11], c: [5, 1300] };
  const sites: Array<{ input: string; salt: number; ratio: number }> = [
    { input: 'a', salt: 0, ratio: 0.1 },
    { input: 'b', salt: 1, ratio: 0.5 },
    { input: 'a', salt: -3, ratio: 0.3 },
    { input: 'c', salt: 123456789, ratio: 0.9 },
  ];
  const build = () => {
    const g = new GraphBuilder('masks');
    const seed = g.input('seed', 'int64', []);
    const inputs: Record<string, TensorRef> = {};
    for (const [k, dims] of Object.entries(shapes)) inputs[k] = g.input(k, 'float32', ['rows', ...dims.slice(1)]);
    sites.forEach((s, i) => g.output(reproducibleDropout(g, inputs[s.input], s.ratio, seed, s.salt, true), { name: `y${i}` }));
    return g;
  };

  test('every element equals the TypeScript model of the hash, for several seeds, shapes and ratios, on node and web', async () => {
    const g = build();
    // the three sites over [rows, 7, 11] tensors share one index Range; the [rows, 1300] site has its own
    expect(g.toModel().graph!.node!.filter((n) => n.opType === 'Range')).toHaveLength(2);
    const bytes = encodeModel(g.toModel());
    const feeds = Object.fromEntries(
      Object.entries(shapes).map(([k, dims]) => {
        const n = dims.reduce((a, d) => a * d, 1);
        return [k, tensor('float32', dims, new Float32Array(n).fill(1))];
      }),
    );
    for (const backend of ['node', 'web'] as const) {
      const s = await createSession(bytes, { backend, intraOpThreads: 1 });
      for (const seed of [0n, 1n, 987654321n, -7n, 2n ** 63n - 1n]) {
        const r = await s.run({ ...feeds, seed: tensor('int64', [], [seed]) });
        sites.forEach((site, i) => {
          const n = shapes[site.input].reduce((a, d) => a * d, 1);
          const scale = Math.fround(1 / (1 - site.ratio));
          const expected = Array.from(expectedKeep(seed, site.salt, site.ratio, n), (k) => (k ? scale : 0));
          expect(toNumbers(r[`y${i}`])).toEqual(expected);
        });
      }
      await s.release();
    }
  });
  test('the masks have no joint structure along strides, across sites or across consecutive seeds (8-bit patterns)', () => {
    const n = 1 << 19;
    const masks = (seed: bigint, salt: number, size = n) => expectedKeep(seed, salt, 0.5, size);
    // a single keyed round over the plain index leaves elements 2^16 apart strongly correlated (|z| in the
    // thousands); chance alone rarely passes |z| = 6
    for (const [seed, salt] of [
      [0n, 0],
      [987654321n, 7],
    ] as const) {
      const m = masks(seed, salt);
      for (const stride of [1, 2, 3, 64, 128, 1000, 4096, 16384, 65536]) expect(Math.abs(windowChiSquareZ(m, 0.5, stride))).toBeLessThan(6);
    }
    const interleave = (ms: Uint8Array[]) => {
      const out = new Uint8Array(8 * ms[0].length);
      for (let i = 0; i < ms[0].length; i++) for (let s = 0; s < 8; s++) out[i * 8 + s] = ms[s][i];
      return out;
    };
    const salts = interleave(Array.from({ length: 8 }, (_, salt) => masks(99n, salt, n / 4)));
    const seeds = interleave(Array.from({ length: 8 }, (_, seed) => masks(BigInt(seed), 4, n / 4)));
    expect(Math.abs(windowChiSquareZ(salts, 0.5, 1))).toBeLessThan(6);
    expect(Math.abs(windowChiSquareZ(seeds, 0.5, 1))).toBeLessThan(6);
  });
});
