/**
 * Small trainable models that exercise the artifact machinery until the LayoutLMv3 backbone and the heads
 * land: an MLP with two loss parts, and a token-classification transformer (embeddings, encoder blocks with
 * multi-head self-attention and a GELU feed-forward, an entity head and a group head) whose feeds and
 * outputs have the shapes the real model's have. Both use reproducible dropout (seeded by the step's
 * dropout_seed input), a masked negative log-likelihood that ignores label -100, and run in float32 or float64.
 * Parameter names follow the Hugging Face layout ([out, in] linear weights, `LayerNorm` names), so the
 * no-decay patterns and checkpoint conventions are the real model's.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { TensorRef } from '../onnx/types.js';
import type { ParameterInit, ParameterModule, ParameterSpec } from '../model/parameters.js';
import { reproducibleDropout } from '../autodiff/dropout.js';
import type { ForwardContext, ForwardResult, TrainableModel, TrainableModelOptions } from './trainable-model.js';

/** Labels equal to this are ignored by the losses (as in PyTorch and the featuriser). */
export const IGNORE_INDEX = -100;

type Activation = 'gelu' | 'gelu_tanh' | 'relu' | 'tanh';

// -------------------------------------------------------------------------------------------- building blocks

/** y = x W^T + b with W [out, in] (a torch Linear). */
function linear(g: GraphBuilder, x: TensorRef, w: TensorRef, b: TensorRef, name: string): TensorRef {
  return g.add(g.matmul(x, g.transpose(w, [1, 0]), { name: `${name}.matmul` }), b, { name });
}

