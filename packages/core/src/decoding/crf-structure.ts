/**
 * The adaptive CRF's structured transition model: what its parameters are, and how the dense label-to-label
 * transition score follows from them. Decoding (viterbi.ts, forward-backward.ts) and the graph-side CRF
 * (training NLL) both build on this definition, so the two agree by construction.
 *
 * Notation (all sizes come from the label schema, none is fixed): L labels, E entities, C = numGroupClasses
 * group classes (the entity groups, then the outside group holding O, id outsideGroup = C - 1), g(l) the
 * group of label l, p(l) the position of l in its group's label list `groupLabels[g]` (increasing label id),
 * n_g = |groupLabels[g]|, B_e / I_e the B-/I- labels of entity e, e(l) the entity of label l, and r the rank.
 *
 * Parameters, in this order (`crfStructure(...).params` lists them with their shapes):
 *
 *   crf.group_transitions   [C, C]     G[a][b]: score of a step from a label of group a to a label of group b
 *   crf.begin_inside        [E] or [1] bi[e]: extra score of B_e -> I_e (one value for all when bioScalars=shared)
 *   crf.inside_inside       [E] or [1] ii[e]: extra score of I_e -> I_e
 *   crf.residual_u.<group>  [n_g, r]   U_g, one per entity group (not the outside group), only when r > 0
 *   crf.residual_v.<group>  [n_g, r]   V_g; the within-group residual is R_g = U_g V_g^T  [n_g, n_g]
 *   crf.start               [L]        score of a sequence starting with label l (entries of I-X labels unused)
 *   crf.end                 [L]        score of a sequence ending with label l
 *
 * Count: C^2 + 2E (or 2) + 2r * (labels outside O) + 2L; at 161 labels, 20 group classes and r = 2 that is
 * 400 + 160 + 640 + 322 = 1,522, against 25,921 for a free 161 x 161 matrix (crfParamCount, denseCrfParamCount).
 * The start entries of I-X labels are never used (a graph masks them; their gradient is 0).
 *
 * Rows of U_g / V_g follow groupLabels[g], i.e. increasing label id, so labels appended later (add-label)
 * append rows and never move old ones. The dense transition score from label i (position t-1) to j (t) is
 *
 *   trans[i][j] = FORBIDDEN                                    if j = I_e and i is neither B_e nor I_e
 *               = G[g(i)][g(j)]
 *                 + [g(i) = g(j) != outside] * sum_k U_g[p(i)][k] V_g[p(j)][k]
 *                 + [i = B_e and j = I_e] * bi[e]          (bi[0] when shared)
 *                 + [i = I_e and j = I_e] * ii[e]          (ii[0] when shared)   otherwise;
 *
 *   startScore[j] = FORBIDDEN if j is an I-X label, else start[j];  endScore[j] = end[j].
 *
 * A path y_0..y_{K-1} over the K scored positions (padding and non-first sub-tokens are skipped, not scored)
 * scores startScore[y_0] + sum_t emit[t][y_t] + sum_{t>0} trans[y_{t-1}][y_t] + endScore[y_{K-1}].
 *
 * Hard BIO constraints: an I-X label follows only B-X or I-X of the same entity, and no sequence starts with
 * I-X. FORBIDDEN is -Infinity in TypeScript decoding (exact: those paths have probability 0). A graph that
 * materialises the dense matrix should use GRAPH_FORBIDDEN_SCORE (-1e4) instead: exp(-1e4 + x) is exactly 0
 * in float32 for any realistic x, so probabilities match, and no -inf - -inf = NaN reaches the gradients.
 *
 * Why this factorises: a step into a label of another group depends only on the pair of groups, and a step
 * into I_e has only two possible predecessors. So max/logsumexp over predecessors is: per source group the
 * best (or summed) score, then the C x C group step, then the within-group blocks, then two terms per I-X.
 */
