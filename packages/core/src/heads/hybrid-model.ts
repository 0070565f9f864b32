/**
 * The trainable models the artifact builder turns into artifact sets:
 *
 *   layoutlmv3-hybrid    LayoutLMv3 backbone + group head + prototype head (+ the adaptive CRF when
 *                        heads.use_crf): the seed's LayoutLMv3WithHierarchicalPrototype. The default model.
 *   layoutlmv3-standard  LayoutLMv3 backbone + the seed's standard 161-way classifier (+ CRF when use_crf)
 *
 * and, for head-only checks and training on precomputed hidden states, the same heads on a `hidden` feed
 * [batch, seq, hidden] (hidden-hybrid, hidden-standard; not registered).
 *
 * Feeds: the backbone's inputs (input_ids, bbox, attention_mask, pixel_values when the preset has the visual
 * branch), or `hidden`. Label feeds: `labels` (int64 [batch, seq], -100 ignored), `class_weights` ([L], all 1
 * for the plain NLL) and `focal_gamma` (scalar, 0 for the plain NLL); entityLossFeeds() makes the last two.
 * Outputs: emissions (label log-probabilities [batch, seq, L]), group_probs [batch, seq, C], embeddings
 * (prototype space [batch, seq, P]; the standard model gives the L2-normalised hidden states and the group
 * sums of its label probabilities). Loss parts, always the same four so a curriculum can feed any weights:
 * entity, group, proto_reg, crf; a part the architecture lacks is the constant 0 (standard: group and
 * proto_reg; use_crf false: crf). Default weights: the seed's 1.0 / 0.3 / 0.01 / 0.5.
 *
 * The model's manifest config carries everything needed to rebuild it (model config, label schema document,
 * dtype, dropout, prototype margin), so add-label and analyze need nothing but the artifact directory.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { TensorRef } from '../onnx/types.js';
import type { HostTensor } from '../runtime/tensor.js';
import { HybridocError } from '../util/errors.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { modelConfigToJson, parseModelConfig, type ModelConfig } from '../model/config.js';
import { backboneParameters, headParameters, isTrainable, type ParameterSpec } from '../model/parameters.js';
import { buildLayoutLMv3, dropoutSites, layoutlmv3FeedShapes } from '../model/layoutlmv3.js';
import { crfStructure, type CrfStructure } from '../decoding/crf-structure.js';
import type { FeatureBatch } from '../features/batch.js';
import type { FeedSpec, ForwardContext, ForwardResult, TrainableModel, TrainableModelOptions } from '../artifacts/trainable-model.js';
import { registerTrainableModel } from '../artifacts/model-registry.js';
import { buildBaselineHead, buildHybridHeads, type CombineMode } from './hybrid-heads.js';
import {
  classBalancedWeights,
  DEFAULT_FOCAL_BETA,
  DEFAULT_PROTOTYPE_MARGIN,
  entityLoss,
  groupLoss,
  prototypeRegularization,
} from './head-losses.js';
import { buildCrfScores, crfNegLogLikelihood, crfParameterSpecs } from './crf-graph.js';
import { labelSchemaDocument, labelSchemaFromDocument } from './schema-document.js';

export type HeadArchitecture = 'hybrid' | 'standard';
export type HeadBackbone = 'layoutlmv3' | 'hidden';

export const HYBRID_MODEL = 'layoutlmv3-hybrid';
export const STANDARD_MODEL = 'layoutlmv3-standard';
export const HIDDEN_HYBRID_MODEL = 'hidden-hybrid';
export const HIDDEN_STANDARD_MODEL = 'hidden-standard';

/** The four loss parts, in the order the manifest lists them. */
export const HEAD_LOSS_PARTS = ['entity', 'group', 'proto_reg', 'crf'] as const;
export type HeadLossPart = (typeof HEAD_LOSS_PARTS)[number];
/** The seed's HierarchicalPrototypeLoss weights. */
export const SEED_LOSS_WEIGHTS: Readonly<Record<HeadLossPart, number>> = { entity: 1, group: 0.3, proto_reg: 0.01, crf: 0.5 };

/** Names of the label feeds. */
export const HEAD_LABEL_FEEDS = { labels: 'labels', classWeights: 'class_weights', focalGamma: 'focal_gamma' } as const;
/** Name of the hidden-states feed of the head-only models. */
export const HIDDEN_FEED = 'hidden';

export interface HeadModelOptions {
  architecture: HeadArchitecture;
  modelConfig: ModelConfig;
  schema: LabelSchema;
  /** default 'layoutlmv3' */
  backbone?: HeadBackbone;
  dtype?: 'float32' | 'float64';
  /** overrides the backbone's hidden/attention dropout and heads.head_dropout */
  dropout?: number;
  /** proto_reg margin (default DEFAULT_PROTOTYPE_MARGIN) */
  prototypeMargin?: number;
}

