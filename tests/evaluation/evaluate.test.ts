import {
  HybridocError,
  compareFields,
  evaluateDocuments,
  fieldAccuracy,
  loadLabelSchema,
  normaliseFieldValue,
  renderEvaluationMarkdown,
  type EvaluationDocument,
} from '@hybridoc/core';

const schema = loadLabelSchema();

// Hand-made documents. Spans: gold / pred.
// d1 (general, tmpl-a): TOTAL_AMOUNT right, SUBTOTAL boundary wrong, INVOICE_NUMBER right.
// d2 (general, tmpl-b): CAGE_CODE right, LOT_NUMBER missed, spurious TAX.
// d3 (government, tmpl-gov-x, unseen): CAGE_CODE typed as SERIAL_NUMBER, INVOICE_NUMBER right.
// d4 (government, tmpl-gov-x, unseen): INVOICE_NUMBER predicted with an I- start (not a span in strict mode).
const docs: EvaluationDocument[] = [
  {
    id: 'd1',
    domain: 'general',
    template: 'tmpl-a',
    gold: ['B-INVOICE_NUMBER', 'O', 'B-SUBTOTAL', 'I-SUBTOTAL', 'O', 'B-TOTAL_AMOUNT', 'I-TOTAL_AMOUNT'],
    pred: ['B-INVOICE_NUMBER', 'O', 'B-SUBTOTAL', 'O', 'O', 'B-TOTAL_AMOUNT', 'I-TOTAL_AMOUNT'],
  },
  {
    id: 'd2',
    domain: 'general',
    template: 'tmpl-b',
    gold: ['B-CAGE_CODE', 'O', 'B-LOT_NUMBER', 'O', 'O'],
    pred: ['B-CAGE_CODE', 'O', 'O', 'O', 'B-TAX'],
  },
  {
    id: 'd3',
    domain: 'government',
    template: 'tmpl-gov-x',
    unseenTemplate: true,
    gold: ['B-CAGE_CODE', 'O', 'B-INVOICE_NUMBER'],
    pred: ['B-SERIAL_NUMBER', 'O', 'B-INVOICE_NUMBER'],
  },
  {
    id: 'd4',
    domain: 'government',
    template: 'tmpl-gov-x',
    unseenTemplate: true,
    gold: ['B-INVOICE_NUMBER', 'I-INVOICE_NUMBER'],
    pred: ['I-INVOICE_NUMBER', 'I-INVOICE_NUMBER'],
  },
];

