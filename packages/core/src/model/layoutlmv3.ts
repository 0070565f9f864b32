/**
 * The LayoutLMv3 backbone as an ONNX graph, block by block in the order of Hugging Face's
 * `modeling_layoutlmv3.py` (see shared/reference/layoutlmv3-spec.md):
 *
 *   LayoutLMv3TextEmbeddings   word + token type + 1-D position (padding-offset ids) + 2-D layout (concat)
 *   LayoutLMv3PatchEmbeddings  Conv with patch-size kernel and stride (or the same as patchify + MatMul), to tokens
 *   LayoutLMv3SelfAttention    Q/sqrt(d) K^T + (1-D bias + 2-D bias)/sqrt(d) + mask, softmax, dropout, P V
 *   LayoutLMv3SelfOutput       dense, dropout, LayerNorm(x + residual)
 *   LayoutLMv3Intermediate     dense, exact GELU
 *   LayoutLMv3Output           dense, dropout, LayerNorm(x + residual)
 *   LayoutLMv3Encoder          relative-position buckets and bias tables, then the layers
 *   LayoutLMv3Model            forward_image (CLS, pos_embed, norm eps 1e-6), visual boxes, text ++ visual,
 *                              joint LayerNorm, extended attention mask, encoder
 *
 * Parameters are graph inputs named by their checkpoint (HF state-dict) names, never initializers, so one
 * checkpoint feeds every graph and the autodiff can differentiate with respect to them. Batch and text
 * length are dynamic. The relative-position bucket matrices are computed in the graph from the positions and
 * boxes, with the reference's float32 bucket formula evaluated once here into an integer lookup table (the
 * spec's advice: Log/Div/Cast in ONNX could flip the buckets where the float expression is an integer).
 * The reference's CogView softmax, softmax((s/32 - max(s/32)) * 32), is bit-identical to the max-subtracted
 * softmax ONNX's Softmax computes (dividing and multiplying by 32 is exact in float32), so Softmax it is.
 */
import { customGradientBlock } from '../autodiff/custom-gradient.js';
import { reproducibleDropout } from '../autodiff/dropout.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import type { DType } from '../onnx/dtype.js';
import type { Dim, TensorRef } from '../onnx/types.js';
import { HybridocError } from '../util/errors.js';
import { headDim, patchGridSize, visualTokenCount, type LayoutLMv3Config } from './config.js';
import { backboneParameters, type ParameterSpec } from './parameters.js';
import { BACKBONE_PREFIX } from '../weights/checkpoint-names.js';

/** The reference's additive mask value, torch.finfo(float32).min. */
export const ATTENTION_MASK_MIN = -3.4028234663852886e38;
/** Side of the box grid the visual boxes live on (the reference's max_len = 1000). */
const VISUAL_BOX_SCALE = 1000;
/** The reference clips box heights and widths to this before the h/w lookups, whatever the table size. */
const MAX_BOX_EXTENT = 1023;

/** The tensors the backbone reads (HF names). pixel_values only when the config has visual_embed. */
export interface LayoutLMv3Inputs {
  /** int64 [batch, seq] */
  input_ids: TensorRef;
  /** int64 [batch, seq, 4], x0 y0 x1 y1 on the 0..1000 scale */
  bbox: TensorRef;
  /** int64 [batch, seq], 1 for tokens, 0 for padding */
  attention_mask: TensorRef;
  /** float [batch, channels, input_size, input_size] */
  pixel_values?: TensorRef;
}

export interface LayoutLMv3BuildOptions {
  /** the training-time forward: dropout on (when a seed is given and the rate is above 0) */
  training?: boolean;
  /** int64 scalar, the step's dropout seed; required when training with dropout */
  dropoutSeed?: TensorRef;
  /** first dropout salt the backbone uses (it takes `dropoutSites(config)` consecutive salts); default 0 */
  dropoutSaltBase?: number;
  /** false: no dropout even in training (default true) */
  dropout?: boolean;
  /** overrides of the config's hidden_dropout_prob / attention_probs_dropout_prob */
  hiddenDropout?: number;
  attentionDropout?: number;
  /**
   * true (default): the word and position lookups give the padding_idx rows exactly zero gradient, as
   * nn.Embedding(padding_idx=...) does, through a custom-gradient block.
   */
  paddingIdxGradient?: boolean;
  /**
   * How the patch projection is computed: 'conv' (Conv, kernel = stride = patch) or 'matmul' (patchify then
   * MatMul, the same numbers). Default: 'conv' for inference, 'matmul' when `training` (autodiff's Conv rule
   * needs a static batch dimension; the MatMul form differentiates with a dynamic one).
   */
  patchEmbed?: 'conv' | 'matmul';
}

