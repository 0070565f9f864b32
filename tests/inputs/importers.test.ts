import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  documentProblems,
  importDataset,
  loadImportLabelMap,
  loadLabelSchema,
  splitLineIntoWords,
  IMPORT_FORMATS,
  type ImportItem,
  type InvoiceDocument,
} from '@hybridoc/core';
import { runCli } from '../support/cli.js';

const FIXTURES = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../fixtures/inputs');
const schema = loadLabelSchema();

async function importAll(format: string, dir = join(FIXTURES, format)) {
  const items: ImportItem[] = [];
  for await (const item of importDataset(format, dir, { schema })) items.push(item);
  const docs = items.filter((i) => i.document).map((i) => i.document!);
  const errors = items.filter((i) => i.error).map((i) => i.error!.message);
  return { docs, errors };
}

const labelled = (doc: InvoiceDocument) => doc.words.map((w) => `${w.text}/${w.label}`);

function expectValid(docs: InvoiceDocument[]) {
  for (const d of docs) expect(documentProblems(d, d.id, { schema })).toEqual([]);
}

describe('label maps (config/importers)', () => {
  it('name only entities of the schema, for every format', () => {
    for (const format of IMPORT_FORMATS) {
      const map = loadImportLabelMap(format, schema);
      expect(map.labels.size).toBeGreaterThan(0);
      for (const entity of map.labels.values()) if (entity !== null) expect(schema.entityIndex.has(entity)).toBe(true);
    }
  });

  it('fail with the file and key on a bad map', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hybridoc-map-'));
    const file = join(dir, 'sroie.yaml');
    writeFileSync(file, 'format: sroie\nlabels:\n  company: SUPPLIER\n');
    expect(() => loadImportLabelMap('sroie', schema, file)).toThrow(
      `${file}: labels.company: unknown entity "SUPPLIER" (not in schema invoice-80)`,
    );
    writeFileSync(file, 'format: cord\nlabels: {}\n');
    expect(() => loadImportLabelMap('sroie', schema, file)).toThrow(`${file}: format: this map is for "cord", not "sroie"`);
  });
});

describe('FUNSD and XFUND', () => {
  it('imports FUNSD forms: words in reading order, every class O, page size from the image', async () => {
    const { docs, errors } = await importAll('funsd');
    expect(docs).toHaveLength(1);
    const [doc] = docs;
    expect(doc.id).toBe('training_data/annotations/0000990274');
    expect(doc.pages).toEqual([{ width: 754, height: 1000, image: join(FIXTURES, 'funsd/training_data/images/0000990274.png') }]);
    // DATE: (question, listed third) comes before its answer (listed second); the empty word is dropped
    expect(doc.words.map((w) => w.text).join(' ')).toBe(
      'REPORT SUMMARY DATE: March 3, 1998 SUBJECT: Field test results of the new filter design Page 1 of 3',
    );
    expect(new Set(doc.words.map((w) => w.label))).toEqual(new Set(['O']));
    expect((doc.meta!.sourceLabels as string[]).slice(0, 4)).toEqual(['header', 'header', 'question', 'answer']);
    expect(doc.words[2].box).toEqual([84, 150, 131, 166]);
    expect(errors).toEqual([
      `${join(FIXTURES, 'funsd/training_data/annotations/0000990275.json')}: form[1].words[1].box: x1 < x0 (234 < 280)`,
    ]);
    expectValid(docs);
  });

  it('imports XFUND documents (Unicode text, size from the annotation), one error per bad record', async () => {
    const { docs, errors } = await importAll('xfund');
    expect(docs.map((d) => d.id)).toEqual(['de_val_0']);
    expect(docs[0].pages).toEqual([{ width: 2480, height: 3508 }]);
    expect(docs[0].words.map((w) => w.text)).toEqual(['Anmeldung', 'zur', 'Prüfung', 'Straße:', 'Müllerweg', '7']);
    expect(errors).toEqual([`${join(FIXTURES, 'xfund/de.val.json')}: documents[1].img.width: must be positive, got -5`]);
    expectValid(docs);
  });
});

