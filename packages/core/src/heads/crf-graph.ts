/**
 * The adaptive CRF inside training graphs: the dense transition scores built from the structured
 * parameters (decoding/crf-structure.ts defines them and the formula), and the negative log-likelihood of
 * the gold label path by the forward algorithm, with a hand-written backward (posterior marginals minus gold
 * counts) as a custom-gradient block.
 *
 * Dense transitions from the structured parameters (plain ops, differentiated by autodiff):
 *
 *   trans = M G M^T                       M [L, C] one-hot of label -> group (the group-to-group term)
 *         + U_big V_big^T                 U_big [L, r * groups]: group g's U_g rows placed at its labels
 *                                         (zero elsewhere), so the product is the block-diagonal residual
 *         + ScatterND(0, (B_e,I_e) -> bi[e], (I_e,I_e) -> ii[e])
 *   trans = Where(allowed, trans, GRAPH_FORBIDDEN_SCORE);   start = Where(not I-X, crf.start, FORBIDDEN)
 *
 * which is compileCrf's trans[i][j] exactly (tests compare it with denseTransitions()). No L x L index
 * tensor is stored: the constants are M [L, C], per-group row indices [L], 2E scatter indices and the
 * allowed mask (L x L booleans).
 *
 * The forward algorithm runs over every position with masking: a position whose label is -100 (padding,
 * special tokens, non-first sub-tokens, unlabelled words) leaves the forward message unchanged, so the
 * transitions join consecutive *scored* positions, as decoding does. Each step is the dense log-space
 * recursion alpha'[j] = emit[j] + logsumexp_i(alpha[i] + trans[i][j]) over a [batch, L, L] temporary (as
 * torchcrf does): exact in float32 whatever the spread of the scores, at B L^2 exponentials per step (the
 * factorised form the TS decoder uses would need per-group gathers in the scan body; at L = 161 the dense
 * step is 26K per row and cheap next to the backbone). Memory is O(seq x batch x labels): the per-step
 * messages are the only stored tensors; the [batch, L, L] temporaries live inside one step.
 *
 * Backward (custom-gradient block over emissions, trans, start, end -> per-sequence NLL):
 *   d/d emit[t][j]  = P(y_t = j) - [gold_t = j]                         (scored t only)
 *   d/d trans[i][j] = sum_t P(y_{t-1} = i, y_t = j) - gold counts        (a reverse Scan accumulates the
 *                     pairwise posteriors, exp(alpha_{t-1}[i] + trans[i][j] + emit_t[j] + beta_t[j] - log Z))
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
    // within-group low-rank residual: U_big V_big^T
    if (s.rank > 0 && s.residualGroups.length > 0) {
      const r = s.rank;
      const zeroRow = g.constantOfShape([1, r], { dtype, value: 0, name: 'zero_row' });
      const place = (role: 'u' | 'v') =>
        g.concat(
          s.residualGroups.map((grp) => {
            const rows = new Array<number>(L).fill(0);
            for (const l of s.groupLabels[grp]) rows[l] = s.labelPosInGroup[l] + 1;
            const padded = g.concat([zeroRow, P(`crf.residual_${role}.${s.groupNames[grp]}`)], 0);
            return g.gather(padded, g.constInt64(rows, { name: `rows_${s.groupNames[grp]}` }), { axis: 0 });
          }),
          1,
          { name: `${role}_big` },
        );
      trans = g.add(trans, g.matmul(place('u'), g.transpose(place('v'), [1, 0])), { name: 'with_residual' });
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
}

/** log-sum-exp over one axis (max-shifted, so exact for any finite input). */
function logSumExp(g: GraphBuilder, x: TensorRef, axis: number, name: string): TensorRef {
  const m = g.reduceMax(x, [axis], { keepdims: true });
  const s = g.log(g.reduceSum(g.exp(g.sub(x, m)), [axis], { keepdims: false }));
  return g.add(s, g.squeeze(m, [axis]), { name });
}

/**
 * The forward algorithm over emissions [B, T, L] and int64 labels [B, T] (-100 = not scored). Plain nodes:
 * crfNegLogLikelihood wraps them in the custom-gradient block.
 */