export interface LayoutLMv3Debug {
  /** the 1-D positions the encoder's bias uses: text 0..T-1 then visual 0..V-1, int64 [batch, S] */
  positionIds: TensorRef;
  /** the boxes the 2-D bias uses: text boxes then the visual grid boxes, int64 [batch, S, 4] */
  bbox: TensorRef;
  /** bucket matrices, int64 [batch, S, S]: 1-D with has_relative_attention_bias, 2-D with both biases */
  relPosBucket?: TensorRef;
  rel2dXBucket?: TensorRef;
  rel2dYBucket?: TensorRef;
  /** the padding-offset ids of the 1-D position table, int64 [batch, T] */
  embeddingPositionIds: TensorRef;
}

/** `hidden` and `debug` are built on first read (so that unread views leave no dangling nodes): read `debug`
 *  only when its tensors become graph outputs. */
export interface LayoutLMv3Output {
  /** the text positions of the last layer, [batch, T, hidden] (what the token-classification head reads) */
  hidden: TensorRef;
  /** the whole last layer, text then visual tokens, [batch, T + V, hidden] (HF's last_hidden_state) */
  fullHidden: TensorRef;
  /** HF's hidden_states: the embedding output, then each layer's output, [batch, T + V, hidden] */
  hiddenStates: TensorRef[];
  debug: LayoutLMv3Debug;
  /** dropout salts used: [dropoutSaltBase, dropoutSaltBase + dropoutSalts) */
  dropoutSalts: number;
}

// ------------------------------------------------------------------------------------------- constants

/**
 * Bucket of |r| = 0..maxDistance for the reference's relative_position_bucket (bidirectional), before the
 * `+ half` for r > 0. Evaluated as PyTorch does in float32: log(float(n) / max_exact) / log(max_distance /
 * max_exact) * (num_buckets - max_exact), truncated to int64; every |r| >= maxDistance lands in the last bucket.
 */
export function relativePositionBucketTable(numBuckets: number, maxDistance: number): number[] {
  const f = Math.fround;
  const half = Math.floor(numBuckets / 2);
  const maxExact = Math.floor(half / 2);
  const logRange = f(Math.log(maxDistance / maxExact));
  const out: number[] = [];
  for (let n = 0; n <= maxDistance; n++) {
    if (n < maxExact) {
      out.push(n);
      continue;
    }
    const large = maxExact + Math.trunc(f(f(f(Math.log(f(n / maxExact))) / logRange) * (half - maxExact)));
    out.push(Math.min(large, half - 1));
  }
  return out;
}

/** The reference's relative_position_bucket for one distance (host-side, for tests and checks). */
export function relativePositionBucket(relative: number, numBuckets: number, maxDistance: number): number {
  const table = relativePositionBucketTable(numBuckets, maxDistance);
  const half = Math.floor(numBuckets / 2);
  return (relative > 0 ? half : 0) + table[Math.min(Math.abs(relative), maxDistance)];
}

/**
 * The visual tokens' boxes (init_visual_bbox): the visual CLS [1, 1, 999, 999], then patch (row r, col c),
 * k = grid r + c, as [g[c], g[r], g[c+1], g[r+1]] with g[k] = trunc(1000 k / grid).
 */
export function visualBoxes(config: LayoutLMv3Config): number[][] {
  const grid = patchGridSize(config);
  const g = Array.from({ length: grid + 1 }, (_, k) => Math.trunc((VISUAL_BOX_SCALE * k) / grid));
  const boxes: number[][] = [[1, 1, VISUAL_BOX_SCALE - 1, VISUAL_BOX_SCALE - 1]];
  for (let r = 0; r < grid; r++) for (let c = 0; c < grid; c++) boxes.push([g[c], g[r], g[c + 1], g[r + 1]]);
  return boxes;
}

/** Dropout sites of the backbone: embeddings (and the joint LayerNorm's), then 3 per layer. */
export function dropoutSites(config: LayoutLMv3Config): number {
  return 1 + (config.visual_embed ? 1 : 0) + 3 * config.num_hidden_layers;
}

/** The graph-input feeds the backbone reads, with symbolic batch and text-length axes. */
export function layoutlmv3FeedShapes(config: LayoutLMv3Config): Array<{ name: keyof LayoutLMv3Inputs; dtype: DType; shape: Dim[] }> {
  const feeds: Array<{ name: keyof LayoutLMv3Inputs; dtype: DType; shape: Dim[] }> = [
    { name: 'input_ids', dtype: 'int64', shape: ['batch', 'seq'] },
    { name: 'bbox', dtype: 'int64', shape: ['batch', 'seq', 4] },
    { name: 'attention_mask', dtype: 'int64', shape: ['batch', 'seq'] },
  ];
  if (config.visual_embed) {
    feeds.push({ name: 'pixel_values', dtype: 'float32', shape: ['batch', config.num_channels, config.input_size, config.input_size] });
  }
  return feeds;
}

