/**
 * Validation of native documents (the InvoiceDocument JSON the corpus, the importers and the readers produce).
 *
 * Every problem is one line `file: key: problem` (e.g. `a.json: words[3].box: x1 < x0 (12 < 40)`), so a batch
 * can report a bad file precisely and carry on. `documentProblems` lists them; `validateDocument` throws one
 * HybridocError holding them (the first MAX_REPORTED, then a count of the rest).
 */
import type { Box, InvoiceDocument } from '../documents/document.js';
import type { LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';

/** Largest page side accepted, in page units (14,400 = 200 inches of PDF points, the PDF format's own limit). */
export const MAX_PAGE_SIDE = 14_400;
/** Largest page area accepted for pixel pages (an A3 scan at 600 dpi is 70 megapixels). */
export const MAX_PAGE_AREA = 100_000_000;
/** How far (fraction of the page side) a word box may stick out of its page before it is absurd. */
export const BOX_OVERHANG = 0.05;
const MAX_REPORTED = 20;

export interface ValidateOptions {
  /** check word labels against this schema (names and BIO order); labels are only type-checked without it */
  schema?: LabelSchema;
  /** require at least one word (default true) */
  requireWords?: boolean;
  maxPageSide?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return `a string`;
  return `a ${typeof v}`;
}

/** Every problem of a candidate document, one `file: key: problem` line each; empty when it is valid. */
export function documentProblems(doc: unknown, file: string, options: ValidateOptions = {}): string[] {
  const out: string[] = [];
  const add = (key: string | undefined, problem: string) => out.push(key ? `${file}: ${key}: ${problem}` : `${file}: ${problem}`);
  if (!isObj(doc)) {
    add(undefined, `expected a document object, got ${describe(doc)}`);
    return out;
  }
  const maxSide = options.maxPageSide ?? MAX_PAGE_SIDE;
  if (typeof doc.id !== 'string' || doc.id.length === 0) add('id', `expected a non-empty string, got ${describe(doc.id)}`);
  for (const key of ['domain', 'template'] as const) {
    if (doc[key] !== undefined && typeof doc[key] !== 'string') add(key, `expected a string, got ${describe(doc[key])}`);
  }
  if (doc.unseenTemplate !== undefined && typeof doc.unseenTemplate !== 'boolean') {
    add('unseenTemplate', `expected true or false, got ${describe(doc.unseenTemplate)}`);
  }
  if (doc.meta !== undefined && !isObj(doc.meta)) add('meta', `expected an object, got ${describe(doc.meta)}`);

  // pages
  const pageSizes: Array<[number, number] | null> = [];
  if (!Array.isArray(doc.pages)) add('pages', `expected a list of pages, got ${describe(doc.pages)}`);
  else if (doc.pages.length === 0) add('pages', 'the document has no pages');
  else {
    doc.pages.forEach((p: unknown, i: number) => {
      const key = `pages[${i}]`;
      if (!isObj(p)) {
        add(key, `expected a page object, got ${describe(p)}`);
        pageSizes.push(null);
        return;
      }
      let ok = true;
      for (const dim of ['width', 'height'] as const) {
        const v = p[dim];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          add(`${key}.${dim}`, `expected a finite number, got ${describe(v)}`);
          ok = false;
        } else if (v <= 0) {
          add(`${key}.${dim}`, `must be positive, got ${v}`);
          ok = false;
        } else if (v > maxSide) {
          add(`${key}.${dim}`, `huge page: ${v} page units (the limit is ${maxSide})`);
          ok = false;
        }
      }
      if (ok && (p.width as number) * (p.height as number) > MAX_PAGE_AREA) {
        add(key, `huge page: ${p.width} x ${p.height} is over ${MAX_PAGE_AREA / 1e6} million square units`);
        ok = false;
      }
      if (p.image !== undefined && (typeof p.image !== 'string' || p.image.length === 0)) {
        add(`${key}.image`, `expected a path string, got ${describe(p.image)}`);
      }
      pageSizes.push(ok ? [p.width as number, p.height as number] : null);
    });
  }

  // words
  if (!Array.isArray(doc.words)) add('words', `expected a list of words, got ${describe(doc.words)}`);
  else if (doc.words.length === 0) {
    if (options.requireWords !== false) add('words', 'zero words: the document has no text to label');
  } else {
    const schema = options.schema;
    let prevEntity: string | null = null;
    doc.words.forEach((w: unknown, i: number) => {
      const key = `words[${i}]`;
      if (!isObj(w)) {
        add(key, `expected a word object, got ${describe(w)}`);
        prevEntity = null;
        return;
      }
      if (typeof w.text !== 'string') add(`${key}.text`, `expected a string, got ${describe(w.text)}`);
      else if (w.text.trim().length === 0) add(`${key}.text`, 'empty word (no visible characters)');
      let pageSize: [number, number] | null = null;
      if (typeof w.page !== 'number' || !Number.isInteger(w.page))
        add(`${key}.page`, `expected an integer page index, got ${describe(w.page)}`);
      else if (w.page < 0 || w.page >= pageSizes.length) {
        add(`${key}.page`, `page ${w.page} does not exist (the document has ${pageSizes.length} page${pageSizes.length === 1 ? '' : 's'})`);
      } else pageSize = pageSizes[w.page];
      boxProblems(w.box, pageSize, `${key}.box`, add);
      if (w.label !== undefined) {
        if (typeof w.label !== 'string') {
          add(`${key}.label`, `expected a label name, got ${describe(w.label)}`);
          prevEntity = null;
        } else if (schema) {
          prevEntity = labelProblem(w.label, prevEntity, schema, `${key}.label`, add);
        }
      } else prevEntity = null;
    });
  }

  if (doc.fields !== undefined) {
    if (!isObj(doc.fields)) add('fields', `expected an object of entity -> values, got ${describe(doc.fields)}`);
    else {
      for (const [name, values] of Object.entries(doc.fields)) {
        if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) add(`fields.${name}`, 'expected a list of strings');
        else if (options.schema && !options.schema.entityIndex.has(name))
          add(`fields.${name}`, `unknown entity "${name}" (not in ${options.schema.name})`);
      }
    }
  }
  return out;
}

