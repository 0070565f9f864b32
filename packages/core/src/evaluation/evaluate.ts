/**
 * The evaluation report: entity-level strict span scores (seqeval strict mode, IOB2) per entity, per group,
 * per domain, per template family, micro / macro / weighted; the rare-entity average; cross-template F1 on
 * documents from unseen template families; field-level exact-match accuracy; bootstrap 95% intervals for the
 * rare-entity and cross-template figures. Every score carries its support (gold spans) and counts.
 *
 * Definitions:
 * - rare-entity F1: the macro F1 over the rare entities that occur (gold or predicted) in the documents
 *   evaluated, as seqeval's macro average does; rare entities absent from them are listed in `missing`.
 *   Its interval resamples all documents and recomputes that figure on each resample.
 * - cross-template F1: micro F1 over the documents flagged `unseenTemplate`; its interval resamples those
 *   documents. `inTemplate` is the same over the other documents.
 * - per group: the group's pooled counts (micro within the group) and the macro F1 of its entities.
 */
import type { LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import { SEED_RARE_ENTITIES, selectRareEntities, type RareEntityOptions } from '../sampling/rare-entities.js';
import { InvalidTagError, parseIob2Tag, type SpanMode } from './bio-spans.js';
import { countSpans, mergeCounts, score, scoreCounts, type AveragedScores, type SpanScore, type SpanCounts } from './span-scores.js';
import { fieldAccuracy, type FieldAccuracy } from './field-accuracy.js';
import { DEFAULT_BOOTSTRAP_SAMPLES, bootstrapInterval, type BootstrapOptions, type ConfidenceInterval } from './bootstrap.js';

/** One evaluated document: BIO label names per word, gold and predicted. */
export interface EvaluationDocument {
  id: string;
  domain?: string;
  template?: string;
  unseenTemplate?: boolean;
  gold: readonly string[];
  pred: readonly string[];
  goldFields?: Readonly<Record<string, readonly string[]>>;
  predFields?: Readonly<Record<string, readonly string[]>>;
}

export interface EvaluationOptions {
  /** enables the per-group table and checks that every entity type is in the schema */
  schema?: LabelSchema;
  /** which entities are rare (default: the seed's named ones, CAGE_CODE, LOT_NUMBER, SERIAL_NUMBER) */
  rare?: RareEntityOptions;
  bootstrap?: BootstrapOptions;
  /** span extraction (default strict; 'default' is seqeval's conlleval-compatible mode) */
  mode?: SpanMode;
}

export interface SubsetScores extends AveragedScores {
  documents: number;
}

export interface EvaluationReport {
  scheme: 'IOB2';
  mode: SpanMode;
  documents: number;
  overall: AveragedScores;
  perEntity: Record<string, SpanScore & { group?: string }>;
  /** null without a schema */
  perGroup: Record<string, SpanScore & { macroF1: number; entities: string[] }> | null;
  perDomain: Record<string, SubsetScores>;
  perTemplate: Record<string, SubsetScores & { unseen: boolean }>;
  /** documents not flagged unseenTemplate; null when there are none */
  inTemplate: SubsetScores | null;
  /** documents flagged unseenTemplate; null when there are none */
  crossTemplate: (SubsetScores & { interval: ConfidenceInterval | null }) | null;
  rare: {
    /** every entity the rare definition names */
    entities: string[];
    /** those occurring (gold or predicted) in the documents: the average is over these */
    evaluated: string[];
    missing: string[];
    macroF1: number;
    micro: SpanScore;
    perEntity: Record<string, SpanScore>;
    interval: ConfidenceInterval | null;
  };
  fields: FieldAccuracy | null;
  bootstrap: { samples: number; seed: number; confidence: number };
}

export function evaluateDocuments(documents: readonly EvaluationDocument[], options: EvaluationOptions = {}): EvaluationReport {
  const mode = options.mode ?? 'strict';
  const schema = options.schema;
  const docCounts = documents.map((d, i) => countDocument(d, i, mode, schema));
  const overallCounts: SpanCounts = new Map();
  for (const c of docCounts) mergeCounts(overallCounts, c);
  const overallFull = scoreCounts(overallCounts);
  const { perEntity: entityScores, ...overall } = overallFull;

  const perEntity: EvaluationReport['perEntity'] = {};
  for (const [name, s] of Object.entries(entityScores)) {
    const e = schema?.entityIndex.get(name);
    perEntity[name] = e === undefined ? { ...s } : { ...s, group: schema!.groups[schema!.entities[e].group].name };
  }

  // ---- groups
  let perGroup: EvaluationReport['perGroup'] = null;
  if (schema) {
    perGroup = {};
    for (const g of schema.groups) {
      const names = g.entities.map((e) => schema.entities[e].name).filter((n) => overallCounts.has(n));
      if (names.length === 0) continue;
      const sub: SpanCounts = new Map(names.map((n) => [n, overallCounts.get(n)!]));
      const s = scoreCounts(sub);
      perGroup[g.name] = { ...s.micro, macroF1: s.macro.f1, entities: names };
    }
  }

  // ---- subsets: domain, template, in/unseen template
  const subset = (pick: (d: EvaluationDocument) => boolean): SubsetScores | null => {
    const counts: SpanCounts = new Map();
    let n = 0;
    documents.forEach((d, i) => {
      if (!pick(d)) return;
      n++;
      mergeCounts(counts, docCounts[i]);
    });
    if (n === 0) return null;
    const { perEntity: _unused, ...avg } = scoreCounts(counts);
    return { documents: n, ...avg };
  };
  const perDomain: EvaluationReport['perDomain'] = {};
  for (const dom of distinct(documents.map((d) => d.domain))) perDomain[dom] = subset((d) => d.domain === dom)!;
  const perTemplate: EvaluationReport['perTemplate'] = {};
  for (const t of distinct(documents.map((d) => d.template))) {
    perTemplate[t] = { ...subset((d) => d.template === t)!, unseen: documents.some((d) => d.template === t && d.unseenTemplate === true) };
  }
  const inTemplate = subset((d) => d.unseenTemplate !== true);

  const bootSeed = options.bootstrap?.seed ?? 0;
  const boot = {
    samples: options.bootstrap?.samples ?? DEFAULT_BOOTSTRAP_SAMPLES,
    seed: bootSeed,
    confidence: options.bootstrap?.confidence ?? 0.95,
  };

  // ---- cross-template, with an interval over the unseen documents
  let crossTemplate: EvaluationReport['crossTemplate'] = null;
  const unseen = documents.map((d, i) => (d.unseenTemplate === true ? i : -1)).filter((i) => i >= 0);
  const cross = subset((d) => d.unseenTemplate === true);
  if (cross) {
    const totals = unseen.map((i) => {
      let c = 0;
      let p = 0;
      let g = 0;
      for (const [tc, tp, tg] of docCounts[i].values()) {
        c += tc;
        p += tp;
        g += tg;
      }
      return [c, p, g];
    });
    const interval = bootstrapInterval(
      unseen.length,
      (idx) => {
        let c = 0;
        let p = 0;
        let g = 0;
        for (const k of idx) {
          c += totals[k][0];
          p += totals[k][1];
          g += totals[k][2];
        }
        return score(c, p, g).f1;
      },
      { ...boot, seed: bootSeed },
    );
    crossTemplate = { ...cross, interval };
  }

  // ---- rare entities, with an interval over all documents
  const rareEntities = selectRareEntities(options.rare ?? { named: SEED_RARE_ENTITIES });
  const evaluated = rareEntities.filter((e) => overallCounts.has(e));
  const missing = rareEntities.filter((e) => !overallCounts.has(e));
  const rareCounts: SpanCounts = new Map(evaluated.map((e) => [e, overallCounts.get(e)!]));
  const rareScored = scoreCounts(rareCounts);
  const rareIndex = new Map(evaluated.map((e, k) => [e, k]));
  const rarePerDoc = docCounts.map((c) => {
    const rows: number[] = [];
    for (const [type, [tc, tp, tg]] of c) {
      const k = rareIndex.get(type);
      if (k !== undefined) rows.push(k, tc, tp, tg);
    }
    return rows;
  });
  const R = evaluated.length;
  const acc = new Float64Array(R * 3);
  const rareInterval =
    R === 0
      ? null
      : bootstrapInterval(
          documents.length,
          (idx) => {
            acc.fill(0);
            for (const i of idx) {
              const rows = rarePerDoc[i];
              for (let j = 0; j < rows.length; j += 4) {
                acc[rows[j] * 3] += rows[j + 1];
                acc[rows[j] * 3 + 1] += rows[j + 2];
                acc[rows[j] * 3 + 2] += rows[j + 3];
              }
            }
            let sum = 0;
            let classes = 0;
            for (let k = 0; k < R; k++) {
              if (acc[k * 3 + 1] + acc[k * 3 + 2] === 0) continue;
              classes++;
              sum += score(acc[k * 3], acc[k * 3 + 1], acc[k * 3 + 2]).f1;
            }
            return classes > 0 ? sum / classes : null;
          },
          { ...boot, seed: bootSeed + 1 },
        );

  return {
    scheme: 'IOB2',
    mode,
    documents: documents.length,
    overall,
    perEntity,
    perGroup,
    perDomain,
    perTemplate,
    inTemplate,
    crossTemplate,
    rare: {
      entities: rareEntities,
      evaluated,
      missing,
      macroF1: rareScored.macro.f1,
      micro: rareScored.micro,
      perEntity: rareScored.perEntity,
      interval: rareInterval,
    },
    fields: fieldAccuracy(documents),
    bootstrap: boot,
  };
}

function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string'))].sort();
}

