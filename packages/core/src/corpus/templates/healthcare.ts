/** Medical bills: hospital patient statement, clinic invoice, superbill form (unseen). */
import { bank, itemTable, kv, logo, notes, party, signature, stamp, title, totals, type Column } from '../blocks.js';
import { DOMAIN_LOCALES, continuationTop, metaRows, officePage, sansStyle, serifStyle, style, type TemplateFamily } from './common.js';
import type { TemplateContext } from '../template-context.js';

/** "Diagnosis: J06.9 Acute upper respiratory ..., I10 ..." with each code labelled. */
function diagnosisLine(ctx: TemplateContext, x: number, y: number, w: number, withText: boolean): number {
  const { b, d, st } = ctx;
  if (!ctx.show('DIAGNOSIS_CODE')) return y;
  const f = ctx.f(st.size - 0.5);
  const le = b.text(x, y, ctx.label('diagnosis'), ctx.f(st.size - 0.5, true));
  let cx = le.x1 + 6;
  for (const dx of d.diagnoses) {
    const text = withText ? ` ${dx.d}` : '';
    const need = b.textWidth(dx.code + text, f) + 12;
    if (cx + need > x + w) {
      y += b.lineHeight(f) + 1;
      cx = x + 20;
    }
    const ce = b.text(cx, y, dx.code, ctx.f(st.size - 0.5, true), { span: ctx.span('DIAGNOSIS_CODE') });
    cx = ce.x1 + 4;
    if (withText) cx = b.text(cx, y, dx.d, f).x1 + 12;
    else cx += 10;
  }
  return y + b.lineHeight(f) + 4;
}

function insuranceRows(ctx: TemplateContext): Array<[string, number]> {
  const a = ctx.d.ledger.adjustments;
  if (!a) return [];
  const ins = Math.round(a * 0.7);
  return [
    [`${ctx.p.get('insurance')} (${ctx.d.insurer})`, ins],
    [ctx.p.get('adjustments'), a - ins],
  ];
}

const serviceCols: Column[] = [
  { key: 'date', w: 60 },
  { key: 'cpt', w: 48 },
  { key: 'desc', w: 0 },
  { key: 'icd', w: 50 },
  { key: 'qty', w: 32, align: 'right' },
  { key: 'price', w: 62, align: 'right' },
  { key: 'total', w: 66, align: 'right' },
];

/** Hospital patient statement: provider and statement box, patient block, services grouped by department. */
export const healthcareHospital: TemplateFamily = {
  id: 'healthcare/hospital-statement',
  domain: 'healthcare',
  locales: ['en-US', 'en-US', 'en-CA', 'en-GB', 'en-AU'],
  items: [3, 12],
  page: (d) => officePage(d),
  style: (r) => sansStyle(r, [8, 9]),
  phrases: (_d, r): Record<string, string> => ({
    invoice: r.pick(['PATIENT STATEMENT', 'Statement of Account', 'Hospital Bill', 'Itemized Bill']),
    date: r.pick(['Statement Date', 'Date']),
  }),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 40;
    const W = b.width;
    const lx = logo(ctx, M, 36, 32);
    const py = party(ctx, lx + 10, 36, 'supplier', {
      nameFont: ctx.f(st.size + 4, true),
      font: ctx.f(st.size - 1),
      extra: ['phone', 'email'],
    });
    title(ctx, W - M, 36, ctx.f(st.size + 6, true), 'right', st.accent);
    const ky = kv(ctx, W - M - 200, 62, metaRows(ctx, ['date', 'dueDate', 'patient', 'reference', 'invoiceNo']), {
      mode: 'columns',
      labelWidth: 95,
      labelFont: ctx.f(st.size - 0.5),
      valueFont: ctx.f(st.size - 0.5, true),
      gap: 1.5,
    });
    let y = Math.max(py, ky) + 14;
    b.rect([M, y, W - M, y + 14], { fill: st.fill });
    b.text(M + 4, y + 3, r.pick(['PATIENT / GUARANTOR', 'Patient information']), ctx.f(st.size - 0.5, true));
    y += 20;
    const by = party(ctx, M + 4, y, 'buyer', {});
    const iy = kv(
      ctx,
      W / 2,
      y,
      [
        ['=Insurance', ctx.d.insurer, null],
        ['=Member ID', `${r.letters(3)}${r.digits(9)}`, null],
      ],
      { mode: 'columns', labelWidth: 80 },
    );
    y = Math.max(by, iy) + 8;
    y = diagnosisLine(ctx, M, y, W - 2 * M, r.chance(0.6)) + 6;
    y = itemTable(ctx, M, y, W - 2 * M, serviceCols, d.items, {
      style: 'rules',
      headerFill: st.fill,
      limit: b.height - 150,
      onNewPage: () => continuationTop(ctx, M, 36),
      subLines: true,
    });
    const ty = totals(ctx, W - M - 260, W - M, y + 8, { emphasis: 'box', mark: 'symbol', after: insuranceRows(ctx), totalKey: 'total' });
    let ly = kv(ctx, M, y + 10, metaRows(ctx, ['status', 'terms']), { mode: 'inline' });
    ly = notes(ctx, M, ly + 4, W / 2 - M);
    const sy = Math.min(b.height - 90, Math.max(ty, ly) + 12);
    signature(ctx, M, sy, 110);
    stamp(ctx, W / 2 + 40, sy + 24);
  },
};

