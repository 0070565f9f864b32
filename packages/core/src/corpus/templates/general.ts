/** General business invoices: modern, classic, European (DIN 5008 style), compact US, typewriter (unseen). */
import { bank, itemTable, kv, logo, notes, party, qr, signature, stamp, title, totals, watermark, type Column } from '../blocks.js';
import { ALL, EN, EU, continuationTop, metaRows, officePage, sansStyle, serifStyle, style, A4, type TemplateFamily } from './common.js';
import type { TemplateContext } from '../template-context.js';

/** Logo top-left, big title top-right over a meta column, parties side by side, zebra or ruled table. */
export const generalModern: TemplateFamily = {
  id: 'general/modern',
  domain: 'general',
  locales: ALL,
  items: [1, 14],
  page: (d) => officePage(d),
  style: (r) => sansStyle(r, [8.5, 9.75]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = r.pick([36, 40, 48]);
    const W = b.width;
    watermark(ctx);
    let y = M;
    const lx = logo(ctx, M, y, r.pick([30, 36, 42]));
    let sy = y;
    if (ctx.show('SUPPLIER_NAME')) {
      b.text(lx + 10, sy, d.supplier.name, ctx.f(st.size + 4, true), { span: ctx.span('SUPPLIER_NAME'), color: st.accent });
      sy += b.lineHeight(ctx.f(st.size + 4));
    }
    sy = party(ctx, lx + 10, sy, 'supplier', { skipName: true, font: ctx.f(st.size - 1), extra: ['vat', 'phone', 'email', 'web'] });
    title(ctx, W - M, M, ctx.f(r.pick([20, 22, 26]), true), 'right', st.accent);
    const metaX = W - M - 200;
    const my = kv(ctx, metaX, M + 34, metaRows(ctx, ['invoiceNo', 'date', 'dueDate', 'po', 'reference', 'currency', 'status']), {
      mode: 'columns',
      labelWidth: 95,
      labelFont: ctx.f(st.size - 0.5, true),
      valueFont: ctx.f(st.size - 0.5),
      valueRight: W - M,
    });
    y = Math.max(sy, my) + 16;
    const by = party(ctx, M, y, 'buyer', { title: 'billTo', extra: ['vat'] });
    const shy = party(ctx, M + (W - 2 * M) * 0.42, y, 'shipTo', { title: 'shipTo' });
    y = Math.max(by, shy) + 14;
    const cols: Column[] = [
      { key: 'no', w: 22 },
      { key: 'code', w: 58 },
      { key: 'desc', w: 0 },
      { key: 'date', w: 58 },
      { key: 'qty', w: 38, align: 'right' },
      { key: 'unit', w: 32 },
      { key: 'price', w: 62, align: 'right' },
      { key: 'disc', w: 48, align: 'right' },
      { key: 'tax', w: 36, align: 'right' },
      { key: 'total', w: 66, align: 'right' },
    ];
    const zebra = r.chance(0.5);
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, {
      style: zebra ? 'zebra' : 'rules',
      headerFill: zebra ? st.accent : st.fill,
      headerInk: zebra ? '#ffffff' : undefined,
      limit: b.height - 150,
      onNewPage: () => continuationTop(ctx, M, M),
      subLines: true,
    });
    const ty = totals(ctx, W - M - 210, W - M, y + 8, {
      emphasis: r.pick(['fill', 'bold', 'rule'] as const),
      taxBase: r.chance(0.3),
      mark: r.pick(['symbol', 'none', 'code'] as const),
    });
    let ly = kv(ctx, M, y + 10, metaRows(ctx, ['terms', 'creditNote']), {
      mode: 'inline',
      labelFont: ctx.f(st.size - 0.5, true),
      valueFont: ctx.f(st.size - 0.5),
    });
    ly = bank(ctx, M, ly + 4);
    ly = notes(ctx, M, ly + 6, (W - 2 * M) * 0.5);
    const bottom = Math.max(ty, ly) + 10;
    qr(ctx, M, Math.min(b.height - M - 80, bottom), 64);
    if (ctx.show('SIGNATURE')) signature(ctx, W - M - 150, Math.min(b.height - M - 80, bottom), 140);
    stamp(ctx, W * r.float(0.45, 0.7), Math.min(b.height - 80, bottom + 40));
  },
};