describe('evaluateDocuments: hand-made aggregates', () => {
  const r = evaluateDocuments(docs, { schema, bootstrap: { samples: 200, seed: 3 } });

  test('per entity counts and scores (strict spans)', () => {
    expect(r.perEntity.INVOICE_NUMBER).toMatchObject({ support: 3, predicted: 2, correct: 2, group: 'document_metadata' });
    expect(r.perEntity.INVOICE_NUMBER.precision).toBe(1);
    expect(r.perEntity.INVOICE_NUMBER.recall).toBeCloseTo(2 / 3, 12);
    expect(r.perEntity.INVOICE_NUMBER.f1).toBeCloseTo(0.8, 12);
    expect(r.perEntity.SUBTOTAL).toMatchObject({ support: 1, predicted: 1, correct: 0, f1: 0 });
    expect(r.perEntity.CAGE_CODE).toMatchObject({ support: 2, predicted: 1, correct: 1, group: 'government' });
    expect(r.perEntity.SERIAL_NUMBER).toMatchObject({ support: 0, predicted: 1, correct: 0, f1: 0, group: 'manufacturing' });
    expect(r.perEntity.TAX).toMatchObject({ support: 0, predicted: 1, correct: 0 });
    expect(Object.keys(r.perEntity)).toEqual([
      'CAGE_CODE',
      'INVOICE_NUMBER',
      'LOT_NUMBER',
      'SERIAL_NUMBER',
      'SUBTOTAL',
      'TAX',
      'TOTAL_AMOUNT',
    ]);
  });

  test('micro pools the counts: 4 correct of 7 predicted, 8 gold', () => {
    expect(r.overall.micro).toMatchObject({ correct: 4, predicted: 7, support: 8 });
    const p = 4 / 7;
    const rec = 4 / 8;
    expect(r.overall.micro.f1).toBeCloseTo((2 * p * rec) / (p + rec), 12);
  });

  test('macro averages the 7 entity F1s (predicted-only types count, as in seqeval)', () => {
    const f1s = Object.values(r.perEntity).map((s) => s.f1);
    expect(r.overall.classes).toBe(7);
    expect(r.overall.macro.f1).toBeCloseTo(f1s.reduce((a, b) => a + b, 0) / 7, 12);
    // CAGE 2/3, INVOICE 0.8, TOTAL 1, the rest 0
    expect(r.overall.macro.f1).toBeCloseTo((2 / 3 + 0.8 + 1) / 7, 12);
  });

  test('per group: pooled counts of the group and macro F1 of its entities', () => {
    const fin = r.perGroup!.financial_totals;
    expect(fin.entities).toEqual(['SUBTOTAL', 'TAX', 'TOTAL_AMOUNT']);
    expect(fin).toMatchObject({ correct: 1, predicted: 3, support: 2 });
    expect(fin.f1).toBeCloseTo((2 * (1 / 3) * 0.5) / (1 / 3 + 0.5), 12);
    expect(fin.macroF1).toBeCloseTo(1 / 3, 12);
    expect(r.perGroup!.government).toMatchObject({ correct: 1, predicted: 1, support: 2, entities: ['CAGE_CODE'] });
    expect(r.perGroup!.manufacturing.entities).toEqual(['LOT_NUMBER', 'SERIAL_NUMBER']);
    expect(Object.keys(r.perGroup!)).not.toContain('banking');
  });

  test('per domain and per template', () => {
    expect(r.perDomain.general).toMatchObject({ documents: 2 });
    expect(r.perDomain.general.micro).toMatchObject({ correct: 3, predicted: 5, support: 5 });
    expect(r.perDomain.government.micro).toMatchObject({ correct: 1, predicted: 2, support: 3 });
    expect(r.perTemplate['tmpl-gov-x']).toMatchObject({ documents: 2, unseen: true });
    expect(r.perTemplate['tmpl-a'].unseen).toBe(false);
    expect(r.perTemplate['tmpl-a'].micro.f1).toBeCloseTo((2 * (2 / 3) * (2 / 3)) / (4 / 3), 12);
  });

  test('cross-template = the unseen-template documents; in-template = the rest', () => {
    expect(r.crossTemplate!.documents).toBe(2);
    expect(r.crossTemplate!.micro).toMatchObject({ correct: 1, predicted: 2, support: 3 });
    expect(r.crossTemplate!.micro.f1).toBeCloseTo(0.4, 12);
    expect(r.inTemplate!.documents).toBe(2);
    expect(r.inTemplate!.micro).toEqual(r.perDomain.general.micro);
    expect(r.crossTemplate!.interval).not.toBeNull();
  });

  test('rare: the seed names by default; macro over the present ones', () => {
    expect(r.rare.entities).toEqual(['CAGE_CODE', 'LOT_NUMBER', 'SERIAL_NUMBER']);
    expect(r.rare.evaluated).toEqual(['CAGE_CODE', 'LOT_NUMBER', 'SERIAL_NUMBER']);
    expect(r.rare.macroF1).toBeCloseTo(2 / 3 / 3, 12);
    expect(r.rare.micro).toMatchObject({ correct: 1, predicted: 2, support: 3 });
  });

  test('rare from a frequency table: below the fraction threshold, plus named, absent ones listed as missing', () => {
    const rr = evaluateDocuments(docs, {
      schema,
      rare: {
        documentFrequency: { CAGE_CODE: 5, INVOICE_NUMBER: 1000, TOTAL_AMOUNT: 990, IBAN: 3 },
        totalDocuments: 1000,
        rareBelow: 0.01,
        named: ['SUBTOTAL'],
      },
      bootstrap: { samples: 50 },
    });
    expect(rr.rare.entities).toEqual(['CAGE_CODE', 'IBAN', 'SUBTOTAL']);
    expect(rr.rare.evaluated).toEqual(['CAGE_CODE', 'SUBTOTAL']);
    expect(rr.rare.missing).toEqual(['IBAN']);
    expect(rr.rare.macroF1).toBeCloseTo((2 / 3 + 0) / 2, 12);
    expect(rr.rare.perEntity.CAGE_CODE.support).toBe(2);
  });

  test('no unseen documents: crossTemplate is null; nothing rare present: average 0 and no interval', () => {
    const rr = evaluateDocuments([docs[0]], { bootstrap: { samples: 20 } });
    expect(rr.crossTemplate).toBeNull();
    expect(rr.rare.evaluated).toEqual([]);
    expect(rr.rare.interval).toBeNull();
    expect(rr.perGroup).toBeNull();
    expect(rr.fields).toBeNull();
  });

  test('bad input: one line naming the document and the position', () => {
    const bad = (d: Partial<EvaluationDocument>) => () => evaluateDocuments([{ ...docs[0], ...d }], { schema });
    expect(bad({ pred: ['O'] })).toThrow(HybridocError);
    expect(bad({ pred: ['O'] })).toThrow('evaluation: documents[0] (d1): gold and pred differ in length (7 vs 1 words)');
    expect(bad({ pred: ['O', 'O', 'X-SUBTOTAL', 'O', 'O', 'O', 'O'] })).toThrow(
      'evaluation: documents[0] (d1): pred[2]: "X-SUBTOTAL" is not an IOB2 tag (O, B-TYPE or I-TYPE)',
    );
    expect(bad({ gold: ['O', 'O', 'O', 'O', 'O', 'O', 'B-NOT_AN_ENTITY'] })).toThrow(
      /gold\[6\]: "B-NOT_AN_ENTITY": entity NOT_AN_ENTITY is not in the label schema/,
    );
  });
});

