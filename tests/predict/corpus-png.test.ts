/**
 * `hybridoc predict` on a PNG of a generated invoice (issue 10: "on a PNG rendered from a synthetic document
 * where OCR recovers at least 90% of the words"). One invoice from the corpus generator (seed 10, its first
 * document: general/compact, en-AU, drawn with the scanned look: blur, uneven ink, specks, tinted paper) is
 * drawn 1700 px wide (about 205 dpi for an A4 page; the corpus's own 224 px page images are far too small to
 * read), and read back:
 *   - by DocumentLoader in this process (tesseract.js OCR and QR decoding), whose words are matched against
 *     the generated ones: same text, centre inside the generated box scaled to the PNG;
 *   - by the built CLI, `hybridoc predict MODEL page.png --out out.jsonl`, whose line must be a success that
 *     read the same words and whose fields are spans of them.
 * The denominator is every word of the page except those whose entity the schema carries as a graphic
 * ("[SIGNATURE]": a drawn shape, not text); QR payloads count, since the loader decodes QR symbols.
 * HYBRIDOC_PRINT_METRICS=1 prints the recall.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DocumentLoader,
  generateCorpus,
  loadCorpus,
  loadLabelSchema,
  renderPage,
  type InvoiceDocument,
  type PredictLine,
} from '@hybridoc/core';
import { runCli } from '../support/cli.js';
import { predictFixture, scratch, type PredictFixture } from './helpers.js';

const SEED = 10;
const WIDTH = 1700;

type Word = InvoiceDocument['words'][number];

/** Generated words of page 0 that are text on the page (graphic carriers left out), in PNG pixels. */
function textWords(doc: InvoiceDocument, sx: number, sy: number): Word[] {
  const carriers = new Map(loadLabelSchema().entities.map((e) => [e.name, e.carrier.kind]));
  return doc.words
    .filter((w) => w.page === 0 && (w.label === undefined || w.label === 'O' || carriers.get(w.label.slice(2)) !== 'graphic'))
    .map((w) => ({ ...w, box: [w.box[0] * sx, w.box[1] * sy, w.box[2] * sx, w.box[3] * sy] as Word['box'] }));
}

/** Generated words that OCR read: same text, box centre inside the generated box, each read word used once. */
function matchWords(gold: Word[], read: Word[]): { matched: number; missed: string[] } {
  const used = new Set<number>();
  const missed: string[] = [];
  for (const g of gold) {
    const i = read.findIndex((w, k) => {
      if (used.has(k) || w.text !== g.text) return false;
      const cx = (w.box[0] + w.box[2]) / 2;
      const cy = (w.box[1] + w.box[3]) / 2;
      return cx > g.box[0] && cx < g.box[2] && cy > g.box[1] && cy < g.box[3];
    });
    if (i >= 0) used.add(i);
    else missed.push(g.text);
  }
  return { matched: gold.length - missed.length, missed };
}

describe('hybridoc predict on a PNG of a generated invoice', () => {
  let fx: PredictFixture;
  let dir: string;
  let png: string;
  let source: InvoiceDocument;
  let read: InvoiceDocument;
  let size: { width: number; height: number };

  beforeAll(async () => {
    fx = await predictFixture();
    dir = scratch('hybridoc-corpus-png-');
    await generateCorpus({ out: join(dir, 'corpus'), count: 1, seed: SEED, images: false });
    [source] = await loadCorpus(join(dir, 'corpus'), 'all');
    const canvas = renderPage(source, 0, { scale: WIDTH / source.pages[0].width });
    size = { width: canvas.width, height: canvas.height };
    png = join(dir, 'page.png');
    writeFileSync(png, canvas.toBuffer('image/png'));
    const loader = new DocumentLoader();
    try {
      read = (await loader.load(png)).document;
    } finally {
      await loader.close();
    }
  }, 120_000);

  test('the invoice is a one-page scanned-look document drawn 1700 px wide', () => {
    expect(source.meta?.scanned).toBe(true);
    expect(source.pages).toHaveLength(1);
    expect(size.width).toBe(WIDTH);
    expect(read.pages).toEqual([{ width: size.width, height: size.height, image: png }]);
  });

  test('OCR recovers at least 90% of the generated words, each where it was drawn', () => {
    const sx = size.width / source.pages[0].width;
    const sy = size.height / source.pages[0].height;
    const gold = textWords(source, sx, sy);
    expect(gold.length).toBeGreaterThan(100);
    const { matched, missed } = matchWords(gold, read.words);
    const recall = matched / gold.length;
    if (process.env.HYBRIDOC_PRINT_METRICS) {
      console.log(
        `OCR word recall on ${source.id} (${source.template}, ${source.meta?.locale}, scanned look, ${size.width}x${size.height} PNG): ` +
          `${matched}/${gold.length} = ${recall.toFixed(3)}; missed: ${missed.join(' | ')}`,
      );
    }
    expect(recall).toBeGreaterThanOrEqual(0.9);
    // and OCR adds little that is not on the page: at most 10% more words than were generated
    expect(read.words.length).toBeLessThanOrEqual(gold.length * 1.1);
  });

  test('`hybridoc predict MODEL page.png --out out.jsonl` writes one successful line with fields over the words OCR read', () => {
    const out = join(dir, 'out.jsonl');
    const r = runCli(['predict', fx.model, png, '--out', out]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/predict: 1 done, 0 failed of 1 inputs/);
    const lines = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as PredictLine);
    expect(lines).toHaveLength(1);
    const line = lines[0];
    expect(line.error).toBeUndefined();
    expect(line.input).toBe(png);
    expect(line.id).toBe('page');
    expect(line.pages).toBe(1);
    // the CLI's OCR read exactly the words this process read
    expect(line.words).toBe(read.words.length);
    expect(line.timing!.loadMs).toBeGreaterThan(0);
    expect(line.timing!.onnxMs).toBeGreaterThan(0);
    // fields: spans of those words, boxed on the page (the fixture model is untrained, so which entities
    // it finds is arbitrary; that they are well-formed spans of the OCR words is not)
    expect(Array.isArray(line.fields)).toBe(true);
    expect(line.fields!.length).toBeGreaterThan(0);
    for (const f of line.fields!) {
      expect(f.page).toBe(0);
      expect(typeof f.entity).toBe('string');
      expect(typeof f.group).toBe('string');
      const [a, b] = f.words;
      expect(0 <= a && a < b && b <= read.words.length).toBe(true);
      expect(f.value).toBe(
        read.words
          .slice(a, b)
          .map((w) => w.text)
          .join(' '),
      );
      expect(f.box[0]).toBeGreaterThanOrEqual(0);
      expect(f.box[1]).toBeGreaterThanOrEqual(0);
      expect(f.box[2]).toBeLessThanOrEqual(size.width);
      expect(f.box[3]).toBeLessThanOrEqual(size.height);
    }
  });
});
