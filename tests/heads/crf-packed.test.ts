// The CRF graph's recursions run over left-packed scored positions in linear space (float64): the per-position
// messages it hands out (alpha, alphaIn, beta and the bookkeeping) still follow every original position, a
// strongly self-contradicting sequence keeps the exact answer in float32, and batches with ragged, full or
// no scored positions give the enumeration's NLL, marginals and pairwise posteriors.
import {
  buildCrfScores,
  compileCrf,
  crfForward,
  crfNegLogLikelihood,
  crfPosteriors,
  crfStructure,
  denseCrf,
  forwardBackwardDense,
  gradients,
  GRAPH_FORBIDDEN_SCORE,
  initCrfParams,
  tensor,
  type CrfStructure,
  type GraphBuilder,
  type HostTensor,
  type TensorRef,
} from '@hybridoc/core';
import { bruteForceCrf, expectClose, runGraph, tinySchema, uniform } from './helpers.js';

type Float = 'float32' | 'float64';
const IGNORE = -100;

const s: CrfStructure = crfStructure(tinySchema(), { rank: 2 });
const params = initCrfParams(s, { randomScale: 1, seed: 17 });
const L = s.numLabels; // O=0, B-L_ONE=1, I-L_ONE=2, B-L_TWO=3, I-L_TWO=4, B-R_ONE=5, I-R_ONE=6
const dense = denseCrf(compileCrf(s, params), GRAPH_FORBIDDEN_SCORE);

function declare(g: GraphBuilder, dtype: Float) {
  const e = g.input('emissions', dtype, ['batch', 'seq', L]);
  const labels = g.input('labels', 'int64', ['batch', 'seq']);
  const sc = buildCrfScores(g, s, new Map(s.params.map((p) => [p.name, g.input(p.name, dtype, p.shape)])));
  return { e, labels, sc };
}

function feeds(dtype: Float, B: number, T: number, emissions: number[], labels: number[]): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {
    emissions: tensor(dtype, [B, T, L], emissions),
    labels: tensor('int64', [B, T], labels),
  };
  for (const p of s.params) out[p.name] = tensor(dtype, p.shape, params[p.name]);
  return out;
}

/** log-sum-exp of a list. */
const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

