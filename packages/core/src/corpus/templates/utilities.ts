/** Electricity, water and gas bills: meter table bill, amount-due box with history chart, sidebar bill with tear-off coupon (unseen). */
import { bank, itemTable, kv, logo, notes, party, qr, title, totals, type Column } from '../blocks.js';
import { DOMAIN_LOCALES, EN, metaRows, officePage, sansStyle, style, type TemplateFamily } from './common.js';
import type { TemplateContext } from '../template-context.js';
import type { Meter } from '../invoice-data.js';

function reading(ctx: TemplateContext, m: Meter, v: number): string {
  return ctx.num(v, m.unit === 'm³' ? 1 : 0);
}

function usage(ctx: TemplateContext, m: Meter): string {
  return `${reading(ctx, m, m.usage)} ${m.unit}`;
}

function rate(ctx: TemplateContext, m: Meter): string {
  const d = ctx.d;
  return `${ctx.num(m.rate, 4)} ${d.money.symbol}/${m.unit}`;
}

/** Meter readings as a small table: meter, previous, current, usage, rate. */
function meterTable(ctx: TemplateContext, x: number, y: number, w: number): number {
  const { b, d, st } = ctx;
  const f = ctx.f(st.size - 0.5);
  const hf = ctx.f(st.size - 0.5, true);
  const cols = [
    { k: 'meter', e: 'METER_NUMBER', w: 0.22 },
    { k: 'prevReading', e: 'PREVIOUS_READING', w: 0.19 },
    { k: 'currReading', e: 'CURRENT_READING', w: 0.19 },
    { k: 'usage', e: 'USAGE_AMOUNT', w: 0.19 },
    { k: 'rate', e: 'RATE_PER_UNIT', w: 0.21 },
  ].filter((c) => ctx.show(c.e));
  if (cols.length === 0) return y;
  const tot = cols.reduce((s, c) => s + c.w, 0);
  let cx = x;
  const xs = cols.map((c) => {
    const v = cx;
    cx += (c.w / tot) * w;
    return v;
  });
  b.text(
    x,
    y,
    ctx.t({
      en: ['Meter readings', 'Your meter readings', 'Consumption details'],
      de: ['Zählerstände', 'Ihr Verbrauch'],
      fr: ['Relevés de compteur', 'Votre consommation'],
      es: ['Lecturas del contador'],
    }),
    ctx.f(st.size + 1, true),
    { color: st.accent },
  );
  y += 18;
  cols.forEach((c, i) => b.para(xs[i] + 2, y, (c.w / tot) * w - 6, ctx.p.get(c.k), hf));
  y += b.lineHeight(hf) * 2 + 2;
  b.hline(x, x + w, y - 2, 0.6);
  for (const m of d.meters) {
    cols.forEach((c, i) => {
      const v =
        c.k === 'meter'
          ? m.number
          : c.k === 'prevReading'
            ? reading(ctx, m, m.previous)
            : c.k === 'currReading'
              ? reading(ctx, m, m.current)
              : c.k === 'usage'
                ? usage(ctx, m)
                : rate(ctx, m);
      b.text(xs[i] + 2, y + 2, v, f, { span: ctx.span(c.e) });
    });
    y += b.lineHeight(f) + 4;
    b.hline(x, x + w, y, 0.3, '#aaaaaa');
  }
  return y + 6;
}

const chargeCols: Column[] = [
  { key: 'desc', w: 0 },
  { key: 'qty', w: 62, align: 'right' },
  { key: 'unit', w: 36 },
  { key: 'price', w: 64, align: 'right' },
  { key: 'total', w: 70, align: 'right' },
];

function paymentAfter(ctx: TemplateContext): Array<[string, number]> {
  return ctx.show('PREVIOUS_BALANCE') ? [[ctx.p.get('paymentReceived'), ctx.d.ledger.paymentsReceived]] : [];
}

