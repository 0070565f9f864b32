/**
 * Draws fields on a page: the page image (or a blank page of the document's size with the words' text),
 * each field's box in its group's colour, a small label with the entity name and confidence placed where
 * it overlaps the fewest other labels and boxes, and a legend of the groups present. Returns a PNG.
 *
 * Prediction draws its predicted fields with it, the demo its test invoice, and `drawLabeledWords` draws a
 * corpus document's gold labels the same way (contact sheets). Boxes are in page units (document.ts); the
 * page is drawn `width` pixels wide whatever the image's own resolution.
 */
import { createCanvas, loadImage, type SKRSContext2D } from '@napi-rs/canvas';
import { isAbsolute, resolve } from 'node:path';
import { bioSpans, spansToFields, type ExtractedField, type PageBox } from '../decoding/spans.js';
import type { Box, InvoiceDocument, Page, Word } from '../documents/document.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import { font } from './fonts.js';
import { groupColor, textColorOn, withAlpha } from './palette.js';

/** A field to draw: an ExtractedField fits, as does a plain { entity, page, box }. */
export interface DrawableField {
  entity: string;
  /** the entity's group name; looked up in the schema when absent */
  group?: string;
  value?: string;
  /** drawn after the entity name; null or absent: none */
  confidence?: number | null;
  /** one box on one page ... */
  page?: number;
  box?: Box;
  /** ... or several (a field spanning pages) */
  boxes?: readonly PageBox[];
}

export interface DrawFieldsInput {
  /** the page's size in page units */
  page: Pick<Page, 'width' | 'height'>;
  /** which page of the document this is; fields and words on other pages are skipped (default 0) */
  pageIndex?: number;
  /** the page image: PNG or JPEG bytes, or a file path; absent: a blank page */
  image?: Uint8Array | string;
  /** the page's words (words of other pages are skipped) */
  words?: readonly Word[];
  fields: readonly DrawableField[];
}

export interface DrawFieldsOptions {
  /** the schema that gives groups and colours (default config/labels.yaml) */
  schema?: LabelSchema;
  /** width of the drawn page in pixels (default 1240: an A4 page at 150 dpi) */
  width?: number;
  /** words as text in their boxes (default on a blank page), as thin outlines, or not at all (default over an image) */
  words?: 'text' | 'outline' | 'none';
  /** draw the legend of groups present (default true) */
  legend?: boolean;
  /** a line above the page (document id, model, ...) */
  title?: string;
  /** fields with a confidence below this are drawn dashed (default 0.5) */
  lowConfidence?: number;
}

/** A rectangle in output pixels: [x0, y0, x1, y1]. */
export type PixelRect = [number, number, number, number];

export interface DrawnField {
  /** index into the input fields */
  field: number;
  entity: string;
  group: string;
  groupId: number;
  color: string;
  /** the drawn box (outer edge of its stroke) */
  rect: PixelRect;
  /** the label's rectangle */
  label: PixelRect;
  labelText: string;
}

export interface RenderedPage {
  png: Buffer;
  width: number;
  height: number;
  /** where the page sits in the image, and its pixels per page unit */
  pageRect: PixelRect;
  scale: number;
  fields: DrawnField[];
  /** groups in the legend, in group-id order, with how many boxes each has */
  legend: Array<{ group: string; groupId: number; color: string; count: number }>;
}

const MARGIN = 16;
const LEGEND_GAP = 20;
const LEGEND_WIDTH = 250;
const TITLE_HEIGHT = 30;
const LABEL_FONT_PX = 11;
const LABEL_HEIGHT = 15;
const LABEL_PAD_X = 4;
const BOX_PAD = 2;
const BOX_LINE = 2;

