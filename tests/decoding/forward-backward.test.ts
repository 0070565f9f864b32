import {
  compileCrf,
  crfStructure,
  denseCrf,
  forwardBackward,
  forwardBackwardDense,
  initCrfParams,
  loadLabelSchema,
  spanProbability,
  tokenConfidence,
  viterbiFactorised,
  type DenseCrf,
} from '@hybridoc/core';
import { bruteForce, forEachPath, randomEmissions, smallSchema, tinySchema } from './helpers.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) m = Math.max(m, Math.abs(a[k] - b[k])); // equal infinities count as equal
  return m;
}

/** P(y_s = B, y_{s+1..e-1} = I, y_e != I) by enumeration. */
function bruteSpan(
  crf: DenseCrf,
  em: Float32Array,
  positions: number[],
  logZ: number,
  start: number,
  end: number,
  [B, I]: [number, number],
) {
  let p = 0;
  forEachPath(crf, em, positions, (path, s) => {
    if (path[start] !== B) return;
    let ok = true;
    for (let t = start + 1; t < end; t++) if (path[t] !== I) ok = false;
    if (end < positions.length && path[end] === I) ok = false;
    if (ok) p += Math.exp(s - logZ);
  });
  return p;
}

describe('forward-backward', () => {
  test('log Z and marginals against brute-force enumeration (factorised and dense)', () => {
    let trial = 0;
    for (const [schema, T, positions] of [
      [smallSchema(), 5, [0, 2, 3, 4]],
      [tinySchema(), 6, [0, 1, 2, 3, 4, 5]],
    ] as const) {
      for (const rank of [0, 2]) {
        trial++;
        const s = crfStructure(schema, { rank });
        const crf = compileCrf(s, initCrfParams(s, { seed: trial, randomScale: 2 }));
        const dense = denseCrf(crf);
        const em = randomEmissions(T, schema.numLabels, 40 + trial);
        const bf = bruteForce(dense, em, [...positions]);
        const f = forwardBackward(crf, em, { positions });
        const d = forwardBackwardDense(dense, em, { positions });
        expect(f.logZ).toBeCloseTo(bf.logZ, 9);
        expect(d.logZ).toBeCloseTo(bf.logZ, 9);
        expect(maxAbsDiff(f.marginals, bf.marginals)).toBeLessThan(1e-6);
        expect(maxAbsDiff(d.marginals, bf.marginals)).toBeLessThan(1e-6);
        // forbidden states carry no mass: no I- label at the first position
        for (const [, I] of schema.bioPairs) expect(f.marginals[I]).toBe(0);
      }
    }
  });

  test('span probabilities equal brute force, and the spans starting at a position sum to its B- marginal', () => {
    const schema = smallSchema();
    const s = crfStructure(schema, { rank: 2 });
    const crf = compileCrf(s, initCrfParams(s, { seed: 21, randomScale: 1.5 }));
    const dense = denseCrf(crf);
    const L = schema.numLabels;
    const positions = [0, 1, 2, 3];
    const K = positions.length;
    const em = randomEmissions(4, L, 22, 2);
    const fb = forwardBackward(crf, em, { positions });
    const fbd = forwardBackwardDense(dense, em, { positions });
    for (const e of [0, 3, 5]) {
      const bio = schema.bioPairs[e];
      for (let st = 0; st < K; st++) {
        let sum = 0;
        for (let en = st + 1; en <= K; en++) {
          const p = spanProbability(fb, st, en, bio);
          expect(p).toBeCloseTo(bruteSpan(dense, em, positions, fb.logZ, st, en, bio), 9);
          expect(spanProbability(fbd, st, en, bio)).toBeCloseTo(p, 9);
          sum += p;
        }
        expect(sum).toBeCloseTo(fb.marginals[st * L + bio[0]], 6);
      }
    }
    expect(() => spanProbability(fb, 2, 2, schema.bioPairs[0])).toThrow('span [2, 2) outside the 4 positions');
  });

  test('factorised = dense with the real schema (161 labels); rows sum to 1; confidence of the Viterbi path', () => {
    const schema = loadLabelSchema();
    const L = schema.numLabels;
    const s = crfStructure(schema, { rank: 2 });
    const crf = compileCrf(s, initCrfParams(s, { seed: 5, randomScale: 2 }));
    const dense = denseCrf(crf);
    const em = randomEmissions(24, L, 6, 4);
    const positions = Array.from({ length: 16 }, (_, k) => k + (k > 10 ? 5 : 0));
    const f = forwardBackward(crf, em, { positions });
    const d = forwardBackwardDense(dense, em, { positions });
    expect(f.method).toBe('scaled');
    expect(Math.abs(f.logZ - d.logZ)).toBeLessThan(1e-9 * Math.abs(d.logZ));
    expect(maxAbsDiff(f.alpha, d.alpha)).toBeLessThan(1e-8);
    expect(maxAbsDiff(f.beta, d.beta)).toBeLessThan(1e-8);
    expect(maxAbsDiff(f.marginals, d.marginals)).toBeLessThan(1e-6);
    for (let k = 0; k < f.length; k++) {
      let sum = 0;
      for (let j = 0; j < L; j++) sum += f.marginals[k * L + j];
      expect(sum).toBeCloseTo(1, 5);
    }
    const { path, score } = viterbiFactorised(crf, em, { positions });
    expect(score).toBeLessThanOrEqual(f.logZ);
    const conf = tokenConfidence(f, path);
    expect(conf.length).toBe(16);
    expect(conf.every((c) => c > 0 && c <= 1)).toBe(true);
  });

  test('a very wide spread of transition scores falls back to the exact log-space recursion', () => {
    const schema = tinySchema();
    const s = crfStructure(schema, { rank: 1 });
    const p = initCrfParams(s, { seed: 8, randomScale: 1 });
    p['crf.group_transitions'][1] = 900; // left -> right
    p['crf.group_transitions'][2] = -900; // right -> left
    const crf = compileCrf(s, p);
    expect(crf.transSpread).toBeGreaterThan(1000);
    const em = randomEmissions(5, schema.numLabels, 3);
    const positions = [0, 1, 2, 3, 4];
    const bf = bruteForce(denseCrf(crf), em, positions);
    const f = forwardBackward(crf, em);
    expect(f.method).toBe('log');
    expect(f.logZ).toBeCloseTo(bf.logZ, 8);
    expect(maxAbsDiff(f.marginals, bf.marginals)).toBeLessThan(1e-6);
  });

  test('a very wide emission row also falls back; moderate spreads stay scaled and exact', () => {
    const schema = tinySchema();
    const L = schema.numLabels;
    const s = crfStructure(schema, { rank: 1 });
    const crf = compileCrf(s, initCrfParams(s, { seed: 9, randomScale: 1 }));
    const positions = [0, 1, 2, 3, 4];
    const em = randomEmissions(5, L, 10);
    const wideEm = Float32Array.from(em);
    wideEm[2 * L + 3] = 700; // one label 700 nats above the rest of its row
    const wide = forwardBackward(crf, wideEm);
    expect(wide.method).toBe('log');
    expect(wide.logZ).toBeCloseTo(bruteForce(denseCrf(crf), wideEm, positions).logZ, 6);
    em[2 * L + 3] = 150;
    const moderate = forwardBackward(crf, em);
    expect(moderate.method).toBe('scaled');
    const bf = bruteForce(denseCrf(crf), em, positions);
    expect(moderate.logZ).toBeCloseTo(bf.logZ, 8);
    expect(maxAbsDiff(moderate.marginals, bf.marginals)).toBeLessThan(1e-6);
    const ref = forwardBackwardDense(denseCrf(crf), em);
    for (const bio of schema.bioPairs) {
      for (let st = 0; st < 5; st++) {
        for (let en = st + 1; en <= 5; en++)
          expect(spanProbability(moderate, st, en, bio)).toBeCloseTo(spanProbability(ref, st, en, bio), 9);
      }
    }
  });
});
