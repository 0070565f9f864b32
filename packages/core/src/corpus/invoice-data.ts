/**
 * The content of one invoice before layout: parties, dates, line items and a ledger whose numbers hold
 * together (rows multiply out, rows add up to the subtotal, subtotal - discount + shipping + tax = total,
 * due = total + previous balance - payments - paid - adjustments - refund), plus the domain's own facts
 * (subscriptions, usage, shipments, meter readings, diagnoses, contracts, tills). Which entities a document
 * shows is decided here, only among the entities the schema gives its domain.
 */
import type { Rng } from './prng.js';
import { companyName, emailFor, LOCALE_BY_ID, personName, postalAddress, type Lang, type Locale } from './locales.js';
import { formatDate, moneyStyle, ymdToDay, type CurrencyMark, type MoneyStyle } from './formatting.js';
import {
  IBAN_COUNTRIES,
  makeBatchNumber,
  makeBic,
  makeCageCode,
  makeContractNumber,
  makeCreditNoteNumber,
  makeIban,
  makeInvoiceNumber,
  makeLotNumber,
  makePoNumber,
  makeReference,
  makeSerialNumber,
  makeTaxId,
  makeWaybill,
} from './identifiers.js';
import * as C from './catalog.js';

export interface Party {
  name: string;
  address: string[];
  taxId: string;
  phone: string;
  email: string;
  web: string;
  country: string;
  contact: string;
}

export interface LineItem {
  no: string;
  code: string;
  description: string;
  qty: number;
  qtyDecimals: number;
  unit: string;
  /** unit price in major units (may carry more than 2 decimals) */
  unitPrice: number;
  priceDecimals: number;
  /** row discount in minor units */
  discount: number;
  taxRate: number;
  /** row total in minor units: round(qty x unit price x 100) - discount */
  total: number;
  date?: number;
  group?: string;
  lot?: string;
  batch?: string;
  serial?: string;
  procedure?: string;
  diagnosis?: string;
  waybill?: string;
  destination?: string;
  weightKg?: number;
  /** the service line a telecom charge belongs to */
  line?: number;
}

export interface TaxLine {
  label: string;
  rate: number;
  base: number;
  amount: number;
}

/** Every amount in minor units. */
export interface Ledger {
  subtotal: number;
  discount: number;
  shipping: number;
  taxLines: TaxLine[];
  tax: number;
  total: number;
  previousBalance: number;
  paymentsReceived: number;
  adjustments: number;
  paid: number;
  refund: number;
  due: number;
  change: number;
}

export interface Meter {
  number: string;
  previous: number;
  current: number;
  usage: number;
  unit: string;
  rate: number;
  register: string;
}

export interface ServiceLine {
  number: string;
  plan: string;
  dataGb: number;
  minutes: number;
  sms: number;
}

export interface CallRecord {
  day: number;
  time: string;
  number: string;
  minutes: number;
  seconds: number;
  cost: number;
  kind: string;
}

export interface InvoiceData {
  domain: string;
  /** the family's content variant ('' when none) */
  variant: string;
  locale: Locale;
  lang: Lang;
  money: MoneyStyle;
  datePattern: string;
  /** entity is allowed in the domain and shown on this document */
  has(entity: string): boolean;
  docTypeKey: 'invoice' | 'creditNote' | 'receipt';
  invoiceNumber: string;
  invoiceDate: number;
  dueDate: number;
  termsDays: number;
  poNumber: string;
  reference: string;
  currencyText: string;
  supplier: Party;
  buyer: Party;
  shipTo: string[];
  items: LineItem[];
  ledger: Ledger;
  bank: { iban: string; bic: string; holder: string; bankName: string; domestic: string };
  paymentTerms: string;
  status: string;
  creditNote: string;
  notes: string;
  terms: string;
  qrPayload: string;
  watermark: string;
  stampText: string;
  reverseCharge: boolean;
  // domain facts
  periodStart: number;
  periodEnd: number;
  plan: string;
  seats: number;
  subscriptionId: string;
  renewalDate: number;
  accountNumber: string;
  lines: ServiceLine[];
  calls: CallRecord[];
  waybill: string;
  origin: string;
  destination: string;
  weightKg: number;
  carrier: string;
  incoterms: string;
  goods: string;
  packages: number;
  meters: Meter[];
  patientId: string;
  diagnoses: Array<{ code: string; d: string }>;
  insurer: string;
  contractNumber: string;
  cageCode: string;
  agency: string;
  cashier: string;
  register: string;
  time: string;
  extras: Array<{ entity: string; value: string }>;
}

/** Presence probabilities per domain; entities the schema does not give the domain are never shown. */
type Rates = Record<string, number>;

const COMMON: Rates = {
  DOC_TYPE: 0.93,
  INVOICE_NUMBER: 1,
  INVOICE_DATE: 1,
  DUE_DATE: 0.75,
  PO_NUMBER: 0.35,
  CURRENCY: 0.25,
  REFERENCE_NUMBER: 0.3,
  SUPPLIER_NAME: 1,
  SUPPLIER_ADDRESS: 0.96,
  SUPPLIER_VAT_ID: 0.75,
  SUPPLIER_PHONE: 0.7,
  SUPPLIER_EMAIL: 0.6,
  BUYER_NAME: 0.97,
  BUYER_ADDRESS: 0.92,
  BUYER_VAT_ID: 0.25,
  SHIP_TO_ADDRESS: 0.22,
  SUBTOTAL: 0.92,
  DISCOUNT: 0.15,
  TAX: 0.92,
  TAX_RATE: 0.8,
  SHIPPING_AMOUNT: 0.25,
  TOTAL_AMOUNT: 1,
  AMOUNT_PAID: 0.15,
  AMOUNT_DUE: 0.35,
  PREVIOUS_BALANCE: 0.8,
  LINE_NUMBER: 0.45,
  ITEM_CODE: 0.45,
  ITEM_DESCRIPTION: 1,
  QUANTITY: 0.95,
  UNIT_OF_MEASURE: 0.4,
  UNIT_PRICE: 0.95,
  ITEM_DISCOUNT: 0.08,
  ITEM_TAX_RATE: 0.12,
  LINE_TOTAL: 1,
  ITEM_DATE: 0.12,
  IBAN: 0.55,
  SWIFT_CODE: 0.4,
  ACCOUNT_HOLDER: 0.25,
  PAYMENT_TERMS: 0.5,
  INVOICE_STATUS: 0.08,
  REFUND_AMOUNT: 0.04,
  CREDIT_NOTE_NUMBER: 0.05,
  TABLE: 1,
  ITEM_GROUP_HEADER: 0.1,
  SIGNATURE: 0.1,
  STAMP_TEXT: 0.08,
  WATERMARK: 0.05,
  NOTES: 0.35,
  TERMS_CONDITIONS: 0.22,
  QR_CODE: 0.1,
  LOT_NUMBER: 0.05,
  BATCH_NUMBER: 0.05,
  SERIAL_NUMBER: 0.05,
};

