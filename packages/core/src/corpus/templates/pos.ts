/** Point-of-sale receipts on narrow thermal paper: 80 mm shop receipt, 58 mm supermarket slip, restaurant bill (unseen). */
import { qr } from '../blocks.js';
import { style, type TemplateFamily } from './common.js';
import type { TemplateContext } from '../template-context.js';
import type { Font } from '../fonts.js';
import { ALL } from './common.js';

const MM = 72 / 25.4;

/** Centred header lines: store name, address, phone, tax id. */
function header(ctx: TemplateContext, y: number, f: Font, bf: Font): number {
  const { b, d } = ctx;
  const cx = b.width / 2;
  if (ctx.show('SUPPLIER_NAME')) {
    for (const line of b.wrapLines(d.supplier.name.toUpperCase(), bf, b.width - 16)) {
      b.text(cx, y, line, bf, { span: ctx.span('SUPPLIER_NAME'), align: 'center' });
      y += b.lineHeight(bf);
    }
  }
  if (ctx.show('SUPPLIER_ADDRESS')) {
    const s = ctx.span('SUPPLIER_ADDRESS');
    for (const line of d.supplier.address) {
      b.text(cx, y, line, f, { span: s, align: 'center' });
      y += b.lineHeight(f);
    }
  }
  if (ctx.show('SUPPLIER_PHONE')) {
    const lab = ctx.p.get('phone');
    const w = b.textWidth(`${lab} ${d.supplier.phone}`, f);
    const le = b.text(cx - w / 2, y, lab, f);
    b.text(le.x1 + b.measurer.width(' ', f), y, d.supplier.phone, f, { span: ctx.span('SUPPLIER_PHONE') });
    y += b.lineHeight(f);
  }
  if (ctx.show('SUPPLIER_VAT_ID')) {
    const lab = ctx.p.get('vatId');
    const w = b.textWidth(`${lab} ${d.supplier.taxId}`, f);
    const le = b.text(cx - w / 2, y, lab, f);
    b.text(le.x1 + b.measurer.width(' ', f), y, d.supplier.taxId, f, { span: ctx.span('SUPPLIER_VAT_ID') });
    y += b.lineHeight(f);
  }
  return y;
}

/** A separator: a dashed rule, or a printed row of dashes / equals signs as thermal printers do. */
function sep(ctx: TemplateContext, y: number, f: Font, ch = '-'): number {
  const { b } = ctx;
  const L = 8;
  const R = b.width - 8;
  if (ctx.st.colon) {
    const n = Math.floor((R - L) / b.measurer.width(ch, f));
    b.text(L, y, ch.repeat(n), f, { color: '#222222' });
  } else b.hline(L, R, y + f.size * 0.5, 0.6, '#222222', [2, 2]);
  return y + b.lineHeight(f);
}

/** label left, value right on one line; the value labelled with `entity`. */
function lr(
  ctx: TemplateContext,
  y: number,
  label: string,
  value: string,
  f: Font,
  entity: string | null,
  labelEntity: string | null = null,
  labelValue = '',
): number {
  const { b } = ctx;
  const L = 8;
  const R = b.width - 8;
  const le = b.text(L, y, label, f);
  if (labelEntity && labelValue) b.text(le.x1 + b.measurer.width(' ', f), y, labelValue, f, { span: ctx.span(labelEntity) });
  b.text(R, y, value, f, { span: entity ? ctx.span(entity) : -1, align: 'right' });
  return y + b.lineHeight(f);
}

