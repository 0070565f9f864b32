/**
 * BIO label ids -> spans -> fields.
 *
 * A span is a half-open range [start, end) of positions (decoded positions, usually one per word) that
 * carries one entity: B-X followed by I-X of the same entity. Decoding under the CRF never yields a stray
 * I-X; for other input one starts a new span (as repairBio would relabel it). O, negative ids (positions not
 * decoded) and out-of-range ids end a span.
 *
 * A field is a span mapped onto the document: its words (in reading order, which is word order), their text
 * joined with single spaces, the union box of those words on each page, its confidence, its word range and,
 * when the featurisation's word id per token is given, its token range.
 */
import type { Box, Word } from '../documents/document.js';
import type { LabelSchema } from '../schema/label-schema.js';

export interface LabelSpan {
  entity: number;
  /** first position */
  start: number;
  /** one past the last position */
  end: number;
  /** probability of exactly this span carrying this entity, when known */
  confidence?: number;
}

export interface PageBox {
  page: number;
  box: Box;
}

export interface ExtractedField {
  entity: string;
  entityId: number;
  group: string;
  groupId: number;
  /** the span's words joined with spaces, in reading order */
  value: string;
  /** union box of the span's words, one per page, in page order */
  boxes: PageBox[];
  /** span probability, or null when decoding gave none */
  confidence: number | null;
  /** [first word, one past the last word] */
  wordRange: [number, number];
  /** [first token, one past the last token] of the span's words, when word ids per token were given */
  tokenRange: [number, number] | null;
}

export interface FieldOptions {
  /** word index per decoded position (default: position k is word k) */
  positionWords?: ArrayLike<number>;
  /** word index per token, -1 for special tokens and padding (the featurisation's word ids) */
  tokenWords?: ArrayLike<number>;
}

/** Spans of a BIO label sequence. */
export function bioSpans(schema: Pick<LabelSchema, 'labelToEntity' | 'bioPairs' | 'numLabels'>, labels: ArrayLike<number>): LabelSpan[] {
  const spans: LabelSpan[] = [];
  let open: LabelSpan | undefined;
  for (let k = 0; k < labels.length; k++) {
    const l = labels[k];
    const e = l > 0 && l < schema.numLabels ? schema.labelToEntity[l] : -1;
    if (e < 0) {
      open = undefined;
      continue;
    }
    const inside = schema.bioPairs[e][1] === l;
    if (inside && open && open.entity === e && open.end === k) {
      open.end = k + 1;
      continue;
    }
    open = { entity: e, start: k, end: k + 1 };
    spans.push(open);
  }
  return spans;
}

/** Map spans onto the document's words. */
export function spansToFields(
  schema: LabelSchema,
  words: readonly Word[],
  spans: readonly LabelSpan[],
  options: FieldOptions = {},
): ExtractedField[] {
  const posWords = options.positionWords;
  const wordOf = (k: number) => (posWords ? posWords[k] : k);
  // first and last token of each word
  let firstToken: Int32Array | undefined;
  let lastToken: Int32Array | undefined;
  if (options.tokenWords) {
    firstToken = new Int32Array(words.length).fill(-1);
    lastToken = new Int32Array(words.length).fill(-1);
    for (let t = 0; t < options.tokenWords.length; t++) {
      const w = options.tokenWords[t];
      if (w < 0 || w >= words.length) continue;
      if (firstToken[w] < 0) firstToken[w] = t;
      lastToken[w] = t;
    }
  }
  return spans.map((span) => {
    const ids: number[] = [];
    for (let k = span.start; k < span.end; k++) {
      const w = wordOf(k);
      if (!(w >= 0 && w < words.length)) throw new RangeError(`span position ${k} maps to word ${w}, outside the ${words.length} words`);
      ids.push(w);
    }
    const entity = schema.entities[span.entity];
    const byPage = new Map<number, Box>();
    for (const w of ids) {
      const { page, box } = words[w];
      const u = byPage.get(page);
      if (!u) byPage.set(page, [box[0], box[1], box[2], box[3]]);
      else {
        u[0] = Math.min(u[0], box[0]);
        u[1] = Math.min(u[1], box[1]);
        u[2] = Math.max(u[2], box[2]);
        u[3] = Math.max(u[3], box[3]);
      }
    }
    const first = Math.min(...ids);
    const last = Math.max(...ids);
    let tokenRange: [number, number] | null = null;
    if (firstToken && lastToken) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const w of ids) {
        if (firstToken[w] < 0) continue;
        lo = Math.min(lo, firstToken[w]);
        hi = Math.max(hi, lastToken[w]);
      }
      if (hi >= 0) tokenRange = [lo, hi + 1];
    }
    return {
      entity: entity.name,
      entityId: entity.id,
      group: schema.groups[entity.group].name,
      groupId: entity.group,
      value: ids.map((w) => words[w].text).join(' '),
      boxes: [...byPage.entries()].sort((a, b) => a[0] - b[0]).map(([page, box]) => ({ page, box })),
      confidence: span.confidence ?? null,
      wordRange: [first, last + 1],
      tokenRange,
    };
  });
}