const DOMAIN_RATES: Record<string, Rates> = {
  general: {},
  saas: {
    PO_NUMBER: 0,
    SUBSCRIPTION_ID: 0.8,
    PLAN_NAME: 0.9,
    LICENSE_COUNT: 0.7,
    BILLING_PERIOD: 0.85,
    RENEWAL_DATE: 0.5,
    DISCOUNT: 0.2,
    INVOICE_STATUS: 0.2,
    REFUND_AMOUNT: 0.06,
    CREDIT_NOTE_NUMBER: 0.06,
    WATERMARK: 0.06,
    QUANTITY: 0.9,
    BUYER_VAT_ID: 0.3,
  },
  telecom: {
    ACCOUNT_NUMBER: 0.95,
    SERVICE_NUMBER: 0.9,
    DATA_USAGE: 0.8,
    CALL_MINUTES: 0.75,
    PLAN_NAME: 0.85,
    BILLING_PERIOD: 0.9,
    PREVIOUS_BALANCE: 0.75,
    AMOUNT_DUE: 0.85,
    QUANTITY: 0.6,
    UNIT_PRICE: 0.6,
    CREDIT_NOTE_NUMBER: 0.05,
    QR_CODE: 0.2,
    ITEM_GROUP_HEADER: 0.5,
    TERMS_CONDITIONS: 0.3,
  },
  logistics: {
    WAYBILL_NUMBER: 0.95,
    ORIGIN: 0.9,
    DESTINATION: 0.9,
    WEIGHT: 0.9,
    CARRIER_NAME: 0.8,
    INCOTERMS: 0.7,
    PO_NUMBER: 0.5,
    SHIP_TO_ADDRESS: 0.45,
    SHIPPING_AMOUNT: 0.1,
    ITEM_DATE: 0.3,
    BATCH_NUMBER: 0.2,
    SERIAL_NUMBER: 0.15,
    UNIT_OF_MEASURE: 0.6,
    SIGNATURE: 0.25,
    STAMP_TEXT: 0.15,
    LINE_NUMBER: 0.5,
  },
  utilities: {
    ACCOUNT_NUMBER: 0.95,
    METER_NUMBER: 0.9,
    PREVIOUS_READING: 0.9,
    CURRENT_READING: 0.9,
    USAGE_AMOUNT: 0.9,
    RATE_PER_UNIT: 0.8,
    BILLING_PERIOD: 0.9,
    PREVIOUS_BALANCE: 0.7,
    AMOUNT_DUE: 0.9,
    AMOUNT_PAID: 0.35,
    QR_CODE: 0.25,
    INVOICE_STATUS: 0.1,
    TERMS_CONDITIONS: 0.3,
  },
  healthcare: {
    PATIENT_ID: 0.95,
    DIAGNOSIS_CODE: 0.75,
    PROCEDURE_CODE: 0.85,
    ITEM_DATE: 0.8,
    AMOUNT_PAID: 0.6,
    AMOUNT_DUE: 0.9,
    DISCOUNT: 0.12,
    LOT_NUMBER: 0.15,
    BATCH_NUMBER: 0.12,
    SIGNATURE: 0.2,
    STAMP_TEXT: 0.15,
    ITEM_GROUP_HEADER: 0.3,
    INVOICE_STATUS: 0.15,
    REFERENCE_NUMBER: 0.35,
  },
  government: {
    CONTRACT_NUMBER: 0.95,
    CAGE_CODE: 0.85,
    PO_NUMBER: 0.6,
    LINE_NUMBER: 0.9,
    UNIT_OF_MEASURE: 0.85,
    LOT_NUMBER: 0.3,
    SERIAL_NUMBER: 0.3,
    SIGNATURE: 0.45,
    STAMP_TEXT: 0.3,
    WATERMARK: 0.2,
    QR_CODE: 0.2,
    ITEM_TAX_RATE: 0.2,
    SWIFT_CODE: 0.4,
    ACCOUNT_HOLDER: 0.4,
    BUYER_VAT_ID: 0.2,
  },
  pos: {
    CASHIER_ID: 0.8,
    REGISTER_NUMBER: 0.75,
    ITEM_CODE: 0.35,
    ITEM_DISCOUNT: 0.2,
    DISCOUNT: 0.12,
    AMOUNT_PAID: 0.8,
    REFUND_AMOUNT: 0.06,
    QR_CODE: 0.3,
    SUPPLIER_VAT_ID: 0.6,
    TAX_RATE: 0.75,
    QUANTITY: 0.7,
    UNIT_PRICE: 0.6,
    SUBTOTAL: 0.7,
    CURRENCY: 0.2,
  },
};

/** Entities the generator knows how to print; others the schema adds are printed as generic labelled values. */
export const KNOWN_ENTITIES = new Set([...Object.keys(COMMON), ...Object.values(DOMAIN_RATES).flatMap((r) => Object.keys(r))]);

export interface DataOptions {
  domain: string;
  /** entities the schema gives this domain */
  allowed: ReadonlySet<string>;
  /** locale ids the family prints in */
  locales: string[];
  /** per-family presence overrides (1 = always, 0 = never) */
  rates?: Rates;
  mark?: CurrencyMark;
  /** the family's item count range */
  items?: [number, number];
  /** schema entities of the domain the generator has no layout for */
  extraEntities: string[];
  variant?: string;
}

const PAY_TERMS_EN = (d: number, r: Rng) =>
  d <= 1 ? 'Due on receipt' : r.pick([`Net ${d}`, `${d} days net`, `Payable within ${d} days`, `Net ${d} days`]);
