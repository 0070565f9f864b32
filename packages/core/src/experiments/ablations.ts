/**
 * The seed's other systems measured one at a time (bench/ablate.mjs): each variant changes one thing of one
 * baseline run (the hybrid head + adaptive CRF of the comparison config, domain-balanced sampling, plain NLL,
 * no curriculum, the normalised combination) and is trained from scratch on the same corpus for the same
 * epochs; the table reports each against the baseline.
 *
 *   WORK/corpus/                   the corpus (regenerated from its seed when missing)
 *   WORK/features/                 the shared feature cache
 *   WORK/VARIANT/run/, result.json one training run per variant; a finished variant is never redone
 *   WORK/preset-VARIANT.yaml       a variant's model preset when it changes a head setting
 *   WORK/ablations.md, .json       the table
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { evaluateModel } from '../trainer/evaluate-model.js';
import { train } from '../trainer/train.js';
import { atomicWriteFile } from '../training/atomic-files.js';
import type { ProgressOptions } from '../training/progress.js';
import { loadTrainingConfig, type TrainingConfig } from '../training/training-config.js';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { armOverrides, COMPARE_CONFIG } from './compare.js';
import { ensureExperimentCorpus } from './experiment-corpus.js';
import { lossSmoothness } from './training-measures.js';

export interface AblationVariant {
  name: string;
  /** what it changes against the baseline */
  change: string;
  overrides: Record<string, unknown>;
  /** head settings of the model preset to change (config/models heads keys) */
  heads?: Record<string, unknown>;
}

/** The baseline and the four variants of issue 9 (curriculum: the CRF term joins in the last epoch). */
export function ablationVariants(numEpochs: number): AblationVariant[] {
  const crfFrom = Math.max(2, numEpochs);
  return [
    { name: 'baseline', change: 'domain-balanced sampling, plain NLL, no curriculum, combine: normalized', overrides: {} },
    {
      name: 'shuffled-sampling',
      change: 'plain shuffled sampling instead of domain-balanced',
      overrides: { 'training.sampler.type': 'shuffled' },
    },
    { name: 'focal-loss', change: 'class-balanced focal NLL instead of plain NLL', overrides: { 'training.focal_loss.enabled': true } },
    {
      name: 'curriculum',
      change: `curriculum: CRF weight 0 until epoch ${crfFrom - 1}, then 0.5`,
      overrides: {
        'curriculum.enabled': true,
        'curriculum.phases': [
          { name: 'emissions-only', epochs: [1, crfFrom - 1], loss_weights: { crf: 0 } },
          { name: 'with-crf', epochs: [crfFrom, 'end'], loss_weights: { crf: 0.5 } },
        ],
      },
    },
    {
      name: 'combine-product',
      change: "combine: product (the seed's group_prob x similarity)",
      overrides: {},
      heads: { combine: 'product' },
    },
  ];
}

export interface AblationOptions {
  workDir: string;
  /** training config (default: the comparison's); the hybrid + CRF arm of it is the baseline */
  config?: string;
  overrides?: Record<string, unknown>;
  documents?: number;
  seed?: number;
  /** epochs per run (default: the config's) */
  epochs?: number;
  /** run only these variants (default all) */
  variants?: readonly string[];
  threads?: number;
  progress?: ProgressOptions['mode'];
  signal?: AbortSignal;
  onVariant?: (event: { variant: string; status: 'start' | 'done' | 'reused'; result?: AblationResult }) => void;
}

export interface AblationResult {
  variant: string;
  change: string;
  steps: number;
  trainSeconds: number;
  bestValF1: number | null;
  inTemplateMicroF1: number;
  inTemplateMacroF1: number;
  crossTemplateMicroF1: number | null;
  rareMacroF1: number | null;
  entityLossSpread: number;
}

export interface AblationReport {
  workDir: string;
  documents: number;
  epochs: number;
  preset: string;
  results: AblationResult[];
  markdown: string;
}

