/**
 * Parameter tables: every tensor of the model with its checkpoint name, shape and initialisation.
 *
 * Backbone: exactly the Hugging Face LayoutLMv3 state dict, in its order (a module's own parameters, then
 * its children in registration order: cls_token, pos_embed, embeddings.*, patch_embed.*, LayerNorm,
 * norm, encoder.layer.N.*, encoder.rel_pos_*), names prefixed `layoutlmv3.` as in HF task models. Linear
 * weights are [out, in] (y = x W^T + b), Conv2d weights OIHW. Initialisation as LayoutLMv3PreTrainedModel
 * does it: Linear/Conv2d/Embedding weights N(0, initializer_range), Embedding padding rows zero, biases
 * zero, LayerNorm weight 1 and bias 0, cls_token and pos_embed zero.
 *
 * Heads (ours, under `heads.`; the same [out, in] layout):
 *   heads.group.dense.{weight [G, H], bias [G]}           hidden -> group_hidden (GELU, dropout)
 *   heads.group.classifier.{weight [C, G], bias [C]}      -> C = entity groups + 1 (outside) classes
 *   heads.prototype.projection.{weight [P, H], bias [P]}  hidden -> prototype_dim, then L2-normalised
 *   heads.prototype.prototypes [L, P]                     one prototype per label, N(0, 1) like torch.randn
 *   heads.prototype.logit_scale []                        learnable temperature: similarities x exp(logit_scale),
 *                                                         initialised to ln(1 / 0.07) (scale 14.3, as CLIP)
 *   heads.baseline.classifier.{weight [L, H], bias [L]}   the seed's standard classifier, for the comparison
 * New head weights N(0, initializer_range), biases zero (as HF initialises a fresh head).
 */
import type { LayoutLMv3Config, HeadConfig, ModelConfig } from './config.js';
import type { LabelSchema } from '../schema/label-schema.js';
import { BACKBONE_PREFIX } from '../weights/checkpoint-names.js';

export type ParameterInit =
  /** N(0, std); `zeroRow` is an Embedding's padding_idx row, set to zero */
  { kind: 'normal'; std: number; zeroRow?: number } | { kind: 'zeros' } | { kind: 'ones' } | { kind: 'constant'; value: number };

export type ParameterModule = 'backbone' | 'group' | 'prototype' | 'baseline' | 'crf';

export interface ParameterSpec {
  /** checkpoint name (= HF state-dict name for the backbone) */
  name: string;
  shape: number[];
  init: ParameterInit;
  module: ParameterModule;
  /** Embedding padding_idx: this row never receives a gradient */
  paddingRow?: number;
  /** HF computes these relative-position tables under no_grad: frozen unless heads.train_rel_pos_bias */
  noGradInReference?: boolean;
}

/** Which classifier sits on the backbone: ours (group + prototype heads) or the seed's baseline Linear. */
export type HeadKind = 'hybrid' | 'baseline';

/** What the heads need from the label schema. */
export type HeadLabelCounts = Pick<LabelSchema, 'numLabels' | 'numGroupClasses'>;

/** Initial logit_scale of the prototype head: ln(1 / 0.07). */
export const PROTOTYPE_LOGIT_SCALE_INIT = Math.log(1 / 0.07);

