/**
 * Building blocks templates arrange: key-value groups in four styles, party blocks, item tables in five
 * styles with wrapping cells, group headings and page breaks, totals blocks, bank details, notes, and the
 * non-text marks (QR symbols, signatures, stamps, logos, watermarks). Each block skips what the document
 * does not show and returns the y below itself.
 */
import type { Box } from '../documents/document.js';
import type { Font } from './fonts.js';
import type { LineItem } from './invoice-data.js';
import { groupIban } from './identifiers.js';
import type { TemplateContext } from './template-context.js';

// ---- key-value groups ---------------------------------------------------------------------------

/** [phrase key or literal label, value, entity or null for unlabelled values] */
export type KvRow = [string, string, string | null];

export interface KvOptions {
  /** inline: "Label: value"; columns: label column then value column; above: label over value; right: labels right-aligned before values */
  mode: 'inline' | 'columns' | 'above' | 'right';
  labelWidth?: number;
  valueWidth?: number;
  labelFont?: Font;
  valueFont?: Font;
  gap?: number;
  /** right edge for right-aligned values (columns mode) */
  valueRight?: number;
}

function labelText(ctx: TemplateContext, key: string): string {
  return key.startsWith('=') ? key.slice(1) : ctx.label(key);
}

/** Print rows whose entity is shown (or that carry no entity). */
export function kv(ctx: TemplateContext, x: number, y: number, rows: KvRow[], o: KvOptions): number {
  const { b } = ctx;
  const lf = o.labelFont ?? ctx.f();
  const vf = o.valueFont ?? ctx.f();
  const gap = o.gap ?? 2;
  const lh = Math.max(b.lineHeight(lf), b.lineHeight(vf));
  for (const [key, value, entity] of rows) {
    if (entity && !ctx.show(entity)) continue;
    if (!value) continue;
    const span = entity ? ctx.span(entity) : -1;
    const lab = labelText(ctx, key);
    if (o.mode === 'inline') {
      const e = b.text(x, y, lab, lf);
      const vx = e.x1 + b.measurer.width(' ', vf) * 1.2;
      const vw = o.valueWidth ? o.valueWidth - (vx - x) : b.width - 28 - vx;
      if (b.textWidth(value, vf) <= vw) {
        b.text(vx, y, value, vf, { span });
        y += lh + gap;
      } else y = b.para(vx, y, Math.max(40, vw), value, vf, { span }) + gap;
    } else if (o.mode === 'above') {
      b.text(x, y, lab, lf, { color: ctx.st.ink === '#000000' ? '#444444' : ctx.st.ink });
      y += b.lineHeight(lf);
      y = o.valueWidth ? b.para(x, y, o.valueWidth, value, vf, { span }) : (b.text(x, y, value, vf, { span }), y + b.lineHeight(vf));
      y += gap + 1;
    } else {
      const lw = o.labelWidth ?? 90;
      // labels longer than their column wrap onto a second line, as on real forms
      const lyEnd = o.mode === 'right' ? b.para(x, y, lw - 6, lab, lf, { align: 'right' }) : b.para(x, y, lw - 4, lab, lf);
      let vyEnd: number;
      if (o.valueRight !== undefined) {
        b.text(o.valueRight, y, value, vf, { span, align: 'right' });
        vyEnd = y + b.lineHeight(vf);
      } else {
        // values wrap inside their column (or before the page's right margin)
        const vw = o.valueWidth ?? Math.max(40, b.width - 28 - (x + lw));
        vyEnd = b.para(x + lw, y, vw, value, vf, { span });
      }
      y = Math.max(lyEnd, vyEnd) + gap;
    }
  }
  return y;
}

// ---- parties --------------------------------------------------------------------------------------

export interface PartyOptions {
  title?: string;
  titleFont?: Font;
  nameFont?: Font;
  font?: Font;
  extra?: Array<'vat' | 'phone' | 'email' | 'web'>;
  /** print extras as "Label: value" (true) or bare values (false) */
  labelled?: boolean;
  width?: number;
  align?: 'left' | 'right';
  /** the name was printed elsewhere (a letterhead) */
  skipName?: boolean;
}

