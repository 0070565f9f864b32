/**
 * The adaptive CRF inside training graphs: the dense transition scores built from the structured
 * parameters (decoding/crf-structure.ts defines them and the formula), and the negative log-likelihood of
 * the gold label path by the forward algorithm, with a hand-written backward (posterior marginals minus gold
 * counts) as a custom-gradient block.
 *
 * Dense transitions from the structured parameters (plain ops, differentiated by autodiff):
 *
 *   trans = M G M^T                       M [L, C] one-hot of label -> group (the group-to-group term)
 *         + Where(g(i) = g(j), U_rows V_rows^T, 0)
 *                                         U_rows [L, r]: row p(l) of U_g(l) at each label l of a residual
 *                                         group (zero elsewhere), one Gather from all groups' rows stacked:
 *                                         the block-diagonal residual
 *         + ScatterND(0, (B_e,I_e) -> bi[e], (I_e,I_e) -> ii[e])
 *   trans = Where(allowed, trans, GRAPH_FORBIDDEN_SCORE);   start = Where(not I-X, crf.start, FORBIDDEN)
 *
 * which is compileCrf's trans[i][j] exactly (tests compare it with denseTransitions()). No L x L index
 * tensor is stored: the constants are M [L, C], row indices and groups [L], 2E scatter indices and the
 * allowed mask (L x L booleans).
 *
 * A position whose label is -100 (padding, special tokens, non-first sub-tokens, unlabelled words) is not
 * scored: the transitions join consecutive *scored* positions, as decoding does. The recursions run over
 * each sequence's scored positions left-packed (K = 1 + max(2, max scored per sequence) Scan steps instead of
 * the sequence length; CrfPackedPositions), and everything that does not need a recursion (the gold path's
 * score, first positions, previous gold labels) is vectorised from cumulative counts. Each step's
 * log-sum-exp over the previous label is one matrix product in linear space, max-shifted per row and kept in
 * float64 (linearSpaceFactor): alpha'[j] = emit[j] + log(exp(alpha - m) @ exp(trans - colmax))[j] + m + colmax[j],
 * so a Scan step is seven nodes and one [B, L] x [L, L] MatMul instead of B L^2 exponentials. float64's range
 * keeps every term within ~700 nats of the largest, so the result matches the exact log-space recursion even
 * when past and future evidence disagree strongly (where float32 linear space would lose the path that
 * matters). Memory is O(seq x batch x labels): the per-step messages are the only stored tensors.
 *
 * Backward (custom-gradient block over emissions, trans, start, end -> per-sequence NLL):
 *   d/d emit[t][j]  = P(y_t = j) - [gold_t = j]                         (scored t only)
 *   d/d trans[i][j] = sum_t P(y_{t-1} = i, y_t = j) - gold counts        (the pairwise posteriors
 *                     exp(alpha_{t-1}[i] + trans[i][j] + emit_t[j] + beta_t[j] - log Z) separate into
 *                     row, column and transition factors: one MatMul over all steps, weightedPairwise)
 *   d/d start[j]    = P(y_first = j) - [gold_first = j];  d/d end[j] = P(y_last = j) - [gold_last = j]
 * each times the incoming gradient of that sequence's NLL. The structured parameters get their gradients
 * through the dense-from-structured construction above (ordinary autodiff).
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { TensorRef } from '../onnx/types.js';
import { customGradientBlock } from '../autodiff/custom-gradient.js';
import { GRAPH_FORBIDDEN_SCORE, type CrfStructure } from '../decoding/crf-structure.js';
import type { ParameterSpec } from '../model/parameters.js';
import { HybridocError } from '../util/errors.js';

/** Labels equal to this are not scored (as in the features and PyTorch). */
const IGNORE = -100;

/** The CRF's parameters as a parameter table (module 'crf'): residual_u N(0, 0.01), everything else 0. */
export function crfParameterSpecs(s: CrfStructure): ParameterSpec[] {
  return s.params.map((p) => ({
    name: p.name,
    shape: [...p.shape],
    // residual_v starts at 0 (LoRA style), so the residual starts at 0 and still gets a gradient through V
    init: p.role === 'residual_u' ? { kind: 'normal', std: 0.01 } : { kind: 'zeros' },
    module: 'crf',
  }));
}

