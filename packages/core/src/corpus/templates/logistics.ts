/** Freight and courier documents: freight invoice with packing list, air-waybill style form, courier statement (unseen). */
import { bank, itemTable, kv, logo, notes, party, signature, stamp, title, totals, type Column, type KvRow } from '../blocks.js';
import { ALL, DOMAIN_LOCALES, EN, continuationTop, metaRows, officePage, sansStyle, style, type TemplateFamily } from './common.js';
import type { TemplateContext } from '../template-context.js';
import { makeBatchNumber, makeSerialNumber } from '../identifiers.js';

/** Shipment facts as a grid of cells, label above value. */
function shipmentGrid(ctx: TemplateContext, x: number, y: number, w: number, keys: string[], perRow: number): number {
  const { b, d, st } = ctx;
  const rows = metaRows(ctx, keys).filter(([, , e]) => !e || ctx.show(e));
  rows.push([
    '=' + (d.lang === 'de' ? 'Packstücke' : d.lang === 'fr' ? 'Colis' : d.lang === 'es' ? 'Bultos' : 'Packages'),
    String(d.packages),
    null,
  ]);
  rows.push([
    '=' + (d.lang === 'de' ? 'Warenbezeichnung' : d.lang === 'fr' ? 'Marchandise' : d.lang === 'es' ? 'Mercancía' : 'Goods'),
    d.goods,
    null,
  ]);
  const cw = w / perRow;
  const lf = ctx.f(st.size - 2);
  const vf = ctx.f(st.size - 0.5, true);
  const ch = b.lineHeight(lf) + b.lineHeight(vf) + 8;
  rows.forEach(([key, value, e], i) => {
    const x0 = x + (i % perRow) * cw;
    const y0 = y + Math.floor(i / perRow) * ch;
    b.rect([x0, y0, x0 + cw, y0 + ch], { stroke: '#555555', width: 0.5 });
    b.text(x0 + 4, y0 + 3, key.startsWith('=') ? key.slice(1) : ctx.p.get(key), lf, { color: '#555555' });
    const fits = b.textWidth(value, vf) < cw - 8;
    b.text(x0 + 4, y0 + 4 + b.lineHeight(lf), value, fits ? vf : ctx.f(st.size - 2, true), { span: e ? ctx.span(e) : -1 });
  });
  return y + Math.ceil(rows.length / perRow) * ch;
}

/** Packing list page: packages with batch and serial numbers. */
function packingList(ctx: TemplateContext, M: number): void {
  const { b, d, r, st } = ctx;
  if (!ctx.show('BATCH_NUMBER') && !ctx.show('SERIAL_NUMBER')) return;
  b.newPage();
  let y = continuationTop(ctx, M, 36);
  b.text(
    M,
    y,
    ctx.t({
      en: ['Packing list', 'Package details', 'Contents of shipment'],
      de: ['Packliste'],
      fr: ['Liste de colisage'],
      es: ['Lista de empaque'],
    }),
    ctx.f(st.size + 2, true),
    { color: st.accent },
  );
  y += 22;
  const f = ctx.f(st.size - 0.5);
  const hf = ctx.f(st.size - 0.5, true);
  const W = b.width;
  const cols: Array<[string, number]> = [
    ['No.', M],
    ['Contents', M + 40],
    ['Batch', M + 230],
    ['Serial', M + 320],
    ['Weight', W - M],
  ];
  for (const [h, x] of cols) b.text(x, y, h, hf, { align: h === 'Weight' ? 'right' : 'left' });
  y += b.lineHeight(hf) + 2;
  b.hline(M, W - M, y, 0.6);
  y += 4;
  const n = Math.min(d.packages, r.int(3, 24));
  for (let i = 0; i < n; i++) {
    if (y > b.height - 60) break;
    b.text(M, y, String(i + 1), f);
    b.text(M + 40, y, d.goods, f);
    if (ctx.show('BATCH_NUMBER')) b.text(M + 230, y, makeBatchNumber(r), f, { span: ctx.span('BATCH_NUMBER') });
    if (ctx.show('SERIAL_NUMBER')) b.text(M + 320, y, makeSerialNumber(r), f, { span: ctx.span('SERIAL_NUMBER') });
    b.text(W - M, y, `${ctx.num(d.weightKg / n, 1)} kg`, f, { align: 'right' });
    y += b.lineHeight(f) + 2;
  }
}

