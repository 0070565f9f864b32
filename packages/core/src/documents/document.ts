/**
 * The native document format: what the corpus writes (one JSON object per line of a shard), what importers
 * produce, and what featurisation, evaluation and prediction read.
 *
 * Boxes are [x0, y0, x1, y1] in page units (the page's own width/height, e.g. PDF points), origin top-left.
 * Words are in reading order. Labels are BIO label *names* ("B-TOTAL_AMOUNT"), not ids, so a document does
 * not depend on the id numbering of one schema version.
 */
export type Box = [number, number, number, number];

export interface Word {
  text: string;
  box: Box;
  /** 0-based page index */
  page: number;
  /** BIO label name under the schema; absent on unlabeled documents */
  label?: string;
}

export interface Page {
  width: number;
  height: number;
  /** path of the page image, relative to the corpus root (or absolute), when one exists */
  image?: string;
}

export interface InvoiceDocument {
  id: string;
  domain?: string;
  /** template family id, e.g. "general/modern" */
  template?: string;
  /** true when the template family is held out of the default training split */
  unseenTemplate?: boolean;
  pages: Page[];
  words: Word[];
  /** entity name -> value strings, as an extraction system should return them */
  fields?: Record<string, string[]>;
  /** free-form provenance (generator version, seed, noise settings, source file) */
  meta?: Record<string, unknown>;
}