/** The dense scores the forward algorithm reads. */
export interface CrfScores {
  /** [L, L], row = source label; forbidden steps GRAPH_FORBIDDEN_SCORE */
  trans: TensorRef;
  /** [L]; I-X labels GRAPH_FORBIDDEN_SCORE */
  start: TensorRef;
  /** [L] */
  end: TensorRef;
}

/** Builds the dense transition, start and end scores from the structured parameters (by checkpoint name). */
export function buildCrfScores(g: GraphBuilder, s: CrfStructure, params: ReadonlyMap<string, TensorRef>): CrfScores {
  const P = (name: string) => {
    const t = params.get(name);
    if (!t) throw new HybridocError(`crf: no parameter '${name}'`);
    return t;
  };
  return g.scope('crf_scores', () => {
    const L = s.numLabels;
    const C = s.numGroups;
    const E = s.numEntities;
    const G = P('crf.group_transitions');
    const dtype = G.dtype;
    // group term: M G M^T
    const member = new Array<number>(L * C).fill(0);
    for (let l = 0; l < L; l++) member[l * C + s.labelToGroup[l]] = 1;
    const M = g.constant(member, { dtype, dims: [L, C], name: 'group_membership' });
    let trans = g.matmul(g.matmul(M, G), g.transpose(M, [1, 0]), { name: 'group_term' });
    // within-group low-rank residual: (U_rows V_rows^T) masked to same-group pairs, where U_rows [L, r] holds
    // row p(l) of U_g(l) for each label of a residual group (a zero row for the others): one Gather from all
    // groups' rows stacked, instead of one per group
    if (s.rank > 0 && s.residualGroups.length > 0) {
      const r = s.rank;
      const rows = new Array<number>(L).fill(0);
      let offset = 1;
      for (const grp of s.residualGroups) {
        for (const l of s.groupLabels[grp]) rows[l] = offset + s.labelPosInGroup[l];
        offset += s.groupLabels[grp].length;
      }
      const rowIndex = g.constInt64(rows, { name: 'residual_rows' });
      const zeroRow = g.constantOfShape([1, r], { dtype, value: 0, name: 'zero_row' });
      const place = (role: 'u' | 'v') =>
        g.gather(
          g.concat([zeroRow, ...s.residualGroups.map((grp) => P(`crf.residual_${role}.${s.groupNames[grp]}`))], 0, {
            name: `${role}_stacked`,
          }),
          rowIndex,
          { axis: 0, name: `${role}_rows` },
        );
      // same group (labels outside the residual groups have zero rows, so their pairs are 0 either way)
      const group = g.constInt64(Array.from(s.labelToGroup), { name: 'label_group' });
      const sameGroup = g.equal(g.unsqueeze(group, [1]), g.unsqueeze(group, [0]), { name: 'same_group' });
      const product = g.matmul(place('u'), g.transpose(place('v'), [1, 0]));
      const residual = g.where(sameGroup, product, g.constant(0, { dtype }), { name: 'residual_term' });
      trans = g.add(trans, residual, { name: 'with_residual' });
    }
    // B_e -> I_e and I_e -> I_e scalars
    if (E > 0) {
      const shared = s.bioScalars === 'shared';
      const perEntity = (t: TensorRef) => (shared ? g.gather(t, g.constInt64(new Array<number>(E).fill(0)), { axis: 0 }) : t);
      const updates = g.concat([perEntity(P('crf.begin_inside')), perEntity(P('crf.inside_inside'))], 0, { name: 'bio_updates' });
      const idx: number[] = [];
      for (let e = 0; e < E; e++) idx.push(s.beginLabel[e], s.insideLabel[e]);
      for (let e = 0; e < E; e++) idx.push(s.insideLabel[e], s.insideLabel[e]);
      const zeros = g.constantOfShape([L, L], { dtype, value: 0, name: 'zeros_ll' });
      const bio = g.scatterND(zeros, g.constInt64(idx, { dims: [2 * E, 2], name: 'bio_index' }), updates, { name: 'bio_term' });
      trans = g.add(trans, bio, { name: 'with_bio' });
    }
    const allowed: boolean[] = new Array<boolean>(L * L);
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        const e = s.labelToEntity[j];
        allowed[i * L + j] = !s.isInside[j] || s.beginLabel[e] === i || i === j;
      }
    }
    const allowedT = g.constant(allowed, { dtype: 'bool', dims: [L, L], name: 'allowed' });
    const transOut = g.where(allowedT, trans, GRAPH_FORBIDDEN_SCORE, { name: 'trans' });
    const startAllowed = g.constant(
      Array.from(s.isInside, (v) => v === 0),
      { dtype: 'bool', dims: [L], name: 'start_allowed' },
    );
    const start = g.where(startAllowed, P('crf.start'), GRAPH_FORBIDDEN_SCORE, { name: 'start' });
    return { trans: transOut, start, end: P('crf.end') };
  });
}