// ---------------------------------------------------------------------------------------- the builder

interface Ctx {
  g: GraphBuilder;
  cfg: LayoutLMv3Config;
  P: (name: string) => TensorRef;
  dtype: DType;
  training: boolean;
  dropoutSeed?: TensorRef;
  salt: number;
  hiddenDropout: number;
  attentionDropout: number;
  paddingIdxGradient: boolean;
  patchEmbed: 'conv' | 'matmul';
}

function dropout(c: Ctx, x: TensorRef, ratio: number): TensorRef {
  const salt = c.salt++;
  if (!c.training || ratio <= 0) return x;
  if (!c.dropoutSeed) throw new HybridocError('layoutlmv3: a training forward with dropout needs a dropoutSeed');
  return reproducibleDropout(c.g, x, ratio, c.dropoutSeed, salt, true);
}

/** nn.Linear: x W^T + b with W [out, in]. */
function linear(c: Ctx, x: TensorRef, prefix: string, name: string): TensorRef {
  const { g, P } = c;
  return g.add(g.matmul(x, g.transpose(P(`${prefix}.weight`), [1, 0]), { name: `${name}.matmul` }), P(`${prefix}.bias`), { name });
}

function layerNorm(c: Ctx, x: TensorRef, prefix: string, eps: number, name: string): TensorRef {
  return c.g.layerNormalization(x, c.P(`${prefix}.weight`), c.P(`${prefix}.bias`), { epsilon: eps, name });
}

/** The exact GELU as torch computes it: x * 0.5 * (1 + erf(x * M_SQRT1_2)). */
function gelu(c: Ctx, x: TensorRef): TensorRef {
  const { g } = c;
  return g.mul(g.mul(x, 0.5), g.add(g.erf(g.mul(x, Math.SQRT1_2)), 1), { name: 'gelu' });
}

/**
 * nn.Embedding lookup. With `paddingIdx`, the table's row paddingIdx gets no gradient (HF's padding_idx):
 * a custom-gradient block scatters the incoming gradient into the table with the padding positions zeroed.
 */
function embedding(c: Ctx, table: TensorRef, ids: TensorRef, name: string, paddingIdx?: number): TensorRef {
  const { g } = c;
  const out = g.gather(table, ids, { name });
  if (paddingIdx === undefined || !c.paddingIdxGradient) return out;
  customGradientBlock(g, {
    inputs: [table],
    outputs: [out],
    backward: (gb, [dOut]) => {
      if (!dOut) return [null];
      const keep = gb.cast(gb.not(gb.equal(ids, paddingIdx)), table.dtype, { name: 'not_padding' });
      const masked = gb.mul(dOut, gb.unsqueeze(keep, [-1]), { name: 'masked_grad' });
      const zeros = gb.constantOfShape(table.shape as number[], { dtype: table.dtype, value: 0, name: 'zeros' });
      return [gb.scatterND(zeros, gb.unsqueeze(ids, [-1]), masked, { reduction: 'add', name: 'embedding_grad' })];
    },
  });
  return out;
}

// LayoutLMv3TextEmbeddings ---------------------------------------------------------------------------------

/** create_position_ids_from_input_ids: cumsum(ids != pad) * (ids != pad) + pad. */
function createPositionIdsFromInputIds(c: Ctx, inputIds: TensorRef): TensorRef {
  const { g, cfg } = c;
  const mask = g.cast(g.not(g.equal(inputIds, cfg.pad_token_id)), 'int64', { name: 'not_padding' });
  const incremental = g.mul(g.cumSum(mask, 1, { name: 'cumsum' }), mask, { name: 'incremental_indices' });
  return g.add(incremental, cfg.pad_token_id, { name: 'position_ids' });
}

/** calculate_spatial_position_embeddings: x0 | y0 | x1 | y1 | h | w lookups, concatenated. */
function calculateSpatialPositionEmbeddings(c: Ctx, bbox: TensorRef): TensorRef {
  const { g, P } = c;
  const coord = (i: number, name: string) => g.gather(bbox, i, { axis: 2, name });
  const [x0, y0, x1, y1] = [coord(0, 'x0'), coord(1, 'y0'), coord(2, 'x1'), coord(3, 'y1')];
  const table = (t: string) => P(`embeddings.${t}_position_embeddings.weight`);
  const left = embedding(c, table('x'), x0, 'left_position_embeddings');
  const upper = embedding(c, table('y'), y0, 'upper_position_embeddings');
  const right = embedding(c, table('x'), x1, 'right_position_embeddings');
  const lower = embedding(c, table('y'), y1, 'lower_position_embeddings');
  const h = embedding(c, table('h'), g.clip(g.sub(y1, y0), 0, MAX_BOX_EXTENT, { name: 'height' }), 'h_position_embeddings');
  const w = embedding(c, table('w'), g.clip(g.sub(x1, x0), 0, MAX_BOX_EXTENT, { name: 'width' }), 'w_position_embeddings');
  return g.concat([left, upper, right, lower, h, w], -1, { name: 'spatial_position_embeddings' });
}