function boxProblems(box: unknown, page: [number, number] | null, key: string, add: (key: string, problem: string) => void): void {
  if (!Array.isArray(box) || box.length !== 4) {
    add(key, `expected [x0, y0, x1, y1], got ${Array.isArray(box) ? `a list of ${box.length}` : describe(box)}`);
    return;
  }
  const names = ['x0', 'y0', 'x1', 'y1'];
  let finite = true;
  box.forEach((v: unknown, j: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      add(key, `${names[j]} is not a finite number (${describe(v)})`);
      finite = false;
    }
  });
  if (!finite) return;
  const [x0, y0, x1, y1] = box as Box;
  if (x1 < x0) add(key, `x1 < x0 (${x1} < ${x0})`);
  if (y1 < y0) add(key, `y1 < y0 (${y1} < ${y0})`);
  if (!page) return;
  const [w, h] = page;
  const mx = w * BOX_OVERHANG;
  const my = h * BOX_OVERHANG;
  if (x0 < -mx || y0 < -my || x1 > w + mx || y1 > h + my) {
    add(key, `absurd box [${x0}, ${y0}, ${x1}, ${y1}]: outside its ${w} x ${h} page`);
  }
}

/** Checks one label under the schema; returns the entity the next word may continue (I-) or null. */
function labelProblem(
  label: string,
  prev: string | null,
  schema: LabelSchema,
  key: string,
  add: (key: string, problem: string) => void,
): string | null {
  if (!schema.labelIndex.has(label)) {
    add(key, `unknown label "${label}" (not in schema ${schema.name})`);
    return null;
  }
  if (label === 'O') return null;
  const entity = label.slice(2);
  if (label.startsWith('I-') && prev !== entity) {
    add(key, `${label} does not continue a B-${entity} or I-${entity} (BIO order)`);
  }
  return entity;
}

/** Throw one HybridocError listing the document's problems (one line each); returns the typed document. */
export function validateDocument(doc: unknown, file: string, options: ValidateOptions = {}): InvoiceDocument {
  const problems = documentProblems(doc, file, options);
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_REPORTED);
    if (problems.length > shown.length) shown.push(`${file}: ... and ${problems.length - shown.length} more problems`);
    throw new HybridocError(shown.join('\n'));
  }
  return doc as InvoiceDocument;
}
