// The head models as artifact sets: every parameter's gradient in grad.onnx (heads + all four losses + the
// CRF's custom backward, through autodiff) against finite differences of eval.onnx in float64, the loss
// parts and their weights, a few train steps that fit a batch, and the trainable-flag plumbing.
import {
  ArtifactSession,
  buildArtifactGraphs,
  entityLossFeeds,
  headModel,
  initialTrainingState,
  loadModelConfig,
  seededUniform,
  tensor,
  type HeadArchitecture,
  type HostTensor,
  type ModelConfig,
  type TrainableModel,
} from '@hybridoc/core';
import { smallSchema, uniform } from './helpers.js';

const schema = smallSchema();
const L = schema.numLabels;
const B = 2;
const T = 7;

function tinyHeadsConfig(combine: 'normalized' | 'product' = 'normalized', useCrf = true): ModelConfig {
  const tiny = loadModelConfig('tiny');
  return {
    ...tiny,
    backbone: { ...tiny.backbone, hidden_size: 8 },
    heads: { ...tiny.heads, group_hidden: 6, prototype_dim: 5, crf_rank: 2, combine, use_crf: useCrf },
  };
}

/** A batch: hidden states, labels with ignored sub-tokens and padding, focal loss on with random weights. */
function batch(model: TrainableModel, seed: number, focal = true): Record<string, HostTensor> {
  const H = 8;
  // BIO-valid gold paths over the scored positions (-100 = sub-token or padding)
  const labels = [
    [1, -100, 2, 0, 9, 10, -100],
    [0, 11, 12, 12, -100, -100, -100],
  ].flat();
  return {
    hidden: tensor(model.dtype, [B, T, H], uniform(B * T * H, seed, -1.5, 1.5)),
    labels: tensor('int64', [B, T], labels),
    ...entityLossFeeds(L, model.dtype, focal ? { enabled: true, gamma: 2, labelCounts: uniform(L, seed + 1, 1, 400).map(Math.round) } : {}),
  };
}

/** Parameters with random values of a moderate size, so every term and path carries signal. */
function randomState(model: TrainableModel, set: ReturnType<typeof buildArtifactGraphs>, seed: number) {
  const state = initialTrainingState(model, set.manifest, seed);
  const r = seededUniform(seed);
  for (const [name, v] of state.params) {
    if (name.endsWith('logit_scale')) v[0] = 1;
    else for (let i = 0; i < v.length; i++) v[i] = (2 * r() - 1) * 0.7;
  }
  return state;
}

describe('grad.onnx of the head models against finite differences of eval.onnx (float64)', () => {
  test.each([
    ['hybrid', 'normalized', true],
    ['hybrid', 'product', true],
    ['standard', 'normalized', true],
    ['hybrid', 'normalized', false],
  ] as const)('%s heads, %s combination, CRF %s', async (architecture: HeadArchitecture, combine, useCrf) => {
    const model = headModel({
      architecture,
      backbone: 'hidden',
      modelConfig: tinyHeadsConfig(combine, useCrf),
      schema,
      dtype: 'float64',
      dropout: 0,
    });
    const set = buildArtifactGraphs(model);
    const session = ArtifactSession.fromSet(set, randomState(model, set, 3), { optimization: 'disabled', intraOpThreads: 1 });
    const feeds = batch(model, 5);
    const weights = { entity: 1, group: 0.3, proto_reg: 0.7, crf: 0.5 };
    try {
      const g = await session.grad(feeds, { lossWeights: weights });
      // every part is finite and the total is their weighted sum
      const parts = g.losses;
      expect(Object.keys(parts)).toEqual(['entity', 'group', 'proto_reg', 'crf']);
      for (const v of Object.values(parts)) expect(Number.isFinite(v)).toBe(true);
      expect(parts.entity).toBeGreaterThan(0);
      if (architecture === 'standard') expect([parts.group, parts.proto_reg]).toEqual([0, 0]);
      else expect(Math.min(parts.group, parts.proto_reg)).toBeGreaterThan(0);
      expect(parts.crf > 0).toBe(useCrf);
      const total = Object.entries(parts).reduce((a, [k, v]) => a + v * weights[k as keyof typeof weights], 0);
      expect(g.loss).toBeCloseTo(total, 12);
      expect((await session.evaluate(feeds, { lossWeights: weights })).loss).toBeCloseTo(g.loss, 12);

      const rnd = seededUniform(17);
      const bad: string[] = [];
      let checked = 0;
      for (const p of set.manifest.parameters) {
        const values = Float64Array.from(session.parameter(p.name).data as Float64Array);
        const grad = g.grads.get(p.name)!.data as Float64Array;
        const picks = values.length <= 4 ? [...values.keys()] : Array.from({ length: 4 }, () => Math.floor(rnd() * values.length));
        for (const i of picks) {
          const at = async (v: number) => {
            const copy = Float64Array.from(values);
            copy[i] = v;
            session.setParameter(p.name, copy);
            return (await session.evaluate(feeds, { lossWeights: weights })).loss;
          };
          const eps = 1e-6;
          const numeric = ((await at(values[i] + eps)) - (await at(values[i] - eps))) / (2 * eps);
          session.setParameter(p.name, values);
          checked++;
          if (!(Math.abs(numeric - grad[i]) <= 1e-7 + 1e-5 * Math.abs(numeric)))
            bad.push(`${p.name}[${i}]: analytic ${grad[i]}, numeric ${numeric}`);
        }
      }
      expect(bad).toEqual([]);
      expect(checked).toBeGreaterThanOrEqual(model.parameters.length * 2);
    } finally {
      await session.release();
    }
  });
});

