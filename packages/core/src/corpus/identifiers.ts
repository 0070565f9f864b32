/**
 * Identifiers in their real formats, with real check digits where the format has them: IBAN (ISO 13616
 * mod 97), SWIFT/BIC, VAT and tax ids of several countries (German, British, French, Italian check digits,
 * Australian ABN, Indian GSTIN), US CAGE codes, waybill numbers (UPS 1Z, IATA air waybill mod 7), and the
 * document numbers invoices carry.
 */
import type { Rng } from './prng.js';

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = DIGITS + UPPER;

// ---- IBAN -------------------------------------------------------------------------------------

/** BBAN layouts: n = digits, a = upper letters, c = alphanumerics. */
const BBAN: Record<string, string> = {
  DE: '18n',
  GB: '4a14n',
  FR: '10n11c2n',
  ES: '20n',
  NL: '4a10n',
  IT: '1a10n12c',
  CH: '5n12c',
  BE: '12n',
  AT: '16n',
  IE: '4a14n',
  PL: '24n',
};

export const IBAN_COUNTRIES = Object.keys(BBAN);

function fromLayout(r: Rng, layout: string): string {
  let out = '';
  for (const m of layout.matchAll(/(\d+)([nac])/g)) {
    const n = Number(m[1]);
    out += r.chars(n, m[2] === 'n' ? DIGITS : m[2] === 'a' ? UPPER : ALNUM);
  }
  return out;
}

/** ISO 7064 mod 97 of a string of digits and letters (A = 10 ... Z = 35). */
export function mod97(s: string): number {
  let rem = 0;
  for (const ch of s) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem;
}

export function ibanCheckDigits(country: string, bban: string): string {
  return String(98 - mod97(bban + country + '00')).padStart(2, '0');
}

/** A random IBAN with valid check digits (electronic form, no spaces). */
export function makeIban(r: Rng, country: string): string {
  const layout = BBAN[country] ?? BBAN.DE;
  const bban = fromLayout(r, layout);
  return country + ibanCheckDigits(country, bban) + bban;
}

/** True when the IBAN (spaces allowed) has valid check digits. */
export function isValidIban(iban: string): boolean {
  const s = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$/.test(s)) return false;
  return mod97(s.slice(4) + s.slice(0, 4)) === 1;
}

/** Paper form: groups of four. */
export function groupIban(iban: string): string {
  return iban.replace(/(.{4})/g, '$1 ').trim();
}

// ---- SWIFT / BIC ------------------------------------------------------------------------------

const BANK_CODES = [
  'DEUT',
  'COBA',
  'BNPA',
  'SOGE',
  'CAIX',
  'BBVA',
  'INGB',
  'RABO',
  'UNCR',
  'BCIT',
  'UBSW',
  'CRES',
  'BARC',
  'HSBC',
  'NWBK',
  'ABNA',
  'KRED',
  'GENO',
  'RZBA',
  'BOFI',
];

export function makeBic(r: Rng, country: string): string {
  const base = r.pick(BANK_CODES) + country + r.chars(2, 'ABCDEFGHJKLMNPRSTUVWXYZ23456789');
  return r.chance(0.45) ? base + (r.chance(0.6) ? 'XXX' : r.chars(3, ALNUM)) : base;
}

export function isValidBic(bic: string): boolean {
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic);
}

// ---- tax ids ----------------------------------------------------------------------------------