describe('CORD', () => {
  it('maps categories to entities with BIO spans, keys to O, and keeps splits apart', async () => {
    const { docs, errors } = await importAll('cord');
    expect(docs.map((d) => d.id)).toEqual(['dev/json/receipt_00000', 'train/json/receipt_00000']);
    const train = docs[1];
    expect(train.pages).toEqual([{ width: 432, height: 864, image: join(FIXTURES, 'cord/train/image/receipt_00000.png') }]);
    expect(docs[0].pages[0].image).toBeUndefined(); // dev has no image: train's receipt_00000.png is not taken
    expect(labelled(train)).toEqual([
      '2/B-QUANTITY',
      'NASI/B-ITEM_DESCRIPTION',
      'GORENG/I-ITEM_DESCRIPTION',
      '50,000/B-LINE_TOTAL',
      'SPECIAL/B-ITEM_DESCRIPTION', // the name's second line follows the price in reading order: its own span
      '1/B-QUANTITY',
      'ES/B-ITEM_DESCRIPTION',
      'TEH/I-ITEM_DESCRIPTION',
      '8,000/B-LINE_TOTAL',
      'SUBTOTAL/O',
      '58,000/B-SUBTOTAL',
      'PB1/O',
      '5,800/B-TAX',
      'TOTAL/O',
      '63,800/B-TOTAL_AMOUNT',
      'CASH/O',
      '100,000/B-AMOUNT_PAID',
      'CHANGE/O',
      '36,200/O',
    ]);
    expect(train.fields).toMatchObject({
      TOTAL_AMOUNT: ['63,800'],
      ITEM_DESCRIPTION: ['NASI GORENG', 'SPECIAL', 'ES TEH'],
      TAX: ['5,800'],
    });
    expect(train.words[1].box).toEqual([70, 210, 130, 232]);
    expect(errors).toEqual([
      `${join(FIXTURES, 'cord/dev/json/receipt_00001.json')}: valid_line[1].category: unknown category "menu.flavour" (not in ${resolve(FIXTURES, '../../../config/importers/cord.yaml')})`,
    ]);
    expectValid(docs);
  });

  it('joins consecutive lines of one category and group into one span', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hybridoc-cord-'));
    const quad = (x0: number, y0: number, x1: number, y1: number) => ({ x1: x0, y1: y0, x2: x1, y2: y0, x3: x1, y3: y1, x4: x0, y4: y1 });
    const line = (category: string, group: number, text: string, y: number) => ({
      category,
      group_id: group,
      sub_group_id: 0,
      words: text.split(' ').map((t, k) => ({ quad: quad(20 + k * 90, y, 100 + k * 90, y + 20), is_key: 0, row_id: y, text: t })),
    });
    const gt = {
      valid_line: [line('menu.nm', 1, 'CHICKEN KATSU', 50), line('menu.nm', 1, 'WITH RICE', 74), line('menu.nm', 2, 'ICED TEA', 98)],
      meta: { image_size: { width: 300, height: 300 } },
    };
    writeFileSync(join(dir, 'r.json'), JSON.stringify(gt));
    const { docs } = await importAll('cord', dir);
    expect(docs[0].words.map((w) => w.label)).toEqual([
      'B-ITEM_DESCRIPTION',
      'I-ITEM_DESCRIPTION',
      'I-ITEM_DESCRIPTION',
      'I-ITEM_DESCRIPTION',
      'B-ITEM_DESCRIPTION',
      'I-ITEM_DESCRIPTION',
    ]);
  });
});

describe('SROIE', () => {
  it('finds the key values among the lines: multi-line address, date inside a line, the total on its TOTAL row', async () => {
    const { docs, errors } = await importAll('sroie');
    expect(docs).toHaveLength(1);
    const [doc] = docs;
    expect(doc.pages).toEqual([{ width: 463, height: 1013, image: join(FIXTURES, 'sroie/0325updated.task1train(626p)/X51000000001.jpg') }]);
    const spans = (entity: string) =>
      doc.words
        .map((w, i) => ({ w, i }))
        .filter(({ w }) => w.label?.endsWith(entity))
        .map(({ w }) => `${w.label![0]}:${w.text}`);
    expect(spans('SUPPLIER_NAME')).toEqual(['B:KEDAI', 'I:RUNCIT', 'I:SRI', 'I:MURNI', 'I:SDN', 'I:BHD']);
    expect(spans('SUPPLIER_ADDRESS')).toEqual([
      'B:NO',
      'I:12,',
      'I:JALAN',
      'I:MAWAR',
      'I:3,',
      'I:TAMAN',
      'I:BUNGA,',
      'I:43000',
      'I:KAJANG',
      'I:SELANGOR',
      'I:DARUL',
      'I:EHSAN',
    ]);
    expect(spans('INVOICE_DATE')).toEqual(['B:12/05/2018']);
    // 10.70 also stands on the "TOTAL QTY" row: only the RM10.70 of "TOTAL (INCL GST)" is the total
    expect(spans('TOTAL_AMOUNT')).toEqual(['B:RM10.70']);
    expect(doc.fields).toEqual({
      SUPPLIER_NAME: ['KEDAI RUNCIT SRI MURNI SDN BHD'],
      INVOICE_DATE: ['12/05/2018'],
      SUPPLIER_ADDRESS: ['NO 12, JALAN MAWAR 3, TAMAN BUNGA, 43000 KAJANG SELANGOR DARUL EHSAN'],
      TOTAL_AMOUNT: ['10.70'],
    });
    // line boxes split by character counts: "DATE : 12/05/2018 10:42" spans x 40..330, 23 characters
    const date = doc.words.find((w) => w.text === '12/05/2018')!;
    expect(date.box[0]).toBeCloseTo(40 + (7 * 290) / 23, 1);
    expect(date.box[2]).toBeCloseTo(40 + (17 * 290) / 23, 1);
    const t1 = join(FIXTURES, 'sroie/0325updated.task1train(626p)');
    expect(errors).toEqual([
      `${t1}/X51000000002.txt:4: coordinate 4: not a number ("x")`,
      `${t1}/X51000000003.txt: no key file (X51000000003.json or a X51000000003.txt holding {"company", ...}) for this box file`,
    ]);
    expectValid(docs);
  });

  it('splits a line into words by character counts', () => {
    expect(splitLineIntoWords('AB  CD', [0, 0, 60, 10])).toEqual([
      { text: 'AB', box: [0, 0, 20, 10] },
      { text: 'CD', box: [40, 0, 60, 10] },
    ]);
  });
});

