import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import type { Word } from '../../packages/core/src/documents/document.js';
import { loadLabelSchema } from '../../packages/core/src/schema/label-schema.js';
import { HybridocError } from '../../packages/core/src/util/errors.js';
import {
  drawFields,
  drawLabeledWords,
  fieldsFromLabels,
  rectsOverlap,
  renderFields,
  renderLabeledWords,
  type DrawableField,
  type PixelRect,
} from '../../packages/core/src/render/draw-fields.js';
import { GROUP_PALETTE, groupColor, schemaGroupColors, textColorOn } from '../../packages/core/src/render/palette.js';
import { countColor, decodePng, distinctColors, hexRgb, pngSize } from './png.js';
import { sampleInvoice } from './sample-invoice.js';

const schema = loadLabelSchema();
const doc = sampleInvoice();
const WIDTH = 600;

describe('fieldsFromLabels', () => {
  test('gold BIO labels become fields with values and union boxes', () => {
    const fields = fieldsFromLabels(schema, doc.words);
    const byEntity = (e: string) => fields.filter((f) => f.entity === e);
    expect(byEntity('SUPPLIER_NAME').map((f) => f.value)).toEqual(['Acme Widgets GmbH']);
    expect(byEntity('IBAN').map((f) => f.value)).toEqual(['DE89 3704 0044 0532 0130 00']);
    expect(byEntity('LINE_TOTAL').map((f) => f.value)).toEqual(['100.00', '120.00']);
    const name = doc.words.filter((w) => w.label?.endsWith('SUPPLIER_NAME'));
    expect(byEntity('SUPPLIER_NAME')[0].boxes).toEqual([
      { page: 0, box: [name[0].box[0], name[0].box[1], name[2].box[2], name[2].box[3]] },
    ]);
    expect(fields).toHaveLength(29);
  });

  test('a label outside the schema is an error naming the word', () => {
    const words: Word[] = [{ text: 'x', box: [0, 0, 1, 1], page: 0, label: 'B-NOT_AN_ENTITY' }];
    expect(() => fieldsFromLabels(schema, words)).toThrow(/word 0 \("x"\): label B-NOT_AN_ENTITY is not in the schema/);
  });
});

