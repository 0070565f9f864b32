/**
 * One synthetic document from (seed, index, domain, template family, noise): content, layout, BIO labels,
 * field values, optional noise, and the page drawings. The same inputs always give the same document, so a
 * page can be redrawn at any scale from the stored document alone (renderPage).
 */
import type { Box, InvoiceDocument, Word } from '../documents/document.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import { TextMeasurer, type Font } from './fonts.js';
import { buildInvoiceData, KNOWN_ENTITIES, type InvoiceData } from './invoice-data.js';
import { LayoutBuilder, type Graphic, type LayoutWord } from './layout.js';
import { Phrasebook } from './phrases.js';
import { hashParts, Rng } from './prng.js';
import { makeContext } from './template-context.js';
import { familyById } from './templates/index.js';
import { drawPage, drawWordsOnly, type PageDrawing, type RenderOptions, type ScanLook } from './render.js';
import type { Canvas } from '@napi-rs/canvas';

/** Written into every generated document's meta.generator; a layout change bumps it. */
export const CORPUS_GENERATOR = 'hybridoc-corpus/1';

export interface NoiseOptions {
  /** per-character OCR error rate (substitutions such as O/0, l/1, rn/m) */
  ocr: number;
  /** word-box edge jitter, as a fraction of the word height */
  jitter: number;
  /** largest page rotation in degrees (each page draws its own angle) */
  rotate: number;
  /** fraction of documents drawn with a scanned look (blur, uneven ink, specks, tinted paper) */
  scan: number;
}

export const NO_NOISE: NoiseOptions = { ocr: 0, jitter: 0, rotate: 0, scan: 0 };

export interface DocumentSpec {
  seed: number;
  index: number;
  domain: string;
  template: string;
  noise: NoiseOptions;
}

export interface GeneratedDocument {
  doc: InvoiceDocument;
  data: InvoiceData;
  /** what the renderer draws, one per page (rotation and scan look applied) */
  pages: PageDrawing[];
}

/** Per-thread state: the measurer and the schema's view of each domain. */
export class DocumentFactory {
  readonly measurer = new TextMeasurer();
  private allowed = new Map<string, Set<string>>();
  private extras = new Map<string, string[]>();
  private graphicTokens = new Map<string, string>();
  private qrEntities = new Set<string>();

  constructor(readonly schema: LabelSchema) {
    for (const dom of schema.domains) {
      const ents = schema.entities.filter((e) => e.domains.includes(dom));
      this.allowed.set(dom, new Set(ents.filter((e) => e.carrier.kind === 'text' || KNOWN_ENTITIES.has(e.name)).map((e) => e.name)));
      this.extras.set(
        dom,
        ents.filter((e) => !KNOWN_ENTITIES.has(e.name) && e.carrier.kind === 'text').map((e) => e.name),
      );
    }
    for (const e of schema.entities) {
      if (e.carrier.kind === 'graphic') this.graphicTokens.set(e.name, e.carrier.token!);
      if (e.carrier.kind === 'qr') this.qrEntities.add(e.name);
    }
  }

