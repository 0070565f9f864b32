// The CRF inside the graph: dense scores from the structured parameters against crf-structure.ts, the
// forward-algorithm NLL and the posterior marginals against brute-force enumeration and the TypeScript
// forward-backward, and the custom backward against finite differences (float64).
import {
  buildCrfScores,
  compileCrf,
  crfForward,
  crfNegLogLikelihood,
  crfPosteriors,
  crfStructure,
  denseCrf,
  denseTransitions,
  forwardBackward,
  GRAPH_FORBIDDEN_SCORE,
  initCrfParams,
  loadLabelSchema,
  tensor,
  type CrfParams,
  type CrfStructure,
  type GraphBuilder,
  type HostTensor,
  type TensorRef,
} from '@hybridoc/core';
import { bruteForceCrf, expectClose, gradientCheck, runGraph, tinySchema, uniform, type FeedSpec } from './helpers.js';

type Float = 'float32' | 'float64';

function paramFeeds(s: CrfStructure, params: CrfParams, dtype: Float): Record<string, FeedSpec> {
  return Object.fromEntries(s.params.map((p) => [p.name, { dtype, dims: p.shape, values: params[p.name] }]));
}

function paramInputs(g: GraphBuilder, s: CrfStructure, dtype: Float): Map<string, TensorRef> {
  return new Map(s.params.map((p) => [p.name, g.input(p.name, dtype, p.shape)]));
}

function hostFeeds(feeds: Record<string, FeedSpec>): Record<string, HostTensor> {
  return Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, tensor(v.dtype, v.dims, v.values)]));
}

// Labels of tinySchema: O=0, B-L_ONE=1, I-L_ONE=2, B-L_TWO=3, I-L_TWO=4, B-R_ONE=5, I-R_ONE=6.
const B = 3;
const T = 6;
const LABELS = [
  [1, -100, 2, 2, 0, 3], // 5 scored positions, one skipped sub-token
  [-100, 5, 6, -100, -100, -100], // 2 scored, then padding
  [-100, -100, -100, -100, -100, -100], // nothing scored: NLL 0
];

describe('dense scores from the structured parameters', () => {
  test.each([
    ['rank 2, per-entity scalars', 2, 'per_entity'],
    ['rank 0, shared scalars', 0, 'shared'],
  ] as const)('%s: equal denseTransitions() and the BIO-masked start', async (_label, rank, bioScalars) => {
    const schema = tinySchema();
    const s = crfStructure(schema, { rank, bioScalars });
    const params = initCrfParams(s, { randomScale: 1.5, seed: 11 });
    const out = await runGraph(
      (g) => {
        const sc = buildCrfScores(g, s, paramInputs(g, s, 'float32'));
        return { trans: sc.trans, start: sc.start, end: sc.end };
      },
      hostFeeds(paramFeeds(s, params, 'float32')),
    );
    expectClose(out.trans, denseTransitions(s, params, GRAPH_FORBIDDEN_SCORE), 1e-6, 1e-6);
    const compiled = denseCrf(compileCrf(s, params), GRAPH_FORBIDDEN_SCORE);
    expectClose(out.start, compiled.start, 1e-6);
    expectClose(out.end, compiled.end, 0);
    // forbidden steps really are forbidden: into I-L_ONE only from B-L_ONE / I-L_ONE
    const L = s.numLabels;
    for (let i = 0; i < L; i++) expect(out.trans[i * L + 2] === GRAPH_FORBIDDEN_SCORE).toBe(i !== 1 && i !== 2);
  });

  test('at 161 labels the structured CRF has 2,162 parameters at rank 4 against 25,921 dense', () => {
    const s = crfStructure(loadLabelSchema(), { rank: 4 });
    const count = s.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
    // 20 x 20 group matrix + 2 x 80 BIO scalars + 2 x 4 x 160 residual rows + 2 x 161 start/end
    expect(count).toBe(400 + 160 + 1280 + 322);
  });
});