function activate(g: GraphBuilder, x: TensorRef, kind: Activation): TensorRef {
  switch (kind) {
    case 'relu':
      return g.relu(x);
    case 'tanh':
      return g.tanh(x);
    case 'gelu':
      // 0.5 x (1 + erf(x / sqrt 2)), the exact GELU (float32 only: ORT has no float64 Erf)
      return g.mul(g.mul(x, 0.5), g.add(g.erf(g.mul(x, Math.SQRT1_2)), 1), { name: 'gelu' });
    case 'gelu_tanh': {
      // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
      const inner = g.mul(g.add(x, g.mul(g.mul(g.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
      return g.mul(g.mul(x, 0.5), g.add(g.tanh(inner), 1), { name: 'gelu_tanh' });
    }
  }
}

/** Dropout keyed by the step seed and a per-site salt; the identity outside training or at ratio 0. */
function dropout(g: GraphBuilder, x: TensorRef, ratio: number, ctx: ForwardContext, salt: number): TensorRef {
  if (!ctx.training || ratio <= 0) return x;
  if (!ctx.dropoutSeed) throw new Error('dropout: training forward without a dropout seed');
  return reproducibleDropout(g, x, ratio, ctx.dropoutSeed, salt, true);
}

/**
 * Mean negative log-likelihood over the positions whose label is not IGNORE_INDEX (0 when there are none).
 * `logProbs` [..., C], `labels` int64 [...]. The one-hot comes from Equal against 0..C-1, so no integer
 * tensor sits on the gradient path.
 */
export function maskedNll(g: GraphBuilder, logProbs: TensorRef, labels: TensorRef, numClasses: number, name = 'nll'): TensorRef {
  return g.scope(name, () => {
    const dtype = logProbs.dtype;
    const valid = g.not(g.equal(labels, IGNORE_INDEX), { name: 'valid' });
    const safe = g.where(valid, labels, 0, { name: 'safe_labels' });
    const classes = g.constInt64(
      Array.from({ length: numClasses }, (_, i) => i),
      { name: 'classes' },
    );
    const oneHot = g.cast(g.equal(g.unsqueeze(safe, [-1]), classes), dtype, { name: 'one_hot' });
    const picked = g.reduceSum(g.mul(logProbs, oneHot), [-1], { keepdims: false, name: 'picked' });
    const weight = g.cast(valid, dtype, { name: 'weight' });
    const total = g.reduceSum(g.mul(picked, weight), null, { keepdims: false, name: 'total' });
    const count = g.max([g.reduceSum(weight, null, { keepdims: false }), 1], { name: 'count' });
    return g.neg(g.div(total, count), { name: 'loss' });
  });
}

function spec(name: string, shape: number[], init: ParameterInit, module: ParameterModule): ParameterSpec {
  return { name, shape, init, module };
}

// --------------------------------------------------------------------------------------------- transformer

export interface TransformerTestModelOptions {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  /** rows of the position table: the longest sequence */
  maxPositions: number;
  numLabels: number;
  numGroupClasses: number;
  /** hidden and head dropout */
  dropout?: number;
  attentionDropout?: number;
  activation?: Activation;
  layerNormEps?: number;
  initializerRange?: number;
  dtype?: 'float32' | 'float64';
  /** freeze the embeddings and encoder (only the heads train), like the seed's freeze_backbone */
  freezeBackbone?: boolean;
}

/**
 * A token classifier with the real model's interface. Feeds: input_ids, attention_mask (int64 [batch, seq]);
 * labels: labels (BIO label ids), group_labels (group class ids), -100 where ignored. Outputs: emissions
 * (label log-probabilities [batch, seq, L]), group_probs [batch, seq, G], embeddings (L2-normalised hidden
 * states [batch, seq, H]). Loss parts: entity, group.
 */
export function transformerTestModel(o: TransformerTestModelOptions): TrainableModel {
  const H = o.hiddenSize;
  const nh = o.numHeads;
  if (H % nh !== 0) throw new Error(`transformerTestModel: hidden size ${H} is not a multiple of ${nh} heads`);
  const d = H / nh;
  const std = o.initializerRange ?? 0.02;
  const eps = o.layerNormEps ?? 1e-5;
  const act = o.activation ?? 'gelu';
  const p = o.dropout ?? 0.1;
  const pAttn = o.attentionDropout ?? p;
  const dtype = o.dtype ?? 'float32';
  const normal: ParameterInit = { kind: 'normal', std };
  const zeros: ParameterInit = { kind: 'zeros' };
  const ones: ParameterInit = { kind: 'ones' };

  const params: ParameterSpec[] = [
    spec('embeddings.word_embeddings.weight', [o.vocabSize, H], normal, 'backbone'),
    spec('embeddings.position_embeddings.weight', [o.maxPositions, H], normal, 'backbone'),
    spec('embeddings.LayerNorm.weight', [H], ones, 'backbone'),
    spec('embeddings.LayerNorm.bias', [H], zeros, 'backbone'),
  ];
  const lin = (name: string, out: number, inp: number, module: ParameterModule = 'backbone') =>
    params.push(spec(`${name}.weight`, [out, inp], normal, module), spec(`${name}.bias`, [out], zeros, module));
  const ln = (name: string) => params.push(spec(`${name}.weight`, [H], ones, 'backbone'), spec(`${name}.bias`, [H], zeros, 'backbone'));
  for (let i = 0; i < o.numLayers; i++) {
    const l = `encoder.layer.${i}`;
    lin(`${l}.attention.self.query`, H, H);
    lin(`${l}.attention.self.key`, H, H);
    lin(`${l}.attention.self.value`, H, H);
    lin(`${l}.attention.output.dense`, H, H);
    ln(`${l}.attention.output.LayerNorm`);
    lin(`${l}.intermediate.dense`, o.intermediateSize, H);
    lin(`${l}.output.dense`, H, o.intermediateSize);
    ln(`${l}.output.LayerNorm`);
  }
  lin('heads.entity.classifier', o.numLabels, H, 'baseline');
  lin('heads.group.classifier', o.numGroupClasses, H, 'group');

  const buildForward = (g: GraphBuilder, ctx: ForwardContext): ForwardResult => {
    const P = (name: string) => {
      const t = ctx.params.get(name);
      if (!t) throw new Error(`transformerTestModel: no parameter ${name}`);
      return t;
    };
    const ids = ctx.inputs.get('input_ids')!;
    const mask = ctx.inputs.get('attention_mask')!;
    let salt = 0;

    // embeddings: word + position (positions 0..seq-1), LayerNorm, dropout
    let h = g.scope('embeddings', () => {
      const words = g.gather(P('embeddings.word_embeddings.weight'), ids, { name: 'words' });
      const seq = g.shape(ids, { start: 1, end: 2, name: 'seq_len' });
      const positions = g.slice(P('embeddings.position_embeddings.weight'), [0], seq, [0], null, { name: 'positions' });
      const sum = g.add(words, positions, { name: 'sum' });
      const normed = g.layerNormalization(sum, P('embeddings.LayerNorm.weight'), P('embeddings.LayerNorm.bias'), {
        epsilon: eps,
        name: 'LayerNorm',
      });
      return dropout(g, normed, p, ctx, salt++);
    });

    // additive attention bias: 0 where attended, -10000 where masked; [batch, 1, 1, seq]
    const bias = g.scope('attention_bias', () => {
      const keep = g.cast(mask, dtype, { name: 'keep' });
      return g.unsqueeze(g.mul(g.sub(g.constant(1, { dtype }), keep), -10000), [1, 2], { name: 'bias' });
    });

    for (let i = 0; i < o.numLayers; i++) {
      const l = `encoder.layer.${i}`;
      h = g.scope(l, () => {
        const heads = (x: TensorRef, perm: number[], name: string) => g.transpose(g.reshape(x, [0, 0, nh, d]), perm, { name });
        const q = heads(
          linear(g, h, P(`${l}.attention.self.query.weight`), P(`${l}.attention.self.query.bias`), 'query'),
          [0, 2, 1, 3],
          'q',
        );
        const k = heads(linear(g, h, P(`${l}.attention.self.key.weight`), P(`${l}.attention.self.key.bias`), 'key'), [0, 2, 3, 1], 'k');
        const v = heads(
          linear(g, h, P(`${l}.attention.self.value.weight`), P(`${l}.attention.self.value.bias`), 'value'),
          [0, 2, 1, 3],
          'v',
        );
        const scores = g.add(g.div(g.matmul(q, k), Math.sqrt(d)), bias, { name: 'scores' });
        const probs = dropout(g, g.softmax(scores, { axis: -1, name: 'probs' }), pAttn, ctx, salt++);
        const context = g.reshape(g.transpose(g.matmul(probs, v), [0, 2, 1, 3]), [0, 0, H], { name: 'context' });
        const attnOut = dropout(
          g,
          linear(g, context, P(`${l}.attention.output.dense.weight`), P(`${l}.attention.output.dense.bias`), 'attn_dense'),
          p,
          ctx,
          salt++,
        );
        const h1 = g.layerNormalization(
          g.add(attnOut, h),
          P(`${l}.attention.output.LayerNorm.weight`),
          P(`${l}.attention.output.LayerNorm.bias`),
          {
            epsilon: eps,
            name: 'attn_LayerNorm',
          },
        );
        const inter = activate(
          g,
          linear(g, h1, P(`${l}.intermediate.dense.weight`), P(`${l}.intermediate.dense.bias`), 'intermediate'),
          act,
        );
        const ffOut = dropout(
          g,
          linear(g, inter, P(`${l}.output.dense.weight`), P(`${l}.output.dense.bias`), 'output_dense'),
          p,
          ctx,
          salt++,
        );
        return g.layerNormalization(g.add(ffOut, h1), P(`${l}.output.LayerNorm.weight`), P(`${l}.output.LayerNorm.bias`), {
          epsilon: eps,
          name: 'output_LayerNorm',
        });
      });
    }

    const headIn = dropout(g, h, p, ctx, salt++);
    const entityLogits = linear(g, headIn, P('heads.entity.classifier.weight'), P('heads.entity.classifier.bias'), 'entity_logits');
    const groupLogits = linear(g, headIn, P('heads.group.classifier.weight'), P('heads.group.classifier.bias'), 'group_logits');
    const emissions = g.logSoftmax(entityLogits, { axis: -1, name: 'emissions' });
    const outputs: Record<string, TensorRef> = { emissions };
    if (!ctx.withLosses) {
      outputs.group_probs = g.softmax(groupLogits, { axis: -1, name: 'group_probs' });
      const norm = g.sqrt(g.add(g.reduceSum(g.mul(h, h), [-1], { keepdims: true }), 1e-12));
      outputs.embeddings = g.div(h, norm, { name: 'embeddings' });
      return { outputs };
    }
    const labels = ctx.labels!;
    const groupLogProbs = g.logSoftmax(groupLogits, { axis: -1, name: 'group_log_probs' });
    return {
      outputs,
      losses: {
        entity: maskedNll(g, emissions, labels.get('labels')!, o.numLabels, 'entity_loss'),
        group: maskedNll(g, groupLogProbs, labels.get('group_labels')!, o.numGroupClasses, 'group_loss'),
      },
    };
  };

  const frozenBackbone = o.freezeBackbone ?? false;
  return {
    name: 'test-transformer',
    config: { ...o, activation: act, dropout: p, attentionDropout: pAttn, dtype },
    dtype,
    parameters: params,
    isTrainable: (s) => !(frozenBackbone && s.module === 'backbone'),
    inputs: [
      { name: 'input_ids', dtype: 'int64', shape: ['batch', 'seq'], description: 'token ids' },
      { name: 'attention_mask', dtype: 'int64', shape: ['batch', 'seq'], description: '1 for tokens, 0 for padding' },
    ],
    labels: [
      { name: 'labels', dtype: 'int64', shape: ['batch', 'seq'], description: 'BIO label ids, -100 ignored' },
      { name: 'group_labels', dtype: 'int64', shape: ['batch', 'seq'], description: 'entity-group class ids, -100 ignored' },
    ],
    outputNames: ['emissions', 'group_probs', 'embeddings'],
    lossParts: ['entity', 'group'],
    defaultLossWeights: { entity: 1, group: 0.5 },
    buildForward,
  };
}

/** The transformer test model sized by a model preset (backbone sizes) and the label schema. */
export function transformerTestModelFromConfig(options: TrainableModelOptions): TrainableModel {
  const b = options.modelConfig.backbone;
  return transformerTestModel({
    vocabSize: b.vocab_size,
    hiddenSize: b.hidden_size,
    numLayers: b.num_hidden_layers,
    numHeads: b.num_attention_heads,
    intermediateSize: b.intermediate_size,
    maxPositions: b.max_text_length,
    numLabels: options.labels.numLabels,
    numGroupClasses: options.labels.numGroupClasses,
    dropout: options.dropout ?? b.hidden_dropout_prob,
    attentionDropout: options.dropout ?? b.attention_probs_dropout_prob,
    activation: options.dtype === 'float64' ? 'gelu_tanh' : 'gelu',
    layerNormEps: b.layer_norm_eps,
    initializerRange: b.initializer_range,
    dtype: options.dtype ?? 'float32',
    freezeBackbone: options.modelConfig.heads.freeze_backbone,
  });
}

// -------------------------------------------------------------------------------------------------- MLP

export interface MlpTestModelOptions {
  inputSize: number;
  hiddenSize: number;
  numClasses: number;
  /** size of the regression target */
  targetSize: number;
  dropout?: number;
  dtype?: 'float32' | 'float64';
  /** names of parameters to freeze */
  frozen?: readonly string[];
}

/**
 * features [batch, in] -> Linear, LayerNorm, tanh, dropout -> Linear, tanh -> a classifier scaled by a
 * learnable scalar (log_probs [batch, C]) and a regressor (prediction [batch, R]). Loss parts:
 * classification (masked NLL over `labels`, -100 ignored) and regression (mean squared error to `targets`).
 */
export function mlpTestModel(o: MlpTestModelOptions): TrainableModel {
  const dtype = o.dtype ?? 'float32';
  const H = o.hiddenSize;
  const normal: ParameterInit = { kind: 'normal', std: 0.5 };
  const zeros: ParameterInit = { kind: 'zeros' };
  const params: ParameterSpec[] = [
    spec('fc1.weight', [H, o.inputSize], normal, 'backbone'),
    spec('fc1.bias', [H], zeros, 'backbone'),
    spec('norm.weight', [H], { kind: 'ones' }, 'backbone'),
    spec('norm.bias', [H], zeros, 'backbone'),
    spec('fc2.weight', [H, H], normal, 'backbone'),
    spec('fc2.bias', [H], zeros, 'backbone'),
    spec('classifier.weight', [o.numClasses, H], normal, 'baseline'),
    spec('classifier.bias', [o.numClasses], zeros, 'baseline'),
    spec('classifier.scale', [], { kind: 'constant', value: 1 }, 'baseline'),
    spec('regressor.weight', [o.targetSize, H], normal, 'baseline'),
    spec('regressor.bias', [o.targetSize], zeros, 'baseline'),
  ];
  const frozen = new Set(o.frozen ?? []);
  const p = o.dropout ?? 0.1;
  const buildForward = (g: GraphBuilder, ctx: ForwardContext): ForwardResult => {
    const P = (name: string) => ctx.params.get(name)!;
    const x = ctx.inputs.get('features')!;
    const h1 = g.tanh(
      g.layerNormalization(linear(g, x, P('fc1.weight'), P('fc1.bias'), 'fc1'), P('norm.weight'), P('norm.bias'), { name: 'norm' }),
    );
    const h2 = g.tanh(linear(g, dropout(g, h1, p, ctx, 1), P('fc2.weight'), P('fc2.bias'), 'fc2'));
    const logits = g.mul(linear(g, h2, P('classifier.weight'), P('classifier.bias'), 'classifier'), P('classifier.scale'), {
      name: 'scaled_logits',
    });
    const logProbs = g.logSoftmax(logits, { axis: -1, name: 'log_probs' });
    const prediction = linear(g, h2, P('regressor.weight'), P('regressor.bias'), 'prediction');
    const outputs = { log_probs: logProbs, prediction };
    if (!ctx.withLosses) return { outputs };
    const diff = g.sub(prediction, ctx.labels!.get('targets')!);
    const regression = g.reduceMean(g.mul(diff, diff), null, { keepdims: false, name: 'mse' });
    return { outputs, losses: { classification: maskedNll(g, logProbs, ctx.labels!.get('labels')!, o.numClasses), regression } };
  };
  return {
    name: 'test-mlp',
    config: { ...o, dropout: p, dtype },
    dtype,
    parameters: params,
    isTrainable: (s) => !frozen.has(s.name),
    inputs: [{ name: 'features', dtype, shape: ['batch', o.inputSize] }],
    labels: [
      { name: 'labels', dtype: 'int64', shape: ['batch'] },
      { name: 'targets', dtype, shape: ['batch', o.targetSize] },
    ],
    outputNames: ['log_probs', 'prediction'],
    lossParts: ['classification', 'regression'],
    defaultLossWeights: { classification: 1, regression: 0.5 },
    buildForward,
  };
}

/** The MLP sized by a model preset: hidden_size wide, one class per label. */
export function mlpTestModelFromConfig(options: TrainableModelOptions): TrainableModel {
  const b = options.modelConfig.backbone;
  return mlpTestModel({
    inputSize: b.hidden_size,
    hiddenSize: b.hidden_size,
    numClasses: options.labels.numLabels,
    targetSize: 4,
    dropout: options.dropout ?? b.hidden_dropout_prob,
    dtype: options.dtype,
  });
}