function metaLines(ctx: TemplateContext, y: number, f: Font): number {
  const { b, d } = ctx;
  const L = 8;
  const R = b.width - 8;
  // date and time on one line, receipt number on the next, cashier and register
  if (ctx.show('INVOICE_DATE')) {
    const de = b.text(L, y, ctx.date(d.invoiceDate), f, { span: ctx.span('INVOICE_DATE') });
    b.text(de.x1 + 8, y, d.time, f);
  }
  if (ctx.show('INVOICE_NUMBER')) {
    const ve = b.text(R, y, d.invoiceNumber, f, { span: ctx.span('INVOICE_NUMBER'), align: 'right' });
    b.text(ve.x0 - 4, y, ctx.r.pick(['#', 'No.', 'Rcpt', 'Bon']), f, { align: 'right' });
  }
  y += b.lineHeight(f);
  const parts: Array<[string, string, string]> = [];
  if (ctx.show('CASHIER_ID')) parts.push([ctx.p.get('cashier'), d.cashier, 'CASHIER_ID']);
  if (ctx.show('REGISTER_NUMBER')) parts.push([ctx.p.get('register'), d.register, 'REGISTER_NUMBER']);
  let x = L;
  for (const [lab, v, e] of parts) {
    const le = b.text(x, y, `${lab}:`, f);
    x = b.text(le.x1 + b.measurer.width(' ', f), y, v, f, { span: ctx.span(e) }).x1 + 12;
  }
  if (parts.length) y += b.lineHeight(f);
  return y;
}

function money(ctx: TemplateContext, cents: number): string {
  return ctx.money(cents, 'none');
}

/** Item lines: description and amount; "qty x price" on its own line when qty is not 1. */
function items(ctx: TemplateContext, y: number, f: Font, o: { codes: boolean; qtyFirst: boolean; taxLetter: boolean }): number {
  const { b, d } = ctx;
  const L = 8;
  const R = b.width - 8;
  const letterW = o.taxLetter ? b.measurer.width(' A', f) + 2 : 0;
  for (const it of d.items) {
    if (o.codes && ctx.show('ITEM_CODE')) {
      b.text(L, y, it.code, ctx.face(f.face, f.size - 1), { span: ctx.span('ITEM_CODE') });
      y += b.lineHeight(f) - 1;
    }
    let dx = L;
    if (o.qtyFirst && ctx.show('QUANTITY'))
      dx = b.text(L, y, ctx.qty(it), f, { span: ctx.span('QUANTITY') }).x1 + b.measurer.width(' x ', f);
    const totalText = money(ctx, it.total + it.discount);
    const avail = R - letterW - b.measurer.width(totalText, f) - 8 - dx;
    const lines = b.wrapLines(it.description, f, avail);
    const ds = ctx.span('ITEM_DESCRIPTION');
    lines.forEach((line, i) => {
      b.text(dx, y + i * b.lineHeight(f), line, f, { span: ds });
    });
    // the row amount before the row discount; the discount follows on its own line
    const totalEnt = it.discount > 0 ? null : 'LINE_TOTAL';
    b.text(R - letterW, y, totalText, f, { span: totalEnt ? ctx.span(totalEnt) : -1, align: 'right' });
    if (o.taxLetter) b.text(R, y, 'A', f, { align: 'right' });
    y += lines.length * b.lineHeight(f);
    if (!o.qtyFirst && (it.qty !== 1 || it.unit) && (ctx.show('QUANTITY') || ctx.show('UNIT_PRICE'))) {
      const sf = ctx.face(f.face, f.size - 0.5);
      let x = L + 12;
      if (ctx.show('QUANTITY')) x = b.text(x, y, ctx.qty(it) + (it.unit ? ` ${it.unit}` : ''), sf, { span: ctx.span('QUANTITY') }).x1;
      if (ctx.show('UNIT_PRICE')) {
        const xe = b.text(x + 3, y, 'x', sf);
        x = b.text(xe.x1 + 3, y, ctx.price(it), sf, { span: ctx.span('UNIT_PRICE') }).x1;
        if (it.unit) b.text(x, y, `/${it.unit}`, sf);
      }
      y += b.lineHeight(sf);
    }
    if (it.discount > 0) {
      const le = b.text(L + 12, y, ctx.r.pick(['Promo', 'Discount', 'Member price', 'Rabatt']), f);
      void le;
      b.text(R - letterW, y, money(ctx, -it.discount), f, {
        span: ctx.show('ITEM_DISCOUNT') ? ctx.span('ITEM_DISCOUNT') : -1,
        align: 'right',
      });
      y += b.lineHeight(f);
      b.text(R - letterW, y, money(ctx, it.total), f, { span: ctx.span('LINE_TOTAL'), align: 'right' });
      y += b.lineHeight(f);
    }
  }
  return y;
}

