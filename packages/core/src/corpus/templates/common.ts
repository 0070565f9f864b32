/** Shared pieces of template families: the family type, page sizes, palettes, meta rows, page tops. */
import type { CurrencyMark } from '../formatting.js';
import type { InvoiceData } from '../invoice-data.js';
import type { PageSize } from '../layout.js';
import type { Rng } from '../prng.js';
import type { Style, TemplateContext } from '../template-context.js';
import type { KvRow } from '../blocks.js';
import type { Face } from '../fonts.js';

export interface TemplateFamily {
  /** "domain/name" */
  id: string;
  domain: string;
  /** locale ids the family prints in */
  locales: string[];
  /** item count range */
  items?: [number, number];
  /** presence overrides (1 = always, 0 = never) */
  rates?: Record<string, number>;
  /** a domain variant the content builder knows (courier statement, multi-line account, restaurant ...) */
  variant?: string;
  mark?: CurrencyMark;
  page(d: InvoiceData, r: Rng): PageSize;
  style(r: Rng): Style;
  /** the words the phrasebook must use for some keys */
  phrases?: (d: InvoiceData, r: Rng) => Record<string, string>;
  draw(ctx: TemplateContext): void;
}

export const A4: PageSize = { width: 595, height: 842 };
export const LETTER: PageSize = { width: 612, height: 792 };

export function officePage(d: InvoiceData): PageSize {
  return d.locale.country === 'US' || d.locale.country === 'CA' ? LETTER : A4;
}

export const ACCENTS = ['#1f3a5f', '#0b6e4f', '#8c1c13', '#3d348b', '#1b4965', '#5c4033', '#222222', '#00607a', '#7a1f5c', '#345995'];
export const FILLS = ['#eef2f7', '#f1f1f1', '#e9f5ef', '#f7efe6', '#efeafa', '#e8f1f8', '#f5f5dc'];

export const EN = ['en-US', 'en-GB', 'en-AU', 'en-CA', 'en-IN'];
export const EU = ['de-DE', 'fr-FR', 'es-ES', 'nl-NL', 'it-IT', 'de-CH'];
export const ALL = [...EN, ...EU];
/** locales whose domain vocabulary (telecom, utilities, healthcare ...) the phrasebook covers */
export const DOMAIN_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-CA', 'en-IN', 'de-DE', 'de-CH', 'fr-FR', 'es-ES'];

export function style(r: Rng, regular: Face, bold: Face, size: [number, number], extra: Partial<Style> = {}): Style {
  return {
    regular,
    bold,
    size: Math.round(r.float(size[0], size[1]) * 4) / 4,
    accent: r.pick(ACCENTS),
    fill: r.pick(FILLS),
    ink: '#000000',
    colon: r.chance(0.5),
    ...extra,
  };
}

export function sansStyle(r: Rng, size: [number, number] = [8.5, 10], extra: Partial<Style> = {}): Style {
  const pair = r.pick<[Face, Face]>([
    ['sans', 'sans-bold'],
    ['cond', 'cond-bold'],
    ['sans', 'sans-bold'],
  ]);
  return style(r, pair[0], pair[1], size, extra);
}

export function serifStyle(r: Rng, size: [number, number] = [9, 10.5], extra: Partial<Style> = {}): Style {
  const pair = r.pick<[Face, Face]>([
    ['serif', 'serif-bold'],
    ['serif-cond', 'serif-cond-bold'],
  ]);
  return style(r, pair[0], pair[1], size, extra);
}

