/** Helpers for the corpus tests: independent parsers for printed amounts and dates, and directory comparison. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { monthNames } from '../../packages/core/src/corpus/formatting.js';
import type { Lang } from '../../packages/core/src/corpus/locales.js';

export interface NumberMeta {
  decimal: string;
  group: string;
}

/** Printed amount ("1.234,56 €", "$1,234.56", "(12.00)", "CHF 1'234.50", "1 234,56") to minor units. */
export function parseAmount(text: string, n: NumberMeta): number {
  const neg = /^-|^\(|-\d/.test(text.trim()) || text.includes('(');
  let s = text.replace(/[^0-9.,' ]/g, '');
  if (n.group) s = s.split(n.group).join('');
  s = s.replace(/\s+/g, '');
  if (n.decimal === ',') s = s.replace(',', '.');
  const v = Math.round(parseFloat(s) * 100);
  if (!Number.isFinite(v)) throw new Error(`cannot parse amount "${text}"`);
  return neg ? -v : v;
}

/** Printed number ("7.3", "1.234,5", "0.750 kg", "19 %") to a float. */
export function parseNumber(text: string, n: NumberMeta): number {
  let s = text.replace(/[^0-9.,' ]/g, '');
  if (n.group) s = s.split(n.group).join('');
  s = s.replace(/\s+/g, '');
  if (n.decimal === ',') s = s.replace(',', '.');
  const v = parseFloat(s);
  if (!Number.isFinite(v)) throw new Error(`cannot parse number "${text}"`);
  return v;
}

/** Parse a date printed with a pattern (YYYY YY MMMM MMM MM M DD D) to days since 1970. */
export function parseDate(text: string, pattern: string, lang: Lang): number {
  const months = monthNames(lang);
  const short = months.map((m) => m.slice(0, 3).toLowerCase());
  const groups: string[] = [];
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/YYYY|YY|MMMM|MMM|MM|M|DD|D/g, (t) => {
    groups.push(t);
    return t.startsWith('M') && t.length >= 3 ? '([^\\s\\d.,-]+)' : '(\\d+)';
  });
  const m = new RegExp(`^${re}$`).exec(text.trim());
  if (!m) throw new Error(`date "${text}" does not match ${pattern}`);
  let y = 0;
  let mo = 0;
  let d = 0;
  groups.forEach((g, i) => {
    const v = m[i + 1];
    if (g === 'YYYY') y = Number(v);
    else if (g === 'YY') y = 2000 + Number(v);
    else if (g === 'MMMM') mo = months.findIndex((x) => x.toLowerCase() === v.toLowerCase()) + 1;
    else if (g === 'MMM') mo = short.indexOf(v.toLowerCase()) + 1;
    else if (g === 'MM' || g === 'M') mo = Number(v);
    else d = Number(v);
  });
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 31)) throw new Error(`date "${text}" (${pattern}) has no valid month/day`);
  return Math.round(Date.UTC(y, mo - 1, d) / 86400000);
}

/** ISO 13616 check, written independently of the generator. */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/\s+/g, '');
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false;
  const r = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of r) {
    const v = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const c of v) rem = (rem * 10 + Number(c)) % 97;
  }
  return rem === 1;
}

/** sha256 of every file under a directory, by relative path. */
export function hashTree(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.set(rel, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}
