/**
 * `hybridoc demo`, end to end: generate a synthetic corpus, train the demo preset from scratch on CPU,
 * evaluate on the in-template test split and the unseen template families, predict one invoice of an unseen
 * family, and write the results to one folder:
 *
 *   OUT/report.md            the summary (figures, timings, the invoice's fields against its gold labels)
 *                            followed by the full evaluation report
 *   OUT/report.json          the same as data: summary, stage timings, the evaluation report
 *   OUT/loss-curves.png      the training run's loss curves
 *   OUT/unseen-invoice.png   the unseen-template invoice with its predicted fields boxed and labelled
 *   OUT/work/                the corpus and the training run (a model `hybridoc predict` reads)
 *
 * Run again with the same options it reuses the corpus and the finished run (an interrupted run continues);
 * with other options it makes a new corpus and replaces the run.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCorpus } from '../corpus/read-corpus.js';
import { renderPage } from '../corpus/generate-document.js';
import type { InvoiceDocument } from '../documents/document.js';
import { renderEvaluationMarkdown } from '../evaluation/markdown-report.js';
import type { EvaluationReport } from '../evaluation/evaluate.js';
import { fieldsFromLabels, renderFields } from '../render/draw-fields.js';
import { HybridocModel } from '../predict/hybridoc-model.js';
import type { PredictedField } from '../predict/document-decoder.js';
import { evaluateModel, type ModelEvaluation } from '../trainer/evaluate-model.js';
import { train, type TrainResult } from '../trainer/train.js';
import { loadTrainingConfig, type TrainingConfig } from '../training/training-config.js';
import type { ProgressOptions } from '../training/progress.js';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { ensureExperimentCorpus } from './experiment-corpus.js';
import { StageClock, type StageTime } from './stage-clock.js';

/** The training config the demo uses unless told otherwise (config/training/demo.yaml). */
export const DEMO_CONFIG = 'demo';
export const DEMO_SEED = 7;
/** The in-template micro F1 the demo must reach with its defaults (`hybridoc demo --check`). */
export const DEMO_MIN_F1 = 0.8;

export interface DemoOptions {
  /** output folder (created) */
  out: string;
  /** corpus and training seed (default 7) */
  seed?: number;
  /** training config name or path, or a loaded config (default config/training/demo.yaml) */
  config?: string | TrainingConfig;
  /** dotted-key overrides of a config loaded by name or path */
  overrides?: Record<string, unknown>;
  /** documents to generate (default: the config's training.dataset.total_size) */
  documents?: number;
  /** corpus and training run (default OUT/work) */
  workDir?: string;
  /** ONNX Runtime intra-op threads (default: its choice) */
  threads?: number;
  /** worker threads generating the corpus (default 1: a worker's start-up costs more than it saves at the demo's size) */
  corpusWorkers?: number;
  progress?: ProgressOptions['mode'];
  /** width in pixels of the drawn invoice page (default 1000) */
  imageWidth?: number;
  signal?: AbortSignal;
}

export interface DemoInvoice {
  id: string;
  template: string | undefined;
  domain: string | undefined;
  fields: PredictedField[];
  /** predicted fields whose entity, words and value equal a gold field's */
  correct: number;
  gold: number;
}

export interface DemoResult {
  out: string;
  files: { reportMarkdown: string; reportJson: string; lossCurves: string; invoice: string; model: string; corpus: string };
  seed: number;
  config: { file: string; preset: string; model: string };
  corpus: { documents: number; splits: Record<string, number> };
  training: Pick<TrainResult, 'steps' | 'totalSteps' | 'epochs' | 'stoppedBy' | 'bestValF1' | 'bestStep' | 'resumedFromStep'>;
  /** micro F1 on the in-template test split: what --check holds to DEMO_MIN_F1 */
  microF1: number;
  macroF1: number;
  crossTemplateF1: number | null;
  rareEntityF1: number | null;
  invoice: DemoInvoice;
  stages: StageTime[];
  wallSeconds: number;
  cpuSeconds: number;
}

