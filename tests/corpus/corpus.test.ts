/**
 * One 2,000-document corpus (no images, as CI makes it) checked as a whole: every schema entity present in
 * its own domains and at >= 0.5% of documents, valid BIO everywhere, boxes inside pages, the numbers of
 * every invoice holding together, the domain mix, the splits, held-out families, and the manifest agreeing
 * with the documents it describes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLabelSchema } from '../../packages/core/src/schema/label-schema.js';
import { generateCorpus } from '../../packages/core/src/corpus/generate-corpus.js';
import { loadCorpus, readManifest } from '../../packages/core/src/corpus/read-corpus.js';
import { loadCorpusConfig } from '../../packages/core/src/corpus/corpus-config.js';
import type { InvoiceDocument } from '../../packages/core/src/documents/document.js';
import type { CorpusManifest } from '../../packages/core/src/corpus/manifest.js';
import type { Lang } from '../../packages/core/src/corpus/locales.js';
import { ibanValid, parseAmount, parseDate, parseNumber, type NumberMeta } from './support.js';

const schema = loadLabelSchema();
const config = loadCorpusConfig(schema);
let dir: string;
let docs: InvoiceDocument[];
let manifest: CorpusManifest;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hd-corpus-'));
  await generateCorpus({ out: dir, count: 2000, seed: 7, images: false, schema });
  manifest = readManifest(dir);
  docs = await loadCorpus(dir);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ledger {
  items: Array<[number, number, number, number]>;
  subtotal: number;
  discount: number;
  shipping: number;
  taxLines: Array<[number, number, number]>;
  tax: number;
  total: number;
  previousBalance: number;
  paymentsReceived: number;
  adjustments: number;
  paid: number;
  refund: number;
  due: number;
  change: number;
}

test('every schema entity occurs, only in its domains, in >= 0.5% of documents (and in train)', () => {
  expect(docs).toHaveLength(2000);
  const docCount = new Map<string, number>();
  const outOfDomain: string[] = [];
  for (const d of docs) {
    const seen = new Set<string>();
    for (const w of d.words) if (w.label && w.label !== 'O') seen.add(w.label.slice(2));
    for (const e of seen) {
      const def = schema.entities[schema.entityIndex.get(e)!];
      if (!def.domains.includes(d.domain!)) outOfDomain.push(`${d.id}: ${e} in ${d.domain}`);
      docCount.set(e, (docCount.get(e) ?? 0) + 1);
    }
  }
  expect(outOfDomain).toEqual([]);
  const tooRare = schema.entities
    .filter((e) => (docCount.get(e.name) ?? 0) / docs.length < 0.005)
    .map((e) => `${e.name}: ${docCount.get(e.name) ?? 0}`);
  expect(tooRare).toEqual([]);
  for (const e of schema.entities) {
    const m = manifest.entities.find((x) => x.name === e.name)!;
    expect([e.name, m.documents]).toEqual([e.name, docCount.get(e.name)]);
    expect(m.train.documents).toBeGreaterThan(0);
  }
  expect(manifest.entities).toHaveLength(schema.numEntities);
});

test('labels are valid BIO under the schema; boxes lie inside their pages; fields match the labelled words', () => {
  // plain checks collected into one list (one expect per word would take minutes over 400K words)
  const errors: string[] = [];
  const sorted = (o: Record<string, string[]>) =>
    JSON.stringify(
      Object.entries(o)
        .map(([k, v]) => [k, [...v].sort()])
        .sort(),
    );
  for (const d of docs) {
    let prev = 'O';
    const spans: Record<string, string[]> = {};
    let cur: { e: string; words: string[] } | null = null;
    for (const w of d.words) {
      const l = w.label!;
      if (!schema.labelIndex.has(l)) errors.push(`${d.id}: unknown label ${l}`);
      if (l.startsWith('I-') && prev !== `B-${l.slice(2)}` && prev !== l) errors.push(`${d.id}: ${l} after ${prev}`);
      const [x0, y0, x1, y1] = w.box;
      const p = d.pages[w.page];
      if (!p || !(x0 >= 0 && y0 >= 0 && x1 <= p.width && y1 <= p.height && x0 < x1 && y0 < y1))
        errors.push(`${d.id}: box ${w.box} outside page ${w.page}`);
      if (w.text.length === 0 || /\s/.test(w.text)) errors.push(`${d.id}: bad word text ${JSON.stringify(w.text)}`);
      if (l.startsWith('B-')) {
        if (cur) (spans[cur.e] ??= []).push(cur.words.join(' '));
        cur = { e: l.slice(2), words: [w.text] };
      } else if (l.startsWith('I-') && cur) cur.words.push(w.text);
      else if (cur) {
        (spans[cur.e] ??= []).push(cur.words.join(' '));
        cur = null;
      }
      prev = l;
    }
    if (cur) (spans[cur.e] ??= []).push(cur.words.join(' '));
    if (sorted(d.fields!) !== sorted(spans)) errors.push(`${d.id}: fields differ from the labelled spans`);
  }
  expect(errors.slice(0, 10)).toEqual([]);
});

test('the numbers of every invoice hold together, as printed', () => {
  const errors: string[] = [];
  const check = (ok: boolean, what: () => string) => {
    if (!ok) errors.push(what());
  };
  let checkedRows = 0;
  let checkedDates = 0;
  for (const d of docs) {
    const m = d.meta as { ledger: Ledger; number: NumberMeta; datePattern: string; lang: Lang; meters?: Array<[number, number, number]> };
    const l = m.ledger;
    const f = d.fields!;
    const amt = (s: string) => parseAmount(s, m.number);
    const id = d.id;
    // rows multiply out, rows add up, totals add up
    for (const [qty, price, disc, total] of l.items)
      check(Math.abs(Math.round(qty * price * 100) - disc - total) <= 1, () => `${id}: row ${qty} x ${price} - ${disc} != ${total}`);
    check(l.items.reduce((s, it) => s + it[3], 0) === l.subtotal, () => `${id}: rows do not add up to the subtotal`);
    check(l.total === l.subtotal - l.discount + l.shipping + l.tax, () => `${id}: total != subtotal - discount + shipping + tax`);
    check(l.taxLines.reduce((s, t) => s + t[2], 0) === l.tax, () => `${id}: tax lines do not add up`);
    for (const [rate, base, tax] of l.taxLines)
      check(Math.abs(Math.round(base * rate) - tax) <= 1, () => `${id}: tax ${tax} != ${rate} x ${base}`);
    if (d.domain === 'pos') check(l.change === l.paid - (l.total - l.refund), () => `${id}: change`);
    else check(l.due === l.total + l.previousBalance - l.paymentsReceived - l.paid - l.adjustments - l.refund, () => `${id}: amount due`);
    // printed values are the ledger's
    const printed: Array<[string, number]> = [
      ['TOTAL_AMOUNT', l.total],
      ['SUBTOTAL', l.subtotal],
      ['TAX', l.tax],
      ['DISCOUNT', l.discount],
      ['SHIPPING_AMOUNT', l.shipping],
      ['AMOUNT_PAID', l.paid],
      ['AMOUNT_DUE', l.due],
      ['PREVIOUS_BALANCE', l.previousBalance],
      ['REFUND_AMOUNT', l.refund],
    ];
    for (const [e, cents] of printed)
      for (const v of f[e] ?? []) check(Math.abs(amt(v)) === Math.abs(cents), () => `${id}: ${e} printed ${v}, ledger ${cents}`);
    const lineTotals = (f.LINE_TOTAL ?? []).map(amt);
    check(JSON.stringify(lineTotals) === JSON.stringify(l.items.map((it) => it[3])), () => `${id}: LINE_TOTAL ${lineTotals} vs ledger`);
    if ((f.QUANTITY ?? []).length === l.items.length && (f.UNIT_PRICE ?? []).length === l.items.length) {
      f.QUANTITY!.forEach((q, i) => {
        const qty = parseNumber(q, m.number);
        const price = parseNumber(f.UNIT_PRICE![i], m.number);
        check(
          Math.abs(Math.round(qty * price * 100) - l.items[i][2] - amt(f.LINE_TOTAL![i])) <= 1,
          () => `${id}: printed row ${q} x ${f.UNIT_PRICE![i]} != ${f.LINE_TOTAL![i]}`,
        );
        checkedRows++;
      });
    }
    const rates = l.taxLines.map((t) => Math.round(t[0] * 10000));
    for (const r of f.TAX_RATE ?? [])
      check(rates.includes(Math.round(parseNumber(r, m.number) * 100)), () => `${id}: TAX_RATE ${r} not in ${rates}`);
    // dates
    if (f.INVOICE_DATE && f.DUE_DATE) {
      const issued = parseDate(f.INVOICE_DATE[0], m.datePattern, m.lang);
      for (const due of f.DUE_DATE)
        check(parseDate(due, m.datePattern, m.lang) > issued, () => `${id}: due ${due} not after ${f.INVOICE_DATE![0]}`);
      checkedDates++;
    }
    // identifiers in their real formats
    for (const v of f.IBAN ?? []) check(ibanValid(v), () => `${id}: IBAN ${v}`);
    for (const v of f.SWIFT_CODE ?? []) check(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(v), () => `${id}: BIC ${v}`);
    for (const v of f.CAGE_CODE ?? []) check(/^[0-9][A-HJ-NP-Z0-9]{3}[0-9]$/.test(v), () => `${id}: CAGE ${v}`);
    for (const v of f.DIAGNOSIS_CODE ?? []) check(/^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$/.test(v), () => `${id}: ICD-10 ${v}`);
    for (const v of f.PROCEDURE_CODE ?? []) check(/^\d{5}$/.test(v), () => `${id}: CPT ${v}`);
    // meters: current - previous = usage, as printed
    const prevs = f.PREVIOUS_READING ?? [];
    const currs = f.CURRENT_READING ?? [];
    const uses = f.USAGE_AMOUNT ?? [];
    if (prevs.length && prevs.length === currs.length && currs.length === uses.length) {
      prevs.forEach((p, i) => {
        const diff = parseNumber(currs[i], m.number) - parseNumber(p, m.number);
        check(Math.abs(diff - parseNumber(uses[i], m.number)) < 0.051, () => `${id}: ${currs[i]} - ${p} != ${uses[i]}`);
      });
    }
    for (const [p, c, u] of m.meters ?? []) check(Math.abs(c - p - u) < 1e-6, () => `${id}: meter ledger`);
  }
  expect(errors.slice(0, 10)).toEqual([]);
  expect(checkedRows).toBeGreaterThan(5000);
  expect(checkedDates).toBeGreaterThan(1000);
});

test('the domain mix is within 3 points of the configuration, and the manifest says so', () => {
  const total = config.domains.reduce((s, d) => s + d.share, 0);
  for (const dc of config.domains) {
    const n = docs.filter((d) => d.domain === dc.name).length;
    expect(Math.abs(n / docs.length - dc.share / total)).toBeLessThanOrEqual(0.03);
    const mm = manifest.domainMix.find((x) => x.domain === dc.name)!;
    expect(mm.documents).toBe(n);
  }
});

test('splits: 0.85/0.10/0.05 of seen-family documents; unseen families only in test-unseen-templates', async () => {
  const unseen = new Set(config.domains.flatMap((d) => d.families.filter((f) => f.unseen).map((f) => f.id)));
  for (const dc of config.domains) expect(dc.families.some((f) => f.unseen)).toBe(true);
  const bySplit: Record<string, InvoiceDocument[]> = {};
  for (const s of ['train', 'val', 'test', 'test-unseen-templates'] as const) bySplit[s] = await loadCorpus(dir, s);
  const wrong = [
    ...['train', 'val', 'test'].flatMap((s) => bySplit[s].filter((d) => unseen.has(d.template!)).map((d) => `${s}: ${d.id} ${d.template}`)),
    ...bySplit['test-unseen-templates']
      .filter((d) => !unseen.has(d.template!) || !d.unseenTemplate)
      .map((d) => `unseen: ${d.id} ${d.template}`),
  ];
  expect(wrong).toEqual([]);
  const seen = bySplit.train.length + bySplit.val.length + bySplit.test.length;
  expect(Math.abs(bySplit.train.length / seen - 0.85)).toBeLessThan(0.02);
  expect(Math.abs(bySplit.val.length / seen - 0.1)).toBeLessThan(0.02);
  expect(Math.abs(bySplit.test.length / seen - 0.05)).toBeLessThan(0.02);
  expect(Object.values(bySplit).reduce((s, l) => s + l.length, 0)).toBe(2000);
  for (const [s, l] of Object.entries(bySplit)) expect(manifest.splits[s as 'train'].documents).toBe(l.length);
  // every document once, ids unique
  expect(new Set(docs.map((d) => d.id)).size).toBe(2000);
  // every family of the configuration is used; multi-page documents exist where the domain has them
  for (const t of manifest.templates) expect(t.documents).toBeGreaterThan(0);
  expect(docs.some((d) => d.domain === 'telecom' && d.pages.length > 1)).toBe(true);
  expect(docs.some((d) => d.domain === 'logistics' && d.pages.length > 1)).toBe(true);
  // label token counts in the manifest add up to the words
  expect(Object.values(manifest.labelTokens.all).reduce((a, b) => a + b, 0)).toBe(manifest.counts.words);
  expect(docs.reduce((s, d) => s + d.words.length, 0)).toBe(manifest.counts.words);
});

test('non-text entities appear as the schema defines them', () => {
  const sig = schema.entities.find((e) => e.carrier.kind === 'graphic')!;
  const qrE = schema.entities.find((e) => e.carrier.kind === 'qr')!;
  const errors: string[] = [];
  let nSig = 0;
  let nQr = 0;
  for (const d of docs)
    for (const w of d.words) {
      if (w.label === `B-${sig.name}`) {
        if (w.text !== sig.carrier.token) errors.push(`${d.id}: signature word ${w.text}`);
        nSig++;
      }
      if (w.label === `B-${qrE.name}`) {
        const [x0, y0, x1, y1] = w.box;
        if (w.text.length < 8 || Math.abs(x1 - x0 - (y1 - y0)) > 0.05) errors.push(`${d.id}: QR word ${w.text} ${w.box}`);
        nQr++;
      }
      if (w.label === `I-${sig.name}` || w.label === `I-${qrE.name}`) errors.push(`${d.id}: ${w.label}`);
    }
  expect(errors).toEqual([]);
  expect(nSig).toBeGreaterThan(10);
  expect(nQr).toBeGreaterThan(10);
});