/** Supplier, buyer or ship-to block. */
export function party(ctx: TemplateContext, x: number, y: number, who: 'supplier' | 'buyer' | 'shipTo', o: PartyOptions = {}): number {
  const { b, d } = ctx;
  const nameEnt = who === 'supplier' ? 'SUPPLIER_NAME' : who === 'buyer' ? 'BUYER_NAME' : null;
  const addrEnt = who === 'supplier' ? 'SUPPLIER_ADDRESS' : who === 'buyer' ? 'BUYER_ADDRESS' : 'SHIP_TO_ADDRESS';
  if (who === 'shipTo' && !ctx.show(addrEnt)) return y;
  if (who === 'buyer' && !ctx.show('BUYER_NAME') && !ctx.show('BUYER_ADDRESS')) return y;
  const f = o.font ?? ctx.f();
  const nf = o.nameFont ?? ctx.f(f.size + 0.5, true);
  const align = o.align ?? 'left';
  const lh = b.lineHeight(f);
  if (o.title) {
    const tf = o.titleFont ?? ctx.f(f.size - 0.5, true);
    b.text(x, y, labelText(ctx, o.title), tf, { align, color: ctx.st.accent });
    y += b.lineHeight(tf) + 1;
  }
  const p = who === 'supplier' ? d.supplier : d.buyer;
  if (nameEnt && ctx.show(nameEnt) && !o.skipName) {
    b.text(x, y, p.name, nf, { span: ctx.span(nameEnt), align });
    y += b.lineHeight(nf);
  }
  const lines = who === 'shipTo' ? d.shipTo : p.address;
  if (ctx.show(addrEnt)) {
    const s = ctx.span(addrEnt);
    for (const line of lines) {
      b.text(x, y, line, f, { span: s, align });
      y += lh;
    }
  }
  if (who === 'shipTo') return y;
  const ent = {
    vat: who === 'supplier' ? 'SUPPLIER_VAT_ID' : 'BUYER_VAT_ID',
    phone: 'SUPPLIER_PHONE',
    email: 'SUPPLIER_EMAIL',
    web: null,
  } as const;
  for (const k of o.extra ?? []) {
    if (who === 'buyer' && k !== 'vat') continue;
    const e = ent[k];
    if (e && !ctx.show(e)) continue;
    const value = k === 'vat' ? p.taxId : k === 'phone' ? p.phone : k === 'email' ? p.email : p.web;
    if (k === 'web' && ctx.show('SUPPLIER_EMAIL')) continue;
    const key = k === 'vat' ? (who === 'buyer' ? 'buyerVatId' : 'vatId') : k;
    if (o.labelled !== false && k !== 'web') {
      const lab = ctx.label(key);
      if (align === 'right') {
        const vx = x;
        const ve = b.text(vx, y, value, f, { span: e ? ctx.span(e) : -1, align: 'right' });
        b.text(ve.x0 - b.measurer.width(' ', f) * 1.2, y, lab, f, { align: 'right' });
      } else {
        const le = b.text(x, y, lab, f);
        b.text(le.x1 + b.measurer.width(' ', f) * 1.2, y, value, f, { span: e ? ctx.span(e) : -1 });
      }
    } else b.text(x, y, value, f, { span: e ? ctx.span(e) : -1, align });
    y += lh;
  }
  return y;
}

// ---- item tables ----------------------------------------------------------------------------------

export type ColumnKey =
  'no' | 'code' | 'desc' | 'qty' | 'unit' | 'price' | 'disc' | 'tax' | 'total' | 'date' | 'cpt' | 'icd' | 'waybill' | 'dest' | 'weight';

