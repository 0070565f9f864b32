/** TypeScript references of the heads and the loss terms (float64, plain loops), for the graph tests. */
import type { LabelSchema } from '@hybridoc/core';

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

export const geluErf = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
export const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** y[n, out] = x[n, in] W^T + b. */
export function linearRef(
  x: ArrayLike<number>,
  n: number,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  inDim: number,
  outDim: number,
): Float64Array {
  const y = new Float64Array(n * outDim);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outDim; o++) {
      let s = b[o];
      for (let i = 0; i < inDim; i++) s += x[r * inDim + i] * w[o * inDim + i];
      y[r * outDim + o] = s;
    }
  }
  return y;
}

export function logSoftmaxRows(x: ArrayLike<number>, cols: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / cols; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[r * cols + c] - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < cols; c++) y[r * cols + c] = x[r * cols + c] - lse;
  }
  return y;
}

export function normalizeRows(x: ArrayLike<number>, cols: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / cols; r++) {
    let s = 1e-12;
    for (let c = 0; c < cols; c++) s += x[r * cols + c] ** 2;
    const n = Math.sqrt(s);
    for (let c = 0; c < cols; c++) y[r * cols + c] = x[r * cols + c] / n;
  }
  return y;
}

export interface HeadRefParams {
  get(name: string): ArrayLike<number>;
}

/** The hybrid heads on hidden rows [n, H]: emissions [n, L], group probabilities [n, C], embeddings [n, P]. */
export function hybridHeadsRef(
  hidden: ArrayLike<number>,
  n: number,
  H: number,
  Gh: number,
  P: number,
  schema: LabelSchema,
  p: HeadRefParams,
  combine: 'normalized' | 'product',
  gelu: (x: number) => number = geluErf,
) {
  const L = schema.numLabels;
  const C = schema.numGroupClasses;
  const dense = linearRef(hidden, n, p.get('heads.group.dense.weight'), p.get('heads.group.dense.bias'), H, Gh).map(gelu);
  const groupLog = logSoftmaxRows(
    linearRef(dense, n, p.get('heads.group.classifier.weight'), p.get('heads.group.classifier.bias'), Gh, C),
    C,
  );
  const emb = normalizeRows(
    linearRef(hidden, n, p.get('heads.prototype.projection.weight'), p.get('heads.prototype.projection.bias'), H, P),
    P,
  );
  const protos = normalizeRows(p.get('heads.prototype.prototypes'), P);
  const scale = Math.exp(p.get('heads.prototype.logit_scale')[0]);
  const sim = new Float64Array(n * L);
  for (let r = 0; r < n; r++) {
    for (let l = 0; l < L; l++) {
      let s = 0;
      for (let k = 0; k < P; k++) s += emb[r * P + k] * protos[l * P + k];
      sim[r * L + l] = scale * s;
    }
  }
  const emissions = new Float64Array(n * L);
  for (let r = 0; r < n; r++) {
    if (combine === 'product') {
      const logits = Array.from({ length: L }, (_, l) => Math.exp(groupLog[r * C + schema.labelToGroup[l]]) * sim[r * L + l]);
      emissions.set(logSoftmaxRows(logits, L), r * L);
      continue;
    }
    for (let gi = 0; gi < C; gi++) {
      const members = schema.groupLabels[gi];
      const m = Math.max(...members.map((l) => sim[r * L + l]));
      const lse = m + Math.log(members.reduce((a, l) => a + Math.exp(sim[r * L + l] - m), 0));
      for (const l of members) emissions[r * L + l] = groupLog[r * C + gi] + sim[r * L + l] - lse;
    }
  }
  return { emissions, groupProbs: groupLog.map(Math.exp), embeddings: emb, similarities: sim };
}

/** Entity term: mean over labelled tokens of w[y] (1 - p_y)^gamma (-log p_y). */
export function entityLossRef(logProbs: ArrayLike<number>, labels: number[], L: number, weights?: ArrayLike<number>, gamma = 0): number {
  let total = 0;
  let count = 0;
  labels.forEach((y, i) => {
    if (y === -100) return;
    const lp = logProbs[i * L + y];
    const focal = gamma === 0 ? 1 : Math.max(1 - Math.exp(lp), 1e-12) ** gamma;
    total += (weights ? weights[y] : 1) * focal * -lp;
    count++;
  });
  return total / Math.max(count, 1);
}

export function groupLossRef(groupLogProbs: ArrayLike<number>, labels: number[], C: number, labelToGroup: ArrayLike<number>): number {
  let total = 0;
  let count = 0;
  labels.forEach((y, i) => {
    if (y === -100) return;
    total -= groupLogProbs[i * C + labelToGroup[y]];
    count++;
  });
  return total / Math.max(count, 1);
}

/** Mean over pairs i < j of relu(cos(p_i, p_j) - margin)^2 on raw prototypes [L, P]. */
export function protoRegRef(prototypes: ArrayLike<number>, L: number, P: number, margin: number): number {
  const q = normalizeRows(prototypes, P);
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < L; i++) {
    for (let j = i + 1; j < L; j++) {
      let c = 0;
      for (let k = 0; k < P; k++) c += q[i * P + k] * q[j * P + k];
      total += Math.max(0, c - margin) ** 2;
      pairs++;
    }
  }
  return total / pairs;
}
