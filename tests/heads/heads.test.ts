// The heads as graphs: shapes, probabilities (rows sum to 1), the combination against a TypeScript reference,
// and each loss term against its TypeScript reference on random inputs.
import {
  buildBaselineHead,
  buildHybridHeads,
  classBalancedWeights,
  entityLoss,
  groupLoss,
  headParameters,
  l2Normalize,
  prototypeRegularization,
  tensor,
  type GraphBuilder,
  type HeadConfig,
  type HostTensor,
  type LabelSchema,
  type TensorRef,
} from '@hybridoc/core';
import { expectClose, runGraph, smallSchema, uniform } from './helpers.js';
import { entityLossRef, groupLossRef, hybridHeadsRef, linearRef, logSoftmaxRows, protoRegRef } from './reference.js';

const H = 12;
const HEADS: HeadConfig = {
  group_hidden: 6,
  prototype_dim: 5,
  head_dropout: 0.1,
  use_crf: true,
  crf_rank: 2,
  combine: 'normalized',
  freeze_backbone: false,
  train_rel_pos_bias: false,
};
const B = 2;
const T = 5;

function randomParams(schema: LabelSchema, kind: 'hybrid' | 'baseline', seed: number): Map<string, { shape: number[]; values: number[] }> {
  const out = new Map<string, { shape: number[]; values: number[] }>();
  headParameters(H, HEADS, schema, kind).forEach((s, i) => {
    const n = s.shape.reduce((a, d) => a * d, 1);
    out.set(s.name, { shape: s.shape, values: s.name.endsWith('logit_scale') ? [1.2] : uniform(n, seed + i, -0.8, 0.8) });
  });
  return out;
}

function feedsOf(params: Map<string, { shape: number[]; values: number[] }>, hidden: number[]): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = { hidden: tensor('float32', [B, T, H], hidden) };
  for (const [name, p] of params) feeds[name] = tensor('float32', p.shape, p.values);
  return feeds;
}

function declare(g: GraphBuilder, params: Map<string, { shape: number[] }>) {
  const hidden = g.input('hidden', 'float32', ['batch', 'seq', H]);
  const refs = new Map([...params].map(([name, p]) => [name, g.input(name, 'float32', p.shape)] as const));
  return { hidden, refs };
}

const rowSums = (x: number[], cols: number) =>
  Array.from({ length: x.length / cols }, (_, r) => x.slice(r * cols, (r + 1) * cols).reduce((a, v) => a + v, 0));