export const COLUMN_ENTITY: Record<ColumnKey, string | null> = {
  no: 'LINE_NUMBER',
  code: 'ITEM_CODE',
  desc: 'ITEM_DESCRIPTION',
  qty: 'QUANTITY',
  unit: 'UNIT_OF_MEASURE',
  price: 'UNIT_PRICE',
  disc: 'ITEM_DISCOUNT',
  tax: 'ITEM_TAX_RATE',
  total: 'LINE_TOTAL',
  date: 'ITEM_DATE',
  cpt: 'PROCEDURE_CODE',
  icd: 'DIAGNOSIS_CODE',
  waybill: 'WAYBILL_NUMBER',
  dest: 'DESTINATION',
  weight: null,
};

const COLUMN_HEADER: Record<ColumnKey, string> = {
  no: 'lineNo',
  code: 'itemCode',
  desc: 'description',
  qty: 'qty',
  unit: 'unit',
  price: 'unitPrice',
  disc: 'itemDiscount',
  tax: 'itemTax',
  total: 'amount',
  date: 'itemDate',
  cpt: 'procedure',
  icd: 'diagnosis',
  waybill: 'waybill',
  dest: 'destination',
  weight: 'weight',
};

export interface Column {
  key: ColumnKey;
  /** width in page units; the description column takes what is left */
  w: number;
  align?: 'left' | 'right' | 'center';
}

export interface TableOptions {
  style: 'grid' | 'rules' | 'zebra' | 'plain' | 'boxed';
  headerFont?: Font;
  font?: Font;
  pad?: number;
  /** lowest y a row may reach before the table continues on a new page */
  limit: number;
  /** draws the top of a continuation page and returns the y where the table resumes */
  onNewPage?: () => number;
  headerFill?: string;
  headerInk?: string;
  /** show lot / batch / serial lines under descriptions */
  subLines?: boolean;
  /** group heading text for an item (defaults to its group) */
  groupOf?: (it: LineItem) => string | undefined;
  /** more lines under a description: [label (phrase key, "=literal" or ""), value, entity or null] */
  extraSub?: (it: LineItem, index: number) => Array<[string, string, string | null]>;
}

/** The columns of a table whose entity the document shows (description and line total always). */
export function columnsShown(ctx: TemplateContext, cols: Column[]): Column[] {
  return cols.filter((c) => {
    const e = COLUMN_ENTITY[c.key];
    if (c.key === 'desc' || c.key === 'total') return true;
    if (c.key === 'disc') return ctx.show('ITEM_DISCOUNT') && ctx.d.items.some((i) => i.discount > 0);
    if (c.key === 'tax') return ctx.show('ITEM_TAX_RATE');
    if (c.key === 'date') return ctx.show('ITEM_DATE') && ctx.d.items.every((i) => i.date !== undefined);
    if (c.key === 'unit') return ctx.show('UNIT_OF_MEASURE') && ctx.d.items.some((i) => i.unit);
    if (c.key === 'code') return ctx.show('ITEM_CODE') && ctx.d.items.every((i) => i.code);
    return e === null || ctx.show(e);
  });
}

function cellText(ctx: TemplateContext, key: ColumnKey, it: LineItem): string {
  switch (key) {
    case 'no':
      return it.no;
    case 'code':
      return it.code;
    case 'desc':
      return it.description;
    case 'qty':
      return ctx.qty(it);
    case 'unit':
      return it.unit;
    case 'price':
      return ctx.price(it);
    case 'disc':
      return it.discount > 0 ? ctx.money(-it.discount, 'none') : '';
    case 'tax':
      return ctx.pct(it.taxRate);
    case 'total':
      return ctx.money(it.total, 'none');
    case 'date':
      return it.date !== undefined ? ctx.date(it.date) : '';
    case 'cpt':
      return it.procedure ?? '';
    case 'icd':
      return it.diagnosis ?? '';
    case 'waybill':
      return it.waybill ?? '';
    case 'dest':
      return it.destination ?? '';
    case 'weight':
      return it.weightKg !== undefined ? `${ctx.num(it.weightKg, 1)} kg` : '';
  }
}