const PAY_TERMS: Record<Lang, (d: number, r: Rng) => string> = {
  en: PAY_TERMS_EN,
  de: (d, r) => (d <= 1 ? 'Sofort fällig' : r.pick([`Zahlbar innerhalb ${d} Tagen ohne Abzug`, `${d} Tage netto`])),
  fr: (d, r) => (d <= 1 ? 'Paiement à réception' : r.pick([`Paiement à ${d} jours`, `${d} jours net`])),
  es: (d) => (d <= 1 ? 'Pago al contado' : `Pago a ${d} días`),
  nl: (d) => (d <= 1 ? 'Direct betalen' : `Betaling binnen ${d} dagen`),
  it: (d) => (d <= 1 ? 'Pagamento a vista' : `Pagamento a ${d} giorni d.f.`),
};

/** Give the supplier a domain-typical name, with matching e-mail and web address. */
function renameSupplier(r: Rng, d: InvoiceData, name: string): void {
  d.supplier.name = name;
  d.supplier.email = emailFor(r, name, d.locale);
  d.bank.holder = name;
  d.supplier.web = `www.${d.supplier.email.split('@')[1]}`;
}

function party(r: Rng, loc: Locale, isCompany: boolean, withCountry: boolean, nouns?: readonly string[]): Party {
  const name = isCompany ? companyName(r, loc, nouns) : personName(r, loc);
  const addr = postalAddress(r, loc, withCountry);
  return {
    name,
    address: addr.lines,
    taxId: makeTaxId(r, loc.country),
    phone: loc.phone(r),
    email: emailFor(r, name, loc),
    web: `www.${emailFor(r, name, loc).split('@')[1]}`,
    country: loc.country,
    contact: personName(r, loc),
  };
}

function round(x: number): number {
  return Math.round(x);
}

/** Row total in minor units. */
export function rowTotal(qty: number, unitPrice: number, discount: number): number {
  return round(qty * unitPrice * 100 + 1e-7) - discount;
}

function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

function makeItem(r: Rng, c: C.CatalogItem, no: number, taxRate: number, priceDecimals = 2): LineItem {
  const qd = c.q[2] ?? 0;
  const qty = qd > 0 ? roundTo(r.float(c.q[0], c.q[1]), qd) : r.int(c.q[0], c.q[1]);
  const unitPrice = roundTo(r.logUniform(c.p[0], c.p[1]), priceDecimals);
  return {
    no: String(no),
    code: '',
    description: c.d,
    qty,
    qtyDecimals: qd,
    unit: c.u,
    unitPrice,
    priceDecimals,
    discount: 0,
    taxRate,
    total: rowTotal(qty, unitPrice, 0),
    group: c.g,
  };
}

function addDaysClamp(day: number, n: number): number {
  return day + n;
}

/** Compute the ledger from items and the document-level amounts. */
export function computeLedger(
  items: LineItem[],
  opts: { discountRate: number; shipping: number; taxRate: number; taxLabel: string; split?: boolean; perRowTax: boolean },
): Ledger {
  const subtotal = items.reduce((s, it) => s + it.total, 0);
  const discount = round(subtotal * opts.discountRate);
  const shipping = opts.shipping;
  const taxLines: TaxLine[] = [];
  if (opts.perRowTax) {
    const rates = [...new Set(items.map((i) => i.taxRate))].sort((a, b) => a - b);
    for (const rate of rates) {
      const base = items.filter((i) => i.taxRate === rate).reduce((s, i) => s + i.total, 0);
      taxLines.push({ label: opts.taxLabel, rate, base, amount: round(base * rate) });
    }
  } else {
    const base = subtotal - discount + shipping;
    if (opts.split) {
      const half = opts.taxRate / 2;
      taxLines.push({ label: 'CGST', rate: half, base, amount: round(base * half) });
      taxLines.push({ label: 'SGST', rate: half, base, amount: round(base * half) });
    } else taxLines.push({ label: opts.taxLabel, rate: opts.taxRate, base, amount: round(base * opts.taxRate) });
  }
  const tax = taxLines.reduce((s, t) => s + t.amount, 0);
  const total = subtotal - discount + shipping + tax;
  return {
    subtotal,
    discount,
    shipping,
    taxLines,
    tax,
    total,
    previousBalance: 0,
    paymentsReceived: 0,
    adjustments: 0,
    paid: 0,
    refund: 0,
    due: total,
    change: 0,
  };
}

function finishDue(l: Ledger): void {
  l.due = l.total + l.previousBalance - l.paymentsReceived - l.paid - l.adjustments - l.refund;
}

function qrPayloadFor(r: Rng, d: Omit<InvoiceData, 'qrPayload'> | InvoiceData, totalText: string): string {
  const host = (d.supplier.web || 'www.example.com').replace(/^www\./, '');
  switch (r.int(0, 3)) {
    case 0:
      return `https://pay.${host}/i/${encodeURIComponent(d.invoiceNumber)}?amt=${totalText}`;
    case 1:
      return d.bank.iban
        ? `BCD*002*1*SCT*${d.bank.bic || 'NOTPROVIDED'}*${d.bank.iban}*${d.money.currency}${totalText}*${encodeURIComponent(d.invoiceNumber)}`
        : `https://${host}/verify/${r.alnum(16)}`;
    case 2:
      return `https://${host}/verify/${r.alnum(16)}`;
    default:
      return `V0;${d.supplier.taxId.replace(/\s+/g, '')};${d.invoiceNumber.replace(/\s+/g, '')};${totalText};${r.alnum(12)}`;
  }
}

function humanise(entity: string): string {
  return entity
    .toLowerCase()
    .split('_')
    .map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ');
}