/** Draw fields on a page; the PNG and where everything went. */
export async function renderFields(input: DrawFieldsInput, options: DrawFieldsOptions = {}): Promise<RenderedPage> {
  const schema = options.schema ?? loadLabelSchema();
  const pageIndex = input.pageIndex ?? 0;
  const { width: pw, height: ph } = input.page;
  if (!(pw > 0 && ph > 0)) throw new HybridocError(`drawFields: page size must be positive, got ${pw} x ${ph}`);
  const width = Math.round(options.width ?? 1240);
  if (!(width >= 50 && width <= 10000)) throw new HybridocError(`drawFields: width must be 50..10000 pixels, got ${width}`);
  const scale = width / pw;
  const height = Math.round(ph * scale);
  const showLegend = options.legend ?? true;
  const top = MARGIN + (options.title ? TITLE_HEIGHT : 0);
  const pageRect: PixelRect = [MARGIN, top, MARGIN + width, top + height];

  // resolve fields to groups and page boxes first: the legend's height is part of the canvas size
  const resolved = resolveFields(input.fields, pageIndex, schema);
  const legend = legendEntries(resolved, schema);
  const lowConfidence = options.lowConfidence ?? 0.5;
  const anyLow = resolved.some((f) => f.confidence !== null && f.confidence < lowConfidence);
  const legendHeight = showLegend ? 40 + legend.length * 22 + (anyLow ? 40 : 0) + (legend.length === 0 ? 22 : 0) : 0;
  const canvasW = pageRect[2] + (showLegend ? LEGEND_GAP + LEGEND_WIDTH : 0) + MARGIN;
  const canvasH = Math.max(pageRect[3] + MARGIN, top + legendHeight + MARGIN);

  const canvas = createCanvas(canvasW, canvasH);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#EDEEF0';
  ctx.fillRect(0, 0, canvasW, canvasH);
  if (options.title) {
    ctx.fillStyle = '#222222';
    ctx.font = font('bold', 15);
    ctx.textBaseline = 'middle';
    ctx.fillText(options.title, MARGIN, MARGIN + TITLE_HEIGHT / 2 - 4, canvasW - 2 * MARGIN);
  }

  // the page: a soft shadow, white paper, then the image if any
  ctx.fillStyle = 'rgba(0, 0, 0, 0.12)';
  ctx.fillRect(pageRect[0] + 3, pageRect[1] + 3, width, height);
  ctx.fillStyle = '#FFFFFF';
  ctx.fillRect(pageRect[0], pageRect[1], width, height);
  if (input.image !== undefined) {
    const img = await loadPageImageSource(input.image);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(img, pageRect[0], pageRect[1], width, height);
  }
  const toPx = (b: Box): PixelRect => [
    pageRect[0] + b[0] * scale,
    pageRect[1] + b[1] * scale,
    pageRect[0] + b[2] * scale,
    pageRect[1] + b[3] * scale,
  ];

  const wordMode = options.words ?? (input.image === undefined ? 'text' : 'none');
  const words = (input.words ?? []).filter((w) => w.page === pageIndex);
  if (wordMode !== 'none') drawWords(ctx, words, toPx, wordMode);

  // boxes: translucent fill, then the outline, dashed when unsure
  const drawn: DrawnField[] = [];
  const boxRects: PixelRect[] = resolved.map((f) => padRect(toPx(f.box), BOX_PAD));
  resolved.forEach((f, k) => {
    const r = boxRects[k];
    ctx.fillStyle = withAlpha(f.color, 0.13);
    ctx.fillRect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
    ctx.strokeStyle = f.color;
    ctx.lineWidth = BOX_LINE;
    ctx.setLineDash(f.confidence !== null && f.confidence < lowConfidence ? [5, 3] : []);
    ctx.strokeRect(r[0] + BOX_LINE / 2, r[1] + BOX_LINE / 2, r[2] - r[0] - BOX_LINE, r[3] - r[1] - BOX_LINE);
  });
  ctx.setLineDash([]);

  // labels, placed in reading order where they collide least
  ctx.font = font('condensed', LABEL_FONT_PX);
  const placed: PixelRect[] = [];
  const wordRects = words.map((wd) => toPx(wd.box));
  const bounds: PixelRect = [0, 0, canvasW - (showLegend ? LEGEND_GAP + LEGEND_WIDTH : 0), canvasH];
  const order = resolved.map((_, k) => k).sort((a, b) => boxRects[a][1] - boxRects[b][1] || boxRects[a][0] - boxRects[b][0]);
  for (const k of order) {
    const f = resolved[k];
    const text = f.confidence === null ? f.entity : `${f.entity} ${f.confidence.toFixed(2)}`;
    const w = Math.ceil(ctx.measureText(text).width) + 2 * LABEL_PAD_X;
    const label = placeLabel(boxRects[k], w, LABEL_HEIGHT, k, boxRects, placed, wordRects, bounds, pageRect);
    placed.push(label.rect);
    if (label.leader) {
      ctx.strokeStyle = f.color;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(label.leader[0], label.leader[1]);
      ctx.lineTo(label.leader[2], label.leader[3]);
      ctx.stroke();
    }
    drawn.push({
      field: f.index,
      entity: f.entity,
      group: f.group,
      groupId: f.groupId,
      color: f.color,
      rect: boxRects[k],
      label: label.rect,
      labelText: text,
    });
  }
  // labels go on top of every box, so draw them after all boxes (in placement order)
  for (const d of drawn) {
    const [x0, y0, x1, y1] = d.label;
    ctx.fillStyle = d.color;
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    ctx.fillStyle = textColorOn(d.color);
    ctx.textBaseline = 'middle';
    ctx.fillText(d.labelText, x0 + LABEL_PAD_X, (y0 + y1) / 2 + 0.5);
  }

  if (showLegend) drawLegend(ctx, pageRect[2] + LEGEND_GAP, top, legend, anyLow ? lowConfidence : undefined);
  drawn.sort((a, b) => a.field - b.field);
  return { png: canvas.toBuffer('image/png'), width: canvasW, height: canvasH, pageRect, scale, fields: drawn, legend };
}