describe('CRF negative log-likelihood and marginals', () => {
  const schema = tinySchema();
  const s = crfStructure(schema, { rank: 2 });
  const params = initCrfParams(s, { randomScale: 1, seed: 5 });
  const L = s.numLabels;
  const emissions = uniform(B * T * L, 3, -2, 2);
  const dense = denseCrf(compileCrf(s, params), GRAPH_FORBIDDEN_SCORE);

  const feeds = (dtype: Float): Record<string, FeedSpec> => ({
    emissions: { dtype, dims: [B, T, L], values: emissions, shape: ['batch', 'seq', L] },
    labels: { dtype: 'int64', dims: [B, T], values: LABELS.flat(), shape: ['batch', 'seq'] },
    ...paramFeeds(s, params, dtype),
  });
  const declare = (g: GraphBuilder, dtype: Float) => {
    const e = g.input('emissions', dtype, ['batch', 'seq', L]);
    const labels = g.input('labels', 'int64', ['batch', 'seq']);
    return { e, labels, sc: buildCrfScores(g, s, paramInputs(g, s, dtype)) };
  };

  const reference = (b: number) => {
    const positions = LABELS[b].flatMap((l, t) => (l === -100 ? [] : [t]));
    const gold = positions.map((t) => LABELS[b][t]);
    const rowEmissions = emissions.slice(b * T * L, (b + 1) * T * L);
    return { positions, gold, rowEmissions, brute: positions.length ? bruteForceCrf(dense, rowEmissions, positions) : undefined };
  };

  test('per-sequence NLL = log Z - gold score by enumeration; the loss is their sum per scored token', async () => {
    const out = await runGraph(
      (g) => {
        const { e, labels, sc } = declare(g, 'float64');
        const r = crfNegLogLikelihood(g, e, labels, sc);
        return { nll: r.nll, loss: r.loss, scored: r.forward.scored };
      },
      hostFeeds(feeds('float64')),
    );
    const expected = [0, 1, 2].map((b) => {
      const r = reference(b);
      return r.brute ? r.brute.logZ - r.brute.scoreOf(r.gold) : 0;
    });
    expect(expected[0]).toBeGreaterThan(0);
    // float32 parameters: the reference sums them in float32, the graph in float64
    expectClose(out.nll, expected, 1e-8, 1e-7);
    expect(out.scored).toEqual([7]);
    expect(out.loss[0]).toBeCloseTo((expected[0] + expected[1]) / 7, 6);
  });

  test('marginals (forward-backward in the graph) equal enumeration and the TypeScript forward-backward', async () => {
    const out = await runGraph(
      (g) => {
        const { e, labels, sc } = declare(g, 'float64');
        const fw = crfForward(g, e, labels, sc, L);
        const ones = g.constantOfShape(g.shape(e, { start: 0, end: 1 }), { dtype: 'float64', value: 1 });
        const post = crfPosteriors(g, e, fw, sc, L, ones);
        return { marginals: post.marginals, pairwise: post.pairwise, logZ: fw.logZ };
      },
      hostFeeds(feeds('float64')),
    );
    const expectedPairs = new Float64Array(L * L);
    for (let b = 0; b < B; b++) {
      const r = reference(b);
      for (let t = 0; t < T; t++) {
        const row = out.marginals.slice((t * B + b) * L, (t * B + b + 1) * L);
        const k = r.positions.indexOf(t);
        if (k < 0) expect(row).toEqual(new Array(L).fill(0));
        else expectClose(row, r.brute!.marginals.slice(k * L, (k + 1) * L), 1e-9, 1e-6);
      }
      if (!r.brute) continue;
      expect(out.logZ[b]).toBeCloseTo(r.brute.logZ, 6);
      r.brute.pairwise.forEach((v, i) => (expectedPairs[i] += v));
      const ts = forwardBackward(compileCrf(s, params), Float32Array.from(r.rowEmissions), { positions: r.positions });
      expect(ts.logZ).toBeCloseTo(out.logZ[b], 4);
      for (let k = 0; k < r.positions.length; k++) {
        const t = r.positions[k];
        expectClose(out.marginals.slice((t * B + b) * L, (t * B + b + 1) * L), ts.marginals.slice(k * L, (k + 1) * L), 1e-5);
      }
    }
    expectClose(out.pairwise, expectedPairs, 1e-9, 1e-6);
  });

  test('custom backward = finite differences, into emissions and every structured CRF parameter', async () => {
    const r = await gradientCheck({
      feeds: feeds('float64'),
      build: (g, t) => {
        const sc = buildCrfScores(g, s, new Map(s.params.map((p) => [p.name, t[p.name]])));
        // a weighted sum of the per-sequence NLLs, so each sequence's incoming gradient differs
        const nll = crfNegLogLikelihood(g, t.emissions, t.labels, sc).nll;
        return g.reduceSum(g.mul(nll, g.constant([0.7, 1.3, 2], { dtype: 'float64' })), null, { keepdims: false });
      },
      wrt: ['emissions', ...s.params.map((p) => p.name)],
      samples: 40,
    });
    expect(r.mismatches).toEqual([]);
    expect(r.checked).toBe(40 + 53); // 40 emission entries + every CRF parameter entry
  });

  test('float32 at 161 labels: log Z and marginals match the TypeScript forward-backward', async () => {
    const full = crfStructure(loadLabelSchema(), { rank: 4 });
    const fp = initCrfParams(full, { randomScale: 0.5, seed: 9 });
    const FL = full.numLabels;
    const seq = 10;
    const e = uniform(2 * seq * FL, 21, -6, 0);
    const labels = [...[0, 1, 2, -100, 0, 0, 3, 4, 4, 0], ...[5, 6, -100, 0, -100, -100, -100, -100, -100, -100]];
    const out = await runGraph(
      (g) => {
        const em = g.input('emissions', 'float32', ['batch', 'seq', FL]);
        const lab = g.input('labels', 'int64', ['batch', 'seq']);
        const sc = buildCrfScores(g, full, paramInputs(g, full, 'float32'));
        const fw = crfForward(g, em, lab, sc, FL);
        const ones = g.constantOfShape(g.shape(em, { start: 0, end: 1 }), { value: 1 });
        return { logZ: fw.logZ, marginals: crfPosteriors(g, em, fw, sc, FL, ones).marginals };
      },
      hostFeeds({
        emissions: { dtype: 'float32', dims: [2, seq, FL], values: e },
        labels: { dtype: 'int64', dims: [2, seq], values: labels },
        ...paramFeeds(full, fp, 'float32'),
      }),
    );
    for (let b = 0; b < 2; b++) {
      const row = labels.slice(b * seq, (b + 1) * seq);
      const positions = row.flatMap((l, t) => (l === -100 ? [] : [t]));
      const ts = forwardBackward(compileCrf(full, fp), Float32Array.from(e.slice(b * seq * FL, (b + 1) * seq * FL)), { positions });
      expect(out.logZ[b]).toBeCloseTo(ts.logZ, 3);
      positions.forEach((t, k) =>
        expectClose(out.marginals.slice((t * 2 + b) * FL, (t * 2 + b + 1) * FL), ts.marginals.slice(k * FL, (k + 1) * FL), 2e-5),
      );
    }
  });
});