describe('field-level exact match', () => {
  test('normalisation: whitespace runs (incl. tabs, NBSP) collapse and trim; case and punctuation kept', () => {
    expect(normaliseFieldValue('  1\u00a0234,50\tEUR \n')).toBe('1 234,50 EUR');
    expect(normaliseFieldValue('Acme GmbH')).not.toBe(normaliseFieldValue('ACME GmbH'));
  });

  test('multiset compare: order free, repeats count, empty values dropped, missing and spurious fields wrong', () => {
    const cmp = compareFields(
      { ITEM_CODE: ['A-1', 'B-2', 'B-2'], TOTAL_AMOUNT: ['10.00'], IBAN: ['DE89 3704'], NOTES: ['  '], TAX: ['1.90'] },
      { ITEM_CODE: ['B-2', 'A-1', 'B-2'], TOTAL_AMOUNT: ['10.00 '], IBAN: ['de89 3704'], TAX: ['1.90', '1.90'], PO_NUMBER: ['77'] },
    );
    expect(Object.fromEntries(cmp)).toEqual({ ITEM_CODE: true, TOTAL_AMOUNT: true, IBAN: false, TAX: false, PO_NUMBER: false });
  });

  test('accuracy over documents with gold fields; a document without predictions gets every field wrong', () => {
    const acc = fieldAccuracy([
      { goldFields: { TOTAL_AMOUNT: ['5'], INVOICE_NUMBER: ['X1'] }, predFields: { TOTAL_AMOUNT: ['5'], INVOICE_NUMBER: ['X1'] } },
      { goldFields: { TOTAL_AMOUNT: ['7'], INVOICE_NUMBER: ['X2'] }, predFields: { TOTAL_AMOUNT: ['7'], INVOICE_NUMBER: ['X3'] } },
      { goldFields: { TOTAL_AMOUNT: ['9'] } },
      { predFields: { TOTAL_AMOUNT: ['9'] } },
    ])!;
    expect(acc).toMatchObject({ documents: 3, fields: 5, correct: 3, documentsAllCorrect: 1 });
    expect(acc.accuracy).toBeCloseTo(0.6, 12);
    expect(acc.documentAccuracy).toBeCloseTo(1 / 3, 12);
    expect(acc.perEntity.TOTAL_AMOUNT).toEqual({ fields: 3, correct: 2, accuracy: 2 / 3 });
    expect(acc.perEntity.INVOICE_NUMBER).toEqual({ fields: 2, correct: 1, accuracy: 0.5 });
  });

  test('carried into the report', () => {
    const withFields = docs.map((d, i) => ({
      ...d,
      goldFields: { INVOICE_NUMBER: [`N${i}`] },
      predFields: { INVOICE_NUMBER: [i === 0 ? 'N0' : 'wrong'] },
    }));
    const r = evaluateDocuments(withFields, { bootstrap: { samples: 10 } });
    expect(r.fields).toMatchObject({ documents: 4, fields: 4, correct: 1, accuracy: 0.25 });
  });
});

describe('Markdown report', () => {
  const r = evaluateDocuments(
    docs.map((d) => ({ ...d, goldFields: { TOTAL_AMOUNT: ['1'] }, predFields: { TOTAL_AMOUNT: ['1'] } })),
    { schema, bootstrap: { samples: 100, seed: 1 } },
  );
  const md = renderEvaluationMarkdown(r);

  test('summary rows carry value, support and intervals', () => {
    expect(md).toContain(`| micro F1 | ${r.overall.micro.f1.toFixed(3)} | 8 |`);
    expect(md).toContain(
      `| cross-template micro F1 | 0.400 | 3 | 2 documents, 95% CI [${r.crossTemplate!.interval!.low.toFixed(3)}, ${r.crossTemplate!.interval!.high.toFixed(3)}] |`,
    );
    expect(md).toContain(`| rare-entity macro F1 | ${r.rare.macroF1.toFixed(3)} | 3 | 3 of 3 rare entities present, 95% CI [`);
    expect(md).toContain('| field exact-match accuracy | 1.000 | 4 |');
  });

  test('per group, domain, template and entity tables', () => {
    expect(md).toContain('| financial_totals | 0.333 | 0.500 | 0.400 | 2 | 3 | 1 | 0.333 |');
    expect(md).toContain('| government | 2 | 0.500 | 0.333 | 0.400 |');
    expect(md).toContain('| tmpl-gov-x (unseen) | 2 |');
    expect(md).toContain('| INVOICE_NUMBER | document_metadata | 1.000 | 0.667 | 0.800 | 3 | 2 | 2 |');
  });
});
