#!/usr/bin/env node
// Prediction throughput and latency on synthetic invoices:
//   - documents/s of `hybridoc predict` (predictBatch) over a folder of N native JSON invoices, with 1 and 2
//     worker threads (each worker gets cores / workers ONNX Runtime threads), and the scaling ratio;
//   - p50 / p99 latency per document through the embedding API (HybridocModel.predict, one call at a time);
//   - where the time goes: loading (JSON parse, or OCR for images), featurisation, ONNX run, decoding, as
//     means per document, for the native documents and for a few page images that go through OCR.
//
//   npx tsc -b && node bench/predict.mjs [--preset small] [--docs 1000] [--rounds 2] [--latency 200] [--ocr 5] [--work DIR] [--json]
//
// The 1- and 2-worker batches run alternately, --rounds times each, and the median of each is reported, so a
// change in what else the machine is doing weighs on both alike.
// The model is the preset's layoutlmv3-hybrid with untrained weights (timing does not depend on them), a
// byte-level BPE trained on the corpus, and its serving export; corpus, model and document files are built
// once into --work (default: the temp directory) and reused.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildArtifacts,
  configureLogging,
  createTrainableModel,
  generateCorpus,
  HybridocModel,
  loadCorpus,
  loadLabelSchema,
  loadModelConfig,
  modelConfigToJson,
  predictBatch,
  renderPage,
  trainByteLevelBpe,
  writeServingModel,
} from '../packages/core/dist/index.js';

