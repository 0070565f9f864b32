/** Shared pieces of the artifact tests: seeded batches, a tiny transformer, a TypeScript AdamW reference. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostTensor, TransformerTestModelOptions } from '@hybridoc/core';

export const TINY: TransformerTestModelOptions = {
  vocabSize: 40,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 12,
  numLabels: 9,
  numGroupClasses: 4,
  dropout: 0.1,
};

export function tempDir(prefix = 'hybridoc-artifacts-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A seeded generator of uniform numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

const int64 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'int64',
  dims,
  data: BigInt64Array.from(values, (v) => BigInt(v)),
});

/**
 * A token-classification batch for the tiny transformer: the last `pad` positions of every row are padding
 * (mask 0, labels -100), and position 1 of every row has its entity label ignored, so every row has the same
 * number of counted tokens (halves of the batch then weigh the same).
 */
export function tokenBatch(
  seed: number,
  batch: number,
  seq: number,
  o: { vocab?: number; labels?: number; groups?: number; pad?: number } = {},
) {
  const r = rng(seed);
  const vocab = o.vocab ?? TINY.vocabSize;
  const nl = o.labels ?? TINY.numLabels;
  const ng = o.groups ?? TINY.numGroupClasses;
  const pad = o.pad ?? 2;
  const ids: number[] = [];
  const mask: number[] = [];
  const labels: number[] = [];
  const groups: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const isPad = s >= seq - pad;
      ids.push(isPad ? 1 : 2 + Math.floor(r() * (vocab - 2)));
      mask.push(isPad ? 0 : 1);
      labels.push(isPad || s === 1 ? -100 : Math.floor(r() * nl));
      groups.push(isPad ? -100 : Math.floor(r() * ng));
    }
  }
  const dims = [batch, seq];
  return { input_ids: int64(dims, ids), attention_mask: int64(dims, mask), labels: int64(dims, labels), group_labels: int64(dims, groups) };
}

/** Rows [from, to) of every [batch, ...] tensor of a batch. */
export function sliceBatch(batch: Record<string, HostTensor>, from: number, to: number): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [k, t] of Object.entries(batch)) {
    const row = t.dims.slice(1).reduce((a, d) => a * d, 1);
    out[k] = { dtype: t.dtype, dims: [to - from, ...t.dims.slice(1)], data: t.data.slice(from * row, to * row) } as HostTensor;
  }
  return out;
}

/** torch.optim.AdamW after clip_grad_norm_, in float64, on float arrays. */
export function referenceAdamW(
  params: Map<string, ArrayLike<number>>,
  grads: Map<string, ArrayLike<number>>,
  m: Map<string, ArrayLike<number>>,
  v: Map<string, ArrayLike<number>>,
  o: {
    lr: number;
    step: number;
    weightDecay: number;
    maxGradNorm: number;
    beta1: number;
    beta2: number;
    eps: number;
    decays: (name: string) => boolean;
  },
) {
  let sq = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  const clip = o.maxGradNorm > 0 ? Math.min(1, o.maxGradNorm / (norm + 1e-6)) : 1;
  const t = o.step + 1;
  const bc1 = 1 - o.beta1 ** t;
  const bc2 = 1 - o.beta2 ** t;
  const out = { norm, params: new Map<string, Float64Array>(), m: new Map<string, Float64Array>(), v: new Map<string, Float64Array>() };
  for (const [name, g] of grads) {
    const p = params.get(name)!;
    const m0 = m.get(name)!;
    const v0 = v.get(name)!;
    const n = g.length;
    const pn = new Float64Array(n);
    const mn = new Float64Array(n);
    const vn = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const gi = g[i] * clip;
      mn[i] = o.beta1 * m0[i] + (1 - o.beta1) * gi;
      vn[i] = o.beta2 * v0[i] + (1 - o.beta2) * gi * gi;
      const decayed = o.decays(name) ? p[i] * (1 - o.lr * o.weightDecay) : p[i];
      pn[i] = decayed - (o.lr / bc1) * (mn[i] / (Math.sqrt(vn[i]) / Math.sqrt(bc2) + o.eps));
    }
    out.params.set(name, pn);
    out.m.set(name, mn);
    out.v.set(name, vn);
  }
  return out;
}

/** Largest |a - b| relative to max(|b|, floor). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}
