import { resolve } from 'node:path';
import { loadLabelSchema, parseLabelSchema, repairBio, schemaSummary } from '@hybridoc/core';
import { REPO } from '../support/cli.js';

const SEED98 = resolve(REPO, 'tests/fixtures/schemas/labels-98.yaml');

describe('default label schema', () => {
  const s = loadLabelSchema();

  test('19 entity groups in the seed order, 80 entities, 161 labels, 20 group-head classes', () => {
    expect(s.groups.length - 1).toBe(19);
    expect(s.numEntities).toBe(80);
    expect(s.numLabels).toBe(161);
    expect(s.numGroupClasses).toBe(20);
    expect(s.groups.slice(0, 19).map((g) => g.name)).toEqual([
      'document_metadata',
      'supplier_info',
      'buyer_info',
      'financial_totals',
      'line_items',
      'subscription_saas',
      'telecom',
      'logistics',
      'utilities',
      'healthcare',
      'government',
      'manufacturing',
      'banking',
      'accounting',
      'refunds',
      'structural',
      'visual_elements',
      'retail_pos',
      'miscellaneous',
    ]);
    expect(s.groups.slice(0, 19).map((g) => g.entities.length)).toEqual([7, 5, 4, 9, 10, 5, 4, 6, 5, 3, 2, 3, 3, 2, 2, 2, 3, 2, 3]);
  });

  test('every example entity the seed names is present in its group', () => {
    const seedExamples: Record<string, string[]> = {
      document_metadata: ['DOC_TYPE', 'INVOICE_NUMBER', 'INVOICE_DATE'],
      supplier_info: ['SUPPLIER_NAME', 'SUPPLIER_ADDRESS'],
      buyer_info: ['BUYER_NAME', 'BUYER_ADDRESS'],
      financial_totals: ['TOTAL_AMOUNT', 'SUBTOTAL', 'TAX'],
      line_items: ['ITEM_DESCRIPTION', 'QUANTITY', 'UNIT_PRICE'],
      subscription_saas: ['SUBSCRIPTION_ID', 'PLAN_NAME', 'LICENSE_COUNT'],
      telecom: ['ACCOUNT_NUMBER', 'SERVICE_NUMBER', 'DATA_USAGE'],
      logistics: ['WAYBILL_NUMBER', 'ORIGIN', 'DESTINATION', 'WEIGHT'],
      utilities: ['METER_NUMBER', 'USAGE_AMOUNT', 'RATE_PER_UNIT'],
      healthcare: ['PATIENT_ID', 'DIAGNOSIS_CODE', 'PROCEDURE_CODE'],
      government: ['CONTRACT_NUMBER', 'CAGE_CODE'],
      manufacturing: ['LOT_NUMBER', 'BATCH_NUMBER', 'SERIAL_NUMBER'],
      banking: ['IBAN', 'SWIFT_CODE', 'ACCOUNT_HOLDER'],
      accounting: ['PAYMENT_TERMS', 'INVOICE_STATUS'],
      refunds: ['REFUND_AMOUNT', 'CREDIT_NOTE_NUMBER'],
      structural: ['TABLE', 'ITEM_GROUP_HEADER'],
      visual_elements: ['SIGNATURE', 'STAMP_TEXT', 'WATERMARK'],
      retail_pos: ['CASHIER_ID', 'REGISTER_NUMBER'],
      miscellaneous: ['NOTES', 'TERMS_CONDITIONS', 'QR_CODE'],
    };
    for (const [group, names] of Object.entries(seedExamples)) {
      const g = s.groups[s.groupIndex.get(group)!];
      const members = g.entities.map((e) => s.entities[e].name);
      for (const n of names) expect(members).toContain(n);
    }
  });

  test('label ids: O = 0, then B-/I- per entity in group order; maps agree', () => {
    expect(s.labels[0]).toBe('O');
    expect(s.labels[1]).toBe('B-DOC_TYPE');
    expect(s.labels[2]).toBe('I-DOC_TYPE');
    expect(s.labels[160]).toBe('I-QR_CODE');
    expect(s.labelToGroup[0]).toBe(s.outsideGroup);
    for (let e = 0; e < s.numEntities; e++) {
      const [b, i] = s.bioPairs[e];
      expect(s.labels[b]).toBe(`B-${s.entities[e].name}`);
      expect(s.labels[i]).toBe(`I-${s.entities[e].name}`);
      expect(s.labelToEntity[b]).toBe(e);
      expect(s.labelToGroup[i]).toBe(s.entities[e].group);
    }
    const total = s.groupLabels.reduce((a, g) => a + g.length, 0);
    expect(total).toBe(s.numLabels);
  });

  test('non-text entities say which word carries them', () => {
    const qr = s.entities[s.entityIndex.get('QR_CODE')!];
    expect(qr.carrier.kind).toBe('qr');
    const sig = s.entities[s.entityIndex.get('SIGNATURE')!];
    expect(sig.carrier).toEqual({ kind: 'graphic', token: '[SIGNATURE]' });
  });

  test('every entity names at least one known domain', () => {
    for (const e of s.entities) {
      expect(e.domains.length).toBeGreaterThan(0);
      for (const d of e.domains) expect(s.domains).toContain(d);
    }
  });

  test('the hash is stable and changes with the labels', () => {
    expect(loadLabelSchema().hash).toBe(s.hash);
    expect(loadLabelSchema(SEED98).hash).not.toBe(s.hash);
  });
});

