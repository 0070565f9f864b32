/**
 * A contact sheet for people to look at a corpus: a few first pages of every template family, redrawn from
 * their seeds, with each labelled word's box drawn in the colour of its entity group, and a legend.
 */
import { createCanvas } from '@napi-rs/canvas';
import type { InvoiceDocument } from '../documents/document.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { cssFont, registerFonts } from './fonts.js';
import { renderPage } from './generate-document.js';
import { readCorpus, readManifest } from './read-corpus.js';

export interface ContactSheetOptions {
  /** pages per template family (default 2) */
  perFamily?: number;
  /** thumbnail width in pixels (default 280) */
  thumbWidth?: number;
  columns?: number;
  schema?: LabelSchema;
}

export interface ContactSheet {
  png: Buffer;
  width: number;
  height: number;
  /** family id -> document ids shown */
  shown: Record<string, string[]>;
}

/** One colour per entity group (evenly spaced hues), by group id. */
export function groupColours(schema: LabelSchema): string[] {
  const n = schema.groups.length - 1;
  return schema.groups.map((g, i) => (g.id === schema.outsideGroup ? '#999999' : `hsl(${Math.round((i * 360) / n)}, 75%, 42%)`));
}

export async function renderContactSheet(dir: string, o: ContactSheetOptions = {}): Promise<ContactSheet> {
  registerFonts();
  const schema = o.schema ?? loadLabelSchema();
  const manifest = readManifest(dir);
  const per = o.perFamily ?? 2;
  const families = manifest.templates.filter((t) => t.documents > 0).map((t) => t.id);
  const picked = new Map<string, InvoiceDocument[]>(families.map((f) => [f, []]));
  let missing = families.length * per;
  for await (const doc of readCorpus(dir)) {
    const list = picked.get(doc.template ?? '');
    if (!list || list.length >= per) continue;
    list.push(doc);
    if (--missing === 0) break;
  }
  const colours = groupColours(schema);
  const tw = o.thumbWidth ?? 280;
  const th = Math.round(tw * 1.42);
  const cols = o.columns ?? Math.min(8, per * Math.ceil(Math.sqrt(families.length / 2)));
  const thumbs = [...picked.entries()].flatMap(([fam, docs]) => docs.map((d) => ({ fam, d })));
  const rows = Math.ceil(thumbs.length / cols);
  const pad = 10;
  const cap = 16;
  const legendH = 22 * Math.ceil((schema.groups.length - 1) / 5) + 16;
  const W = cols * (tw + pad) + pad;
  const H = rows * (th + cap + pad) + pad + legendH;
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#d8d8d8';
  ctx.fillRect(0, 0, W, H);
  thumbs.forEach(({ fam, d }, i) => {
    const x = pad + (i % cols) * (tw + pad);
    const y = pad + Math.floor(i / cols) * (th + cap + pad);
    const page = d.pages[0];
    // the whole first page fits its cell (narrow receipts stay narrow), centred
    const scale = Math.min(tw / page.width, th / page.height);
    const img = renderPage(d, 0, { scale, schema });
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, y + cap, tw, th);
    ctx.clip();
    ctx.fillStyle = '#f4f4f4';
    ctx.fillRect(x, y + cap, tw, th);
    const ox = x + Math.floor((tw - img.width) / 2);
    ctx.drawImage(img, ox, y + cap);
    for (const w of d.words) {
      if (w.page !== 0 || !w.label || w.label === 'O') continue;
      const li = schema.labelIndex.get(w.label);
      if (li === undefined) continue;
      const c = colours[schema.labelToGroup[li]];
      const [x0, y0, x1, y1] = w.box;
      ctx.strokeStyle = c;
      ctx.lineWidth = 1;
      ctx.globalAlpha = 0.9;
      ctx.strokeRect(ox + x0 * scale, y + cap + y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale);
      ctx.globalAlpha = 0.15;
      ctx.fillStyle = c;
      ctx.fillRect(ox + x0 * scale, y + cap + y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale);
      ctx.globalAlpha = 1;
    }
    ctx.restore();
    ctx.fillStyle = '#111111';
    ctx.font = cssFont({ face: 'sans-bold', size: 10 });
    ctx.fillText(`${fam}${d.unseenTemplate ? ' (unseen)' : ''}`, x, y + 11);
    ctx.font = cssFont({ face: 'sans', size: 8 });
    ctx.fillText(d.id, x + tw - ctx.measureText(d.id).width, y + 11);
  });
  // legend
  const ly = H - legendH + 8;
  ctx.font = cssFont({ face: 'sans', size: 10 });
  schema.groups
    .filter((g) => g.id !== schema.outsideGroup)
    .forEach((g, i) => {
      const x = pad + (i % 5) * Math.floor((W - 2 * pad) / 5);
      const y = ly + Math.floor(i / 5) * 22;
      ctx.fillStyle = colours[g.id];
      ctx.fillRect(x, y, 14, 14);
      ctx.fillStyle = '#111111';
      ctx.fillText(g.name, x + 20, y + 11);
    });
  const shown: Record<string, string[]> = {};
  for (const [f, docs] of picked) shown[f] = docs.map((d) => d.id);
  return { png: canvas.encodeSync('png'), width: W, height: H, shown };
}
