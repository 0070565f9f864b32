/** The embedding API on the tiny hybrid model: inputs of every kind, weights, schema checks, concurrency, wasm. */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HybridocError,
  HybridocModel,
  loadLabelSchema,
  loadModel,
  readArtifactManifest,
  readOnnxMetadata,
  readOnnxMetadataFile,
  readTrainingCheckpoint,
  resolveModelFiles,
  RUN_FORMAT,
  saveModel,
  writeTrainingCheckpoint,
  schemaWithEntity,
  type InvoiceDocument,
  type PredictionResult,
} from '@hybridoc/core';
import { predictFixture, scratch, withoutTiming, writeDocument, type PredictFixture } from './helpers.js';

let fx: PredictFixture;
let model: HybridocModel;
let dir: string;
/** the shortest multi-page corpus document (several windows of 64 tokens) */
let long: InvoiceDocument;
let longFile: string;

beforeAll(async () => {
  fx = await predictFixture();
  model = await HybridocModel.load(fx.model);
  dir = scratch('hybridoc-predictor-');
  long = [...fx.docs].filter((d) => d.pages.length > 1).sort((a, b) => a.words.length - b.words.length)[0];
  longFile = writeDocument(fx, long, join(dir, 'long.json'));
});

afterAll(async () => {
  await model?.close();
});

/** Fields must be what the labels say: spans of B-X I-X..., their words' text and union boxes. */
function checkConsistent(r: PredictionResult, doc: InvoiceDocument) {
  const schema = model.schema;
  expect(r.labels).toHaveLength(doc.words.length);
  let spans = 0;
  r.labels.forEach((l, i) => {
    if (l.startsWith('B-')) spans++;
    if (l.startsWith('I-')) expect([`B-${l.slice(2)}`, l]).toContain(r.labels[i - 1]);
  });
  expect(r.fields).toHaveLength(spans);
  for (const f of r.fields) {
    const [a, b] = f.words;
    expect(r.labels[a]).toBe(`B-${f.entity}`);
    for (let i = a + 1; i < b; i++) expect(r.labels[i]).toBe(`I-${f.entity}`);
    expect(f.value).toBe(
      doc.words
        .slice(a, b)
        .map((w) => w.text)
        .join(' '),
    );
    expect(schema.groups[schema.entities[schema.entityIndex.get(f.entity)!].group].name).toBe(f.group);
    const onPage = doc.words.slice(a, b).filter((w) => w.page === f.page);
    expect(f.box).toEqual([
      Math.min(...onPage.map((w) => w.box[0])),
      Math.min(...onPage.map((w) => w.box[1])),
      Math.max(...onPage.map((w) => w.box[2])),
      Math.max(...onPage.map((w) => w.box[3])),
    ]);
    expect(f.confidence).toBeGreaterThan(0);
    expect(f.confidence).toBeLessThanOrEqual(1 + 1e-6);
  }
}

