/** Public-sector invoices: US federal contract invoice, European public-body invoice, numbered-box voucher (unseen). */
import { bank, itemTable, kv, logo, notes, party, qr, signature, stamp, title, totals, watermark, type Column } from '../blocks.js';
import { continuationTop, metaRows, officePage, sansStyle, serifStyle, style, A4, type TemplateFamily } from './common.js';

const CERT =
  'I certify that the above bill is correct and just, that payment has not been received, and that the supplies and services were delivered in accordance with the contract.';

/** Federal contract invoice: contractor block with CAGE, boxed contract facts, CLIN grid, certification. */
export const governmentContract: TemplateFamily = {
  id: 'government/contract-invoice',
  domain: 'government',
  locales: ['en-US'],
  items: [1, 8],
  page: (d) => officePage(d),
  style: (r) => sansStyle(r, [8, 9]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 38;
    const W = b.width;
    watermark(ctx);
    let y = 36;
    y = party(ctx, M, y, 'supplier', { nameFont: ctx.f(st.size + 4, true), font: ctx.f(st.size - 0.5), extra: ['phone', 'email', 'vat'] });
    y = kv(ctx, M, y + 2, metaRows(ctx, ['cage']), {
      mode: 'inline',
      labelFont: ctx.f(st.size - 0.5, true),
      valueFont: ctx.f(st.size - 0.5),
    });
    title(ctx, W - M, 36, ctx.f(st.size + 10, true), 'right');
    const ky = kv(ctx, W - M - 190, 66, metaRows(ctx, ['invoiceNo', 'date', 'dueDate']), { mode: 'columns', labelWidth: 85, gap: 1.5 });
    y = Math.max(y, ky) + 12;
    // contract facts in boxes
    const cells = metaRows(ctx, ['contract', 'reference', 'po', 'terms', 'currency']).filter(([, , e]) => !e || ctx.show(e));
    const cw = (W - 2 * M) / Math.max(3, cells.length);
    cells.forEach(([k, v, e], i) => {
      const x0 = M + i * cw;
      b.rect([x0, y, x0 + cw, y + 30], { stroke: '#000000', width: 0.6 });
      b.text(x0 + 4, y + 3, ctx.p.get(k), ctx.f(st.size - 2), { color: '#444444' });
      b.text(x0 + 4, y + 15, v, b.textWidth(v, ctx.f(st.size, true)) < cw - 8 ? ctx.f(st.size, true) : ctx.f(st.size - 2, true), {
        span: e ? ctx.span(e) : -1,
      });
    });
    y += 42;
    const by = party(ctx, M, y, 'buyer', { title: 'billTo', extra: ['vat'] });
    const sy = party(ctx, W / 2, y, 'shipTo', { title: 'shipTo' });
    y = Math.max(by, sy) + 12;
    const cols: Column[] = [
      { key: 'no', w: 44 },
      { key: 'code', w: 88 },
      { key: 'desc', w: 0 },
      { key: 'qty', w: 44, align: 'right' },
      { key: 'unit', w: 30, align: 'center' },
      { key: 'price', w: 66, align: 'right' },
      { key: 'total', w: 72, align: 'right' },
    ];
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, {
      style: 'grid',
      headerFill: st.fill,
      limit: b.height - 170,
      onNewPage: () => continuationTop(ctx, M, 36),
      subLines: true,
    });
    y = totals(ctx, W - M - 220, W - M, y + 8, { emphasis: 'box', mark: 'symbol' });
    let ly = bank(ctx, M, y + 8, { title: true });
    ly = notes(ctx, M, ly + 6, W - 2 * M);
    ly = b.para(M, Math.min(b.height - 130, ly + 6), W - 2 * M, CERT, ctx.f(st.size - 1.5)) + 4;
    signature(ctx, M, Math.min(b.height - 90, ly), 120);
    stamp(ctx, W / 2 + r.float(0, 80), Math.min(b.height - 70, ly + 24));
    qr(ctx, W - M - 58, Math.min(b.height - 96, ly), 54);
  },
};

/** European public-body invoice: buyer reference, contract number, per-row VAT, bank and e-invoice QR. */
export const governmentPublicBody: TemplateFamily = {
  id: 'government/public-body',
  domain: 'government',
  locales: ['de-DE', 'fr-FR', 'es-ES', 'en-GB', 'de-CH'],
  items: [1, 8],
  page: () => A4,
  style: (r) => serifStyle(r, [8.75, 9.75]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 52;
    const W = b.width;
    watermark(ctx);
    logo(ctx, W - M - 40, 34, 36);
    let y = 40;
    y =
      party(ctx, M, y, 'supplier', { nameFont: ctx.f(st.size + 3, true), font: ctx.f(st.size - 1), extra: ['vat', 'phone', 'email'] }) + 16;
    const by = party(ctx, M, y, 'buyer', { title: 'billTo', extra: ['vat'] });
    const ky = kv(ctx, W / 2 + 20, y, metaRows(ctx, ['invoiceNo', 'date', 'dueDate', 'reference', 'contract', 'po', 'cage']), {
      mode: 'columns',
      labelWidth: 110,
      gap: 1.5,
    });
    y = Math.max(by, ky) + 18;
    y = title(ctx, M, y, ctx.f(st.size + 6, true)) + 6;
    const cols: Column[] = [
      { key: 'no', w: 34 },
      { key: 'desc', w: 0 },
      { key: 'qty', w: 44, align: 'right' },
      { key: 'unit', w: 36 },
      { key: 'price', w: 66, align: 'right' },
      { key: 'tax', w: 44, align: 'right' },
      { key: 'total', w: 72, align: 'right' },
    ];
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, {
      style: r.pick(['rules', 'plain'] as const),
      limit: b.height - 160,
      onNewPage: () => continuationTop(ctx, M, 40),
      subLines: true,
    });
    y = totals(ctx, W - M - 230, W - M, y + 8, { emphasis: 'rule', mark: 'code', taxBase: true });
    y = kv(ctx, M, y + 8, metaRows(ctx, ['terms']), { mode: 'inline' });
    y = bank(ctx, M, y + 6);
    y = notes(ctx, M, y + 6, W - 2 * M - 90);
    qr(ctx, W - M - 66, Math.min(b.height - 100, y - 60), 62);
    signature(ctx, M, Math.min(b.height - 80, y + 4), 110);
    stamp(ctx, W / 2, Math.min(b.height - 60, y + 30));
  },
};