/** What the forward algorithm leaves in the graph (time-major tensors are [T, B, ...]). */
export interface CrfForward {
  /** per sequence: log Z - gold path score, 0 for a sequence without scored positions, [B] */
  nll: TensorRef;
  /** number of scored positions (labels != -100) in the batch, scalar of the emissions' dtype */
  scored: TensorRef;
  /** log Z per sequence [B] (meaningless where the sequence has no scored position) */
  logZ: TensorRef;
  /** forward messages after each position [T, B, L] (carried unchanged over unscored positions) */
  alpha: TensorRef;
  /** forward messages before each position [T, B, L] */
  alphaIn: TensorRef;
  /** whether a scored position came before, per position [T, B] */
  startedIn: TensorRef;
  /** gold label of the previous scored position, per position [T, B] (0 before the first) */
  prevLabelIn: TensorRef;
  /** scored mask [T, B] and safe gold labels [T, B] */
  valid: TensorRef;
  labels: TensorRef;
  /** final forward message [B, L], whether any position was scored [B], the last gold label [B] */
  alphaFinal: TensorRef;
  startedFinal: TensorRef;
  lastLabel: TensorRef;
  /** the scored positions left-packed, what the recursions actually scan (crfPosteriors reads it) */
  packed: CrfPackedPositions;
}

/**
 * Each sequence's scored positions moved to the front, after one leading virtual step: packed step k >= 1
 * is the sequence's k-th scored position, step 0 stands before the first. The Scans run over
 * K = 1 + max(2, max scored per sequence) steps instead of T; steps past a sequence's last scored position
 * are padding whose messages nothing reads. The messages live in float64 here (see linearSpaceFactor).
 */
export interface CrfPackedPositions {
  /** emissions of the packed steps, time-major [K, B, L], float64 (padding steps hold finite filler) */
  emissions: TensorRef;
  /** whether packed step k is scored and has a scored predecessor (k >= 2 and k <= scored count), [K, B] */
  paired: TensorRef;
  /** forward messages after each packed step [K, B, L] float64 (step 0: zeros; exact up to each sequence's last scored step) */
  alpha: TensorRef;
  /** whether a scored step comes after packed step k in its sequence (k < scored count), [K, B] */
  seenAfter: TensorRef;
  /** per original position (time-major), the packed step of the last scored position at or before it
   * (0 where there is none), [T, B]: where the carried messages of that position live */
  stepAtOrBefore: TensorRef;
}

/** log-sum-exp over one axis (max-shifted, so exact for any finite input). */
function logSumExp(g: GraphBuilder, x: TensorRef, axis: number, name: string): TensorRef {
  const m = g.reduceMax(x, [axis], { keepdims: true });
  const s = g.log(g.reduceSum(g.exp(g.sub(x, m)), [axis], { keepdims: false }));
  return g.add(s, g.squeeze(m, [axis]), { name });
}

/** t in float64 (no node when it already is). */
function toFloat64(g: GraphBuilder, t: TensorRef, name?: string): TensorRef {
  return t.dtype === 'float64' ? t : g.cast(t, 'float64', { name });
}

/** t in `dtype` (no node when it already is). */
function fromFloat64(g: GraphBuilder, t: TensorRef, dtype: TensorRef['dtype'], name?: string): TensorRef {
  return t.dtype === dtype ? t : g.cast(t, dtype, { name });
}