function textEmbeddings(c: Ctx, inputIds: TensorRef, bbox: TensorRef): { embeddings: TensorRef; positionIds: TensorRef } {
  const { g, P, cfg } = c;
  return g.scope('embeddings', () => {
    const positionIds = createPositionIdsFromInputIds(c, inputIds);
    const inputsEmbeds = embedding(c, P('embeddings.word_embeddings.weight'), inputIds, 'word_embeddings', cfg.pad_token_id);
    // token_type_ids are all zero (the tokenizer returns none): row 0 broadcast over every token
    const tokenType = g.gather(P('embeddings.token_type_embeddings.weight'), 0, { name: 'token_type_embeddings' });
    let embeddings = g.add(inputsEmbeds, tokenType, { name: 'plus_token_type' });
    const position = embedding(c, P('embeddings.position_embeddings.weight'), positionIds, 'position_embeddings', cfg.pad_token_id);
    embeddings = g.add(embeddings, position, { name: 'plus_position' });
    embeddings = g.add(embeddings, calculateSpatialPositionEmbeddings(c, bbox), { name: 'plus_spatial' });
    embeddings = layerNorm(c, embeddings, 'embeddings.LayerNorm', cfg.layer_norm_eps, 'LayerNorm');
    return { embeddings: dropout(c, embeddings, c.hiddenDropout), positionIds };
  });
}

// LayoutLMv3PatchEmbeddings + forward_image ------------------------------------------------------------------

/**
 * LayoutLMv3PatchEmbeddings: Conv2d(channels -> hidden, kernel = stride = patch), flatten(2).transpose(1, 2).
 * The 'matmul' form computes the same thing as the spec's equivalent: cut the image into patches, flatten
 * each in (channel, ky, kx) order and multiply by the weight reshaped to [hidden, channels x patch^2]; it
 * is what training graphs use (it differentiates with a dynamic batch through Reshape/Transpose/MatMul).
 */
function patchEmbeddings(c: Ctx, pixelValues: TensorRef, form: 'conv' | 'matmul'): TensorRef {
  const { g, P, cfg } = c;
  return g.scope('patch_embed', () => {
    const k = cfg.patch_size;
    const H = cfg.hidden_size;
    const grid = patchGridSize(cfg);
    if (form === 'conv') {
      const proj = g.conv(pixelValues, P('patch_embed.proj.weight'), P('patch_embed.proj.bias'), {
        kernelShape: [k, k],
        strides: [k, k],
        name: 'proj',
      });
      // flatten(2).transpose(1, 2): [B, H, g, g] -> [B, g*g, H]
      const flat = g.reshape(proj, [0, H, -1], { name: 'flatten' });
      return g.transpose(flat, [0, 2, 1], { name: 'patches' });
    }
    const C = cfg.num_channels;
    // [B, C, g*k, g*k] -> [B, C, g, k, g, k] -> [B, g(row), g(col), C, k, k] -> [B, g*g, C*k*k]
    const split = g.reshape(pixelValues, [0, C, grid, k, grid, k], { name: 'split_patches' });
    const patches = g.reshape(g.transpose(split, [0, 2, 4, 1, 3, 5], { name: 'patch_major' }), [0, grid * grid, C * k * k], {
      name: 'patches_flat',
    });
    const weight = g.reshape(P('patch_embed.proj.weight'), [H, C * k * k], { name: 'proj_weight_2d' });
    return g.add(g.matmul(patches, g.transpose(weight, [1, 0]), { name: 'proj.matmul' }), P('patch_embed.proj.bias'), { name: 'patches' });
  });
}

function forwardImage(c: Ctx, pixelValues: TensorRef): TensorRef {
  const { g, P, cfg } = c;
  const patches = patchEmbeddings(c, pixelValues, c.patchEmbed);
  return g.scope('forward_image', () => {
    const batch = g.shape(pixelValues, { start: 0, end: 1, name: 'batch' });
    const clsShape = g.concat([batch, g.constInt64([1, cfg.hidden_size])], 0, { name: 'cls_shape' });
    const clsTokens = g.expand(P('cls_token'), clsShape, { name: 'cls_tokens' });
    let embeddings = g.concat([clsTokens, patches], 1, { name: 'with_cls' });
    embeddings = g.add(embeddings, P('pos_embed'), { name: 'plus_pos_embed' });
    // pos_drop has p = 0; norm is nn.LayerNorm(hidden, eps=1e-6) whatever layer_norm_eps says
    return layerNorm(c, embeddings, 'norm', 1e-6, 'norm');
  });
}