describe('CRF recursions over packed scored positions', () => {
  // ragged rows: all scored, unscored first and last, a single scored position, nothing scored
  const B = 4;
  const T = 5;
  const LABELS = [
    [1, 2, 2, 0, 3],
    [IGNORE, 5, IGNORE, 6, IGNORE],
    [IGNORE, IGNORE, 3, IGNORE, IGNORE],
    [IGNORE, IGNORE, IGNORE, IGNORE, IGNORE],
  ];
  const emissions = uniform(B * T * L, 29, -3, 1).map(Math.fround);
  const positionsOf = (b: number) => LABELS[b].flatMap((l, t) => (l === IGNORE ? [] : [t]));
  const rowOf = (b: number) => Float32Array.from(emissions.slice(b * T * L, (b + 1) * T * L));

  test('alpha, alphaIn, beta and the bookkeeping follow every original position (float64, against the TypeScript recursions)', async () => {
    const out = await runGraph(
      (g) => {
        const { e, labels, sc } = declare(g, 'float64');
        const fw = crfForward(g, e, labels, sc, L);
        const ones = g.constantOfShape(g.shape(e, { start: 0, end: 1 }), { dtype: 'float64', value: 1 });
        const post = crfPosteriors(g, e, fw, sc, L, ones);
        const fields: Record<string, TensorRef> = {
          alpha: fw.alpha,
          alphaIn: fw.alphaIn,
          beta: post.beta,
          startedIn: g.cast(fw.startedIn, 'int64'),
          prevLabelIn: fw.prevLabelIn,
          valid: g.cast(fw.valid, 'int64'),
          labels: fw.labels,
          alphaFinal: fw.alphaFinal,
          startedFinal: g.cast(fw.startedFinal, 'int64'),
          lastLabel: fw.lastLabel,
        };
        return Object.fromEntries(Object.entries(fields).map(([k, v]) => [`out_${k}`, v]));
      },
      feeds('float64', B, T, emissions, LABELS.flat()),
    ).then((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.slice(4), v])));
    const at = (x: number[], t: number, b: number) => x.slice((t * B + b) * L, (t * B + b + 1) * L);
    const zeros = new Array<number>(L).fill(0);
    for (let b = 0; b < B; b++) {
      const positions = positionsOf(b);
      const ts = positions.length ? forwardBackwardDense(dense, rowOf(b), { positions }) : undefined;
      const tsAlpha = (k: number) => Array.from(ts!.alpha.slice(k * L, (k + 1) * L));
      const tsBeta = (k: number) => Array.from(ts!.beta.slice(k * L, (k + 1) * L));
      // the backward message before the first scored position: it looks ahead to that position
      const betaBeforeFirst = ts
        ? Array.from({ length: L }, (_, i) =>
            lse(Array.from({ length: L }, (_, j) => dense.trans[i * L + j] + emissions[(b * T + positions[0]) * L + j] + ts.beta[j])),
          )
        : Array.from(dense.end);
      // (1e-6: the TypeScript recursions sum float32 transitions)
      let k = -1; // index of the last scored position at or before t
      for (let t = 0; t < T; t++) {
        const scored = LABELS[b][t] !== IGNORE;
        expect(out.valid[t * B + b]).toBe(scored ? 1 : 0);
        expect(out.labels[t * B + b]).toBe(scored ? LABELS[b][t] : 0);
        expect(out.startedIn[t * B + b]).toBe(k >= 0 ? 1 : 0);
        expect(out.prevLabelIn[t * B + b]).toBe(k >= 0 ? LABELS[b][positions[k]] : 0);
        expectClose(at(out.alphaIn, t, b), k >= 0 ? tsAlpha(k) : zeros, 1e-6, 1e-6);
        if (scored) k++;
        expectClose(at(out.alpha, t, b), k >= 0 ? tsAlpha(k) : zeros, 1e-6, 1e-6);
        expectClose(at(out.beta, t, b), k >= 0 ? tsBeta(k) : betaBeforeFirst, 1e-6, 1e-6);
      }
      expect(out.startedFinal[b]).toBe(positions.length ? 1 : 0);
      expect(out.lastLabel[b]).toBe(positions.length ? LABELS[b][positions[positions.length - 1]] : 0);
      expectClose(out.alphaFinal.slice(b * L, (b + 1) * L), positions.length ? tsAlpha(positions.length - 1) : zeros, 1e-6, 1e-6);
    }
  });

  test('NLL, marginals and weighted pairwise posteriors of ragged rows equal enumeration', async () => {
    const weights = [0.5, -1.25, 2, 3];
    const out = await runGraph(
      (g) => {
        const { e, labels, sc } = declare(g, 'float64');
        const r = crfNegLogLikelihood(g, e, labels, sc);
        const post = crfPosteriors(g, e, r.forward, sc, L, g.constant(weights, { dtype: 'float64' }));
        return { nll: r.nll, loss: r.loss, marginals: post.marginals, pairwise: post.pairwise };
      },
      feeds('float64', B, T, emissions, LABELS.flat()),
    );
    const pairwise = new Float64Array(L * L);
    let total = 0;
    let count = 0;
    for (let b = 0; b < B; b++) {
      const positions = positionsOf(b);
      count += positions.length;
      if (!positions.length) {
        expect(out.nll[b]).toBe(0);
        continue;
      }
      const brute = bruteForceCrf(dense, emissions.slice(b * T * L, (b + 1) * T * L), positions);
      const nll = brute.logZ - brute.scoreOf(positions.map((t) => LABELS[b][t]));
      expect(out.nll[b]).toBeCloseTo(nll, 7);
      total += nll;
      positions.forEach((t, k) =>
        expectClose(out.marginals.slice((t * B + b) * L, (t * B + b + 1) * L), brute.marginals.slice(k * L, (k + 1) * L), 1e-9, 1e-7),
      );
      brute.pairwise.forEach((v, i) => (pairwise[i] += weights[b] * v));
    }
    expectClose(out.pairwise, pairwise, 1e-9, 1e-7);
    expect(out.loss[0]).toBeCloseTo(total / count, 7);
  });

  test('strongly contradicting evidence (300 nats) keeps the exact log Z, marginals and gradient in float32', async () => {
    // O then I-L_ONE, each certain by 300 nats, but O -> I-L_ONE is forbidden: every allowed path pays ~300
    const T3 = 3;
    const e = new Array<number>(T3 * L).fill(-300);
    e[0 * L + 0] = 0; // t0: O
    e[1 * L + 2] = 0; // t1: I-L_ONE
    e[2 * L + 0] = 0; // t2: O
    const gold = [1, 2, 0]; // B-L_ONE, I-L_ONE, O
    const out = await runGraph(
      (g) => {
        const { e: em, labels, sc } = declare(g, 'float32');
        const r = crfNegLogLikelihood(g, em, labels, sc);
        const ones = g.constantOfShape(g.shape(em, { start: 0, end: 1 }), { value: 1 });
        const post = crfPosteriors(g, em, r.forward, sc, L, ones);
        const grad = gradients(g, g.reduceSum(r.nll, null, { keepdims: false }), [em]).get('emissions')!;
        return { nll: r.nll, logZ: r.forward.logZ, marginals: post.marginals, grad };
      },
      feeds('float32', 1, T3, e, gold),
    );
    const positions = [0, 1, 2];
    const ts = forwardBackwardDense(dense, Float32Array.from(e), { positions });
    const brute = bruteForceCrf(dense, e, positions);
    expect(ts.logZ).toBeLessThan(-250); // the evidence really does disagree
    for (const v of [...out.nll, ...out.logZ, ...out.marginals, ...out.grad]) expect(Number.isFinite(v)).toBe(true);
    expect(out.logZ[0]).toBeCloseTo(ts.logZ, 2);
    expect(out.nll[0]).toBeCloseTo(brute.logZ - brute.scoreOf(gold), 2);
    // (marginals are exp(alpha + beta - log Z) of float32 values near 300: ~3e-5 absolute error either way)
    expectClose(out.marginals, ts.marginals, 1e-4);
    // d NLL / d emissions = marginals - one-hot(gold); the two likeliest labels at t0 share the mass
    const expected = Array.from(ts.marginals, (m, i) => m - (gold[Math.floor(i / L)] === i % L ? 1 : 0));
    expectClose(out.grad, expected, 1e-4);
    expect(ts.marginals[0] + ts.marginals[1]).toBeGreaterThan(0.99);
  });

  test('a batch with nothing scored, and one-position sequences: NLL and gradients 0, nothing NaN', async () => {
    for (const [B1, T1, labels] of [
      [3, 4, new Array<number>(12).fill(IGNORE)],
      [2, 1, [IGNORE, 4]],
    ] as const) {
      const e = uniform(B1 * T1 * L, 5, -2, 0);
      const out = await runGraph(
        (g) => {
          const { e: em, labels: y, sc } = declare(g, 'float64');
          const r = crfNegLogLikelihood(g, em, y, sc);
          const wrt = [em, ...s.params.map((p) => g.tensor(p.name))];
          const grads = gradients(g, r.loss, wrt);
          const named: Record<string, TensorRef> = { nll: r.nll, loss: r.loss };
          for (const t of wrt) named[`grad_${t.name}`] = grads.get(t.name)!;
          return named;
        },
        feeds('float64', B1, T1, e, [...labels]),
      );
      for (const v of Object.values(out).flat()) expect(Number.isFinite(v)).toBe(true);
      if (labels.every((l) => l === IGNORE)) {
        expect(out.loss).toEqual([0]);
        for (const [k, v] of Object.entries(out)) if (k.startsWith('grad_')) expect(v.every((x) => x === 0)).toBe(true);
      } else {
        // one scored position (I-L_TWO, which cannot start a path): NLL = log Z - (start + emission + end)
        const brute = bruteForceCrf(dense, e.slice(T1 * L, 2 * T1 * L), [0]);
        expect(out.nll[1]).toBeCloseTo(brute.logZ - brute.scoreOf([4]), 7);
        expect(out.nll[0]).toBe(0);
      }
    }
  });
});
