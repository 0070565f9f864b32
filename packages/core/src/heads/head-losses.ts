/**
 * The seed's HierarchicalPrototypeLoss, one scalar per part (each reported separately; the artifact builder
 * weights and sums them with weights fed per step):
 *
 *   entity     mean over labelled tokens (label != -100: the first sub-token of each labelled word) of
 *              w[y] (1 - p_y)^gamma (-log p_y), p_y = exp(emissions[y]). With w = 1 and gamma = 0 (the
 *              defaults fed by entityLossFeeds) it is the plain NLL; with Cui et al.'s class-balanced
 *              weights and Lin et al.'s gamma it is the class-balanced focal loss. Both are graph inputs, so
 *              a curriculum switches focal loss on and off without rebuilding graphs.
 *   group      mean cross-entropy of the group head against labelToGroup(y) on the same tokens
 *   proto_reg  mean over label pairs i < j of relu(cos(p_i, p_j) - margin)^2, on the L2-normalised
 *              prototypes. Default margin 0.1: random directions in 256 dimensions have |cos| around
 *              1/sqrt(256) = 0.06, so chance overlap is free and only real similarity is pushed apart.
 *              Computed from the full Gram matrix: (sum over all i, j - the diagonal) / (L (L - 1)), so no
 *              L x L mask constant is stored.
 *   crf        crf-graph.ts (the CRF NLL per scored token)
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { TensorRef } from '../onnx/types.js';
import { HybridocError } from '../util/errors.js';

/** Labels equal to this are ignored by every loss. */
export const LOSS_IGNORE_INDEX = -100;
/** proto_reg margin when the model options name none. */
export const DEFAULT_PROTOTYPE_MARGIN = 0.1;
/** Cui et al. 2019's beta and Lin et al. 2017's gamma, the seed's values. */
export const DEFAULT_FOCAL_BETA = 0.9999;
export const DEFAULT_FOCAL_GAMMA = 2.0;
/** 1 - p is clipped below at this before the focal power (a finite gradient when p rounds to 1). */
const FOCAL_FLOOR = 1e-12;

interface Masked {
  valid: TensorRef;
  safe: TensorRef;
  weight: TensorRef;
  count: TensorRef;
}

function masked(g: GraphBuilder, labels: TensorRef, dtype: TensorRef['dtype']): Masked {
  const valid = g.not(g.equal(labels, LOSS_IGNORE_INDEX), { name: 'valid' });
  const safe = g.where(valid, labels, 0, { name: 'safe_labels' });
  const weight = g.cast(valid, dtype, { name: 'mask' });
  const count = g.max([g.reduceSum(weight, null, { keepdims: false }), 1], { name: 'count' });
  return { valid, safe, weight, count };
}

/** logProbs[..., y] for int64 labels y (safe: no -100). */
function pick(g: GraphBuilder, logProbs: TensorRef, safe: TensorRef, name: string): TensorRef {
  return g.squeeze(g.gatherElements(logProbs, g.unsqueeze(safe, [-1]), { axis: -1 }), [-1], { name });
}

export interface EntityLossOptions {
  /** per-label weights [L] (class-balanced); default: none (all 1) */
  classWeights?: TensorRef;
  /** focusing exponent, a scalar tensor or a number; default: 0 (no focusing) */
  focalGamma?: TensorRef | number;
}

/** The entity term: (class-balanced, focal) NLL of the label log-probabilities [B, T, L] on labelled tokens. */
export function entityLoss(g: GraphBuilder, logProbs: TensorRef, labels: TensorRef, o: EntityLossOptions = {}): TensorRef {
  return g.scope('entity_loss', () => {
    const dtype = logProbs.dtype;
    const m = masked(g, labels, dtype);
    const logP = pick(g, logProbs, m.safe, 'log_p');
    let term = g.neg(logP, { name: 'nll' });
    const gamma = o.focalGamma;
    if (gamma !== undefined && !(typeof gamma === 'number' && gamma === 0)) {
      const oneMinus = g.clip(g.sub(g.constant(1, { dtype }), g.exp(logP)), FOCAL_FLOOR, 1, { name: 'one_minus_p' });
      const power = typeof gamma === 'number' ? g.constant(gamma, { dtype }) : gamma;
      term = g.mul(g.pow(oneMinus, power, { name: 'focal_factor' }), term);
    }
    if (o.classWeights) term = g.mul(g.gather(o.classWeights, m.safe, { axis: 0, name: 'label_weight' }), term);
    const total = g.reduceSum(g.mul(term, m.weight), null, { keepdims: false, name: 'total' });
    return g.div(total, m.count, { name: 'loss' });
  });
}

/** The group term: cross-entropy of group log-probabilities [B, T, C] against labelToGroup(label). */
export function groupLoss(g: GraphBuilder, groupLogProbs: TensorRef, labels: TensorRef, labelToGroup: ArrayLike<number>): TensorRef {
  return g.scope('group_loss', () => {
    const m = masked(g, labels, groupLogProbs.dtype);
    const toGroup = g.constInt64(Array.from(labelToGroup), { name: 'label_to_group' });
    const target = g.gather(toGroup, m.safe, { axis: 0, name: 'group_target' });
    const logQ = pick(g, groupLogProbs, target, 'log_q');
    const total = g.reduceSum(g.mul(g.neg(logQ), m.weight), null, { keepdims: false, name: 'total' });
    return g.div(total, m.count, { name: 'loss' });
  });
}

/** The prototype regulariser on L2-normalised prototypes [L, P]. */
export function prototypeRegularization(g: GraphBuilder, prototypes: TensorRef, margin = DEFAULT_PROTOTYPE_MARGIN): TensorRef {
  const L = prototypes.shape?.[0];
  if (typeof L !== 'number') throw new HybridocError(`proto_reg: the prototypes '${prototypes.name}' need a static label count`);
  return g.scope('proto_reg', () => {
    const dtype = prototypes.dtype;
    if (L < 2) return g.constant(0, { dtype, name: 'loss' });
    const gram = g.matmul(prototypes, g.transpose(prototypes, [1, 0]), { name: 'gram' });
    const hinge = (x: TensorRef) => {
      const r = g.relu(g.sub(x, margin));
      return g.reduceSum(g.mul(r, r), null, { keepdims: false });
    };
    const diagonal = g.reduceSum(g.mul(prototypes, prototypes), [-1], { keepdims: false, name: 'self_similarity' });
    return g.div(g.sub(hinge(gram), hinge(diagonal)), L * (L - 1), { name: 'loss' });
  });
}

/**
 * Cui et al. 2019 class-balanced weights from per-label counts: w_c = (1 - beta) / (1 - beta^n_c), counts
 * below 1 taken as 1, normalised so the weights sum to the number of labels (their mean is 1).
 */
export function classBalancedWeights(counts: ArrayLike<number>, beta = DEFAULT_FOCAL_BETA): Float64Array {
  if (!(beta >= 0 && beta < 1)) throw new HybridocError(`focal loss: beta must be in [0, 1), got ${beta}`);
  const n = counts.length;
  const w = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const k = Math.max(1, counts[c]);
    w[c] = beta === 0 ? 1 : (1 - beta) / -Math.expm1(k * Math.log(beta));
  }
  const sum = w.reduce((a, b) => a + b, 0);
  for (let c = 0; c < n; c++) w[c] *= n / sum;
  return w;
}
