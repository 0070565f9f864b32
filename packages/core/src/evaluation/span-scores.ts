/**
 * Precision, recall and F1 from span counts, and seqeval's averages.
 *
 * As in seqeval: a division by zero gives 0 (its zero_division default); the classes averaged over are the
 * entity types that occur in the gold or the predicted spans (a type only ever predicted has support 0 and
 * F1 0, and lowers the macro average); macro averages each of precision, recall and F1 over those classes
 * (F1 is the mean of the F1s, not the F1 of the means); weighted weights them by support; micro pools the
 * counts. With no classes at all every average is 0 and `classes` says 0.
 */
import { extractEntitySpans, type SpanMode } from './bio-spans.js';

/** One row of a report: the scores and the counts they come from. */
export interface SpanScore {
  precision: number;
  recall: number;
  f1: number;
  /** gold spans */
  support: number;
  /** predicted spans */
  predicted: number;
  /** predicted spans equal to a gold span (type, start and end) */
  correct: number;
}

export interface AveragedScores {
  micro: SpanScore;
  /** support / predicted / correct are the totals */
  macro: SpanScore;
  weighted: SpanScore;
  /** number of entity types averaged over */
  classes: number;
}

/** Span counts per entity type: [correct, predicted, gold]. */
export type SpanCounts = Map<string, [number, number, number]>;

export function score(correct: number, predicted: number, support: number): SpanScore {
  const precision = predicted > 0 ? correct / predicted : 0;
  const recall = support > 0 ? correct / support : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, support, predicted, correct };
}

/** Count correct, predicted and gold spans per type for one sequence pair (equal lengths). */
export function countSpans(
  gold: readonly string[],
  pred: readonly string[],
  mode: SpanMode = 'strict',
  into: SpanCounts = new Map(),
): SpanCounts {
  const g = extractEntitySpans(gold, mode);
  const p = extractEntitySpans(pred, mode);
  const goldKeys = new Set(g.map((s) => `${s.type}\u0000${s.start}\u0000${s.end}`));
  const row = (type: string) => {
    let r = into.get(type);
    if (!r) into.set(type, (r = [0, 0, 0]));
    return r;
  };
  for (const s of g) row(s.type)[2]++;
  for (const s of p) {
    const r = row(s.type);
    r[1]++;
    if (goldKeys.has(`${s.type}\u0000${s.start}\u0000${s.end}`)) r[0]++;
  }
  return into;
}

/** Add `b` into `a`. */
export function mergeCounts(a: SpanCounts, b: SpanCounts): SpanCounts {
  for (const [type, [c, p, g]] of b) {
    const r = a.get(type);
    if (r) {
      r[0] += c;
      r[1] += p;
      r[2] += g;
    } else a.set(type, [c, p, g]);
  }
  return a;
}

/** Per-type scores (sorted by type name) and the micro, macro and weighted averages over those types. */
export function scoreCounts(counts: SpanCounts): AveragedScores & { perEntity: Record<string, SpanScore> } {
  const types = [...counts.keys()].sort();
  const perEntity: Record<string, SpanScore> = {};
  let c = 0;
  let p = 0;
  let g = 0;
  for (const t of types) {
    const [tc, tp, tg] = counts.get(t)!;
    perEntity[t] = score(tc, tp, tg);
    c += tc;
    p += tp;
    g += tg;
  }
  const rows = types.map((t) => perEntity[t]);
  const mean = (f: (s: SpanScore) => number, w?: (s: SpanScore) => number) => {
    if (rows.length === 0) return 0;
    if (!w) return rows.reduce((acc, s) => acc + f(s), 0) / rows.length;
    const total = rows.reduce((acc, s) => acc + w(s), 0);
    return total > 0 ? rows.reduce((acc, s) => acc + f(s) * w(s), 0) / total : 0;
  };
  const averaged = (w?: (s: SpanScore) => number): SpanScore => ({
    precision: mean((s) => s.precision, w),
    recall: mean((s) => s.recall, w),
    f1: mean((s) => s.f1, w),
    support: g,
    predicted: p,
    correct: c,
  });
  return {
    micro: score(c, p, g),
    macro: averaged(),
    weighted: averaged((s) => s.support),
    classes: types.length,
    perEntity,
  };
}

/** seqeval's classification report over plain tag sequences (each pair of equal length). */
export function scoreSequences(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
  options: { mode?: SpanMode } = {},
): AveragedScores & { perEntity: Record<string, SpanScore> } {
  if (gold.length !== pred.length) throw new RangeError(`gold has ${gold.length} sequences, pred ${pred.length}`);
  const counts: SpanCounts = new Map();
  gold.forEach((g, i) => {
    if (g.length !== pred[i].length) throw new RangeError(`sequence ${i}: gold has ${g.length} tags, pred ${pred[i].length}`);
    countSpans(g, pred[i], options.mode ?? 'strict', counts);
  });
  return scoreCounts(counts);
}