/** Electricity bill: window address, account box, meter table, charges, summary, QR. */
export const utilitiesElectric: TemplateFamily = {
  id: 'utilities/electricity-bill',
  domain: 'utilities',
  locales: DOMAIN_LOCALES,
  items: [1, 4],
  variant: 'electricity',
  page: (d) => officePage(d),
  style: (r) => sansStyle(r, [8.5, 9.5]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 44;
    const W = b.width;
    const lx = logo(ctx, M, 34, 36);
    if (ctx.show('SUPPLIER_NAME'))
      b.text(lx + 10, 44, d.supplier.name, ctx.f(st.size + 4, true), { span: ctx.span('SUPPLIER_NAME'), color: st.accent });
    party(ctx, M, 118, 'buyer', { font: ctx.f(st.size + 0.5) });
    const ky = kv(ctx, W - M - 215, 100, metaRows(ctx, ['account', 'invoiceNo', 'date', 'period', 'dueDate']), {
      mode: 'columns',
      labelWidth: 105,
      labelFont: ctx.f(st.size - 0.5),
      valueFont: ctx.f(st.size - 0.5, true),
      gap: 1.5,
    });
    let y = Math.max(200, ky + 14);
    y = title(ctx, M, y, ctx.f(st.size + 6, true)) + 6;
    y = meterTable(ctx, M, y, W - 2 * M) + 10;
    y = itemTable(ctx, M, y, W - 2 * M, chargeCols, d.items, {
      style: r.pick(['rules', 'zebra'] as const),
      headerFill: st.fill,
      limit: b.height - 120,
    });
    const ty = totals(ctx, W - M - 240, W - M, y + 8, {
      emphasis: 'fill',
      mark: 'symbol',
      previousBalance: true,
      after: paymentAfter(ctx),
    });
    let ly = y + 10;
    ly = kv(ctx, M, ly, metaRows(ctx, ['status']), { mode: 'inline' });
    ly = bank(ctx, M, ly + 4);
    qr(
      ctx,
      M,
      Math.max(ly, ty) + 8,
      60,
      ctx.t({ en: ['Scan to pay', ''], de: ['Scannen und bezahlen', ''], fr: ['Scanner pour payer', ''], es: ['Escanee para pagar', ''] }),
    );
    let fy = Math.max(ly, ty) + 8;
    fy = party(ctx, M + 90, fy, 'supplier', { skipName: true, font: ctx.f(st.size - 1.5), extra: ['vat', 'phone', 'email'] });
    notes(ctx, M + 90, fy + 4, W - 2 * M - 90, { font: ctx.f(st.size - 1.5), title: false });
  },
};

/** Water bill: supplier band, a big amount-due box, usage history chart, meter lines as key-values. */
export const utilitiesWater: TemplateFamily = {
  id: 'utilities/water-bill',
  domain: 'utilities',
  locales: DOMAIN_LOCALES,
  items: [1, 4],
  variant: 'water',
  page: (d) => officePage(d),
  style: (r) => style(r, r.pick(['serif', 'sans'] as const), r.pick(['serif-bold', 'sans-bold'] as const), [8.5, 9.5]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 40;
    const W = b.width;
    b.rect([M, 30, W - M, 78], { fill: st.fill });
    if (ctx.show('SUPPLIER_NAME'))
      b.text(M + 12, 40, d.supplier.name, ctx.f(st.size + 5, true), { span: ctx.span('SUPPLIER_NAME'), color: st.accent });
    title(ctx, W - M - 12, 42, ctx.f(st.size + 3, true), 'right');
    let y = 96;
    const by = party(ctx, M, y, 'buyer', { title: 'billTo' });
    // amount due box
    if (ctx.show('AMOUNT_DUE')) {
      const bx = W - M - 200;
      b.rect([bx, y, W - M, y + 70], { stroke: st.accent, width: 1.2 });
      b.text(bx + 10, y + 8, ctx.label('amountDue'), ctx.f(st.size, true));
      b.text(W - M - 10, y + 24, ctx.money(d.ledger.due, 'symbol'), ctx.f(st.size + 8, true), {
        span: ctx.span('AMOUNT_DUE'),
        align: 'right',
      });
      if (ctx.show('DUE_DATE')) {
        const le = b.text(bx + 10, y + 52, ctx.label('dueDate'), ctx.f(st.size - 0.5));
        b.text(le.x1 + 4, y + 52, ctx.date(d.dueDate), ctx.f(st.size - 0.5, true), { span: ctx.span('DUE_DATE') });
      }
    }
    y = Math.max(by, y + 70) + 14;
    y = kv(ctx, M, y, metaRows(ctx, ['account', 'invoiceNo', 'date', 'period']), { mode: 'inline', gap: 1 }) + 10;
    const m = d.meters[0];
    const top = y;
    const ky = kv(
      ctx,
      M,
      y,
      [
        ['meter', m.number, 'METER_NUMBER'],
        ['prevReading', `${reading(ctx, m, m.previous)} ${m.unit}`, 'PREVIOUS_READING'],
        ['currReading', `${reading(ctx, m, m.current)} ${m.unit}`, 'CURRENT_READING'],
        ['usage', usage(ctx, m), 'USAGE_AMOUNT'],
        ['rate', rate(ctx, m), 'RATE_PER_UNIT'],
      ],
      { mode: 'columns', labelWidth: 120, gap: 2 },
    );
    const hist = Array.from({ length: 8 }, () => r.float(0.5, 1.4) * m.usage);
    b.graphic({ kind: 'bars', page: b.page, box: [W / 2 + 40, top, W - M, top + 64], values: hist, color: st.accent });
    b.text(
      W / 2 + 40,
      top + 68,
      ctx.t({
        en: ['Your usage history', 'Consumption per period'],
        de: ['Verbrauchsentwicklung'],
        fr: ['Historique de consommation'],
        es: ['Historial de consumo'],
      }),
      ctx.f(st.size - 1.5),
      { color: '#555555' },
    );
    y = Math.max(ky, top + 80) + 12;
    y = itemTable(ctx, M, y, W - 2 * M, chargeCols, d.items, { style: 'grid', limit: b.height - 120 });
    const ty = totals(ctx, W - M - 250, W - M, y + 8, {
      emphasis: 'rule',
      mark: 'symbol',
      previousBalance: true,
      after: paymentAfter(ctx),
      showDue: false,
    });
    let ly = bank(ctx, M, y + 10, { mode: 'inline' });
    ly = notes(ctx, M, ly + 4, W / 2 - M);
    qr(ctx, W - M - 64, Math.max(ty, ly) + 8, 60);
  },
};