describe('renderFields on a blank page', () => {
  const fields = fieldsFromLabels(schema, doc.words).map((f, i) => ({ ...f, confidence: 0.5 + (i % 5) / 10 }));
  let rendered: Awaited<ReturnType<typeof renderFields>>;
  let px: Awaited<ReturnType<typeof decodePng>>;
  beforeAll(async () => {
    rendered = await renderFields({ page: doc.pages[0], words: doc.words, fields }, { schema, width: WIDTH });
    px = await decodePng(rendered.png);
  });

  test('a PNG of the stated size; the page drawn WIDTH pixels wide at the page aspect ratio', () => {
    expect(pngSize(rendered.png)).toEqual({ width: rendered.width, height: rendered.height });
    const [x0, y0, x1, y1] = rendered.pageRect;
    expect(x1 - x0).toBe(WIDTH);
    expect(y1 - y0).toBe(Math.round((842 * WIDTH) / 595));
    expect(rendered.scale).toBeCloseTo(WIDTH / 595, 12);
    expect(rendered.width).toBeGreaterThan(x1 + 200); // the legend sits right of the page
  });

  test('each box is outlined in its group colour; the fill is that colour at 13% over the paper', () => {
    expect(rendered.fields).toHaveLength(29);
    for (const f of rendered.fields) {
      expect(f.color).toBe(groupColor(f.groupId));
      const [x0, y0, , y1] = f.rect;
      // the left edge: a 2-pixel line of the group colour down the box (labels may cover a little of it)
      const onEdge = countColor(px, [x0, y0, x0 + 2, y1], hexRgb(f.color), 4);
      expect(onEdge).toBeGreaterThanOrEqual((y1 - y0) * 2 * 0.6);
    }
    // the INVOICE title box: inside it, the paper shows through as 87% white + 13% blue
    const docType = rendered.fields.find((f) => f.entity === 'DOC_TYPE')!;
    const [r, g, b] = hexRgb(docType.color);
    const tint: [number, number, number] = [0.87 * 255 + 0.13 * r, 0.87 * 255 + 0.13 * g, 0.87 * 255 + 0.13 * b].map(Math.round) as never;
    expect(countColor(px, docType.rect, tint, 3)).toBeGreaterThan(50);
  });

  test('labels: entity name and confidence on the group colour, none overlapping another', () => {
    const sup = rendered.fields.find((f) => f.entity === 'SUPPLIER_NAME')!;
    expect(sup.labelText).toMatch(/^SUPPLIER_NAME 0\.\d\d$/);
    for (const f of rendered.fields) {
      const [x0, y0, x1, y1] = f.label;
      const area = (x1 - x0) * (y1 - y0);
      expect(countColor(px, f.label, hexRgb(f.color), 4)).toBeGreaterThan(area * 0.5);
      expect(distinctColors(px, f.label)).toBeGreaterThan(3); // text on it
    }
    const clashes: string[] = [];
    for (let i = 0; i < rendered.fields.length; i++) {
      for (let j = i + 1; j < rendered.fields.length; j++) {
        const [a, b] = [rendered.fields[i], rendered.fields[j]];
        if (rectsOverlap(a.label, b.label)) clashes.push(`${a.labelText} ${a.label} / ${b.labelText} ${b.label}`);
      }
    }
    expect(clashes).toEqual([]);
  });

  test('the legend lists the groups present, in group-id order, with their box counts', () => {
    expect(rendered.legend.map((e) => [e.group, e.count])).toEqual([
      ['document_metadata', 6],
      ['supplier_info', 3],
      ['buyer_info', 2],
      ['financial_totals', 4],
      ['line_items', 10],
      ['banking', 2],
      ['accounting', 1],
      ['miscellaneous', 1],
    ]);
    // the legend area has a swatch outline of each colour
    const legendArea: PixelRect = [rendered.pageRect[2], 0, rendered.pageRect[2] + 60, 300];
    for (const e of rendered.legend) expect(countColor(px, legendArea, hexRgb(e.color), 4)).toBeGreaterThan(20);
  });

  test('words are drawn as text on a blank page', () => {
    const bill = doc.words.find((w) => w.text === 'Bill')!;
    const s = rendered.scale;
    const [px0, py0] = rendered.pageRect;
    const rect: PixelRect = [px0 + bill.box[0] * s, py0 + bill.box[1] * s, px0 + bill.box[2] * s, py0 + bill.box[3] * s];
    expect(distinctColors(px, rect)).toBeGreaterThan(3);
  });
});

