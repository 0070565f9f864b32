/**
 * Viterbi decoding over emissions [T x L] (row-major float32, one row per token) and the CRF transitions.
 *
 * Only the positions in `positions` are scored, in that order (padding and non-first sub-tokens are left
 * out, not masked to zero); transitions link consecutive listed positions. Without `positions` every row is
 * scored. The result's path[k] is the label at positions[k]; score is the path's total (see crf-structure.ts).
 * An empty position list gives an empty path and score 0.
 *
 * viterbiDense is the plain O(K L^2) reference (L^2 max-adds per step, backpointers). viterbiFactorised uses
 * the structure, per step: the best score per source group; for each target group the C x C group step
 * (own group excluded) and, for its B-X / O targets, the within-group block (skipped when the own group's
 * best plus the column's largest score cannot beat the group step: an exact bound); two predecessors per
 * I-X. It keeps every step's scores instead of backpointers and recovers the path by re-scanning each chosen
 * label's predecessors in label-id order. Both accumulate the same float64 sums of the same float32
 * transition values and break ties toward the smaller predecessor label id, so on denseCrf(crf) they return
 * the same path and the same score, bit for bit.
 */
import type { CompiledCrf, DenseCrf } from './crf-structure.js';

export interface ViterbiResult {
  /** label per scored position */
  path: Int32Array;
  score: number;
}

export interface SequenceOptions {
  /** indices of the scored rows of `emissions`, in sequence order (default: all rows) */
  positions?: ArrayLike<number>;
}

/** Scratch arrays for one (max length, labels) size; pass one to avoid allocating per call. */
export class ViterbiWorkspace {
  readonly capacity: number;
  readonly numLabels: number;
  readonly delta: Float64Array;
  readonly next: Float64Array;
  readonly back: Int32Array;
  readonly history: Float64Array;
  readonly groupBest: Float64Array;
  readonly nextGroupBest: Float64Array;
  constructor(capacity: number, numLabels: number) {
    this.capacity = capacity;
    this.numLabels = numLabels;
    this.delta = new Float64Array(numLabels);
    this.next = new Float64Array(numLabels);
    this.back = new Int32Array(Math.max(1, capacity) * numLabels);
    this.history = new Float64Array(Math.max(1, capacity) * numLabels);
    this.groupBest = new Float64Array(numLabels);
    this.nextGroupBest = new Float64Array(numLabels);
  }
}

/** The scored positions as an Int32Array (all rows when none given), checked against the emission rows. */
export function resolvePositions(emissions: Float32Array, numLabels: number, positions?: ArrayLike<number>): Int32Array {
  if (emissions.length % numLabels !== 0)
    throw new RangeError(`emissions: length ${emissions.length} is not a multiple of ${numLabels} labels`);
  const T = emissions.length / numLabels;
  if (!positions) {
    const all = new Int32Array(T);
    for (let t = 0; t < T; t++) all[t] = t;
    return all;
  }
  const out = Int32Array.from(positions);
  for (const p of out) if (p < 0 || p >= T) throw new RangeError(`positions: ${p} outside the ${T} emission rows`);
  return out;
}

function workspaceFor(ws: ViterbiWorkspace | undefined, K: number, L: number): ViterbiWorkspace {
  if (ws && ws.numLabels === L && ws.capacity >= K) return ws;
  return new ViterbiWorkspace(K, L);
}

function backtrack(back: Int32Array, delta: Float64Array, end: Float32Array, K: number, L: number): ViterbiResult {
  let best = -Infinity;
  let arg = 0;
  for (let j = 0; j < L; j++) {
    const v = delta[j] + end[j];
    if (v > best) {
      best = v;
      arg = j;
    }
  }
  const path = new Int32Array(K);
  path[K - 1] = arg;
  for (let k = K - 1; k > 0; k--) path[k - 1] = back[k * L + path[k]];
  return { path, score: best };
}

