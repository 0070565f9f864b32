import { bioSpans, loadLabelSchema, spansToFields, type Word } from '@hybridoc/core';

const schema = loadLabelSchema();
const id = (name: string) => schema.labelIndex.get(name)!;
const ent = (name: string) => schema.entityIndex.get(name)!;

describe('spans and fields', () => {
  test('BIO labels to spans; stray I- starts a span; O, -1 and another entity end one', () => {
    const labels = [
      id('B-SUPPLIER_NAME'),
      id('I-SUPPLIER_NAME'),
      id('I-SUPPLIER_NAME'),
      0,
      id('I-TOTAL_AMOUNT'),
      id('B-TOTAL_AMOUNT'),
      id('I-TOTAL_AMOUNT'),
      id('I-TAX'),
      -1,
      id('B-INVOICE_NUMBER'),
      id('B-INVOICE_NUMBER'),
    ];
    expect(bioSpans(schema, labels)).toEqual([
      { entity: ent('SUPPLIER_NAME'), start: 0, end: 3 },
      { entity: ent('TOTAL_AMOUNT'), start: 4, end: 5 },
      { entity: ent('TOTAL_AMOUNT'), start: 5, end: 7 },
      { entity: ent('TAX'), start: 7, end: 8 },
      { entity: ent('INVOICE_NUMBER'), start: 9, end: 10 },
      { entity: ent('INVOICE_NUMBER'), start: 10, end: 11 },
    ]);
    expect(bioSpans(schema, [])).toEqual([]);
  });

  test('fields: value in reading order, union box per page, word and token ranges, confidence', () => {
    const words: Word[] = [
      { text: 'Invoice', box: [10, 10, 60, 20], page: 0 },
      { text: 'ACME', box: [10, 30, 50, 40], page: 0 },
      { text: 'Widgets', box: [55, 28, 100, 41], page: 0 },
      { text: 'GmbH', box: [5, 700, 40, 712], page: 0 },
      { text: 'Ltd.', box: [20, 15, 45, 25], page: 1 },
      { text: 'Total', box: [300, 500, 340, 510], page: 1 },
      { text: '1,234.50', box: [350, 500, 400, 510], page: 1 },
    ];
    const labels = [0, id('B-SUPPLIER_NAME'), id('I-SUPPLIER_NAME'), id('I-SUPPLIER_NAME'), id('I-SUPPLIER_NAME'), 0, id('B-TOTAL_AMOUNT')];
    const spans = bioSpans(schema, labels);
    spans[0].confidence = 0.75;
    // tokens: <s>, Invoice, AC ME, Wid gets, GmbH, Ltd ., Total, 1 ,234 .50, </s>
    const tokenWords = [-1, 0, 1, 1, 2, 2, 3, 4, 4, 5, 6, 6, 6, -1];
    const fields = spansToFields(schema, words, spans, { tokenWords });
    expect(fields).toEqual([
      {
        entity: 'SUPPLIER_NAME',
        entityId: ent('SUPPLIER_NAME'),
        group: 'supplier_info',
        groupId: schema.groupIndex.get('supplier_info'),
        value: 'ACME Widgets GmbH Ltd.',
        boxes: [
          { page: 0, box: [5, 28, 100, 712] },
          { page: 1, box: [20, 15, 45, 25] },
        ],
        confidence: 0.75,
        wordRange: [1, 5],
        tokenRange: [2, 9],
      },
      {
        entity: 'TOTAL_AMOUNT',
        entityId: ent('TOTAL_AMOUNT'),
        group: 'financial_totals',
        groupId: schema.groupIndex.get('financial_totals'),
        value: '1,234.50',
        boxes: [{ page: 1, box: [350, 500, 400, 510] }],
        confidence: null,
        wordRange: [6, 7],
        tokenRange: [10, 13],
      },
    ]);
    // decoded positions standing for words 4..6 only (a window): span positions map through positionWords
    const windowSpans = bioSpans(schema, [id('B-SUPPLIER_NAME'), 0, id('B-TOTAL_AMOUNT')]);
    const wf = spansToFields(schema, words, windowSpans, { positionWords: [4, 5, 6] });
    expect(wf.map((f) => [f.value, f.wordRange, f.tokenRange])).toEqual([
      ['Ltd.', [4, 5], null],
      ['1,234.50', [6, 7], null],
    ]);
    expect(() => spansToFields(schema, words, [{ entity: 0, start: 6, end: 8 }])).toThrow(
      'span position 7 maps to word 7, outside the 7 words',
    );
  });
});
