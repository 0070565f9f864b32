/** Value generators and formats: check digits, number and date formats, the seeded generator, the corpus plan, another schema. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Rng, hashParts } from '../../packages/core/src/corpus/prng.js';
import {
  isValidIban,
  makeIban,
  makeAbn,
  makeGstin,
  makeCageCode,
  makeTaxId,
  makeBic,
  isValidBic,
  groupIban,
  IBAN_COUNTRIES,
} from '../../packages/core/src/corpus/identifiers.js';
import { formatDate, formatFixed, formatMoney, formatPercent, moneyStyle, ymdToDay } from '../../packages/core/src/corpus/formatting.js';
import { LOCALE_BY_ID } from '../../packages/core/src/corpus/locales.js';
import { apportion, CorpusPlan } from '../../packages/core/src/corpus/corpus-plan.js';
import { loadCorpusConfig } from '../../packages/core/src/corpus/corpus-config.js';
import { loadLabelSchema } from '../../packages/core/src/schema/label-schema.js';
import { generateCorpus } from '../../packages/core/src/corpus/generate-corpus.js';
import { loadCorpus } from '../../packages/core/src/corpus/read-corpus.js';
import { ibanValid, parseDate } from './support.js';

test('IBANs carry valid mod-97 check digits in every supported country; a changed digit is caught', () => {
  expect(isValidIban('DE89 3704 0044 0532 0130 00')).toBe(true);
  expect(isValidIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
  expect(isValidIban('DE89 3704 0044 0532 0130 01')).toBe(false);
  const r = new Rng(1);
  for (const c of IBAN_COUNTRIES)
    for (let i = 0; i < 20; i++) {
      const iban = makeIban(r, c);
      expect(ibanValid(iban)).toBe(true);
      expect(ibanValid(groupIban(iban))).toBe(true);
      const broken = iban.slice(0, -1) + String((Number(iban.slice(-1)) + 1) % 10);
      if (/\d$/.test(iban)) expect(ibanValid(broken)).toBe(false);
    }
});

test('tax ids, ABN, GSTIN, BIC and CAGE codes follow their real formats and checksums', () => {
  const r = new Rng(2);
  for (let i = 0; i < 50; i++) {
    // ABN: subtract 1 from the first digit, weights 10,1,3,...,19, sum divisible by 89
    const abn = makeAbn(r).replace(/\s/g, '');
    const W = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    expect([...abn].reduce((s, d, k) => s + (Number(d) - (k === 0 ? 1 : 0)) * W[k], 0) % 89).toBe(0);
    expect(makeGstin(r)).toMatch(/^\d{2}[A-Z]{5}\d{4}[A-Z][1-9]Z[0-9A-Z]$/);
    expect(makeCageCode(r)).toMatch(/^[0-9][A-HJ-NP-Z0-9]{3}[0-9]$/);
    expect(isValidBic(makeBic(r, 'DE'))).toBe(true);
    // German VAT: ISO 7064 MOD 11,10 check digit
    const de = makeTaxId(r, 'DE');
    expect(de).toMatch(/^DE\d{9}$/);
    let p = 10;
    for (const ch of de.slice(2, 10)) {
      let sum = (Number(ch) + p) % 10;
      if (sum === 0) sum = 10;
      p = (2 * sum) % 11;
    }
    expect((11 - p) % 10).toBe(Number(de[10]));
    // French VAT key from the SIREN
    const fr = makeTaxId(r, 'FR');
    expect(Number(fr.slice(2, 4))).toBe((12 + 3 * (Number(fr.slice(4)) % 97)) % 97);
    expect(makeTaxId(r, 'NL')).toMatch(/^NL\d{9}B\d{2}$/);
    expect(makeTaxId(r, 'US')).toMatch(/^\d{2}-\d{7}$/);
  }
});

test('numbers, amounts and dates print the way their countries print them', () => {
  const us = LOCALE_BY_ID.get('en-US')!;
  const de = LOCALE_BY_ID.get('de-DE')!;
  const fr = LOCALE_BY_ID.get('fr-FR')!;
  const inl = LOCALE_BY_ID.get('en-IN')!;
  const ch = LOCALE_BY_ID.get('de-CH')!;
  expect(formatFixed(123456789, 2, us.number)).toBe('1,234,567.89');
  expect(formatFixed(123456789, 2, de.number)).toBe('1.234.567,89');
  expect(formatFixed(123456, 2, fr.number)).toBe('1 234,56');
  expect(formatFixed(123456789, 2, inl.number)).toBe('12,34,567.89');
  expect(formatFixed(123450, 2, ch.number)).toBe("1'234.50");
  expect(formatFixed(-5, 2, us.number)).toBe('-0.05');
  expect(formatMoney(123456, moneyStyle(de, 'symbol'))).toBe('1.234,56 €');
  expect(formatMoney(123456, moneyStyle(us, 'symbol'))).toBe('$1,234.56');
  expect(formatMoney(-1250, moneyStyle(us, 'code', { negative: 'parens' }))).toBe('(USD 12.50)');
  expect(formatPercent(0.0825, us.number)).toBe('8.25%');
  expect(formatPercent(0.19, de.number, true)).toBe('19 %');
  const day = ymdToDay(2024, 3, 5);
  expect(formatDate(day, 'DD.MM.YYYY', 'de')).toBe('05.03.2024');
  expect(formatDate(day, 'D. MMMM YYYY', 'de')).toBe('5. März 2024');
  expect(formatDate(day, 'MMM D, YYYY', 'en')).toBe('Mar 5, 2024');
  expect(formatDate(day, 'D MMMM YYYY', 'fr')).toBe('5 mars 2024');
  for (const [pat, lang] of [
    ['MMMM D, YYYY', 'en'],
    ['DD-MMM-YYYY', 'en'],
    ['D MMMM YYYY', 'es'],
    ['DD.MM.YY', 'de'],
  ] as const)
    expect(parseDate(formatDate(day, pat, lang), pat, lang)).toBe(day);
});

test('the seeded generator is deterministic, uniform enough, and its streams independent', () => {
  const a = Rng.from(7, 'layout');
  const b = Rng.from(7, 'layout');
  const xs = Array.from({ length: 1000 }, () => a.next());
  expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
  expect(Rng.from(7, 'data').next()).not.toBe(Rng.from(7, 'layout').next());
  expect(hashParts([1, 'x'])).not.toBe(hashParts([1, 'y']));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  expect(Math.abs(mean - 0.5)).toBeLessThan(0.03);
  const hist = new Array(10).fill(0);
  const r = new Rng(3);
  for (let i = 0; i < 10000; i++) hist[r.int(0, 9)]++;
  for (const h of hist) expect(Math.abs(h - 1000)).toBeLessThan(120);
});

test('the plan follows the mix exactly per 100 documents and renormalises a domain subset', () => {
  expect(apportion([0.4, 0.12, 0.12, 0.1, 0.1, 0.08, 0.04, 0.04], 100)).toEqual([40, 12, 12, 10, 10, 8, 4, 4]);
  expect(apportion([1, 1, 1], 100).reduce((s, x) => s + x, 0)).toBe(100);
  const schema = loadLabelSchema();
  const config = loadCorpusConfig(schema);
  const plan = new CorpusPlan(config, 3, 1000, ['pos', 'government']);
  const docs = Array.from({ length: 200 }, (_, i) => plan.document(i));
  expect(docs.filter((d) => d.domain === 'pos')).toHaveLength(100);
  expect(docs.every((d) => d.domain === 'pos' || d.domain === 'government')).toBe(true);
  expect(() => new CorpusPlan(config, 3, 10, ['nope'])).toThrow(/--domains: unknown domain "nope"/);
});

test('another label schema (98 entities): its extra entities are generated as labelled values, BIO stays valid', async () => {
  const schema = loadLabelSchema(resolve(import.meta.dirname ?? '.', '../fixtures/schemas/labels-98.yaml'));
  const dir = mkdtempSync(join(tmpdir(), 'hd-98-'));
  try {
    const r = await generateCorpus({ out: dir, count: 120, seed: 4, images: false, schema });
    expect(r.manifest.entities).toHaveLength(schema.numEntities);
    expect(r.manifest.schema.numLabels).toBe(schema.numLabels);
    const docs = await loadCorpus(dir);
    const labels = new Set<string>();
    for (const d of docs) {
      let prev = 'O';
      for (const w of d.words) {
        expect(schema.labelIndex.has(w.label!)).toBe(true);
        if (w.label!.startsWith('I-')) expect(prev.slice(2)).toBe(w.label!.slice(2));
        prev = w.label!;
        labels.add(w.label!);
      }
    }
    const base = loadLabelSchema();
    const extra = schema.entities.filter((e) => !base.entityIndex.has(e.name) && labels.has(`B-${e.name}`));
    expect(extra.length).toBeGreaterThan(5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
