/**
 * Forward-backward over the CRF (same positions convention as viterbi.ts): the log-partition log Z, alpha /
 * beta per position and label, posterior marginals P(y_k = l), per-token confidence, and the exact
 * probability of a span.
 *
 *   alpha[0][j] = startScore[j] + emit[0][j]
 *   alpha[k][j] = emit[k][j] + logsumexp_i (alpha[k-1][i] + trans[i][j])
 *   beta[K-1][i] = endScore[i];  beta[k][i] = logsumexp_j (trans[i][j] + emit[k+1][j] + beta[k+1][j])
 *   log Z = logsumexp_j (alpha[K-1][j] + endScore[j]);  P(y_k = l) = exp(alpha[k][l] + beta[k][l] - log Z)
 *
 * forwardBackwardDense is the plain reference, in log space (a logsumexp per label pair). forwardBackward
 * uses the structure and runs in scaled linear space (Rabiner's scaling): each step's vector is normalised
 * to sum 1 and its log scale accumulated; transitions enter as exp(score - transMax) and emissions as
 * exp(emit - row max), so a step is the factorised ~1.6K multiply-adds (per source group sums, the C x C
 * group step, the within-group blocks, two terms per I-X) plus one exp per label. A term is lost only when
 * it falls ~708 nats below its row, and no later step can lift a path by more than 2 x (transition spread)
 * + (one emission row's spread) + (start or end spread); while that stays under MAX_SCALED_SPREAD the result
 * is exact to float64 rounding, and above it forwardBackward falls back to the log-space reference.
 *
 * Span probability, P(y_s = B-X, y_{s+1..e-1} = I-X, y_e != I-X): the probability that exactly positions
 * s..e-1 carry entity X (for e = K the last condition is void). With a fixed segment, the chain factorises:
 *   seg(s, e) = alpha[s][B] + sum_{t=s+1}^{e-1} (trans[y_{t-1}][I] + emit[t][I]),  y_{e-1} the segment's last label
 *   log P(segment)               = seg + beta[e-1][y_{e-1}] - log Z
 *   log P(segment, y_e = I-X)     = seg + trans[y_{e-1}][I] + emit[e][I] + beta[e][I] - log Z
 *   P(span) = P(segment) - P(segment, y_e = I-X)   (computed as P(segment) * -expm1(difference of logs)).
 */
import { denseCrf, transitionScore, type CompiledCrf, type DenseCrf } from './crf-structure.js';
import { resolvePositions, type SequenceOptions } from './viterbi.js';

/** Bound (nats) on 2 x transition spread + boundary spread + emission-row spread for the scaled recursion (see the header). */
export const MAX_SCALED_SPREAD = 600;

/** The posteriors of one sequence. It keeps references to the model and the emissions (spanProbability reads
 *  them): do not change either while the result is in use. */
export interface ForwardBackwardResult {
  model: CompiledCrf | DenseCrf;
  emissions: Float32Array;
  positions: Int32Array;
  numLabels: number;
  /** K, the number of scored positions */
  length: number;
  logZ: number;
  /** P(y_k = l), [K * L]; each row sums to 1 */
  marginals: Float32Array;
  /** 'log' (reference or fallback) or 'scaled' */
  method: 'log' | 'scaled';
  logAlpha(k: number, label: number): number;
  logBeta(k: number, label: number): number;
  /** log alpha / log beta, [K * L], materialised on first use */
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
}

/** Log-space storage (dense reference and fallback). */
class LogPosteriors implements ForwardBackwardResult {
  readonly method = 'log' as const;
  readonly numLabels: number;
  readonly length: number;
  readonly logZ: number;
  readonly marginals: Float32Array;
  constructor(
    readonly model: CompiledCrf | DenseCrf,
    readonly emissions: Float32Array,
    readonly positions: Int32Array,
    readonly alpha: Float64Array,
    readonly beta: Float64Array,
  ) {
    const L = model.numLabels;
    const K = positions.length;
    this.numLabels = L;
    this.length = K;
    let logZ = 0;
    if (K > 0) {
      let m = -Infinity;
      const last = (K - 1) * L;
      for (let j = 0; j < L; j++) m = Math.max(m, alpha[last + j] + model.end[j]);
      let sum = 0;
      if (m > -Infinity) for (let j = 0; j < L; j++) sum += Math.exp(alpha[last + j] + model.end[j] - m);
      logZ = m + Math.log(sum);
    }
    this.logZ = logZ;
    this.marginals = new Float32Array(K * L);
    for (let x = 0; x < K * L; x++) this.marginals[x] = Math.exp(alpha[x] + beta[x] - logZ);
  }
  logAlpha(k: number, label: number): number {
    return this.alpha[k * this.numLabels + label];
  }
  logBeta(k: number, label: number): number {
    return this.beta[k * this.numLabels + label];
  }
}