const chargeCols: Column[] = [
  { key: 'no', w: 24 },
  { key: 'date', w: 62 },
  { key: 'desc', w: 0 },
  { key: 'qty', w: 52, align: 'right' },
  { key: 'unit', w: 44 },
  { key: 'price', w: 60, align: 'right' },
  { key: 'tax', w: 36, align: 'right' },
  { key: 'total', w: 68, align: 'right' },
];

/** Freight invoice: letterhead, shipment grid, charges, and a packing list on a second page. */
export const logisticsFreightInvoice: TemplateFamily = {
  id: 'logistics/freight-invoice',
  domain: 'logistics',
  locales: ALL,
  items: [2, 8],
  page: (d) => officePage(d),
  style: (r) => sansStyle(r, [8.25, 9.25]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 40;
    const W = b.width;
    const lx = logo(ctx, M, 36, 34);
    let y = party(ctx, lx + 10, 36, 'supplier', {
      nameFont: ctx.f(st.size + 4, true),
      font: ctx.f(st.size - 1),
      extra: ['phone', 'email', 'vat'],
    });
    title(ctx, W - M, 36, ctx.f(st.size + 9, true), 'right', st.accent);
    const my = kv(ctx, W - M - 200, 66, metaRows(ctx, ['invoiceNo', 'date', 'dueDate', 'po', 'reference', 'currency']), {
      mode: 'columns',
      labelWidth: 95,
      gap: 1.5,
      labelFont: ctx.f(st.size - 0.5),
      valueFont: ctx.f(st.size - 0.5, true),
    });
    y = Math.max(y, my) + 14;
    const by = party(ctx, M, y, 'buyer', { title: 'billTo', extra: ['vat'] });
    const sy = party(ctx, W / 2, y, 'shipTo', { title: 'shipTo' });
    y = Math.max(by, sy) + 12;
    y = shipmentGrid(ctx, M, y, W - 2 * M, ['waybill', 'carrier', 'incoterms', 'origin', 'destination', 'weight'], 4) + 14;
    y = itemTable(ctx, M, y, W - 2 * M, chargeCols, d.items, {
      style: r.pick(['rules', 'grid'] as const),
      headerFill: st.fill,
      limit: b.height - 130,
      onNewPage: () => continuationTop(ctx, M, 36),
    });
    const ty = totals(ctx, W - M - 210, W - M, y + 8, {
      emphasis: r.pick(['box', 'bold'] as const),
      mark: r.pick(['code', 'symbol'] as const),
    });
    let ly = kv(ctx, M, y + 10, metaRows(ctx, ['terms']), { mode: 'inline' });
    ly = bank(ctx, M, ly + 4);
    ly = notes(ctx, M, ly + 6, (W - 2 * M) / 2);
    const sgy = Math.min(b.height - 90, Math.max(ty, ly) + 10);
    signature(ctx, M, sgy, 120);
    stamp(ctx, W - M - 120, sgy + 20);
    packingList(ctx, M);
  },
};