describe('the hybrid head model trains', () => {
  test('40 AdamW steps on one batch (dropout on, CRF on) cut the total loss to under a third', async () => {
    const model = headModel({ architecture: 'hybrid', backbone: 'hidden', modelConfig: tinyHeadsConfig(), schema });
    const set = buildArtifactGraphs(model);
    const session = ArtifactSession.fromSet(set, initialTrainingState(model, set.manifest, 1), { intraOpThreads: 1 });
    const feeds = batch(model, 8, false);
    try {
      const first = await session.evaluate(feeds);
      let last = first;
      for (let s = 0; s < 40; s++) await session.trainStep(feeds, { lr: 0.05 });
      last = await session.evaluate(feeds);
      expect(last.loss).toBeLessThan(first.loss / 3);
      expect(last.losses.crf).toBeLessThan(first.losses.crf);
      expect(last.losses.entity).toBeLessThan(first.losses.entity);
    } finally {
      await session.release();
    }
  });
});

describe('model plumbing', () => {
  test('parameters: heads then CRF (module crf); loss parts and the seed weights; feeds and outputs', () => {
    const hybrid = headModel({ architecture: 'hybrid', backbone: 'hidden', modelConfig: tinyHeadsConfig(), schema });
    expect(hybrid.name).toBe('hidden-hybrid');
    expect(hybrid.parameters.map((p) => p.name)).toEqual([
      'heads.group.dense.weight',
      'heads.group.dense.bias',
      'heads.group.classifier.weight',
      'heads.group.classifier.bias',
      'heads.prototype.projection.weight',
      'heads.prototype.projection.bias',
      'heads.prototype.prototypes',
      'heads.prototype.logit_scale',
      'crf.group_transitions',
      'crf.begin_inside',
      'crf.inside_inside',
      'crf.residual_u.alpha',
      'crf.residual_v.alpha',
      'crf.residual_u.beta',
      'crf.residual_v.beta',
      'crf.residual_u.gamma',
      'crf.residual_v.gamma',
      'crf.start',
      'crf.end',
    ]);
    expect(hybrid.parameters.filter((p) => p.name.startsWith('crf.')).every((p) => p.module === 'crf')).toBe(true);
    expect(hybrid.defaultLossWeights).toEqual({ entity: 1, group: 0.3, proto_reg: 0.01, crf: 0.5 });
    expect(hybrid.labels.map((f) => [f.name, f.shape])).toEqual([
      ['labels', ['batch', 'seq']],
      ['class_weights', [L]],
      ['focal_gamma', []],
    ]);
    expect(hybrid.outputNames).toEqual(['emissions', 'group_probs', 'embeddings']);
    const standard = headModel({ architecture: 'standard', backbone: 'hidden', modelConfig: tinyHeadsConfig('normalized', false), schema });
    expect(standard.parameters.map((p) => p.name)).toEqual(['heads.baseline.classifier.weight', 'heads.baseline.classifier.bias']);
    expect(standard.defaultLossWeights).toEqual({ entity: 1, group: 0, proto_reg: 0, crf: 0 });
  });

  test('freeze_backbone: the backbone is frozen, heads and CRF train', () => {
    const tiny = loadModelConfig('tiny');
    const frozen = headModel({ architecture: 'hybrid', modelConfig: { ...tiny, heads: { ...tiny.heads, freeze_backbone: true } }, schema });
    const trainable = frozen.parameters.filter((p) => frozen.isTrainable!(p));
    expect(trainable.length).toBeGreaterThan(0);
    expect(trainable.every((p) => !p.name.startsWith('layoutlmv3.'))).toBe(true);
    expect(trainable.some((p) => p.name.startsWith('crf.'))).toBe(true);
    const open = headModel({ architecture: 'hybrid', modelConfig: tiny, schema });
    expect(open.parameters.filter((p) => p.name.startsWith('layoutlmv3.') && open.isTrainable!(p)).length).toBeGreaterThan(40);
  });
});