/** Draw fields on a page and return the PNG. */
export async function drawFields(input: DrawFieldsInput, options: DrawFieldsOptions = {}): Promise<Buffer> {
  return (await renderFields(input, options)).png;
}

/** Fields made of a document's gold labels (its words' BIO label names); unknown names are an error. */
export function fieldsFromLabels(schema: LabelSchema, words: readonly Word[]): ExtractedField[] {
  const ids = new Int32Array(words.length);
  words.forEach((w, k) => {
    if (w.label === undefined) {
      ids[k] = 0;
      return;
    }
    const id = schema.labelIndex.get(w.label);
    if (id === undefined) throw new HybridocError(`word ${k} ("${w.text}"): label ${w.label} is not in the schema ${schema.file}`);
    ids[k] = id;
  });
  return spansToFields(schema, words, bioSpans(schema, ids));
}

export interface DrawLabeledWordsOptions extends DrawFieldsOptions {
  /** corpus root that relative page-image paths are under; without it the page is drawn blank */
  root?: string;
  /** draw on this image instead of the page's own (bytes or a path) */
  image?: Uint8Array | string;
}

/** Draw a document page's gold labels the way predictions are drawn; the PNG and where everything went. */
export async function renderLabeledWords(
  doc: InvoiceDocument,
  pageIndex: number,
  options: DrawLabeledWordsOptions = {},
): Promise<RenderedPage> {
  const page = doc.pages[pageIndex];
  if (!page) throw new HybridocError(`${doc.id}: no page ${pageIndex} (the document has ${doc.pages.length})`);
  const schema = options.schema ?? loadLabelSchema();
  let image = options.image;
  if (image === undefined && page.image && options.root !== undefined) {
    image = isAbsolute(page.image) ? page.image : resolve(options.root, page.image);
  }
  const fields = fieldsFromLabels(schema, doc.words);
  const title =
    options.title ?? `${doc.id}${doc.template ? ` (${doc.template})` : ''}: gold labels, page ${pageIndex + 1}/${doc.pages.length}`;
  return renderFields({ page, pageIndex, image, words: doc.words, fields }, { ...options, schema, title });
}

/** Draw a document page's gold labels the way predictions are drawn (corpus contact sheets); a PNG. */
export async function drawLabeledWords(doc: InvoiceDocument, pageIndex: number, options: DrawLabeledWordsOptions = {}): Promise<Buffer> {
  return (await renderLabeledWords(doc, pageIndex, options)).png;
}

// ---------------------------------------------------------------------------------------------------------

interface ResolvedField {
  index: number;
  entity: string;
  group: string;
  groupId: number;
  color: string;
  confidence: number | null;
  box: Box;
}