describe('HybridocModel.predict', () => {
  test('a native JSON document: windows, one Viterbi over the document, consistent fields, timing', async () => {
    const r = await model.predict(longFile);
    expect(model.describe()).toMatchObject({
      model: 'layoutlmv3-hybrid',
      servingExport: true,
      decode: 'viterbi',
      crf: true,
      features: { maxLength: 64, imageSize: 32 },
    });
    expect(r.id).toBe(long.id);
    expect(r.decode).toBe('viterbi');
    expect(r.windows).toBeGreaterThan(3);
    expect(r.words).toBe(long.words.length);
    expect(r.warnings).toBeUndefined();
    checkConsistent(r, long);
    for (const k of ['loadMs', 'featurizeMs', 'onnxMs', 'decodeMs'] as const) expect(r.timing[k]).toBeGreaterThan(0);
    expect(r.timing.totalMs).toBeGreaterThanOrEqual(r.timing.onnxMs + r.timing.decodeMs);
  });

  test('the same document as a path, as bytes and as an object gives the same prediction', async () => {
    const byPath = await model.predict(longFile);
    const byBytes = await model.predict(readFileSync(longFile), { name: 'upload.json' });
    const byObject = await model.predict(JSON.parse(readFileSync(longFile, 'utf8')) as InvoiceDocument);
    expect(withoutTiming(byBytes)).toEqual(withoutTiming(byPath));
    expect(withoutTiming(byObject)).toEqual(withoutTiming(byPath));
  });

  test('page images matter: a document without them predicts differently and says why', async () => {
    const bare = { ...long, pages: long.pages.map(({ width, height }) => ({ width, height })) };
    const r = await model.predict(bare);
    expect(r.warnings?.[0]).toMatch(/page 1 has no image/);
    const withImages = await model.predict(longFile);
    const conf = (x: PredictionResult) => x.fields.map((f) => f.confidence);
    expect(conf(r)).not.toEqual(conf(withImages));
  });

  test('argmax decoding on request; the serving export equals infer.onnx fed the checkpoint', async () => {
    const viterbi = await model.predict(longFile);
    const argmax = await model.predict(longFile, { decode: 'argmax' });
    expect(argmax.decode).toBe('argmax');
    checkConsistent(argmax, long);
    const plain = await HybridocModel.load(fx.model, { servingExport: false });
    try {
      expect(plain.describe().servingExport).toBe(false);
      const r = await plain.predict(longFile);
      expect(r.labels).toEqual(viterbi.labels);
      r.fields.forEach((f, i) => expect(f.confidence).toBeCloseTo(viterbi.fields[i].confidence!, 4));
    } finally {
      await plain.close();
    }
  });

  test('concurrent calls on one model equal sequential ones', async () => {
    const inputs = fx.docs.slice(0, 6).map((d, i) => writeDocument(fx, d, join(dir, `c${i}.json`)));
    const sequential: PredictionResult[] = [];
    for (const f of inputs) sequential.push(await model.predict(f));
    const concurrent = await Promise.all([...inputs, ...inputs].map((f) => model.predict(f)));
    concurrent.forEach((r, i) => expect(withoutTiming(r)).toEqual(withoutTiming(sequential[i % inputs.length])));
  });

  test('onnxruntime-web (wasm) predicts what onnxruntime-node predicts', async () => {
    const wasm = await HybridocModel.load(fx.model, { backend: 'wasm' });
    try {
      expect(wasm.describe()).toMatchObject({ backend: 'web', provider: 'wasm' });
      const small = writeDocument(fx, [...fx.docs].sort((x, y) => x.words.length - y.words.length)[3], join(dir, 'small.json'));
      const a = await model.predict(small);
      const b = await wasm.predict(small);
      expect(a.windows).toBeGreaterThan(1);
      expect(b.labels).toEqual(a.labels);
      expect(b.fields.map((f) => [f.entity, f.words])).toEqual(a.fields.map((f) => [f.entity, f.words]));
      b.fields.forEach((f, i) => expect(f.confidence).toBeCloseTo(a.fields[i].confidence!, 3));
    } finally {
      await wasm.close();
    }
  });

  test('analyze: per-word group and label probabilities beside the decoded fields', async () => {
    const a = await model.analyze(longFile, { topK: 4 });
    const p = await model.predict(longFile);
    expect(a.fields).toEqual(p.fields);
    expect(a.words.length).toBeGreaterThan(0);
    for (const w of a.words.slice(0, 20)) {
      expect(w.labels).toHaveLength(4);
      expect(w.groups).toHaveLength(4);
      const probs = w.labels.map((l) => l.probability);
      expect([...probs].sort((x, y) => y - x)).toEqual(probs);
      expect(probs.reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(1 + 1e-5);
      expect(w.labels[0].similarity).toBeGreaterThanOrEqual(-1);
    }
  });

  test('bad input is one clear error naming it; a closed model refuses work', async () => {
    await expect(model.predict(join(dir, 'missing.pdf'))).rejects.toThrow(/missing\.pdf: no such file/);
    await expect(model.predict(Buffer.from('{"id": "x", "pages": []}'), { name: 'upload.json' })).rejects.toThrow(/^upload\.json: /);
    await expect(model.predict(Buffer.from('GIF-ish junk'), { name: 'junk.bin' })).rejects.toThrow(/^junk\.bin: unsupported content/);
    const m2 = await HybridocModel.load(fx.model);
    await m2.close();
    await expect(m2.predict(longFile)).rejects.toThrow(/is closed/);
  });
});

describe('model directory', () => {
  test('a model runs only under the label schema it was built for', async () => {
    const base = loadLabelSchema();
    const other = schemaWithEntity(base, { entity: 'PARKING_FEE', group: base.groups[1].name });
    await expect(HybridocModel.load(fx.model, { schema: other })).rejects.toThrow(HybridocError);
    await expect(HybridocModel.load(fx.model, { schema: other })).rejects.toThrow(
      /built for label schema .* a model only runs under its own schema/,
    );
  });

  test('ONNX metadata read from the bytes or the file equals what the decoded model holds', () => {
    const file = join(fx.model, 'serve.onnx');
    const want = new Map((loadModel(file).metadataProps ?? []).map((e) => [e.key, e.value]));
    expect(want.get('checkpoint_step')).toBe('0');
    expect(want.get('schema_hash')).toBe(model.schema.hash);
    expect(readOnnxMetadataFile(file)).toEqual(want);
    expect(readOnnxMetadata(readFileSync(file))).toEqual(want);
    expect(() => readOnnxMetadata(Buffer.from([0x0a, 0xff]))).toThrow(/not an ONNX model/);
  });

  test('a serving export made from other weights is not used', () => {
    const copy = join(dir, 'stale-model');
    cpSync(fx.model, copy, { recursive: true });
    const serve = loadModel(join(copy, 'serve.onnx'));
    serve.metadataProps = (serve.metadataProps ?? []).map((e) => (e.key === 'checkpoint_step' ? { key: e.key, value: '7' } : e));
    saveModel(serve, join(copy, 'serve.onnx'));
    const files = resolveModelFiles(copy);
    expect(files.servingExport).toBeUndefined();
    expect(files.servingExportSkipped).toMatch(/step 7.*step 0/);
    expect(resolveModelFiles(fx.model).servingExport).toBe(join(fx.model, 'serve.onnx'));
  });

  test('a training run: its best checkpoint, its recorded features and decoder; a stale export is skipped', async () => {
    const run = join(dir, 'run');
    const artifacts = join(run, 'artifacts');
    cpSync(fx.model, artifacts, { recursive: true });
    rmSync(join(artifacts, 'tokenizer.json'));
    cpSync(join(fx.model, 'tokenizer.json'), join(run, 'tokenizer.json'));
    cpSync(join(fx.model, 'serve.onnx'), join(run, 'serve.onnx')); // step 0: stale for the step-5 checkpoint
    rmSync(join(artifacts, 'serve.onnx'));
    const schema = loadLabelSchema();
    writeFileSync(
      join(run, 'run.json'),
      JSON.stringify({
        format: RUN_FORMAT,
        schema: { file: schema.file, hash: schema.hash },
        features: { maxLength: 64, stride: 8, imageSize: 32 },
        decode: 'argmax',
      }),
    );
    const manifest = readArtifactManifest(artifacts);
    const state = readTrainingCheckpoint(join(artifacts, 'checkpoint.safetensors'), manifest, { allowMissingState: true });
    const emb = state.params.get('heads.prototype.prototypes')!;
    for (let i = 0; i < emb.length; i++) emb[i] = -emb[i] * 3;
    const best = join(run, 'checkpoints', 'best');
    mkdirSync(best, { recursive: true });
    writeTrainingCheckpoint(join(best, 'checkpoint.safetensors'), manifest, { ...state, step: 5 });
    writeFileSync(join(best, 'trainer-state.json'), '{}');
    writeFileSync(join(best, '.complete'), '');

    const files = resolveModelFiles(run);
    expect(files).toMatchObject({
      layout: 'run',
      checkpointStep: 5,
      servingExport: undefined,
      decode: 'argmax',
      features: { maxLength: 64, stride: 8, imageSize: 32 },
    });
    expect(files.servingExportSkipped).toMatch(/step 0.*step 5/);
    const trained = await HybridocModel.load(run);
    try {
      const r = await trained.predict(longFile);
      expect(r.decode).toBe('argmax');
      const initial = await model.predict(longFile, { decode: 'argmax' });
      expect(r.labels).not.toEqual(initial.labels); // the best checkpoint's weights, not the artifact set's
    } finally {
      await trained.close();
    }
  });

  test('a folder that is not a model says so', async () => {
    await expect(HybridocModel.load(dir)).rejects.toThrow(/not a model directory/);
  });
});