// LayoutLMv3Encoder: relative positions ------------------------------------------------------------------------

/** relative_position_bucket on an int64 matrix of relative distances, through the integer table. */
function relativePositionBucketGraph(c: Ctx, relative: TensorRef, numBuckets: number, maxDistance: number, name: string): TensorRef {
  const { g } = c;
  return g.scope(name, () => {
    const half = Math.floor(numBuckets / 2);
    const table = g.constInt64(relativePositionBucketTable(numBuckets, maxDistance), { name: 'bucket_table' });
    const n = g.min([g.abs(relative, { name: 'n' }), maxDistance], { name: 'n_clamped' });
    const magnitude = g.gather(table, n, { name: 'magnitude' });
    const positive = g.mul(g.cast(g.greater(relative, 0), 'int64', { name: 'is_positive' }), half, { name: 'sign_offset' });
    return g.add(positive, magnitude, { name: 'bucket' });
  });
}

/** [..., S] -> [..., S, S] with [..., i, j] = v[..., j] - v[..., i] (key minus query). */
function pairwiseDifference(c: Ctx, v: TensorRef, name: string): TensorRef {
  const { g } = c;
  return g.sub(g.unsqueeze(v, [-2]), g.unsqueeze(v, [-1]), { name });
}

/** Gather columns of a [heads, bins] bias weight by a bucket matrix [..., S, S] -> [..., heads, S, S]. */
function gatherBias(c: Ctx, weight: TensorRef, bucket: TensorRef, batched: boolean, name: string): TensorRef {
  const { g } = c;
  const gathered = g.gather(g.transpose(weight, [1, 0], { name: `${name}.weight_t` }), bucket, { name: `${name}.gather` });
  const perm = batched ? [0, 3, 1, 2] : [2, 0, 1];
  return g.transpose(gathered, perm, { name });
}

interface RelativeBias {
  /** (rel_pos + rel_2d_pos) / sqrt(d), or rel_pos / sqrt(d); [1 or batch, heads, S, S]; undefined: none */
  scaled?: TensorRef;
  relPosBucket?: TensorRef;
  rel2dXBucket?: TensorRef;
  rel2dYBucket?: TensorRef;
}

/**
 * _cal_1d_pos_emb and _cal_2d_pos_emb. The 1-D positions are the same aranges for every row, so its bucket
 * matrix and bias are built once, [S, S] -> [1, heads, S, S], and broadcast over the batch (HF repeats them).
 */
function encoderRelativeBias(c: Ctx, positions1d: () => TensorRef, finalBbox: () => TensorRef): RelativeBias {
  const { g, P, cfg } = c;
  return g.scope('encoder', () => {
    const out: RelativeBias = {};
    let relPos: TensorRef | undefined;
    let rel2d: TensorRef | undefined;
    if (cfg.has_relative_attention_bias) {
      const bucket = relativePositionBucketGraph(
        c,
        pairwiseDifference(c, positions1d(), 'rel_pos_mat'),
        cfg.rel_pos_bins,
        cfg.max_rel_pos,
        'rel_pos',
      );
      out.relPosBucket = bucket;
      relPos = g.unsqueeze(gatherBias(c, P('encoder.rel_pos_bias.weight'), bucket, false, 'rel_pos_bias'), [0], { name: 'rel_pos' });
    }
    // LayoutLMv3SelfAttention adds the 2-D bias only together with the 1-D one (its `elif` has no spatial-only
    // branch), so a spatial-only config computes no 2-D bias at all
    if (cfg.has_spatial_attention_bias && cfg.has_relative_attention_bias) {
      const x = g.gather(finalBbox(), 0, { axis: 2, name: 'position_coord_x' });
      const y = g.gather(finalBbox(), 3, { axis: 2, name: 'position_coord_y' });
      const bx = relativePositionBucketGraph(
        c,
        pairwiseDifference(c, x, 'rel_pos_x_2d_mat'),
        cfg.rel_2d_pos_bins,
        cfg.max_rel_2d_pos,
        'rel_pos_x',
      );
      const by = relativePositionBucketGraph(
        c,
        pairwiseDifference(c, y, 'rel_pos_y_2d_mat'),
        cfg.rel_2d_pos_bins,
        cfg.max_rel_2d_pos,
        'rel_pos_y',
      );
      out.rel2dXBucket = bx;
      out.rel2dYBucket = by;
      rel2d = g.add(
        gatherBias(c, P('encoder.rel_pos_x_bias.weight'), bx, true, 'rel_pos_x_bias'),
        gatherBias(c, P('encoder.rel_pos_y_bias.weight'), by, true, 'rel_pos_y_bias'),
        { name: 'rel_2d_pos' },
      );
    }
    const sqrtD = Math.sqrt(headDim(cfg));
    // (rel_pos + rel_2d_pos) / sqrt(d) with both, rel_pos / sqrt(d) with the 1-D bias only
    if (relPos && rel2d) out.scaled = g.div(g.add(relPos, rel2d, { name: 'rel_sum' }), sqrtD, { name: 'rel_bias_scaled' });
    else if (relPos) out.scaled = g.div(relPos, sqrtD, { name: 'rel_bias_scaled' });
    return out;
  });
}