describe('hybrid heads', () => {
  const schema = smallSchema();
  const L = schema.numLabels;
  const C = schema.numGroupClasses;
  const params = randomParams(schema, 'hybrid', 100);
  const hidden = uniform(B * T * H, 1, -2, 2);
  const get = (name: string) => params.get(name)!.values;

  test.each(['normalized', 'product'] as const)('%s: shapes, rows that sum to 1, and the TypeScript reference', async (combine) => {
    const out = await runGraph(
      (g) => {
        const { hidden: h, refs } = declare(g, params);
        const r = buildHybridHeads(g, h, refs, { schema, combine });
        expect(r.emissions.shape).toEqual(['batch', 'seq', L]);
        expect(r.groupProbs.shape).toEqual(['batch', 'seq', C]);
        expect(r.embeddings.shape).toEqual(['batch', 'seq', HEADS.prototype_dim]);
        return { emissions: r.emissions, group_probs: r.groupProbs, embeddings: r.embeddings, similarities: r.similarities };
      },
      feedsOf(params, hidden),
    );
    expect(out.emissions).toHaveLength(B * T * L);
    expectClose(rowSums(out.emissions.map(Math.exp), L), new Array(B * T).fill(1), 1e-5);
    expectClose(rowSums(out.group_probs, C), new Array(B * T).fill(1), 1e-5);
    expectClose(
      rowSums(
        out.embeddings.map((v) => v * v),
        HEADS.prototype_dim,
      ),
      new Array(B * T).fill(1),
      1e-5,
    );
    const ref = hybridHeadsRef(hidden, B * T, H, HEADS.group_hidden, HEADS.prototype_dim, schema, { get }, combine);
    expectClose(out.emissions, ref.emissions, 2e-5, 1e-4);
    expectClose(out.group_probs, ref.groupProbs, 1e-6, 1e-4);
    expectClose(out.embeddings, ref.embeddings, 1e-6, 1e-4);
    expectClose(out.similarities, ref.similarities, 1e-5, 1e-4);
    if (combine === 'normalized') {
      // O is alone in the outside group: log P(O) = log P(outside)
      const O = 0;
      for (let r = 0; r < B * T; r++)
        expect(out.emissions[r * L + O]).toBeCloseTo(Math.log(out.group_probs[r * C + schema.outsideGroup]), 5);
      // within one group the label odds are the similarity odds, whatever the group head says
      const [a, b] = schema.groupLabels[0];
      for (let r = 0; r < B * T; r++) {
        expect(out.emissions[r * L + a] - out.emissions[r * L + b]).toBeCloseTo(
          out.similarities[r * L + a] - out.similarities[r * L + b],
          4,
        );
      }
    }
  });

  test('dropout is off at inference and seeded in training (same seed, same output; another seed differs)', async () => {
    const run = async (training: boolean, seed: number) =>
      (
        await runGraph(
          (g) => {
            const { hidden: h, refs } = declare(g, params);
            const s = g.input('seed', 'int64', []);
            return { e: buildHybridHeads(g, h, refs, { schema, dropout: 0.3, training, dropoutSeed: s }).emissions };
          },
          { ...feedsOf(params, hidden), seed: tensor('int64', [], [seed]) },
        )
      ).e;
    const inference = await run(false, 1);
    const plain = await runGraph(
      (g) => {
        const { hidden: h, refs } = declare(g, params);
        return { e: buildHybridHeads(g, h, refs, { schema }).emissions };
      },
      feedsOf(params, hidden),
    );
    expect(inference).toEqual(plain.e);
    const a = await run(true, 5);
    expect(await run(true, 5)).toEqual(a);
    expect(a).not.toEqual(inference);
    expect(await run(true, 6)).not.toEqual(a);
  });
});

describe('baseline head', () => {
  test('hidden -> L logits -> log-softmax; group sums of its probabilities', async () => {
    const schema = smallSchema();
    const L = schema.numLabels;
    const C = schema.numGroupClasses;
    const params = randomParams(schema, 'baseline', 7);
    const hidden = uniform(B * T * H, 2, -2, 2);
    const out = await runGraph(
      (g) => {
        const { hidden: h, refs } = declare(g, params);
        const r = buildBaselineHead(g, h, refs, { schema });
        return { emissions: r.emissions, group_probs: r.groupProbs };
      },
      feedsOf(params, hidden),
    );
    const ref = logSoftmaxRows(
      linearRef(
        hidden,
        B * T,
        params.get('heads.baseline.classifier.weight')!.values,
        params.get('heads.baseline.classifier.bias')!.values,
        H,
        L,
      ),
      L,
    );
    expectClose(out.emissions, ref, 1e-5, 1e-5);
    const groups = new Float64Array(B * T * C);
    for (let r = 0; r < B * T; r++) for (let l = 0; l < L; l++) groups[r * C + schema.labelToGroup[l]] += Math.exp(ref[r * L + l]);
    expectClose(out.group_probs, groups, 1e-6, 1e-5);
  });
});

