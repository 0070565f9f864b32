/**
 * CORD: one ground-truth JSON per receipt (the v0/v1 release's `<split>/json/receipt_NNNNN.json`, with the
 * image in `<split>/image/`; CORD v2's `ground_truth` column holds the same JSON). `valid_line` lists the
 * annotated lines: `{"words": [{"quad": {x1..x4, y1..y4}, "is_key", "row_id", "text"}], "category",
 * "group_id", "sub_group_id"}`; `meta.image_size` gives the page size. See config/importers/cord.yaml.
 */
import { readFile } from 'node:fs/promises';
import { extname, relative } from 'node:path';
import type { Box } from '../../documents/document.js';
import { HybridocError, inputError } from '../../util/errors.js';
import { parseJsonText } from '../native-json.js';
import { polygonBox } from '../reading-order.js';
import { buildDocument, pageSizeFor } from './build-document.js';
import { findImageFor, stemOf } from './dataset-files.js';
import { asError, type ImportContext, type ImportItem } from './import-item.js';
import { isObj, list, num, obj, str } from './json-fields.js';
import type { Segment, SegmentWord } from './segments.js';

function quadBox(v: unknown, file: string, key: string): Box {
  const q = obj(v, file, key);
  const coords: number[] = [];
  for (const k of [1, 2, 3, 4]) coords.push(num(q[`x${k}`], file, `${key}.x${k}`), num(q[`y${k}`], file, `${key}.y${k}`));
  return polygonBox(coords);
}

export async function* importCord(ctx: ImportContext): AsyncGenerator<ImportItem> {
  const files = ctx.files.filter((f) => extname(f).toLowerCase() === '.json');
  if (files.length === 0) throw new HybridocError(`${ctx.dir}: no CORD ground-truth files (*.json) in the folder`);
  for (const file of files) {
    try {
      const raw = obj(parseJsonText(await readFile(file, 'utf8'), file), file, '(top level)');
      const lines = list(raw.valid_line, file, 'valid_line');
      const segments: Segment[] = [];
      lines.forEach((l, i) => {
        const key = `valid_line[${i}]`;
        const line = obj(l, file, key);
        const category = str(line.category, file, `${key}.category`);
        if (!ctx.map.labels.has(category))
          throw inputError(file, `${key}.category`, `unknown category "${category}" (not in ${ctx.map.file})`);
        const group = line.group_id === undefined ? i : num(line.group_id, file, `${key}.group_id`);
        const sub = line.sub_group_id === undefined ? 0 : num(line.sub_group_id, file, `${key}.sub_group_id`);
        const spanKey = `${category}#${group}#${sub}`;
        const keys: SegmentWord[] = [];
        const values: SegmentWord[] = [];
        list(line.words, file, `${key}.words`).forEach((w, j) => {
          const wk = `${key}.words[${j}]`;
          const word = obj(w, file, wk);
          const entry = { text: str(word.text, file, `${wk}.text`), box: quadBox(word.quad, file, `${wk}.quad`) };
          const isKey = word.is_key === undefined ? 0 : num(word.is_key, file, `${wk}.is_key`);
          (isKey ? keys : values).push(entry);
        });
        if (keys.length) segments.push({ words: keys, entity: ctx.map.keyWords, sourceLabel: `${category}(key)` });
        if (values.length) segments.push({ words: values, entity: ctx.map.labels.get(category) ?? null, sourceLabel: category, spanKey });
      });
      const meta = isObj(raw.meta) ? raw.meta : {};
      let annotated: { width: number; height: number } | null = null;
      if (isObj(meta.image_size)) {
        const width = num(meta.image_size.width, file, 'meta.image_size.width');
        const height = num(meta.image_size.height, file, 'meta.image_size.height');
        if (width > 0 && height > 0) annotated = { width, height };
      }
      const image = findImageFor(file, stemOf(file), ctx.files);
      const size = await pageSizeFor(annotated, image, segments);
      const id = relative(ctx.dir, file).replace(/\.json$/i, '') || stemOf(file);
      const extra: Record<string, unknown> = { pageSizeFrom: size.from };
      if (meta.image_id !== undefined) extra.imageId = meta.image_id;
      if (typeof meta.split === 'string') extra.split = meta.split;
      yield { file, document: buildDocument(ctx, file, { id, width: size.width, height: size.height, image, segments, meta: extra }) };
    } catch (err) {
      yield { file, error: asError(err, file) };
    }
  }
}