import type { LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import { seededUniform } from '../util/random.js';

/** Score of a forbidden transition or start in TypeScript decoding. */
export const FORBIDDEN_SCORE = Number.NEGATIVE_INFINITY;
/** Finite stand-in for FORBIDDEN_SCORE inside ONNX graphs (see the file header). */
export const GRAPH_FORBIDDEN_SCORE = -1e4;

export type BioScalarSharing = 'per_entity' | 'shared';

export interface CrfStructureOptions {
  /** rank r of the within-group residual; 0 disables it (default 2) */
  rank?: number;
  /** one begin_inside / inside_inside value per entity (default) or one shared value */
  bioScalars?: BioScalarSharing;
}

export type CrfParamRole = 'group_transitions' | 'begin_inside' | 'inside_inside' | 'residual_u' | 'residual_v' | 'start' | 'end';

export interface CrfParamSpec {
  /** initializer name, e.g. "crf.residual_u.line_items" */
  name: string;
  shape: number[];
  role: CrfParamRole;
  /** the group, for residual_u / residual_v */
  group?: number;
}

/** Parameter values by name, row-major float32. */
export type CrfParams = Record<string, Float32Array>;

export interface CrfStructure {
  schemaHash: string;
  schema: LabelSchema;
  numLabels: number;
  numEntities: number;
  /** C: entity groups + the outside group */
  numGroups: number;
  outsideGroup: number;
  rank: number;
  bioScalars: BioScalarSharing;
  labelToGroup: Int32Array;
  /** entity of a label, -1 for O */
  labelToEntity: Int32Array;
  /** position of a label in its group's label list */
  labelPosInGroup: Int32Array;
  /** 1 for I-X labels */
  isInside: Uint8Array;
  /** entity -> its B- label / I- label */
  beginLabel: Int32Array;
  insideLabel: Int32Array;
  /** label ids per group, increasing */
  groupLabels: Int32Array[];
  groupNames: string[];
  /** groups that carry residual_u / residual_v (the entity groups, when rank > 0) */
  residualGroups: number[];
  params: CrfParamSpec[];
}

export function crfStructure(schema: LabelSchema, options: CrfStructureOptions = {}): CrfStructure {
  const rank = options.rank ?? 2;
  const bioScalars = options.bioScalars ?? 'per_entity';
  if (!Number.isInteger(rank) || rank < 0) throw new HybridocError(`crf: rank: must be a non-negative integer, got ${rank}`);
  if (bioScalars !== 'per_entity' && bioScalars !== 'shared') {
    throw new HybridocError(`crf: bioScalars: must be per_entity or shared, got "${String(bioScalars)}"`);
  }
  const L = schema.numLabels;
  const E = schema.numEntities;
  const C = schema.numGroupClasses;
  const groupLabels = schema.groupLabels.map((ls) => Int32Array.from(ls).sort());
  const labelPosInGroup = new Int32Array(L).fill(-1);
  groupLabels.forEach((ls) => ls.forEach((l, p) => (labelPosInGroup[l] = p)));
  const isInside = new Uint8Array(L);
  const beginLabel = new Int32Array(E);
  const insideLabel = new Int32Array(E);
  schema.bioPairs.forEach(([b, i], e) => {
    beginLabel[e] = b;
    insideLabel[e] = i;
    isInside[i] = 1;
    if (schema.labelToGroup[b] !== schema.labelToGroup[i])
      throw new HybridocError(`crf: entity ${e}: B- and I- labels in different groups`);
  });
  for (let l = 0; l < L; l++) if (labelPosInGroup[l] < 0) throw new HybridocError(`crf: label ${l} is in no group`);
  const residualGroups: number[] = [];
  if (rank > 0) for (let g = 0; g < C; g++) if (g !== schema.outsideGroup) residualGroups.push(g);
  const groupNames = schema.groups.map((g) => g.name);
  const nScalars = bioScalars === 'shared' ? 1 : E;
  const params: CrfParamSpec[] = [
    { name: 'crf.group_transitions', shape: [C, C], role: 'group_transitions' },
    { name: 'crf.begin_inside', shape: [nScalars], role: 'begin_inside' },
    { name: 'crf.inside_inside', shape: [nScalars], role: 'inside_inside' },
  ];
  for (const g of residualGroups) {
    params.push({ name: `crf.residual_u.${groupNames[g]}`, shape: [groupLabels[g].length, rank], role: 'residual_u', group: g });
    params.push({ name: `crf.residual_v.${groupNames[g]}`, shape: [groupLabels[g].length, rank], role: 'residual_v', group: g });
  }
  params.push({ name: 'crf.start', shape: [L], role: 'start' }, { name: 'crf.end', shape: [L], role: 'end' });
  return {
    schemaHash: schema.hash,
    schema,
    numLabels: L,
    numEntities: E,
    numGroups: C,
    outsideGroup: schema.outsideGroup,
    rank,
    bioScalars,
    labelToGroup: Int32Array.from(schema.labelToGroup),
    labelToEntity: Int32Array.from(schema.labelToEntity),
    labelPosInGroup,
    isInside,
    beginLabel,
    insideLabel,
    groupLabels,
    groupNames,
    residualGroups,
    params,
  };
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Number of CRF parameters (start/end included). */
export function crfParamCount(s: CrfStructure): number {
  return s.params.reduce((n, p) => n + size(p.shape), 0);
}

/** Parameters of a free dense CRF over the same labels: the L x L matrix (and, with boundaries, 2L start/end). */
export function denseCrfParamCount(numLabels: number, withBoundaries = false): number {
  return numLabels * numLabels + (withBoundaries ? 2 * numLabels : 0);
}

/** Throw one clear line when a parameter is missing or has the wrong size. */
export function checkCrfParams(s: CrfStructure, params: CrfParams): void {
  for (const p of s.params) {
    const v = params[p.name];
    if (!(v instanceof Float32Array)) throw new HybridocError(`crf: ${p.name}: missing (expected float32 [${p.shape.join(', ')}])`);
    if (v.length !== size(p.shape))
      throw new HybridocError(`crf: ${p.name}: expected ${size(p.shape)} values [${p.shape.join(', ')}], got ${v.length}`);
  }
}

export interface CrfInitOptions {
  seed?: number;
  /** uniform(-scale, scale) for residual_u (default 0.01); residual_v starts at 0, as in LoRA, so R_g = 0 */
  residualScale?: number;
  /** when set, every parameter (residual_v and the scalars included) is uniform(-randomScale, randomScale):
   *  random scores for tests and benchmarks, not a training initialisation */
  randomScale?: number;
}

/** Initial values: zeros everywhere except residual_u (small uniform) so the residual can start learning. */
export function initCrfParams(s: CrfStructure, options: CrfInitOptions = {}): CrfParams {
  const rnd = seededUniform(options.seed ?? 0);
  const out: CrfParams = {};
  for (const p of s.params) {
    const v = new Float32Array(size(p.shape));
    const scale = options.randomScale ?? (p.role === 'residual_u' ? (options.residualScale ?? 0.01) : 0);
    if (scale !== 0) for (let k = 0; k < v.length; k++) v[k] = (2 * rnd() - 1) * scale;
    out[p.name] = v;
  }
  return out;
}

/**
 * Carry parameters over to a schema that appends labels (add-label): same groups, old label ids unchanged.
 * Old values are copied; a new entity's begin_inside / inside_inside is the mean over the other entities of
 * its group, its labels' start / end the mean over the same kind (B- or I-) of label in its group, and its
 * residual rows are zero (no change to any old label's score).
 */
export function extendCrfParams(from: CrfStructure, to: CrfStructure, params: CrfParams): CrfParams {
  checkCrfParams(from, params);
  const sameGroups = from.numGroups === to.numGroups && from.groupNames.every((n, g) => n === to.groupNames[g]);
  if (!sameGroups || to.numLabels < from.numLabels || to.rank !== from.rank || to.bioScalars !== from.bioScalars) {
    throw new HybridocError(
      'crf: cannot extend parameters: the new schema must keep the groups, rank and scalar sharing and only append labels',
    );
  }
  for (let l = 0; l < from.numLabels; l++) {
    if (from.labelToGroup[l] !== to.labelToGroup[l] || from.labelToEntity[l] !== to.labelToEntity[l]) {
      throw new HybridocError(`crf: cannot extend parameters: label ${l} changed its group or entity`);
    }
  }
  const out = initCrfParams(to, { residualScale: 0 });
  out['crf.group_transitions'].set(params['crf.group_transitions']);
  const meanOf = (v: Float32Array, ids: number[]) => (ids.length ? ids.reduce((a, i) => a + v[i], 0) / ids.length : 0);
  for (const name of ['crf.begin_inside', 'crf.inside_inside']) {
    const src = params[name];
    const dst = out[name];
    dst.set(src);
    for (let e = from.numEntities; e < dst.length; e++) {
      const g = to.labelToGroup[to.beginLabel[e]];
      const peers = [...Array(from.numEntities).keys()].filter((x) => from.labelToGroup[from.beginLabel[x]] === g);
      dst[e] = meanOf(src, peers);
    }
  }
  for (const name of ['crf.start', 'crf.end']) {
    const src = params[name];
    const dst = out[name];
    dst.set(src);
    for (let l = from.numLabels; l < to.numLabels; l++) {
      const g = to.labelToGroup[l];
      const peers = Array.from(from.groupLabels[g]).filter((x) => from.isInside[x] === to.isInside[l] && x !== 0);
      dst[l] = meanOf(src, peers);
    }
  }
  for (const p of from.params) {
    if (p.role !== 'residual_u' && p.role !== 'residual_v') continue;
    out[p.name].set(params[p.name]); // rows follow increasing label id, so old rows keep their place
  }
  return out;
}

/**
 * The transition model ready for decoding. Labels are laid out in group order (order[x] is the label at
 * group-ordered index x; group g holds x in [groupStart[g], groupStart[g+1]), increasing label id), so every
 * group is one contiguous run. Holds the group matrix, one dense block per group (the full within-group
 * scores, FORBIDDEN included), start/end scores with the BIO rule applied, the two allowed scores into each
 * I-X, and the linear-space forms forward-backward uses. Every dense transition value is one float32 taken
 * from here, so dense and factorised algorithms see bit-identical scores.
 */
export interface CompiledCrf {
  kind: 'structured';
  structure: CrfStructure;
  numLabels: number;
  numGroups: number;
  /** G, [C * C], row = source group */
  groupTrans: Float32Array;
  /** G transposed (row = target group) with -Infinity on the diagonal: the own group enters only through its block */
  groupTransT: Float32Array;
  /** group-ordered index -> label id, and back */
  order: Int32Array;
  indexOf: Int32Array;
  groupStart: Int32Array;
  /** 1 where order[x] is an I-X label */
  insideAt: Uint8Array;
  /** per group a block of n_g * n_g scores, target-major: blocksT[blockOffset[g] + q * n_g + p] = trans[order[g0 + p]][order[g0 + q]] */
  blocksT: Float32Array;
  blockOffset: Int32Array;
  /** start / end scores per label id [L], I-X starts FORBIDDEN */
  start: Float32Array;
  end: Float32Array;
  /** group-ordered indices of the B-X and O targets; group g's are beginTargets[beginStart[g] .. beginStart[g+1]) */
  beginTargets: Int32Array;
  beginStart: Int32Array;
  /** per B-X / O target (aligned with beginTargets): the largest score into it from its own group */
  beginColumnMax: Float32Array;
  /** per entity: group-ordered index of B-X and I-X, and the scores B-X -> I-X and I-X -> I-X */
  beginAt: Int32Array;
  insideAtEntity: Int32Array;
  scoreBeginInside: Float32Array;
  scoreInsideInside: Float32Array;
  /** max and max - min over every allowed transition score */
  transMax: number;
  transSpread: number;
  /** the larger of max - min over the allowed start scores and over the end scores */
  boundarySpread: number;
  /** exp(score - transMax) forms (0 where forbidden): G transposed with 0 diagonal, the blocks (target-major), the I-X steps */
  expGroupTransT: Float64Array;
  expBlocksT: Float64Array;
  expBeginInside: Float64Array;
  expInsideInside: Float64Array;
  /** per group, source-major [n_g, nB_g] exp forms of the steps into the group's B-X / O targets only
   *  (columns in beginTargets order), starting at beginBlockOffset[g] */
  expBeginBlocks: Float64Array;
  beginBlockOffset: Int32Array;
  /** per group-ordered source x: the I-X (group-ordered) it may step into, or -1, and exp(that score - transMax) */
  insideTargetOf: Int32Array;
  expToInside: Float64Array;
}

export function compileCrf(s: CrfStructure, params: CrfParams): CompiledCrf {
  checkCrfParams(s, params);
  const L = s.numLabels;
  const C = s.numGroups;
  const E = s.numEntities;
  const r = s.rank;
  const G = Float32Array.from(params['crf.group_transitions']);
  const bi = params['crf.begin_inside'];
  const ii = params['crf.inside_inside'];
  const scalar = (e: number) => (s.bioScalars === 'shared' ? 0 : e);
  const order = new Int32Array(L);
  const groupStart = new Int32Array(C + 1);
  const blockOffset = new Int32Array(C);
  let off = 0;
  let boff = 0;
  for (let g = 0; g < C; g++) {
    groupStart[g] = off;
    order.set(s.groupLabels[g], off);
    off += s.groupLabels[g].length;
    blockOffset[g] = boff;
    boff += s.groupLabels[g].length ** 2;
  }
  groupStart[C] = off;
  const indexOf = new Int32Array(L);
  const insideAt = new Uint8Array(L);
  for (let x = 0; x < L; x++) {
    indexOf[order[x]] = x;
    insideAt[x] = s.isInside[order[x]];
  }
  const blocksT = new Float32Array(boff);
  const hasResidual = new Uint8Array(C);
  for (const g of s.residualGroups) hasResidual[g] = 1;
  for (let g = 0; g < C; g++) {
    const ls = s.groupLabels[g];
    const n = ls.length;
    const U = hasResidual[g] ? params[`crf.residual_u.${s.groupNames[g]}`] : undefined;
    const V = hasResidual[g] ? params[`crf.residual_v.${s.groupNames[g]}`] : undefined;
    for (let p = 0; p < n; p++) {
      const i = ls[p];
      for (let q = 0; q < n; q++) {
        const j = ls[q];
        let v: number;
        if (s.isInside[j] && s.beginLabel[s.labelToEntity[j]] !== i && i !== j) v = FORBIDDEN_SCORE;
        else {
          v = G[g * C + g];
          if (U && V) for (let k = 0; k < r; k++) v += U[p * r + k] * V[q * r + k];
          if (s.isInside[j]) v += i === j ? ii[scalar(s.labelToEntity[j])] : bi[scalar(s.labelToEntity[j])];
        }
        blocksT[blockOffset[g] + q * n + p] = v;
      }
    }
  }
  const groupTransT = new Float32Array(C * C);
  for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) groupTransT[b * C + a] = a === b ? FORBIDDEN_SCORE : G[a * C + b];
  const start = Float32Array.from(params['crf.start']);
  for (let l = 0; l < L; l++) if (s.isInside[l]) start[l] = FORBIDDEN_SCORE;
  const end = Float32Array.from(params['crf.end']);
  const beginList: number[] = [];
  const beginStart = new Int32Array(C + 1);
  for (let g = 0; g < C; g++) {
    beginStart[g] = beginList.length;
    for (let x = groupStart[g]; x < groupStart[g + 1]; x++) if (!insideAt[x]) beginList.push(x);
  }
  beginStart[C] = beginList.length;
  const beginAt = new Int32Array(E);
  const insideAtEntity = new Int32Array(E);
  const scoreBeginInside = new Float32Array(E);
  const scoreInsideInside = new Float32Array(E);
  for (let e = 0; e < E; e++) {
    const g = s.labelToGroup[s.insideLabel[e]];
    const n = s.groupLabels[g].length;
    const col = blockOffset[g] + s.labelPosInGroup[s.insideLabel[e]] * n;
    beginAt[e] = indexOf[s.beginLabel[e]];
    insideAtEntity[e] = indexOf[s.insideLabel[e]];
    scoreBeginInside[e] = blocksT[col + s.labelPosInGroup[s.beginLabel[e]]];
    scoreInsideInside[e] = blocksT[col + s.labelPosInGroup[s.insideLabel[e]]];
  }

  // The spread of allowed scores, and the linear-space forms shifted by the largest one.
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of groupTransT) if (v !== FORBIDDEN_SCORE) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  for (const v of blocksT) if (v !== FORBIDDEN_SCORE) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const ex = (v: number) => Math.exp(v - hi);
  const expGroupTransT = Float64Array.from(groupTransT, ex);
  const expBlocksT = Float64Array.from(blocksT, ex);
  const beginColumnMax = new Float32Array(beginList.length);
  for (let g = 0; g < C; g++) {
    const g0 = groupStart[g];
    const n = groupStart[g + 1] - g0;
    for (let t = beginStart[g]; t < beginStart[g + 1]; t++) {
      let m = -Infinity;
      for (let p = 0; p < n; p++) m = Math.max(m, blocksT[blockOffset[g] + (beginList[t] - g0) * n + p]);
      beginColumnMax[t] = m;
    }
  }
  const beginBlockOffset = new Int32Array(C);
  let bb = 0;
  for (let g = 0; g < C; g++) {
    beginBlockOffset[g] = bb;
    bb += (groupStart[g + 1] - groupStart[g]) * (beginStart[g + 1] - beginStart[g]);
  }
  const expBeginBlocks = new Float64Array(bb);
  for (let g = 0; g < C; g++) {
    const g0 = groupStart[g];
    const n = groupStart[g + 1] - g0;
    const nB = beginStart[g + 1] - beginStart[g];
    for (let p = 0; p < n; p++) {
      for (let t = 0; t < nB; t++) {
        const q = beginList[beginStart[g] + t] - g0;
        expBeginBlocks[beginBlockOffset[g] + p * nB + t] = expBlocksT[blockOffset[g] + q * n + p];
      }
    }
  }
  const insideTargetOf = new Int32Array(L).fill(-1);
  const expToInside = new Float64Array(L);
  for (let e = 0; e < E; e++) {
    insideTargetOf[beginAt[e]] = insideAtEntity[e];
    expToInside[beginAt[e]] = ex(scoreBeginInside[e]);
    insideTargetOf[insideAtEntity[e]] = insideAtEntity[e];
    expToInside[insideAtEntity[e]] = ex(scoreInsideInside[e]);
  }
  return {
    kind: 'structured',
    structure: s,
    numLabels: L,
    numGroups: C,
    groupTrans: G,
    groupTransT,
    order,
    indexOf,
    groupStart,
    insideAt,
    blocksT,
    blockOffset,
    start,
    end,
    beginTargets: Int32Array.from(beginList),
    beginStart,
    beginColumnMax,
    beginAt,
    insideAtEntity,
    scoreBeginInside,
    scoreInsideInside,
    transMax: hi,
    transSpread: hi - lo,
    boundarySpread: Math.max(spreadOf(start), spreadOf(end)),
    expGroupTransT,
    expBlocksT,
    expBeginInside: Float64Array.from(scoreBeginInside, ex),
    expInsideInside: Float64Array.from(scoreInsideInside, ex),
    expBeginBlocks,
    beginBlockOffset,
    insideTargetOf,
    expToInside,
  };
}