/** Clinic invoice: letterhead, patient key-values, dated services with codes, bank transfer. */
export const healthcareClinic: TemplateFamily = {
  id: 'healthcare/clinic-invoice',
  domain: 'healthcare',
  locales: DOMAIN_LOCALES,
  items: [1, 6],
  page: (d) => officePage(d),
  style: (r) => serifStyle(r, [9, 10]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 52;
    const W = b.width;
    let y = 44;
    if (ctx.show('SUPPLIER_NAME')) {
      b.text(W - M, y, d.supplier.name, ctx.f(st.size + 4, true), { span: ctx.span('SUPPLIER_NAME'), align: 'right', color: st.accent });
      y += 20;
    }
    y = party(ctx, W - M, y, 'supplier', {
      skipName: true,
      font: ctx.f(st.size - 1),
      align: 'right',
      extra: ['phone', 'email'],
      labelled: false,
    });
    let by = party(ctx, M, 130, 'buyer', { font: ctx.f(st.size) });
    by = kv(ctx, M, by + 8, metaRows(ctx, ['patient', 'reference']), { mode: 'inline' });
    const ky = kv(ctx, W - M - 190, 140, metaRows(ctx, ['invoiceNo', 'date', 'dueDate']), { mode: 'right', labelWidth: 100, gap: 1 });
    y = Math.max(by, ky, y) + 20;
    y = title(ctx, M, y, ctx.f(st.size + 5, true)) + 4;
    y = diagnosisLine(ctx, M, y, W - 2 * M, true) + 4;
    const cols: Column[] = [
      { key: 'date', w: 66 },
      { key: 'cpt', w: 52 },
      { key: 'desc', w: 0 },
      { key: 'qty', w: 34, align: 'right' },
      { key: 'total', w: 72, align: 'right' },
    ];
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, { style: 'plain', limit: b.height - 150, subLines: true });
    y = totals(ctx, W - M - 220, W - M, y + 8, { emphasis: 'rule', mark: r.pick(['symbol', 'code'] as const), after: insuranceRows(ctx) });
    y = kv(ctx, M, y + 10, metaRows(ctx, ['terms', 'status']), { mode: 'inline' });
    y = bank(ctx, M, y + 6, { mode: 'inline' });
    y = notes(ctx, M, y + 8, W - 2 * M);
    signature(ctx, W - M - 130, Math.min(b.height - 90, y + 6), 120);
    stamp(ctx, M + 90, Math.min(b.height - 70, y + 40));
  },
};