/** Draw an item table; returns the y below it (on the page where it ended). */
export function itemTable(
  ctx: TemplateContext,
  x: number,
  y: number,
  width: number,
  columns: Column[],
  items: LineItem[],
  o: TableOptions,
): number {
  const { b } = ctx;
  const cols = columnsShown(ctx, columns);
  const fixed = cols.filter((c) => c.key !== 'desc').reduce((s, c) => s + c.w, 0);
  const widths = cols.map((c) => (c.key === 'desc' ? Math.max(60, width - fixed) : c.w));
  const xs: number[] = [];
  let acc = x;
  for (const w of widths) {
    xs.push(acc);
    acc += w;
  }
  const right = acc;
  const f = o.font ?? ctx.f();
  const hf = o.headerFont ?? ctx.f(f.size, true);
  const pad = o.pad ?? 3;
  const lh = b.lineHeight(f);
  const sub = ctx.f(f.size - 1.5);
  const grey = '#9a9a9a';

  // a header word wider than its column gets a smaller size, as on real forms
  const fitFont = (text: string, fnt: Font, width: number): Font => {
    let ff = fnt;
    const widest = () => Math.max(...text.split(/\s+/).map((wd) => b.measurer.width(wd, ff)));
    while (ff.size > 5 && widest() > width) ff = ctx.face(ff.face, ff.size - 0.5);
    return ff;
  };
  const header = (yy: number): number => {
    const labels = cols.map((c) => ctx.p.get(COLUMN_HEADER[c.key]));
    const hfs = cols.map((_c, i) => fitFont(labels[i], hf, widths[i] - 2 * pad));
    const lines = cols.map((_c, i) => b.wrapLines(labels[i], hfs[i], widths[i] - 2 * pad));
    const h = Math.max(...lines.map((l) => l.length)) * b.lineHeight(hf) + 2 * pad;
    if (o.headerFill) b.rect([x, yy, right, yy + h], { fill: o.headerFill });
    const span = ctx.show('TABLE') ? ctx.span('TABLE') : -1;
    cols.forEach((c, i) => {
      let ty = yy + pad;
      for (const line of lines[i]) {
        const al = c.align ?? 'left';
        const tx = al === 'right' ? xs[i] + widths[i] - pad : al === 'center' ? xs[i] + widths[i] / 2 : xs[i] + pad;
        b.text(tx, ty, line, hfs[i], { span, align: al, color: o.headerInk });
        ty += b.lineHeight(hf);
      }
    });
    if (o.style === 'grid' || o.style === 'boxed') {
      b.rect([x, yy, right, yy + h], { stroke: '#000000', width: 0.6 });
      for (let i = 1; i < cols.length; i++) b.vline(xs[i], yy, yy + h, 0.5);
    } else {
      b.hline(x, right, yy + h, o.style === 'plain' ? 0.8 : 0.6, o.style === 'plain' ? '#000000' : ctx.st.accent);
      if (o.style === 'rules' && !o.headerFill) b.hline(x, right, yy, 0.8, ctx.st.accent);
    }
    return yy + h;
  };

  let top = y;
  y = header(y);
  let prevGroup: string | undefined;
  items.forEach((it, idx) => {
    const cellLines = cols.map((c, i) =>
      c.key === 'desc' ? b.wrapLines(it.description, f, widths[i] - 2 * pad) : [cellText(ctx, c.key, it)],
    );
    const subs: Array<[string, string, string | null]> = o.extraSub
      ? o.extraSub(it, idx).filter(([, v, e]) => v && (!e || ctx.show(e)))
      : [];
    if (o.subLines) {
      if (it.lot && ctx.show('LOT_NUMBER')) subs.push(['lot', it.lot, 'LOT_NUMBER']);
      if (it.batch && ctx.show('BATCH_NUMBER')) subs.push(['batch', it.batch, 'BATCH_NUMBER']);
      if (it.serial && ctx.show('SERIAL_NUMBER')) subs.push(['serial', it.serial, 'SERIAL_NUMBER']);
    }
    const group = o.groupOf ? o.groupOf(it) : it.group;
    const needGroup = ctx.show('ITEM_GROUP_HEADER') && group !== undefined && group !== prevGroup;
    const groupH = needGroup ? lh + pad : 0;
    const rowH = Math.max(...cellLines.map((l) => l.length)) * lh + subs.length * b.lineHeight(sub) + 2 * pad;
    if (y + groupH + rowH > o.limit && o.onNewPage) {
      if (o.style === 'boxed') b.rect([x, top, right, y], { stroke: '#000000', width: 0.6 });
      b.newPage();
      y = o.onNewPage();
      top = y;
      y = header(y);
    }
    if (needGroup) {
      b.text(x + pad, y + pad, group!, ctx.f(f.size, true), { span: ctx.span('ITEM_GROUP_HEADER') });
      y += groupH;
      prevGroup = group;
      if (o.style === 'grid') b.rect([x, y - groupH, right, y], { stroke: '#000000', width: 0.5 });
    }
    if (o.style === 'zebra' && idx % 2 === 1) b.rect([x, y, right, y + rowH], { fill: ctx.st.fill });
    cols.forEach((c, i) => {
      const ent = COLUMN_ENTITY[c.key];
      const lines = cellLines[i].filter((s) => s.length > 0);
      if (lines.length === 0) return;
      const span = ent && ctx.show(ent) ? ctx.span(ent) : -1;
      let ty = y + pad;
      const al = c.align ?? 'left';
      for (const line of lines) {
        const tx = al === 'right' ? xs[i] + widths[i] - pad : al === 'center' ? xs[i] + widths[i] / 2 : xs[i] + pad;
        b.text(tx, ty, line, c.key === 'desc' ? f : fitFont(line, f, widths[i] - 2 * pad), { span, align: al });
        ty += lh;
      }
      if (c.key === 'desc') {
        for (const [key, value, e] of subs) {
          let vx = xs[i] + pad;
          if (key) vx = b.text(vx, ty, key.startsWith('=') ? key.slice(1) : ctx.label(key), sub, { color: '#333333' }).x1 + 3;
          b.text(vx, ty, value, sub, { span: e ? ctx.span(e) : -1, color: '#333333' });
          ty += b.lineHeight(sub);
        }
      }
    });
    y += rowH;
    if (o.style === 'grid') {
      b.rect([x, y - rowH, right, y], { stroke: '#000000', width: 0.5 });
      for (let i = 1; i < cols.length; i++) b.vline(xs[i], y - rowH, y, 0.5);
    } else if (o.style === 'rules') b.hline(x, right, y, 0.4, grey);
    else if (o.style === 'boxed') for (let i = 1; i < cols.length; i++) b.vline(xs[i], y - rowH, y, 0.4, grey);
  });
  if (o.style === 'boxed') b.rect([x, top, right, y], { stroke: '#000000', width: 0.6 });
  if (o.style === 'plain' || o.style === 'zebra') b.hline(x, right, y + 1, 0.6);
  return y + 2;
}

