import {
  compileCrf,
  crfStructure,
  decodeSequence,
  denseCrf,
  initCrfParams,
  loadLabelSchema,
  pathScore,
  viterbiDense,
  viterbiFactorised,
  ViterbiWorkspace,
} from '@hybridoc/core';
import { bruteForce, isValidBio, randomEmissions, smallSchema, tinySchema } from './helpers.js';

describe('Viterbi', () => {
  test('factorised = dense = brute force on random scores (small schemas, every position and a position list)', () => {
    const cases = [
      { schema: smallSchema(), T: 4, positions: [0, 1, 2, 3] },
      { schema: smallSchema(), T: 7, positions: [1, 2, 4, 6] },
      { schema: tinySchema(), T: 6, positions: [0, 1, 2, 3, 4, 5] },
    ];
    let trial = 0;
    for (const { schema, T, positions } of cases) {
      for (const rank of [0, 2]) {
        for (let seed = 0; seed < 2; seed++) {
          trial++;
          const s = crfStructure(schema, { rank });
          const crf = compileCrf(s, initCrfParams(s, { seed: 100 + trial, randomScale: 2 }));
          const dense = denseCrf(crf);
          const em = randomEmissions(T, schema.numLabels, 200 + trial);
          const bf = bruteForce(dense, em, positions);
          const d = viterbiDense(dense, em, { positions });
          const f = viterbiFactorised(crf, em, { positions });
          expect(Array.from(d.path)).toEqual(Array.from(bf.bestPath));
          expect(Array.from(f.path)).toEqual(Array.from(bf.bestPath));
          expect(d.score).toBe(bf.bestScore);
          expect(f.score).toBe(d.score);
          expect(pathScore(dense, em, f.path, positions)).toBe(f.score);
        }
      }
    }
  });

  test('factorised = dense exactly with the real schema (161 labels), random scores, padding skipped', () => {
    const schema = loadLabelSchema();
    const L = schema.numLabels;
    const s = crfStructure(schema, { rank: 2 });
    const ws = new ViterbiWorkspace(96, L);
    for (let seed = 0; seed < 4; seed++) {
      const crf = compileCrf(s, initCrfParams(s, { seed, randomScale: 2 }));
      const dense = denseCrf(crf);
      const T = 96;
      const em = randomEmissions(T, L, 50 + seed, 4);
      // every other token (sub-tokens skipped), and the tail is padding
      const positions = Array.from({ length: 40 }, (_, k) => 2 * k + (seed % 2));
      const d = viterbiDense(dense, em, { positions, workspace: ws });
      const f = viterbiFactorised(crf, em, { positions, workspace: ws });
      expect(Array.from(f.path)).toEqual(Array.from(d.path));
      expect(f.score).toBe(d.score);
      expect(isValidBio(schema, f.path)).toBe(true);
      // the path uses entities, not only O (the comparison is not trivial)
      expect(Array.from(f.path).filter((l) => l > 0).length).toBeGreaterThan(10);
    }
  });

  test('factorised = dense when the within-group blocks decide (emissions favour one group for stretches)', () => {
    const schema = loadLabelSchema();
    const L = schema.numLabels;
    const s = crfStructure(schema, { rank: 3 });
    const p = initCrfParams(s, { seed: 31, randomScale: 1 });
    const C = schema.numGroupClasses;
    for (let g = 0; g < C; g++) p['crf.group_transitions'][g * C + g] += 3; // staying in a group pays
    const crf = compileCrf(s, p);
    const dense = denseCrf(crf);
    const T = 120;
    const em = randomEmissions(T, L, 32, 2);
    for (let t = 0; t < T; t++) {
      const g = Math.floor(t / 12) % (C - 1);
      for (const l of schema.groupLabels[g]) em[t * L + l] += 5;
    }
    const d = viterbiDense(dense, em);
    const f = viterbiFactorised(crf, em);
    expect(Array.from(f.path)).toEqual(Array.from(d.path));
    expect(f.score).toBe(d.score);
    // consecutive labels from the same entity group: the within-group step was taken many times
    let sameGroup = 0;
    for (let t = 1; t < T; t++) if (f.path[t] > 0 && schema.labelToGroup[f.path[t]] === schema.labelToGroup[f.path[t - 1]]) sameGroup++;
    expect(sameGroup).toBeGreaterThan(60);
  });

  test('BIO constraints hold even when the emissions favour stray I- labels', () => {
    const schema = loadLabelSchema();
    const L = schema.numLabels;
    const s = crfStructure(schema, { rank: 2 });
    const crf = compileCrf(s, initCrfParams(s, { seed: 9, randomScale: 1 }));
    const dense = denseCrf(crf);
    const T = 60;
    const em = randomEmissions(T, L, 77, 1);
    // push a different I- label up at every position: an unconstrained argmax is invalid BIO everywhere
    for (let t = 0; t < T; t++) em[t * L + schema.bioPairs[(t * 7) % schema.numEntities][1]] += 8;
    const raw = Array.from({ length: T }, (_, t) => schema.bioPairs[(t * 7) % schema.numEntities][1]);
    expect(isValidBio(schema, raw)).toBe(false);
    const f = viterbiFactorised(crf, em);
    expect(isValidBio(schema, f.path)).toBe(true);
    expect(Array.from(f.path)).toEqual(Array.from(viterbiDense(dense, em).path));
    for (let seed = 0; seed < 20; seed++) {
      const e2 = randomEmissions(30, L, 1000 + seed, 6);
      expect(isValidBio(schema, viterbiFactorised(crf, e2).path)).toBe(true);
    }
  });

  test('argmax + BIO repair yields valid BIO and the argmax labels elsewhere', () => {
    const schema = loadLabelSchema();
    const L = schema.numLabels;
    for (let seed = 0; seed < 10; seed++) {
      const T = 50;
      const em = randomEmissions(T, L, 300 + seed, 5);
      const out = decodeSequence(schema, em, { decode: 'argmax', confidence: false });
      expect(isValidBio(schema, out.labels)).toBe(true);
      for (let t = 0; t < T; t++) {
        let arg = 0;
        for (let j = 1; j < L; j++) if (em[t * L + j] > em[t * L + arg]) arg = j;
        // repair only ever turns an I-X into the B-X of the same entity
        if (out.labels[t] !== arg) {
          const e = schema.labelToEntity[arg];
          expect(schema.bioPairs[e]).toEqual([out.labels[t], arg]);
        }
      }
    }
  });

  test('empty position list and one position', () => {
    const schema = smallSchema();
    const s = crfStructure(schema, { rank: 1 });
    const crf = compileCrf(s, initCrfParams(s, { seed: 2, randomScale: 1 }));
    const em = randomEmissions(3, schema.numLabels, 4);
    expect(viterbiFactorised(crf, em, { positions: [] })).toEqual({ path: new Int32Array(0), score: 0 });
    const one = viterbiFactorised(crf, em, { positions: [2] });
    const bf = bruteForce(denseCrf(crf), em, [2]);
    expect(Array.from(one.path)).toEqual(Array.from(bf.bestPath));
    expect(() => viterbiFactorised(crf, em, { positions: [3] })).toThrow('positions: 3 outside the 3 emission rows');
  });
});