/** The JSON config a head model records in its manifest (model.config) and is rebuilt from. */
export interface HeadModelConfig {
  architecture: HeadArchitecture;
  backbone: HeadBackbone;
  dtype: 'float32' | 'float64';
  dropout?: number;
  prototypeMargin: number;
  combine: CombineMode;
  crf: { enabled: boolean; rank: number; bioScalars: 'per_entity' };
  modelConfig: Record<string, unknown>;
  labelSchema: Record<string, unknown>;
  schemaHash: string;
}

export function headModelName(architecture: HeadArchitecture, backbone: HeadBackbone = 'layoutlmv3'): string {
  if (backbone === 'layoutlmv3') return architecture === 'hybrid' ? HYBRID_MODEL : STANDARD_MODEL;
  return architecture === 'hybrid' ? HIDDEN_HYBRID_MODEL : HIDDEN_STANDARD_MODEL;
}

/** The CRF structure a model config and schema give (null when heads.use_crf is off). */
export function headCrfStructure(modelConfig: ModelConfig, schema: LabelSchema): CrfStructure | null {
  return modelConfig.heads.use_crf ? crfStructure(schema, { rank: modelConfig.heads.crf_rank }) : null;
}

/** Every parameter of a head model: backbone (unless head-only), heads, then the CRF. */
export function headModelParameters(o: Pick<HeadModelOptions, 'architecture' | 'modelConfig' | 'schema' | 'backbone'>): ParameterSpec[] {
  const cfg = o.modelConfig;
  const kind = o.architecture === 'hybrid' ? 'hybrid' : 'baseline';
  const crf = headCrfStructure(cfg, o.schema);
  return [
    ...((o.backbone ?? 'layoutlmv3') === 'layoutlmv3' ? backboneParameters(cfg.backbone) : []),
    ...headParameters(cfg.backbone.hidden_size, cfg.heads, o.schema, kind, cfg.backbone.initializer_range),
    ...(crf ? crfParameterSpecs(crf) : []),
  ];
}