/** Build the content of one document. */
export function buildInvoiceData(r: Rng, o: DataOptions): InvoiceData {
  const rates = { ...COMMON, ...(DOMAIN_RATES[o.domain] ?? {}), ...(o.rates ?? {}) };
  const shown = new Set<string>();
  for (const e of o.allowed) {
    const p = rates[e];
    if (p !== undefined && r.chance(p)) shown.add(e);
  }
  const has = (e: string) => shown.has(e);
  const loc = LOCALE_BY_ID.get(r.pick(o.locales))!;
  const lang = loc.lang;
  const mark: CurrencyMark = o.mark ?? r.weighted<CurrencyMark>(['symbol', 'code', 'none'], [0.5, 0.2, 0.3]);
  const money = moneyStyle(loc, mark, { negative: r.chance(0.2) ? 'parens' : 'minus' });
  const datePattern = r.pick(loc.datePatterns);
  const invoiceDate = ymdToDay(2021, 1, 1) + r.int(0, 365 * 5 - 1);
  const termsDays = r.pick([7, 10, 14, 14, 15, 30, 30, 30, 45, 60]);
  const year = new Date(invoiceDate * 86400000).getUTCFullYear();

  const crossBorder = ['general', 'saas', 'logistics', 'government'].includes(o.domain) && r.chance(0.2);
  const buyerLoc = crossBorder ? LOCALE_BY_ID.get(r.pick(['en-GB', 'de-DE', 'fr-FR', 'nl-NL', 'en-US', 'it-IT', 'es-ES']))! : loc;
  const supplier = party(r, loc, true, crossBorder || r.chance(0.15));
  const personBuyer = o.domain === 'healthcare' || ((o.domain === 'telecom' || o.domain === 'utilities') && r.chance(0.65));
  const buyer = party(r, buyerLoc, !personBuyer, crossBorder);
  const shipTo = postalAddress(r, buyerLoc, crossBorder).lines;
  if (r.chance(0.5)) shipTo.unshift(r.chance(0.5) ? buyer.name : `Attn: ${buyer.contact}`);

  const ibanCountry = loc.ibanCountry ?? (r.chance(0.15) ? r.pick(IBAN_COUNTRIES) : null);
  const bank = {
    iban: ibanCountry ? makeIban(r, ibanCountry) : '',
    bic: makeBic(r, ibanCountry ?? loc.country),
    holder: supplier.name,
    bankName: r.pick([
      'First Commerce Bank',
      'Deutsche Bank',
      'Commerzbank',
      'BNP Paribas',
      'ING',
      'Rabobank',
      'UniCredit',
      'Barclays',
      'HSBC',
      'Sparkasse',
      'Banco Santander',
      'Westpac',
      'HDFC Bank',
      'RBC Royal Bank',
    ]),
    domestic:
      loc.country === 'US'
        ? `ABA ${r.digits(9)} / Acct ${r.digits(10)}`
        : loc.country === 'AU'
          ? `BSB ${r.digits(3)}-${r.digits(3)} / Acct ${r.digits(8)}`
          : loc.country === 'IN'
            ? `IFSC ${r.letters(4)}0${r.digits(6)} / A/c ${r.digits(12)}`
            : `Transit ${r.digits(5)} / Acct ${r.digits(7)}`,
  };
  if (!bank.iban) shown.delete('IBAN');

  const taxRate = r.pick(loc.taxRates);
  const reverseCharge =
    crossBorder && loc.ibanCountry !== null && buyerLoc.ibanCountry !== null && loc.country !== buyerLoc.country && r.chance(0.5);
  if (reverseCharge) shown.add('BUYER_VAT_ID');

  const d: InvoiceData = {
    domain: o.domain,
    variant: o.variant ?? '',
    locale: loc,
    lang,
    money,
    datePattern,
    has,
    docTypeKey: 'invoice',
    invoiceNumber: makeInvoiceNumber(r, year),
    invoiceDate,
    dueDate: addDaysClamp(invoiceDate, termsDays),
    termsDays,
    poNumber: makePoNumber(r),
    reference: makeReference(r),
    currencyText: r.chance(0.7) ? loc.currency : `${loc.currency} (${loc.symbol})`,
    supplier,
    buyer,
    shipTo,
    items: [],
    ledger: computeLedger([], { discountRate: 0, shipping: 0, taxRate: 0, taxLabel: loc.taxName, perRowTax: false }),
    bank,
    paymentTerms: PAY_TERMS[lang](termsDays, r),
    status: '',
    creditNote: makeCreditNoteNumber(r, year),
    notes: r.pick(C.NOTES),
    terms: r.pick(C.TERMS),
    qrPayload: '',
    watermark: r.pick(['COPY', 'DRAFT', 'ORIGINAL', 'DUPLICATE', 'COPIE', 'KOPIE']),
    stampText: '',
    reverseCharge,
    periodStart: 0,
    periodEnd: 0,
    plan: '',
    seats: 0,
    subscriptionId: '',
    renewalDate: 0,
    accountNumber: r.pick([
      r.digits(10),
      `${r.digits(3)}-${r.digits(3)}-${r.digits(4)}`,
      `${r.letters(2)}${r.digits(8)}`,
      `${r.digits(4)} ${r.digits(4)} ${r.digits(2)}`,
    ]),
    lines: [],
    calls: [],
    waybill: makeWaybill(r),
    origin: '',
    destination: '',
    weightKg: 0,
    carrier: r.pick(C.CARRIERS),
    incoterms: '',
    goods: r.pick(C.GOODS),
    packages: r.int(1, 40),
    meters: [],
    patientId: r.pick([`MRN ${r.digits(8)}`, `P${r.digits(7)}`, `${r.digits(3)}-${r.digits(2)}-${r.digits(4)}`, `PT-${r.digits(6)}`]),
    diagnoses: [],
    insurer: r.pick(C.INSURERS),
    contractNumber: makeContractNumber(r, year),
    cageCode: makeCageCode(r),
    agency: r.pick(C.AGENCIES),
    cashier: r.pick([String(r.int(1, 999)), `${r.int(10, 99)}`, r.pick(buyerLoc.firstNames), `#${r.int(100, 9999)}`, `OP${r.int(1, 40)}`]),
    register: r.pick([String(r.int(1, 12)), `0${r.int(1, 9)}`, `POS-${r.int(1, 20)}`, `T${r.int(1, 9)}`]),
    time: `${String(r.int(7, 21)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}${r.chance(0.5) ? ':' + String(r.int(0, 59)).padStart(2, '0') : ''}`,
    extras: [],
  };

  const nItems = o.items ?? [1, 12];
  const split = loc.country === 'IN';
  const ledgerOpts = { discountRate: 0, shipping: 0, taxRate: reverseCharge ? 0 : taxRate, taxLabel: loc.taxName, split, perRowTax: false };
  switch (o.domain) {
    case 'saas':
      buildSaas(r, d, shown, nItems, ledgerOpts);
      break;
    case 'telecom':
      buildTelecom(r, d, shown, nItems, ledgerOpts);
      break;
    case 'logistics':
      buildLogistics(r, d, shown, nItems, ledgerOpts);
      break;
    case 'utilities':
      buildUtilities(r, d, shown, ledgerOpts);
      break;
    case 'healthcare':
      buildHealthcare(r, d, shown, nItems, ledgerOpts);
      break;
    case 'government':
      buildGovernment(r, d, shown, nItems, ledgerOpts);
      break;
    case 'pos':
      buildPos(r, d, shown, nItems, ledgerOpts);
      break;
    default:
      buildGeneral(r, d, shown, nItems, ledgerOpts);
  }

  const l = d.ledger;
  if (shown.has('AMOUNT_PAID') && l.paid === 0 && o.domain !== 'pos')
    l.paid = r.chance(0.3) ? l.total - l.refund : round((l.total * r.int(10, 60)) / 100);
  if (shown.has('REFUND_AMOUNT') && o.domain !== 'pos') {
    l.refund = round(l.total * r.float(0.03, 0.3));
    shown.add('CREDIT_NOTE_NUMBER');
  }
  if (o.domain !== 'pos') finishDue(l);
  d.status =
    l.paid >= l.total - l.refund && l.paid > 0
      ? 'PAID'
      : l.paid > 0
        ? r.pick(['PARTIALLY PAID', 'PARTIAL'])
        : r.pick(['UNPAID', 'OPEN', 'DUE', 'OVERDUE']);
  const totalText = (l.total / 100).toFixed(2);
  d.qrPayload = qrPayloadFor(r, d, totalText);
  const stampDate = formatDate(d.invoiceDate + r.int(1, 20), r.pick(['DD.MM.YYYY', 'D MMM YYYY', 'YYYY-MM-DD']), 'en').toUpperCase();
  d.stampText = r.pick([
    `PAID ${stampDate}`,
    `RECEIVED ${stampDate}`,
    'APPROVED',
    `ENTERED ${stampDate}`,
    'POSTED',
    `VERIFIED ${stampDate}`,
  ]);
  if (shown.has('DISCOUNT') && l.discount === 0) shown.delete('DISCOUNT');
  if (!shown.has('SUBTOTAL') && (shown.has('DISCOUNT') || shown.has('SHIPPING_AMOUNT'))) shown.add('SUBTOTAL');
  for (const e of o.extraEntities)
    if (r.chance(0.3))
      d.extras.push({ entity: e, value: `${humanise(e)}|${r.pick([r.alnum(8), r.digits(6), `${r.letters(3)}-${r.digits(4)}`])}` });
  return d;
}