/** The usual document meta rows; rows whose entity is not shown are skipped by kv(). */
export function metaRows(ctx: TemplateContext, keys: string[]): KvRow[] {
  const d = ctx.d;
  const rows: KvRow[] = [];
  for (const k of keys) {
    switch (k) {
      case 'invoiceNo':
        rows.push(['invoiceNo', d.invoiceNumber, 'INVOICE_NUMBER']);
        break;
      case 'date':
        rows.push(['date', ctx.date(d.invoiceDate), 'INVOICE_DATE']);
        break;
      case 'dueDate':
        rows.push(['dueDate', ctx.date(d.dueDate), 'DUE_DATE']);
        break;
      case 'po':
        rows.push(['po', d.poNumber, 'PO_NUMBER']);
        break;
      case 'reference':
        rows.push(['reference', d.reference, 'REFERENCE_NUMBER']);
        break;
      case 'currency':
        rows.push(['currency', d.currencyText, 'CURRENCY']);
        break;
      case 'terms':
        rows.push(['paymentTerms', d.paymentTerms, 'PAYMENT_TERMS']);
        break;
      case 'status':
        rows.push(['status', d.status, 'INVOICE_STATUS']);
        break;
      case 'account':
        rows.push(['account', d.accountNumber, 'ACCOUNT_NUMBER']);
        break;
      case 'period':
        rows.push(['billingPeriod', `${ctx.date(d.periodStart)} - ${ctx.date(d.periodEnd)}`, 'BILLING_PERIOD']);
        break;
      case 'contract':
        rows.push(['contract', d.contractNumber, 'CONTRACT_NUMBER']);
        break;
      case 'cage':
        rows.push(['cage', d.cageCode, 'CAGE_CODE']);
        break;
      case 'patient':
        rows.push(['patientId', d.patientId, 'PATIENT_ID']);
        break;
      case 'creditNote':
        if (!d.has('REFUND_AMOUNT')) rows.push(['creditNoteRef', d.creditNote, 'CREDIT_NOTE_NUMBER']);
        break;
      case 'plan':
        rows.push(['plan', d.plan, 'PLAN_NAME']);
        break;
      case 'seats':
        rows.push(['seats', String(d.seats), 'LICENSE_COUNT']);
        break;
      case 'subscription':
        rows.push(['subscriptionId', d.subscriptionId, 'SUBSCRIPTION_ID']);
        break;
      case 'renewal':
        rows.push(['renewal', ctx.date(d.renewalDate), 'RENEWAL_DATE']);
        break;
      case 'waybill':
        rows.push(['waybill', d.waybill, 'WAYBILL_NUMBER']);
        break;
      case 'carrier':
        rows.push(['carrier', d.carrier, 'CARRIER_NAME']);
        break;
      case 'incoterms':
        rows.push(['incoterms', d.incoterms, 'INCOTERMS']);
        break;
      case 'origin':
        rows.push(['origin', d.origin, 'ORIGIN']);
        break;
      case 'destination':
        rows.push(['destination', d.destination, 'DESTINATION']);
        break;
      case 'weight':
        rows.push(['weight', `${ctx.num(d.weightKg, 1)} kg`, 'WEIGHT']);
        break;
      case 'buyerVat':
        rows.push(['buyerVatId', d.buyer.taxId, 'BUYER_VAT_ID']);
        break;
    }
  }
  return rows;
}

/** Top of a continuation page: supplier name and invoice number, small. Returns the y to continue at. */
export function continuationTop(ctx: TemplateContext, margin: number, top: number): number {
  const { b, d } = ctx;
  const f = ctx.f(ctx.st.size - 1);
  let y = top;
  if (ctx.show('SUPPLIER_NAME')) b.text(margin, y, d.supplier.name, ctx.f(ctx.st.size, true), { span: ctx.span('SUPPLIER_NAME') });
  if (ctx.show('INVOICE_NUMBER')) {
    const ve = b.text(b.width - margin, y, d.invoiceNumber, f, { span: ctx.span('INVOICE_NUMBER'), align: 'right' });
    b.text(ve.x0 - 4, y, ctx.label('invoiceNo'), f, { align: 'right' });
  }
  y += b.lineHeight(f) + 4;
  b.hline(margin, b.width - margin, y, 0.5, '#888888');
  return y + 8;
}