function totalsBlock(ctx: TemplateContext, y: number, f: Font, bf: Font, bigTotal: boolean): number {
  const { d } = ctx;
  const l = d.ledger;
  if (ctx.show('SUBTOTAL')) y = lr(ctx, y, ctx.p.get('subtotal').toUpperCase(), money(ctx, l.subtotal), f, 'SUBTOTAL');
  if (ctx.show('DISCOUNT') && l.discount) y = lr(ctx, y, ctx.p.get('discount').toUpperCase(), money(ctx, -l.discount), f, 'DISCOUNT');
  if (ctx.show('TAX')) {
    for (const t of l.taxLines) {
      if (ctx.show('TAX_RATE'))
        y = lr(ctx, y, t.label, money(ctx, t.amount), f, l.taxLines.length === 1 ? 'TAX' : null, 'TAX_RATE', ctx.pct(t.rate));
      else y = lr(ctx, y, t.label, money(ctx, t.amount), f, l.taxLines.length === 1 ? 'TAX' : null);
    }
    if (l.taxLines.length > 1) y = lr(ctx, y, `${ctx.p.get('total')} ${ctx.p.get('taxLine')}`, money(ctx, l.tax), f, 'TAX');
  }
  const tf = bigTotal ? ctx.face(bf.face, bf.size + 3) : bf;
  y += 2;
  y = lr(ctx, y, ctx.p.get('total').toUpperCase(), ctx.money(l.total, ctx.show('CURRENCY') ? 'none' : 'symbol'), tf, 'TOTAL_AMOUNT');
  if (ctx.show('CURRENCY')) {
    const { b } = ctx;
    b.text(8, y, d.money.currency, f, { span: ctx.span('CURRENCY') });
    y += b.lineHeight(f);
  }
  if (ctx.show('REFUND_AMOUNT') && l.refund) y = lr(ctx, y, ctx.p.get('refund').toUpperCase(), money(ctx, -l.refund), f, 'REFUND_AMOUNT');
  y += 2;
  if (ctx.show('AMOUNT_PAID')) y = lr(ctx, y, d.paymentTerms, money(ctx, l.paid), f, 'AMOUNT_PAID');
  if (l.change) y = lr(ctx, y, ctx.r.pick(['CHANGE', 'Change', 'RÜCKGELD', 'RENDU']), money(ctx, l.change), f, null);
  return y;
}

function finish(ctx: TemplateContext, y: number, f: Font): void {
  const { b, r } = ctx;
  const cx = b.width / 2;
  y += 6;
  const qs = Math.min(b.width * 0.45, 80);
  y = qr(ctx, cx - qs / 2, y, qs);
  for (const line of r.pick([
    ['THANK YOU FOR SHOPPING WITH US'],
    ['Thank you!', 'Please keep your receipt'],
    ['Vielen Dank für Ihren Einkauf'],
    ['Returns within 30 days', 'with receipt only'],
  ])) {
    for (const l of b.wrapLines(line, f, b.width - 16)) {
      b.text(cx, y, l, f, { align: 'center' });
      y += b.lineHeight(f);
    }
  }
  b.setHeight(Math.ceil(y + 24));
}

/** 80 mm shop receipt in a monospace face. */
export const posThermal: TemplateFamily = {
  id: 'pos/thermal-80mm',
  domain: 'pos',
  locales: ALL,
  items: [1, 14],
  page: () => ({ width: Math.round(80 * MM), height: 2400 }),
  style: (r) => style(r, 'mono', 'mono-bold', [7.5, 8.5]),
  draw(ctx) {
    const { st, r } = ctx;
    const f = ctx.f();
    const bf = ctx.f(st.size + 1, true);
    let y = 14;
    y = header(ctx, y, f, ctx.f(st.size + 3, true)) + 4;
    if (ctx.show('DOC_TYPE')) {
      ctx.b.text(ctx.b.width / 2, y, ctx.p.get('receipt'), bf, { span: ctx.span('DOC_TYPE'), align: 'center' });
      y += ctx.b.lineHeight(bf);
    }
    y = sep(ctx, y, f);
    y = metaLines(ctx, y, f);
    y = sep(ctx, y, f);
    y = items(ctx, y, f, { codes: false, qtyFirst: r.chance(0.4), taxLetter: r.chance(0.4) });
    y = sep(ctx, y, f);
    y = totalsBlock(ctx, y, f, bf, true);
    y = sep(ctx, y, f, '=');
    finish(ctx, y, f);
  },
};