// ---- domains ----------------------------------------------------------------------------------

type LedgerOpts = Parameters<typeof computeLedger>[1];

function itemsFrom(r: Rng, catalog: C.CatalogItem[], n: number, taxRate: number): LineItem[] {
  const picks = r.sample(catalog, n);
  while (picks.length < n) picks.push(r.pick(catalog));
  return picks.map((c, i) => makeItem(r, c, i + 1, taxRate));
}

function buildGeneral(r: Rng, d: InvoiceData, shown: Set<string>, n: [number, number], lo: LedgerOpts): void {
  const items = itemsFrom(r, C.GENERAL_ITEMS, r.int(n[0], n[1]), lo.taxRate);
  for (const it of items)
    it.code = r.pick([
      `${r.letters(2)}-${r.digits(4)}`,
      r.digits(6),
      `${r.letters(3)}${r.digits(3)}`,
      `${r.digits(3)}.${r.digits(3)}.${r.digits(2)}`,
    ]);
  if (shown.has('ITEM_DISCOUNT')) for (const it of items) if (r.chance(0.5)) applyRowDiscount(r, it);
  if (shown.has('ITEM_TAX_RATE')) {
    lo.perRowTax = !lo.split && !d.reverseCharge;
    const rates = d.locale.taxRates;
    for (const it of items) it.taxRate = lo.perRowTax ? r.pick(rates) : lo.taxRate;
  }
  if (shown.has('ITEM_DATE')) for (const it of items) it.date = d.invoiceDate - r.int(1, 25);
  if (shown.has('ITEM_GROUP_HEADER')) items.sort((a, b) => (a.group ?? '').localeCompare(b.group ?? ''));
  if (shown.has('LOT_NUMBER')) for (const it of items) if (r.chance(0.6)) it.lot = makeLotNumber(r, 2024);
  if (shown.has('BATCH_NUMBER')) for (const it of items) if (r.chance(0.6)) it.batch = makeBatchNumber(r);
  if (shown.has('SERIAL_NUMBER')) for (const it of items) if (r.chance(0.6)) it.serial = makeSerialNumber(r);
  items.forEach((it, i) => (it.no = String(i + 1)));
  d.items = items;
  if (lo.perRowTax) {
    shown.delete('DISCOUNT');
    shown.delete('SHIPPING_AMOUNT');
  }
  lo.discountRate = shown.has('DISCOUNT') ? r.pick([0.02, 0.03, 0.05, 0.1, 0.15]) : 0;
  lo.shipping = shown.has('SHIPPING_AMOUNT') ? r.int(5, 250) * 100 + r.pick([0, 50, 95, 99]) : 0;
  d.ledger = computeLedger(items, lo);
}

function applyRowDiscount(r: Rng, it: LineItem): void {
  const gross = rowTotal(it.qty, it.unitPrice, 0);
  it.discount = Math.max(1, round(gross * r.pick([0.05, 0.1, 0.15, 0.2])));
  it.total = gross - it.discount;
}

