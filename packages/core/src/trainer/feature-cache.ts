/**
 * The featurisation cache: a corpus split featurised once (token windows with ids, 0..1000 boxes, label ids,
 * word alignment; page images resized to the model's input size) into binary files that every epoch, every
 * evaluation and every resumed process read back instead of tokenising and decoding PNGs again.
 *
 * Layout: ROOT/KEY/SPLIT/ with
 *   index.json    documents (id, domain, template, words, their windows and pages) and windows (document,
 *                 page, length, token range, byte offset, the entities labelled in it)
 *   windows.bin   per window, int32 blocks: input ids [L], boxes [4L], labels [L], word ids [L], first-sub-token flags [L]
 *   pages.bin     per page, the image resized to S x S as 8-bit RGB (only when the model reads pixel values);
 *                 pixel values are normalised when a batch is built (normalizeToPixelValues), exactly as
 *                 featurising from the PNG would
 * KEY is a hash of everything the features depend on: the corpus manifest's bytes, the tokenizer, the label
 * schema, window length and stride, image size. Each split directory is written atomically, so a process
 * killed while building it leaves no half cache behind; the next run builds it again.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { InvoiceDocument } from '../documents/document.js';
import type { LabelSchema } from '../schema/label-schema.js';
import type { LayoutTokenizer } from '../features/tokenizer.js';
import { featurizeDocument, defaultStride, type FeatureWindow } from '../features/featurize.js';
import { normalizeToPixelValues, pageImagePath, readRgbImage, resizeBilinearPil } from '../features/page-image.js';
import { readCorpus } from '../corpus/read-corpus.js';
import type { SplitName } from '../corpus/corpus-plan.js';
import { atomicWriteDirectory, isCompleteDirectory, recoverAtomicDirectory, atomicWriteFile } from '../training/atomic-files.js';
import { HybridocError } from '../util/errors.js';

export const FEATURE_CACHE_FORMAT = 'hybridoc-feature-cache/1';

export interface FeatureCacheOptions {
  /** the corpus directory (manifest.json, shards, images) */
  corpus: string;
  /** cache root; each configuration gets its own ROOT/KEY directory */
  dir: string;
  tokenizer: LayoutTokenizer;
  schema: LabelSchema;
  /** tokens per window, <s> and </s> included (the preset's max_text_length) */
  maxLength: number;
  /** tokens consecutive windows of a page share (default defaultStride(maxLength)) */
  stride?: number;
  /** side of the page images the model reads; 0 or undefined: no images */
  imageSize?: number;
  /** called every few documents while a split is being built */
  onProgress?: (p: { split: SplitName; documents: number; total: number }) => void;
}

export interface CachedDocument {
  id: string;
  domain: string;
  template?: string;
  unseenTemplate: boolean;
  numWords: number;
  /** content tokens of the document's token stream */
  numTokens: number;
  /** windows [firstWindow, firstWindow + numWindows) */
  firstWindow: number;
  numWindows: number;
  /** pages [firstPage, firstPage + numPages) in pages.bin */
  firstPage: number;
  numPages: number;
}

export interface CachedWindow {
  doc: number;
  page: number;
  /** tokens, <s> and </s> included */
  length: number;
  tokenStart: number;
  tokenEnd: number;
  /** byte offset in windows.bin */
  offset: number;
  /** ids of the entities labelled in the window (sorted, distinct) */
  entities: number[];
}

interface SplitIndex {
  format: typeof FEATURE_CACHE_FORMAT;
  key: string;
  split: SplitName;
  maxLength: number;
  stride: number;
  imageSize: number;
  documents: CachedDocument[];
  /** [doc, page, length, tokenStart, tokenEnd, offset, ...entities] */
  windows: number[][];
}

const INDEX_FILE = 'index.json';
const WINDOWS_FILE = 'windows.bin';
const PAGES_FILE = 'pages.bin';

/** The hash naming a cache configuration (see the file comment). */
export function featureCacheKey(options: Omit<FeatureCacheOptions, 'dir' | 'onProgress'>): string {
  const manifestFile = join(resolve(options.corpus), 'manifest.json');
  if (!existsSync(manifestFile)) throw new HybridocError(`${manifestFile}: missing; ${options.corpus} is not a complete corpus directory`);
  const h = createHash('sha256');
  h.update(FEATURE_CACHE_FORMAT);
  h.update(createHash('sha256').update(readFileSync(manifestFile)).digest('hex'));
  h.update(createHash('sha256').update(JSON.stringify(options.tokenizer.toJSON())).digest('hex'));
  h.update(options.schema.hash);
  h.update(JSON.stringify([options.maxLength, options.stride ?? defaultStride(options.maxLength), options.imageSize ?? 0]));
  return h.digest('hex').slice(0, 16);
}

