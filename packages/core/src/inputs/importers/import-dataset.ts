/**
 * `importDataset(format, dir)`: a public annotated dataset in its own layout -> native documents, one at a
 * time, with a per-file error for each file (or record) that could not be imported. The label map of each
 * format lives in config/importers/<format>.yaml.
 */
import { statSync } from 'node:fs';
import { loadLabelSchema, type LabelSchema } from '../../schema/label-schema.js';
import { HybridocError } from '../../util/errors.js';
import { walkFiles } from './dataset-files.js';
import { importCord } from './cord.js';
import { importFunsd, importXfund } from './funsd.js';
import type { ImportContext, ImportItem } from './import-item.js';
import { IMPORT_FORMATS, loadImportLabelMap, type ImportFormat } from './label-map.js';
import { importSroie } from './sroie.js';
import { importWildReceipt } from './wildreceipt.js';

export interface ImportOptions {
  schema?: LabelSchema;
  /** label map file (default config/importers/<format>.yaml) */
  labelMap?: string;
  /** write page-image paths relative to this folder (the output file's); absolute when absent */
  imageBase?: string;
}

const IMPORTERS: Record<ImportFormat, (ctx: ImportContext) => AsyncGenerator<ImportItem>> = {
  funsd: importFunsd,
  xfund: importXfund,
  cord: importCord,
  sroie: importSroie,
  wildreceipt: importWildReceipt,
};

export function isImportFormat(v: string): v is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(v);
}

/** Documents of a dataset folder, in file order; a bad file yields an item with `error` and the import goes on. */
export async function* importDataset(format: string, dir: string, options: ImportOptions = {}): AsyncGenerator<ImportItem> {
  if (!isImportFormat(format)) throw new HybridocError(`unknown import format "${format}" (one of ${IMPORT_FORMATS.join(', ')})`);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new HybridocError(`${dir}: no such folder`);
  }
  if (!isDir) throw new HybridocError(`${dir}: not a folder`);
  const schema = options.schema ?? loadLabelSchema();
  const map = loadImportLabelMap(format, schema, options.labelMap);
  const ctx: ImportContext = { dir, map, schema, files: walkFiles(dir), imageBase: options.imageBase };
  yield* IMPORTERS[format](ctx);
}