function luhnCheck(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function germanVat(r: Rng): string {
  const body = String(r.int(1, 9)) + r.digits(7);
  let product = 10;
  for (const ch of body) {
    let sum = (Number(ch) + product) % 10;
    if (sum === 0) sum = 10;
    product = (2 * sum) % 11;
  }
  let check = 11 - product;
  if (check === 10) check = 0;
  return `DE${body}${check}`;
}

function britishVat(r: Rng): string {
  for (;;) {
    const body = String(r.int(1, 9)) + r.digits(6);
    let total = 0;
    for (let i = 0; i < 7; i++) total += Number(body[i]) * (8 - i);
    const check = (97 - (total % 97)) % 97;
    if (check < 100) return `GB${body}${String(check).padStart(2, '0')}`;
  }
}

function frenchVat(r: Rng): string {
  const sirenBody = String(r.int(1, 9)) + r.digits(7);
  const siren = sirenBody + String(luhnCheck(sirenBody));
  const key = (12 + 3 * (Number(siren) % 97)) % 97;
  return `FR${String(key).padStart(2, '0')}${siren}`;
}

function italianVat(r: Rng): string {
  const body = r.digits(7) + String(r.int(1, 100)).padStart(3, '0');
  return `IT${body}${luhnCheck(body)}`;
}

/** Australian Business Number with a valid checksum (weights 10,1,3,...,19, mod 89). */
export function makeAbn(r: Rng): string {
  const W = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
  const tail = r.digits(9);
  for (let lead = 10; lead < 100; lead++) {
    const s = String(lead) + tail;
    let sum = 0;
    for (let i = 0; i < 11; i++) sum += (Number(s[i]) - (i === 0 ? 1 : 0)) * W[i];
    if (sum % 89 === 0) return `${s.slice(0, 2)} ${s.slice(2, 5)} ${s.slice(5, 8)} ${s.slice(8)}`;
  }
  return makeAbn(r);
}

/** Indian GSTIN: state code, PAN, entity number, Z, checksum (base 36). */
export function makeGstin(r: Rng): string {
  const body = String(r.int(1, 37)).padStart(2, '0') + r.letters(5) + r.digits(4) + r.letters(1) + String(r.int(1, 9)) + 'Z';
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    const p = ALNUM.indexOf(body[i]) * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(p / 36) + (p % 36);
  }
  return body + ALNUM[(36 - (sum % 36)) % 36];
}

/** A tax id in the format of the country (VAT number, EIN, ABN, GSTIN, BN). */
export function makeTaxId(r: Rng, country: string): string {
  switch (country) {
    case 'DE':
      return germanVat(r);
    case 'GB':
      return britishVat(r);
    case 'FR':
      return frenchVat(r);
    case 'IT':
      return italianVat(r);
    case 'ES':
      return `ES${r.pick(['A', 'B', 'B', 'X'])}${r.digits(7)}${r.chars(1, DIGITS + 'JABCDEFGHI')}`;
    case 'NL':
      return `NL${r.digits(9)}B${r.pick(['01', '01', '02'])}`;
    case 'CH':
      return `CHE-${r.digits(3)}.${r.digits(3)}.${r.digits(3)}`;
    case 'AU':
      return makeAbn(r);
    case 'IN':
      return makeGstin(r);
    case 'CA':
      return `${r.digits(9)} RT0001`;
    case 'US':
    default:
      return `${r.digits(2)}-${r.digits(7)}`;
  }
}

// ---- government, logistics, documents --------------------------------------------------------

/** US CAGE code: five characters, first and last numeric, no I or O. */
export function makeCageCode(r: Rng): string {
  const mid = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  return String(r.int(0, 9)) + r.chars(3, mid) + String(r.int(0, 9));
}

export function isValidCageCode(s: string): boolean {
  return /^[0-9][A-HJ-NP-Z0-9]{3}[0-9]$/.test(s);
}

/** UPS-style tracking number with its check digit. */
function upsTracking(r: Rng): string {
  const body = r.chars(6, ALNUM) + r.pick(['01', '02', '03', '12', '13']) + r.digits(7);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    const v = ch >= '0' && ch <= '9' ? Number(ch) : (ch.charCodeAt(0) - 63) % 10;
    sum += i % 2 === 1 ? v * 2 : v;
  }
  return `1Z${body}${(10 - (sum % 10)) % 10}`;
}

/** IATA air waybill: airline prefix, 7-digit serial, check digit = serial mod 7. */
function airWaybill(r: Rng): string {
  const serial = r.int(1000000, 9999999);
  return `${r.pick(['020', '057', '074', '125', '160', '176', '180', '235', '618'])}-${serial}${serial % 7}`;
}