// ---- totals -----------------------------------------------------------------------------------------

export interface TotalsOptions {
  font?: Font;
  boldFont?: Font;
  /** how the grand total stands out */
  emphasis: 'bold' | 'box' | 'rule' | 'fill';
  gap?: number;
  /** print the currency mark on amounts */
  mark?: 'symbol' | 'code' | 'none';
  /** print net amounts per tax rate (more amounts near each other) */
  taxBase?: boolean;
  showDue?: boolean;
  /** unlabelled rows printed after the grand total (insurance payments, payments received): [label, cents] */
  after?: Array<[string, number]>;
  /** previous balance printed before the grand total */
  previousBalance?: boolean;
  /** phrase key of the grand total's label */
  totalKey?: string;
}

/** Totals rows: labels from xLabel, amounts right-aligned at xRight. */
export function totals(ctx: TemplateContext, xLabel: number, xRight: number, y: number, o: TotalsOptions): number {
  const { b, d } = ctx;
  const l = d.ledger;
  const f = o.font ?? ctx.f();
  const bf = o.boldFont ?? ctx.f(f.size + 1, true);
  const gap = o.gap ?? 2.5;
  const mark = o.mark ?? 'none';
  const row = (
    label: string,
    cents: number,
    entity: string | null,
    font = f,
    opts: { neg?: boolean; rateEnt?: boolean; rate?: number } = {},
  ) => {
    const span = entity && ctx.show(entity) ? ctx.span(entity) : -1;
    const amount = ctx.money(opts.neg ? -cents : cents, mark);
    b.text(xRight, y, amount, font, { span, align: 'right' });
    if (opts.rate !== undefined) {
      const le = b.text(xLabel, y, label, font);
      const rs = opts.rateEnt ? ctx.span('TAX_RATE') : -1;
      b.text(le.x1 + b.measurer.width(' ', font), y, ctx.pct(opts.rate), font, { span: rs });
    } else b.para(xLabel, y, Math.max(40, xRight - xLabel - b.measurer.width(amount, font) - 8), label, font);
    y += b.lineHeight(font) + gap;
  };
  if (ctx.show('SUBTOTAL')) row(ctx.label('subtotal'), l.subtotal, 'SUBTOTAL');
  if (ctx.show('DISCOUNT') && l.discount) row(ctx.label('discount'), l.discount, 'DISCOUNT', f, { neg: true });
  if (ctx.show('SHIPPING_AMOUNT') && l.shipping) row(ctx.label('shipping'), l.shipping, 'SHIPPING_AMOUNT');
  if (ctx.show('TAX')) {
    if (l.taxLines.length === 1) {
      const t = l.taxLines[0];
      if (o.taxBase && ctx.show('SUBTOTAL') && (l.discount || l.shipping))
        row(`${ctx.p.get('subtotal')} ${ctx.p.get('taxLine')}`.replace(/:$/, ''), t.base, null);
      row(`${t.label}${d.reverseCharge ? ' (reverse charge)' : ''}`, t.amount, 'TAX', f, { rate: t.rate, rateEnt: ctx.show('TAX_RATE') });
    } else {
      for (const t of l.taxLines) {
        if (o.taxBase) {
          const span = -1;
          b.text(xRight, y, ctx.money(t.base, mark), f, { span, align: 'right' });
          b.text(xLabel, y, `${ctx.p.get('subtotal')} ${ctx.pct(t.rate)}`, f);
          y += b.lineHeight(f) + gap;
        }
        row(t.label, t.amount, null, f, { rate: t.rate, rateEnt: ctx.show('TAX_RATE') });
      }
      row(`${ctx.p.get('total')} ${ctx.p.get('taxLine')}`, l.tax, 'TAX');
    }
  }
  y += 1;
  const totalTop = y - 1.5;
  row(ctx.label(o.totalKey ?? 'total'), l.total, 'TOTAL_AMOUNT', bf);
  const totalBottom = y - gap + 1.5;
  if (o.emphasis === 'box') b.rect([xLabel - 4, totalTop - 1, xRight + 4, totalBottom + 1], { stroke: '#000000', width: 0.9 });
  else if (o.emphasis === 'rule') {
    b.hline(xLabel, xRight, totalTop - 1, 0.6);
    b.hline(xLabel, xRight, totalBottom + 1, 0.6);
    b.hline(xLabel, xRight, totalBottom + 2.6, 0.6);
  } else if (o.emphasis === 'fill') b.rect([xLabel - 4, totalTop - 1, xRight + 4, totalBottom + 1], { fill: ctx.st.fill });
  if (o.previousBalance && ctx.show('PREVIOUS_BALANCE')) row(ctx.label('previousBalance'), l.previousBalance, 'PREVIOUS_BALANCE');
  for (const [label, cents] of o.after ?? []) if (cents) row(label, cents, null, f, { neg: true });
  if (ctx.show('AMOUNT_PAID') && l.paid) row(ctx.label('amountPaid'), l.paid, 'AMOUNT_PAID', f, { neg: true });
  if (ctx.show('REFUND_AMOUNT') && l.refund) {
    const cn = ctx.show('CREDIT_NOTE_NUMBER');
    if (cn) {
      const span = ctx.span('REFUND_AMOUNT');
      b.text(xRight, y, ctx.money(-l.refund, mark), f, { span, align: 'right' });
      const le = b.text(xLabel, y, ctx.p.get('refund'), f);
      b.text(le.x1 + b.measurer.width(' ', f), y, d.creditNote, f, { span: ctx.span('CREDIT_NOTE_NUMBER') });
      y += b.lineHeight(f) + gap;
    } else row(ctx.label('refund'), l.refund, 'REFUND_AMOUNT', f, { neg: true });
  }
  if ((o.showDue ?? true) && ctx.show('AMOUNT_DUE')) row(ctx.label('amountDue'), l.due, 'AMOUNT_DUE', bf);
  return y;
}