/** 58 mm supermarket slip: condensed type, item codes, tax letters, tax summary table. */
export const posSupermarket: TemplateFamily = {
  id: 'pos/supermarket-58mm',
  domain: 'pos',
  locales: ALL,
  items: [3, 22],
  rates: { ITEM_CODE: 0.6 },
  page: () => ({ width: Math.round(58 * MM), height: 3000 }),
  style: (r) => style(r, r.pick(['cond', 'mono'] as const), r.pick(['cond-bold', 'mono-bold'] as const), [6.5, 7.25]),
  draw(ctx) {
    const { b, d, st } = ctx;
    const f = ctx.f();
    const bf = ctx.f(st.size + 0.75, true);
    let y = 10;
    y = header(ctx, y, f, ctx.f(st.size + 2.5, true)) + 3;
    y = sep(ctx, y, f);
    y = items(ctx, y, f, { codes: true, qtyFirst: false, taxLetter: true });
    y = sep(ctx, y, f);
    y = totalsBlock(ctx, y, f, bf, false);
    y = sep(ctx, y, f);
    // tax summary: rate, net, tax, gross (amounts unlabelled; the rate repeats the TAX_RATE)
    const L = 8;
    const R = b.width - 8;
    const cols = [L, L + 30, R - 60, R - 30, R];
    ['', '%', 'Net', 'Tax', 'Gross'].forEach(
      (h, i) => i > 0 && b.text(i === 1 ? cols[1] : cols[i], y, h, f, { align: i === 1 ? 'left' : 'right' }),
    );
    y += b.lineHeight(f);
    for (const t of d.ledger.taxLines) {
      b.text(L, y, 'A', f);
      b.text(cols[1], y, ctx.pct(t.rate), f);
      b.text(cols[2], y, money(ctx, t.base), f, { align: 'right' });
      b.text(cols[3], y, money(ctx, t.amount), f, { align: 'right' });
      b.text(cols[4], y, money(ctx, t.base + t.amount), f, { align: 'right' });
      y += b.lineHeight(f);
    }
    y = sep(ctx, y, f);
    y = metaLines(ctx, y, f);
    finish(ctx, y, f);
  },
};

/** Restaurant bill (unseen family): sans type, table and covers, quantity before each dish, gratuity line. */
export const posRestaurant: TemplateFamily = {
  id: 'pos/restaurant-bill',
  domain: 'pos',
  locales: ALL,
  items: [2, 10],
  variant: 'restaurant',
  page: () => ({ width: Math.round(80 * MM), height: 2400 }),
  style: (r) => style(r, 'sans', 'sans-bold', [7.5, 8.5]),
  draw(ctx) {
    const { b, r, st } = ctx;
    const f = ctx.f();
    const bf = ctx.f(st.size + 1, true);
    let y = 16;
    y = header(ctx, y, f, ctx.f(st.size + 4, true)) + 6;
    y = metaLines(ctx, y, f);
    b.text(8, y, `Table ${r.int(1, 40)}   Guests ${r.int(1, 8)}`, f);
    y += b.lineHeight(f) + 2;
    if (ctx.show('DOC_TYPE')) {
      b.text(b.width / 2, y, r.pick(['GUEST CHECK', 'BILL', 'RECEIPT']), bf, { span: ctx.span('DOC_TYPE'), align: 'center' });
      y += b.lineHeight(bf);
    }
    y = sep(ctx, y, f);
    y = items(ctx, y, f, { codes: false, qtyFirst: true, taxLetter: false });
    y = sep(ctx, y, f);
    y = totalsBlock(ctx, y, f, bf, true);
    y += 4;
    b.text(8, y, 'Tip: ____________', f);
    y += b.lineHeight(f) + 2;
    b.text(8, y, 'Total: ___________', f);
    y += b.lineHeight(f);
    finish(ctx, y, f);
  },
};

export const POS: TemplateFamily[] = [posThermal, posSupermarket, posRestaurant];
