/**
 * SROIE: per receipt a box file of text lines, `x1,y1,x2,y2,x3,y3,x4,y4,text` (the text may hold commas), and
 * a key file, `{"company", "date", "address", "total"}` (values only). Both are named after the receipt (the
 * ICDAR release calls both `<id>.txt`, in the task 1 and task 3 folders; repackagings use .csv / .json): a
 * text file is a key file when it holds a JSON object. The image `<id>.jpg` gives the page size.
 * How values are found among the lines: config/importers/sroie.yaml.
 */
import { readFile } from 'node:fs/promises';
import { extname, relative } from 'node:path';
import { HybridocError, inputError } from '../../util/errors.js';
import { parseJsonText } from '../native-json.js';
import { polygonBox, sortByReadingOrder } from '../reading-order.js';
import { buildDocument, pageSizeFor } from './build-document.js';
import { findImageFor, stemOf } from './dataset-files.js';
import { asError, type ImportContext, type ImportItem } from './import-item.js';
import { obj, str } from './json-fields.js';
import { splitLineIntoWords, type Segment, type SegmentWord } from './segments.js';

interface Line {
  words: SegmentWord[];
  box: [number, number, number, number];
  /** entity per word (null = O) and the span each word belongs to */
  entity: Array<string | null>;
  span: Array<number | null>;
  /** the key-file field each word was matched to ("other" when none) */
  source: string[];
}

