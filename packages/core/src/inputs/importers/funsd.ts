/**
 * FUNSD and XFUND. FUNSD: one `annotations/<form>.json` per form, `{"form": [entity...]}` with the image in
 * `images/<form>.png` (the image gives the page size: the JSON has none). XFUND: one `<lang>.<split>.json` per
 * language and split, `{"documents": [{"id", "img": {"fname", "width", "height"}, "document": [entity...]}]}`.
 * An entity is `{"id", "box", "text", "label", "words": [{"box", "text"}], "linking"}`; its words become one
 * segment (one span) of the class's entity (config/importers/funsd.yaml, xfund.yaml).
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, relative } from 'node:path';
import { existsSync } from 'node:fs';
import { HybridocError, inputError } from '../../util/errors.js';
import { parseJsonText } from '../native-json.js';
import { buildDocument, pageSizeFor } from './build-document.js';
import { findImageFor, stemOf } from './dataset-files.js';
import { asError, type ImportContext, type ImportItem } from './import-item.js';
import { box4, list, obj, positive, str } from './json-fields.js';
import { splitLineIntoWords, type Segment } from './segments.js';

const docId = (ctx: ImportContext, file: string) => relative(ctx.dir, file).replace(/\.[^./\\]+$/, '') || stemOf(file);

function entitySegments(entities: unknown[], ctx: ImportContext, file: string, at: string): Segment[] {
  return entities.map((raw, i) => {
    const key = `${at}[${i}]`;
    const e = obj(raw, file, key);
    const label = str(e.label, file, `${key}.label`);
    if (!ctx.map.labels.has(label)) throw inputError(file, `${key}.label`, `unknown class "${label}" (not in ${ctx.map.file})`);
    let words;
    if (Array.isArray(e.words) && e.words.length > 0) {
      words = e.words.map((w, j) => {
        const wo = obj(w, file, `${key}.words[${j}]`);
        return { text: str(wo.text, file, `${key}.words[${j}].text`), box: box4(wo.box, file, `${key}.words[${j}].box`) };
      });
    } else {
      words = splitLineIntoWords(str(e.text, file, `${key}.text`), box4(e.box, file, `${key}.box`));
    }
    return { words, entity: ctx.map.labels.get(label) ?? null, sourceLabel: label };
  });
}

export async function* importFunsd(ctx: ImportContext): AsyncGenerator<ImportItem> {
  const files = ctx.files.filter((f) => extname(f).toLowerCase() === '.json');
  if (files.length === 0) throw new HybridocError(`${ctx.dir}: no FUNSD annotation files (*.json) in the folder`);
  for (const file of files) {
    try {
      const raw = obj(parseJsonText(await readFile(file, 'utf8'), file), file, '(top level)');
      const form = list(raw.form, file, 'form');
      const segments = entitySegments(form, ctx, file, 'form');
      const image = findImageFor(file, stemOf(file), ctx.files);
      const size = await pageSizeFor(null, image, segments);
      yield {
        file,
        document: buildDocument(ctx, file, {
          id: docId(ctx, file),
          width: size.width,
          height: size.height,
          image,
          segments,
          meta: { pageSizeFrom: size.from },
        }),
      };
    } catch (err) {
      yield { file, error: asError(err, file) };
    }
  }
}

export async function* importXfund(ctx: ImportContext): AsyncGenerator<ImportItem> {
  const files = ctx.files.filter((f) => extname(f).toLowerCase() === '.json');
  if (files.length === 0) throw new HybridocError(`${ctx.dir}: no XFUND annotation files (<lang>.<split>.json) in the folder`);
  for (const file of files) {
    let documents: unknown[];
    try {
      const raw = obj(parseJsonText(await readFile(file, 'utf8'), file), file, '(top level)');
      documents = list(raw.documents, file, 'documents');
    } catch (err) {
      yield { file, error: asError(err, file) };
      continue;
    }
    const lang = stemOf(file); // zh.train: images live in a folder of that name (the release's zip)
    for (let d = 0; d < documents.length; d++) {
      const key = `documents[${d}]`;
      try {
        const doc = obj(documents[d], file, key);
        const id = str(doc.id, file, `${key}.id`);
        const img = obj(doc.img, file, `${key}.img`);
        const width = positive(img.width, file, `${key}.img.width`);
        const height = positive(img.height, file, `${key}.img.height`);
        const fname = typeof img.fname === 'string' ? img.fname : undefined;
        const segments = entitySegments(list(doc.document, file, `${key}.document`), ctx, file, `${key}.document`);
        let image: string | undefined;
        if (fname)
          image =
            [join(dirname(file), fname), join(dirname(file), lang, fname)].find((p) => existsSync(p)) ??
            findImageFor(file, stemOf(fname), ctx.files);
        yield {
          file,
          document: buildDocument(ctx, file, { id, width, height, image, segments, meta: { pageSizeFrom: 'annotation', record: d } }),
        };
      } catch (err) {
        yield { file, error: asError(err, `${file}: ${key}`) };
      }
    }
  }
}