/** Serif, centred letterhead, double rule, meta in a boxed grid, grid table, ruled totals. */
export const generalClassic: TemplateFamily = {
  id: 'general/classic',
  domain: 'general',
  locales: ALL,
  items: [1, 12],
  page: (d) => officePage(d),
  style: (r) => serifStyle(r),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = r.pick([44, 50, 56]);
    const W = b.width;
    const cx = W / 2;
    watermark(ctx);
    let y = M - 6;
    if (ctx.show('SUPPLIER_NAME')) {
      const nf = ctx.f(st.size + 7, true);
      b.text(cx, y, d.supplier.name.toUpperCase(), nf, { span: ctx.span('SUPPLIER_NAME'), align: 'center' });
      y += b.lineHeight(nf) + 1;
    }
    const sf = ctx.f(st.size - 0.5);
    if (ctx.show('SUPPLIER_ADDRESS')) {
      b.text(cx, y, d.supplier.address.join(', '), sf, { span: ctx.span('SUPPLIER_ADDRESS'), align: 'center' });
      y += b.lineHeight(sf);
    }
    // contact line: "Tel. ... | E-mail ... | VAT ..." centred, each value labelled
    const parts: Array<[string, string, string]> = [];
    if (ctx.show('SUPPLIER_PHONE')) parts.push(['phone', d.supplier.phone, 'SUPPLIER_PHONE']);
    if (ctx.show('SUPPLIER_EMAIL')) parts.push(['email', d.supplier.email, 'SUPPLIER_EMAIL']);
    if (ctx.show('SUPPLIER_VAT_ID')) parts.push(['vatId', d.supplier.taxId, 'SUPPLIER_VAT_ID']);
    if (parts.length) {
      const texts = parts.map(([k, v]) => `${ctx.label(k)} ${v}`);
      const sep = '   |   ';
      const total = b.textWidth(texts.join(sep), sf);
      let x = cx - total / 2;
      parts.forEach(([k, v, e], i) => {
        const le = b.text(x, y, ctx.label(k), sf);
        const ve = b.text(le.x1 + b.measurer.width(' ', sf), y, v, sf, { span: ctx.span(e) });
        x = ve.x1 + b.textWidth(sep, sf);
        if (i < parts.length - 1) b.text(ve.x1 + b.textWidth('   ', sf), y, '|', sf, { color: '#777777' });
      });
      y += b.lineHeight(sf);
    }
    y += 4;
    b.hline(M, W - M, y, 1.2);
    b.hline(M, W - M, y + 2.5, 0.5);
    y += 14;
    y = title(ctx, cx, y, ctx.f(st.size + 8, true), 'center');
    y += 6;
    const top = y;
    const by = party(ctx, M, y, 'buyer', { title: 'billTo', extra: ['vat'] });
    const shy = party(ctx, M, by + 6, 'shipTo', { title: 'shipTo' });
    // meta grid: cells with the label above the value
    const rows = metaRows(ctx, ['invoiceNo', 'date', 'dueDate', 'po', 'reference', 'terms', 'currency']).filter(
      ([, , e]) => !e || ctx.show(e),
    );
    const gx = W - M - 230;
    const cw = 115;
    const ch = st.size * 2.9;
    rows.forEach(([key, value, entity], i) => {
      const col = i % 2;
      const row = Math.floor(i / 2);
      const x0 = gx + col * cw;
      const y0 = top + row * ch;
      b.rect([x0, y0, x0 + cw, y0 + ch], { stroke: '#000000', width: 0.5 });
      b.text(x0 + 4, y0 + 3, ctx.p.get(key), ctx.f(st.size - 2), { color: '#555555' });
      const vf = ctx.f(st.size - 0.5, true);
      b.text(x0 + 4, y0 + 3 + b.lineHeight(ctx.f(st.size - 2)), value, b.textWidth(value, vf) > cw - 8 ? ctx.f(st.size - 2, true) : vf, {
        span: ctx.span(entity!),
      });
    });
    y = Math.max(shy, top + Math.ceil(rows.length / 2) * ch) + 16;
    const cols: Column[] = r.pick([
      [
        { key: 'no', w: 24, align: 'center' },
        { key: 'desc', w: 0 },
        { key: 'qty', w: 40, align: 'right' },
        { key: 'unit', w: 34, align: 'center' },
        { key: 'price', w: 66, align: 'right' },
        { key: 'tax', w: 38, align: 'right' },
        { key: 'total', w: 72, align: 'right' },
      ],
      [
        { key: 'code', w: 60 },
        { key: 'desc', w: 0 },
        { key: 'date', w: 60 },
        { key: 'price', w: 64, align: 'right' },
        { key: 'qty', w: 36, align: 'right' },
        { key: 'disc', w: 44, align: 'right' },
        { key: 'total', w: 72, align: 'right' },
      ],
    ]);
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, {
      style: 'grid',
      headerFill: r.chance(0.5) ? st.fill : undefined,
      limit: b.height - 140,
      onNewPage: () => continuationTop(ctx, M, M),
      subLines: true,
    });
    const ty = totals(ctx, W - M - 200, W - M, y + 10, {
      emphasis: 'rule',
      mark: r.pick(['symbol', 'code'] as const),
      taxBase: r.chance(0.4),
    });
    let ly = bank(ctx, M, y + 12, { mode: 'inline' });
    ly = notes(ctx, M, ly + 6, (W - 2 * M) * 0.5);
    kv(ctx, M, ly + 2, metaRows(ctx, ['status', 'creditNote']), { mode: 'inline' });
    const sy = Math.min(b.height - M - 70, Math.max(ty, ly) + 24);
    signature(ctx, M, sy, 130);
    qr(ctx, W - M - 60, sy, 58);
    stamp(ctx, W * 0.5, sy + 20);
  },
};