/**
 * Floor of the transition factors' exponent: e^-690 is a float64 normal, so every sum of a step is at least
 * e^-690 (its largest message term is exactly 1) and its log finite. It gives forbidden transitions a weight
 * of e^-690 instead of exp(GRAPH_FORBIDDEN_SCORE): invisible next to any path within 690 nats of the best.
 */
const LOG_FACTOR_FLOOR = -690;

/**
 * The recursions' log-sum-exp as a matrix product in linear space:
 *
 *   forward:   logsumexp_i(v[b, i] + trans[i, j]) = log(exp(v - m) @ F)[b, j] + m[b] + shift[j],  F = exp(trans - colmax)
 *   backward:  logsumexp_j(trans[i, j] + v[b, j]) = log(exp(v - m) @ F^T)[b, i] + m[b] + shift[i], F = exp(trans - rowmax)
 *
 * with m[b] = max v[b, :], so every exponential is at most 1 and no sum overflows: one MatMul per step instead
 * of B L^2 exponentials. In float64, whose range (e^-745) keeps every term within 700 nats of the largest
 * (float32's e^-87 would lose terms that matter when past and future evidence disagree strongly); factors are
 * floored at LOG_FACTOR_FLOOR. Returns F (transposed for the backward direction) and the shift, float64.
 */
function linearSpaceFactor(g: GraphBuilder, trans: TensorRef, direction: 'forward' | 'backward'): { factor: TensorRef; shift: TensorRef } {
  const axis = direction === 'forward' ? 0 : 1;
  const t64 = toFloat64(g, trans);
  const shift = g.reduceMax(t64, [axis], { keepdims: true, name: `trans_${direction}_shift` });
  const factor = g.exp(g.max([g.sub(t64, shift), g.constant(LOG_FACTOR_FLOOR, { dtype: 'float64' })]), {
    name: `trans_${direction}_factor`,
  });
  return {
    factor: direction === 'forward' ? factor : g.transpose(factor, [1, 0]),
    shift: g.reshape(shift, [-1], { name: `trans_${direction}_offset` }),
  };
}

/** log(exp(v - m) @ factor) + m in a Scan body (v [B, L] float64). */
function logMatMulExp(b: GraphBuilder, v: TensorRef, factor: TensorRef): TensorRef {
  const m = b.reduceMax(v, [1], { keepdims: true });
  return b.add(b.log(b.matmul(b.exp(b.sub(v, m)), factor)), m, { name: 'lse' });
}

/** Gathers per position from a time-major [K, B, L] tensor: out[t, b, :] = x[step[t, b], b, :]. */
function gatherSteps(g: GraphBuilder, x: TensorRef, step: TensorRef, L: number, name: string): TensorRef {
  const index = g.expand(g.unsqueeze(step, [2]), g.concat([g.shape(step), g.constInt64([L])], 0));
  return g.gatherElements(x, index, { axis: 0, name });
}

/**
 * The forward algorithm over emissions [B, T, L] and int64 labels [B, T] (-100 = not scored). Plain nodes:
 * crfNegLogLikelihood wraps them in the custom-gradient block.
 *
 * The gold path's score and the per-position bookkeeping (first scored position, previous gold label) are
 * vectorised from cumulative counts of the scored positions. Only the forward messages need a Scan, and it
 * runs over the left-packed scored positions (CrfPackedPositions): step 1 (start + emission) is computed
 * before it, so its body is the bare recursion alpha_k = logsumexp_i(alpha_{k-1} + trans) + emit_k (seven
 * nodes); the messages of each original position are gathered back from the packed steps.
 */