/** Run the demo; see the file comment. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = logger('demo');
  const clock = new StageClock();
  const out = resolve(options.out);
  const seed = options.seed ?? DEMO_SEED;
  if (!(Number.isSafeInteger(seed) && seed >= 0)) throw new HybridocError(`--seed: expected an integer >= 0, got ${seed}`);
  const overrides = { 'training.seed': seed, ...(options.overrides ?? {}) };
  const config = typeof options.config === 'object' ? options.config : loadTrainingConfig(options.config ?? DEMO_CONFIG, { overrides });
  const count = options.documents ?? config.training.dataset.total_size;
  if (!(Number.isSafeInteger(count) && count >= 10)) throw new HybridocError(`--docs: expected an integer >= 10, got ${count}`);
  const work = resolve(options.workDir ?? join(out, 'work'));
  const corpusDir = join(work, `corpus-s${seed}-n${count}`);
  const runDir = join(work, 'run');
  mkdirSync(out, { recursive: true });
  const backbone = config.modelConfig.backbone;
  log.info({ out, seed, documents: count, config: config.file, preset: config.modelConfig.name }, 'hybridoc demo');

  // 1. corpus
  const corpus = await clock.time('generate corpus', () =>
    ensureExperimentCorpus({
      dir: corpusDir,
      count,
      seed,
      dataset: config.training.dataset,
      images: backbone.visual_embed,
      imageSize: backbone.visual_embed ? backbone.input_size : undefined,
      workers: options.corpusWorkers ?? 1,
      progress: options.progress,
      signal: options.signal,
    }),
  );
  const splits = Object.fromEntries(Object.entries(corpus.manifest.splits).map(([k, v]) => [k, v.documents]));
  log.info({ corpus: corpusDir, splits }, corpus.generated ? 'corpus generated' : 'corpus already there');
  if (!splits.test || !splits['test-unseen-templates'])
    throw new HybridocError(`${corpusDir}: the corpus has no test or no test-unseen-templates documents; generate more (--docs)`);

  // 2. training (continues a run of the same settings; replaces one of other settings)
  const trainOptions = {
    config,
    corpus: corpusDir,
    out: runDir,
    threads: options.threads,
    progress: options.progress,
    signal: options.signal,
  };
  const trained = await clock.time('train', async () => {
    try {
      return await train(trainOptions);
    } catch (err) {
      if (!(err instanceof HybridocError && err.message.includes('holds another training run'))) throw err;
      log.info({ run: runDir }, 'the run in the work directory has other settings; starting a new one');
      return train({ ...trainOptions, resume: 'fresh' });
    }
  });
  if (trained.stoppedBy === 'interrupted') throw new HybridocError('demo interrupted; run the same command again to continue');

  // 3. evaluation: in-template test split and the unseen template families
  const evaluation = await clock.time('evaluate', () =>
    evaluateModel({ model: runDir, corpus: corpusDir, splits: ['test', 'test-unseen-templates'], threads: options.threads }),
  );
  const report = evaluation.report;
  if (!report.inTemplate) throw new HybridocError(`${corpusDir}: no in-template test documents were evaluated`);

  // 4. one invoice of an unseen template family, predicted and drawn
  const invoiceFile = join(out, 'unseen-invoice.png');
  const invoice = await clock.time('predict and draw', async () => {
    const doc = await pickUnseenInvoice(corpusDir);
    const model = await HybridocModel.load(runDir, { threads: options.threads });
    try {
      const prediction = await model.predict(doc, { imageRoot: corpusDir });
      const page = doc.pages[0];
      const scale = Math.max(1, (options.imageWidth ?? 1000) / page.width);
      const image = renderPage(doc, 0, { scale, clean: true }).toBuffer('image/png');
      const correct = countCorrect(prediction.fields, doc, model);
      const rendered = await renderFields(
        { page, pageIndex: 0, image, words: doc.words, fields: prediction.fields },
        {
          schema: model.schema,
          width: options.imageWidth ?? 1000,
          title: `${doc.id} (${doc.template ?? 'unknown template'}, not seen in training): ${prediction.fields.length} predicted fields, ${correct.correct} of ${correct.gold} gold fields exact`,
        },
      );
      writeFileSync(invoiceFile, rendered.png);
      return { id: doc.id, template: doc.template, domain: doc.domain, fields: prediction.fields, ...correct } satisfies DemoInvoice;
    } finally {
      await model.close();
    }
  });

  // 5. the report
  const lossCurves = join(out, 'loss-curves.png');
  if (existsSync(trained.paths.lossCurves)) copyFileSync(trained.paths.lossCurves, lossCurves);
  const totals = clock.total();
  const result: DemoResult = {
    out,
    files: {
      reportMarkdown: join(out, 'report.md'),
      reportJson: join(out, 'report.json'),
      lossCurves,
      invoice: invoiceFile,
      model: runDir,
      corpus: corpusDir,
    },
    seed,
    config: { file: config.file, preset: config.modelConfig.name, model: config.model.name },
    corpus: { documents: corpus.manifest.counts.documents, splits },
    training: {
      steps: trained.steps,
      totalSteps: trained.totalSteps,
      epochs: trained.epochs,
      stoppedBy: trained.stoppedBy,
      bestValF1: trained.bestValF1,
      bestStep: trained.bestStep,
      resumedFromStep: trained.resumedFromStep,
    },
    microF1: report.inTemplate.micro.f1,
    macroF1: report.inTemplate.macro.f1,
    crossTemplateF1: report.crossTemplate?.micro.f1 ?? null,
    rareEntityF1: report.rare.evaluated.length ? report.rare.macroF1 : null,
    invoice,
    stages: clock.stages,
    wallSeconds: totals.wallSeconds,
    cpuSeconds: totals.cpuSeconds,
  };
  writeFileSync(result.files.reportJson, JSON.stringify({ ...result, evaluation }, null, 2) + '\n');
  writeFileSync(result.files.reportMarkdown, demoMarkdown(result, evaluation));
  log.info({ microF1: result.microF1, seconds: totals.wallSeconds, cpuSeconds: totals.cpuSeconds }, 'demo done');
  return result;
}

/** The first single-page invoice of the unseen template families (a general-domain one when there is one). */
async function pickUnseenInvoice(corpus: string): Promise<InvoiceDocument> {
  let first: InvoiceDocument | undefined;
  for await (const doc of readCorpus(corpus, 'test-unseen-templates')) {
    if (doc.pages.length !== 1) continue;
    first ??= doc;
    if (doc.domain === 'general') return doc;
  }
  if (!first) throw new HybridocError(`${corpus}: no single-page document in test-unseen-templates`);
  return first;
}