/** Scaled storage, group order: alpha[k][order[x]] = a[k][x] * exp(logA[k]), beta likewise with b and logB. */
class ScaledPosteriors implements ForwardBackwardResult {
  readonly method = 'scaled' as const;
  readonly numLabels: number;
  readonly length: number;
  readonly marginals: Float32Array;
  private alphaLog?: Float64Array;
  private betaLog?: Float64Array;
  constructor(
    readonly model: CompiledCrf,
    readonly emissions: Float32Array,
    readonly positions: Int32Array,
    readonly logZ: number,
    private readonly a: Float64Array,
    private readonly logA: Float64Array,
    private readonly b: Float64Array,
    private readonly logB: Float64Array,
  ) {
    const L = model.numLabels;
    const K = positions.length;
    const order = model.order;
    this.numLabels = L;
    this.length = K;
    this.marginals = new Float32Array(K * L);
    for (let k = 0; k < K; k++) {
      const r = k * L;
      let sum = 0;
      for (let x = 0; x < L; x++) sum += a[r + x] * b[r + x];
      const inv = 1 / sum;
      for (let x = 0; x < L; x++) this.marginals[r + order[x]] = a[r + x] * b[r + x] * inv;
    }
  }
  logAlpha(k: number, label: number): number {
    return Math.log(this.a[k * this.numLabels + this.model.indexOf[label]]) + this.logA[k];
  }
  logBeta(k: number, label: number): number {
    return Math.log(this.b[k * this.numLabels + this.model.indexOf[label]]) + this.logB[k];
  }
  get alpha(): Float64Array {
    this.alphaLog ??= this.toLog(this.a, this.logA);
    return this.alphaLog;
  }
  get beta(): Float64Array {
    this.betaLog ??= this.toLog(this.b, this.logB);
    return this.betaLog;
  }
  private toLog(v: Float64Array, scale: Float64Array): Float64Array {
    const L = this.numLabels;
    const out = new Float64Array(v.length);
    for (let k = 0; k < this.length; k++) for (let x = 0; x < L; x++) out[k * L + this.model.order[x]] = Math.log(v[k * L + x]) + scale[k];
    return out;
  }
}

/** Reference forward-backward over a dense transition matrix, in log space. */
export function forwardBackwardDense(crf: DenseCrf, emissions: Float32Array, options: SequenceOptions = {}): ForwardBackwardResult {
  return logSpaceRecursions(crf, crf, emissions, resolvePositions(emissions, crf.numLabels, options.positions));
}

function logSpaceRecursions(model: CompiledCrf | DenseCrf, crf: DenseCrf, emissions: Float32Array, pos: Int32Array): ForwardBackwardResult {
  const L = crf.numLabels;
  const K = pos.length;
  const alpha = new Float64Array(K * L);
  const beta = new Float64Array(K * L);
  if (K === 0) return new LogPosteriors(model, emissions, pos, alpha, beta);
  const trans = crf.trans;
  const transT = new Float32Array(L * L);
  for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) transT[j * L + i] = trans[i * L + j];
  for (let j = 0; j < L; j++) alpha[j] = crf.start[j] + emissions[pos[0] * L + j];
  for (let k = 1; k < K; k++) {
    const prev = (k - 1) * L;
    const row = pos[k] * L;
    for (let j = 0; j < L; j++) {
      const col = j * L;
      let m = -Infinity;
      for (let i = 0; i < L; i++) m = Math.max(m, alpha[prev + i] + transT[col + i]);
      let sum = 0;
      if (m > -Infinity) for (let i = 0; i < L; i++) sum += Math.exp(alpha[prev + i] + transT[col + i] - m);
      alpha[k * L + j] = m + Math.log(sum) + emissions[row + j];
    }
  }
  const b = new Float64Array(L);
  for (let i = 0; i < L; i++) beta[(K - 1) * L + i] = crf.end[i];
  for (let k = K - 2; k >= 0; k--) {
    const row = pos[k + 1] * L;
    for (let j = 0; j < L; j++) b[j] = emissions[row + j] + beta[(k + 1) * L + j];
    for (let i = 0; i < L; i++) {
      const r = i * L;
      let m = -Infinity;
      for (let j = 0; j < L; j++) m = Math.max(m, trans[r + j] + b[j]);
      let sum = 0;
      if (m > -Infinity) for (let j = 0; j < L; j++) sum += Math.exp(trans[r + j] + b[j] - m);
      beta[k * L + i] = m + Math.log(sum);
    }
  }
  return new LogPosteriors(model, emissions, pos, alpha, beta);
}