export async function runAblations(options: AblationOptions): Promise<AblationReport> {
  const log = logger('ablate');
  const workDir = resolve(options.workDir);
  mkdirSync(workDir, { recursive: true });
  const configName = options.config ?? COMPARE_CONFIG;
  const userOverrides = { ...(options.overrides ?? {}), ...(options.epochs ? { 'training.num_epochs': options.epochs } : {}) };
  const base = loadTrainingConfig(configName, { overrides: userOverrides });
  const epochs = base.training.num_epochs;
  const documents = options.documents ?? base.training.dataset.total_size;
  const backbone = base.modelConfig.backbone;
  const corpus = await ensureExperimentCorpus({
    dir: join(workDir, 'corpus'),
    count: documents,
    seed: options.seed ?? base.training.seed,
    dataset: base.training.dataset,
    images: backbone.visual_embed,
    imageSize: backbone.visual_embed ? backbone.input_size : undefined,
    progress: options.progress,
    signal: options.signal,
  });
  const variants = ablationVariants(epochs).filter((v) => !options.variants || options.variants.includes(v.name));
  const results: AblationResult[] = [];
  for (const v of variants) {
    const dir = join(workDir, v.name);
    const resultFile = join(dir, 'result.json');
    if (existsSync(resultFile)) {
      const r = JSON.parse(readFileSync(resultFile, 'utf8')) as AblationResult;
      results.push(r);
      options.onVariant?.({ variant: v.name, status: 'reused', result: r });
      continue;
    }
    options.onVariant?.({ variant: v.name, status: 'start' });
    const overrides: Record<string, unknown> = { ...userOverrides, ...armOverrides('hybrid-crf', base, null), ...v.overrides };
    if (v.heads) overrides['model.preset'] = writeVariantPreset(workDir, v, base);
    const config = loadTrainingConfig(configName, { overrides });
    const runDir = join(dir, 'run');
    const trained = await train({
      config,
      corpus: corpus.dir,
      out: runDir,
      threads: options.threads,
      featureCacheDir: join(workDir, 'features'),
      progress: options.progress,
      signal: options.signal,
    });
    if (trained.stoppedBy === 'interrupted')
      throw new HybridocError(`ablation interrupted in ${v.name}; run the same command again to continue`);
    const ev = await evaluateModel({
      model: runDir,
      corpus: corpus.dir,
      splits: ['test', 'test-unseen-templates'],
      threads: options.threads,
      bootstrap: { samples: 1 },
    });
    const r = ev.report;
    const result: AblationResult = {
      variant: v.name,
      change: v.change,
      steps: trained.steps,
      trainSeconds: trained.elapsedSeconds,
      bestValF1: trained.bestValF1,
      inTemplateMicroF1: r.inTemplate?.micro.f1 ?? NaN,
      inTemplateMacroF1: r.inTemplate?.macro.f1 ?? NaN,
      crossTemplateMicroF1: r.crossTemplate?.micro.f1 ?? null,
      rareMacroF1: r.rare.evaluated.length ? r.rare.macroF1 : null,
      entityLossSpread: lossSmoothness(runDir).spread,
    };
    atomicWriteFile(resultFile, JSON.stringify(result, null, 2) + '\n');
    log.info({ variant: v.name, f1: result.inTemplateMicroF1 }, 'variant finished');
    results.push(result);
    options.onVariant?.({ variant: v.name, status: 'done', result });
  }
  const report: AblationReport = {
    workDir,
    documents: corpus.manifest.counts.documents,
    epochs,
    preset: base.modelConfig.name,
    results,
    markdown: '',
  };
  report.markdown = renderAblationMarkdown(report);
  writeFileSync(join(workDir, 'ablations.md'), report.markdown);
  writeFileSync(join(workDir, 'ablations.json'), JSON.stringify({ ...report, markdown: undefined }, null, 2) + '\n');
  return report;
}

/** A model preset file that extends the baseline's preset with the variant's head settings. */
export function writeVariantPreset(workDir: string, v: AblationVariant, base: TrainingConfig): string {
  const parent = isAbsolute(base.model.preset) || base.model.preset.includes('/') ? resolve(base.model.preset) : base.model.preset;
  const file = join(workDir, `preset-${v.name}.yaml`);
  const doc = { name: `${base.modelConfig.name}-${v.name}`, extends: parent, description: v.change, heads: v.heads ?? {} };
  writeFileSync(file, stringifyYaml(doc));
  return file;
}

export function renderAblationMarkdown(report: AblationReport): string {
  const f = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(3));
  const d = (x: number | null, b: number | null) =>
    x === null || b === null || !Number.isFinite(x) || !Number.isFinite(b) ? '' : ` (${x - b >= 0 ? '+' : ''}${(x - b).toFixed(3)})`;
  const baseline = report.results.find((r) => r.variant === 'baseline');
  const lines = [
    `## Ablations (from-scratch training, ${report.preset} preset, ${report.documents} documents, ${report.epochs} epochs each)`,
    '',
    'Each variant changes one thing of the baseline (hybrid head + adaptive CRF); differences in brackets are against the baseline, one seed each.',
    '',
    '| variant | change | in-template micro F1 | macro F1 | cross-template F1 | rare-entity F1 | best val F1 | entity-loss spread | train s |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of report.results) {
    lines.push(
      `| ${r.variant} | ${r.change} | ${f(r.inTemplateMicroF1)}${d(r.inTemplateMicroF1, baseline?.inTemplateMicroF1 ?? null)} | ` +
        `${f(r.inTemplateMacroF1)}${d(r.inTemplateMacroF1, baseline?.inTemplateMacroF1 ?? null)} | ` +
        `${f(r.crossTemplateMicroF1)}${d(r.crossTemplateMicroF1, baseline?.crossTemplateMicroF1 ?? null)} | ` +
        `${f(r.rareMacroF1)}${d(r.rareMacroF1, baseline?.rareMacroF1 ?? null)} | ${f(r.bestValF1)} | ${r.entityLossSpread.toFixed(4)} | ${r.trainSeconds.toFixed(0)} |`,
    );
  }
  return lines.join('\n') + '\n';
}