/** Reference Viterbi over a dense L x L transition matrix. */
export function viterbiDense(
  crf: DenseCrf,
  emissions: Float32Array,
  options: SequenceOptions & { workspace?: ViterbiWorkspace } = {},
): ViterbiResult {
  const L = crf.numLabels;
  const pos = resolvePositions(emissions, L, options.positions);
  const K = pos.length;
  if (K === 0) return { path: new Int32Array(0), score: 0 };
  const ws = workspaceFor(options.workspace, K, L);
  // Transpose once so the inner loop over predecessors reads contiguous memory.
  const transT = new Float32Array(L * L);
  for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) transT[j * L + i] = crf.trans[i * L + j];
  let delta = ws.delta;
  let next = ws.next;
  const back = ws.back;
  let row = pos[0] * L;
  for (let j = 0; j < L; j++) delta[j] = crf.start[j] + emissions[row + j];
  for (let k = 1; k < K; k++) {
    row = pos[k] * L;
    const bk = k * L;
    for (let j = 0; j < L; j++) {
      const col = j * L;
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < L; i++) {
        const v = delta[i] + transT[col + i];
        if (v > best) {
          best = v;
          arg = i;
        }
      }
      next[j] = best + emissions[row + j];
      back[bk + j] = arg;
    }
    const t = delta;
    delta = next;
    next = t;
  }
  return backtrack(back, delta, crf.end, K, L);
}