/** One featurised split, read back window by window. */
export class FeatureSplit {
  readonly split: SplitName;
  readonly dir: string;
  readonly key: string;
  readonly maxLength: number;
  readonly imageSize: number;
  readonly documents: CachedDocument[];
  readonly windows: CachedWindow[];
  private windowsFd: number | undefined;
  private pagesFd: number | undefined;

  private constructor(dir: string, index: SplitIndex) {
    this.dir = dir;
    this.split = index.split;
    this.key = index.key;
    this.maxLength = index.maxLength;
    this.imageSize = index.imageSize;
    this.documents = index.documents;
    this.windows = index.windows.map(([doc, page, length, tokenStart, tokenEnd, offset, ...entities]) => ({
      doc,
      page,
      length,
      tokenStart,
      tokenEnd,
      offset,
      entities,
    }));
  }

  /** Open a built split directory. */
  static open(dir: string): FeatureSplit {
    const file = join(dir, INDEX_FILE);
    let index: SplitIndex;
    try {
      index = JSON.parse(readFileSync(file, 'utf8')) as SplitIndex;
    } catch (err) {
      throw new HybridocError(`${file}: cannot read the feature cache index (${(err as Error).message})`);
    }
    if (index.format !== FEATURE_CACHE_FORMAT)
      throw new HybridocError(`${file}: format: expected ${FEATURE_CACHE_FORMAT}, got ${JSON.stringify(index.format)}`);
    return new FeatureSplit(dir, index);
  }

  /** Content tokens over all windows (what one pass over the split feeds the model). */
  get tokenCount(): number {
    return this.windows.reduce((s, w) => s + w.length, 0);
  }

  /** Window `i`, read from windows.bin. */
  window(i: number): FeatureWindow {
    const w = this.windows[i];
    if (!w) throw new RangeError(`feature cache ${this.split}: no window ${i} (it has ${this.windows.length})`);
    if (this.windowsFd === undefined) this.windowsFd = openSync(join(this.dir, WINDOWS_FILE), 'r');
    const L = w.length;
    const bytes = new Uint8Array(new ArrayBuffer(32 * L));
    readFully(this.windowsFd, bytes, w.offset, join(this.dir, WINDOWS_FILE));
    const v = new Int32Array(bytes.buffer);
    return {
      docId: this.documents[w.doc].id,
      page: w.page,
      length: L,
      inputIds: v.subarray(0, L),
      bbox: v.subarray(L, 5 * L),
      labels: v.subarray(5 * L, 6 * L),
      wordIds: v.subarray(6 * L, 7 * L),
      firstSubtoken: Uint8Array.from(v.subarray(7 * L, 8 * L)),
      tokenStart: w.tokenStart,
      tokenEnd: w.tokenEnd,
    };
  }

  /** Pixel values [3, S, S] of a document's page; the split must have been built with images. */
  pagePixels(doc: number, page: number): Float32Array {
    const S = this.imageSize;
    if (!S) throw new HybridocError(`feature cache ${this.dir}: built without page images`);
    const d = this.documents[doc];
    if (!d || page < 0 || page >= d.numPages) throw new RangeError(`feature cache ${this.split}: no page ${page} of document ${doc}`);
    if (this.pagesFd === undefined) this.pagesFd = openSync(join(this.dir, PAGES_FILE), 'r');
    const plane = S * S * 3;
    const rgb = new Uint8Array(plane);
    readFully(this.pagesFd, rgb, (d.firstPage + page) * plane, join(this.dir, PAGES_FILE));
    return normalizeToPixelValues({ width: S, height: S, data: rgb });
  }

  close(): void {
    if (this.windowsFd !== undefined) closeSync(this.windowsFd);
    if (this.pagesFd !== undefined) closeSync(this.pagesFd);
    this.windowsFd = undefined;
    this.pagesFd = undefined;
  }
}

function readFully(fd: number, into: Uint8Array, position: number, file: string): void {
  let off = 0;
  while (off < into.length) {
    const n = readSync(fd, into, off, into.length - off, position + off);
    if (n === 0) throw new HybridocError(`${file}: ends early (feature cache damaged; delete it to rebuild)`);
    off += n;
  }
}

/** The directory a split's features live in. */
export function featureSplitDir(options: Omit<FeatureCacheOptions, 'onProgress'>, split: SplitName): string {
  return join(resolve(options.dir), featureCacheKey(options), split);
}

