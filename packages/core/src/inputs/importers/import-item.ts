/** What every dataset importer yields, what it is given, and how a failure becomes a per-file error. */
import type { InvoiceDocument } from '../../documents/document.js';
import type { LabelSchema } from '../../schema/label-schema.js';
import { HybridocError } from '../../util/errors.js';
import type { ImportLabelMap } from './label-map.js';

/** One imported document, or the error that stopped one file (or one record of a multi-document file). */
export type ImportItem =
  { file: string; document: InvoiceDocument; error?: undefined } | { file: string; document?: undefined; error: HybridocError };

export interface ImportContext {
  /** the dataset folder */
  dir: string;
  map: ImportLabelMap;
  schema: LabelSchema;
  /** every file under dir (sorted) */
  files: string[];
  /** write page-image paths relative to this folder (the output file's); absolute when absent */
  imageBase?: string;
}

/** Any failure while importing one file (or record) as a HybridocError naming it. */
export function asError(err: unknown, file: string): HybridocError {
  if (err instanceof HybridocError) return err;
  return new HybridocError(`${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
