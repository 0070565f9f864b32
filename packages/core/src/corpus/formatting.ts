/**
 * How values are printed: amounts in minor units with the grouping and decimal marks of a country,
 * currency symbols or codes before or after, dates in the patterns countries use (with month names in
 * six languages), quantities with their units. Amounts stay integers (cents) until printed.
 */
import type { Lang, Locale, NumberStyle } from './locales.js';

const MONTHS: Record<Lang, string[]> = {
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  de: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  es: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
  nl: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
  it: ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'],
};

export function monthNames(lang: Lang): string[] {
  return MONTHS[lang];
}

/** Short month name: first three letters, capitalised for English. */
export function shortMonth(lang: Lang, m: number): string {
  const full = MONTHS[lang][m - 1];
  const s = full.slice(0, 3);
  return lang === 'en' ? s : s.charAt(0).toUpperCase() + s.slice(1);
}

/** Days since 1970-01-01 (UTC) to calendar parts. */
export function dayToYmd(day: number): { y: number; m: number; d: number } {
  const dt = new Date(day * 86400000);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

export function ymdToDay(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / 86400000);
}

/**
 * Print a day with a pattern: YYYY, YY, MMMM (full month), MMM (short month), MM, M, DD, D.
 * Tokens are replaced longest first; other characters are copied.
 */
export function formatDate(day: number, pattern: string, lang: Lang): string {
  const { y, m, d } = dayToYmd(day);
  return pattern.replace(/YYYY|YY|MMMM|MMM|MM|M|DD|D/g, (t) => {
    switch (t) {
      case 'YYYY':
        return String(y);
      case 'YY':
        return String(y).slice(2);
      case 'MMMM':
        return MONTHS[lang][m - 1];
      case 'MMM':
        return shortMonth(lang, m);
      case 'MM':
        return String(m).padStart(2, '0');
      case 'M':
        return String(m);
      case 'DD':
        return String(d).padStart(2, '0');
      default:
        return String(d);
    }
  });
}

function groupDigits(int: string, style: NumberStyle): string {
  if (!style.group) return int;
  if (style.grouping === 'indian' && int.length > 3) {
    const last3 = int.slice(-3);
    let rest = int.slice(0, -3);
    const parts: string[] = [];
    while (rest.length > 2) {
      parts.unshift(rest.slice(-2));
      rest = rest.slice(0, -2);
    }
    if (rest) parts.unshift(rest);
    return parts.join(style.group) + style.group + last3;
  }
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, style.group);
}

/** Print an integer count of 10^-decimals units: formatFixed(123456, 2) = "1,234.56". */
export function formatFixed(units: number, decimals: number, style: NumberStyle, useGroup = true): string {
  const neg = units < 0;
  const abs = Math.abs(Math.round(units));
  const s = String(abs).padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals);
  const frac = s.slice(s.length - decimals);
  const body = (useGroup ? groupDigits(int, style) : int) + (decimals > 0 ? style.decimal + frac : '');
  return (neg ? '-' : '') + body;
}

/** Print a float with a fixed number of decimals. */
export function formatDecimal(value: number, decimals: number, style: NumberStyle, useGroup = true): string {
  return formatFixed(Math.round(value * 10 ** decimals), decimals, style, useGroup);
}

export type CurrencyMark = 'symbol' | 'code' | 'none';

export interface MoneyStyle {
  number: NumberStyle;
  currency: string;
  symbol: string;
  symbolAfter: boolean;
  mark: CurrencyMark;
  /** a space between the mark and the number */
  spaced: boolean;
  /** how negatives print: "-12.00" or "(12.00)" */
  negative: 'minus' | 'parens';
}

export function moneyStyle(loc: Locale, mark: CurrencyMark, opts: Partial<MoneyStyle> = {}): MoneyStyle {
  return {
    number: loc.number,
    currency: loc.currency,
    symbol: loc.symbol,
    symbolAfter: loc.symbolAfter,
    mark,
    spaced: loc.symbolAfter || loc.symbol.length > 1,
    negative: 'minus',
    ...opts,
  };
}

/** Print an amount in minor units (cents). */
export function formatMoney(cents: number, ms: MoneyStyle, markOverride?: CurrencyMark): string {
  const mark = markOverride ?? ms.mark;
  const num = formatFixed(Math.abs(cents), 2, ms.number);
  let s: string;
  if (mark === 'none') s = num;
  else if (mark === 'code') s = ms.symbolAfter ? `${num} ${ms.currency}` : `${ms.currency} ${num}`;
  else {
    const gap = ms.spaced ? ' ' : '';
    s = ms.symbolAfter ? `${num}${gap}${ms.symbol}` : `${ms.symbol}${gap}${num}`;
  }
  if (cents < 0) s = ms.negative === 'parens' ? `(${s})` : `-${s}`;
  return s;
}

/** Percent with the locale's decimal mark: 0.19 -> "19%", 0.0825 -> "8.25%". */
export function formatPercent(rate: number, style: NumberStyle, spaced = false): string {
  const bp = Math.round(rate * 10000);
  const decimals = bp % 100 === 0 ? 0 : bp % 10 === 0 ? 1 : 2;
  return formatFixed(Math.round(bp / 10 ** (2 - decimals)), decimals, style) + (spaced ? ' %' : '%');
}
