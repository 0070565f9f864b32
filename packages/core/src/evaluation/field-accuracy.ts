/**
 * Field-level exact-match accuracy of extracted values.
 *
 * A field is one (document, entity) pair. Values are normalised by collapsing every run of Unicode
 * whitespace to one space and trimming both ends; case, punctuation and everything else count as they are.
 * Values that normalise to "" are dropped. A field is correct when the predicted values and the gold values,
 * as multisets (order does not matter, repeats do), are equal. The fields compared in a document are the
 * entities with at least one value in its gold or its predicted fields, so a missed field and a spurious
 * one both count as wrong. Only documents with gold fields are scored; a scored document without predicted
 * fields has every gold field wrong.
 */
export interface FieldAccuracy {
  /** documents with gold fields */
  documents: number;
  /** (document, entity) pairs compared */
  fields: number;
  correct: number;
  /** correct / fields (0 when there are no fields) */
  accuracy: number;
  /** documents whose every field is correct */
  documentsAllCorrect: number;
  documentAccuracy: number;
  perEntity: Record<string, { fields: number; correct: number; accuracy: number }>;
}

export interface FieldDocument {
  goldFields?: Readonly<Record<string, readonly string[]>>;
  predFields?: Readonly<Record<string, readonly string[]>>;
}

export function normaliseFieldValue(value: string): string {
  return value.replace(/\s+/gu, ' ').trim();
}

function normalisedValues(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .map(normaliseFieldValue)
    .filter((v) => v.length > 0)
    .sort();
}

/** Compare one document's fields: entity -> correct, for every entity with a value on either side. */
export function compareFields(
  gold: Readonly<Record<string, readonly string[]>>,
  pred: Readonly<Record<string, readonly string[]>> = {},
): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const entity of new Set([...Object.keys(gold), ...Object.keys(pred)])) {
    const g = normalisedValues(gold[entity]);
    const p = normalisedValues(pred[entity]);
    if (g.length === 0 && p.length === 0) continue;
    out.set(entity, g.length === p.length && g.every((v, i) => v === p[i]));
  }
  return out;
}

/** Exact-match accuracy over the documents that carry gold fields; null when none does. */
export function fieldAccuracy(documents: readonly FieldDocument[]): FieldAccuracy | null {
  let docs = 0;
  let fields = 0;
  let correct = 0;
  let allCorrect = 0;
  const per = new Map<string, [number, number]>();
  for (const d of documents) {
    if (!d.goldFields) continue;
    docs++;
    let docOk = true;
    for (const [entity, ok] of compareFields(d.goldFields, d.predFields)) {
      fields++;
      let row = per.get(entity);
      if (!row) per.set(entity, (row = [0, 0]));
      row[0]++;
      if (ok) {
        correct++;
        row[1]++;
      } else docOk = false;
    }
    if (docOk) allCorrect++;
  }
  if (docs === 0) return null;
  const perEntity: FieldAccuracy['perEntity'] = {};
  for (const entity of [...per.keys()].sort()) {
    const [f, c] = per.get(entity)!;
    perEntity[entity] = { fields: f, correct: c, accuracy: c / f };
  }
  return {
    documents: docs,
    fields,
    correct,
    accuracy: fields > 0 ? correct / fields : 0,
    documentsAllCorrect: allCorrect,
    documentAccuracy: allCorrect / docs,
    perEntity,
  };
}
