/**
 * The common last step of every importer: annotated segments (an entity, a text line, a receipt box: words
 * that belong together, with the entity they carry) -> a native document. Segments are put in reading order
 * by their first word, their words keep their own order, and BIO labels are given per span: a segment starts a
 * span (B-) unless it continues the one before it (same entity and same non-empty `spanKey`).
 */
import type { Box, InvoiceDocument, Word } from '../../documents/document.js';
import { sortByReadingOrder } from '../reading-order.js';

export interface SegmentWord {
  text: string;
  box: Box;
}

export interface Segment {
  words: SegmentWord[];
  /** hybridoc entity, or null for O */
  entity: string | null;
  /** the dataset's own class of the segment (kept per word in meta.sourceLabels) */
  sourceLabel: string;
  /** consecutive segments with the same entity and spanKey form one span */
  spanKey?: string;
}

export interface SegmentDocumentInput {
  id: string;
  width: number;
  height: number;
  image?: string;
  segments: Segment[];
  meta: Record<string, unknown>;
  /** keep the given segment order instead of sorting into reading order */
  keepOrder?: boolean;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Clamp a box into the page and order its corners (annotation boxes stray a little past the edge). */
export function clampBox(b: Box, width: number, height: number): Box {
  const x0 = Math.min(Math.max(Math.min(b[0], b[2]), 0), width);
  const x1 = Math.min(Math.max(Math.max(b[0], b[2]), 0), width);
  const y0 = Math.min(Math.max(Math.min(b[1], b[3]), 0), height);
  const y1 = Math.min(Math.max(Math.max(b[1], b[3]), 0), height);
  return [round2(x0), round2(y0), round2(x1), round2(y1)];
}

export function segmentsToDocument(input: SegmentDocumentInput): InvoiceDocument {
  const { width, height } = input;
  const segments = input.segments
    .map((s) => ({
      ...s,
      words: s.words.filter((w) => w.text.trim().length > 0).map((w) => ({ text: w.text.trim(), box: clampBox(w.box, width, height) })),
    }))
    .filter((s) => s.words.length > 0);
  const ordered = input.keepOrder ? segments : sortByReadingOrder(segments, (s) => s.words[0].box);
  const words: Word[] = [];
  const sourceLabels: string[] = [];
  let prev: (typeof ordered)[number] | null = null;
  for (const seg of ordered) {
    const continues =
      prev !== null && seg.entity !== null && seg.entity === prev.entity && seg.spanKey !== undefined && seg.spanKey === prev.spanKey;
    seg.words.forEach((w, i) => {
      const label = seg.entity === null ? 'O' : `${i === 0 && !continues ? 'B' : 'I'}-${seg.entity}`;
      words.push({ text: w.text, box: w.box, page: 0, label });
      sourceLabels.push(seg.sourceLabel);
    });
    prev = seg;
  }
  const fields: Record<string, string[]> = {};
  let open: { entity: string; parts: string[] } | null = null;
  const flush = () => {
    if (open) (fields[open.entity] ??= []).push(open.parts.join(' '));
    open = null;
  };
  for (const w of words) {
    const label = w.label!;
    if (label.startsWith('B-')) {
      flush();
      open = { entity: label.slice(2), parts: [w.text] };
    } else if (label.startsWith('I-') && open) open.parts.push(w.text);
    else flush();
  }
  flush();
  return {
    id: input.id,
    pages: [{ width, height, ...(input.image ? { image: input.image } : {}) }],
    words,
    fields,
    meta: { ...input.meta, sourceLabels },
  };
}

/**
 * Split a line (one box, text with spaces) into word boxes, giving each character an equal share of the
 * line's width: the datasets that annotate lines give no finer position.
 */
export function splitLineIntoWords(text: string, box: Box): SegmentWord[] {
  const chars = [...text];
  const n = chars.length;
  if (n === 0) return [];
  const step = (box[2] - box[0]) / n;
  const out: SegmentWord[] = [];
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const blank = i === n || /\s/.test(chars[i]);
    if (!blank && start < 0) start = i;
    if (blank && start >= 0) {
      out.push({ text: chars.slice(start, i).join(''), box: [box[0] + start * step, box[1], box[0] + i * step, box[3]] });
      start = -1;
    }
  }
  return out;
}
