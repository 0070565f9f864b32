/** Shared pieces for the decoding tests: a small schema, random scores, brute-force enumeration. */
import { parseLabelSchema, seededUniform, type DenseCrf, type LabelSchema } from '@hybridoc/core';

/** 3 entity groups x 2 entities: 13 labels, 4 group classes. */
export const SMALL_YAML = `
schema: hybridoc-labels/1
name: small
domains: [general]
groups:
  - name: alpha
    entities: [{ name: A_ONE }, { name: A_TWO }]
  - name: beta
    entities: [{ name: B_ONE }, { name: B_TWO }]
  - name: gamma
    entities: [{ name: C_ONE }, { name: C_TWO }]
`;

/** 2 groups of unequal size: 7 labels, small enough to enumerate 6 positions. */
export const TINY_YAML = `
schema: hybridoc-labels/1
name: tiny
domains: [general]
groups:
  - name: left
    entities: [{ name: L_ONE }, { name: L_TWO }]
  - name: right
    entities: [{ name: R_ONE }]
`;

export const smallSchema = (): LabelSchema => parseLabelSchema(SMALL_YAML, 'small.yaml');
export const tinySchema = (): LabelSchema => parseLabelSchema(TINY_YAML, 'tiny.yaml');

export function randomEmissions(T: number, L: number, seed: number, scale = 3): Float32Array {
  const rnd = seededUniform(seed);
  const e = new Float32Array(T * L);
  for (let k = 0; k < e.length; k++) e[k] = (2 * rnd() - 1) * scale;
  return e;
}

/** Visit every label sequence of length K over L labels with its score (start + emissions + transitions + end). */
export function forEachPath(
  crf: DenseCrf,
  emissions: Float32Array,
  positions: number[],
  visit: (path: Int32Array, score: number) => void,
): void {
  const L = crf.numLabels;
  const K = positions.length;
  const path = new Int32Array(K);
  for (;;) {
    let s = crf.start[path[0]] + emissions[positions[0] * L + path[0]];
    for (let k = 1; k < K; k++) {
      s += crf.trans[path[k - 1] * L + path[k]];
      s += emissions[positions[k] * L + path[k]];
    }
    visit(path, s + crf.end[path[K - 1]]);
    let k = K - 1;
    while (k >= 0 && path[k] === L - 1) path[k--] = 0;
    if (k < 0) return;
    path[k]++;
  }
}

/** log Z, marginals [K * L], best path and score by enumeration. */
export function bruteForce(crf: DenseCrf, emissions: Float32Array, positions: number[]) {
  const L = crf.numLabels;
  const K = positions.length;
  const scores: number[] = [];
  let best = -Infinity;
  let bestPath = new Int32Array(K);
  forEachPath(crf, emissions, positions, (path, s) => {
    scores.push(s);
    if (s > best) {
      best = s;
      bestPath = Int32Array.from(path);
    }
  });
  let z = 0;
  for (const s of scores) z += Math.exp(s - best);
  const logZ = best + Math.log(z);
  const marg = new Float64Array(K * L);
  let n = 0;
  forEachPath(crf, emissions, positions, (path) => {
    const w = Math.exp(scores[n++] - logZ);
    for (let k = 0; k < K; k++) marg[k * L + path[k]] += w;
  });
  return { logZ, marginals: marg, bestPath, bestScore: best };
}

/** true when a label sequence obeys BIO: no I-X first, I-X only after B-X or I-X. */
export function isValidBio(schema: LabelSchema, path: ArrayLike<number>): boolean {
  for (let k = 0; k < path.length; k++) {
    const e = schema.labelToEntity[path[k]];
    if (e < 0 || schema.bioPairs[e][1] !== path[k]) continue;
    if (k === 0) return false;
    if (schema.labelToEntity[path[k - 1]] !== e) return false;
  }
  return true;
}