const GERMAN_INTRO: Record<string, string[]> = {
  de: ['Sehr geehrte Damen und Herren,', 'vielen Dank für Ihren Auftrag. Wir berechnen Ihnen folgende Lieferungen und Leistungen:'],
  fr: ['Madame, Monsieur,', 'nous vous prions de trouver ci-dessous le détail de notre facture :'],
  es: ['Estimados señores:', 'les facturamos los siguientes artículos y servicios:'],
  nl: ['Geachte heer/mevrouw,', 'hierbij brengen wij u de volgende leveringen in rekening:'],
  it: ['Spettabile cliente,', 'con la presente Vi addebitiamo quanto segue:'],
  en: ['Dear Sir or Madam,', 'we invoice you for the following goods and services:'],
};

/** DIN 5008 letter: return-address line over a window address, info block right, footer columns. */
export const generalEuropean: TemplateFamily = {
  id: 'general/european',
  domain: 'general',
  locales: EU,
  items: [1, 12],
  mark: 'none',
  page: () => A4,
  style: (r) => style(r, r.pick(['sans', 'cond', 'serif'] as const), 'sans-bold', [8.5, 9.5]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const W = b.width;
    const L = 62;
    const R = W - 50;
    watermark(ctx);
    // letterhead right
    const lx = logo(ctx, R - 150, 36, 28);
    if (ctx.show('SUPPLIER_NAME'))
      b.text(R, 70, d.supplier.name, ctx.f(st.size + 2, true), { span: ctx.span('SUPPLIER_NAME'), align: 'right', color: st.accent });
    void lx;
    // return address line above the window
    const rf = ctx.f(6.5);
    let x = L;
    if (ctx.show('SUPPLIER_NAME')) x = b.text(x, 118, d.supplier.name, rf, { span: ctx.span('SUPPLIER_NAME') }).x1 + 3;
    if (ctx.show('SUPPLIER_ADDRESS')) {
      b.text(x, 118, '·', rf);
      b.text(x + 6, 118, d.supplier.address.join(' · '), rf, { span: ctx.span('SUPPLIER_ADDRESS') });
    }
    b.hline(L, L + 240, 126, 0.4);
    party(ctx, L, 134, 'buyer', { nameFont: ctx.f(st.size + 0.5), font: ctx.f(st.size + 0.5) });
    // info block
    const iy = kv(ctx, 360, 128, metaRows(ctx, ['invoiceNo', 'date', 'reference', 'po', 'buyerVat', 'dueDate', 'currency']), {
      mode: 'columns',
      labelWidth: 90,
      labelFont: ctx.f(st.size - 1),
      valueFont: ctx.f(st.size - 1),
      gap: 1,
    });
    let y = Math.max(250, iy + 16);
    if (ctx.show('DOC_TYPE')) {
      const tf = ctx.f(st.size + 5, true);
      const te = b.text(L, y, ctx.p.get('invoice'), tf, { span: ctx.span('DOC_TYPE') });
      if (ctx.show('INVOICE_NUMBER') && r.chance(0.6)) {
        const ne = b.text(te.x1 + 6, y, { de: 'Nr.', fr: 'N°', es: 'nº', nl: 'nr.', it: 'n.', en: 'No.' }[d.lang], tf);
        b.text(ne.x1 + 5, y, d.invoiceNumber, tf, { span: ctx.span('INVOICE_NUMBER') });
      }
      y += b.lineHeight(tf) + 8;
    }
    const intro = GERMAN_INTRO[d.lang] ?? GERMAN_INTRO.en;
    y = b.lines(L, y, intro, ctx.f()) + 8;
    const cols: Column[] = [
      { key: 'no', w: 30 },
      { key: 'code', w: 62 },
      { key: 'desc', w: 0 },
      { key: 'qty', w: 42, align: 'right' },
      { key: 'unit', w: 34 },
      { key: 'price', w: 62, align: 'right' },
      { key: 'tax', w: 40, align: 'right' },
      { key: 'total', w: 68, align: 'right' },
    ];
    y = itemTable(ctx, L, y, R - L, cols, d.items, {
      style: 'plain',
      limit: b.height - 170,
      onNewPage: () => continuationTop(ctx, L, 50),
      subLines: true,
    });
    y = totals(ctx, R - 220, R, y + 8, {
      emphasis: r.pick(['bold', 'rule'] as const),
      mark: r.pick(['symbol', 'code', 'none'] as const),
      taxBase: r.chance(0.5),
    });
    y += 8;
    if (ctx.show('PAYMENT_TERMS')) {
      y = b.para(L, y, R - L, d.paymentTerms + '.', ctx.f(), { span: ctx.span('PAYMENT_TERMS') }) + 4;
    }
    if (d.reverseCharge)
      y = b.para(L, y, R - L, 'Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).', ctx.f(st.size - 0.5)) + 4;
    y = notes(ctx, L, y + 2, R - L, { title: false });
    qr(ctx, R - 60, Math.min(b.height - 150, y + 4), 56);
    // footer: four small columns
    const fy = b.height - 78;
    b.hline(L, R, fy - 6, 0.4, '#777777');
    const ff = ctx.f(6.75);
    const colW = (R - L) / 4;
    let cy = fy;
    if (ctx.show('SUPPLIER_NAME')) {
      b.text(L, cy, d.supplier.name, ff, { span: ctx.span('SUPPLIER_NAME') });
      cy += b.lineHeight(ff);
    }
    if (ctx.show('SUPPLIER_ADDRESS')) b.lines(L, cy, d.supplier.address, ff, { span: ctx.span('SUPPLIER_ADDRESS') });
    kv(
      ctx,
      L + colW,
      fy,
      [
        ['phone', d.supplier.phone, 'SUPPLIER_PHONE'],
        ['email', d.supplier.email, 'SUPPLIER_EMAIL'],
      ],
      { mode: 'inline', labelFont: ff, valueFont: ff, gap: 0 },
    );
    bank(ctx, L + 2 * colW, fy, { title: false, font: ff, mode: 'inline', grouped: r.chance(0.5) });
    kv(
      ctx,
      L + 3 * colW,
      fy,
      [
        ['vatId', d.supplier.taxId, 'SUPPLIER_VAT_ID'],
        [
          '=' + { de: 'Geschäftsführer', fr: 'Gérant', es: 'Administrador', nl: 'Directeur', it: 'Amministratore', en: 'Director' }[d.lang],
          d.supplier.contact,
          null,
        ],
      ],
      { mode: 'inline', labelFont: ff, valueFont: ff, gap: 0 },
    );
  },
};