// LayoutLMv3Layer --------------------------------------------------------------------------------------------

function selfAttention(c: Ctx, hidden: TensorRef, mask: TensorRef, bias: TensorRef | undefined, prefix: string): TensorRef {
  const { g, cfg } = c;
  return g.scope('self', () => {
    const nh = cfg.num_attention_heads;
    const d = headDim(cfg);
    const heads = (x: TensorRef, perm: number[], name: string) => g.transpose(g.reshape(x, [0, 0, nh, d]), perm, { name });
    const query = linear(c, hidden, `${prefix}.self.query`, 'query');
    const keyT = heads(linear(c, hidden, `${prefix}.self.key`, 'key'), [0, 2, 3, 1], 'key_layer_t');
    const value = heads(linear(c, hidden, `${prefix}.self.value`, 'value'), [0, 2, 1, 3], 'value_layer');
    const queryLayer = heads(query, [0, 2, 1, 3], 'query_layer');
    // Q / sqrt(d) before the product (CogView's Q (K / sqrt d) ordering, as the reference)
    let scores = g.matmul(g.div(queryLayer, Math.sqrt(d), { name: 'query_scaled' }), keyT, { name: 'attention_scores' });
    if (bias) scores = g.add(scores, bias, { name: 'plus_rel_bias' });
    scores = g.add(scores, mask, { name: 'plus_mask' });
    // cogview_attention: softmax((s/32 - max(s/32)) * 32) equals the max-subtracted Softmax bit for bit
    const probs = dropout(c, g.softmax(scores, { axis: -1, name: 'attention_probs' }), c.attentionDropout);
    const context = g.transpose(g.matmul(probs, value, { name: 'context' }), [0, 2, 1, 3], { name: 'context_t' });
    return g.reshape(context, [0, 0, cfg.hidden_size], { name: 'context_layer' });
  });
}

function selfOutput(c: Ctx, hidden: TensorRef, input: TensorRef, prefix: string): TensorRef {
  const { g, cfg } = c;
  return g.scope('output', () => {
    const dense = dropout(c, linear(c, hidden, `${prefix}.output.dense`, 'dense'), c.hiddenDropout);
    return layerNorm(c, g.add(dense, input, { name: 'residual' }), `${prefix}.output.LayerNorm`, cfg.layer_norm_eps, 'LayerNorm');
  });
}

function intermediate(c: Ctx, hidden: TensorRef, prefix: string): TensorRef {
  return c.g.scope('intermediate', () => gelu(c, linear(c, hidden, `${prefix}.intermediate.dense`, 'dense')));
}

function output(c: Ctx, hidden: TensorRef, input: TensorRef, prefix: string): TensorRef {
  const { g, cfg } = c;
  return g.scope('output', () => {
    const dense = dropout(c, linear(c, hidden, `${prefix}.output.dense`, 'dense'), c.hiddenDropout);
    return layerNorm(c, g.add(dense, input, { name: 'residual' }), `${prefix}.output.LayerNorm`, cfg.layer_norm_eps, 'LayerNorm');
  });
}

function layer(c: Ctx, hidden: TensorRef, mask: TensorRef, bias: TensorRef | undefined, i: number): TensorRef {
  const prefix = `encoder.layer.${i}`;
  return c.g.scope(`layer.${i}`, () => {
    const attentionOutput = c.g.scope('attention', () =>
      selfOutput(c, selfAttention(c, hidden, mask, bias, `${prefix}.attention`), hidden, `${prefix}.attention`),
    );
    return output(c, intermediate(c, attentionOutput, prefix), attentionOutput, prefix);
  });
}

// LayoutLMv3Model.forward -----------------------------------------------------------------------------------

/**
 * Appends the LayoutLMv3 backbone (LayoutLMv3Model.forward) to `g`. `params` maps every backbone parameter's
 * checkpoint name (`layoutlmv3.` prefix optional in the keys) to a tensor of the graph; `inputs` are the
 * feeds. Returns the last layer (text positions and whole sequence), every layer's output and the encoder's
 * positions, boxes and bucket matrices.
 */