/** Air-waybill style form: every fact in a captioned box, charges inside the form. */
export const logisticsWaybill: TemplateFamily = {
  id: 'logistics/waybill-form',
  domain: 'logistics',
  locales: DOMAIN_LOCALES,
  items: [2, 6],
  rates: { WAYBILL_NUMBER: 1 },
  page: (d) => officePage(d),
  style: (r) => style(r, 'cond', 'cond-bold', [8, 9]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 30;
    const W = b.width;
    const R = W - M;
    const mid = W / 2;
    const cap = ctx.f(st.size - 2.5);
    const box = (x0: number, y0: number, x1: number, y1: number, caption: string) => {
      b.rect([x0, y0, x1, y1], { stroke: '#000000', width: 0.7 });
      b.text(x0 + 3, y0 + 2, caption, cap, { color: '#333333' });
      return y0 + 4 + b.lineHeight(cap);
    };
    // top row: shipper | waybill number
    let y = M;
    let iy = box(M, y, mid, y + 92, r.pick(["Shipper's name and address", 'Shipper / Exporter', 'Sender']));
    party(ctx, M + 6, iy, 'supplier', { font: ctx.f(st.size - 0.5), extra: ['phone', 'vat'] });
    iy = box(mid, y, R, y + 46, ctx.p.get('waybill'));
    if (ctx.show('WAYBILL_NUMBER')) b.text(mid + 8, iy + 2, d.waybill, ctx.f(st.size + 6, true), { span: ctx.span('WAYBILL_NUMBER') });
    iy = box(mid, y + 46, R, y + 92, r.pick(['Issued by', 'Carrier']));
    if (ctx.show('CARRIER_NAME')) b.text(mid + 8, iy + 2, d.carrier, ctx.f(st.size + 1, true), { span: ctx.span('CARRIER_NAME') });
    y += 92;
    // consignee | invoice facts
    iy = box(M, y, mid, y + 92, r.pick(["Consignee's name and address", 'Consignee', 'Receiver']));
    party(ctx, M + 6, iy, 'buyer', { font: ctx.f(st.size - 0.5), extra: ['vat'] });
    iy = box(mid, y, R, y + 92, r.pick(['Invoice', 'Accounting information']));
    title(ctx, R - 8, iy, ctx.f(st.size + 3, true), 'right');
    kv(ctx, mid + 8, iy, metaRows(ctx, ['invoiceNo', 'date', 'dueDate', 'po', 'reference']), {
      mode: 'columns',
      labelWidth: 80,
      labelFont: ctx.f(st.size - 1),
      valueFont: ctx.f(st.size - 1, true),
      gap: 0.5,
    });
    y += 92;
    // routing row
    const cells: KvRow[] = metaRows(ctx, ['origin', 'destination', 'weight', 'incoterms']);
    const cw = (R - M) / cells.length;
    cells.forEach(([key, value, e], i) => {
      const x0 = M + i * cw;
      const vy = box(x0, y, x0 + cw, y + 34, ctx.p.get(key));
      if (e && ctx.show(e)) b.text(x0 + 6, vy + 1, value, ctx.f(st.size, true), { span: ctx.span(e) });
    });
    y += 34;
    const shipTop = y;
    iy = box(M, y, R, y + 40, ctx.p.get('shipTo'));
    if (ctx.show('SHIP_TO_ADDRESS'))
      b.text(M + 6, iy + 1, d.shipTo.join(', '), ctx.f(st.size - 0.5), { span: ctx.span('SHIP_TO_ADDRESS') });
    b.text(M + 6, iy + 14, `${d.packages} x ${d.goods}`, ctx.f(st.size - 0.5));
    y = shipTop + 40;
    const cols: Column[] = [
      { key: 'desc', w: 0 },
      { key: 'qty', w: 60, align: 'right' },
      { key: 'unit', w: 46 },
      { key: 'price', w: 70, align: 'right' },
      { key: 'total', w: 76, align: 'right' },
    ];
    y = itemTable(ctx, M, y, R - M, cols, d.items, { style: 'boxed', headerFill: st.fill, limit: b.height - 140 });
    const ty = totals(ctx, R - 220, R - 6, y + 8, { emphasis: 'box', mark: 'code' });
    let ly = kv(ctx, M + 4, y + 10, metaRows(ctx, ['terms']), { mode: 'inline' });
    ly = bank(ctx, M + 4, ly + 4, { mode: 'inline' });
    const sy = Math.min(b.height - 80, Math.max(ty, ly) + 10);
    signature(ctx, M + 4, sy, 110);
    stamp(ctx, mid, sy + 25);
    notes(ctx, mid + 80, sy, R - mid - 80, { font: ctx.f(st.size - 1.5) });
  },
};