/** Constrained Viterbi that exploits the structured transitions (same path and score as viterbiDense on denseCrf(crf)). */
export function viterbiFactorised(
  crf: CompiledCrf,
  emissions: Float32Array,
  options: SequenceOptions & { workspace?: ViterbiWorkspace } = {},
): ViterbiResult {
  const L = crf.numLabels;
  const C = crf.numGroups;
  const s = crf.structure;
  const E = s.numEntities;
  const pos = resolvePositions(emissions, L, options.positions);
  const K = pos.length;
  if (K === 0) return { path: new Int32Array(0), score: 0 };
  const ws = workspaceFor(options.workspace, K, L);
  const { order, indexOf, groupStart, blocksT, blockOffset, groupTrans, groupTransT, beginTargets, beginStart, beginColumnMax } = crf;
  const { beginAt, insideAtEntity, scoreBeginInside, scoreInsideInside } = crf;
  // Scores run in group order (x), so each group is one contiguous run; hist[k * L + x] is step k's score.
  const hist = ws.history;
  const entityGroup = new Int32Array(E);
  for (let e = 0; e < E; e++) entityGroup[e] = s.labelToGroup[s.insideLabel[e]];
  for (let x = 0, r = pos[0] * L; x < L; x++) hist[x] = crf.start[order[x]] + emissions[r + order[x]];
  // 1. the best score per source group (for later steps, kept up to date as each step's scores are written)
  let groupBest = ws.groupBest;
  let nextBest = ws.nextGroupBest;
  for (let g = 0; g < C; g++) {
    let best = -Infinity;
    for (let x = groupStart[g]; x < groupStart[g + 1]; x++) if (hist[x] > best) best = hist[x];
    groupBest[g] = best;
  }
  for (let k = 1; k < K; k++) {
    const prev = (k - 1) * L;
    const cur = k * L;
    const row = pos[k] * L;
    // 2-3. per target group: the group step from every other group, then the within-group block, into B-X and O
    for (let h = 0; h < C; h++) {
      const gt = h * C;
      let cross = -Infinity;
      for (let g = 0; g < C; g++) {
        const v = groupBest[g] + groupTransT[gt + g]; // -Infinity for g = h
        if (v > cross) cross = v;
      }
      const g0 = groupStart[h];
      const n = groupStart[h + 1] - g0;
      const boff = blockOffset[h];
      const src = prev + g0;
      let groupMax = -Infinity;
      const ownBest = groupBest[h];
      for (let b = beginStart[h]; b < beginStart[h + 1]; b++) {
        const x = beginTargets[b];
        let best = cross;
        // the block can only win when its bound (own group's best + the column's largest score) beats the
        // group step; the bound uses the same float64 sums, so skipping is exact
        if (ownBest + beginColumnMax[b] > cross) {
          const col = boff + (x - g0) * n;
          for (let p = 0; p < n; p++) {
            const v = hist[src + p] + blocksT[col + p];
            if (v > best) best = v;
          }
        }
        const v = best + emissions[row + order[x]];
        hist[cur + x] = v;
        if (v > groupMax) groupMax = v;
      }
      nextBest[h] = groupMax;
    }
    // 4. I-X targets: only B-X and I-X can precede
    for (let e = 0; e < E; e++) {
      const ix = insideAtEntity[e];
      const vb = hist[prev + beginAt[e]] + scoreBeginInside[e];
      const vi = hist[prev + ix] + scoreInsideInside[e];
      const v = (vb >= vi ? vb : vi) + emissions[row + order[ix]];
      hist[cur + ix] = v;
      const g = entityGroup[e];
      if (v > nextBest[g]) nextBest[g] = v;
    }
    const t = groupBest;
    groupBest = nextBest;
    nextBest = t;
  }
  // the last label (end scores, label-id order so ties go to the smaller id), then predecessors one by one
  const last = (K - 1) * L;
  let score = -Infinity;
  let y = 0;
  for (let j = 0; j < L; j++) {
    const v = hist[last + indexOf[j]] + crf.end[j];
    if (v > score) {
      score = v;
      y = j;
    }
  }
  const path = new Int32Array(K);
  path[K - 1] = y;
  const groupOf = s.labelToGroup;
  const posInGroup = s.labelPosInGroup;
  for (let k = K - 1; k > 0; k--) {
    const prev = (k - 1) * L;
    const gy = groupOf[y];
    const ny = groupStart[gy + 1] - groupStart[gy];
    const col = blockOffset[gy] + posInGroup[y] * ny;
    if (s.isInside[y]) {
      const bl = s.beginLabel[s.labelToEntity[y]];
      const vb = hist[prev + indexOf[bl]] + blocksT[col + posInGroup[bl]];
      const vi = hist[prev + indexOf[y]] + blocksT[col + posInGroup[y]];
      y = vb >= vi ? bl : y;
    } else {
      // every label may precede B-X / O: scan in group order, ties to the smaller label id
      let best = -Infinity;
      let arg = 0x7fffffff;
      for (let g = 0; g < C; g++) {
        const x0 = groupStart[g];
        const x1 = groupStart[g + 1];
        const within = g === gy;
        const t = groupTrans[g * C + gy];
        for (let x = x0; x < x1; x++) {
          const v = hist[prev + x] + (within ? blocksT[col + x - x0] : t);
          if (v > best || (v === best && order[x] < arg)) {
            best = v;
            arg = order[x];
          }
        }
      }
      y = arg === 0x7fffffff ? 0 : arg;
    }
    path[k - 1] = y;
  }
  return { path, score };
}

/** Total score of a given path (start + emissions + transitions + end), for checks. */
export function pathScore(crf: DenseCrf, emissions: Float32Array, path: ArrayLike<number>, positions?: ArrayLike<number>): number {
  const L = crf.numLabels;
  const pos = resolvePositions(emissions, L, positions);
  if (path.length !== pos.length) throw new RangeError(`path: ${path.length} labels for ${pos.length} positions`);
  if (pos.length === 0) return 0;
  let s = crf.start[path[0]] + emissions[pos[0] * L + path[0]];
  // Same association as the recursions: ((s + trans) + emission), so scores compare exactly.
  for (let k = 1; k < pos.length; k++) {
    s += crf.trans[path[k - 1] * L + path[k]];
    s += emissions[pos[k] * L + path[k]];
  }
  return s + crf.end[path[pos.length - 1]];
}