// ---- bank, notes, terms -----------------------------------------------------------------------------

export function bank(
  ctx: TemplateContext,
  x: number,
  y: number,
  o: { title?: boolean; font?: Font; mode?: 'inline' | 'columns'; labelWidth?: number; grouped?: boolean } = {},
): number {
  const { b, d } = ctx;
  const f = o.font ?? ctx.f(ctx.st.size - 0.5);
  const any = ctx.show('IBAN') || ctx.show('SWIFT_CODE') || ctx.show('ACCOUNT_HOLDER');
  if (!any) return y;
  if (o.title !== false) {
    b.text(x, y, ctx.label('bank'), ctx.f(f.size, true));
    y += b.lineHeight(f) + 1;
  }
  const rows: KvRow[] = [
    ['accountHolder', d.bank.holder, 'ACCOUNT_HOLDER'],
    ['bankName', d.bank.bankName, null],
    ['iban', o.grouped === false ? d.bank.iban : groupIban(d.bank.iban), 'IBAN'],
    ['=' + (d.bank.iban ? '' : 'Account'), d.bank.iban ? '' : d.bank.domestic, null],
    ['bic', d.bank.bic, 'SWIFT_CODE'],
  ];
  return kv(ctx, x, y, rows, { mode: o.mode ?? 'columns', labelWidth: o.labelWidth ?? 62, labelFont: f, valueFont: f, gap: 0.5 });
}