describe('loss terms against TypeScript references', () => {
  const schema = smallSchema();
  const L = schema.numLabels;
  const C = schema.numGroupClasses;
  const logProbs = Array.from(logSoftmaxRows(uniform(B * T * L, 9, -4, 4), L));
  const groupLogProbs = Array.from(logSoftmaxRows(uniform(B * T * C, 10, -3, 3), C));
  const labels = [3, -100, 0, 12, 5, -100, -100, 7, 1, -100];
  const weights = uniform(L, 11, 0.2, 3);

  const lossGraph = (build: (g: GraphBuilder, t: Record<string, TensorRef>) => TensorRef) =>
    runGraph(
      (g) => {
        const t = {
          logProbs: g.input('logProbs', 'float64', ['batch', 'seq', L]),
          groupLogProbs: g.input('groupLogProbs', 'float64', ['batch', 'seq', C]),
          labels: g.input('labels', 'int64', ['batch', 'seq']),
          weights: g.input('weights', 'float64', [L]),
          gamma: g.input('gamma', 'float64', []),
        };
        return { loss: build(g, t) };
      },
      {
        logProbs: tensor('float64', [B, T, L], logProbs),
        groupLogProbs: tensor('float64', [B, T, C], groupLogProbs),
        labels: tensor('int64', [B, T], labels),
        weights: tensor('float64', [L], weights),
        gamma: tensor('float64', [], [2]),
      },
    ).then((r) => r.loss[0]);

  test('entity: plain NLL, class-weighted, focal (gamma fed as a tensor), on labelled tokens only', async () => {
    expect(await lossGraph((g, t) => entityLoss(g, t.logProbs, t.labels))).toBeCloseTo(entityLossRef(logProbs, labels, L), 12);
    expect(await lossGraph((g, t) => entityLoss(g, t.logProbs, t.labels, { classWeights: t.weights }))).toBeCloseTo(
      entityLossRef(logProbs, labels, L, weights),
      12,
    );
    const focal = await lossGraph((g, t) => entityLoss(g, t.logProbs, t.labels, { classWeights: t.weights, focalGamma: t.gamma }));
    expect(focal).toBeCloseTo(entityLossRef(logProbs, labels, L, weights, 2), 12);
    expect(focal).toBeLessThan(entityLossRef(logProbs, labels, L, weights));
  });

  test('group: cross-entropy against labelToGroup(label)', async () => {
    expect(await lossGraph((g, t) => groupLoss(g, t.groupLogProbs, t.labels, schema.labelToGroup))).toBeCloseTo(
      groupLossRef(groupLogProbs, labels, C, schema.labelToGroup),
      12,
    );
  });

  test('a batch with no labelled token gives 0, not NaN', async () => {
    const out = await runGraph(
      (g) => {
        const lp = g.input('lp', 'float64', [1, 2, L]);
        const y = g.input('y', 'int64', [1, 2]);
        return { loss: entityLoss(g, lp, y) };
      },
      { lp: tensor('float64', [1, 2, L], logProbs.slice(0, 2 * L)), y: tensor('int64', [1, 2], [-100, -100]) },
    );
    expect(out.loss).toEqual([0]);
  });

  test.each([0, 0.1, 0.5])('proto_reg with margin %s: mean over label pairs of relu(cos - margin)^2', async (margin) => {
    const P = 4;
    // few dimensions, so many pairs are similar enough for the hinge to bite
    const protos = uniform(L * P, 12, -1, 1);
    const out = await runGraph(
      (g) => {
        const p = g.input('p', 'float64', [L, P]);
        return { loss: prototypeRegularization(g, l2Normalize(g, p, 'normalized'), margin) };
      },
      { p: tensor('float64', [L, P], protos) },
    );
    const ref = protoRegRef(protos, L, P, margin);
    expect(ref).toBeGreaterThan(0);
    expect(out.loss[0]).toBeCloseTo(ref, 10);
  });

  test('class-balanced weights (Cui et al.): (1 - beta) / (1 - beta^n), mean 1, rarer labels weigh more', () => {
    const counts = [10000, 10, 0, 500];
    const w = classBalancedWeights(counts, 0.999);
    const raw = counts.map((n) => (1 - 0.999) / (1 - 0.999 ** Math.max(n, 1)));
    const sum = raw.reduce((a, b) => a + b, 0);
    expectClose(
      w,
      raw.map((v) => (v * 4) / sum),
      1e-12,
      1e-12,
    );
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 12);
    expect(w[0]).toBeLessThan(w[3]);
    expect(w[3]).toBeLessThan(w[1]);
    expect(Array.from(classBalancedWeights([1, 2, 3], 0))).toEqual([1, 1, 1]);
  });
});
