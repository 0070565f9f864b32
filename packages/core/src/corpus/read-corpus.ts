/**
 * Reading a corpus back: the manifest, and the documents of one or more splits streamed shard by shard in
 * document-index order (no corpus is ever held in memory unless loadCorpus is asked for it).
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { InvoiceDocument } from '../documents/document.js';
import { HybridocError } from '../util/errors.js';
import { SPLITS, type SplitName } from './corpus-plan.js';
import { MANIFEST_FORMAT, type CorpusManifest } from './manifest.js';

export function readManifest(dir: string): CorpusManifest {
  const file = join(resolve(dir), 'manifest.json');
  if (!existsSync(file)) {
    const partial = existsSync(join(resolve(dir), 'generation.json'));
    throw new HybridocError(
      partial
        ? `${file}: missing; the corpus is incomplete (run the same generate command again to finish it)`
        : `${file}: missing; ${dir} is not a corpus directory`,
    );
  }
  let m: CorpusManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as CorpusManifest;
  } catch (err) {
    throw new HybridocError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (m.format !== MANIFEST_FORMAT)
    throw new HybridocError(`${file}: format: expected ${MANIFEST_FORMAT}, got ${JSON.stringify(m.format)}`);
  return m;
}

function splitList(split?: SplitName | SplitName[] | 'all'): SplitName[] {
  if (split === undefined || split === 'all') return [...SPLITS];
  const list = Array.isArray(split) ? split : [split];
  for (const s of list) if (!SPLITS.includes(s)) throw new HybridocError(`unknown split "${s}" (known: ${SPLITS.join(', ')})`);
  return list;
}

/**
 * Stream the documents of a corpus: one split, several, or all (default, in the order train, val, test,
 * test-unseen-templates). Page image paths stay relative to the corpus root (see corpusImagePath).
 */
export async function* readCorpus(dir: string, split?: SplitName | SplitName[] | 'all'): AsyncGenerator<InvoiceDocument> {
  const root = resolve(dir);
  const m = readManifest(root);
  for (const s of splitList(split)) {
    for (const shard of m.splits[s]?.shards ?? []) {
      const file = join(root, shard);
      const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
      let n = 0;
      for await (const line of rl) {
        n++;
        if (!line) continue;
        try {
          yield JSON.parse(line) as InvoiceDocument;
        } catch (err) {
          throw new HybridocError(`${file}: line ${n}: not valid JSON (${(err as Error).message})`);
        }
      }
    }
  }
}

/** All documents of the split(s) in memory. */
export async function loadCorpus(dir: string, split?: SplitName | SplitName[] | 'all'): Promise<InvoiceDocument[]> {
  const out: InvoiceDocument[] = [];
  for await (const d of readCorpus(dir, split)) out.push(d);
  return out;
}

/** Absolute path of a page's stored image (undefined for corpora made with --no-images). */
export function corpusImagePath(dir: string, doc: InvoiceDocument, page: number): string | undefined {
  const img = doc.pages[page]?.image;
  if (!img) return undefined;
  return img.startsWith('/') ? img : join(resolve(dir), img);
}