/** Gas bill (unseen family): sidebar of account facts, charges right, tear-off payment coupon. */
export const utilitiesGas: TemplateFamily = {
  id: 'utilities/gas-coupon',
  domain: 'utilities',
  locales: EN,
  items: [1, 4],
  variant: 'gas',
  page: (d) => officePage(d),
  style: (r) => style(r, 'cond', 'cond-bold', [8.25, 9]),
  phrases: (_d, r): Record<string, string> => ({ invoice: r.pick(['Gas Statement', 'Energy Bill', 'Statement']) }),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const W = b.width;
    const SW = 180;
    const M = 34;
    b.rect([M, M, M + SW, b.height - 200], { fill: st.fill });
    let y = M + 12;
    y =
      party(ctx, M + 10, y, 'supplier', {
        nameFont: ctx.f(st.size + 2, true),
        font: ctx.f(st.size - 1),
        extra: ['phone', 'email', 'vat'],
        labelled: false,
      }) + 14;
    y =
      kv(ctx, M + 10, y, metaRows(ctx, ['account', 'invoiceNo', 'date', 'period', 'dueDate']), {
        mode: 'above',
        labelFont: ctx.f(st.size - 1.5),
        valueFont: ctx.f(st.size, true),
        valueWidth: SW - 20,
      }) + 8;
    const m = d.meters[0];
    y = kv(
      ctx,
      M + 10,
      y,
      [
        ['meter', m.number, 'METER_NUMBER'],
        ['prevReading', reading(ctx, m, m.previous), 'PREVIOUS_READING'],
        ['currReading', reading(ctx, m, m.current), 'CURRENT_READING'],
        ['usage', usage(ctx, m), 'USAGE_AMOUNT'],
        ['rate', rate(ctx, m), 'RATE_PER_UNIT'],
      ],
      { mode: 'above', labelFont: ctx.f(st.size - 1.5), valueFont: ctx.f(st.size, true), valueWidth: SW - 20 },
    );
    const X = M + SW + 20;
    const R = W - M;
    let my = M;
    my = title(ctx, X, my, ctx.f(st.size + 8, true)) + 6;
    my = party(ctx, X, my, 'buyer', { font: ctx.f(st.size + 0.5) }) + 18;
    my = itemTable(ctx, X, my, R - X, chargeCols, d.items, { style: 'plain', limit: b.height - 220 });
    my = totals(ctx, R - 220, R, my + 8, { emphasis: 'bold', mark: 'code', previousBalance: true, after: paymentAfter(ctx) });
    notes(ctx, X, my + 8, R - X, { font: ctx.f(st.size - 1) });
    void y;
    // tear-off coupon
    const cy = b.height - 170;
    b.hline(M, R, cy, 0.7, '#555555', [5, 3]);
    b.text(M, cy + 4, '✂ ' + r.pick(['Detach and return with your payment', 'Payment coupon']), ctx.f(st.size - 1.5), { color: '#555555' });
    let ky = cy + 24;
    ky = kv(ctx, M, ky, metaRows(ctx, ['account', 'invoiceNo', 'dueDate']), { mode: 'columns', labelWidth: 100 });
    if (ctx.show('AMOUNT_DUE')) {
      const le = b.text(W / 2, cy + 24, ctx.label('amountDue'), ctx.f(st.size + 1, true));
      b.text(le.x1 + 8, cy + 24, ctx.money(d.ledger.due, 'symbol'), ctx.f(st.size + 1, true), { span: ctx.span('AMOUNT_DUE') });
      b.rect([W / 2 - 6, cy + 18, R, cy + 42], { stroke: '#000000', width: 0.8 });
    }
    b.text(W / 2, cy + 52, 'Amount enclosed: ______________', ctx.f(st.size));
    qr(ctx, R - 62, cy + 62, 58);
    bank(ctx, M, ky + 4, { mode: 'inline', font: ctx.f(st.size - 1) });
  },
};

export const UTILITIES: TemplateFamily[] = [utilitiesElectric, utilitiesWater, utilitiesGas];