function spreadOf(v: Float32Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) if (x !== FORBIDDEN_SCORE) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  return hi >= lo ? hi - lo : 0;
}

/** trans[i][j] of a compiled CRF, exactly as the dense matrix holds it. */
export function transitionScore(crf: CompiledCrf, i: number, j: number): number {
  const s = crf.structure;
  const gi = s.labelToGroup[i];
  const gj = s.labelToGroup[j];
  if (gi !== gj) return s.isInside[j] ? FORBIDDEN_SCORE : crf.groupTrans[gi * crf.numGroups + gj];
  const n = s.groupLabels[gi].length;
  return crf.blocksT[crf.blockOffset[gi] + s.labelPosInGroup[j] * n + s.labelPosInGroup[i]];
}

/** A free dense CRF: what the reference algorithms take. */
export interface DenseCrf {
  kind: 'dense';
  numLabels: number;
  /** [L * L], row = source label */
  trans: Float32Array;
  start: Float32Array;
  end: Float32Array;
}

/** The dense view of a compiled CRF (same float32 values). */
export function denseCrf(crf: CompiledCrf, forbidden = FORBIDDEN_SCORE): DenseCrf {
  const L = crf.numLabels;
  const trans = new Float32Array(L * L);
  for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) trans[i * L + j] = transitionScore(crf, i, j);
  const start = Float32Array.from(crf.start);
  if (forbidden !== FORBIDDEN_SCORE) {
    for (let k = 0; k < trans.length; k++) if (trans[k] === FORBIDDEN_SCORE) trans[k] = forbidden;
    for (let k = 0; k < L; k++) if (start[k] === FORBIDDEN_SCORE) start[k] = forbidden;
  }
  return { kind: 'dense', numLabels: L, trans, start, end: Float32Array.from(crf.end) };
}

