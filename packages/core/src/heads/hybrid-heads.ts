/**
 * The seed's HierarchicalPrototypeClassifier and its standard classifier, as graph builders over any
 * hidden states [batch, seq, hidden]. Parameters come by checkpoint name (model/parameters.ts):
 *
 *   group head      h -> dense [G, H] -> GELU -> dropout -> classifier [C, G] -> log-softmax over C classes
 *   prototype head  h -> projection [P, H] -> L2-normalised embedding e;  prototypes [L, P] L2-normalised
 *                   sim[l] = exp(logit_scale) * cos(e, p_l)
 *   combination     normalized: log P(l) = log P(g(l)) + sim[l] - logsumexp_{k in g(l)} sim[k]
 *                   (P(label) = P(group) x P(label | group); O is alone in the outside group, so its
 *                   within-group term is exactly 0 and log P(O) = log P(outside); each row sums to 1)
 *                   product: the seed's literal logit[l] = P(g(l)) x sim[l], then log-softmax over all labels
 *   baseline head   h -> classifier [L, H] -> log-softmax (the seed's "standard classifier")
 *
 * Dropout (reproducible, seeded by the step's dropout_seed): head_dropout on the hidden states entering the
 * heads (as Hugging Face's token-classification head does) and after the group head's GELU.
 *
 * The within-group log-sum-exp gathers the labels into group order once and splits them into the groups'
 * contiguous runs, one ReduceLogSumExp each; label <-> group moves are MatMuls with the [L, C] membership
 * matrix, so no L x L constant is stored.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { TensorRef } from '../onnx/types.js';
import { reproducibleDropout } from '../autodiff/dropout.js';
import type { LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';

/** How the group and prototype scores become label log-probabilities. */
export type CombineMode = 'normalized' | 'product';

/** The schema's index maps the heads need (a LabelSchema has them all). */
export type HeadSchema = Pick<LabelSchema, 'numLabels' | 'numGroupClasses' | 'labelToGroup' | 'groupLabels'>;

export interface HeadBuildOptions {
  schema: HeadSchema;
  combine?: CombineMode;
  /** dropout probability on the heads' input and after the group head's GELU */
  dropout?: number;
  training?: boolean;
  /** int64 scalar; required when training with dropout > 0 */
  dropoutSeed?: TensorRef;
  /** first dropout salt (the heads use two: input, group hidden) */
  saltBase?: number;
  /** 'gelu' (exact, Erf: float32 only in ONNX Runtime) or 'gelu_tanh' (float64 numerical checks) */
  activation?: 'gelu' | 'gelu_tanh';
}

export interface HybridHeadOutputs {
  /** per-token label log-probabilities [B, T, L] */
  emissions: TensorRef;
  /** group log-probabilities [B, T, C] and probabilities */
  groupLogProbs: TensorRef;
  groupProbs: TensorRef;
  /** L2-normalised prototype-space embeddings [B, T, P] */
  embeddings: TensorRef;
  /** L2-normalised prototypes [L, P] */
  prototypes: TensorRef;
  /** cosine similarities [B, T, L] and their scaled form exp(logit_scale) * cos */
  cosine: TensorRef;
  similarities: TensorRef;
}

/** Parameter names the hybrid heads read. */
export const HYBRID_HEAD_PARAMS = {
  groupDenseWeight: 'heads.group.dense.weight',
  groupDenseBias: 'heads.group.dense.bias',
  groupClassifierWeight: 'heads.group.classifier.weight',
  groupClassifierBias: 'heads.group.classifier.bias',
  projectionWeight: 'heads.prototype.projection.weight',
  projectionBias: 'heads.prototype.projection.bias',
  prototypes: 'heads.prototype.prototypes',
  logitScale: 'heads.prototype.logit_scale',
} as const;

export const BASELINE_HEAD_PARAMS = {
  weight: 'heads.baseline.classifier.weight',
  bias: 'heads.baseline.classifier.bias',
} as const;