/** US compact: condensed type, boxed header cells, sold-to / ship-to boxes, dense boxed table. */
export const generalCompact: TemplateFamily = {
  id: 'general/compact',
  domain: 'general',
  locales: EN,
  items: [3, 22],
  page: (d) => officePage(d),
  style: (r) => style(r, 'cond', 'cond-bold', [7.5, 8.5]),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 32;
    const W = b.width;
    watermark(ctx);
    let y = M;
    y = party(ctx, M, y, 'supplier', { nameFont: ctx.f(st.size + 6, true), extra: ['phone', 'email', 'vat'], labelled: r.chance(0.5) });
    // header cells right
    const hx = W - M - 220;
    title(ctx, W - M, M - 2, ctx.f(st.size + 10, true), 'right', st.accent);
    const cells = metaRows(ctx, ['invoiceNo', 'date', 'po', 'dueDate']).filter(([, , e]) => !e || ctx.show(e));
    const cw = 110;
    const hf = ctx.f(st.size - 0.5, true);
    cells.forEach(([key, value, e], i) => {
      const x0 = hx + (i % 2) * cw;
      const y0 = M + 26 + Math.floor(i / 2) * 30;
      b.rect([x0, y0, x0 + cw, y0 + 12], { fill: st.fill, stroke: '#000000', width: 0.5 });
      b.rect([x0, y0 + 12, x0 + cw, y0 + 28], { stroke: '#000000', width: 0.5 });
      b.text(x0 + cw / 2, y0 + 2.5, ctx.p.get(key), hf, { align: 'center' });
      b.text(x0 + cw / 2, y0 + 16, value, ctx.f(), { span: ctx.span(e!), align: 'center' });
    });
    y = Math.max(y, M + 26 + Math.ceil(cells.length / 2) * 30) + 12;
    // sold to / ship to boxes
    const bw = (W - 2 * M - 12) / 2;
    const boxTop = y;
    const drawBox = (x0: number, who: 'buyer' | 'shipTo', key: string) => {
      b.rect([x0, boxTop, x0 + bw, boxTop + 13], { fill: st.accent });
      b.text(x0 + 5, boxTop + 2.5, ctx.p.get(key), ctx.f(st.size, true), { color: '#ffffff' });
      return party(ctx, x0 + 6, boxTop + 18, who, { extra: ['vat'] });
    };
    const yb = ctx.show('BUYER_NAME') || ctx.show('BUYER_ADDRESS') ? drawBox(M, 'buyer', 'billTo') : boxTop;
    const ys = ctx.show('SHIP_TO_ADDRESS') ? drawBox(M + bw + 12, 'shipTo', 'shipTo') : boxTop;
    y = Math.max(yb, ys) + 4;
    if (y > boxTop + 4) {
      b.rect([M, boxTop, M + bw, y], { stroke: '#000000', width: 0.5 });
      if (ctx.show('SHIP_TO_ADDRESS')) b.rect([M + bw + 12, boxTop, M + 2 * bw + 12, y], { stroke: '#000000', width: 0.5 });
    }
    y += 10;
    // info bar: terms, reference, sales rep, ship via
    const bar: Array<[string, string, string | null]> = [];
    if (ctx.show('PAYMENT_TERMS')) bar.push([ctx.p.get('paymentTerms'), d.paymentTerms, 'PAYMENT_TERMS']);
    if (ctx.show('REFERENCE_NUMBER')) bar.push([ctx.p.get('reference'), d.reference, 'REFERENCE_NUMBER']);
    if (ctx.show('CURRENCY')) bar.push([ctx.p.get('currency'), d.currencyText, 'CURRENCY']);
    bar.push(['Sales Rep', d.supplier.contact, null]);
    bar.push(['Ship Via', r.pick(['UPS Ground', 'FedEx 2Day', 'Will call', 'Our truck', 'DHL']), null]);
    const bwid = (W - 2 * M) / bar.length;
    bar.forEach(([lab, val, e], i) => {
      const x0 = M + i * bwid;
      b.rect([x0, y, x0 + bwid, y + 12], { fill: st.fill, stroke: '#000000', width: 0.5 });
      b.rect([x0, y + 12, x0 + bwid, y + 26], { stroke: '#000000', width: 0.5 });
      b.text(x0 + 4, y + 2.5, lab, hf);
      b.text(x0 + 4, y + 15, val, ctx.f(st.size - 0.5), { span: e ? ctx.span(e) : -1 });
    });
    y += 36;
    const cols: Column[] = [
      { key: 'no', w: 20 },
      { key: 'code', w: 58 },
      { key: 'desc', w: 0 },
      { key: 'qty', w: 34, align: 'right' },
      { key: 'unit', w: 28 },
      { key: 'price', w: 56, align: 'right' },
      { key: 'disc', w: 44, align: 'right' },
      { key: 'tax', w: 34, align: 'right' },
      { key: 'total', w: 62, align: 'right' },
    ];
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, {
      style: 'boxed',
      headerFill: st.fill,
      pad: 2.5,
      limit: b.height - 120,
      onNewPage: () => continuationTop(ctx, M, M),
      subLines: true,
    });
    const ty = totals(ctx, W - M - 180, W - M, y + 8, { emphasis: 'box', mark: 'symbol', gap: 1.5 });
    let ly = bank(ctx, M, y + 10, { mode: 'columns', labelWidth: 70 });
    ly = notes(ctx, M, ly + 4, (W - 2 * M) * 0.55);
    kv(ctx, M, ly + 2, metaRows(ctx, ['status', 'creditNote']), { mode: 'inline' });
    const sy = Math.min(b.height - M - 60, Math.max(ty, ly) + 14);
    signature(ctx, W - M - 140, sy, 120);
    qr(ctx, M, sy, 56);
    stamp(ctx, W * 0.55, sy + 18);
  },
};