export function crfForward(g: GraphBuilder, emissions: TensorRef, labels: TensorRef, sc: CrfScores, L: number): CrfForward {
  const dtype = emissions.dtype;
  const validBT = g.not(g.equal(labels, IGNORE), { name: 'valid' });
  const safeBT = g.where(validBT, labels, 0, { name: 'safe_labels' });
  const batch = g.shape(emissions, { start: 0, end: 1, name: 'batch' });
  const seq = g.shape(labels, { start: 1, end: 2, name: 'seq' });
  // counts of scored positions: `count` up to and including each position, `before` strictly before it
  const validI = g.cast(validBT, 'int64');
  const count = g.cumSum(validI, 1, { name: 'scored_count' });
  const before = g.sub(count, validI, { name: 'scored_before' });
  const total = g.reduceSum(validI, [1], { keepdims: false, name: 'scored_total' });
  // packing: scored position t goes to packed step count[t]; the others to distinct spare slots past 2T
  const K = g.add(g.max([g.reduceMax(total, null, { keepdims: true }), g.constInt64([2])]), 1, { name: 'packed_steps' });
  const positions = g.range(0, g.squeeze(seq, [0]), 1, { name: 'positions' });
  const slot = g.where(validBT, count, g.add(positions, g.add(seq, 2)), { name: 'packed_slot' });
  const slots = g.concat([batch, g.add(g.mul(seq, 2), 2)], 0);
  const pack = (values: TensorRef, name: string) => {
    const scattered = g.scatterElements(g.constantOfShape(slots, { dtype: 'int64', value: 0 }), slot, values, { axis: 1 });
    return g.slice(scattered, [0], K, [1], null, { name });
  };
  const packedPosition = pack(g.expand(positions, g.shape(labels)), 'packed_position');
  const packedLabels = pack(safeBT, 'packed_labels');
  const steps = g.unsqueeze(g.range(0, g.squeeze(K, [0]), 1), [1], { name: 'steps' }); // [K, 1]
  const paired = g.and(g.greater(steps, 1), g.lessOrEqual(steps, total), { name: 'packed_paired' }); // [K, B]
  const seenAfter = g.less(steps, total, { name: 'packed_seen_after' }); // [K, B]
  const packedEmissions = g.transpose(toFloat64(g, g.gatherND(emissions, g.unsqueeze(packedPosition, [2]), { batchDims: 1 })), [1, 0, 2], {
    name: 'packed_emissions',
  });
  // the gold path: emission + (start or transition from the previous gold label) per scored position, + end
  const prevLabel = g.gatherElements(packedLabels, before, { axis: 1, name: 'prev_label' });
  const startedBT = g.greater(before, 0, { name: 'started' });
  const emitGold = g.squeeze(g.gatherElements(emissions, g.unsqueeze(safeBT, [2]), { axis: 2 }), [2], { name: 'emit_gold' });
  const transGold = g.gather(g.reshape(sc.trans, [-1]), g.add(g.mul(prevLabel, L), safeBT), { axis: 0, name: 'trans_gold' });
  const startGold = g.gather(sc.start, safeBT, { axis: 0, name: 'start_gold' });
  const zeroBT = g.constantOfShape(g.shape(labels), { dtype, value: 0 });
  const goldSteps = g.where(validBT, g.add(emitGold, g.where(startedBT, transGold, startGold)), zeroBT, { name: 'gold_steps' });
  const lastLabel = g.squeeze(g.gatherElements(packedLabels, g.unsqueeze(total, [1]), { axis: 1 }), [1], { name: 'last_label' });
  const startedFinal = g.greater(total, 0, { name: 'started_final' });
  const goldScore = g.add(g.reduceSum(goldSteps, [1], { keepdims: false }), g.gather(sc.end, lastLabel, { axis: 0 }), {
    name: 'gold_score',
  });
  // the forward messages: step 0 zeros, step 1 start + emission, steps 2.. the recursion
  const { factor, shift } = linearSpaceFactor(g, sc.trans, 'forward');
  const alpha0 = g.unsqueeze(g.constantOfShape(g.concat([batch, g.constInt64([L])], 0), { dtype: 'float64', value: 0 }), [0]);
  const alpha1 = g.add(g.slice(packedEmissions, [1], [2], [0]), toFloat64(g, sc.start), { name: 'alpha1' }); // [1, B, L]
  const recursion = g.scan(
    {
      name: 'crf_forward',
      states: [g.squeeze(alpha1, [0])],
      scanInputs: [g.add(g.slice(packedEmissions, [2], [Number.MAX_SAFE_INTEGER], [0]), shift, { name: 'emit_shifted' })],
      scanInputAxes: [0],
      stateShapes: [[null, L]],
    },
    (b, [alpha], [emit]) => {
      const next = b.add(logMatMulExp(b, alpha, factor), emit, { name: 'alpha_next' });
      return { states: [next], scanOutputs: [next] };
    },
  );
  const packedAlpha = g.concat([alpha0, alpha1, recursion.scanOutputs[0]], 0, { name: 'packed_alpha' });
  const alphaFinal64 = g.squeeze(gatherSteps(g, packedAlpha, g.unsqueeze(total, [0]), L, 'alpha_final_64'), [0]);
  const logZ = fromFloat64(g, logSumExp(g, g.add(alphaFinal64, toFloat64(g, sc.end)), 1, 'log_z_64'), dtype, 'log_z');
  const zero = g.constantOfShape(batch, { dtype, value: 0 });
  const nll = g.where(startedFinal, g.sub(logZ, goldScore), zero, { name: 'nll_per_sequence' });
  const scored = g.reduceSum(g.cast(validBT, dtype), null, { keepdims: false, name: 'scored_tokens' });
  // per original position (time-major), from the packed steps
  const tm = (t: TensorRef, name: string) => g.transpose(t, [1, 0], { name });
  const stepAtOrBefore = tm(count, 'step_at_or_before');
  const packedAlphaOut = fromFloat64(g, packedAlpha, dtype, 'packed_alpha_out');
  return {
    nll,
    scored,
    logZ,
    alpha: gatherSteps(g, packedAlphaOut, stepAtOrBefore, L, 'alpha'),
    alphaIn: gatherSteps(g, packedAlphaOut, tm(before, 'step_before'), L, 'alpha_in'),
    startedIn: tm(startedBT, 'started_tm'),
    prevLabelIn: tm(prevLabel, 'prev_label_tm'),
    valid: tm(validBT, 'valid_tm'),
    labels: tm(safeBT, 'labels_tm'),
    alphaFinal: fromFloat64(g, alphaFinal64, dtype, 'alpha_final'),
    startedFinal,
    lastLabel,
    packed: { emissions: packedEmissions, paired, alpha: packedAlpha, seenAfter, stepAtOrBefore },
  };
}

