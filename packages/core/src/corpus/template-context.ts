/**
 * What a template family works with: the layout builder, the document's content, its phrasebook, a
 * layout random stream, and printing helpers that format values the document's way. `show(entity)` says
 * whether an entity is printed; helpers that take an entity print nothing when it is not, so a value is
 * never printed without its label.
 */
import type { Face, Font } from './fonts.js';
import { font as mkFont, type LayoutBuilder } from './layout.js';
import type { InvoiceData, LineItem } from './invoice-data.js';
import { formatDate, formatDecimal, formatMoney, formatPercent, type CurrencyMark } from './formatting.js';
import type { Phrasebook } from './phrases.js';
import type { Lang } from './locales.js';
import type { Rng } from './prng.js';

export interface Style {
  regular: Face;
  bold: Face;
  /** body size in page units */
  size: number;
  /** accent colour for rules, fills and titles */
  accent: string;
  /** light fill for header rows and boxes */
  fill: string;
  /** text colour */
  ink: string;
  colon: boolean;
}

export interface TemplateContext {
  b: LayoutBuilder;
  d: InvoiceData;
  r: Rng;
  p: Phrasebook;
  st: Style;
  show(entity: string): boolean;
  /** open a span for an entity (callers check show() first) */
  span(entity: string): number;
  f(size?: number, bold?: boolean): Font;
  face(face: Face, size: number): Font;
  money(cents: number, mark?: CurrencyMark): string;
  date(day: number): string;
  num(x: number, decimals: number, group?: boolean): string;
  pct(rate: number): string;
  qty(it: LineItem): string;
  price(it: LineItem, mark?: CurrencyMark): string;
  label(key: string): string;
  /** the word text of graphic-carrier entities (schema `token`), by entity */
  tokens: Record<string, string>;
  /** pick a phrasing in the document's language (English when the language is missing) */
  t(options: Partial<Record<Lang, string[]>> & { en: string[] }): string;
}

export function makeContext(b: LayoutBuilder, d: InvoiceData, r: Rng, p: Phrasebook, st: Style): TemplateContext {
  const ctx: TemplateContext = {
    b,
    d,
    r,
    p,
    st,
    show: (e) => d.has(e),
    span: (e) => {
      if (!d.has(e)) throw new Error(`template printed ${e}, which this document does not show`);
      return b.span(e);
    },
    f: (size = st.size, bold = false) => mkFont(bold ? st.bold : st.regular, size),
    face: (face, size) => mkFont(face, size),
    money: (cents, mark) => formatMoney(cents, d.money, mark),
    date: (day) => formatDate(day, d.datePattern, d.lang),
    num: (x, decimals, group = true) => formatDecimal(x, decimals, d.money.number, group),
    pct: (rate) => formatPercent(rate, d.money.number, d.lang === 'fr' || d.lang === 'de'),
    qty: (it) => formatDecimal(it.qty, it.qtyDecimals, d.money.number),
    price: (it, mark) => {
      if (it.priceDecimals === 2) return formatMoney(Math.round(it.unitPrice * 100), d.money, mark ?? 'none');
      return formatDecimal(it.unitPrice, it.priceDecimals, d.money.number);
    },
    label: (key) => p.label(key, st.colon),
    tokens: { SIGNATURE: '[SIGNATURE]' },
    t: (opts) => r.pick(opts[d.lang] ?? opts.en),
  };
  return ctx;
}
