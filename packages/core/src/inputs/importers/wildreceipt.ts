/**
 * WildReceipt (closed set, as MMOCR releases it): `train.txt` / `test.txt` with one receipt per line,
 * `{"file_name", "height", "width", "annotations": [{"box": [x1, y1, ..., x4, y4], "text", "label"}]}`,
 * `class_list.txt` ("<id> <name>" per line) and the images under `image_files/`. Every `.txt` file whose
 * first character is `{` is read as annotations. See config/importers/wildreceipt.yaml.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { HybridocError, inputError } from '../../util/errors.js';
import { parseJsonText } from '../native-json.js';
import { polygonBox } from '../reading-order.js';
import { buildDocument } from './build-document.js';
import { asError, type ImportContext, type ImportItem } from './import-item.js';
import { list, num, obj, positive, str } from './json-fields.js';
import { splitLineIntoWords, type Segment } from './segments.js';

/** Class names by id: the folder's class_list.txt, else the list in the label map. */
export async function wildReceiptClasses(ctx: ImportContext): Promise<string[]> {
  const file = ctx.files.find((f) => basename(f) === 'class_list.txt');
  if (!file) {
    if (ctx.map.classes.length === 0) throw new HybridocError(`${ctx.dir}: no class_list.txt, and ${ctx.map.file} has no classes list`);
    return ctx.map.classes;
  }
  const classes: string[] = [];
  (await readFile(file, 'utf8')).split(/\r?\n/).forEach((row, i) => {
    if (!row.trim()) return;
    const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(row);
    if (!m) throw inputError(`${file}:${i + 1}`, undefined, `expected "<id> <class name>", got "${row.trim()}"`);
    classes[Number(m[1])] = m[2];
  });
  return classes;
}

export async function* importWildReceipt(ctx: ImportContext): AsyncGenerator<ImportItem> {
  const annotationFiles: string[] = [];
  for (const f of ctx.files) {
    if (extname(f).toLowerCase() !== '.txt' || basename(f) === 'class_list.txt') continue;
    if ((await readFile(f, 'utf8')).trimStart().startsWith('{')) annotationFiles.push(f);
  }
  if (annotationFiles.length === 0)
    throw new HybridocError(`${ctx.dir}: no WildReceipt annotation files (train.txt / test.txt with one JSON receipt per line)`);
  const classes = await wildReceiptClasses(ctx);
  for (const file of annotationFiles) {
    const rows = (await readFile(file, 'utf8')).split(/\r?\n/);
    for (let r = 0; r < rows.length; r++) {
      if (!rows[r].trim()) continue;
      const where = `${file}:${r + 1}`;
      try {
        const rec = obj(parseJsonText(rows[r], where), where, '(top level)');
        const fileName = str(rec.file_name, where, 'file_name');
        const width = positive(rec.width, where, 'width');
        const height = positive(rec.height, where, 'height');
        const segments: Segment[] = list(rec.annotations, where, 'annotations').map((a, i) => {
          const key = `annotations[${i}]`;
          const ann = obj(a, where, key);
          if (ann.edge !== undefined)
            throw inputError(where, `${key}.edge`, 'open-set WildReceipt (key/value edges) is not supported; use the closed-set files');
          const coords = list(ann.box, where, `${key}.box`).map((v, j) => num(v, where, `${key}.box[${j}]`));
          if (coords.length !== 8 && coords.length !== 4)
            throw inputError(where, `${key}.box`, `expected 8 (or 4) coordinates, got ${coords.length}`);
          const labelId = num(ann.label, where, `${key}.label`);
          const className = classes[labelId];
          if (className === undefined)
            throw inputError(where, `${key}.label`, `unknown class id ${labelId} (the class list has ${classes.length})`);
          if (!ctx.map.labels.has(className)) throw inputError(where, `${key}.label`, `class "${className}" is not in ${ctx.map.file}`);
          const entity = ctx.map.labels.get(className) ?? null;
          const box = coords.length === 8 ? polygonBox(coords) : polygonBox([coords[0], coords[1], coords[2], coords[3]]);
          return {
            words: splitLineIntoWords(str(ann.text, where, `${key}.text`), box),
            entity,
            sourceLabel: className,
            spanKey: entity && ctx.map.continueEntities.has(entity) ? entity : undefined,
          };
        });
        const imagePath = [join(dirname(file), fileName), join(ctx.dir, fileName)].find((p) => existsSync(p));
        const id = fileName.replace(/^image_files\//, '').replace(/\.[^./\\]+$/, '');
        yield {
          file: where,
          document: buildDocument(ctx, where, {
            id,
            width,
            height,
            image: imagePath,
            segments,
            meta: { pageSizeFrom: 'annotation', fileName },
          }),
        };
      } catch (err) {
        yield { file: where, error: asError(err, where) };
      }
    }
  }
}