function countDocument(d: EvaluationDocument, i: number, mode: SpanMode, schema: LabelSchema | undefined): SpanCounts {
  const where = `evaluation: documents[${i}]${d && typeof d.id === 'string' ? ` (${d.id})` : ''}`;
  if (!d || !Array.isArray(d.gold) || !Array.isArray(d.pred)) throw new HybridocError(`${where}: gold and pred must be lists of labels`);
  if (d.gold.length !== d.pred.length) {
    throw new HybridocError(`${where}: gold and pred differ in length (${d.gold.length} vs ${d.pred.length} words)`);
  }
  if (schema) {
    for (const side of ['gold', 'pred'] as const) {
      d[side].forEach((tag, t) => {
        const p = parseIob2Tag(tag);
        if (p && p.prefix !== 'O' && !schema.entityIndex.has(p.type)) {
          throw new HybridocError(`${where}: ${side}[${t}]: "${tag}": entity ${p.type} is not in the label schema (${schema.file})`);
        }
      });
    }
  }
  const counts: SpanCounts = new Map();
  try {
    countSpans(d.gold, d.pred, mode, counts);
  } catch (err) {
    if (!(err instanceof InvalidTagError)) throw err;
    // find which side holds the bad tag
    const side = d.gold.some((t) => typeof t !== 'string' || !parseIob2Tag(t)) ? 'gold' : 'pred';
    const bad = d[side].findIndex((t) => typeof t !== 'string' || !parseIob2Tag(t));
    throw new HybridocError(`${where}: ${side}[${bad}]: "${String(d[side][bad])}" is not an IOB2 tag (O, B-TYPE or I-TYPE)`);
  }
  return counts;
}