/** Added under the square root of the L2 norm (a finite gradient at 0; F.normalize uses max(norm, 1e-12)). */
export const L2_NORM_EPSILON = 1e-12;

function param(params: ReadonlyMap<string, TensorRef>, name: string): TensorRef {
  const t = params.get(name);
  if (!t) throw new HybridocError(`heads: no parameter '${name}'`);
  return t;
}

/** y = x W^T + b, W [out, in] (a torch Linear). */
export function linear(g: GraphBuilder, x: TensorRef, w: TensorRef, b: TensorRef, name: string): TensorRef {
  return g.add(g.matmul(x, g.transpose(w, [1, 0]), { name: `${name}.matmul` }), b, { name });
}

export function gelu(g: GraphBuilder, x: TensorRef, kind: 'gelu' | 'gelu_tanh' = 'gelu'): TensorRef {
  if (kind === 'gelu') return g.mul(g.mul(x, 0.5), g.add(g.erf(g.mul(x, Math.SQRT1_2)), 1), { name: 'gelu' });
  const inner = g.mul(g.add(x, g.mul(g.mul(g.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return g.mul(g.mul(x, 0.5), g.add(g.tanh(inner), 1), { name: 'gelu_tanh' });
}

/** x / sqrt(sum x^2 + eps) over the last axis. */
export function l2Normalize(g: GraphBuilder, x: TensorRef, name: string): TensorRef {
  const norm = g.sqrt(g.add(g.reduceSum(g.mul(x, x), [-1], { keepdims: true }), L2_NORM_EPSILON));
  return g.div(x, norm, { name });
}

function dropout(g: GraphBuilder, x: TensorRef, o: HeadBuildOptions, salt: number): TensorRef {
  const p = o.dropout ?? 0;
  if (!o.training || p <= 0) return x;
  if (!o.dropoutSeed) throw new HybridocError('heads: a training forward with dropout needs the dropout seed');
  return reproducibleDropout(g, x, p, o.dropoutSeed, salt, true);
}

/** [L, C] one-hot of label -> group, as a constant of `dtype`. */
export function groupMembership(g: GraphBuilder, schema: HeadSchema, dtype: TensorRef['dtype']): TensorRef {
  const L = schema.numLabels;
  const C = schema.numGroupClasses;
  const m = new Array<number>(L * C).fill(0);
  for (let l = 0; l < L; l++) m[l * C + schema.labelToGroup[l]] = 1;
  return g.constant(m, { dtype, dims: [L, C], name: 'label_group_membership' });
}

/** The labels in group order (each group a contiguous run, increasing id) and the runs' lengths. */
export function groupOrder(schema: HeadSchema): { order: number[]; sizes: number[] } {
  const order: number[] = [];
  const sizes: number[] = [];
  for (let gi = 0; gi < schema.numGroupClasses; gi++) {
    const ls = [...schema.groupLabels[gi]].sort((a, b) => a - b);
    if (ls.length === 0) throw new HybridocError(`heads: group ${gi} has no labels`);
    order.push(...ls);
    sizes.push(ls.length);
  }
  return { order, sizes };
}

/**
 * log P(l) from group log-probabilities [B, T, C] and scaled similarities [B, T, L] (see the file header).
 */
export function combineScores(
  g: GraphBuilder,
  groupLogProbs: TensorRef,
  similarities: TensorRef,
  schema: HeadSchema,
  mode: CombineMode = 'normalized',
): TensorRef {
  return g.scope('combine', () => {
    const M = groupMembership(g, schema, similarities.dtype);
    const Mt = g.transpose(M, [1, 0], { name: 'group_to_label' });
    if (mode === 'product') {
      const groupProbOfLabel = g.matmul(g.exp(groupLogProbs), Mt, { name: 'group_prob_of_label' });
      return g.logSoftmax(g.mul(groupProbOfLabel, similarities, { name: 'product_logits' }), { axis: -1, name: 'emissions' });
    }
    if (mode !== 'normalized') throw new HybridocError(`heads: combine must be normalized or product, got '${String(mode)}'`);
    const { order, sizes } = groupOrder(schema);
    const grouped = g.gather(similarities, g.constInt64(order, { name: 'group_order' }), { axis: -1, name: 'grouped' });
    const runs = sizes.length === 1 ? [grouped] : g.split(grouped, sizes, { axis: -1 });
    const lse = g.concat(
      runs.map((r) => g.reduceLogSumExp(r, [-1], { keepdims: true })),
      -1,
      { name: 'group_lse' },
    );
    const within = g.sub(similarities, g.matmul(lse, Mt), { name: 'within_group' });
    return g.add(g.matmul(groupLogProbs, Mt, { name: 'group_log_prob_of_label' }), within, { name: 'emissions' });
  });
}

/** The group head, the prototype head and their combination over hidden [B, T, H]. */
export function buildHybridHeads(
  g: GraphBuilder,
  hidden: TensorRef,
  params: ReadonlyMap<string, TensorRef>,
  o: HeadBuildOptions,
): HybridHeadOutputs {
  const P = (n: string) => param(params, n);
  const salt = o.saltBase ?? 0;
  const act = o.activation ?? 'gelu';
  return g.scope('heads', () => {
    const h = dropout(g, hidden, o, salt);
    const groupLogProbs = g.scope('group', () => {
      const dense = gelu(g, linear(g, h, P(HYBRID_HEAD_PARAMS.groupDenseWeight), P(HYBRID_HEAD_PARAMS.groupDenseBias), 'dense'), act);
      const logits = linear(
        g,
        dropout(g, dense, o, salt + 1),
        P(HYBRID_HEAD_PARAMS.groupClassifierWeight),
        P(HYBRID_HEAD_PARAMS.groupClassifierBias),
        'logits',
      );
      return g.logSoftmax(logits, { axis: -1, name: 'log_probs' });
    });
    const groupProbs = g.exp(groupLogProbs, { name: 'group_probs' });
    const proto = g.scope('prototype', () => {
      const embeddings = l2Normalize(
        g,
        linear(g, h, P(HYBRID_HEAD_PARAMS.projectionWeight), P(HYBRID_HEAD_PARAMS.projectionBias), 'projection'),
        'embeddings',
      );
      const prototypes = l2Normalize(g, P(HYBRID_HEAD_PARAMS.prototypes), 'prototypes');
      const cosine = g.matmul(embeddings, g.transpose(prototypes, [1, 0]), { name: 'cosine' });
      const similarities = g.mul(cosine, g.exp(P(HYBRID_HEAD_PARAMS.logitScale)), { name: 'similarities' });
      return { embeddings, prototypes, cosine, similarities };
    });
    const emissions = combineScores(g, groupLogProbs, proto.similarities, o.schema, o.combine ?? 'normalized');
    return { emissions, groupLogProbs, groupProbs, ...proto };
  });
}

export interface BaselineHeadOutputs {
  emissions: TensorRef;
  /** P(group) = sum of the label probabilities of each group [B, T, C] */
  groupProbs: TensorRef;
  /** L2-normalised hidden states [B, T, H] */
  embeddings: TensorRef;
}

/** The seed's standard classifier: hidden -> L logits -> log-softmax. */
export function buildBaselineHead(
  g: GraphBuilder,
  hidden: TensorRef,
  params: ReadonlyMap<string, TensorRef>,
  o: HeadBuildOptions,
): BaselineHeadOutputs {
  return g.scope('heads', () => {
    const h = dropout(g, hidden, o, o.saltBase ?? 0);
    const logits = linear(g, h, param(params, BASELINE_HEAD_PARAMS.weight), param(params, BASELINE_HEAD_PARAMS.bias), 'baseline_logits');
    const emissions = g.logSoftmax(logits, { axis: -1, name: 'emissions' });
    const groupProbs = g.matmul(g.exp(emissions), groupMembership(g, o.schema, emissions.dtype), { name: 'group_probs' });
    return { emissions, groupProbs, embeddings: l2Normalize(g, hidden, 'embeddings') };
  });
}
