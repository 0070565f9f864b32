/**
 * Entity spans from IOB2 tag sequences, exactly as seqeval extracts them.
 *
 * strict (seqeval `mode='strict', scheme=IOB2`): a span starts only at B-X and runs over the I-X that follow
 * it; an I-X that does not continue a B-X/I-X of the same type starts nothing and is dropped. So
 * [I-NP, I-NP, O] holds no entity, and a prediction must get the type and both boundaries right, with valid
 * IOB2 tags, to match a gold span.
 *
 * default (seqeval's conlleval-compatible mode): an I-X after O or after another type starts a span too, so
 * [I-NP, I-NP, O] holds NP over words 0-1. Kept to show the difference; every report here uses strict.
 *
 * Tags are "O", "B-TYPE", "I-TYPE" (a bare "B"/"I" has type "_", as in seqeval); anything else throws.
 */
export type SpanMode = 'strict' | 'default';

export interface EntitySpan {
  type: string;
  /** first word */
  start: number;
  /** one past the last word */
  end: number;
}

export interface ParsedTag {
  prefix: 'B' | 'I' | 'O';
  type: string;
}

/** Parse one IOB2 tag; null when it is not one. */
export function parseIob2Tag(tag: string): ParsedTag | null {
  if (tag === 'O') return { prefix: 'O', type: '_' };
  const p = tag[0];
  if (p !== 'B' && p !== 'I') return null;
  if (tag.length === 1) return { prefix: p, type: '_' };
  if (tag[1] !== '-' || tag.length < 3) return null;
  return { prefix: p, type: tag.slice(2) };
}

export class InvalidTagError extends Error {
  constructor(
    readonly index: number,
    readonly tag: string,
  ) {
    super(`[${index}]: "${tag}" is not an IOB2 tag (O, B-TYPE or I-TYPE)`);
    this.name = 'InvalidTagError';
  }
}

function parseAll(tags: readonly string[]): ParsedTag[] {
  return tags.map((t, i) => {
    const p = typeof t === 'string' ? parseIob2Tag(t) : null;
    if (!p) throw new InvalidTagError(i, String(t));
    return p;
  });
}

/** The entity spans of one sequence, in order of their start. Throws InvalidTagError on a non-IOB2 tag. */
export function extractEntitySpans(tags: readonly string[], mode: SpanMode = 'strict'): EntitySpan[] {
  const parsed = parseAll(tags);
  return mode === 'strict' ? strictSpans(parsed) : defaultSpans(parsed);
}

function strictSpans(tags: ParsedTag[]): EntitySpan[] {
  const spans: EntitySpan[] = [];
  let i = 0;
  while (i < tags.length) {
    if (tags[i].prefix !== 'B') {
      i++;
      continue;
    }
    const type = tags[i].type;
    let end = i + 1;
    while (end < tags.length && tags[end].prefix === 'I' && tags[end].type === type) end++;
    spans.push({ type, start: i, end });
    i = end;
  }
  return spans;
}

// seqeval.metrics.sequence_labeling.get_entities with its end_of_chunk / start_of_chunk, for B/I/O tags.
function defaultSpans(tags: ParsedTag[]): EntitySpan[] {
  const spans: EntitySpan[] = [];
  let prevTag: 'B' | 'I' | 'O' = 'O';
  let prevType = '';
  let begin = 0;
  const seq = [...tags, { prefix: 'O' as const, type: '_' }];
  seq.forEach(({ prefix: tag, type }, i) => {
    const typeChanged = prevType !== type;
    const chunkEnd = ((prevTag === 'B' || prevTag === 'I') && (tag === 'B' || tag === 'O')) || (prevTag !== 'O' && typeChanged);
    const chunkStart = tag === 'B' || (prevTag === 'O' && tag === 'I') || (tag !== 'O' && typeChanged);
    if (chunkEnd) spans.push({ type: prevType, start: begin, end: i });
    if (chunkStart) begin = i;
    prevTag = tag;
    prevType = type;
  });
  return spans;
}
