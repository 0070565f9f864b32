/**
 * The same seed and options give byte-identical corpora (shards, images, stats, manifest): in one thread or
 * two, and after a run that was interrupted (leaving a temporary shard behind) and then resumed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLabelSchema } from '../../packages/core/src/schema/label-schema.js';
import { generateCorpus, type GenerateCorpusOptions } from '../../packages/core/src/corpus/generate-corpus.js';
import { loadCorpus } from '../../packages/core/src/corpus/read-corpus.js';
import { renderPage } from '../../packages/core/src/corpus/generate-document.js';
import { encodePng } from '../../packages/core/src/corpus/png.js';
import { hashTree } from './support.js';

const schema = loadLabelSchema();
const root = mkdtempSync(join(tmpdir(), 'hd-det-'));
const base = (out: string): GenerateCorpusOptions => ({
  out: join(root, out),
  count: 60,
  seed: 11,
  shardSize: 20,
  images: true,
  schema,
  noise: { scan: 0.5, rotate: 0.8, jitter: 0.05, ocr: 0.01 },
});
let one: Map<string, string>;

afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  await generateCorpus({ ...base('one'), workers: 1 });
  one = hashTree(join(root, 'one'));
}, 120_000);

test('one run writes shards, images, per-shard stats and a manifest', async () => {
  expect([...one.keys()].filter((k) => k.endsWith('.png')).length).toBeGreaterThanOrEqual(60);
  expect(one.has('manifest.json')).toBe(true);
  expect([...one.keys()].filter((k) => k.startsWith('stats/'))).toHaveLength(3);
  const docs = await loadCorpus(join(root, 'one'));
  expect(docs.map((d) => d.id).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `s11-${String(i).padStart(7, '0')}`));
  for (const d of docs) for (const p of d.pages) expect(existsSync(join(root, 'one', p.image!))).toBe(true);
  // a stored 224 x 224 image is the page redrawn from the stored document and its seed, byte for byte
  for (const d of docs.slice(0, 12))
    d.pages.forEach((p, i) => {
      const png = encodePng(renderPage(d, i, { width: 224, height: 224, schema }));
      expect(Buffer.compare(png, readFileSync(join(root, 'one', p.image!)))).toBe(0);
    });
});

test('two worker threads give the same bytes as one', async () => {
  await generateCorpus({ ...base('two'), workers: 2 });
  expect(hashTree(join(root, 'two'))).toEqual(one);
}, 120_000);

test('an interrupted run resumes to the same bytes, without duplicates', async () => {
  const ctl = new AbortController();
  const opts = { ...base('resumed'), signal: ctl.signal, onProgress: (p: { chunksDone: number }) => p.chunksDone >= 1 && ctl.abort() };
  await expect(generateCorpus(opts)).rejects.toThrow(/interrupted after 1 of 3 shards/);
  const dir = join(root, 'resumed');
  expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
  // what a crash mid-shard leaves behind: a temporary shard file and a stray image
  mkdirSync(join(dir, 'shards'), { recursive: true });
  writeFileSync(join(dir, 'shards', 'train-00002.jsonl.tmp'), '{"partial":');
  const r = await generateCorpus(base('resumed'));
  expect(r.resumedChunks).toBe(1);
  expect(r.generatedChunks).toBe(2);
  expect(hashTree(dir)).toEqual(one);
  const ids = (await loadCorpus(dir)).map((d) => d.id);
  expect(new Set(ids).size).toBe(ids.length);
  // running again finds everything done and changes nothing
  const again = await generateCorpus(base('resumed'));
  expect(again.generatedChunks).toBe(0);
  expect(hashTree(dir)).toEqual(one);
}, 120_000);

test('another seed gives another corpus; other options in the same directory are refused', async () => {
  await generateCorpus({ ...base('seed12'), seed: 12, images: false });
  const a = readFileSync(join(root, 'one', 'shards', 'train-00000.jsonl'), 'utf8');
  const b = readFileSync(join(root, 'seed12', 'shards', 'train-00000.jsonl'), 'utf8');
  expect(a).not.toEqual(b);
  await expect(generateCorpus({ ...base('seed12'), seed: 13, images: false })).rejects.toThrow(
    /generation\.json: this corpus was made with other options/,
  );
}, 120_000);