/** Posteriors from a forward pass: backward messages, unary marginals, and the weighted pairwise sums. */
export interface CrfPosteriors {
  /** backward messages [T, B, L] */
  beta: TensorRef;
  /** P(y_t = j) at scored positions, 0 elsewhere, [T, B, L] */
  marginals: TensorRef;
  /** sum over sequences b and positions t of w[b] P(y_{t-1} = i, y_t = j), [L, L] */
  pairwise: TensorRef;
}

/**
 * The backward recursion (a reverse Scan over the packed steps) and the posteriors. `weights` [B]
 * multiplies each sequence's pairwise posteriors (the incoming NLL gradient; ones for plain posteriors).
 * The Scan carries c_k = emit_k + beta_k: c_k = emit_k + end at a sequence's last scored step, else
 * emit_k + logsumexp_j(trans[:, j] + c_{k+1}[j]) (eight nodes a step).
 */
export function crfPosteriors(
  g: GraphBuilder,
  emissions: TensorRef,
  f: CrfForward,
  sc: CrfScores,
  L: number,
  weights: TensorRef,
): CrfPosteriors {
  const dtype = emissions.dtype;
  const p = f.packed;
  const { factor, shift } = linearSpaceFactor(g, sc.trans, 'backward');
  const emitEnd = g.add(p.emissions, toFloat64(g, sc.end), { name: 'emit_end' });
  const emitShifted = g.add(p.emissions, shift, { name: 'emit_shifted' });
  const { scanOutputs } = g.scan(
    {
      name: 'crf_backward',
      states: [g.gather(emitEnd, g.constInt64(0), { axis: 0 })], // any [B, L]: the last step never reads it
      scanInputs: [emitShifted, emitEnd, g.unsqueeze(p.seenAfter, [2])],
      scanInputAxes: [0, 0, 0],
      scanInputDirections: [1, 1, 1],
      scanOutputDirections: [1],
      stateShapes: [[null, L]],
    },
    (b, [u], [shifted, atEnd, seen]) => {
      const c = b.where(seen, b.add(logMatMulExp(b, u, factor), shifted), atEnd, { name: 'emit_beta' });
      return { states: [c], scanOutputs: [c] };
    },
  );
  const packedEmitBeta = scanOutputs[0];
  // at an unscored position the backward message is that of the last scored position before it (both look
  // ahead to the same next scored position), or of the virtual step 0 before the first
  const packedBeta = g.sub(packedEmitBeta, p.emissions, { name: 'packed_beta' });
  const beta = gatherSteps(g, fromFloat64(g, packedBeta, dtype), p.stepAtOrBefore, L, 'beta');
  const logMarg = g.sub(g.add(f.alpha, beta), g.unsqueeze(f.logZ, [0, 2]), { name: 'log_marginals' });
  const valid3 = g.unsqueeze(f.valid, [2]);
  const marginals = g.exp(g.where(valid3, logMarg, GRAPH_FORBIDDEN_SCORE), { name: 'marginals' });
  return { beta, marginals, pairwise: weightedPairwise(g, f, packedEmitBeta, sc.trans, L, weights) };
}

