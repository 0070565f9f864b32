/** Small typed readers for annotation JSON: a wrong field throws `file: key: problem`. */
import type { Box } from '../../documents/document.js';
import { inputError } from '../../util/errors.js';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function kind(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

export function obj(v: unknown, file: string, key: string): Obj {
  if (!isObj(v)) throw inputError(file, key, `expected an object, got ${kind(v)}`);
  return v;
}

export function list(v: unknown, file: string, key: string): unknown[] {
  if (!Array.isArray(v)) throw inputError(file, key, `expected a list, got ${kind(v)}`);
  return v;
}

export function str(v: unknown, file: string, key: string): string {
  if (typeof v !== 'string') throw inputError(file, key, `expected a string, got ${kind(v)}`);
  return v;
}

export function num(v: unknown, file: string, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw inputError(file, key, `expected a finite number, got ${typeof v === 'number' ? v : kind(v)}`);
  return v;
}

export function positive(v: unknown, file: string, key: string): number {
  const n = num(v, file, key);
  if (n <= 0) throw inputError(file, key, `must be positive, got ${n}`);
  return n;
}

/** [x0, y0, x1, y1] of finite numbers with x0 <= x1 and y0 <= y1. */
export function box4(v: unknown, file: string, key: string): Box {
  const a = list(v, file, key);
  if (a.length !== 4) throw inputError(file, key, `expected [x0, y0, x1, y1], got ${a.length} numbers`);
  const b = a.map((x, i) => num(x, file, `${key}[${i}]`)) as Box;
  if (b[2] < b[0]) throw inputError(file, key, `x1 < x0 (${b[2]} < ${b[0]})`);
  if (b[3] < b[1]) throw inputError(file, key, `y1 < y0 (${b[3]} < ${b[1]})`);
  return b;
}