function buildSaas(r: Rng, d: InvoiceData, shown: Set<string>, n: [number, number], lo: LedgerOpts): void {
  const product = r.pick(C.SAAS_PRODUCTS);
  renameSupplier(r, d, `${product} ${r.pick(d.locale.legalForms)}`);
  d.supplier.email = `billing@${product.toLowerCase()}.${r.pick(['com', 'io', 'app', 'cloud'])}`;
  d.supplier.web = d.supplier.email.replace('billing@', 'www.');
  d.plan = `${product} ${r.pick(C.SAAS_PLANS)}${r.chance(0.3) ? ' (annual)' : ''}`;
  d.seats = r.pick([1, 3, 5, 10, 12, 25, 40, 50, 100, 250]);
  const annual = d.plan.endsWith('(annual)');
  d.periodStart = d.invoiceDate - r.int(0, 3);
  d.periodEnd = d.periodStart + (annual ? 364 : r.pick([29, 30]));
  d.renewalDate = d.periodEnd + 1;
  d.subscriptionId = r.pick([`sub_${r.alnum(14)}`, `SUB-${r.digits(6)}`, `${r.letters(2)}-${r.digits(8)}`, `A-${r.digits(7)}`]);
  d.termsDays = r.pick([0, 0, 7, 14, 30]);
  d.dueDate = d.invoiceDate + Math.max(1, d.termsDays);
  const perSeat = roundTo(r.logUniform(4, annual ? 900 : 90), 2);
  const items: LineItem[] = [
    {
      no: '1',
      code: '',
      description: `${d.plan} - ${d.seats === 1 ? 'single user' : 'per seat'}`,
      qty: d.seats,
      qtyDecimals: 0,
      unit: 'seat',
      unitPrice: perSeat,
      priceDecimals: 2,
      discount: 0,
      taxRate: lo.taxRate,
      total: rowTotal(d.seats, perSeat, 0),
    },
  ];
  const addons = r.int(Math.max(0, n[0] - 1), Math.min(4, n[1] - 1));
  for (const c of r.sample(C.SAAS_ADDONS, addons)) items.push(makeItem(r, c, items.length + 1, lo.taxRate));
  d.items = items;
  lo.discountRate = shown.has('DISCOUNT') ? r.pick([0.1, 0.15, 0.2, 0.25]) : 0;
  d.ledger = computeLedger(items, lo);
}

function buildTelecom(r: Rng, d: InvoiceData, shown: Set<string>, n: [number, number], lo: LedgerOpts): void {
  renameSupplier(
    r,
    d,
    `${r.pick(['Telco', 'Vox', 'Nordnet', 'Skyline', 'Orbit', 'Pulse', 'Wavelink', 'Celeste'])} ${r.pick(['Mobile', 'Telecom', 'Communications', 'Networks', 'Fibre'])} ${r.pick(d.locale.legalForms)}`,
  );
  const nLines = d.variant === 'multiline' ? r.int(3, 8) : r.chance(0.15) ? 2 : 1;
  d.periodEnd = d.invoiceDate - r.int(1, 6);
  d.periodStart = d.periodEnd - r.pick([29, 30]);
  d.termsDays = r.pick([10, 14, 14, 21]);
  d.dueDate = d.invoiceDate + d.termsDays;
  d.plan = r.pick(C.TELECOM_PLANS);
  const mobile = () =>
    d.locale.country === 'US' || d.locale.country === 'CA'
      ? `(${r.int(201, 989)}) ${r.digits(3)}-${r.digits(4)}`
      : d.locale.country === 'GB'
        ? `07${r.digits(3)} ${r.digits(6)}`
        : d.locale.country === 'DE'
          ? `01${r.int(51, 79)} ${r.digits(7)}`
          : `+${r.pick(['33', '34', '31', '39', '61', '91'])} ${r.digits(3)} ${r.digits(3)} ${r.digits(3)}`;
  for (let i = 0; i < nLines; i++) {
    d.lines.push({
      number: mobile(),
      plan: i === 0 ? d.plan : r.pick(C.TELECOM_PLANS),
      dataGb: roundTo(r.logUniform(0.2, 80), 2),
      minutes: r.int(0, 1400),
      sms: r.int(0, 300),
    });
  }
  const items: LineItem[] = [];
  d.lines.forEach((ln, li) => {
    const fee = roundTo(r.float(9, 79), 2);
    items.push({
      no: '',
      code: '',
      description: `${ln.plan} monthly fee`,
      qty: 1,
      qtyDecimals: 0,
      unit: 'month',
      unitPrice: fee,
      priceDecimals: 2,
      discount: 0,
      taxRate: lo.taxRate,
      total: rowTotal(1, fee, 0),
      line: li,
    });
    const extra = r.int(0, Math.min(3, n[1]));
    for (const c of r.sample(C.TELECOM_CHARGES, extra)) items.push({ ...makeItem(r, c, 0, lo.taxRate), line: li });
  });
  // itemised calls outside the bundle: each call costs whole minutes x a rate in whole cents, so the sum is exact
  if (r.chance(0.6)) {
    const rateCents = r.int(9, 49);
    const nCalls = r.int(12, 110);
    let minutes = 0;
    for (let i = 0; i < nCalls; i++) {
      const m = r.int(0, 24);
      const s = r.int(1, 59);
      const billed = m + 1;
      minutes += billed;
      d.calls.push({
        day: d.periodStart + r.int(0, d.periodEnd - d.periodStart),
        time: `${String(r.int(7, 22)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}`,
        number: `+${r.pick(['44', '49', '33', '1', '34', '91', '61'])} ${r.digits(3)} ${r.digits(3)} ${r.digits(4)}`,
        minutes: m,
        seconds: s,
        cost: billed * rateCents,
        kind: r.pick(['Voice intl', 'Voice roaming', 'Voice premium']),
      });
    }
    d.calls.sort((a, b) => a.day - b.day || a.time.localeCompare(b.time));
    items.push({
      no: '',
      code: '',
      description: 'Calls outside your bundle (see itemised list)',
      qty: minutes,
      qtyDecimals: 0,
      unit: 'min',
      unitPrice: rateCents / 100,
      priceDecimals: 2,
      discount: 0,
      taxRate: lo.taxRate,
      total: minutes * rateCents,
      line: 0,
    });
  }
  items.forEach((it, i) => (it.no = String(i + 1)));
  d.items = items;
  d.ledger = computeLedger(items, lo);
  const l = d.ledger;
  if (shown.has('PREVIOUS_BALANCE')) {
    l.previousBalance = round(l.total * r.float(0.6, 1.4));
    l.paymentsReceived = r.chance(0.85) ? l.previousBalance : 0;
  }
}