/** A head model (see the file header). */
export function headModel(o: HeadModelOptions): TrainableModel {
  const cfg = o.modelConfig;
  const schema = o.schema;
  const backbone = o.backbone ?? 'layoutlmv3';
  const dtype = o.dtype ?? 'float32';
  const H = cfg.backbone.hidden_size;
  const L = schema.numLabels;
  const hybrid = o.architecture === 'hybrid';
  if (o.architecture !== 'hybrid' && o.architecture !== 'standard') {
    throw new HybridocError(`model: architecture must be hybrid or standard, got '${String(o.architecture)}'`);
  }
  const margin = o.prototypeMargin ?? DEFAULT_PROTOTYPE_MARGIN;
  const headDropout = o.dropout ?? cfg.heads.head_dropout;
  const combine = cfg.heads.combine;
  const crf = headCrfStructure(cfg, schema);
  const parameters = headModelParameters({ ...o, backbone });

  const inputs: FeedSpec[] =
    backbone === 'layoutlmv3'
      ? layoutlmv3FeedShapes(cfg.backbone).map((f) => ({ ...f, dtype: f.name === 'pixel_values' ? dtype : f.dtype }))
      : [{ name: HIDDEN_FEED, dtype, shape: ['batch', 'seq', H], description: 'hidden states' }];
  const labels: FeedSpec[] = [
    {
      name: HEAD_LABEL_FEEDS.labels,
      dtype: 'int64',
      shape: ['batch', 'seq'],
      description: 'BIO label ids on first sub-tokens, -100 elsewhere',
    },
    { name: HEAD_LABEL_FEEDS.classWeights, dtype, shape: [L], description: 'entity-loss weight per label (all 1: plain NLL)' },
    { name: HEAD_LABEL_FEEDS.focalGamma, dtype, shape: [], description: 'focal exponent of the entity loss (0: plain NLL)' },
  ];

  const buildForward = (g: GraphBuilder, ctx: ForwardContext): ForwardResult => {
    const feed = (name: string) => {
      const t = ctx.inputs.get(name);
      if (!t) throw new HybridocError(`model: no input '${name}'`);
      return t;
    };
    let hidden: TensorRef;
    let saltBase = 0;
    if (backbone === 'layoutlmv3') {
      const out = buildLayoutLMv3(
        g,
        cfg.backbone,
        ctx.params,
        {
          input_ids: feed('input_ids'),
          bbox: feed('bbox'),
          attention_mask: feed('attention_mask'),
          ...(cfg.backbone.visual_embed ? { pixel_values: feed('pixel_values') } : {}),
        },
        {
          training: ctx.training,
          dropoutSeed: ctx.dropoutSeed,
          dropoutSaltBase: 0,
          ...(o.dropout !== undefined ? { hiddenDropout: o.dropout, attentionDropout: o.dropout } : {}),
        },
      );
      hidden = out.hidden;
      saltBase = dropoutSites(cfg.backbone);
    } else hidden = feed(HIDDEN_FEED);

    const headOptions = {
      schema,
      combine,
      dropout: headDropout,
      training: ctx.training,
      dropoutSeed: ctx.dropoutSeed,
      saltBase,
      activation: dtype === 'float64' ? ('gelu_tanh' as const) : ('gelu' as const),
    };
    const hybridHeads = hybrid ? buildHybridHeads(g, hidden, ctx.params, headOptions) : undefined;
    const heads = hybridHeads ?? buildBaselineHead(g, hidden, ctx.params, headOptions);
    const outputs = { emissions: heads.emissions, group_probs: heads.groupProbs, embeddings: heads.embeddings };
    if (!ctx.withLosses) return { outputs };

    const lab = ctx.labels;
    const labelFeed = (name: string) => {
      const t = lab?.get(name);
      if (!t) throw new HybridocError(`model: no label feed '${name}'`);
      return t;
    };
    const y = labelFeed(HEAD_LABEL_FEEDS.labels);
    const zero = (name: string) => g.constant(0, { dtype, name });
    const losses: Record<HeadLossPart, TensorRef> = {
      entity: entityLoss(g, heads.emissions, y, {
        classWeights: labelFeed(HEAD_LABEL_FEEDS.classWeights),
        focalGamma: labelFeed(HEAD_LABEL_FEEDS.focalGamma),
      }),
      group: hybridHeads ? groupLoss(g, hybridHeads.groupLogProbs, y, schema.labelToGroup) : zero('group_loss'),
      proto_reg: hybridHeads ? prototypeRegularization(g, hybridHeads.prototypes, margin) : zero('proto_reg_loss'),
      crf: crf ? crfNegLogLikelihood(g, heads.emissions, y, buildCrfScores(g, crf, ctx.params)).loss : zero('crf_loss'),
    };
    return { outputs, losses };
  };

  const config: HeadModelConfig = {
    architecture: o.architecture,
    backbone,
    dtype,
    ...(o.dropout !== undefined ? { dropout: o.dropout } : {}),
    prototypeMargin: margin,
    combine,
    crf: { enabled: crf !== null, rank: cfg.heads.crf_rank, bioScalars: 'per_entity' },
    modelConfig: modelConfigToJson(cfg),
    labelSchema: labelSchemaDocument(schema),
    schemaHash: schema.hash,
  };
  const weights: Record<string, number> = { ...SEED_LOSS_WEIGHTS };
  if (!hybrid) weights.group = weights.proto_reg = 0;
  if (!crf) weights.crf = 0;
  return {
    name: headModelName(o.architecture, backbone),
    config: config as unknown as Record<string, unknown>,
    dtype,
    parameters,
    isTrainable: (s) => isTrainable(s, cfg.heads),
    inputs,
    labels,
    outputNames: ['emissions', 'group_probs', 'embeddings'],
    lossParts: [...HEAD_LOSS_PARTS],
    defaultLossWeights: weights,
    buildForward,
  };
}

/** Reads a head model's manifest config back (checks the fields it relies on). */
export function parseHeadModelConfig(raw: unknown, where = 'manifest.json: model.config'): HeadModelConfig {
  const c = raw as Partial<HeadModelConfig> | null;
  if (!c || typeof c !== 'object') throw new HybridocError(`${where}: missing`);
  if (c.architecture !== 'hybrid' && c.architecture !== 'standard') {
    throw new HybridocError(`${where}: not a hybrid or standard head model (architecture ${JSON.stringify(c.architecture)})`);
  }
  if (c.backbone !== 'layoutlmv3' && c.backbone !== 'hidden')
    throw new HybridocError(`${where}: backbone: unknown ${JSON.stringify(c.backbone)}`);
  if (!c.modelConfig || !c.labelSchema) throw new HybridocError(`${where}: needs modelConfig and labelSchema`);
  return c as HeadModelConfig;
}