export function buildLayoutLMv3(
  g: GraphBuilder,
  config: LayoutLMv3Config,
  params: ReadonlyMap<string, TensorRef>,
  inputs: LayoutLMv3Inputs,
  options: LayoutLMv3BuildOptions = {},
): LayoutLMv3Output {
  const cfg = config;
  if (!cfg.text_embed) throw new HybridocError('layoutlmv3: text_embed: false (an image-only model) is not supported');
  if (cfg.hidden_act !== 'gelu') throw new HybridocError(`layoutlmv3: hidden_act '${String(cfg.hidden_act)}' is not supported (only gelu)`);
  if (cfg.visual_embed && !inputs.pixel_values)
    throw new HybridocError('layoutlmv3: visual_embed is on but no pixel_values input was given');
  const P = (name: string): TensorRef => {
    const t = params.get(BACKBONE_PREFIX + name) ?? params.get(name);
    if (!t) throw new HybridocError(`layoutlmv3: no parameter '${BACKBONE_PREFIX}${name}'`);
    return t;
  };
  const dtype = P('embeddings.word_embeddings.weight').dtype;
  const base = options.dropoutSaltBase ?? 0;
  const useDropout = options.dropout !== false;
  const c: Ctx = {
    g,
    cfg,
    P,
    dtype,
    training: (options.training ?? false) && useDropout,
    dropoutSeed: options.dropoutSeed,
    salt: base,
    hiddenDropout: options.hiddenDropout ?? cfg.hidden_dropout_prob,
    attentionDropout: options.attentionDropout ?? cfg.attention_probs_dropout_prob,
    paddingIdxGradient: options.paddingIdxGradient ?? true,
    patchEmbed: options.patchEmbed ?? (options.training ? 'matmul' : 'conv'),
  };
  const { input_ids: inputIds, bbox, attention_mask: attentionMask } = inputs;

  return g.scope('layoutlmv3', () => {
    const text = textEmbeddings(c, inputIds, bbox);
    // Built on first use (here and below), so that no unused node is left dangling: the positions and boxes
    // are read only by the relative biases the config has, and by the debug outputs.
    const once = <T>(make: () => T): (() => T) => {
      let v: T | undefined;
      return () => (v ??= make());
    };
    // 0..T-1 as an exclusive cumulative sum of ones over a row of input_ids (a Range would lose the
    // symbolic 'seq' length that shape inference carries through to the outputs)
    const textPositions = once(() => {
      const ones = g.add(g.mul(g.gather(inputIds, 0, { axis: 0, name: 'first_row' }), 0), 1, { name: 'ones' });
      return g.cumSum(ones, 0, { exclusive: true, name: 'text_positions' });
    });
    let positions1d = textPositions;
    let finalBbox = once(() => bbox);
    let embeddingOutput = text.embeddings;
    let mask = attentionMask;
    if (cfg.visual_embed) {
      const V = visualTokenCount(cfg);
      const batch = once(() => g.shape(inputIds, { start: 0, end: 1, name: 'batch' }));
      const visualRows = (cols: number[]) => g.concat([batch(), g.constInt64(cols)], 0);
      const visualEmbeddings = forwardImage(c, inputs.pixel_values!);
      // the visual tokens are never masked
      const visualMask = g.constantOfShape(visualRows([V]), { dtype: 'int64', value: 1, name: 'visual_attention_mask' });
      mask = g.concat([attentionMask, visualMask], 1, { name: 'attention_mask_full' });
      finalBbox = once(() => {
        const boxes = g.constInt64(visualBoxes(cfg).flat(), { dims: [1, V, 4], name: 'visual_bbox_const' });
        return g.concat([bbox, g.expand(boxes, visualRows([V, 4]), { name: 'visual_bbox' })], 1, { name: 'final_bbox' });
      });
      positions1d = once(() =>
        g.concat([textPositions(), g.range(0, V, 1, { dtype: 'int64', name: 'visual_positions' })], 0, { name: 'final_position_ids' }),
      );
      embeddingOutput = g.concat([embeddingOutput, visualEmbeddings], 1, { name: 'text_and_visual' });
      embeddingOutput = layerNorm(c, embeddingOutput, 'LayerNorm', cfg.layer_norm_eps, 'LayerNorm');
      embeddingOutput = dropout(c, embeddingOutput, c.hiddenDropout);
    }

    // get_extended_attention_mask: (1 - mask) * finfo.min, [B, 1, 1, S]
    const extendedMask = g.scope('extended_attention_mask', () => {
      const m = g.unsqueeze(g.cast(mask, dtype, { name: 'mask_float' }), [1, 2], { name: 'mask_4d' });
      return g.mul(g.sub(g.constant(1, { dtype }), m, { name: 'inverted' }), ATTENTION_MASK_MIN, { name: 'extended' });
    });

    const bias = encoderRelativeBias(c, positions1d, finalBbox);
    const hiddenStates: TensorRef[] = [embeddingOutput];
    let hidden = embeddingOutput;
    g.scope('encoder', () => {
      for (let i = 0; i < cfg.num_hidden_layers; i++) {
        hidden = layer(c, hidden, extendedMask, bias.scaled, i);
        hiddenStates.push(hidden);
      }
    });
    let textHidden: TensorRef | undefined;
    let debug: LayoutLMv3Debug | undefined;
    const scoped = <T>(fn: () => T): T => g.scope('layoutlmv3', fn);
    return {
      get hidden() {
        textHidden ??= cfg.visual_embed
          ? scoped(() =>
              g.slice(hidden, [0], g.shape(inputIds, { start: 1, end: 2, name: 'text_length' }), [1], null, { name: 'text_hidden' }),
            )
          : hidden;
        return textHidden;
      },
      fullHidden: hidden,
      hiddenStates,
      get debug() {
        debug ??= scoped(() => {
          // the reference's [batch, ...] layout for the views shared across the batch
          const batched = (t: TensorRef, name: string) =>
            g.expand(g.unsqueeze(t, [0]), g.concat([g.shape(inputIds, { start: 0, end: 1 }), g.shape(t)], 0), { name });
          return {
            positionIds: batched(positions1d(), 'debug_position_ids'),
            bbox: finalBbox(),
            relPosBucket: bias.relPosBucket && batched(bias.relPosBucket, 'debug_rel_pos_bucket'),
            rel2dXBucket: bias.rel2dXBucket,
            rel2dYBucket: bias.rel2dYBucket,
            embeddingPositionIds: text.positionIds,
          };
        });
        return debug;
      },
      dropoutSalts: c.salt - base,
    };
  });
}