  /** Build a document. */
  generate(spec: DocumentSpec): GeneratedDocument {
    const family = familyById(spec.template);
    if (!family) throw new HybridocError(`unknown template family "${spec.template}"`);
    if (family.domain !== spec.domain)
      throw new HybridocError(`template family "${spec.template}" belongs to ${family.domain}, not ${spec.domain}`);
    const allowed = this.allowed.get(spec.domain);
    if (!allowed) throw new HybridocError(`${this.schema.file}: domains: the schema has no domain "${spec.domain}"`);
    const docSeed = hashParts([spec.seed, spec.index]);
    const dataRng = Rng.from(docSeed, 'data');
    const layoutRng = Rng.from(docSeed, 'layout');
    const noiseRng = Rng.from(docSeed, 'noise');
    const data = buildInvoiceData(dataRng, {
      domain: spec.domain,
      allowed,
      locales: family.locales,
      rates: family.rates,
      mark: family.mark,
      items: family.items,
      variant: family.variant,
      extraEntities: this.extras.get(spec.domain) ?? [],
    });
    const page = family.page(data, layoutRng);
    const st = family.style(layoutRng);
    const phrases = new Phrasebook(data.lang, layoutRng.fork('phrases'), family.phrases?.(data, layoutRng) ?? {}, data.locale.country);
    const b = new LayoutBuilder(this.measurer, page);
    const ctx = makeContext(b, data, layoutRng, phrases, st);
    ctx.tokens = { ...ctx.tokens, ...Object.fromEntries(this.graphicTokens) };
    family.draw(ctx);
    placeExtras(ctx.b, data, ctx.f(st.size - 1), ctx.f(st.size - 1, true));
    if (b.pages.length > 1) pageNumbers(b, phrases, ctx.f(st.size - 1.5));
    // reading order: page by page, emission order within a page
    const order = b.words.map((w, i) => i).sort((a, z) => b.words[a].page - b.words[z].page || a - z);
    const words = order.map((i) => b.words[i]);
    // noise: rotation (geometry), scan look (drawing), jitter and OCR errors (the words only)
    const rotations = b.pages.map(() => (spec.noise.rotate > 0 ? round2(noiseRng.float(-spec.noise.rotate, spec.noise.rotate)) : 0));
    const scanned = spec.noise.scan > 0 && noiseRng.chance(spec.noise.scan);
    const scan: ScanLook | undefined = scanned
      ? {
          // page units: a 300 dpi scanner's optics blur by about one of its pixels (0.24 units); 0.9 made text unreadable
          blur: round2(noiseRng.float(0.1, 0.4)),
          tint: round2(noiseRng.float(0, 1)),
          inkVariation: round2(noiseRng.float(0.2, 0.9)),
          specks: round2(noiseRng.float(0, 1.5)),
          seed: noiseRng.uint32(),
        }
      : undefined;
    const pageWords: LayoutWord[][] = b.pages.map(() => []);
    for (const w of words) pageWords[w.page].push(w);
    const pageGraphics: Graphic[][] = b.pages.map(() => []);
    for (const g of b.graphics) pageGraphics[g.page].push(g);
    const pages: PageDrawing[] = b.pages.map((p, i) => ({
      width: p.width,
      height: p.height,
      rotation: rotations[i],
      words: pageWords[i],
      graphics: pageGraphics[i],
      ...(scan ? { scan: { ...scan, seed: hashParts([scan.seed, i]) } } : {}),
    }));
    const docWords = toWords(words, b.spans, b.pages, rotations, spec.noise, noiseRng);
    // field values: each span's words joined, spans in order of first appearance
    const spanWords = new Map<number, string[]>();
    for (const w of words) {
      if (w.span < 0) continue;
      const list = spanWords.get(w.span);
      if (list) list.push(w.text);
      else spanWords.set(w.span, [w.text]);
    }
    const fields: Record<string, string[]> = {};
    for (const [span, texts] of spanWords) (fields[b.spans[span].entity] ??= []).push(texts.join(' '));
    checkBio(docWords);
    const l = data.ledger;
    const doc: InvoiceDocument = {
      id: `s${spec.seed}-${String(spec.index).padStart(7, '0')}`,
      domain: spec.domain,
      template: spec.template,
      unseenTemplate: false,
      pages: b.pages.map((p) => ({ width: p.width, height: round2(p.height) })),
      words: docWords,
      fields,
      meta: {
        generator: CORPUS_GENERATOR,
        seed: spec.seed,
        index: spec.index,
        locale: data.locale.id,
        lang: data.lang,
        datePattern: data.datePattern,
        number: { decimal: data.money.number.decimal, group: data.money.number.group, grouping: data.money.number.grouping },
        currency: data.money.currency,
        noise: spec.noise,
        ...(rotations.some((x) => x !== 0) ? { rotation: rotations } : {}),
        ...(scan ? { scanned: true } : {}),
        ledger: {
          items: data.items.map((it) => [it.qty, it.unitPrice, it.discount, it.total]),
          subtotal: l.subtotal,
          discount: l.discount,
          shipping: l.shipping,
          taxLines: l.taxLines.map((t) => [t.rate, t.base, t.amount]),
          tax: l.tax,
          total: l.total,
          previousBalance: l.previousBalance,
          paymentsReceived: l.paymentsReceived,
          adjustments: l.adjustments,
          paid: l.paid,
          refund: l.refund,
          due: l.due,
          change: l.change,
        },
        ...(data.meters.length ? { meters: data.meters.map((m) => [m.previous, m.current, m.usage]) } : {}),
      },
    };
    return { doc, data, pages };
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Words with BIO labels; boxes rotated with their page, jittered, rounded and kept inside the page. */
function toWords(
  words: LayoutWord[],
  spans: Array<{ entity: string }>,
  pages: Array<{ width: number; height: number }>,
  rotations: number[],
  noise: { ocr: number; jitter: number },
  r: Rng,
): Word[] {
  const out: Word[] = [];
  let prevSpan = -1;
  for (const w of words) {
    let box: Box = w.box;
    const pg = pages[w.page];
    if (rotations[w.page]) box = rotateBox(box, rotations[w.page], pg.width / 2, pg.height / 2);
    if (noise.jitter > 0 && !w.carrier) {
      const h = box[3] - box[1];
      const j = () => r.float(-noise.jitter, noise.jitter) * h;
      box = [box[0] + j(), box[1] + j(), box[2] + j(), box[3] + j()];
      if (box[2] < box[0] + 1) box[2] = box[0] + 1;
      if (box[3] < box[1] + 1) box[3] = box[1] + 1;
    }
    const clamped: Box = [
      clamp(round2(box[0]), 0, pg.width),
      clamp(round2(box[1]), 0, pg.height),
      clamp(round2(box[2]), 0, pg.width),
      clamp(round2(box[3]), 0, pg.height),
    ];
    const text = noise.ocr > 0 && !w.carrier ? ocrErrors(w.text, noise.ocr, r) : w.text;
    let label = 'O';
    if (w.span >= 0) label = `${w.span === prevSpan ? 'I' : 'B'}-${spans[w.span].entity}`;
    prevSpan = w.span;
    out.push({ text, box: clamped, page: w.page, label });
  }
  return out;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export function rotateBox(box: Box, deg: number, cx: number, cy: number): Box {
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [x, y] of [
    [box[0], box[1]],
    [box[2], box[1]],
    [box[0], box[3]],
    [box[2], box[3]],
  ]) {
    const dx = x - cx;
    const dy = y - cy;
    xs.push(cx + dx * c - dy * s);
    ys.push(cy + dx * s + dy * c);
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

const CONFUSIONS: Record<string, string[]> = {
  O: ['0', 'D'],
  '0': ['O', 'o'],
  l: ['1', 'I', '|'],
  '1': ['l', 'I', '7'],
  I: ['l', '1'],
  S: ['5', '$'],
  '5': ['S', '6'],
  B: ['8', '3'],
  '8': ['B', '3'],
  e: ['c', 'o'],
  a: ['o', 'e'],
  c: ['e', '('],
  u: ['v', 'n'],
  n: ['m', 'r'],
  m: ['rn', 'nn'],
  ',': ['.', ''],
  '.': [',', ''],
  g: ['q', '9'],
  '6': ['b', '5'],
  Z: ['2'],
  '2': ['Z'],
};

/** OCR-like character errors at a per-character rate (the word never becomes empty). */
export function ocrErrors(text: string, rate: number, r: Rng): string {
  let out = '';
  for (const ch of text) {
    if (r.chance(rate)) {
      const alts = CONFUSIONS[ch];
      if (alts) out += r.pick(alts);
      else out += r.chance(0.5) ? ch + ch : '';
    } else out += ch;
  }
  return out.length ? out : text;
}

function checkBio(words: Word[]): void {
  let prev = 'O';
  for (const w of words) {
    const l = w.label!;
    if (l.startsWith('I-') && prev.slice(2) !== l.slice(2)) throw new Error(`invalid BIO: ${l} after ${prev}`);
    prev = l;
  }
}

/** Entities the schema adds that the generator has no layout for: a labelled block at the end. */
function placeExtras(b: LayoutBuilder, data: InvoiceData, f: Font, bf: Font): void {
  if (data.extras.length === 0) return;
  const page = b.pages.length - 1;
  b.page = page;
  const margin = 40;
  let y = b.bottomOfPage(page) + 10;
  const need = data.extras.length * b.lineHeight(f) + 10;
  if (y + need > b.pages[page].height - 20) {
    b.newPage();
    y = margin;
  }
  for (const { entity, value } of data.extras) {
    const [label, v] = value.split('|');
    const le = b.text(margin, y, `${label}:`, bf);
    b.text(le.x1 + 4, y, v, f, { span: b.span(entity) });
    y += b.lineHeight(f) + 1;
  }
}

/** "Page 1 of 3" at the foot of every page. */
function pageNumbers(b: LayoutBuilder, p: Phrasebook, f: Font): void {
  const n = b.pages.length;
  for (let i = 0; i < n; i++) {
    b.page = i;
    const pg = b.pages[i];
    b.text(pg.width - 36, pg.height - 24, `${p.get('page')} ${i + 1} ${p.get('of')} ${n}`, f, { align: 'right', color: '#444444' });
  }
}

let cachedSchema: LabelSchema | null = null;

function defaultSchema(): LabelSchema {
  return (cachedSchema ??= loadLabelSchema());
}

let sharedFactory: { schema: LabelSchema; factory: DocumentFactory } | null = null;

function factoryFor(schema: LabelSchema): DocumentFactory {
  if (!sharedFactory || sharedFactory.schema !== schema) sharedFactory = { schema, factory: new DocumentFactory(schema) };
  return sharedFactory.factory;
}

/** The spec a generated document was made from (throws for documents from elsewhere). */
export function specOf(doc: InvoiceDocument): DocumentSpec {
  const m = doc.meta ?? {};
  if (m.generator !== CORPUS_GENERATOR || typeof m.seed !== 'number' || typeof m.index !== 'number' || !doc.domain || !doc.template) {
    throw new HybridocError(`document ${doc.id}: not made by ${CORPUS_GENERATOR}, cannot be redrawn from its seed`);
  }
  return { seed: m.seed, index: m.index, domain: doc.domain, template: doc.template, noise: (m.noise as NoiseOptions) ?? NO_NOISE };
}

/** True when the document can be redrawn from its seed by this generator version. */
export function isRedrawable(doc: InvoiceDocument): boolean {
  return doc.meta?.generator === CORPUS_GENERATOR && typeof doc.meta?.seed === 'number';
}

/**
 * Draw page `pageIndex` of a document. Generated documents are rebuilt from their seed and drawn exactly as
 * their stored image was (at any scale); other documents are drawn as their words in their boxes.
 */
export function renderPage(doc: InvoiceDocument, pageIndex: number, opts: RenderOptions & { schema?: LabelSchema } = {}): Canvas {
  if (pageIndex < 0 || pageIndex >= doc.pages.length) throw new HybridocError(`document ${doc.id}: no page ${pageIndex}`);
  if (!isRedrawable(doc)) return drawWordsOnly(doc, pageIndex, opts);
  const g = factoryFor(opts.schema ?? defaultSchema()).generate(specOf(doc));
  if (g.doc.words.length !== doc.words.length) throw new HybridocError(`document ${doc.id}: does not match its seed (generator changed?)`);
  return drawPage(g.pages[pageIndex], opts);
}

export type { Graphic };
