/**
 * Every word sits in its box, checked on rendered pixels: each word's ink lies inside its box and reaches
 * its left and right edges, and no ink falls outside all word boxes except the decorations the page draws
 * (rules, fills, logos, stamps, charts). One or two documents of every template family, first and last page.
 */
import { loadLabelSchema } from '../../packages/core/src/schema/label-schema.js';
import { DocumentFactory, NO_NOISE, type GeneratedDocument } from '../../packages/core/src/corpus/generate-document.js';
import { drawPage, type PageDrawing } from '../../packages/core/src/corpus/render.js';
import { FAMILIES } from '../../packages/core/src/corpus/templates/index.js';
import type { Box } from '../../packages/core/src/documents/document.js';

const schema = loadLabelSchema();
const factory = new DocumentFactory(schema);
const S = 1.5;

/** Render and threshold: mask = clearly dark pixels (luminance < 128), faint = any ink (< 225). */
function inkMask(page: PageDrawing): { mask: Uint8Array; faint: Uint8Array; w: number; h: number } {
  const c = drawPage(page, { scale: S, clean: true });
  const { width: w, height: h } = c;
  const data = c.getContext('2d').getImageData(0, 0, w, h).data;
  const mask = new Uint8Array(w * h);
  const faint = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const lum = 0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2];
    mask[i] = lum < 128 ? 1 : 0;
    faint[i] = lum < 225 ? 1 : 0;
  }
  return { mask, faint, w, h };
}

/** The dark pixels of `mask`, and how many of them `covered` leaves out. */
function inkOutside(mask: Uint8Array, covered: Uint8Array): { ink: number; outside: number } {
  let ink = 0;
  let outside = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    ink++;
    if (!covered[i]) outside++;
  }
  return { ink, outside };
}

function px(b: Box): [number, number, number, number] {
  return [b[0] * S, b[1] * S, b[2] * S, b[3] * S];
}

function docsToCheck(): GeneratedDocument[] {
  const out: GeneratedDocument[] = [];
  FAMILIES.forEach((f, fi) => out.push(factory.generate({ seed: 5, index: fi, domain: f.domain, template: f.id, noise: NO_NOISE })));
  return out;
}

const generated = docsToCheck();

test('each word: ink inside its box, touching its left and right edges (words drawn alone, in black)', () => {
  const problems: string[] = [];
  let words = 0;
  for (const g of generated) {
    const pages = [...new Set([0, g.pages.length - 1])];
    for (const p of pages) {
      const page = g.pages[p];
      const textWords = page.words.filter((w) => !w.carrier && w.alpha === undefined);
      // the stored boxes (rounded, as written to the corpus), in reading order of this page
      const stored = g.doc.words.filter((w) => w.page === p);
      const storedBoxes = new Map(page.words.map((w, i) => [w, stored[i].box]));
      const alone: PageDrawing = {
        ...page,
        graphics: page.graphics.filter((x) => x.kind === 'qr' || x.kind === 'signature'),
        words: textWords.map((w) => ({ ...w, color: '#000000' })),
      };
      const { mask, faint, w, h } = inkMask(alone);
      const covered = new Uint8Array(w * h);
      const boxes = page.words.filter((x) => x.alpha === undefined).map((x) => px(storedBoxes.get(x)!));
      for (const [x0, y0, x1, y1] of boxes)
        for (let y = Math.max(0, Math.floor(y0) - 1); y < Math.min(h, Math.ceil(y1) + 1); y++)
          for (let x = Math.max(0, Math.floor(x0) - 1); x < Math.min(w, Math.ceil(x1) + 1); x++) covered[y * w + x] = 1;
      const { ink, outside } = inkOutside(mask, covered);
      if (outside > Math.max(3, ink * 0.001))
        problems.push(`${g.doc.template} ${g.doc.id} p${p}: ${outside} of ${ink} ink pixels outside every word box`);
      for (const tw of textWords) {
        words++;
        const [x0, y0, x1, y1] = px(storedBoxes.get(tw)!);
        let l = Infinity;
        let r = -Infinity;
        let n = 0;
        for (let y = Math.max(0, Math.floor(y0)); y < Math.min(h, Math.ceil(y1)); y++)
          for (let x = Math.max(0, Math.floor(x0)); x < Math.min(w, Math.ceil(x1)); x++)
            if (faint[y * w + x]) {
              n++;
              if (x < l) l = x;
              if (x > r) r = x;
            }
        if (n === 0) {
          if (tw.text.replace(/[.,'`·_\-–:;]/g, '').length > 0)
            problems.push(`${g.doc.template} ${g.doc.id}: no ink in the box of "${tw.text}"`);
          continue;
        }
        // thin glyphs at the ends ('.', ',', '-') may stay under the threshold; only wider words must be tight
        if (tw.text.length >= 2 && /^[A-Za-z0-9]/.test(tw.text) && /[A-Za-z0-9]$/.test(tw.text)) {
          if (l - x0 > 2.5 || x1 - (r + 1) > 2.5)
            problems.push(
              `${g.doc.template} ${g.doc.id}: box of "${tw.text}" [${x0.toFixed(1)}, ${x1.toFixed(1)}] is wider than its ink [${l}, ${r + 1}]`,
            );
        }
      }
    }
  }
  expect(words).toBeGreaterThan(3000);
  expect(problems.slice(0, 10)).toEqual([]);
});

test('the full page: dark ink outside word boxes only where the page draws rules, fills, logos, stamps and charts', () => {
  const problems: string[] = [];
  for (const g of generated) {
    const page = g.pages[0];
    const stored = g.doc.words.filter((w) => w.page === 0);
    const { mask, w, h } = inkMask(page);
    const covered = new Uint8Array(w * h);
    const cover = (b: [number, number, number, number], pad: number) => {
      for (let y = Math.max(0, Math.floor(b[1] - pad)); y < Math.min(h, Math.ceil(b[3] + pad)); y++)
        for (let x = Math.max(0, Math.floor(b[0] - pad)); x < Math.min(w, Math.ceil(b[2] + pad)); x++) covered[y * w + x] = 1;
    };
    for (const sw of stored) cover(px(sw.box), 1);
    for (const gr of page.graphics) {
      if (gr.kind === 'line')
        cover(
          [Math.min(gr.x0, gr.x1) * S, Math.min(gr.y0, gr.y1) * S, Math.max(gr.x0, gr.x1) * S, Math.max(gr.y0, gr.y1) * S],
          gr.width * S + 1,
        );
      else cover(px(gr.box), 2);
    }
    const { ink, outside } = inkOutside(mask, covered);
    if (outside > Math.max(3, ink * 0.002))
      problems.push(`${g.doc.template} ${g.doc.id}: ${outside} of ${ink} dark pixels outside words and decorations`);
    // QR and signature words: their box holds the drawn symbol
    for (const sw of stored) {
      if (!/QR_CODE|SIGNATURE/.test(sw.label ?? '')) continue;
      const [x0, y0, x1, y1] = px(sw.box);
      let n = 0;
      for (let y = Math.ceil(y0); y < Math.floor(y1); y++) for (let x = Math.ceil(x0); x < Math.floor(x1); x++) n += mask[y * w + x];
      if (n < (x1 - x0) * (y1 - y0) * (sw.label!.includes('QR') ? 0.25 : 0.01))
        problems.push(`${g.doc.id}: ${sw.label} box holds little ink (${n})`);
    }
  }
  expect(problems.slice(0, 10)).toEqual([]);
});