export function shapeNumel(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/** The backbone's parameters in Hugging Face state-dict order. */
export function backboneParameters(b: LayoutLMv3Config): ParameterSpec[] {
  const H = b.hidden_size;
  const std = b.initializer_range;
  const out: ParameterSpec[] = [];
  const add = (name: string, shape: number[], init: ParameterInit, extra: Partial<ParameterSpec> = {}) =>
    out.push({ name: BACKBONE_PREFIX + name, shape, init, module: 'backbone', ...extra });
  const normal: ParameterInit = { kind: 'normal', std };
  const zeros: ParameterInit = { kind: 'zeros' };
  const ones: ParameterInit = { kind: 'ones' };
  const layerNorm = (prefix: string) => {
    add(`${prefix}.weight`, [H], ones);
    add(`${prefix}.bias`, [H], zeros);
  };
  const linear = (prefix: string, outDim: number, inDim: number) => {
    add(`${prefix}.weight`, [outDim, inDim], normal);
    add(`${prefix}.bias`, [outDim], zeros);
  };
  const grid = b.input_size / b.patch_size;

  if (b.visual_embed) {
    add('cls_token', [1, 1, H], zeros);
    add('pos_embed', [1, grid * grid + 1, H], zeros);
  }
  add(
    'embeddings.word_embeddings.weight',
    [b.vocab_size, H],
    { kind: 'normal', std, zeroRow: b.pad_token_id },
    { paddingRow: b.pad_token_id },
  );
  add('embeddings.token_type_embeddings.weight', [b.type_vocab_size, H], normal);
  layerNorm('embeddings.LayerNorm');
  add(
    'embeddings.position_embeddings.weight',
    [b.max_position_embeddings, H],
    { kind: 'normal', std, zeroRow: b.pad_token_id },
    { paddingRow: b.pad_token_id },
  );
  for (const t of ['x', 'y'] as const)
    add(`embeddings.${t}_position_embeddings.weight`, [b.max_2d_position_embeddings, b.coordinate_size], normal);
  for (const t of ['h', 'w'] as const)
    add(`embeddings.${t}_position_embeddings.weight`, [b.max_2d_position_embeddings, b.shape_size], normal);
  if (b.visual_embed) {
    add('patch_embed.proj.weight', [H, b.num_channels, b.patch_size, b.patch_size], normal);
    add('patch_embed.proj.bias', [H], zeros);
    layerNorm('LayerNorm');
    layerNorm('norm');
  }
  for (let i = 0; i < b.num_hidden_layers; i++) {
    const p = `encoder.layer.${i}`;
    linear(`${p}.attention.self.query`, H, H);
    linear(`${p}.attention.self.key`, H, H);
    linear(`${p}.attention.self.value`, H, H);
    linear(`${p}.attention.output.dense`, H, H);
    layerNorm(`${p}.attention.output.LayerNorm`);
    linear(`${p}.intermediate.dense`, b.intermediate_size, H);
    linear(`${p}.output.dense`, H, b.intermediate_size);
    layerNorm(`${p}.output.LayerNorm`);
  }
  if (b.has_relative_attention_bias) {
    add('encoder.rel_pos_bias.weight', [b.num_attention_heads, b.rel_pos_bins], normal, { noGradInReference: true });
  }
  if (b.has_spatial_attention_bias) {
    add('encoder.rel_pos_x_bias.weight', [b.num_attention_heads, b.rel_2d_pos_bins], normal, { noGradInReference: true });
    add('encoder.rel_pos_y_bias.weight', [b.num_attention_heads, b.rel_2d_pos_bins], normal, { noGradInReference: true });
  }
  return out;
}

/** The heads' parameters for a label schema (sizes from it, nothing hard-coded). */
export function headParameters(
  hiddenSize: number,
  heads: HeadConfig,
  labels: HeadLabelCounts,
  kind: HeadKind = 'hybrid',
  initializerRange = 0.02,
): ParameterSpec[] {
  const normal: ParameterInit = { kind: 'normal', std: initializerRange };
  const zeros: ParameterInit = { kind: 'zeros' };
  if (kind === 'baseline') {
    return [
      { name: 'heads.baseline.classifier.weight', shape: [labels.numLabels, hiddenSize], init: normal, module: 'baseline' },
      { name: 'heads.baseline.classifier.bias', shape: [labels.numLabels], init: zeros, module: 'baseline' },
    ];
  }
  const G = heads.group_hidden;
  const P = heads.prototype_dim;
  return [
    { name: 'heads.group.dense.weight', shape: [G, hiddenSize], init: normal, module: 'group' },
    { name: 'heads.group.dense.bias', shape: [G], init: zeros, module: 'group' },
    { name: 'heads.group.classifier.weight', shape: [labels.numGroupClasses, G], init: normal, module: 'group' },
    { name: 'heads.group.classifier.bias', shape: [labels.numGroupClasses], init: zeros, module: 'group' },
    { name: 'heads.prototype.projection.weight', shape: [P, hiddenSize], init: normal, module: 'prototype' },
    { name: 'heads.prototype.projection.bias', shape: [P], init: zeros, module: 'prototype' },
    { name: 'heads.prototype.prototypes', shape: [labels.numLabels, P], init: { kind: 'normal', std: 1 }, module: 'prototype' },
    { name: 'heads.prototype.logit_scale', shape: [], init: { kind: 'constant', value: PROTOTYPE_LOGIT_SCALE_INIT }, module: 'prototype' },
  ];
}

/** Backbone then heads: every parameter of a model. */
export function modelParameters(
  cfg: Pick<ModelConfig, 'backbone' | 'heads'>,
  labels: HeadLabelCounts,
  kind: HeadKind = 'hybrid',
): ParameterSpec[] {
  return [
    ...backboneParameters(cfg.backbone),
    ...headParameters(cfg.backbone.hidden_size, cfg.heads, labels, kind, cfg.backbone.initializer_range),
  ];
}

export function countParameters(specs: readonly ParameterSpec[]): number {
  return specs.reduce((a, s) => a + shapeNumel(s.shape), 0);
}

export interface ParameterCounts {
  tensors: number;
  parameters: number;
  byModule: Partial<Record<ParameterModule, { tensors: number; parameters: number }>>;
}

/** Tensor and parameter counts, overall and per module. */
export function parameterCounts(specs: readonly ParameterSpec[]): ParameterCounts {
  const byModule: ParameterCounts['byModule'] = {};
  for (const s of specs) {
    const m = (byModule[s.module] ??= { tensors: 0, parameters: 0 });
    m.tensors++;
    m.parameters += shapeNumel(s.shape);
  }
  return { tensors: specs.length, parameters: countParameters(specs), byModule };
}

/** Parameters that get a gradient in training, given the head settings (freeze_backbone, train_rel_pos_bias). */
export function isTrainable(spec: ParameterSpec, heads: Pick<HeadConfig, 'freeze_backbone' | 'train_rel_pos_bias'>): boolean {
  if (spec.module !== 'backbone') return true;
  if (heads.freeze_backbone) return false;
  return !spec.noGradInReference || heads.train_rel_pos_bias;
}
