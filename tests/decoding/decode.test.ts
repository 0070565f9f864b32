import {
  compileCrf,
  crfStructure,
  decodeSequence,
  denseCrf,
  independentMarginals,
  independentSpanProbability,
  initCrfParams,
  loadLabelSchema,
  positionsFromMask,
  viterbiDense,
  wordPositions,
} from '@hybridoc/core';
import { isValidBio, randomEmissions, smallSchema, tinySchema } from './helpers.js';

describe('decode switch', () => {
  const schema = loadLabelSchema();
  const L = schema.numLabels;
  const s = crfStructure(schema, { rank: 2 });
  const crf = compileCrf(s, initCrfParams(s, { seed: 12, randomScale: 1.5 }));

  test('viterbi: path, token confidence and span confidence from the posteriors', () => {
    const em = randomEmissions(64, L, 13, 4);
    const tokenWords = Array.from({ length: 64 }, (_, t) => (t === 0 || t > 60 ? -1 : Math.floor((t - 1) / 2)));
    const { positions, words } = wordPositions(tokenWords);
    expect(positions.length).toBe(30);
    expect(Array.from(words)).toEqual(Array.from({ length: 30 }, (_, w) => w));
    expect(positions[0]).toBe(1);
    expect(positions[1]).toBe(3);
    const out = decodeSequence(schema, em, { decode: 'viterbi', crf, positions });
    expect(Array.from(out.labels)).toEqual(Array.from(viterbiDense(denseCrf(crf), em, { positions }).path));
    expect(isValidBio(schema, out.labels)).toBe(true);
    expect(out.tokenConfidence!.length).toBe(30);
    expect(out.logZ).toBeGreaterThanOrEqual(out.score);
    expect(out.spans.length).toBeGreaterThan(0);
    for (const sp of out.spans) {
      expect(sp.confidence).toBeGreaterThan(0);
      // a span's probability never exceeds its first token's B- marginal
      expect(sp.confidence!).toBeLessThanOrEqual(out.tokenConfidence![sp.start] + 1e-6);
    }
    expect(() => decodeSequence(schema, em, { decode: 'viterbi' })).toThrow("decode: viterbi needs the model's CRF");
    const other = smallSchema();
    expect(() => decodeSequence(other, randomEmissions(3, other.numLabels, 1), { decode: 'viterbi', crf })).toThrow(
      `decode: the CRF was built for schema ${schema.hash}, not ${other.hash}`,
    );
  });

  test('argmax: same model scored without the CRF; independent-model confidences', () => {
    const em = randomEmissions(12, L, 14, 3);
    const positions = positionsFromMask([1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
    expect(Array.from(positions)).toEqual([0, 1, 3, 4, 5, 7, 8, 9, 10]);
    // make a two-word entity certain, followed by an O
    const [B, I] = schema.bioPairs[schema.entityIndex.get('TOTAL_AMOUNT')!];
    em[3 * L + B] = 30;
    em[4 * L + I] = 30;
    em[5 * L + 0] = 30;
    const out = decodeSequence(schema, em, { decode: 'argmax', positions });
    expect(out.labels[2]).toBe(B);
    expect(out.labels[3]).toBe(I);
    const span = out.spans.find((sp) => sp.start === 2)!;
    expect(span).toMatchObject({ entity: schema.entityIndex.get('TOTAL_AMOUNT'), end: 4 });
    expect(span.confidence).toBeCloseTo(1, 6);
    const probs = independentMarginals(em, L, positions);
    let logp = 0;
    for (let k = 0; k < positions.length; k++) {
      expect(out.tokenConfidence![k]).toBeCloseTo(probs[k * L + out.labels[k]], 6);
      logp += Math.log(probs[k * L + out.labels[k]]);
    }
    expect(out.score).toBeCloseTo(logp, 9);
    expect(out.logZ).toBeNull();
    // viterbi on the same emissions differs in general but both are valid BIO
    const v = decodeSequence(schema, em, { decode: 'viterbi', crf, positions });
    expect(isValidBio(schema, v.labels)).toBe(true);
    expect(() => decodeSequence(schema, em, { decode: 'beam' as never })).toThrow('decode: must be viterbi or argmax, got "beam"');
  });

  test('independent span probability against enumeration of the per-position model', () => {
    const tiny = tinySchema();
    const Lt = tiny.numLabels;
    const K = 4;
    const probs = independentMarginals(randomEmissions(K, Lt, 15, 2), Lt);
    for (const bio of tiny.bioPairs) {
      for (let st = 0; st < K; st++) {
        for (let en = st + 1; en <= K; en++) {
          let want = 0;
          for (let n = 0; n < Lt ** K; n++) {
            const path = [0, 1, 2, 3].map((k) => Math.floor(n / Lt ** (K - 1 - k)) % Lt);
            let ok = path[st] === bio[0];
            for (let t = st + 1; t < en; t++) ok &&= path[t] === bio[1];
            if (en < K) ok &&= path[en] !== bio[1];
            if (ok) want += path.reduce((a, l, k) => a * probs[k * Lt + l], 1);
          }
          expect(independentSpanProbability(probs, Lt, K, st, en, bio)).toBeCloseTo(want, 12);
        }
      }
    }
  });
});