function resolveFields(fields: readonly DrawableField[], pageIndex: number, schema: LabelSchema): ResolvedField[] {
  const out: ResolvedField[] = [];
  fields.forEach((f, index) => {
    let groupId: number;
    const e = schema.entityIndex.get(f.entity);
    if (e !== undefined) groupId = schema.entities[e].group;
    else if (f.group !== undefined && schema.groupIndex.has(f.group)) groupId = schema.groupIndex.get(f.group)!;
    else throw new HybridocError(`drawFields: field ${index}: entity ${f.entity} is not in the schema ${schema.file}`);
    if (groupId === schema.outsideGroup) return; // O is never drawn
    const boxes: PageBox[] = f.boxes ? [...f.boxes] : f.box ? [{ page: f.page ?? 0, box: f.box }] : [];
    for (const b of boxes) {
      if (b.page !== pageIndex) continue;
      const confidence = typeof f.confidence === 'number' && Number.isFinite(f.confidence) ? f.confidence : null;
      out.push({
        index,
        entity: f.entity,
        group: schema.groups[groupId].name,
        groupId,
        color: groupColor(groupId),
        confidence,
        box: b.box,
      });
    }
  });
  return out;
}

function legendEntries(fields: ResolvedField[], schema: LabelSchema): RenderedPage['legend'] {
  const counts = new Map<number, number>();
  for (const f of fields) counts.set(f.groupId, (counts.get(f.groupId) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([groupId, count]) => ({ group: schema.groups[groupId].name, groupId, color: groupColor(groupId), count }));
}

async function loadPageImageSource(src: Uint8Array | string) {
  try {
    return await loadImage(typeof src === 'string' ? src : Buffer.from(src.buffer, src.byteOffset, src.byteLength));
  } catch (err) {
    const what = typeof src === 'string' ? src : 'page image';
    throw new HybridocError(`${what}: cannot read image (${err instanceof Error ? err.message : String(err)})`);
  }
}

function drawWords(ctx: SKRSContext2D, words: Word[], toPx: (b: Box) => PixelRect, mode: 'text' | 'outline'): void {
  ctx.textBaseline = 'alphabetic';
  for (const w of words) {
    const [x0, y0, x1, y1] = toPx(w.box);
    const bw = x1 - x0;
    const bh = y1 - y0;
    if (!(bw > 0 && bh > 0)) continue;
    if (mode === 'outline') {
      ctx.strokeStyle = 'rgba(0, 0, 0, 0.25)';
      ctx.lineWidth = 1;
      ctx.strokeRect(Math.round(x0) + 0.5, Math.round(y0) + 0.5, Math.round(bw), Math.round(bh));
      continue;
    }
    // text fitted to its box: the box is about ascender-to-descender tall, the width squeezes if needed
    const size = Math.max(4, bh * 0.78);
    ctx.font = font('sans', size);
    ctx.fillStyle = '#3A3A3A';
    const tw = ctx.measureText(w.text).width;
    ctx.save();
    ctx.translate(x0, y0 + bh * 0.8);
    if (tw > bw) ctx.scale(bw / tw, 1);
    ctx.fillText(w.text, 0, 0);
    ctx.restore();
  }
}

function padRect(r: PixelRect, pad: number): PixelRect {
  return [Math.floor(r[0] - pad), Math.floor(r[1] - pad), Math.ceil(r[2] + pad), Math.ceil(r[3] + pad)];
}

function overlap(a: PixelRect, b: PixelRect): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Distance between two rectangles (0 when they touch or overlap). */
function gap(a: PixelRect, b: PixelRect): number {
  const dx = Math.max(0, b[0] - a[2], a[0] - b[2]);
  const dy = Math.max(0, b[1] - a[3], a[1] - b[3]);
  return Math.hypot(dx, dy);
}

/** Rectangles overlap by more than a sliver (shared edges do not count). */
export function rectsOverlap(a: PixelRect, b: PixelRect): boolean {
  return overlap(a, b) > 0;
}

/**
 * Choose a label rectangle next to `box`: above or below (left- then right-aligned), beside it, stacked
 * further out, or inside as a last resort; the cost counts overlap with labels already placed (heavily),
 * with other boxes, with its own box and with words, leaving the page, the gap to its box, and a small
 * preference for the earlier spots.
 */
function placeLabel(
  box: PixelRect,
  w: number,
  h: number,
  self: number,
  boxes: PixelRect[],
  placed: PixelRect[],
  words: PixelRect[],
  bounds: PixelRect,
  page: PixelRect,
): { rect: PixelRect; leader?: [number, number, number, number] } {
  const [bx0, by0, bx1, by1] = box;
  const cands: Array<{ x: number; y: number; stacked: boolean }> = [
    { x: bx0, y: by0 - h, stacked: false },
    { x: bx0, y: by1, stacked: false },
    { x: bx1 - w, y: by0 - h, stacked: false },
    { x: bx1 - w, y: by1, stacked: false },
    { x: bx1, y: by0, stacked: false },
    { x: bx0 - w, y: by0, stacked: false },
  ];
  for (let k = 1; k <= 3; k++) {
    cands.push({ x: bx0, y: by0 - h - k * (h + 2), stacked: true });
    cands.push({ x: bx0, y: by1 + k * (h + 2), stacked: true });
    cands.push({ x: bx1 + 2, y: by0 - k * (h + 2), stacked: true });
  }
  cands.push({ x: bx0, y: by0, stacked: false });
  let best: { rect: PixelRect; cost: number; stacked: boolean } | undefined;
  cands.forEach((c, i) => {
    // keep the label inside the drawable area by sliding it horizontally, never vertically
    const x = Math.round(Math.min(Math.max(c.x, bounds[0] + 1), bounds[2] - w - 1));
    const y = Math.round(c.y);
    const rect: PixelRect = [x, y, x + w, y + h];
    if (y < bounds[1] || y + h > bounds[3]) return;
    let cost = i * 2;
    // another label: near-forbidden (a fixed price, so even a 1-pixel touch loses to any clean spot)
    for (const p of placed) {
      const o = overlap(rect, p);
      if (o > 0) cost += 20000 + o * 50;
    }
    boxes.forEach((b, j) => {
      if (j !== self) cost += overlap(rect, b) * 4;
    });
    cost += overlap(rect, box) * 3;
    for (const wr of words) cost += overlap(rect, wr) * 0.6;
    cost += gap(rect, box) * 15;
    const inside = overlap(rect, page);
    cost += (w * h - inside) * 0.5;
    if (!best || cost < best.cost) best = { rect, cost, stacked: c.stacked };
  });
  if (!best) {
    const x = Math.round(Math.min(Math.max(bx0, bounds[0]), bounds[2] - w));
    const y = Math.round(Math.min(Math.max(by0, bounds[1]), bounds[3] - h));
    return { rect: [x, y, x + w, y + h] };
  }
  const b = best as { rect: PixelRect; stacked: boolean };
  if (!b.stacked) return { rect: b.rect };
  // a leader from the label's nearest corner to the box
  const r = b.rect;
  const lx = r[0] < bx0 ? r[2] : r[0];
  const ly = r[3] <= by0 ? r[3] : r[1];
  const tx = Math.min(Math.max(lx, bx0), bx1);
  const ty = r[3] <= by0 ? by0 : by1;
  return { rect: r, leader: [lx, ly, tx, ty] };
}

function drawLegend(ctx: SKRSContext2D, x: number, y: number, entries: RenderedPage['legend'], lowConfidence: number | undefined): void {
  ctx.textBaseline = 'middle';
  ctx.fillStyle = '#222222';
  ctx.font = font('bold', 13);
  ctx.fillText('Entity groups', x, y + 10);
  let cy = y + 34;
  ctx.font = font('sans', 12);
  if (entries.length === 0) {
    ctx.fillStyle = '#666666';
    ctx.fillText('(no fields on this page)', x, cy);
    cy += 22;
  }
  for (const e of entries) {
    ctx.fillStyle = withAlpha(e.color, 0.13);
    ctx.fillRect(x, cy - 7, 22, 14);
    ctx.strokeStyle = e.color;
    ctx.lineWidth = 2;
    ctx.strokeRect(x + 1, cy - 6, 20, 12);
    ctx.fillStyle = '#222222';
    ctx.fillText(`${e.group}`, x + 30, cy);
    const n = `${e.count}`;
    ctx.fillStyle = '#666666';
    ctx.fillText(n, x + LEGEND_WIDTH - 8 - ctx.measureText(n).width, cy);
    cy += 22;
  }
  if (lowConfidence !== undefined) {
    cy += 6;
    ctx.strokeStyle = '#444444';
    ctx.lineWidth = 2;
    ctx.setLineDash([5, 3]);
    ctx.strokeRect(x + 1, cy - 6, 20, 12);
    ctx.setLineDash([]);
    ctx.fillStyle = '#222222';
    ctx.fillText(`confidence < ${lowConfidence}`, x + 30, cy);
  }
}