/** Superbill (unseen family): a grid form of patient facts, diagnosis and procedure grids. */
export const healthcareSuperbill: TemplateFamily = {
  id: 'healthcare/superbill',
  domain: 'healthcare',
  locales: ['en-US'],
  items: [2, 8],
  rates: { ITEM_GROUP_HEADER: 0, DIAGNOSIS_CODE: 0.95 },
  page: (d) => officePage(d),
  style: (r) => style(r, 'cond', 'cond-bold', [7.75, 8.5], { colon: false }),
  phrases: (): Record<string, string> => ({ invoice: 'SUPERBILL' }),
  draw(ctx) {
    const { b, d, st } = ctx;
    const M = 30;
    const W = b.width;
    const R = W - M;
    let y = M;
    y = party(ctx, M, y, 'supplier', {
      nameFont: ctx.f(st.size + 3, true),
      font: ctx.f(st.size - 0.5),
      extra: ['phone', 'vat'],
      labelled: true,
    });
    title(ctx, R, M, ctx.f(st.size + 8, true), 'right');
    y = Math.max(y, M + 40) + 8;
    // patient grid
    const cells = [
      ...metaRows(ctx, ['patient', 'date', 'invoiceNo', 'reference', 'dueDate']),
      ['=Insurance', d.insurer, null] as [string, string, string | null],
    ].filter(([, , e]) => !e || ctx.show(e));
    const cw = (R - M) / 3;
    const ch = 26;
    cells.forEach(([k, v, e], i) => {
      const x0 = M + (i % 3) * cw;
      const y0 = y + Math.floor(i / 3) * ch;
      b.rect([x0, y0, x0 + cw, y0 + ch], { stroke: '#000000', width: 0.5 });
      b.text(x0 + 3, y0 + 2, k.startsWith('=') ? k.slice(1) : ctx.p.get(k), ctx.f(st.size - 2), { color: '#444444' });
      b.text(x0 + 3, y0 + 12, v, ctx.f(st.size, true), { span: e ? ctx.span(e) : -1 });
    });
    y += Math.ceil(cells.length / 3) * ch + 8;
    const by = party(ctx, M, y, 'buyer', { title: 'patient' });
    // diagnosis grid
    if (ctx.show('DIAGNOSIS_CODE')) {
      const gx = W / 2;
      b.rect([gx, y, R, y + 12], { fill: '#dddddd' });
      b.text(gx + 3, y + 2, 'DIAGNOSIS (ICD-10)', ctx.f(st.size - 1, true));
      let gy = y + 16;
      d.diagnoses.forEach((dx, i) => {
        b.text(gx + 3, gy, `${i + 1}.`, ctx.f(st.size - 0.5));
        b.text(gx + 16, gy, dx.code, ctx.f(st.size - 0.5, true), { span: ctx.span('DIAGNOSIS_CODE') });
        b.text(gx + 64, gy, dx.d, ctx.f(st.size - 1.5));
        gy += b.lineHeight(ctx.f()) + 1;
      });
      b.rect([gx, y, R, gy + 2], { stroke: '#000000', width: 0.5 });
      y = Math.max(by, gy + 2) + 10;
    } else y = by + 10;
    const cols: Column[] = [
      { key: 'cpt', w: 46 },
      { key: 'desc', w: 0 },
      { key: 'date', w: 58 },
      { key: 'icd', w: 50 },
      { key: 'qty', w: 30, align: 'center' },
      { key: 'price', w: 58, align: 'right' },
      { key: 'total', w: 62, align: 'right' },
    ];
    y = itemTable(ctx, M, y, R - M, cols, d.items, {
      style: 'grid',
      headerFill: '#dddddd',
      pad: 2.5,
      limit: b.height - 130,
      subLines: true,
    });
    y = totals(ctx, R - 230, R - 4, y + 8, { emphasis: 'box', mark: 'none', after: insuranceRows(ctx) });
    y = notes(ctx, M, y + 6, R - M, { font: ctx.f(st.size - 1) });
    b.text(
      M,
      Math.min(b.height - 70, y + 8),
      'I authorize release of information to my insurer and assign benefits to the provider.',
      ctx.f(st.size - 1.5),
    );
    signature(ctx, M, Math.min(b.height - 60, y + 22), 100);
    stamp(ctx, W / 2 + 60, Math.min(b.height - 50, y + 40));
    bank(ctx, W / 2 + 120, Math.min(b.height - 70, y + 20), { font: ctx.f(st.size - 1.5), mode: 'inline' });
  },
};

export const HEALTHCARE: TemplateFamily[] = [healthcareHospital, healthcareClinic, healthcareSuperbill];