function buildLogistics(r: Rng, d: InvoiceData, shown: Set<string>, n: [number, number], lo: LedgerOpts): void {
  renameSupplier(
    r,
    d,
    r.chance(0.6)
      ? `${r.pick(C.CARRIERS)} ${r.pick(d.locale.legalForms)}`
      : companyName(r, d.locale, ['Logistics', 'Forwarding', 'Freight Services', 'Shipping', 'Spedition', 'Cargo']),
  );
  const ports = r.sample(C.PORTS, 2);
  d.origin = ports[0];
  d.destination = ports[1];
  d.weightKg = roundTo(r.logUniform(12, 24000), 1);
  d.incoterms = `${r.pick(C.INCOTERMS)}${r.chance(0.6) ? ' ' + ports[r.int(0, 1)].split(',')[0] : ''}`;
  if (d.variant === 'courier') {
    d.origin = `${d.supplier.address[d.supplier.address.length - 1]}`;
    const ship = courierShipments(r, d, r.int(n[0], n[1]), lo.taxRate);
    d.items = ship;
    d.weightKg = roundTo(
      ship.reduce((s, it) => s + (it.weightKg ?? 0), 0),
      1,
    );
    d.ledger = computeLedger(ship, lo);
    return;
  }
  const items: LineItem[] = [];
  const nCharges = r.int(Math.max(2, n[0]), Math.min(8, n[1]));
  for (const c of r.sample(C.LOGISTICS_CHARGES, nCharges)) {
    const it = makeItem(r, c, 0, lo.taxRate);
    if (c.u === 'kg') {
      it.qty = d.weightKg;
      it.qtyDecimals = 1;
      it.total = rowTotal(it.qty, it.unitPrice, 0);
    }
    items.push(it);
  }
  if (shown.has('ITEM_DATE')) for (const it of items) it.date = d.invoiceDate - r.int(1, 20);
  items.forEach((it, i) => (it.no = String(i + 1)));
  d.items = items;
  lo.shipping = shown.has('SHIPPING_AMOUNT') ? r.int(20, 300) * 100 : 0;
  d.ledger = computeLedger(items, lo);
}

/** Courier statements: many shipments, one row each (used by the statement family). */
export function courierShipments(r: Rng, d: InvoiceData, count: number, taxRate: number): LineItem[] {
  const items: LineItem[] = [];
  for (let i = 0; i < count; i++) {
    const kg = roundTo(r.logUniform(0.3, 60), 1);
    const perKg = roundTo(r.float(1.2, 6.5), 2);
    items.push({
      no: String(i + 1),
      code: '',
      description: r.pick(['Express 12:00', 'Economy', 'Express', 'Same day', 'Standard parcel', 'Pallet']),
      qty: kg,
      qtyDecimals: 1,
      unit: 'kg',
      unitPrice: perKg,
      priceDecimals: 2,
      discount: 0,
      taxRate,
      total: rowTotal(kg, perKg, 0),
      date: d.invoiceDate - r.int(1, 30),
      waybill: makeWaybill(r),
      destination: r.pick(C.PORTS),
      weightKg: kg,
    });
  }
  items.sort((a, b) => (a.date ?? 0) - (b.date ?? 0));
  items.forEach((it, i) => (it.no = String(i + 1)));
  return items;
}

function buildUtilities(r: Rng, d: InvoiceData, shown: Set<string>, lo: LedgerOpts): void {
  const kinds = C.TARIFFS.filter((x) => !d.variant || x.kind === d.variant);
  const t = r.pick(kinds.length ? kinds : C.TARIFFS);
  renameSupplier(
    r,
    d,
    `${r.pick(['City', 'Metro', 'Regional', 'North', 'Green', 'Stadtwerke', 'Valley', 'Coastal'])} ${t.kind === 'water' ? r.pick(['Water', 'Wasser', 'Water Services']) : t.kind === 'gas' ? r.pick(['Gas', 'Energy', 'Gas & Power']) : r.pick(['Energy', 'Power', 'Electric', 'Energie'])} ${r.pick(d.locale.legalForms)}`,
  );
  d.periodEnd = d.invoiceDate - r.int(2, 10);
  d.periodStart = d.periodEnd - r.pick([29, 30, 60, 89, 91]);
  d.termsDays = r.pick([14, 14, 21, 30]);
  d.dueDate = d.invoiceDate + d.termsDays;
  const nMeters = t.kind === 'electricity' && r.chance(0.25) ? 2 : 1;
  const items: LineItem[] = [];
  const meterNo =
    t.kind === 'electricity'
      ? r.pick([`${r.digits(2)} ${r.digits(3)} ${r.digits(3)}`, `1ESY${r.digits(10)}`, `Z${r.digits(8)}`])
      : r.pick([`G${r.digits(8)}`, `${r.digits(8)}`, `W-${r.digits(7)}`]);
  for (let i = 0; i < nMeters; i++) {
    const usageDec = t.unit === 'm³' ? 1 : 0;
    const usage = roundTo(r.float(t.usage[0], t.usage[1]), usageDec);
    const previous = roundTo(r.float(1000, 98000), usageDec);
    const current = roundTo(previous + usage, usageDec);
    const rate = roundTo(r.float(t.rate[0], t.rate[1]), 4);
    const reg = nMeters === 2 ? (i === 0 ? 'Day' : 'Night') : '';
    d.meters.push({ number: meterNo, previous, current, usage: roundTo(current - previous, usageDec), unit: t.unit, rate, register: reg });
    items.push({
      no: '',
      code: '',
      description: `${t.kind === 'water' ? 'Water supply' : t.kind === 'gas' ? 'Gas consumption' : 'Electricity'}${reg ? ' (' + reg.toLowerCase() + ' rate)' : ''}`,
      qty: roundTo(current - previous, usageDec),
      qtyDecimals: usageDec,
      unit: t.unit,
      unitPrice: rate,
      priceDecimals: 4,
      discount: 0,
      taxRate: lo.taxRate,
      total: rowTotal(roundTo(current - previous, usageDec), rate, 0),
    });
  }
  for (const c of r.sample(C.UTILITY_FEES, r.int(1, 3))) {
    if (c.d === 'Sewerage charge' && t.kind !== 'water') continue;
    const it = makeItem(r, c, 0, lo.taxRate);
    if (c.u === 'day') {
      it.qty = d.periodEnd - d.periodStart + 1;
      it.unitPrice = roundTo(r.float(c.p[0], c.p[1]), 4);
      it.priceDecimals = 4;
      it.total = rowTotal(it.qty, it.unitPrice, 0);
    }
    items.push(it);
  }
  items.forEach((it, i) => (it.no = String(i + 1)));
  d.items = items;
  d.ledger = computeLedger(items, lo);
  const l = d.ledger;
  if (shown.has('PREVIOUS_BALANCE')) {
    l.previousBalance = round(l.total * r.float(0.5, 1.5));
    l.paymentsReceived = r.chance(0.8) ? l.previousBalance : 0;
  }
  if (shown.has('AMOUNT_PAID')) l.paid = round(l.total * r.float(0.5, 0.95));
}