export function crfForward(g: GraphBuilder, emissions: TensorRef, labels: TensorRef, sc: CrfScores, L: number): CrfForward {
  const dtype = emissions.dtype;
  const validBT = g.not(g.equal(labels, IGNORE), { name: 'valid' });
  const safeBT = g.where(validBT, labels, 0, { name: 'safe_labels' });
  const batch = g.shape(emissions, { start: 0, end: 1, name: 'batch' });
  const alpha0 = g.constantOfShape(g.concat([batch, g.constInt64([L])], 0), { dtype, value: 0, name: 'alpha0' });
  const started0 = g.constantOfShape(batch, { dtype: 'bool', value: 0, name: 'started0' });
  const gold0 = g.constantOfShape(batch, { dtype, value: 0, name: 'gold0' });
  const prev0 = g.constantOfShape(batch, { dtype: 'int64', value: 0, name: 'prev0' });
  const transFlat = g.reshape(sc.trans, [-1], { name: 'trans_flat' });
  const { states, scanOutputs } = g.scan(
    {
      name: 'crf_forward',
      states: [alpha0, started0, gold0, prev0],
      scanInputs: [emissions, validBT, safeBT],
      scanInputAxes: [1, 1, 1],
      stateShapes: [[null, L], [null], [null], [null]],
    },
    (b, [alpha, started, gold, prev], [emit, valid, y]) => {
      const scores = b.add(b.unsqueeze(alpha, [2]), sc.trans, { name: 'pair_scores' });
      const step = b.add(logSumExp(b, scores, 1, 'lse'), emit, { name: 'step' });
      const first = b.add(emit, sc.start, { name: 'first' });
      const alphaNext = b.where(b.unsqueeze(valid, [1]), b.where(b.unsqueeze(started, [1]), step, first), alpha, { name: 'alpha_next' });
      const emitGold = b.squeeze(b.gatherElements(emit, b.unsqueeze(y, [1]), { axis: 1 }), [1], { name: 'emit_gold' });
      const transGold = b.gather(transFlat, b.add(b.mul(prev, L), y), { axis: 0, name: 'trans_gold' });
      const startGold = b.gather(sc.start, y, { axis: 0, name: 'start_gold' });
      const goldNext = b.where(valid, b.add(gold, b.add(emitGold, b.where(started, transGold, startGold))), gold, { name: 'gold_next' });
      const prevNext = b.where(valid, y, prev, { name: 'prev_next' });
      const startedNext = b.or(started, valid, { name: 'started_next' });
      return { states: [alphaNext, startedNext, goldNext, prevNext], scanOutputs: [alphaNext, alpha, started, prev] };
    },
  );
  const [alphaFinal, startedFinal, goldFinal, lastLabel] = states;
  const [alpha, alphaIn, startedIn, prevLabelIn] = scanOutputs;
  const logZ = logSumExp(g, g.add(alphaFinal, sc.end), 1, 'log_z');
  const endGold = g.gather(sc.end, lastLabel, { axis: 0, name: 'end_gold' });
  const zero = g.constantOfShape(batch, { dtype, value: 0 });
  const nll = g.where(startedFinal, g.sub(logZ, g.add(goldFinal, endGold)), zero, { name: 'nll_per_sequence' });
  const scored = g.reduceSum(g.cast(validBT, dtype), null, { keepdims: false, name: 'scored_tokens' });
  return {
    nll,
    scored,
    logZ,
    alpha,
    alphaIn,
    startedIn,
    prevLabelIn,
    valid: g.transpose(validBT, [1, 0], { name: 'valid_tm' }),
    labels: g.transpose(safeBT, [1, 0], { name: 'labels_tm' }),
    alphaFinal,
    startedFinal,
    lastLabel,
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
 * The backward recursion (a reverse Scan) and the posteriors. `weights` [B] multiplies each sequence's
 * pairwise posteriors (the incoming NLL gradient; ones for plain posteriors).
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
  const batch = g.shape(emissions, { start: 0, end: 1 });
  const u0 = g.constantOfShape(g.concat([batch, g.constInt64([L])], 0), { dtype, value: 0, name: 'u0' });
  const seen0 = g.constantOfShape(batch, { dtype: 'bool', value: 0, name: 'seen0' });
  const acc0 = g.constantOfShape([L, L], { dtype, value: 0, name: 'pairwise0' });
  const pairMask = g.and(f.valid, f.startedIn, { name: 'pair_mask' });
  const logZ3 = g.unsqueeze(f.logZ, [1, 2], { name: 'log_z_3d' });
  const w2 = g.unsqueeze(weights, [0], { name: 'weights_row' });
  const { states, scanOutputs } = g.scan(
    {
      name: 'crf_backward',
      states: [u0, seen0, acc0],
      scanInputs: [emissions, f.valid, f.alphaIn, pairMask],
      scanInputAxes: [1, 0, 0, 0],
      scanInputDirections: [1, 1, 1, 1],
      scanOutputDirections: [1],
      stateShapes: [[null, L], [null], [L, L]],
    },
    (b, [u, seen, acc], [emit, valid, alphaIn, pair]) => {
      const next = b.add(sc.trans, b.unsqueeze(u, [1]), { name: 'next_scores' });
      const beta = b.where(b.unsqueeze(seen, [1]), logSumExp(b, next, 2, 'lse'), sc.end, { name: 'beta' });
      const c = b.add(emit, beta, { name: 'emit_beta' });
      // the pairwise posteriors of this step; rows without a pair get a forbidden-size score (exp -> 0)
      const from = b.where(b.unsqueeze(pair, [1]), alphaIn, GRAPH_FORBIDDEN_SCORE, { name: 'alpha_from' });
      const logXi = b.sub(b.add(b.add(b.unsqueeze(from, [2]), sc.trans), b.unsqueeze(c, [1])), logZ3, { name: 'log_xi' });
      const xi = b.reshape(b.exp(logXi), [0, -1], { name: 'xi' });
      const weighted = b.reshape(b.matmul(w2, xi), [L, L], { name: 'xi_sum' });
      const uNext = b.where(b.unsqueeze(valid, [1]), c, u, { name: 'u_next' });
      return { states: [uNext, b.or(seen, valid), b.add(acc, weighted)], scanOutputs: [beta] };
    },
  );
  const beta = scanOutputs[0];
  const logMarg = g.sub(g.add(f.alpha, beta), g.unsqueeze(f.logZ, [0, 2]), { name: 'log_marginals' });
  const valid3 = g.unsqueeze(f.valid, [2]);
  const marginals = g.exp(g.where(valid3, logMarg, GRAPH_FORBIDDEN_SCORE), { name: 'marginals' });
  return { beta, marginals, pairwise: states[2] };
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