export function notes(ctx: TemplateContext, x: number, y: number, width: number, o: { font?: Font; title?: boolean } = {}): number {
  const { b, d } = ctx;
  const f = o.font ?? ctx.f(ctx.st.size - 0.5);
  if (ctx.show('NOTES')) {
    if (o.title !== false) {
      b.text(x, y, ctx.label('notes'), ctx.f(f.size, true));
      y += b.lineHeight(f);
    }
    y = b.para(x, y, width, d.notes, f, { span: ctx.span('NOTES') }) + 3;
  }
  if (ctx.show('TERMS_CONDITIONS')) {
    const tf = ctx.f(f.size - 1);
    if (o.title !== false) {
      b.text(x, y, ctx.label('terms'), ctx.f(tf.size, true));
      y += b.lineHeight(tf);
    }
    y = b.para(x, y, width, d.terms, tf, { span: ctx.span('TERMS_CONDITIONS') }) + 3;
  }
  return y;
}

// ---- marks --------------------------------------------------------------------------------------------

export function qr(ctx: TemplateContext, x: number, y: number, size: number, caption?: string): number {
  if (!ctx.show('QR_CODE')) return y;
  const box: Box = [x, y, x + size, y + size];
  ctx.b.graphic({ kind: 'qr', page: ctx.b.page, box, payload: ctx.d.qrPayload });
  ctx.b.carrierWord(ctx.d.qrPayload, box, ctx.span('QR_CODE'), 'qr');
  y += size + 2;
  if (caption) {
    const f = ctx.f(ctx.st.size - 2);
    ctx.b.text(x + size / 2, y, caption, f, { align: 'center' });
    y += ctx.b.lineHeight(f);
  }
  return y;
}

