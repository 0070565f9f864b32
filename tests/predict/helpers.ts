/**
 * Fixtures of the prediction tests, built once and cached under the temp directory, keyed by a hash of the
 * core sources and config (so a change to either rebuilds them):
 *
 *   corpus/   12 synthetic invoices with 32-px page images (hybridoc generate, seed 5)
 *   model/    the tiny preset's layoutlmv3-hybrid (visual branch, adaptive CRF; untrained weights) built by the
 *             artifact builder, a byte-level BPE trained on the corpus words (vocab_size set to its size),
 *             and serve.onnx, the serving export
 *
 * Building takes ~10 s; jest workers that race build into their own staging folders and one rename wins.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildArtifacts,
  createTrainableModel,
  generateCorpus,
  loadCorpus,
  loadLabelSchema,
  loadModelConfig,
  modelConfigToJson,
  trainByteLevelBpe,
  writeServingModel,
  type InvoiceDocument,
} from '@hybridoc/core';
import { REPO } from '../support/cli.js';

export { REPO };

function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) hashTree(h, p);
    else if (/\.(ts|ya?ml|json)$/.test(name)) h.update(name).update(readFileSync(p));
  }
}

function fixtureKey(): string {
  const h = createHash('sha256');
  hashTree(h, join(REPO, 'packages/core/src'));
  hashTree(h, join(REPO, 'config'));
  return h.digest('hex').slice(0, 16);
}

export interface PredictFixture {
  root: string;
  corpus: string;
  model: string;
  docs: InvoiceDocument[];
}

let cached: Promise<PredictFixture> | undefined;

/** The shared corpus and tiny model (see the file header). */
export function predictFixture(): Promise<PredictFixture> {
  cached ??= build();
  return cached;
}

async function build(): Promise<PredictFixture> {
  const root = join(tmpdir(), `hybridoc-predict-fixture-${fixtureKey()}`);
  if (!existsSync(join(root, 'model', 'serve.onnx'))) {
    const stage = join(tmpdir(), `hybridoc-predict-stage-${process.pid}-${Date.now()}`);
    mkdirSync(stage, { recursive: true });
    await generateCorpus({ out: join(stage, 'corpus'), count: 12, seed: 5, images: true, imageSize: 32 });
    const docs = await loadCorpus(join(stage, 'corpus'), 'all');
    const bpe = trainByteLevelBpe(
      docs.flatMap((d) => d.words.map((w) => w.text)),
      { vocabSize: 320 },
    );
    const modelConfig = loadModelConfig('tiny');
    modelConfig.backbone.vocab_size = bpe.vocabSize;
    const schema = loadLabelSchema();
    const model = createTrainableModel('layoutlmv3-hybrid', {
      modelConfig,
      labels: { numLabels: schema.numLabels, numGroupClasses: schema.numGroupClasses },
      schema,
    });
    const dir = join(stage, 'model');
    await buildArtifacts(model, dir, { schemaHash: schema.hash, preset: 'tiny', modelConfig: modelConfigToJson(modelConfig), seed: 3 });
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(bpe.tokenizer));
    writeServingModel(dir, join(dir, 'serve.onnx'));
    try {
      renameSync(stage, root);
    } catch {
      rmSync(stage, { recursive: true, force: true }); // another worker won the race
    }
  }
  const corpus = join(root, 'corpus');
  return { root, corpus, model: join(root, 'model'), docs: await loadCorpus(corpus, 'all') };
}

/** A scratch directory under the temp directory. */
export function scratch(prefix: string): string {
  const d = join(tmpdir(), `${prefix}${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Write a corpus document as a standalone native JSON file with absolute page-image paths. */
export function writeDocument(fx: PredictFixture, doc: InvoiceDocument, file: string): string {
  const copy: InvoiceDocument = {
    ...doc,
    pages: doc.pages.map((p) => ({ ...p, ...(p.image ? { image: join(fx.corpus, p.image) } : {}) })),
  };
  writeFileSync(file, JSON.stringify(copy));
  return file;
}

/** A prediction without its timing (which differs run to run). */
export function withoutTiming<T extends { timing?: unknown }>(r: T): Omit<T, 'timing'> {
  const { timing: _t, ...rest } = r;
  return rest;
}