/** Per scored row its largest finite emission (into emax); returns the largest (max - min) of one row. */
function emissionRows(emissions: Float32Array, L: number, pos: Int32Array, emax: Float64Array): number {
  let spread = 0;
  for (let k = 0; k < pos.length; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = pos[k] * L, e = j + L; j < e; j++) {
      const v = emissions[j];
      if (v === -Infinity) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi === -Infinity) return Infinity; // a row with no finite score: leave it to the log-space recursion
    emax[k] = hi;
    if (hi - lo > spread) spread = hi - lo;
  }
  return spread;
}

/** Scratch for exp(emissions) in group order, reused across calls (JavaScript runs one call at a time). */
let expScratch = new Float64Array(0);

/** Forward-backward that exploits the structured transitions (same result as forwardBackwardDense on denseCrf(crf)). */
export function forwardBackward(crf: CompiledCrf, emissions: Float32Array, options: SequenceOptions = {}): ForwardBackwardResult {
  const L = crf.numLabels;
  const pos = resolvePositions(emissions, L, options.positions);
  const fallback = () => logSpaceRecursions(crf, denseCrfOf(crf), emissions, pos);
  const C = crf.numGroups;
  const K = pos.length;
  const E = crf.structure.numEntities;
  if (K === 0) return new LogPosteriors(crf, emissions, pos, new Float64Array(0), new Float64Array(0));
  const emax = new Float64Array(K);
  if (!(2 * crf.transSpread + crf.boundarySpread + emissionRows(emissions, L, pos, emax) <= MAX_SCALED_SPREAD)) return fallback();
  const { order, groupStart, blockOffset, expGroupTransT, expBlocksT, beginTargets, beginStart } = crf;
  const { beginAt, insideAtEntity, expBeginInside, expInsideInside, transMax } = crf;
  // group-ordered working arrays
  const a = new Float64Array(K * L);
  const b = new Float64Array(K * L);
  const logA = new Float64Array(K);
  const logB = new Float64Array(K);
  if (expScratch.length < K * L) expScratch = new Float64Array(K * L);
  const ee = expScratch; // exp(emit - row max), group order
  const S = new Float64Array(C);
  for (let k = 0; k < K; k++) {
    const row = pos[k] * L;
    const m = emax[k];
    for (let x = 0; x < L; x++) ee[k * L + x] = Math.exp(emissions[row + order[x]] - m);
  }

  // forward
  {
    let m = -Infinity;
    for (let x = 0; x < L; x++) m = Math.max(m, crf.start[order[x]] + emissions[pos[0] * L + order[x]]);
    let sum = 0;
    for (let x = 0; x < L; x++) sum += a[x] = Math.exp(crf.start[order[x]] + emissions[pos[0] * L + order[x]] - m);
    if (!(sum > 0)) return fallback();
    for (let x = 0; x < L; x++) a[x] /= sum;
    logA[0] = m + Math.log(sum);
  }
  for (let k = 1; k < K; k++) {
    const prev = (k - 1) * L;
    const cur = k * L;
    for (let g = 0; g < C; g++) {
      let sum = 0;
      for (let x = groupStart[g]; x < groupStart[g + 1]; x++) sum += a[prev + x];
      S[g] = sum;
    }
    for (let h = 0; h < C; h++) {
      const gt = h * C;
      let cross = 0;
      for (let g = 0; g < C; g++) cross += expGroupTransT[gt + g] * S[g]; // the diagonal holds 0
      const g0 = groupStart[h];
      const n = groupStart[h + 1] - g0;
      const boff = blockOffset[h];
      for (let t = beginStart[h]; t < beginStart[h + 1]; t++) {
        const x = beginTargets[t];
        const col = boff + (x - g0) * n;
        let within = 0;
        for (let p = 0; p < n; p++) within += a[prev + g0 + p] * expBlocksT[col + p];
        a[cur + x] = (cross + within) * ee[cur + x];
      }
    }
    for (let e = 0; e < E; e++) {
      const ix = insideAtEntity[e];
      a[cur + ix] = (a[prev + beginAt[e]] * expBeginInside[e] + a[prev + ix] * expInsideInside[e]) * ee[cur + ix];
    }
    let sum = 0;
    for (let x = 0; x < L; x++) sum += a[cur + x];
    if (!(sum > 0 && sum < Infinity)) return fallback();
    const inv = 1 / sum;
    for (let x = 0; x < L; x++) a[cur + x] *= inv;
    logA[k] = logA[k - 1] + transMax + emax[k] + Math.log(sum);
  }
  let logZ: number;
  {
    const last = (K - 1) * L;
    let m = -Infinity;
    for (let x = 0; x < L; x++) m = Math.max(m, crf.end[order[x]]);
    let sum = 0;
    for (let x = 0; x < L; x++) sum += a[last + x] * Math.exp(crf.end[order[x]] - m);
    logZ = logA[K - 1] + m + Math.log(sum);
    // backward start: b[K-1] = exp(end - m), normalised
    let bs = 0;
    for (let x = 0; x < L; x++) bs += b[last + x] = Math.exp(crf.end[order[x]] - m);
    for (let x = 0; x < L; x++) b[last + x] /= bs;
    logB[K - 1] = m + Math.log(bs);
  }

  // backward
  const { expBeginBlocks, beginBlockOffset, insideTargetOf, expToInside } = crf;
  const qB = new Float64Array(beginTargets.length);
  for (let k = K - 2; k >= 0; k--) {
    const nxt = (k + 1) * L;
    const cur = k * L;
    // B-X / O targets, compacted per group; I-X targets are reached only from their own B-X / I-X
    for (let h = 0; h < C; h++) {
      let sum = 0;
      for (let t = beginStart[h]; t < beginStart[h + 1]; t++) {
        const x = beginTargets[t];
        const v = ee[nxt + x] * b[nxt + x];
        qB[t] = v;
        sum += v;
      }
      S[h] = sum;
    }
    for (let g = 0; g < C; g++) {
      let cross = 0;
      for (let h = 0; h < C; h++) cross += expGroupTransT[h * C + g] * S[h]; // the diagonal holds 0
      const g0 = groupStart[g];
      const n = groupStart[g + 1] - g0;
      const t0 = beginStart[g];
      const nB = beginStart[g + 1] - t0;
      const boff = beginBlockOffset[g];
      for (let p = 0; p < n; p++) {
        const r = boff + p * nB;
        let within = 0;
        for (let t = 0; t < nB; t++) within += expBeginBlocks[r + t] * qB[t0 + t];
        const x = g0 + p;
        const ix = insideTargetOf[x];
        if (ix >= 0) within += expToInside[x] * ee[nxt + ix] * b[nxt + ix];
        b[cur + x] = cross + within;
      }
    }
    let sum = 0;
    for (let x = 0; x < L; x++) sum += b[cur + x];
    if (!(sum > 0 && sum < Infinity)) return fallback();
    const inv = 1 / sum;
    for (let x = 0; x < L; x++) b[cur + x] *= inv;
    logB[k] = logB[k + 1] + transMax + emax[k + 1] + Math.log(sum);
  }

  return new ScaledPosteriors(crf, emissions, pos, logZ, a, logA, b, logB);
}