function buildHealthcare(r: Rng, d: InvoiceData, shown: Set<string>, n: [number, number], lo: LedgerOpts): void {
  renameSupplier(
    r,
    d,
    r.pick([
      `${r.pick(d.locale.lastNames)} Family Practice`,
      `${r.pick(['St. Mary', 'Riverside', 'Mercy', 'Lakeside', 'Northview', 'Sankt Josef'])} ${r.pick(['Hospital', 'Medical Center', 'Clinic', 'Klinikum'])}`,
      `Dr. ${personName(r, d.locale)}`,
      `${r.pick(['Summit', 'Harbor', 'Unity', 'CityCare'])} Health ${r.pick(['Partners', 'Group', 'Associates'])}`,
    ]),
  );
  d.diagnoses = r.sample(C.ICD10, r.int(1, 3)).map((x) => ({ code: x.code, d: x.d }));
  const count = r.int(Math.max(1, n[0]), Math.min(n[1], 12));
  const items: LineItem[] = [];
  const visit = d.invoiceDate - r.int(5, 40);
  for (const p of r.sample(C.CPT, count)) {
    const price = roundTo(r.float(p.p![0], p.p![1]), 2);
    const qty = p.code === '97110' || p.code === '99232' ? r.int(1, 4) : 1;
    items.push({
      no: '',
      code: p.code,
      description: p.d,
      qty,
      qtyDecimals: 0,
      unit: '',
      unitPrice: price,
      priceDecimals: 2,
      discount: 0,
      taxRate: 0,
      total: rowTotal(qty, price, 0),
      date: visit + r.int(0, 3),
      procedure: p.code,
      diagnosis: r.pick(d.diagnoses).code,
      group: r.pick(C.HOSPITAL_DEPARTMENTS),
    });
  }
  if (shown.has('LOT_NUMBER') || shown.has('BATCH_NUMBER')) {
    const it = items[0];
    if (shown.has('LOT_NUMBER')) it.lot = makeLotNumber(r, 2024);
    if (shown.has('BATCH_NUMBER')) it.batch = makeBatchNumber(r);
  }
  if (shown.has('ITEM_GROUP_HEADER')) items.sort((a, b) => (a.group ?? '').localeCompare(b.group ?? '') || (a.date ?? 0) - (b.date ?? 0));
  else items.sort((a, b) => (a.date ?? 0) - (b.date ?? 0));
  items.forEach((it, i) => (it.no = String(i + 1)));
  d.items = items;
  shown.delete('TAX_RATE');
  lo.taxRate = 0;
  lo.split = false;
  lo.discountRate = shown.has('DISCOUNT') ? r.pick([0.1, 0.15, 0.2, 0.3]) : 0;
  d.ledger = computeLedger(items, lo);
  const l = d.ledger;
  if (d.ledger.tax === 0) shown.delete('TAX');
  l.adjustments = r.chance(0.7) ? round(l.total * r.float(0.4, 0.8)) : 0;
  if (shown.has('AMOUNT_PAID')) l.paid = round((l.total - l.adjustments) * r.float(0.05, 0.4));
}

function buildGovernment(r: Rng, d: InvoiceData, shown: Set<string>, n: [number, number], lo: LedgerOpts): void {
  d.buyer.name = d.agency;
  const items = itemsFrom(r, C.GOV_ITEMS, r.int(n[0], n[1]), lo.taxRate);
  const clinStyle = r.int(0, 2);
  items.forEach((it, i) => {
    it.no = clinStyle === 0 ? String(i + 1).padStart(4, '0') : clinStyle === 1 ? `000${i + 1}AA` : String(i + 1);
    it.unit = r.chance(0.8) ? it.unit : it.unit.toLowerCase();
    if (shown.has('LOT_NUMBER') && r.chance(0.6)) it.lot = makeLotNumber(r, 2024);
    if (shown.has('SERIAL_NUMBER') && it.unit === 'EA' && r.chance(0.7)) it.serial = makeSerialNumber(r);
    it.code = r.chance(0.5) ? `${r.digits(4)}-${r.digits(2)}-${r.digits(3)}-${r.digits(4)}` : '';
  });
  d.items = items;
  const federal = d.locale.country === 'US';
  if (federal) {
    lo.taxRate = 0;
    shown.delete('TAX_RATE');
    shown.delete('ITEM_TAX_RATE');
  } else if (shown.has('ITEM_TAX_RATE')) {
    lo.perRowTax = !lo.split;
  }
  d.ledger = computeLedger(items, lo);
  if (d.ledger.tax === 0) shown.delete('TAX');
}

function buildPos(r: Rng, d: InvoiceData, shown: Set<string>, n: [number, number], lo: LedgerOpts): void {
  const restaurant = d.variant === 'restaurant';
  renameSupplier(
    r,
    d,
    `${r.pick(restaurant ? C.RESTAURANT_NAMES : C.SHOP_NAMES)}${r.chance(0.4) ? ' ' + r.pick(d.locale.legalForms) : ''}`,
  );
  d.invoiceNumber = r.pick([r.digits(r.int(4, 6)), `${r.digits(4)}-${r.digits(4)}`, `${r.int(1, 99)}/${r.digits(5)}`, `R${r.digits(7)}`]);
  const cat = restaurant ? C.RESTAURANT_ITEMS : C.GROCERY_ITEMS;
  const items = itemsFrom(r, cat, r.int(n[0], n[1]), lo.taxRate);
  for (const it of items) {
    it.code = r.digits(13);
    it.unit = it.unit || '';
    if (shown.has('ITEM_DISCOUNT') && r.chance(0.25)) applyRowDiscount(r, it);
  }
  d.items = items;
  lo.discountRate = shown.has('DISCOUNT') ? r.pick([0.05, 0.1]) : 0;
  // POS prices include tax: the tax is shown as the part contained in the total
  d.ledger = computeLedger(items, lo);
  const l = d.ledger;
  if (shown.has('REFUND_AMOUNT')) l.refund = Math.min(l.total - 1, round(r.float(0.5, 12) * 100));
  const toPay = l.total - l.refund;
  const cash = r.chance(0.45);
  l.paid = cash ? Math.ceil(toPay / 500) * 500 + r.pick([0, 0, 500, 1000, 2000]) : toPay;
  l.change = l.paid - toPay;
  l.due = 0;
  d.paymentTerms = cash ? 'CASH' : r.pick(['VISA', 'MASTERCARD', 'DEBIT CARD', 'EC-KARTE', 'AMEX', 'CONTACTLESS']);
}
