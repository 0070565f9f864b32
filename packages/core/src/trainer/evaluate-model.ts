/**
 * Evaluation of a trained model on corpus splits: features from the cache, predictions decoded per document
 * (predict.ts), then the evaluation module's report (strict entity spans per entity, group, domain, template;
 * micro / macro; rare entities with the manifest's frequencies; cross-template on the unseen families; field
 * exact match; bootstrap intervals). `evaluateSplit` is the part the trainer runs on val every epoch.
 */
import { readCorpus, readManifest } from '../corpus/read-corpus.js';
import { SPLITS, type SplitName } from '../corpus/corpus-plan.js';
import type { CorpusManifest } from '../corpus/manifest.js';
import type { DecodeMode } from '../decoding/decode.js';
import type { CompiledCrf } from '../decoding/crf-structure.js';
import { evaluateDocuments, type EvaluationDocument, type EvaluationReport } from '../evaluation/evaluate.js';
import type { BootstrapOptions } from '../evaluation/bootstrap.js';
import { SEED_RARE_ENTITIES, type RareEntityOptions } from '../sampling/rare-entities.js';
import type { ArtifactSession } from '../artifacts/artifact-session.js';
import type { LabelSchema } from '../schema/label-schema.js';
import type { ProviderName } from '../runtime/backend.js';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { openFeatureSplit, type FeatureSplit } from './feature-cache.js';
import { evaluationDocument, predictSplit } from './predict.js';
import { openTrainedModel, type CheckpointChoice } from './trained-model.js';

/** Rare entities as the corpus defines them: below the frequency threshold in its training split, plus the seed's named ones. */
export function rareEntityOptions(manifest: CorpusManifest): RareEntityOptions {
  const train = manifest.splits.train?.documents ?? 0;
  const useTrain = train > 0;
  return {
    documentFrequency: Object.fromEntries(manifest.entities.map((e) => [e.name, useTrain ? e.train.documents : e.documents])),
    totalDocuments: useTrain ? train : Math.max(1, manifest.counts.documents),
    named: SEED_RARE_ENTITIES,
  };
}

/** Check that a corpus was labelled with the schema a model uses. */
export function checkCorpusSchema(corpus: string, manifest: CorpusManifest, schema: LabelSchema): void {
  if (manifest.schema?.hash !== schema.hash) {
    throw new HybridocError(
      `${corpus}/manifest.json: schema.hash: the corpus is labelled with schema ${manifest.schema?.hash}, the model uses ${schema.hash} (${schema.file})`,
    );
  }
}

export interface EvaluateSplitOptions {
  schema: LabelSchema;
  decode: DecodeMode;
  crf?: CompiledCrf;
  padId: number;
  rare?: RareEntityOptions;
  bootstrap?: BootstrapOptions;
  batchSize?: number;
}

/** Predictions for a cached split, as evaluation documents (gold beside predicted). */
export async function evaluationDocuments(
  session: ArtifactSession,
  split: FeatureSplit,
  corpus: string,
  options: Omit<EvaluateSplitOptions, 'rare' | 'bootstrap'>,
): Promise<EvaluationDocument[]> {
  const docs: EvaluationDocument[] = [];
  for await (const p of predictSplit(session, split, readCorpus(corpus, split.split), options)) docs.push(evaluationDocument(p));
  return docs;
}

/** The evaluation report of one cached split. */
export async function evaluateSplit(
  session: ArtifactSession,
  split: FeatureSplit,
  corpus: string,
  options: EvaluateSplitOptions,
): Promise<EvaluationReport> {
  const docs = await evaluationDocuments(session, split, corpus, options);
  return evaluateDocuments(docs, { schema: options.schema, rare: options.rare, bootstrap: options.bootstrap });
}

export interface EvaluateModelOptions {
  /** the training output directory */
  model: string;
  corpus: string;
  /** splits evaluated together (default: test and test-unseen-templates, so in- and cross-template figures both appear) */
  splits?: SplitName[];
  /** default: the run's decoder (the config's training.decode), argmax when the model has no CRF */
  decode?: DecodeMode;
  checkpoint?: CheckpointChoice;
  device?: ProviderName;
  threads?: number;
  /** feature cache root (default: the model directory's features/) */
  featureCacheDir?: string;
  batchSize?: number;
  bootstrap?: BootstrapOptions;
  schema?: LabelSchema;
}

export interface ModelEvaluation {
  model: string;
  corpus: string;
  checkpoint: { kind: string; path: string; step: number; epoch: number | null };
  splits: Array<{ split: SplitName; documents: number }>;
  decode: DecodeMode;
  seconds: number;
  report: EvaluationReport;
}

export const DEFAULT_EVALUATION_SPLITS: readonly SplitName[] = ['test', 'test-unseen-templates'];

export async function evaluateModel(options: EvaluateModelOptions): Promise<ModelEvaluation> {
  const t0 = performance.now();
  const log = logger('evaluate');
  const splits = options.splits ?? [...DEFAULT_EVALUATION_SPLITS];
  for (const s of splits) if (!SPLITS.includes(s)) throw new HybridocError(`--split: unknown split "${s}" (known: ${SPLITS.join(', ')})`);
  const manifest = readManifest(options.corpus);
  const model = await openTrainedModel(options.model, {
    checkpoint: options.checkpoint,
    device: options.device,
    threads: options.threads,
    schema: options.schema,
  });
  try {
    checkCorpusSchema(options.corpus, manifest, model.schema);
    let decode = options.decode ?? model.info.decode;
    if (decode === 'viterbi' && !model.crf) {
      if (options.decode === 'viterbi')
        throw new HybridocError(`--decode viterbi: model ${model.info.model.name} has no CRF (use --decode argmax)`);
      decode = 'argmax';
    }
    const docs: EvaluationDocument[] = [];
    const counted: ModelEvaluation['splits'] = [];
    for (const s of splits) {
      const n = manifest.splits[s]?.documents ?? 0;
      counted.push({ split: s, documents: n });
      if (n === 0) continue;
      const fs = await openFeatureSplit(
        {
          corpus: options.corpus,
          dir: options.featureCacheDir ?? model.paths.features,
          tokenizer: model.tokenizer,
          schema: model.schema,
          maxLength: model.info.features.maxLength,
          stride: model.info.features.stride,
          imageSize: model.info.features.imageSize,
        },
        s,
      );
      try {
        docs.push(
          ...(await evaluationDocuments(model.session, fs, options.corpus, {
            schema: model.schema,
            decode,
            crf: model.crf,
            padId: model.tokenizer.padId,
            batchSize: options.batchSize,
          })),
        );
      } finally {
        fs.close();
      }
    }
    if (docs.length === 0) throw new HybridocError(`${options.corpus}: the splits ${splits.join(', ')} hold no documents`);
    const report = evaluateDocuments(docs, { schema: model.schema, rare: rareEntityOptions(manifest), bootstrap: options.bootstrap });
    const seconds = (performance.now() - t0) / 1000;
    log.info({ documents: docs.length, microF1: report.overall.micro.f1, seconds }, 'evaluated');
    return { model: model.dir, corpus: options.corpus, checkpoint: model.checkpoint, splits: counted, decode, seconds, report };
  } finally {
    await model.release();
  }
}