/** Courier statement (unseen family): one row per shipment, running over several pages. */
export const logisticsCourierStatement: TemplateFamily = {
  id: 'logistics/courier-statement',
  domain: 'logistics',
  locales: EN,
  items: [16, 70],
  variant: 'courier',
  rates: { ITEM_DATE: 0.95, WAYBILL_NUMBER: 0.95, DESTINATION: 0.9, LINE_NUMBER: 0.3, UNIT_OF_MEASURE: 0, SHIP_TO_ADDRESS: 0 },
  page: (d) => officePage(d),
  style: (r) => style(r, 'sans', 'sans-bold', [7.5, 8.25], { colon: true }),
  phrases: (_d, r): Record<string, string> => ({
    invoice: r.pick(['Shipping Statement', 'Courier Invoice', 'Statement of Shipments']),
    description: 'Service',
    qty: 'Weight (kg)',
    unitPrice: 'Rate/kg',
  }),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 34;
    const W = b.width;
    let y = 34;
    if (ctx.show('SUPPLIER_NAME'))
      b.text(M, y, d.supplier.name, ctx.f(st.size + 7, true), { span: ctx.span('SUPPLIER_NAME'), color: st.accent });
    title(ctx, W - M, y + 2, ctx.f(st.size + 5, true), 'right');
    y += 28;
    y = party(ctx, M, y, 'supplier', {
      skipName: true,
      font: ctx.f(st.size - 0.5),
      extra: ['phone', 'email', 'vat'],
      labelled: r.chance(0.5),
    });
    const my = kv(ctx, W - M - 210, 62, metaRows(ctx, ['invoiceNo', 'date', 'dueDate', 'reference', 'po', 'origin']), {
      mode: 'columns',
      labelWidth: 90,
      gap: 1,
    });
    y = Math.max(y, my) + 10;
    y = party(ctx, M, y, 'buyer', { title: 'billTo', extra: ['vat'] }) + 12;
    const cols: Column[] = [
      { key: 'no', w: 22 },
      { key: 'date', w: 56 },
      { key: 'waybill', w: 104 },
      { key: 'desc', w: 0 },
      { key: 'dest', w: 92 },
      { key: 'qty', w: 48, align: 'right' },
      { key: 'price', w: 46, align: 'right' },
      { key: 'total', w: 58, align: 'right' },
    ];
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, {
      style: 'zebra',
      headerFill: st.fill,
      pad: 2,
      limit: b.height - 60,
      onNewPage: () => continuationTop(ctx, M, 34),
    });
    if (y > b.height - 140) {
      b.newPage();
      y = continuationTop(ctx, M, 34);
    }
    const ty = totals(ctx, W - M - 220, W - M, y + 8, { emphasis: 'rule', mark: 'symbol' });
    if (ctx.show('WEIGHT')) {
      const f = ctx.f();
      const le = b.text(M, y + 10, `${ctx.p.get('weight')}:`, f);
      b.text(le.x1 + 4, y + 10, `${ctx.num(d.weightKg, 1)} kg`, f, { span: ctx.span('WEIGHT') });
    }
    let ly = kv(ctx, M, y + 26, metaRows(ctx, ['terms', 'carrier']), { mode: 'inline' });
    ly = bank(ctx, M, ly + 4);
    notes(ctx, M, Math.max(ly, ty) + 8, W - 2 * M);
  },
};

export const LOGISTICS: TemplateFamily[] = [logisticsFreightInvoice, logisticsWaybill, logisticsCourierStatement];
