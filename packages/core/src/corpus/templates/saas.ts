/** SaaS and subscription invoices: a clean online-billing layout, a subscription summary, a usage statement (unseen). */
import { bank, itemTable, kv, logo, notes, party, qr, title, totals, watermark, type Column } from '../blocks.js';
import { ALL, EN, metaRows, officePage, sansStyle, style, type TemplateFamily } from './common.js';
import type { TemplateContext } from '../template-context.js';

function periodLine(ctx: TemplateContext): string {
  return `${ctx.date(ctx.d.periodStart)} – ${ctx.date(ctx.d.periodEnd)}`;
}

/** "Amount due" headline, Stripe-like: title top-left, meta list, From / Bill to columns, simple rules. */
export const saasOnline: TemplateFamily = {
  id: 'saas/online',
  domain: 'saas',
  locales: ALL,
  items: [1, 4],
  page: (d) => officePage(d),
  style: (r) => sansStyle(r, [8.5, 9.5]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = r.pick([44, 50]);
    const W = b.width;
    watermark(ctx);
    let y = M;
    y = title(ctx, M, y, ctx.f(st.size + 10, true));
    if (ctx.show('SUPPLIER_NAME')) {
      const nf = ctx.f(st.size + 3, true);
      const ne = b.text(W - M, M + 4, d.supplier.name, nf, { span: ctx.span('SUPPLIER_NAME'), align: 'right' });
      logo(ctx, ne.x0 - 34, M, 26);
    }
    y = kv(ctx, M, y + 8, metaRows(ctx, ['invoiceNo', 'date', 'dueDate', 'subscription', 'currency']), {
      mode: 'columns',
      labelWidth: 110,
      labelFont: ctx.f(st.size, true),
      valueFont: ctx.f(),
      gap: 1.5,
    });
    y += 14;
    const colW = (W - 2 * M) / 3;
    const sy = party(ctx, M, y, 'supplier', {
      skipName: !r.chance(0.5),
      extra: ['vat', 'email', 'phone'],
      labelled: false,
      nameFont: ctx.f(st.size, true),
    });
    const by = party(ctx, M + colW, y, 'buyer', { title: 'billTo', extra: ['vat'] });
    y = Math.max(sy, by) + 18;
    if (ctx.show('TOTAL_AMOUNT')) {
      const hf = ctx.f(st.size + 7, true);
      const ae = b.text(M, y, ctx.money(d.ledger.total, 'symbol'), hf, { span: ctx.span('TOTAL_AMOUNT') });
      if (ctx.show('DUE_DATE')) {
        const de = b.text(ae.x1 + 6, y, d.lang === 'en' ? 'due' : d.lang === 'de' ? 'fällig am' : d.lang === 'fr' ? 'dû le' : 'vence', hf);
        b.text(de.x1 + 6, y, ctx.date(d.dueDate), hf, { span: ctx.span('DUE_DATE') });
      }
      y += b.lineHeight(hf) + 4;
      b.text(M, y, r.pick(['Pay online', 'Pay this invoice', 'View and pay online']), ctx.f(st.size, false), { color: st.accent });
      y += b.lineHeight(ctx.f()) + 14;
    }
    const cols: Column[] = [
      { key: 'desc', w: 0 },
      { key: 'qty', w: 40, align: 'right' },
      { key: 'price', w: 80, align: 'right' },
      { key: 'total', w: 80, align: 'right' },
    ];
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, {
      style: 'rules',
      limit: b.height - 140,
      extraSub: (_it, i) => (i === 0 ? [['', periodLine(ctx), 'BILLING_PERIOD']] : []),
    });
    y = totals(ctx, W - M - 230, W - M, y + 8, { emphasis: 'rule', mark: r.pick(['symbol', 'none'] as const) });
    y += 10;
    y = kv(ctx, M, y, metaRows(ctx, ['plan', 'seats', 'renewal', 'status', 'terms', 'creditNote']), {
      mode: 'inline',
      labelFont: ctx.f(st.size - 0.5, true),
      valueFont: ctx.f(st.size - 0.5),
    });
    if (d.reverseCharge)
      y =
        b.para(
          M,
          y + 4,
          W - 2 * M,
          'Reverse charge: VAT to be accounted for by the recipient (Art. 196 VAT Directive).',
          ctx.f(st.size - 1),
        ) + 2;
    y = bank(ctx, M, y + 8);
    notes(ctx, M, y + 8, W - 2 * M);
  },
};