describe('a second schema of another size (the seed per-group counts)', () => {
  test('98 entities give 197 labels; nothing is fixed at 161 or 19', () => {
    const s = loadLabelSchema(SEED98);
    expect(s.numEntities).toBe(98);
    expect(s.numLabels).toBe(197);
    expect(s.numGroupClasses).toBe(20);
    expect(s.groups[3].entities.length).toBe(13);
    expect(schemaSummary(s).labels.length).toBe(197);
  });
});

describe('appended labels', () => {
  const base = `name: t\ndomains: [a]\ngroups:\n  - name: g1\n    entities: [{ name: X }, { name: Y }]\n  - name: g2\n    entities: [{ name: Z }]\n`;

  test('an addition takes the next ids and never renumbers', () => {
    const before = parseLabelSchema(base, 't.yaml');
    const after = parseLabelSchema(base + 'additions:\n  - { name: W, group: g1 }\n', 't.yaml');
    expect(after.labels.slice(0, before.numLabels)).toEqual(before.labels);
    expect(after.labels.slice(before.numLabels)).toEqual(['B-W', 'I-W']);
    expect(after.labelToGroup[after.labelIndex.get('B-W')!]).toBe(0);
    expect(after.groupLabels[0]).toEqual([1, 2, 3, 4, 7, 8]);
    expect(after.hash).not.toBe(before.hash);
  });
});

describe('bad schema files fail with one line naming file and key', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'duplicate entity',
      `name: t\ndomains: [a]\ngroups:\n  - name: g\n    entities: [{ name: X }, { name: X }]\n`,
      /^bad\.yaml: groups\[0\]\.entities\[1\]\.name: duplicate entity "X"/,
    ],
    [
      'duplicate group',
      `name: t\ndomains: [a]\ngroups:\n  - { name: g, entities: [{ name: X }] }\n  - { name: g, entities: [{ name: Y }] }\n`,
      /^bad\.yaml: groups\[1\]\.name: duplicate group "g"$/,
    ],
    [
      'empty group',
      `name: t\ndomains: [a]\ngroups:\n  - { name: g, entities: [] }\n`,
      /^bad\.yaml: groups\[0\]\.entities: group "g" is empty$/,
    ],
    [
      'unknown key',
      `name: t\ndomains: [a]\ncolour: red\ngroups:\n  - { name: g, entities: [{ name: X }] }\n`,
      /^bad\.yaml: colour: unknown key/,
    ],
    [
      'unknown nested key',
      `name: t\ndomains: [a]\ngroups:\n  - { name: g, entities: [{ name: X, weight: 2 }] }\n`,
      /^bad\.yaml: groups\[0\]\.entities\[0\]\.weight: unknown key/,
    ],
    ['wrong type', `name: t\ndomains: [a]\ngroups: 7\n`, /^bad\.yaml: groups: expected a list, got number 7$/],
    [
      'wrong type in entity',
      `name: t\ndomains: [a]\ngroups:\n  - { name: g, entities: [{ name: 3 }] }\n`,
      /^bad\.yaml: groups\[0\]\.entities\[0\]\.name: expected a non-empty string, got number 3$/,
    ],
    ['unknown domain', `name: t\ndomains: [a]\ngroups:\n  - { name: g, entities: [{ name: X, domains: [b] }] }\n`, /unknown domain "b"/],
    ['bad entity name', `name: t\ndomains: [a]\ngroups:\n  - { name: g, entities: [{ name: lower }] }\n`, /UPPER_SNAKE_CASE/],
    ['missing name', `domains: [a]\ngroups:\n  - { name: g, entities: [{ name: X }] }\n`, /^bad\.yaml: name: missing$/],
    ['not yaml', `name: [unclosed\n`, /^bad\.yaml: not valid YAML/],
    ['reserved group', `name: t\ndomains: [a]\ngroups:\n  - { name: outside, entities: [{ name: X }] }\n`, /reserved/],
  ];
  test.each(cases)('%s', (_name, text, pattern) => {
    let message = '';
    try {
      parseLabelSchema(text, 'bad.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(pattern);
    expect(message.split('\n')).toHaveLength(1);
  });
});

describe('BIO repair', () => {
  test('a window that starts inside an entity begins with B-X, and stray I-X become B-X', () => {
    const s = loadLabelSchema();
    const [bTax, iTax] = s.bioPairs[s.entityIndex.get('TAX')!];
    const [, iTotal] = s.bioPairs[s.entityIndex.get('TOTAL_AMOUNT')!];
    expect(Array.from(repairBio(s, [iTax, iTax, -100, iTax, 0, iTotal]))).toEqual([
      bTax,
      iTax,
      -100,
      iTax,
      0,
      s.bioPairs[s.entityIndex.get('TOTAL_AMOUNT')!][0],
    ]);
    expect(iTotal).toBeGreaterThan(0);
  });
});