/** Rebuilds a head model from its recorded config, optionally with another (extended) schema. */
export function headModelFromConfig(raw: unknown, schema?: LabelSchema): TrainableModel {
  const c = parseHeadModelConfig(raw);
  return headModel({
    architecture: c.architecture,
    backbone: c.backbone,
    modelConfig: parseModelConfig(c.modelConfig, 'manifest.json: model.config.modelConfig'),
    schema: schema ?? labelSchemaFromDocument(c.labelSchema),
    dtype: c.dtype,
    dropout: c.dropout,
    prototypeMargin: c.prototypeMargin,
  });
}

function schemaFor(o: TrainableModelOptions): LabelSchema {
  const schema = o.schema ?? loadLabelSchema();
  if (schema.numLabels !== o.labels.numLabels || schema.numGroupClasses !== o.labels.numGroupClasses) {
    throw new HybridocError(
      `model: the label schema has ${schema.numLabels} labels / ${schema.numGroupClasses} group classes, the options say ` +
        `${o.labels.numLabels} / ${o.labels.numGroupClasses}; pass the schema itself`,
    );
  }
  return schema;
}

/** Registry factories. */
export function hybridModelFromOptions(o: TrainableModelOptions): TrainableModel {
  return headModel({ architecture: 'hybrid', modelConfig: o.modelConfig, schema: schemaFor(o), dtype: o.dtype, dropout: o.dropout });
}

export function standardModelFromOptions(o: TrainableModelOptions): TrainableModel {
  return headModel({ architecture: 'standard', modelConfig: o.modelConfig, schema: schemaFor(o), dtype: o.dtype, dropout: o.dropout });
}

// ---------------------------------------------------------------------------------------------- feeds

export interface EntityLossSettings {
  /** class-balanced focal loss on (default false: plain NLL, weights 1 and gamma 0) */
  enabled?: boolean;
  /** per-label counts (token counts from the corpus manifest) for Cui et al.'s weights; none: weights 1 */
  labelCounts?: ArrayLike<number>;
  beta?: number;
  gamma?: number;
}

/** `class_weights` and `focal_gamma` feeds: plain NLL by default, class-balanced focal loss when enabled. */
export function entityLossFeeds(
  numLabels: number,
  dtype: 'float32' | 'float64' = 'float32',
  s: EntityLossSettings = {},
): Record<string, HostTensor> {
  const Ctor = dtype === 'float64' ? Float64Array : Float32Array;
  let weights: ArrayLike<number> = new Array<number>(numLabels).fill(1);
  let gamma = 0;
  if (s.enabled) {
    gamma = s.gamma ?? 2;
    if (s.labelCounts) {
      if (s.labelCounts.length !== numLabels) {
        throw new HybridocError(`focal loss: ${s.labelCounts.length} label counts for ${numLabels} labels`);
      }
      weights = classBalancedWeights(s.labelCounts, s.beta ?? DEFAULT_FOCAL_BETA);
    }
  }
  return {
    [HEAD_LABEL_FEEDS.classWeights]: { dtype, dims: [numLabels], data: Ctor.from(weights) },
    [HEAD_LABEL_FEEDS.focalGamma]: { dtype, dims: [], data: Ctor.of(gamma) },
  };
}

/** The backbone feeds of a collated batch (labels included when `withLabels`). */
export function featureBatchFeeds(
  batch: FeatureBatch,
  options: { withLabels?: boolean; pixelDtype?: 'float32' | 'float64' } = {},
): Record<string, HostTensor> {
  const B = batch.batchSize;
  const T = batch.seqLen;
  const out: Record<string, HostTensor> = {
    input_ids: { dtype: 'int64', dims: [B, T], data: batch.inputIds },
    bbox: { dtype: 'int64', dims: [B, T, 4], data: batch.bbox },
    attention_mask: { dtype: 'int64', dims: [B, T], data: batch.attentionMask },
  };
  if (batch.pixelValues && batch.imageSize) {
    const S = batch.imageSize;
    const data = options.pixelDtype === 'float64' ? Float64Array.from(batch.pixelValues) : batch.pixelValues;
    out.pixel_values = { dtype: options.pixelDtype ?? 'float32', dims: [B, 3, S, S], data };
  }
  if (options.withLabels) out[HEAD_LABEL_FEEDS.labels] = { dtype: 'int64', dims: [B, T], data: batch.labels };
  return out;
}

registerTrainableModel(
  HYBRID_MODEL,
  hybridModelFromOptions,
  'LayoutLMv3 backbone + hierarchical group head + prototype head (+ adaptive CRF with heads.use_crf): the seed model',
  true,
);
registerTrainableModel(
  STANDARD_MODEL,
  standardModelFromOptions,
  "LayoutLMv3 backbone + the seed's standard linear classifier over all labels (+ CRF with heads.use_crf)",
);