/** Clamp of the pairwise scale exponent: e^600 times K x B terms of at most 1 stays inside float64. */
const MAX_PAIR_SCALE = 600;

/**
 * sum over sequences b and scored positions t that have a scored predecessor of
 *   w[b] P(y_prev = i, y_t = j) = w[b] exp(alphaIn[t, b, i] + trans[i, j] + c[t, b, j] - logZ[b])
 * with c = emit + beta, over the packed steps (the predecessor of packed step k is step k - 1). The exponent
 * separates, so the whole sum is one matrix product over all (k, b):
 *
 *   pairwise = exp(trans - G) * (A^T C),  A[(k, b), i] = exp(alpha[k - 1] - ma) s[k, b],  C[(k, b), j] = exp(c[k] - mc)
 *   s[k, b] = w[b] [step k paired] exp(ma + mc + G - logZ[b])
 *
 * (ma, mc the per-(k, b) maxima, G the largest transition), in float64 like the recursions: every
 * exponential is at most 1 except s, whose exponent is at least -2 log L (log Z is a log-sum-exp over the
 * L^2 pairs of any step) and is clamped at MAX_PAIR_SCALE (reached only by a path costing e^-600 more than
 * the best unconstrained pair, where float32's log space would lose it too).
 */
function weightedPairwise(
  g: GraphBuilder,
  f: CrfForward,
  packedEmitBeta: TensorRef,
  trans: TensorRef,
  L: number,
  weights: TensorRef,
): TensorRef {
  return g.scope('pairwise', () => {
    const p = f.packed;
    const from = g.slice(p.alpha, [0], [-1], [0], null, { name: 'alpha_from' }); // steps 0 .. K-2
    const to = g.slice(packedEmitBeta, [1], [Number.MAX_SAFE_INTEGER], [0], null, { name: 'emit_beta_to' }); // steps 1 .. K-1
    const paired = g.slice(p.paired, [1], [Number.MAX_SAFE_INTEGER], [0], null, { name: 'paired' });
    const ma = g.reduceMax(from, [2], { keepdims: true, name: 'alpha_max' });
    const mc = g.reduceMax(to, [2], { keepdims: true, name: 'emit_beta_max' });
    const t64 = toFloat64(g, trans);
    const G = g.reduceMax(t64, null, { keepdims: false, name: 'trans_max' });
    const logZ = g.unsqueeze(toFloat64(g, f.logZ), [0, 2]);
    const exponent = g.min([g.sub(g.add(g.add(ma, mc), G), logZ), g.constant(MAX_PAIR_SCALE, { dtype: 'float64' })], {
      name: 'scale_exponent',
    });
    const pairWeight = g.mul(g.cast(paired, 'float64'), g.unsqueeze(toFloat64(g, weights), [0]), { name: 'pair_weight' });
    const scale = g.mul(g.exp(exponent), g.unsqueeze(pairWeight, [2]), { name: 'scale' });
    const A = g.reshape(g.mul(g.exp(g.sub(from, ma)), scale), [-1, L], { name: 'from_factor' });
    const C = g.reshape(g.exp(g.sub(to, mc)), [-1, L], { name: 'to_factor' });
    const outer = g.matmul(g.transpose(A, [1, 0]), C, { name: 'pair_sum' });
    return fromFloat64(g, g.mul(outer, g.exp(g.sub(t64, G))), trans.dtype, 'pairwise');
  });
}