/** Parse a box file: one text line per row; bad rows name `file:ROW`. */
export function parseSroieBoxes(text: string, file: string): Line[] {
  const out: Line[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((row, i) => {
      if (!row.trim()) return;
      const parts = row.split(',');
      if (parts.length < 9)
        throw inputError(`${file}:${i + 1}`, undefined, `expected x1,y1,x2,y2,x3,y3,x4,y4,text; got ${parts.length} fields`);
      const coords = parts.slice(0, 8).map((p) => Number(p.trim()));
      const bad = coords.findIndex((c, k) => !Number.isFinite(c) || parts[k].trim() === '');
      if (bad >= 0) throw inputError(`${file}:${i + 1}`, `coordinate ${bad + 1}`, `not a number ("${parts[bad].trim()}")`);
      const lineText = parts.slice(8).join(',').trim();
      const box = polygonBox(coords);
      const words = splitLineIntoWords(lineText, box);
      if (words.length)
        out.push({ words, box, entity: words.map(() => null), span: words.map(() => null), source: words.map(() => 'other') });
    });
  return out;
}

const norm = (s: string) => s.toUpperCase().replace(/\s+/g, '');
/** a total printed with a currency prefix ("RM44.73", "$ 5.00") still matches */
const normAmount = (s: string) => norm(s).replace(/^(RM|MYR|\$|USD|SGD|S\$)/, '');

type Match = Array<{ line: number; from: number; to: number }>;

/** Where a value is printed: a run of whole lines, or a run of words within one line (every occurrence). */
function findValue(lines: Line[], value: string, amount: boolean): Match[] {
  const n = amount ? normAmount : norm;
  const target = n(value);
  if (!target) return [];
  const found: Match[] = [];
  for (let i = 0; i < lines.length; i++) {
    let joined = '';
    for (let j = i; j < Math.min(lines.length, i + 6); j++) {
      joined += norm(lines[j].words.map((w) => w.text).join(''));
      if (n(joined) === target) found.push(lines.slice(i, j + 1).map((l, k) => ({ line: i + k, from: 0, to: l.words.length })));
      if (joined.length > target.length + 8) break;
    }
  }
  if (found.length) return found;
  lines.forEach((l, i) => {
    for (let a = 0; a < l.words.length; a++) {
      let joined = '';
      for (let b = a; b < l.words.length; b++) {
        joined += l.words[b].text;
        if (n(joined) === target) found.push([{ line: i, from: a, to: b + 1 }]);
      }
    }
  });
  return found;
}

const isTotalRow = (text: string) => /TOTAL/i.test(text) && !/SUB\s*-?\s*TOTAL|QTY|QUANTITY|EXCL|ITEMS?\b/i.test(text);

/** The text printed on the same row as a line (lines whose vertical centre falls inside its extent). */
function rowText(lines: Line[], i: number): string {
  const b = lines[i].box;
  return lines
    .filter((l) => {
      const c = (l.box[1] + l.box[3]) / 2;
      return c >= b[1] && c <= b[3];
    })
    .map((l) => l.words.map((w) => w.text).join(' '))
    .join(' ');
}

export async function* importSroie(ctx: ImportContext): AsyncGenerator<ImportItem> {
  const boxes = new Map<string, string>();
  const keys = new Map<string, string>();
  for (const f of ctx.files) {
    const ext = extname(f).toLowerCase();
    if (ext === '.json') keys.set(stemOf(f), f);
    else if (ext === '.txt' || ext === '.csv') {
      const head = (await readFile(f, 'utf8')).replace(/^\uFEFF/, '').trimStart();
      (head.startsWith('{') ? keys : boxes).set(stemOf(f), f);
    }
  }
  if (boxes.size === 0) throw new HybridocError(`${ctx.dir}: no SROIE box files (x1,y1,...,x4,y4,text per line) in the folder`);
  for (const [stem, boxFile] of boxes) {
    try {
      const keyFile = keys.get(stem);
      if (!keyFile)
        throw inputError(boxFile, undefined, `no key file (${stem}.json or a ${stem}.txt holding {"company", ...}) for this box file`);
      const lines = sortByReadingOrder(parseSroieBoxes(await readFile(boxFile, 'utf8'), boxFile), (l) => l.box);
      const key = obj(parseJsonText(await readFile(keyFile, 'utf8'), keyFile), keyFile, '(top level)');
      const fields: Record<string, string[]> = {};
      const unmatched: string[] = [];
      let spanId = 0;
      for (const [name, value] of Object.entries(key)) {
        const entity = ctx.map.labels.get(name);
        if (entity === undefined) continue; // a key the map does not name
        const text = str(value, keyFile, name);
        if (entity === null || !text.trim()) continue;
        (fields[entity] ??= []).push(text);
        let matches = findValue(lines, text, name === 'total').filter((m) =>
          m.every((p) => lines[p.line].entity.slice(p.from, p.to).every((e) => e === null)),
        );
        if (name === 'total' && matches.length > 1) {
          const onTotalRows = matches.filter((m) => isTotalRow(rowText(lines, m[0].line)));
          matches = onTotalRows.length ? onTotalRows : [matches[matches.length - 1]];
        } else matches = matches.slice(0, 1);
        if (matches.length === 0) unmatched.push(name);
        for (const m of matches) {
          const id = spanId++;
          for (const p of m) {
            for (let w = p.from; w < p.to; w++) {
              lines[p.line].entity[w] = entity;
              lines[p.line].span[w] = id;
              lines[p.line].source[w] = name;
            }
          }
        }
      }
      // segments: runs of words of one line with the same span
      const segments: Segment[] = [];
      for (const l of lines) {
        let cur: Segment | null = null;
        let curSpan: number | null | undefined;
        l.words.forEach((w, i) => {
          if (!cur || l.span[i] !== curSpan) {
            cur = {
              words: [],
              entity: l.entity[i],
              sourceLabel: l.source[i],
              spanKey: l.span[i] === null ? undefined : `span${l.span[i]}`,
            };
            curSpan = l.span[i];
            segments.push(cur);
          }
          cur.words.push(w);
        });
      }
      const image = findImageFor(boxFile, stem, ctx.files);
      const size = await pageSizeFor(null, image, segments);
      const id = relative(ctx.dir, boxFile).replace(/\.[^./\\]+$/, '') || stem;
      const doc = buildDocument(ctx, boxFile, {
        id,
        width: size.width,
        height: size.height,
        image,
        segments,
        keepOrder: true,
        meta: { pageSizeFrom: size.from, keyFile: relative(ctx.dir, keyFile), unmatchedKeys: unmatched },
      });
      doc.fields = fields;
      yield { file: boxFile, document: doc };
    } catch (err) {
      yield { file: boxFile, error: asError(err, boxFile) };
    }
  }
}