const { values: opt } = parseArgs({
  options: {
    preset: { type: 'string', default: 'small' },
    docs: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '200' },
    ocr: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    seed: { type: 'string', default: '11' },
    work: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
configureLogging({ level: 'warn', json: true });
const N = Number(opt.docs);
const work = opt.work ?? join(tmpdir(), `hybridoc-bench-predict-${opt.preset}-${N}-${opt.seed}`);
const log = (s) => opt.json || process.stderr.write(s + '\n');
mkdirSync(work, { recursive: true });

// ------------------------------------------------------------------------------------------ set-up (cached)
const modelConfig = loadModelConfig(opt.preset);
const corpus = join(work, 'corpus');
const docsDir = join(work, 'docs');
const modelDir = join(work, 'model');
if (!existsSync(join(corpus, 'manifest.json'))) {
  log(`generating ${N} invoices (${modelConfig.backbone.input_size}-px page images) into ${corpus}`);
  await generateCorpus({
    out: corpus,
    count: N,
    seed: Number(opt.seed),
    images: true,
    imageSize: modelConfig.backbone.input_size,
    workers: 2,
  });
}
const docs = await loadCorpus(corpus, 'all');
if (!existsSync(join(docsDir, '.complete'))) {
  mkdirSync(docsDir, { recursive: true });
  docs.forEach((d, i) => {
    const doc = { ...d, pages: d.pages.map((p) => ({ ...p, image: join(corpus, p.image) })) };
    writeFileSync(join(docsDir, `invoice-${String(i).padStart(5, '0')}.json`), JSON.stringify(doc));
  });
  writeFileSync(join(docsDir, '.complete'), '');
}
if (!existsSync(join(modelDir, 'serve.onnx'))) {
  log(`building the ${opt.preset} layoutlmv3-hybrid model into ${modelDir}`);
  const bpe = trainByteLevelBpe(
    docs.flatMap((d) => d.words.map((w) => w.text)),
    { vocabSize: modelConfig.backbone.vocab_size },
  );
  modelConfig.backbone.vocab_size = Math.min(modelConfig.backbone.vocab_size, bpe.vocabSize);
  const schema = loadLabelSchema();
  const model = createTrainableModel('layoutlmv3-hybrid', {
    modelConfig,
    labels: { numLabels: schema.numLabels, numGroupClasses: schema.numGroupClasses },
    schema,
  });
  await buildArtifacts(model, modelDir, {
    schemaHash: schema.hash,
    preset: opt.preset,
    modelConfig: modelConfigToJson(modelConfig),
    seed: 1,
  });
  writeFileSync(join(modelDir, 'tokenizer.json'), JSON.stringify(bpe.tokenizer));
  writeServingModel(modelDir, join(modelDir, 'serve.onnx'));
}

// ------------------------------------------------------------------------------------------ batch throughput
const runs = { 1: [], 2: [] };
for (let round = 0; round < Number(opt.rounds); round++) {
  for (const workers of [1, 2]) {
    const out = join(work, `out-${workers}.jsonl`);
    rmSync(out, { force: true });
    const s = await predictBatch({ model: modelDir, inputs: [docsDir], out, workers, progress: 'silent' });
    if (s.failed) throw new Error(`${s.failed} documents failed; see ${out}`);
    runs[workers].push(s.docsPerSecond);
    log(
      `batch round ${round + 1}, ${workers} worker(s): ${s.done} docs in ${s.seconds.toFixed(1)} s = ${s.docsPerSecond.toFixed(1)} docs/s`,
    );
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const batch = { 1: { docsPerSecond: median(runs[1]), runs: runs[1] }, 2: { docsPerSecond: median(runs[2]), runs: runs[2] } };

// ------------------------------------------------------------------------------------------ API latency
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const stages = ['loadMs', 'featurizeMs', 'onnxMs', 'decodeMs'];
const split = (results) => {
  const o = Object.fromEntries(stages.map((k) => [k, mean(results.map((r) => r.timing[k]))]));
  o.totalMs = mean(results.map((r) => r.timing.totalMs));
  return o;
};

const model = await HybridocModel.load(modelDir);
const described = model.describe();
const files = docs.map((_, i) => join(docsDir, `invoice-${String(i).padStart(5, '0')}.json`));
for (const f of files.slice(0, 10)) await model.predict(f); // warm-up
const latencyResults = [];
for (const f of files.slice(10, 10 + Number(opt.latency))) latencyResults.push(await model.predict(f));
const totals = latencyResults.map((r) => r.timing.totalMs);
const latency = {
  documents: latencyResults.length,
  p50Ms: pct(totals, 50),
  p99Ms: pct(totals, 99),
  meanWords: mean(latencyResults.map((r) => r.words)),
  meanWindows: mean(latencyResults.map((r) => r.windows)),
  split: split(latencyResults),
};

// OCR: page images rendered from the documents at 2 px per page unit, read back with tesseract
const ocrResults = [];
const ocrDir = join(work, 'ocr');
mkdirSync(ocrDir, { recursive: true });
for (const d of docs.filter((x) => x.pages.length === 1).slice(0, Number(opt.ocr))) {
  const png = join(ocrDir, `${d.id}.png`);
  if (!existsSync(png)) writeFileSync(png, renderPage(d, 0, { scale: 2 }).toBuffer('image/png'));
  ocrResults.push(await model.predict(png));
}
await model.close();
const ocr = ocrResults.length
  ? { documents: ocrResults.length, meanWords: mean(ocrResults.map((r) => r.words)), split: split(ocrResults) }
  : null;

const result = {
  preset: opt.preset,
  model: { name: described.model, weights: described.weights, decode: described.decode, features: described.features },
  machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown' },
  documents: N,
  batch: { ...batch, scaling: batch[2].docsPerSecond / batch[1].docsPerSecond },
  latency,
  ocr,
  command: `node bench/predict.mjs --preset ${opt.preset} --docs ${N} --rounds ${opt.rounds} --latency ${opt.latency} --ocr ${opt.ocr}`,
};

if (opt.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else {
  const f = (v) => v.toFixed(1);
  const row = (name, s) =>
    `${name.padEnd(22)} ${stages.map((k) => `${f(s[k]).padStart(8)} (${((100 * s[k]) / s.totalMs).toFixed(0).padStart(2)}%)`).join(' ')} ${f(s.totalMs).padStart(8)}`;
  const out = [
    `preset ${opt.preset}, ${N} synthetic invoices, ${result.machine.cores} cores (${result.machine.cpu})`,
    `batch (median of ${opt.rounds}): 1 worker ${f(batch[1].docsPerSecond)} docs/s, 2 workers ${f(batch[2].docsPerSecond)} docs/s, scaling x${result.batch.scaling.toFixed(2)}`,
    `API latency over ${latency.documents} documents (mean ${f(latency.meanWords)} words, ${f(latency.meanWindows)} windows): p50 ${f(latency.p50Ms)} ms, p99 ${f(latency.p99Ms)} ms`,
    '',
    `mean ms per document     ${['load/OCR', 'featurise', 'ONNX run', 'decode'].map((s) => s.padStart(14)).join(' ')}    total`,
    row('native JSON', latency.split),
    ...(ocr ? [row(`PNG via OCR (${ocr.documents})`, ocr.split)] : []),
  ];
  process.stdout.write(out.join('\n') + '\n');
}
