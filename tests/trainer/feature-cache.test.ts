/**
 * The trainer's parts below the training loop: the featurisation cache (what it stores equals featurising
 * the documents directly; built once; a half-built cache is discarded), batch feeds, dropout seeds, and
 * gradient accumulation through grad.onnx + optimizer_step.onnx.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  batchFeeds,
  collateCached,
  dropoutSeedFor,
  featurizeDocument,
  loadCorpus,
  loadLabelSchema,
  loadPageImage,
  loadTokenizer,
  makeRunTokenizer,
  loadModelConfig,
  openFeatureSplit,
  openSafetensors,
  pageImagePath,
  readMetricsLog,
  readTrainerState,
  train,
  IGNORE_LABEL,
  type FeatureCacheOptions,
  type LayoutTokenizer,
  type ManifestFeed,
} from '@hybridoc/core';
import { makeTrainerFixture, type TrainerFixture } from './support.js';

const schema = loadLabelSchema();
let fx: TrainerFixture;
let tokenizer: LayoutTokenizer;
let options: FeatureCacheOptions;

beforeAll(async () => {
  fx = await makeTrainerFixture('hybridoc-features-', 14, 1);
  const modelConfig = loadModelConfig(join(fx.root, 'tiny-train-model.yaml'));
  await makeRunTokenizer({ corpus: fx.corpus, modelConfig, out: join(fx.root, 'tokenizer.json') });
  tokenizer = loadTokenizer(join(fx.root, 'tokenizer.json'));
  options = { corpus: fx.corpus, dir: join(fx.root, 'cache'), tokenizer, schema, maxLength: 64, imageSize: 32 };
}, 60_000);

afterAll(() => {
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

test('the from-scratch tokenizer fits the preset vocabulary and round-trips training words', async () => {
  expect(tokenizer.vocabSize).toBeLessThanOrEqual(320);
  expect(tokenizer.vocabSize).toBeGreaterThan(261);
  const docs = await loadCorpus(fx.corpus, 'train');
  const word = docs[0].words.find((w) => w.text.length > 3)!.text;
  expect(tokenizer.decode(tokenizer.encodeWord(word))).toBe(` ${word}`);
});

test('the cache holds exactly what featurising the documents gives, page images included, and is built once', async () => {
  const split = await openFeatureSplit(options, 'train');
  const docs = await loadCorpus(fx.corpus, 'train');
  expect(split.documents.map((d) => d.id)).toEqual(docs.map((d) => d.id));
  let w = 0;
  for (const [i, doc] of docs.entries()) {
    const f = featurizeDocument(doc, tokenizer, { maxLength: 64, schema });
    const cd = split.documents[i];
    expect(cd).toMatchObject({
      firstWindow: w,
      numWindows: f.windows.length,
      numWords: doc.words.length,
      numTokens: f.numTokens,
      domain: doc.domain,
    });
    for (const fw of f.windows) {
      const cw = split.window(w);
      expect(cw.page).toBe(fw.page);
      expect([cw.tokenStart, cw.tokenEnd, cw.length]).toEqual([fw.tokenStart, fw.tokenEnd, fw.length]);
      expect(Array.from(cw.inputIds)).toEqual(Array.from(fw.inputIds));
      expect(Array.from(cw.bbox)).toEqual(Array.from(fw.bbox));
      expect(Array.from(cw.labels)).toEqual(Array.from(fw.labels));
      expect(Array.from(cw.wordIds)).toEqual(Array.from(fw.wordIds));
      expect(Array.from(cw.firstSubtoken)).toEqual(Array.from(fw.firstSubtoken));
      // the entities the sampler sees are those labelled in the window
      const ents = new Set<number>();
      fw.labels.forEach((l) => l >= 0 && schema.labelToEntity[l] >= 0 && ents.add(schema.labelToEntity[l]));
      expect(split.windows[w].entities).toEqual([...ents].sort((a, b) => a - b));
      w++;
    }
  }
  expect(split.windows.length).toBe(w);
  // page pixels: identical to loading the PNG at the model's size
  const fromPng = await loadPageImage(pageImagePath(docs[1], 0, fx.corpus), 32);
  expect(Buffer.from(split.pagePixels(1, 0).buffer).equals(Buffer.from(fromPng.buffer))).toBe(true);
  split.close();

  const index = join(split.dir, 'index.json');
  const built = statSync(index).mtimeMs;
  const again = await openFeatureSplit(options, 'train');
  expect(again.dir).toBe(split.dir);
  expect(statSync(index).mtimeMs).toBe(built);
  again.close();
  // another window length is another cache
  const other = await openFeatureSplit({ ...options, maxLength: 48 }, 'val');
  expect(other.dir).not.toBe(split.dir.replace(/train$/, 'val'));
  expect(Math.max(...other.windows.map((x) => x.length))).toBeLessThanOrEqual(48);
  other.close();
});

test('a cache split left half-built by a killed process is discarded and built again', async () => {
  const first = await openFeatureSplit(options, 'test');
  const dir = first.dir;
  const n = first.windows.length;
  first.close();
  rmSync(dir, { recursive: true });
  const tmp = join(dir, '..', '.test.tmp');
  mkdirSync(tmp);
  writeFileSync(join(tmp, 'windows.bin'), 'partial');
  const rebuilt = await openFeatureSplit(options, 'test');
  expect(rebuilt.windows.length).toBe(n);
  expect(() => statSync(tmp)).toThrow();
  rebuilt.close();
});

test('batch feeds: shapes, padding, group labels from the schema, and an unknown feed refused', async () => {
  const split = await openFeatureSplit(options, 'train');
  const cb = collateCached(split, [0, 1, 2], { padId: tokenizer.padId, pixelValues: true });
  const L = cb.batch.seqLen;
  const specs: ManifestFeed[] = [
    { name: 'input_ids', dtype: 'int64', shape: ['batch', 'seq'] },
    { name: 'bbox', dtype: 'int64', shape: ['batch', 'seq', 4] },
    { name: 'attention_mask', dtype: 'int64', shape: ['batch', 'seq'] },
    { name: 'pixel_values', dtype: 'float32', shape: ['batch', 3, 32, 32] },
    { name: 'labels', dtype: 'int64', shape: ['batch', 'seq'] },
    { name: 'group_labels', dtype: 'int64', shape: ['batch', 'seq'] },
  ];
  const feeds = batchFeeds(specs, cb.batch, schema);
  expect(feeds.input_ids.dims).toEqual([3, L]);
  expect(feeds.bbox.dims).toEqual([3, L, 4]);
  expect(feeds.pixel_values.dims).toEqual([3, 3, 32, 32]);
  expect(cb.tokens).toBe(cb.windows.reduce((s, w) => s + w.length, 0));
  const labels = Array.from(feeds.labels.data as BigInt64Array, Number);
  const groups = Array.from(feeds.group_labels.data as BigInt64Array, Number);
  let labelled = 0;
  labels.forEach((l, i) => {
    if (l === IGNORE_LABEL) expect(groups[i]).toBe(IGNORE_LABEL);
    else {
      labelled++;
      expect(groups[i]).toBe(schema.labelToGroup[l]);
    }
  });
  expect(labelled).toBeGreaterThan(0);
  // padding of the shorter rows
  const mask = Array.from(feeds.attention_mask.data as BigInt64Array, Number);
  cb.windows.forEach((w, b) => {
    expect(mask.slice(b * L, (b + 1) * L).reduce((a, x) => a + x, 0)).toBe(w.length);
  });
  // windows of the same page share its pixels
  const px = feeds.pixel_values.data as Float32Array;
  const plane = 3 * 32 * 32;
  if (split.windows[0].doc === split.windows[1].doc && split.windows[0].page === split.windows[1].page) {
    expect(Buffer.from(px.slice(0, plane).buffer).equals(Buffer.from(px.slice(plane, 2 * plane).buffer))).toBe(true);
  }
  expect(() => batchFeeds([{ name: 'token_type_ids', dtype: 'int64', shape: ['batch', 'seq'] }], cb.batch, schema)).toThrow(
    /feed 'token_type_ids' is not one the trainer supplies/,
  );
  split.close();
});

test('dropout seeds are a pure function of (seed, step, micro-batch), distinct, in the hash range', () => {
  expect(dropoutSeedFor(0, 5, 1)).toBe(dropoutSeedFor(0, 5, 1));
  const seen = new Set<number>();
  for (const seed of [0, 1])
    for (let step = 0; step < 200; step++) for (const micro of [0, 1, 2]) seen.add(dropoutSeedFor(seed, step, micro));
  expect(seen.size).toBe(2 * 200 * 3);
  for (const s of seen) {
    expect(Number.isInteger(s)).toBe(true);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(s).toBeLessThan(2 ** 31 - 1);
  }
  expect(() => dropoutSeedFor(0, -1)).toThrow(RangeError);
});

test('gradient accumulation: grad.onnx per micro-batch, averaged, then optimizer_step.onnx', async () => {
  const out = join(fx.root, 'accumulate');
  const r = await train({
    config: fx.config,
    overrides: { 'training.gradient_accumulation': 4, 'training.sampler.type': 'shuffled', 'curriculum.enabled': false },
    corpus: fx.corpus,
    out,
    model: 'test-transformer',
    maxSteps: 3,
    featureCacheDir: options.dir,
    progress: 'silent',
  });
  expect(r.stoppedBy).toBe('max_steps');
  expect(r.steps).toBe(3);
  const { steps, evals } = readMetricsLog(r.paths.metrics);
  expect(steps.map((s) => s.step)).toEqual([1, 2, 3]);
  for (const s of steps) {
    expect(Object.keys(s.losses).sort()).toEqual(['entity', 'group', 'total']);
    expect(s.grad_norm).toBeGreaterThan(0);
  }
  expect(evals).toHaveLength(1);
  // the parameters moved from the initial ones, and Adam counted 3 steps
  const init = openSafetensors(join(out, 'artifacts', 'checkpoint.safetensors'));
  const last = openSafetensors(join(r.paths.last, 'checkpoint.safetensors'));
  expect(last.metadata['hybridoc.optimizer_step']).toBe('3');
  const a = init.tensor('heads.entity.classifier.weight').data as Float32Array;
  const b = last.tensor('heads.entity.classifier.weight').data as Float32Array;
  expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(false);
}, 60_000);

test('early stopping: no val F1 gain above min_delta for `patience` epochs ends the run, the best checkpoint stays at the best epoch', async () => {
  const r = await train({
    config: fx.config,
    // a gain above 0.99 after epoch 1 cannot happen, so epoch 2 is the one without improvement
    overrides: {
      'training.num_epochs': 4,
      'training.early_stopping': { enabled: true, patience: 1, min_delta: 0.99 },
      'curriculum.enabled': false,
    },
    corpus: fx.corpus,
    out: join(fx.root, 'early'),
    model: 'test-transformer',
    featureCacheDir: options.dir,
    progress: 'silent',
  });
  expect(r.stoppedBy).toBe('early_stopping');
  expect(r.epochs).toBe(2);
  expect(r.evals.map((e) => e.epoch)).toEqual([1, 2]);
  expect(r.bestEpoch).toBe(1);
  expect(r.steps).toBeLessThan(r.totalSteps);
  expect(readTrainerState(r.paths.best).step).toBe(r.evals[0].step);
  expect(readTrainerState(r.paths.last)).toMatchObject({ step: r.steps, finished: 'early_stopping' });
}, 60_000);