let denseCache: WeakMap<CompiledCrf, DenseCrf> | undefined;
function denseCrfOf(crf: CompiledCrf): DenseCrf {
  denseCache ??= new WeakMap();
  let d = denseCache.get(crf);
  if (!d) {
    d = denseCrf(crf);
    denseCache.set(crf, d);
  }
  return d;
}

function trans(model: CompiledCrf | DenseCrf, i: number, j: number): number {
  return model.kind === 'dense' ? model.trans[i * model.numLabels + j] : transitionScore(model, i, j);
}

/** Posterior probability of each position's label in `path` (per-token confidence). */
export function tokenConfidence(fb: ForwardBackwardResult, path: ArrayLike<number>): Float32Array {
  if (path.length !== fb.length) throw new RangeError(`path: ${path.length} labels for ${fb.length} positions`);
  const out = new Float32Array(fb.length);
  for (let k = 0; k < fb.length; k++) out[k] = fb.marginals[k * fb.numLabels + path[k]];
  return out;
}

/**
 * P(exactly positions start .. end-1 carry the entity whose labels are [beginLabel, insideLabel]): y_start = B,
 * the rest I, and the position after the span (if any) not I (see the file header).
 */
export function spanProbability(fb: ForwardBackwardResult, start: number, end: number, bio: readonly [number, number]): number {
  const K = fb.length;
  if (!(start >= 0 && end > start && end <= K)) throw new RangeError(`span [${start}, ${end}) outside the ${K} positions`);
  const [B, I] = bio;
  const L = fb.numLabels;
  const { emissions, positions, model, logZ } = fb;
  let seg = fb.logAlpha(start, B);
  let last = B;
  for (let t = start + 1; t < end; t++) {
    seg += trans(model, last, I) + emissions[positions[t] * L + I];
    last = I;
  }
  const logSeg = seg + fb.logBeta(end - 1, last) - logZ;
  if (logSeg === -Infinity) return 0;
  if (end === K) return Math.min(1, Math.exp(logSeg));
  const logExt = seg + trans(model, last, I) + emissions[positions[end] * L + I] + fb.logBeta(end, I) - logZ;
  const p = Math.exp(logSeg) * -Math.expm1(Math.min(0, logExt - logSeg));
  return Math.min(1, Math.max(0, p));
}
