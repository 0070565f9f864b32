/**
 * Native JSON documents: one InvoiceDocument object per file (`.json`), or one per line (`.jsonl`, the corpus
 * shard format). Parsing errors name the file and the line/column; content errors come from validateDocument.
 */
import type { InvoiceDocument } from '../documents/document.js';
import { HybridocError, inputError } from '../util/errors.js';
import { validateDocument, type ValidateOptions } from './validate-document.js';

/** JSON.parse with an error that names the file and where the syntax broke. */
export function parseJsonText(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const upto = body.slice(0, Number(pos[1]));
      const line = upto.split('\n').length;
      where = ` at line ${line} column ${Number(pos[1]) - upto.lastIndexOf('\n')}`;
    }
    throw inputError(file, undefined, `not valid JSON${where}: ${msg.replace(/ in JSON at position \d+.*$/, '').split('\n')[0]}`);
  }
}

/** Parse and validate one native document from JSON text. */
export function parseNativeDocument(text: string, file: string, options: ValidateOptions = {}): InvoiceDocument {
  return validateDocument(parseJsonText(text, file), file, options);
}

/**
 * Parse a JSON-lines file of native documents. Blank lines are skipped; a bad line throws an error naming
 * `file:LINE`.
 */
export function parseNativeDocumentsJsonl(text: string, file: string, options: ValidateOptions = {}): InvoiceDocument[] {
  const out: InvoiceDocument[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    out.push(parseNativeDocument(line, `${file}:${i + 1}`, options));
  }
  if (out.length === 0) throw new HybridocError(`${file}: no documents (the file is empty)`);
  return out;
}