/** The dense transition matrix trans[i * L + j] (see the header); `forbidden` replaces -Infinity (graphs: GRAPH_FORBIDDEN_SCORE). */
export function denseTransitions(s: CrfStructure, params: CrfParams, forbidden = FORBIDDEN_SCORE): Float32Array {
  return denseCrf(compileCrf(s, params), forbidden).trans;
}

/**
 * Index arrays that build the dense matrix from the parameters with gathers, for the graph builder:
 *
 *   trans_flat = Gather(flatten(G), groupPair)
 *              + Gather(concat([0], flatten(R_{g0}), flatten(R_{g1}), ...), residual)   R_g = U_g V_g^T, residualGroups order
 *              + Gather(concat([0], begin_inside), beginInside)
 *              + Gather(concat([0], inside_inside), insideInside)
 *              + allowed ? 0 : GRAPH_FORBIDDEN_SCORE   (or Where(allowed, ., GRAPH_FORBIDDEN_SCORE))
 *   start_scores = startAllowed ? crf.start : GRAPH_FORBIDDEN_SCORE;  end_scores = crf.end
 *
 * Every array is [L * L] (row = source label); index 0 of a padded gather means "no term".
 */
export interface CrfDenseLayout {
  numLabels: number;
  groupPair: Int32Array;
  residual: Int32Array;
  beginInside: Int32Array;
  insideInside: Int32Array;
  allowed: Uint8Array;
  startAllowed: Uint8Array;
}

