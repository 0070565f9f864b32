/** Fields in prediction's reporting shape (the decoding itself: decoding/decode-document.ts). */
import type { Box } from '../documents/document.js';
import type { ExtractedField, PageBox } from '../decoding/spans.js';

/** A predicted field as prediction reports it. */
export interface PredictedField {
  entity: string;
  group: string;
  /** its words joined with spaces, in reading order */
  value: string;
  /** probability of exactly this span carrying this entity (null when the decoder gives none) */
  confidence: number | null;
  /** the page of its first word, and the union box of its words there (page units) */
  page: number;
  box: Box;
  /** one union box per page, when the field runs over more than one page */
  boxes?: PageBox[];
  /** [first word, one past the last word] */
  words: [number, number];
}

/** An extracted field in prediction's reporting shape. */
export function toPredictedField(f: ExtractedField): PredictedField {
  const first = f.boxes[0];
  return {
    entity: f.entity,
    group: f.group,
    value: f.value,
    confidence: f.confidence,
    page: first.page,
    box: first.box,
    ...(f.boxes.length > 1 ? { boxes: f.boxes } : {}),
    words: f.wordRange,
  };
}