/** Coloured header band, a bordered subscription summary box, zebra charges, a status badge. */
export const saasSubscription: TemplateFamily = {
  id: 'saas/subscription',
  domain: 'saas',
  locales: ALL,
  items: [1, 5],
  page: (d) => officePage(d),
  style: (r) => sansStyle(r, [8.5, 9.5]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 40;
    const W = b.width;
    b.rect([0, 0, W, 92], { fill: st.fill });
    watermark(ctx);
    const lx = logo(ctx, M, 26, 40);
    if (ctx.show('SUPPLIER_NAME'))
      b.text(lx + 10, 30, d.supplier.name, ctx.f(st.size + 5, true), { span: ctx.span('SUPPLIER_NAME'), color: st.accent });
    if (ctx.show('SUPPLIER_ADDRESS'))
      b.text(lx + 10, 52, d.supplier.address.join(', '), ctx.f(st.size - 1), { span: ctx.span('SUPPLIER_ADDRESS') });
    title(ctx, W - M, 32, ctx.f(st.size + 9, true), 'right', st.accent);
    let y = 108;
    // meta across the page, label above value
    const rows = metaRows(ctx, ['invoiceNo', 'date', 'dueDate', 'currency']).filter(([, , e]) => !e || ctx.show(e));
    const cw = (W - 2 * M) / Math.max(4, rows.length);
    rows.forEach(([key, value, e], i) =>
      kv(ctx, M + i * cw, y, [[key, value, e]], { mode: 'above', labelFont: ctx.f(st.size - 1.5), valueFont: ctx.f(st.size, true) }),
    );
    y += 36;
    const by = party(ctx, M, y, 'buyer', { title: 'billTo', extra: ['vat'] });
    let ey = party(ctx, M, by + 6, 'supplier', { skipName: true, font: ctx.f(st.size - 1), extra: ['vat', 'email', 'phone'] });
    // subscription box
    const bx = W - M - 250;
    const box = metaRows(ctx, ['subscription', 'plan', 'seats', 'period', 'renewal']);
    const sTop = y;
    b.text(bx + 8, y + 6, r.pick(['Subscription', 'Subscription details', 'Your plan']), ctx.f(st.size, true), { color: st.accent });
    const sy = kv(ctx, bx + 8, y + 22, box, {
      mode: 'columns',
      labelWidth: 96,
      valueWidth: 140,
      labelFont: ctx.f(st.size - 1),
      valueFont: ctx.f(st.size - 1, true),
      gap: 1.5,
    });
    b.rect([bx, sTop, W - M, sy + 4], { stroke: st.accent, width: 0.8, radius: 4 });
    ey = Math.max(ey, sy + 4);
    y = ey + 16;
    const cols: Column[] = r.pick([
      [
        { key: 'desc', w: 0 },
        { key: 'qty', w: 50, align: 'center' },
        { key: 'price', w: 80, align: 'right' },
        { key: 'tax', w: 40, align: 'right' },
        { key: 'total', w: 80, align: 'right' },
      ],
      [
        { key: 'qty', w: 36, align: 'left' },
        { key: 'desc', w: 0 },
        { key: 'price', w: 80, align: 'right' },
        { key: 'total', w: 80, align: 'right' },
      ],
    ]);
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, {
      style: 'zebra',
      headerFill: st.accent,
      headerInk: '#ffffff',
      limit: b.height - 140,
    });
    const ty = totals(ctx, W - M - 220, W - M, y + 10, { emphasis: 'fill', mark: 'code', taxBase: r.chance(0.3) });
    let ly = y + 12;
    if (ctx.show('INVOICE_STATUS')) {
      const f = ctx.f(st.size + 3, true);
      const w = b.textWidth(d.status, f) + 16;
      const color = d.status === 'PAID' ? '#2e7d32' : '#b3261e';
      b.rect([M, ly, M + w, ly + f.size * 1.6], { stroke: color, width: 1.2, radius: 4 });
      b.text(M + 8, ly + f.size * 0.3, d.status, f, { span: ctx.span('INVOICE_STATUS'), color });
      ly += f.size * 1.6 + 10;
    }
    ly = kv(ctx, M, ly, metaRows(ctx, ['terms', 'creditNote']), { mode: 'inline' });
    ly = bank(ctx, M, ly + 6, { mode: 'inline' });
    qr(ctx, M, ly + 6, 56);
    notes(ctx, M, Math.max(ty, ly) + 70, W - 2 * M);
  },
};

