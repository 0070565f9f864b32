/**
 * Forward FLOPs of the LayoutLMv3 backbone from its config: the matrix products (2 FLOPs per
 * multiply-add), which is what model-FLOPs utilisation counts. Embedding lookups, LayerNorm, softmax, GELU
 * and the bias gathers are listed apart (elementwise, a few FLOPs per element each) and left out of the total.
 */
import { patchGridSize, visualTokenCount, type LayoutLMv3Config } from './config.js';

export interface BackboneFlops {
  /** text tokens T (special and pad tokens included) */
  textTokens: number;
  /** visual tokens V (0 without the visual branch) */
  visualTokens: number;
  /** encoder sequence S = T + V */
  sequence: number;
  /** matrix-product FLOPs of one sequence, by part */
  parts: {
    /** patch_embed.proj: V - 1 patches x hidden x (channels x patch^2) */
    patchEmbed: number;
    /** query, key, value and attention.output.dense, all layers */
    attentionProjections: number;
    /** Q K^T and P V, all layers */
    attentionScores: number;
    /** intermediate.dense and output.dense, all layers */
    feedForward: number;
  };
  /** sum of the parts: one sequence's forward */
  total: number;
  /** total / S */
  perToken: number;
  /** total / T: the cost of one text token, the visual tokens shared out over them */
  perTextToken: number;
  /** elementwise work not in the total (LayerNorm ~8, softmax ~5, GELU ~8 FLOPs per element, estimates) */
  elementwise: number;
}

/** Forward FLOPs for a sequence of `textTokens` text tokens (default: the preset's window). */
export function backboneForwardFlops(cfg: LayoutLMv3Config, textTokens = cfg.max_text_length): BackboneFlops {
  const H = cfg.hidden_size;
  const I = cfg.intermediate_size;
  const L = cfg.num_hidden_layers;
  const nh = cfg.num_attention_heads;
  const V = visualTokenCount(cfg);
  const S = textTokens + V;
  const patches = cfg.visual_embed ? patchGridSize(cfg) ** 2 : 0;
  const parts = {
    patchEmbed: 2 * patches * H * cfg.num_channels * cfg.patch_size * cfg.patch_size,
    attentionProjections: L * 4 * 2 * S * H * H,
    attentionScores: L * 2 * 2 * S * S * H,
    feedForward: L * 2 * 2 * S * H * I,
  };
  const total = parts.patchEmbed + parts.attentionProjections + parts.attentionScores + parts.feedForward;
  const layerNorms = (2 * L + 1 + (cfg.visual_embed ? 2 : 0)) * S * H;
  const elementwise = 8 * layerNorms + L * 5 * nh * S * S + L * 8 * S * I;
  return { textTokens, visualTokens: V, sequence: S, parts, total, perToken: total / S, perTextToken: total / textTokens, elementwise };
}