describe('renderFields details', () => {
  const box = (x: number, y: number, w = 30, h = 12): [number, number, number, number] => [x, y, x + w, y + h];

  test('the outside group is never drawn; unknown entities are an error', async () => {
    const r = await renderFields(
      { page: { width: 200, height: 100 }, fields: [{ entity: 'O', group: 'outside', page: 0, box: box(10, 10) }] },
      { schema, width: 200 },
    );
    expect(r.fields).toEqual([]);
    expect(r.legend).toEqual([]);
    await expect(
      renderFields({ page: { width: 200, height: 100 }, fields: [{ entity: 'NOPE', page: 0, box: box(10, 10) }] }, { schema }),
    ).rejects.toThrow(/drawFields: field 0: entity NOPE is not in the schema/);
    await expect(renderFields({ page: { width: 0, height: 100 }, fields: [] }, { schema })).rejects.toThrow(HybridocError);
  });

  test('only the boxes on the page drawn; a field spanning pages draws its part on this page', async () => {
    const fields: DrawableField[] = [
      { entity: 'TOTAL_AMOUNT', page: 1, box: box(10, 10) },
      {
        entity: 'NOTES',
        boxes: [
          { page: 0, box: box(50, 40) },
          { page: 1, box: box(10, 60) },
        ],
      },
      { entity: 'IBAN', box: box(100, 60), confidence: 0.2 }, // page defaults to 0
    ];
    const r0 = await renderFields({ page: { width: 200, height: 100 }, pageIndex: 0, fields }, { schema, width: 400 });
    expect(r0.fields.map((f) => [f.field, f.entity])).toEqual([
      [1, 'NOTES'],
      [2, 'IBAN'],
    ]);
    expect(r0.fields[1].labelText).toBe('IBAN 0.20');
    const r1 = await renderFields({ page: { width: 200, height: 100 }, pageIndex: 1, fields }, { schema, width: 400 });
    expect(r1.fields.map((f) => f.entity)).toEqual(['TOTAL_AMOUNT', 'NOTES']);
    expect(r1.fields[1].rect[1]).toBeGreaterThan(r1.pageRect[1] + 60 * 2 - 4);
  });

  test('crowded narrow fields get labels that do not overlap', async () => {
    // 8 adjacent 20-unit boxes in a row: every label is wider than its box
    const fields: DrawableField[] = ['QUANTITY', 'UNIT_PRICE', 'LINE_TOTAL', 'ITEM_CODE', 'TAX', 'SUBTOTAL', 'CURRENCY', 'DISCOUNT'].map(
      (entity, i) => ({
        entity,
        page: 0,
        box: box(40 + i * 22, 80, 20, 10),
        confidence: 0.9,
      }),
    );
    const r = await renderFields({ page: { width: 300, height: 200 }, fields }, { schema, width: 600 });
    for (let i = 0; i < r.fields.length; i++)
      for (let j = i + 1; j < r.fields.length; j++) expect(rectsOverlap(r.fields[i].label, r.fields[j].label)).toBe(false);
  });

  test('drawn over a page image (bytes or path), scaled to the page', async () => {
    const c = createCanvas(119, 168);
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#FFFF00';
    ctx.fillRect(0, 0, 119, 168);
    const png = c.toBuffer('image/png');
    const fields: DrawableField[] = [{ entity: 'TOTAL_AMOUNT', page: 0, box: [300, 300, 400, 320] }];
    const r = await renderFields({ page: doc.pages[0], image: png, words: doc.words, fields }, { schema, width: 300, legend: false });
    const px = await decodePng(r.png);
    const [x0, y0, x1, y1] = r.pageRect;
    expect(r.width).toBe(x1 + 16); // no legend
    for (const [x, y] of [
      [x0 + 2, y0 + 2],
      [x1 - 3, y1 - 3],
      [x0 + 5, y1 - 5],
    ]) {
      expect(px.at(x, y).slice(0, 3)).toEqual([255, 255, 0]);
    }
    // words are not drawn over an image by default: the page stays plain yellow outside the field
    expect(distinctColors(px, [x0 + 2, y0 + 2, x0 + 100, y0 + 60])).toBe(1);
    expect(countColor(px, r.fields[0].rect, hexRgb(groupColor(3)), 4)).toBeGreaterThan(20);

    const dir = mkdtempSync(join(tmpdir(), 'hybridoc-render-'));
    try {
      const file = join(dir, 'page.png');
      writeFileSync(file, png);
      const fromPath = await drawFields(
        { page: doc.pages[0], image: file, words: doc.words, fields },
        { schema, width: 300, legend: false },
      );
      expect(fromPath.equals(r.png)).toBe(true);
      await expect(drawFields({ page: doc.pages[0], image: join(dir, 'missing.png'), fields }, { schema })).rejects.toThrow(
        /missing\.png: cannot read image/,
      );
      await expect(drawFields({ page: doc.pages[0], image: new Uint8Array([1, 2, 3]), fields }, { schema })).rejects.toThrow(
        /page image: cannot read image/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('drawLabeledWords', () => {
  test('draws the gold labels of a page like predictions, titled with the document', async () => {
    const r = await renderLabeledWords(doc, 0, { schema, width: 500 });
    expect(r.fields).toHaveLength(fieldsFromLabels(schema, doc.words).length);
    expect(r.fields.every((f) => !/\d\.\d\d$/.test(f.labelText))).toBe(true); // gold: no confidences
    const png = await drawLabeledWords(doc, 0, { schema, width: 500 });
    expect(pngSize(png)).toEqual({ width: r.width, height: r.height });
    expect(png.equals(r.png)).toBe(true); // deterministic
    await expect(drawLabeledWords(doc, 3, { schema })).rejects.toThrow(/sample-0001: no page 3 \(the document has 1\)/);
  });
});

describe('group palette', () => {
  test('19 distinct colours for the 19 entity groups, more on demand, none for the outside group', () => {
    expect(GROUP_PALETTE).toHaveLength(19);
    const more = Array.from({ length: 60 }, (_, i) => groupColor(i));
    expect(new Set(more).size).toBe(60);
    expect(more.every((c) => /^#[0-9A-F]{6}$/.test(c))).toBe(true);
    const colors = schemaGroupColors(schema);
    expect(colors).toHaveLength(20);
    expect(colors[schema.outsideGroup]).toBeNull();
    expect(textColorOn('#0067A5')).toBe('#FFFFFF');
    expect(textColorOn('#F6A600')).toBe('#000000');
    expect(() => groupColor(-1)).toThrow(RangeError);
  });
});