/** Open a split's features, building them first when the cache does not have them. */
export async function openFeatureSplit(options: FeatureCacheOptions, split: SplitName): Promise<FeatureSplit> {
  const key = featureCacheKey(options);
  const root = join(resolve(options.dir), key);
  const dir = join(root, split);
  recoverAtomicDirectory(dir);
  if (!(existsSync(dir) && isCompleteDirectory(dir))) {
    mkdirSync(root, { recursive: true });
    const about = join(root, 'key.json');
    if (!existsSync(about)) {
      atomicWriteFile(
        about,
        JSON.stringify(
          {
            format: FEATURE_CACHE_FORMAT,
            key,
            corpus: resolve(options.corpus),
            tokenizerVocab: options.tokenizer.vocabSize,
            schema: options.schema.hash,
            maxLength: options.maxLength,
            stride: options.stride ?? defaultStride(options.maxLength),
            imageSize: options.imageSize ?? 0,
          },
          null,
          2,
        ) + '\n',
      );
    }
    await atomicWriteDirectory(dir, (tmp) => buildSplit(options, split, key, tmp));
  }
  return FeatureSplit.open(dir);
}

async function buildSplit(options: FeatureCacheOptions, split: SplitName, key: string, tmp: string): Promise<void> {
  const { schema, tokenizer, maxLength } = options;
  const stride = options.stride ?? defaultStride(maxLength);
  const S = options.imageSize ?? 0;
  const corpus = resolve(options.corpus);
  const total = readManifestCount(corpus, split);
  const windowsFd = openSync(join(tmp, WINDOWS_FILE), 'w');
  const pagesFd = S ? openSync(join(tmp, PAGES_FILE), 'w') : undefined;
  const documents: CachedDocument[] = [];
  const windows: number[][] = [];
  let offset = 0;
  let pages = 0;
  try {
    for await (const doc of readCorpus(corpus, split)) {
      const f = featurizeDocument(doc, tokenizer, { maxLength, stride, schema });
      const firstWindow = windows.length;
      for (const w of f.windows) {
        const L = w.length;
        const block = new Int32Array(8 * L);
        block.set(w.inputIds, 0);
        block.set(w.bbox, L);
        block.set(w.labels, 5 * L);
        block.set(w.wordIds, 6 * L);
        block.set(w.firstSubtoken, 7 * L);
        writeAll(windowsFd, new Uint8Array(block.buffer));
        windows.push([documents.length, w.page, L, w.tokenStart, w.tokenEnd, offset, ...windowEntities(schema, w)]);
        offset += block.byteLength;
      }
      if (pagesFd !== undefined) {
        for (let p = 0; p < doc.pages.length; p++) writeAll(pagesFd, (await pageRgb(doc, p, corpus, S)).data);
      }
      documents.push({
        id: doc.id,
        domain: doc.domain ?? 'unknown',
        ...(doc.template === undefined ? {} : { template: doc.template }),
        unseenTemplate: doc.unseenTemplate === true,
        numWords: f.numWords,
        numTokens: f.numTokens,
        firstWindow,
        numWindows: f.windows.length,
        firstPage: pages,
        numPages: doc.pages.length,
      });
      pages += doc.pages.length;
      if (options.onProgress && (documents.length % 50 === 0 || documents.length === total)) {
        options.onProgress({ split, documents: documents.length, total });
      }
    }
  } finally {
    closeSync(windowsFd);
    if (pagesFd !== undefined) closeSync(pagesFd);
  }
  const index: SplitIndex = { format: FEATURE_CACHE_FORMAT, key, split, maxLength, stride, imageSize: S, documents, windows };
  writeFileSync(join(tmp, INDEX_FILE), JSON.stringify(index));
}

function readManifestCount(corpus: string, split: SplitName): number {
  try {
    const m = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as { splits?: Record<string, { documents?: number }> };
    return m.splits?.[split]?.documents ?? 0;
  } catch {
    return 0;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

async function pageRgb(doc: InvoiceDocument, page: number, corpus: string, size: number) {
  if (!doc.pages[page]?.image) {
    throw new HybridocError(
      `${corpus}: document ${doc.id} page ${page} has no image (was the corpus generated with --no-images?) but the model reads page images`,
    );
  }
  return resizeBilinearPil(await readRgbImage(pageImagePath(doc, page, corpus)), size, size);
}

/** Entity ids labelled in a window (on first sub-tokens), sorted and distinct. */
function windowEntities(schema: LabelSchema, w: FeatureWindow): number[] {
  const out = new Set<number>();
  for (let t = 0; t < w.length; t++) {
    const l = w.labels[t];
    if (l < 0) continue;
    const e = schema.labelToEntity[l];
    if (e >= 0) out.add(e);
  }
  return [...out].sort((a, b) => a - b);
}