/** The CRF loss of a batch. */
export interface CrfLoss {
  /** sum of the per-sequence NLLs over the number of scored tokens (0 when there are none): a per-token mean */
  loss: TensorRef;
  /** per-sequence NLL [B] (the custom-gradient block's output) */
  nll: TensorRef;
  forward: CrfForward;
}

/**
 * The CRF negative log-likelihood of the gold paths, normalised per scored token (so its scale matches the
 * token-mean entity loss whatever the batch and sequence length; torchcrf's 'token_mean'). Gradients flow
 * into emissions, trans, start and end through the custom backward; build `sc` with buildCrfScores for
 * gradients into the structured parameters.
 */
export function crfNegLogLikelihood(g: GraphBuilder, emissions: TensorRef, labels: TensorRef, sc: CrfScores): CrfLoss {
  const L = emissions.shape?.[2];
  if (typeof L !== 'number') throw new HybridocError(`crf: the emissions '${emissions.name}' need a static label axis`);
  return g.scope('crf', () => {
    const f = crfForward(g, emissions, labels, sc, L);
    customGradientBlock(g, {
      inputs: [emissions, sc.trans, sc.start, sc.end],
      outputs: [f.nll],
      backward: (b, [dNll]) => {
        if (!dNll) return [null, null, null, null];
        const dtype = emissions.dtype;
        const post = crfPosteriors(b, emissions, f, sc, L, dNll);
        const classes = b.range(0, L, 1, { dtype: 'int64' });
        const oneHot = (labelsTm: TensorRef, mask: TensorRef) =>
          b.cast(b.and(b.equal(b.unsqueeze(labelsTm, [-1]), classes), b.unsqueeze(mask, [-1])), dtype);
        const dn3 = b.unsqueeze(dNll, [0, 2]);
        // emissions: (marginals - gold) per scored position
        const diff = b.sub(post.marginals, oneHot(f.labels, f.valid), { name: 'marginals_minus_gold' });
        const dEmissions = b.transpose(b.mul(diff, dn3), [1, 0, 2], { name: 'd_emissions' });
        // start: at each sequence's first scored position
        const first = b.cast(b.and(f.valid, b.not(f.startedIn)), dtype);
        const dStart = b.reduceSum(b.mul(b.mul(diff, dn3), b.unsqueeze(first, [2])), [0, 1], { keepdims: false, name: 'd_start' });
        // end: P(y_last = j) - [gold_last = j]
        const zeroRow = b.constantOfShape(b.shape(f.alphaFinal), { dtype, value: GRAPH_FORBIDDEN_SCORE });
        const endLog = b.where(b.unsqueeze(f.startedFinal, [1]), b.sub(b.add(f.alphaFinal, sc.end), b.unsqueeze(f.logZ, [1])), zeroRow);
        const endGold = oneHot(f.lastLabel, f.startedFinal);
        const dEnd = b.reduceSum(b.mul(b.sub(b.exp(endLog), endGold), b.unsqueeze(dNll, [1])), [0], { keepdims: false, name: 'd_end' });
        // transitions: pairwise posteriors - gold pair counts, both weighted by dNll
        const pairMask = b.and(f.valid, f.startedIn);
        const w = b.mul(b.cast(pairMask, dtype), b.unsqueeze(dNll, [0]));
        const fromGold = b.reshape(b.mul(oneHot(f.prevLabelIn, pairMask), b.unsqueeze(w, [2])), [-1, L]);
        const toGold = b.reshape(oneHot(f.labels, pairMask), [-1, L]);
        const goldPairs = b.matmul(b.transpose(fromGold, [1, 0]), toGold, { name: 'gold_pairs' });
        const dTrans = b.sub(post.pairwise, goldPairs, { name: 'd_trans' });
        return [dEmissions, dTrans, dStart, dEnd];
      },
    });
    const loss = g.div(g.reduceSum(f.nll, null, { keepdims: false }), g.max([f.scored, 1]), { name: 'loss' });
    return { loss, nll: f.nll, forward: f };
  });
}