/** Predicted fields equal to a gold field (entity, word range). */
function countCorrect(fields: readonly PredictedField[], doc: InvoiceDocument, model: HybridocModel): { correct: number; gold: number } {
  const gold = fieldsFromLabels(model.schema, doc.words);
  const key = (entity: string, words: readonly [number, number]) => `${entity}:${words[0]}:${words[1]}`;
  const goldKeys = new Set(gold.map((g) => key(g.entity, g.wordRange)));
  return { correct: fields.filter((f) => goldKeys.has(key(f.entity, f.words))).length, gold: gold.length };
}

const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

function demoMarkdown(r: DemoResult, evaluation: ModelEvaluation): string {
  const rep: EvaluationReport = evaluation.report;
  const lines: string[] = [];
  lines.push('# hybridoc demo', '');
  lines.push(
    `Training config \`${r.config.file}\` (model ${r.config.model}, preset ${r.config.preset}), trained from scratch on CPU. ` +
      `Seed ${r.seed}; corpus of ${r.corpus.documents} synthetic documents (${Object.entries(r.corpus.splits)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}).`,
    '',
  );
  lines.push('| figure | value |', '| --- | ---: |');
  lines.push(`| **micro F1, in-template test split** | **${fmt(r.microF1)}** |`);
  lines.push(`| macro F1, in-template test split | ${fmt(r.macroF1)} |`);
  lines.push(`| micro F1, unseen template families | ${fmt(r.crossTemplateF1)} |`);
  lines.push(`| rare-entity macro F1 | ${fmt(r.rareEntityF1)} |`);
  lines.push(`| best validation micro F1 (step ${r.training.bestStep ?? 'n/a'}) | ${fmt(r.training.bestValF1)} |`);
  lines.push(`| optimizer steps / epochs | ${r.training.steps} / ${r.training.epochs} |`);
  lines.push(`| wall time / CPU time | ${r.wallSeconds.toFixed(0)} s / ${r.cpuSeconds.toFixed(0)} s |`);
  lines.push('');
  lines.push('| stage | wall s | CPU s |', '| --- | ---: | ---: |');
  for (const s of r.stages) lines.push(`| ${s.stage} | ${s.wallSeconds.toFixed(1)} | ${s.cpuSeconds.toFixed(1)} |`);
  lines.push('');
  lines.push(`## The unseen-template invoice: ${r.invoice.id} (${r.invoice.template ?? 'unknown template'})`, '');
  lines.push(
    `![predicted fields](unseen-invoice.png)`,
    '',
    `${r.invoice.fields.length} predicted fields; ${r.invoice.correct} of the ${r.invoice.gold} gold fields found exactly.`,
    '',
  );
  lines.push('| entity | value | confidence |', '| --- | --- | ---: |');
  for (const f of r.invoice.fields) lines.push(`| ${f.entity} | ${f.value.replace(/\|/g, '\\|')} | ${fmt(f.confidence, 2)} |`);
  lines.push('', '![loss curves](loss-curves.png)', '');
  const title = `Evaluation (${evaluation.checkpoint.kind} checkpoint, step ${evaluation.checkpoint.step}, ${evaluation.decode} decoding)`;
  lines.push(
    renderEvaluationMarkdown(rep, { title })
      .split('\n')
      .map((l) => (l.startsWith('#') ? `#${l}` : l))
      .join('\n'),
  );
  return lines.join('\n') + '\n';
}