/** Typewriter invoice (unseen family): monospace, dotted leaders, no rules, columns of spaces. */
export const generalTypewriter: TemplateFamily = {
  id: 'general/typewriter',
  domain: 'general',
  locales: ['en-US', 'en-GB', 'de-DE', 'en-AU'],
  items: [1, 10],
  page: (d) => officePage(d),
  style: (r) => style(r, 'mono', 'mono-bold', [8.5, 9.5], { colon: true }),
  phrases: (d): Record<string, string> => (d.lang === 'en' ? { invoiceNo: 'Bill number', invoice: 'STATEMENT OF ACCOUNT / INVOICE' } : {}),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 54;
    const W = b.width;
    const f = ctx.f();
    const lh = b.lineHeight(f, 1.35);
    let y = M;
    watermark(ctx);
    y = party(ctx, M, y, 'supplier', { nameFont: ctx.f(st.size, true), font: f, extra: ['phone', 'vat', 'email'] });
    y += lh;
    y = title(ctx, M, y, ctx.f(st.size + 1, true));
    b.text(M, y - 2, '='.repeat(24), f, { color: '#333333' });
    y += lh;
    const rows = metaRows(ctx, ['invoiceNo', 'date', 'dueDate', 'po', 'reference', 'terms', 'currency']);
    for (const [key, value, e] of rows) {
      if (e && !ctx.show(e)) continue;
      const lab = ctx.p.get(key);
      const le = b.text(M, y, lab, f);
      const dots = '.'.repeat(Math.max(2, Math.round((150 - (le.x1 - M)) / b.measurer.width('.', f))));
      const de = b.text(le.x1 + 3, y, dots, f, { color: '#555555' });
      b.text(de.x1 + 4, y, value, f, { span: ctx.span(e!) });
      y += lh;
    }
    y += lh * 0.5;
    const by = party(ctx, M, y, 'buyer', { title: 'billTo', titleFont: f, nameFont: f, font: f, extra: ['vat'] });
    const sy = party(ctx, W / 2 + 20, y, 'shipTo', { title: 'shipTo', titleFont: f, font: f });
    y = Math.max(by, sy) + lh;
    b.text(M, y, '-'.repeat(Math.floor((W - 2 * M) / b.measurer.width('-', f))), f, { color: '#333333' });
    y += lh;
    const cols: Column[] = [
      { key: 'qty', w: 44, align: 'right' },
      { key: 'code', w: 70 },
      { key: 'desc', w: 0 },
      { key: 'price', w: 72, align: 'right' },
      { key: 'total', w: 80, align: 'right' },
    ];
    y = itemTable(ctx, M, y, W - 2 * M, cols, d.items, {
      style: 'plain',
      font: f,
      headerFont: f,
      pad: 2,
      limit: b.height - 160,
      onNewPage: () => continuationTop(ctx, M, M),
    });
    y = totals(ctx, W - M - 230, W - M, y + 6, {
      emphasis: r.pick(['bold', 'rule'] as const),
      font: f,
      boldFont: ctx.f(st.size, true),
      mark: 'code',
    });
    y = bank(ctx, M, y + 10, { font: f, mode: 'inline', grouped: false });
    y = notes(ctx, M, y + 8, W - 2 * M, { font: f });
    signature(ctx, M, Math.min(b.height - 110, y + 10), 120);
    stamp(ctx, W - M - 90, Math.min(b.height - 90, y + 30));
    qr(ctx, W - M - 56, Math.min(b.height - 110, y + 60), 52);
  },
};

export const GENERAL: TemplateFamily[] = [generalModern, generalClassic, generalEuropean, generalCompact, generalTypewriter];
// silence unused-import lint for the context type in this module's signatures
export type { TemplateContext };
