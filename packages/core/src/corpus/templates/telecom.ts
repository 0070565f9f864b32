/** Telephone, mobile and broadband bills: multi-page mobile bill, broadband bill with usage chart, business multi-line (unseen). */
import { itemTable, kv, logo, notes, party, qr, title, totals, type Column } from '../blocks.js';
import { DOMAIN_LOCALES, EN, continuationTop, metaRows, officePage, sansStyle, style, type TemplateFamily } from './common.js';
import type { TemplateContext } from '../template-context.js';
import type { InvoiceData, LineItem } from '../invoice-data.js';
import { formatDate, formatDecimal } from '../formatting.js';

function gb(ctx: TemplateContext, x: number): string {
  return x < 1 ? `${ctx.num(x * 1024, 0)} MB` : `${ctx.num(x, 2)} GB`;
}

function minutes(ctx: TemplateContext, m: number): string {
  return ctx.r.chance(0.5) || m < 60 ? `${ctx.num(m, 0)} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

const BILL_TITLES = (d: InvoiceData) =>
  d.lang === 'de'
    ? ['Ihre Rechnung', 'Rechnung']
    : d.lang === 'fr'
      ? ['Votre facture', 'Facture']
      : d.lang === 'es'
        ? ['Su factura', 'Factura']
        : ['Your bill', 'Monthly bill', 'Invoice', 'Tax invoice'];

/** Account summary box with previous balance, payments, new charges and the amount due. */
function summaryBox(ctx: TemplateContext, x: number, y: number, w: number): number {
  const { b, d, st } = ctx;
  const l = d.ledger;
  const f = ctx.f(st.size);
  const bf = ctx.f(st.size + 2, true);
  const top = y;
  b.text(
    x + 8,
    y + 6,
    ctx.t({
      en: ['Bill summary', 'Account summary', 'Summary of charges'],
      de: ['Übersicht', 'Ihre Rechnung im Überblick'],
      fr: ['Récapitulatif', 'Votre facture en bref'],
      es: ['Resumen de la factura'],
    }),
    ctx.f(st.size + 1, true),
    { color: st.accent },
  );
  y += 24;
  const row = (label: string, cents: number, ent: string | null, font = f) => {
    b.text(x + 8, y, label, font);
    b.text(x + w - 8, y, ctx.money(cents, 'symbol'), font, { span: ent && ctx.show(ent) ? ctx.span(ent) : -1, align: 'right' });
    y += b.lineHeight(font) + 3;
  };
  if (ctx.show('PREVIOUS_BALANCE')) {
    row(ctx.p.get('previousBalance'), l.previousBalance, 'PREVIOUS_BALANCE');
    row(ctx.p.get('paymentReceived'), -l.paymentsReceived, null);
  }
  row(ctx.p.get('newCharges'), l.total, 'TOTAL_AMOUNT');
  if (ctx.show('AMOUNT_DUE')) {
    b.hline(x + 8, x + w - 8, y, 0.6);
    y += 4;
    row(ctx.label('amountDue'), l.due, 'AMOUNT_DUE', bf);
    if (ctx.show('DUE_DATE')) {
      const sf = ctx.f(st.size - 0.5);
      const le = b.text(x + 8, y, ctx.label('dueDate'), sf);
      b.text(le.x1 + 4, y, ctx.date(d.dueDate), sf, { span: ctx.span('DUE_DATE') });
      y += b.lineHeight(sf) + 2;
    }
  }
  b.rect([x, top, x + w, y + 4], { stroke: st.accent, width: 0.8 });
  return y + 4;
}

/** Per-line usage summary: service number, plan, data, minutes, texts. */
function usageTable(ctx: TemplateContext, x: number, y: number, w: number): number {
  const { b, d, st } = ctx;
  const f = ctx.f(st.size - 0.5);
  const hf = ctx.f(st.size - 0.5, true);
  const cols = [
    { k: 'serviceNumber', w: 0.27, e: 'SERVICE_NUMBER' },
    { k: 'plan', w: 0.27, e: 'PLAN_NAME' },
    { k: 'dataUsage', w: 0.17, e: 'DATA_USAGE' },
    { k: 'minutes', w: 0.17, e: 'CALL_MINUTES' },
    { k: '=SMS', w: 0.12, e: null },
  ].filter((c) => !c.e || ctx.show(c.e));
  if (cols.length <= 1) return y;
  const tot = cols.reduce((s, c) => s + c.w, 0);
  let cx = x;
  const xs = cols.map((c) => {
    const v = cx;
    cx += (c.w / tot) * w;
    return v;
  });
  b.rect([x, y, x + w, y + b.lineHeight(hf) + 4], { fill: ctx.st.fill });
  cols.forEach((c, i) => b.text(xs[i] + 3, y + 2, c.k.startsWith('=') ? c.k.slice(1) : ctx.p.get(c.k), hf));
  y += b.lineHeight(hf) + 6;
  for (const ln of d.lines) {
    cols.forEach((c, i) => {
      const v =
        c.k === 'serviceNumber'
          ? ln.number
          : c.k === 'plan'
            ? ln.plan
            : c.k === 'dataUsage'
              ? gb(ctx, ln.dataGb)
              : c.k === 'minutes'
                ? minutes(ctx, ln.minutes)
                : String(ln.sms);
      b.text(xs[i] + 3, y, v, f, { span: c.e ? ctx.span(c.e) : -1 });
    });
    y += b.lineHeight(f) + 3;
    b.hline(x, x + w, y - 1.5, 0.3, '#aaaaaa');
  }
  return y + 4;
}

/** Itemised call list (no entities: the charges table carries the billed total). */
function callPages(ctx: TemplateContext, M: number, startY: number): void {
  const { b, d, st } = ctx;
  if (d.calls.length === 0) return;
  const f = ctx.f(st.size - 1.5);
  const hf = ctx.f(st.size - 1.5, true);
  const W = b.width;
  const cols = [
    ['Date', 0],
    ['Time', 58],
    ['Number', 100],
    ['Type', 220],
    ['Duration', 310],
    ['Cost', W - 2 * M],
  ] as const;
  let y = startY;
  const header = () => {
    b.text(
      M,
      y,
      ctx.t({
        en: ['Itemised calls', 'Call details', 'Usage details'],
        de: ['Einzelverbindungsnachweis'],
        fr: ['Détail des communications'],
        es: ['Detalle de llamadas'],
      }),
      ctx.f(st.size + 1, true),
      { color: st.accent },
    );
    y += 18;
    for (const [h, dx] of cols) b.text(M + dx, y, h, hf, { align: h === 'Cost' ? 'right' : 'left' });
    y += b.lineHeight(hf) + 2;
    b.hline(M, W - M, y, 0.5);
    y += 3;
  };
  header();
  for (const c of d.calls) {
    if (y > b.height - 60) {
      b.newPage();
      y = continuationTop(ctx, M, 36);
      header();
    }
    const vals = [
      formatDate(c.day, d.locale.country === 'US' || d.locale.country === 'CA' ? 'MM/DD/YY' : 'DD.MM.YY', d.lang),
      c.time,
      c.number,
      c.kind,
      `${c.minutes}:${String(c.seconds).padStart(2, '0')}`,
      formatDecimal(c.cost / 100, 2, d.money.number),
    ];
    vals.forEach((v, i) => b.text(M + cols[i][1], y, v, f, { align: i === 5 ? 'right' : 'left' }));
    y += b.lineHeight(f) + 0.5;
  }
}

const chargeCols: Column[] = [
  { key: 'desc', w: 0 },
  { key: 'qty', w: 48, align: 'right' },
  { key: 'price', w: 64, align: 'right' },
  { key: 'total', w: 70, align: 'right' },
];

function lineGroup(ctx: TemplateContext): (it: LineItem) => string | undefined {
  const d = ctx.d;
  if (d.lines.length < 2) return () => undefined;
  return (it) => `${ctx.p.get('serviceNumber')} ${(it.line ?? 0) + 1} – ${d.lines[it.line ?? 0].plan}`;
}

/** Mobile bill: summary page, itemised charges page, call detail pages. */
export const telecomMobileBill: TemplateFamily = {
  id: 'telecom/mobile-bill',
  domain: 'telecom',
  locales: DOMAIN_LOCALES,
  items: [1, 4],
  page: (d) => officePage(d),
  style: (r) => sansStyle(r, [8.5, 9.5]),
  phrases: (d, r): Record<string, string> => ({ invoice: r.pick(BILL_TITLES(d)) }),
  draw(ctx) {
    const { b, d, st } = ctx;
    const M = 42;
    const W = b.width;
    const lx = logo(ctx, M, 34, 34);
    if (ctx.show('SUPPLIER_NAME'))
      b.text(lx + 8, 42, d.supplier.name, ctx.f(st.size + 3, true), { span: ctx.span('SUPPLIER_NAME'), color: st.accent });
    title(ctx, W - M, 36, ctx.f(st.size + 8, true), 'right');
    party(ctx, M, 120, 'buyer', { font: ctx.f(st.size + 0.5) });
    const ay = kv(ctx, W - M - 220, 110, metaRows(ctx, ['account', 'invoiceNo', 'date', 'period']), {
      mode: 'columns',
      labelWidth: 100,
      labelFont: ctx.f(st.size - 0.5),
      valueFont: ctx.f(st.size - 0.5, true),
      gap: 1.5,
    });
    let y = Math.max(210, ay + 16);
    y = summaryBox(ctx, M, y, W - 2 * M) + 16;
    if (ctx.show('SERVICE_NUMBER') || ctx.show('DATA_USAGE')) {
      b.text(
        M,
        y,
        ctx.t({
          en: ['Your usage this period', 'Usage summary', 'Your services'],
          de: ['Ihre Nutzung', 'Verbrauchsübersicht'],
          fr: ['Votre consommation'],
          es: ['Su consumo'],
        }),
        ctx.f(st.size + 1, true),
      );
      y = usageTable(ctx, M, y + 16, W - 2 * M) + 10;
    }
    qr(
      ctx,
      W - M - 64,
      Math.min(b.height - 150, y + 10),
      60,
      ctx.t({
        en: ['Scan to pay', 'Pay with your banking app', ''],
        de: ['Scannen und bezahlen', ''],
        fr: ['Scanner pour payer', ''],
        es: ['Escanee para pagar', ''],
      }),
    );
    let fy = Math.min(b.height - 140, y + 10);
    fy = party(ctx, M, fy, 'supplier', { skipName: true, font: ctx.f(st.size - 1.5), extra: ['vat', 'phone', 'email'] });
    notes(ctx, M, fy + 6, W - 2 * M - 90, { font: ctx.f(st.size - 1.5), title: false });
    // page 2: itemised charges
    b.newPage();
    y = continuationTop(ctx, M, 36);
    b.text(
      M,
      y,
      ctx.t({
        en: ['Your charges in detail', 'Itemised charges', 'Charges for this period'],
        de: ['Ihre Beträge im Detail', 'Rechnungspositionen'],
        fr: ['Détail de vos frais'],
        es: ['Detalle de cargos'],
      }),
      ctx.f(st.size + 2, true),
      { color: st.accent },
    );
    y += 22;
    y = itemTable(ctx, M, y, W - 2 * M, chargeCols, d.items, {
      style: 'rules',
      limit: b.height - 140,
      onNewPage: () => continuationTop(ctx, M, 36),
      groupOf: lineGroup(ctx),
    });
    y = totals(ctx, W - M - 230, W - M, y + 8, { emphasis: 'bold', mark: 'symbol', showDue: false, totalKey: 'newCharges' });
    callPages(ctx, M, y + 24 > b.height - 160 ? (b.newPage(), continuationTop(ctx, M, 36)) : y + 24);
  },
};

/** Broadband bill: header band, plan box with a usage chart, charges, summary and payment slip. */
export const telecomBroadband: TemplateFamily = {
  id: 'telecom/broadband-bill',
  domain: 'telecom',
  locales: DOMAIN_LOCALES,
  items: [1, 3],
  page: (d) => officePage(d),
  style: (r) => style(r, r.pick(['sans', 'cond'] as const), 'sans-bold', [8.5, 9.5]),
  phrases: (d, r): Record<string, string> => ({ invoice: r.pick(BILL_TITLES(d)) }),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 36;
    const W = b.width;
    b.rect([0, 0, W, 70], { fill: st.accent });
    if (ctx.show('SUPPLIER_NAME'))
      b.text(M, 26, d.supplier.name, ctx.f(st.size + 6, true), { span: ctx.span('SUPPLIER_NAME'), color: '#ffffff' });
    title(ctx, W - M, 28, ctx.f(st.size + 4, true), 'right', '#ffffff');
    let y = 90;
    const by = party(ctx, M, y, 'buyer', { title: 'billTo' });
    const ky = kv(ctx, W / 2 + 10, y, metaRows(ctx, ['account', 'invoiceNo', 'date', 'dueDate', 'period']), {
      mode: 'columns',
      labelWidth: 110,
      gap: 1.5,
    });
    y = Math.max(by, ky) + 16;
    // plan box with usage chart
    const top = y;
    b.text(
      M + 10,
      y + 8,
      ctx.t({
        en: ['Your plan', 'Your broadband', 'Service overview'],
        de: ['Ihr Tarif', 'Ihr Anschluss'],
        fr: ['Votre offre', 'Votre abonnement'],
        es: ['Su tarifa', 'Su servicio'],
      }),
      ctx.f(st.size + 1, true),
      { color: st.accent },
    );
    const ln = d.lines[0];
    const py = kv(
      ctx,
      M + 10,
      y + 26,
      [
        ['plan', ln.plan, 'PLAN_NAME'],
        ['serviceNumber', ln.number, 'SERVICE_NUMBER'],
        ['dataUsage', gb(ctx, ln.dataGb * 6), 'DATA_USAGE'],
        ['minutes', minutes(ctx, ln.minutes), 'CALL_MINUTES'],
      ],
      { mode: 'columns', labelWidth: 100, gap: 2 },
    );
    const hist = Array.from({ length: 6 }, () => r.float(0.4, 1.3) * ln.dataGb);
    b.graphic({ kind: 'bars', page: b.page, box: [W / 2 + 30, y + 24, W - M - 20, y + 84], values: hist, color: st.accent });
    b.text(
      W / 2 + 30,
      y + 88,
      ctx.t({
        en: ['Data use, last 6 months', 'Monthly data (GB)'],
        de: ['Datennutzung der letzten 6 Monate'],
        fr: ['Données sur 6 mois'],
        es: ['Datos, últimos 6 meses'],
      }),
      ctx.f(st.size - 1.5),
      { color: '#555555' },
    );
    y = Math.max(py, y + 100) + 6;
    b.rect([M, top, W - M, y], { stroke: '#999999', width: 0.6 });
    y += 16;
    y = itemTable(ctx, M, y, W - 2 * M, chargeCols, d.items, {
      style: 'plain',
      limit: b.height - 200,
      onNewPage: () => continuationTop(ctx, M, 36),
      groupOf: lineGroup(ctx),
    });
    y = totals(ctx, W - M - 240, W - M, y + 8, {
      emphasis: 'fill',
      mark: 'symbol',
      previousBalance: true,
      after: ctx.show('PREVIOUS_BALANCE') ? [[ctx.p.get('paymentReceived'), d.ledger.paymentsReceived]] : [],
    });
    // payment slip
    const sy = Math.max(y + 16, b.height - 150);
    if (sy < b.height - 60) {
      b.hline(M, W - M, sy, 0.6, '#777777', [4, 3]);
      b.text(
        M,
        sy + 8,
        ctx.t({
          en: ['Payment slip', 'Remittance advice', 'Please return this part with your payment'],
          de: ['Zahlschein', 'Überweisungsträger'],
          fr: ['Bulletin de paiement', 'Talon de paiement'],
          es: ['Resguardo de pago'],
        }),
        ctx.f(st.size - 0.5, true),
      );
      kv(ctx, M, sy + 26, metaRows(ctx, ['account', 'invoiceNo']), { mode: 'columns', labelWidth: 100 });
      qr(ctx, W - M - 70, sy + 10, 64);
      notes(ctx, M + 230, sy + 26, 180, { font: ctx.f(st.size - 1.5), title: false });
    }
    if (d.calls.length) {
      b.newPage();
      callPages(ctx, M, continuationTop(ctx, M, 36));
    }
  },
};

/** Business account with several lines (unseen family): lines overview, charges grouped per line. */
export const telecomBusiness: TemplateFamily = {
  id: 'telecom/business-account',
  domain: 'telecom',
  locales: EN,
  items: [1, 3],
  variant: 'multiline',
  rates: { SERVICE_NUMBER: 0.95, ITEM_GROUP_HEADER: 0.9 },
  page: (d) => officePage(d),
  style: (r) => style(r, 'serif', 'serif-bold', [8, 9]),
  phrases: (_d, r): Record<string, string> => ({ invoice: r.pick(['Business Account Statement', 'Corporate Invoice', 'Account Invoice']) }),
  draw(ctx) {
    const { b, d, r, st } = ctx;
    const M = 46;
    const W = b.width;
    let y = 40;
    y = party(ctx, M, y, 'supplier', { nameFont: ctx.f(st.size + 5, true), font: ctx.f(st.size - 1), extra: ['phone', 'email', 'vat'] });
    title(ctx, W - M, 40, ctx.f(st.size + 5, true), 'right', st.accent);
    kv(ctx, W - M - 210, 64, metaRows(ctx, ['account', 'invoiceNo', 'date', 'dueDate', 'period', 'terms']), {
      mode: 'right',
      labelWidth: 105,
      labelFont: ctx.f(st.size - 0.5),
      valueFont: ctx.f(st.size - 0.5, true),
      gap: 1,
    });
    y = Math.max(y, 150) + 8;
    y = party(ctx, M, y, 'buyer', { title: 'billTo', extra: ['vat'] }) + 14;
    b.text(M, y, r.pick(['Lines on this account', 'Service overview']), ctx.f(st.size + 1, true));
    y = usageTable(ctx, M, y + 16, W - 2 * M) + 12;
    y = summaryBox(ctx, W / 2, y, W / 2 - M) + 10;
    b.newPage();
    y = continuationTop(ctx, M, 36);
    y = itemTable(ctx, M, y, W - 2 * M, chargeCols, d.items, {
      style: 'grid',
      headerFill: st.fill,
      limit: b.height - 120,
      onNewPage: () => continuationTop(ctx, M, 36),
      groupOf: lineGroup(ctx),
    });
    y = totals(ctx, W - M - 230, W - M, y + 8, { emphasis: 'rule', mark: 'code', showDue: false, taxBase: true });
    notes(ctx, M, y + 12, W - 2 * M);
    if (d.calls.length) {
      b.newPage();
      callPages(ctx, M, continuationTop(ctx, M, 36));
    }
  },
};

export const TELECOM: TemplateFamily[] = [telecomMobileBill, telecomBroadband, telecomBusiness];