// ------------------------------------------------------------------------------------ standalone graph

export interface LayoutLMv3GraphOptions extends Omit<LayoutLMv3BuildOptions, 'dropoutSeed'> {
  /** also output every layer (`hidden_states.0` = embedding output, ..., `hidden_states.L`) */
  hiddenStates?: boolean;
  /** also output the encoder's positions, boxes and bucket matrices as `debug.*` */
  debug?: boolean;
  /** parameters' float dtype (default float32) */
  dtype?: 'float32' | 'float64';
}

export interface LayoutLMv3Graph {
  graph: GraphBuilder;
  /** the backbone's parameter table, in the graph's input order */
  parameters: ParameterSpec[];
  /** parameter graph inputs by checkpoint name */
  params: Map<string, TensorRef>;
  inputs: LayoutLMv3Inputs;
  output: LayoutLMv3Output;
}

/**
 * A graph of the backbone alone: inputs are every parameter (checkpoint names, in state-dict order), then
 * input_ids, bbox, attention_mask (and pixel_values), plus `dropout_seed` when training; outputs
 * `last_hidden_state` [batch, T + V, hidden] and `text_hidden_state` [batch, T, hidden] (then the optional
 * `hidden_states.N` and `debug.*`). Finalise with `graph.finalize()` (runs the structural checker).
 */
export function buildLayoutLMv3Graph(config: LayoutLMv3Config, options: LayoutLMv3GraphOptions = {}): LayoutLMv3Graph {
  const g = new GraphBuilder('layoutlmv3');
  const dtype = options.dtype ?? 'float32';
  const parameters = backboneParameters(config);
  const params = new Map(parameters.map((p) => [p.name, g.input(p.name, dtype, p.shape)]));
  const feeds = Object.fromEntries(
    layoutlmv3FeedShapes(config).map((f) => [f.name, g.input(f.name, f.name === 'pixel_values' ? dtype : f.dtype, f.shape)]),
  ) as unknown as LayoutLMv3Inputs;
  const dropoutSeed = options.training ? g.input('dropout_seed', 'int64', []) : undefined;
  const output = buildLayoutLMv3(g, config, params, feeds, { ...options, dropoutSeed });
  const H = config.hidden_size;
  const V = visualTokenCount(config);
  g.output(output.fullHidden, { name: 'last_hidden_state', shape: ['batch', V === 0 ? 'seq' : null, H] });
  g.output(output.hidden, { name: 'text_hidden_state', shape: ['batch', 'seq', H] });
  if (options.hiddenStates) output.hiddenStates.forEach((h, i) => g.output(h, { name: `hidden_states.${i}` }));
  if (options.debug) {
    const d = output.debug;
    g.output(d.positionIds, { name: 'debug.position_ids' });
    g.output(d.bbox, { name: 'debug.bbox' });
    if (d.relPosBucket) g.output(d.relPosBucket, { name: 'debug.rel_pos_bucket' });
    if (d.rel2dXBucket) g.output(d.rel2dXBucket, { name: 'debug.rel_2d_x_bucket' });
    if (d.rel2dYBucket) g.output(d.rel2dYBucket, { name: 'debug.rel_2d_y_bucket' });
    g.output(d.embeddingPositionIds, { name: 'debug.embedding_position_ids' });
  }
  return { graph: g, parameters, params, inputs: feeds, output };
}