export function signature(ctx: TemplateContext, x: number, y: number, w: number, caption = true): number {
  if (!ctx.show('SIGNATURE')) return y;
  const h = w * 0.38;
  const box: Box = [x, y, x + w, y + h];
  ctx.b.graphic({ kind: 'signature', page: ctx.b.page, box, seed: ctx.r.uint32(), color: ctx.r.pick(['#1a2a6c', '#111111', '#0b3d91']) });
  ctx.b.carrierWord(ctx.tokens.SIGNATURE ?? '[SIGNATURE]', box, ctx.span('SIGNATURE'), 'graphic');
  y += h + 2;
  if (caption) {
    ctx.b.hline(x, x + w, y, 0.5);
    const f = ctx.f(ctx.st.size - 1.5);
    ctx.b.text(x, y + 2, ctx.p.get('signature'), f, { color: '#444444' });
    y += 3 + ctx.b.lineHeight(f);
  }
  return y;
}

/** A rubber stamp: a border in stamp ink with its text inside (the STAMP_TEXT words). */
export function stamp(ctx: TemplateContext, cx: number, cy: number): void {
  if (!ctx.show('STAMP_TEXT')) return;
  const { b, r } = ctx;
  const color = r.pick(['#b3261e', '#1f3f9e', '#6a1b9a', '#2e7d32']);
  const f = ctx.face(r.pick(['sans-bold', 'serif-bold', 'cond-bold'] as const), r.pick([10, 11, 12]));
  const parts = ctx.d.stampText.split(' ');
  const lines = parts.length > 1 && r.chance(0.6) ? [parts[0], parts.slice(1).join(' ')] : [ctx.d.stampText];
  const widths = lines.map((l) => b.textWidth(l, f));
  const w = Math.max(...widths) + 26;
  const lh = b.lineHeight(f);
  const h = lines.length * lh + 16;
  const round = lines.length === 1 && r.chance(0.3);
  // an ellipse needs about 1.45 x the text's half extents to hold it
  const box: Box = round ? [cx - w * 0.75, cy - h * 0.85, cx + w * 0.75, cy + h * 0.85] : [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  b.graphic({ kind: 'stamp', page: b.page, box, round, color, angle: r.float(-4, 4) });
  const span = ctx.span('STAMP_TEXT');
  let ty = cy - (lines.length * lh) / 2 + 1;
  for (const l of lines) {
    b.text(cx, ty, l, f, { span, align: 'center', color });
    ty += lh;
  }
}

/** Large faint text behind the page content. */
export function watermark(ctx: TemplateContext): void {
  if (!ctx.show('WATERMARK')) return;
  const { b } = ctx;
  const f = ctx.face('sans-bold', ctx.r.pick([64, 72, 84, 96]));
  const w = b.textWidth(ctx.d.watermark, f);
  const size = w > b.width * 0.8 ? ctx.face('sans-bold', Math.floor(((f.size * b.width * 0.8) / w) * 4) / 4) : f;
  b.text(b.width / 2, b.height * ctx.r.float(0.35, 0.5), ctx.d.watermark, size, {
    span: ctx.span('WATERMARK'),
    align: 'center',
    color: '#c8c8c8',
    alpha: 0.55,
  });
}

export function logo(ctx: TemplateContext, x: number, y: number, h: number): number {
  const w = h * ctx.r.pick([1, 1, 1.6, 2.4]);
  ctx.b.graphic({
    kind: 'logo',
    page: ctx.b.page,
    box: [x, y, x + w, y + h],
    shape: ctx.r.int(0, 5),
    color: ctx.st.accent,
    accent: ctx.r.pick(['#f2a900', '#7fb800', '#00a6ed', '#f6511d', '#8d99ae']),
  });
  return x + w;
}

/** Document title (DOC_TYPE) when shown. */
export function title(
  ctx: TemplateContext,
  x: number,
  y: number,
  f: Font,
  align: 'left' | 'right' | 'center' = 'left',
  color?: string,
): number {
  if (!ctx.show('DOC_TYPE')) return y;
  const key = ctx.d.docTypeKey;
  ctx.b.text(x, y, ctx.p.get(key), f, { span: ctx.span('DOC_TYPE'), align, color: color ?? ctx.st.ink });
  return y + ctx.b.lineHeight(f) + 2;
}