/** Usage statement (unseen family): filled sidebar with account details, usage lines in a grid. */
export const saasUsageStatement: TemplateFamily = {
  id: 'saas/usage-statement',
  domain: 'saas',
  locales: EN,
  items: [3, 7],
  page: (d) => officePage(d),
  style: (r) => style(r, 'sans', 'sans-bold', [7.75, 8.75], { colon: false }),
  phrases: (d, r): Record<string, string> => ({ invoice: r.pick(['Usage Statement', 'Billing Statement', 'Statement & Invoice']) }),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const W = b.width;
    const SW = 172;
    b.rect([0, 0, SW, b.height], { fill: st.fill });
    watermark(ctx);
    let y = 36;
    logo(ctx, 20, y, 30);
    y += 40;
    const sf = ctx.f(st.size - 0.5);
    y = party(ctx, 20, y, 'supplier', { nameFont: ctx.f(st.size + 1, true), font: sf, extra: ['email', 'phone', 'vat'], labelled: false });
    y += 18;
    b.text(20, y, r.pick(['ACCOUNT', 'Account details', 'Your account']), ctx.f(st.size, true), { color: st.accent });
    y += 14;
    y = kv(
      ctx,
      20,
      y,
      metaRows(ctx, ['subscription', 'plan', 'seats', 'period', 'renewal', 'invoiceNo', 'date', 'dueDate', 'terms', 'currency']),
      { mode: 'above', labelFont: ctx.f(st.size - 1.5), valueFont: ctx.f(st.size - 0.5, true), valueWidth: SW - 36 },
    );
    const X = SW + 30;
    const R = W - 36;
    let my = 40;
    my = title(ctx, X, my, ctx.f(st.size + 11, true));
    my += 6;
    my = party(ctx, X, my, 'buyer', { title: 'billTo', extra: ['vat'] }) + 16;
    const cols: Column[] = [
      { key: 'desc', w: 0 },
      { key: 'qty', w: 56, align: 'right' },
      { key: 'unit', w: 40 },
      { key: 'price', w: 56, align: 'right' },
      { key: 'total', w: 66, align: 'right' },
    ];
    my = itemTable(ctx, X, my, R - X, cols, d.items, {
      style: 'grid',
      headerFill: st.fill,
      limit: b.height - 120,
      extraSub: (_it, i) => (i === 0 ? [['', `(${periodLine(ctx)})`, 'BILLING_PERIOD']] : []),
    });
    my = totals(ctx, R - 200, R, my + 10, { emphasis: 'box', mark: 'symbol' });
    my = kv(ctx, X, my + 10, metaRows(ctx, ['status', 'creditNote']), { mode: 'inline' });
    my = bank(ctx, X, my + 6);
    notes(ctx, X, my + 10, R - X);
    void y;
  },
};

export const SAAS: TemplateFamily[] = [saasOnline, saasSubscription, saasUsageStatement];