/** Public voucher (unseen family): numbered boxes like a standard form, CLIN rows, certification. */
export const governmentVoucher: TemplateFamily = {
  id: 'government/voucher-form',
  domain: 'government',
  locales: ['en-US'],
  items: [1, 6],
  page: (d) => officePage(d),
  style: (r) => style(r, 'mono', 'mono-bold', [7.5, 8.25], { colon: false }),
  phrases: (): Record<string, string> => ({ invoice: 'PUBLIC VOUCHER FOR PURCHASES AND SERVICES', invoiceNo: 'VOUCHER NO.' }),
  draw(ctx) {
    const { b, d, st } = ctx;
    const M = 30;
    const W = b.width;
    const R = W - M;
    watermark(ctx);
    let y = M;
    title(ctx, W / 2, y, ctx.f(st.size + 3, true), 'center');
    y += 22;
    const cap = ctx.f(st.size - 1.5);
    let n = 1;
    const cell = (x0: number, y0: number, x1: number, y1: number, caption: string): number => {
      b.rect([x0, y0, x1, y1], { stroke: '#000000', width: 0.6 });
      b.text(x0 + 3, y0 + 2, `${n++}. ${caption}`, cap);
      return y0 + 4 + b.lineHeight(cap);
    };
    const mid = W / 2;
    let iy = cell(M, y, mid, y + 30, 'CONTRACT NUMBER');
    if (ctx.show('CONTRACT_NUMBER')) b.text(M + 6, iy, d.contractNumber, ctx.f(st.size, true), { span: ctx.span('CONTRACT_NUMBER') });
    iy = cell(mid, y, R, y + 30, ctx.p.get('invoiceNo'));
    if (ctx.show('INVOICE_NUMBER')) b.text(mid + 6, iy, d.invoiceNumber, ctx.f(st.size, true), { span: ctx.span('INVOICE_NUMBER') });
    y += 30;
    const small: Array<[string, string, string]> = [
      ['DATE VOUCHER PREPARED', ctx.date(d.invoiceDate), 'INVOICE_DATE'],
      ['ORDER NUMBER', d.poNumber, 'PO_NUMBER'],
      ['CAGE CODE', d.cageCode, 'CAGE_CODE'],
      ['PAYMENT DUE', ctx.date(d.dueDate), 'DUE_DATE'],
    ];
    const qw = (R - M) / 4;
    small.forEach(([c, v, e], i) => {
      const vy = cell(M + i * qw, y, M + (i + 1) * qw, y + 30, c);
      if (ctx.show(e)) b.text(M + i * qw + 6, vy, v, ctx.f(st.size, true), { span: ctx.span(e) });
    });
    y += 30;
    iy = cell(M, y, mid, y + 82, 'PAYEE (CONTRACTOR) NAME AND ADDRESS');
    party(ctx, M + 6, iy, 'supplier', { nameFont: ctx.f(st.size, true), extra: ['vat', 'phone'] });
    iy = cell(mid, y, R, y + 82, 'PAYING OFFICE / AGENCY');
    party(ctx, mid + 6, iy, 'buyer', { nameFont: ctx.f(st.size, true) });
    y += 82;
    iy = cell(M, y, R, y + 26, 'SHIPPED TO / REFERENCE');
    let sx = M + 6;
    if (ctx.show('SHIP_TO_ADDRESS'))
      sx = b.text(sx, iy, d.shipTo.join(', '), ctx.f(st.size - 0.5), { span: ctx.span('SHIP_TO_ADDRESS') }).x1 + 12;
    if (ctx.show('REFERENCE_NUMBER')) b.text(sx, iy, d.reference, ctx.f(st.size - 0.5), { span: ctx.span('REFERENCE_NUMBER') });
    y += 34;
    const cols: Column[] = [
      { key: 'no', w: 50 },
      { key: 'desc', w: 0 },
      { key: 'qty', w: 50, align: 'right' },
      { key: 'unit', w: 30, align: 'center' },
      { key: 'price', w: 70, align: 'right' },
      { key: 'total', w: 76, align: 'right' },
    ];
    y = itemTable(ctx, M, y, R - M, cols, d.items, { style: 'grid', pad: 2.5, limit: b.height - 160, subLines: true });
    y = totals(ctx, R - 250, R - 4, y + 8, { emphasis: 'box', mark: 'code' });
    y = bank(ctx, M, y + 6, { mode: 'inline', font: ctx.f(st.size - 0.5) });
    y = b.para(M, y + 8, R - M, CERT, ctx.f(st.size - 1)) + 6;
    signature(ctx, M, Math.min(b.height - 80, y), 110);
    stamp(ctx, mid + 40, Math.min(b.height - 60, y + 26));
    qr(ctx, R - 56, Math.min(b.height - 90, y), 52);
    notes(ctx, mid + 90, Math.min(b.height - 90, y), R - mid - 160, { font: ctx.f(st.size - 1.5), title: false });
  },
};

export const GOVERNMENT: TemplateFamily[] = [governmentContract, governmentPublicBody, governmentVoucher];