describe('WildReceipt', () => {
  it('maps class ids through class_list.txt, joins address lines, drops empty boxes', async () => {
    const { docs, errors } = await importAll('wildreceipt');
    expect(docs).toHaveLength(1);
    const [doc] = docs;
    expect(doc.id).toBe('Image_7/3/receipt_a');
    expect(doc.pages).toEqual([{ width: 900, height: 1200 }]);
    expect(labelled(doc)).toEqual([
      'GREENLEAF/B-SUPPLIER_NAME',
      'MARKET/I-SUPPLIER_NAME',
      '41/B-SUPPLIER_ADDRESS',
      'ELM/I-SUPPLIER_ADDRESS',
      'STREET/I-SUPPLIER_ADDRESS',
      'SPRINGFIELD/I-SUPPLIER_ADDRESS',
      'OR/I-SUPPLIER_ADDRESS',
      '97477/I-SUPPLIER_ADDRESS',
      'TEL/O',
      '541-555-0199/B-SUPPLIER_PHONE',
      'ORGANICAPPLES/B-ITEM_DESCRIPTION',
      '4.99/B-LINE_TOTAL',
      'WHOLE/B-ITEM_DESCRIPTION',
      'MILK/I-ITEM_DESCRIPTION',
      '3.49/B-LINE_TOTAL',
      'TOTAL/O',
      '8.48/B-TOTAL_AMOUNT',
      '03/14/2019/B-INVOICE_DATE',
      '10:31/O',
    ]);
    expect(doc.words[0].box).toEqual([300, 90, 468.75, 140]); // 9 of the box's 16 characters
    const file = join(FIXTURES, 'wildreceipt/test.txt');
    expect(errors).toEqual([
      `${file}:2: annotations[1].label: unknown class id 40 (the class list has 26)`,
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: not valid JSON`)),
    ]);
    expectValid(docs);
  });
});

describe('hybridoc import (CLI)', () => {
  it('writes one native document per line, lists skipped files, exits 0', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hybridoc-import-')), 'sub', 'cord.jsonl');
    const r = runCli(['import', '--format', 'cord', join(FIXTURES, 'cord'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imported 2 cord documents \(23 words, 16 in entities\) into .*cord\.jsonl; 1 skipped\n/);
    expect(r.stderr).toContain('receipt_00001.json: valid_line[1].category: unknown category "menu.flavour"');
    const docs = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as InvoiceDocument);
    expect(docs.map((d) => d.id)).toEqual(['dev/json/receipt_00000', 'train/json/receipt_00000']);
    // image paths relative to the output file's folder
    expect(resolve(join(out, '..'), docs[1].pages[0].image!)).toBe(join(FIXTURES, 'cord/train/image/receipt_00000.png'));
    for (const d of docs) expect(documentProblems(d, d.id, { schema })).toEqual([]);
  });

  it('fails with one line when nothing can be imported, and leaves no output', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hybridoc-import-')), 'x.jsonl');
    const r = runCli(['import', '--format', 'sroie', join(FIXTURES, 'cord'), '--out', out, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`hybridoc: ${join(FIXTURES, 'cord')}: no SROIE box files (x1,y1,...,x4,y4,text per line) in the folder`);
    expect(existsSync(out)).toBe(false);
    const bad = runCli(['import', '--format', 'sroie', '/nonexistent-dir', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('hybridoc: /nonexistent-dir: no such folder');
  });
});