export function crfDenseLayout(s: CrfStructure): CrfDenseLayout {
  const L = s.numLabels;
  const C = s.numGroups;
  const groupPair = new Int32Array(L * L);
  const residual = new Int32Array(L * L);
  const beginInside = new Int32Array(L * L);
  const insideInside = new Int32Array(L * L);
  const allowed = new Uint8Array(L * L);
  const residualBase = new Int32Array(C).fill(-1);
  let base = 1;
  for (const g of s.residualGroups) {
    residualBase[g] = base;
    base += s.groupLabels[g].length ** 2;
  }
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      const k = i * L + j;
      const gi = s.labelToGroup[i];
      const gj = s.labelToGroup[j];
      groupPair[k] = gi * C + gj;
      const ej = s.labelToEntity[j];
      allowed[k] = !s.isInside[j] || s.beginLabel[ej] === i || i === j ? 1 : 0;
      if (gi === gj && residualBase[gi] >= 0)
        residual[k] = residualBase[gi] + s.labelPosInGroup[i] * s.groupLabels[gi].length + s.labelPosInGroup[j];
      if (s.isInside[j] && allowed[k]) {
        const idx = 1 + (s.bioScalars === 'shared' ? 0 : ej);
        if (i === j) insideInside[k] = idx;
        else beginInside[k] = idx;
      }
    }
  }
  const startAllowed = new Uint8Array(L);
  for (let l = 0; l < L; l++) startAllowed[l] = s.isInside[l] ? 0 : 1;
  return { numLabels: L, groupPair, residual, beginInside, insideInside, allowed, startAllowed };
}

/** Operations per step (max-adds or multiply-adds) of the factorised recursions against the dense L * L. */
export function crfStepCost(s: CrfStructure): { factorised: number; dense: number } {
  const C = s.numGroups;
  let within = 0;
  let inside = 0;
  for (const ls of s.groupLabels) {
    const nBegin = Array.from(ls).filter((l) => !s.isInside[l]).length;
    within += ls.length * nBegin;
    inside += 2 * (ls.length - nBegin);
  }
  return { factorised: s.numLabels + C * (C - 1) + within + inside, dense: s.numLabels * s.numLabels };
}