export function makeWaybill(r: Rng): string {
  switch (r.int(0, 4)) {
    case 0:
      return upsTracking(r);
    case 1:
      return airWaybill(r);
    case 2:
      return `${r.pick(['MAEU', 'MSCU', 'CMAU', 'HLCU', 'COSU'])}${r.digits(9)}`;
    case 3:
      return r.digits(10);
    default:
      return `${r.pick(['JD', 'CW', 'LX', 'RR'])}${r.digits(9)}${r.pick(['DE', 'GB', 'NL', 'FR', 'US'])}`;
  }
}

export function makeInvoiceNumber(r: Rng, year: number): string {
  switch (r.int(0, 7)) {
    case 0:
      return `INV-${year}-${r.digits(5)}`;
    case 1:
      return `${year}/${r.digits(4)}`;
    case 2:
      return `RE-${r.int(10000, 99999)}`;
    case 3:
      return `F${year}${r.digits(6)}`;
    case 4:
      return `${r.letters(1)}-${r.int(10000, 99999)}`;
    case 5:
      return r.digits(r.int(6, 10));
    case 6:
      return `${r.letters(2)}${String(year).slice(2)}-${r.digits(4)}`;
    default:
      return `#${r.int(1000, 999999)}`;
  }
}

export function makePoNumber(r: Rng): string {
  return r.pick([
    `PO-${r.digits(5)}`,
    `45${r.digits(8)}`,
    `PO${r.digits(7)}`,
    `P${r.int(100000, 999999)}`,
    `${r.letters(3)}-PO-${r.digits(4)}`,
  ]);
}

export function makeReference(r: Rng): string {
  return r.pick([
    `ORD-${r.digits(6)}`,
    `SO${r.digits(7)}`,
    `CUST-${r.digits(5)}`,
    `REF ${r.alnum(8)}`,
    `CASE-${r.digits(6)}`,
    `${r.digits(3)}-${r.digits(4)}-${r.digits(3)}`,
  ]);
}

export function makeCreditNoteNumber(r: Rng, year: number): string {
  return r.pick([`CN-${year}-${r.digits(4)}`, `GS-${r.digits(6)}`, `CR${r.digits(6)}`, `AV-${year}-${r.digits(4)}`]);
}

export function makeContractNumber(r: Rng, year: number): string {
  const yy = String(year).slice(2);
  return r.pick([
    `W${r.digits(3)}${r.letters(2)}-${yy}-${r.pick(['C', 'D', 'F', 'P'])}-${r.digits(4)}`,
    `GS-${r.digits(2)}F-${r.digits(4)}${r.letters(1)}`,
    `47Q${r.letters(3)}${yy}D${r.alnum(4)}`,
    `N${r.digits(5)}-${yy}-C-${r.digits(4)}`,
    `FA${r.digits(4)}-${yy}-C-${r.digits(4)}`,
    `${r.letters(2)}/${year}/${r.digits(4)}`,
  ]);
}

export function makeLotNumber(r: Rng, year: number): string {
  return r.pick([
    `L${String(year).slice(2)}${r.digits(4)}${r.letters(1)}`,
    `${String(year).slice(2)}${r.letters(1)}${r.digits(4)}`,
    `LOT-${r.digits(6)}`,
  ]);
}

export function makeBatchNumber(r: Rng): string {
  return r.pick([`B${r.digits(6)}-${r.digits(2)}`, `CH${r.digits(7)}`, `BN ${r.alnum(6)}`, `${r.digits(4)}/${r.digits(3)}`]);
}

export function makeSerialNumber(r: Rng): string {
  return r.pick([`SN${r.alnum(9)}`, `${r.letters(3)}${r.digits(8)}`, `S/N-${r.digits(4)}-${r.alnum(4)}`, `${r.alnum(12)}`]);
}
