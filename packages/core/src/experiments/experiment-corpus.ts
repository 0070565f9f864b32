/**
 * The synthetic corpus an experiment (demo, comparison, ablation) trains on: generated into its work
 * directory from a seed, so it can be deleted and made again byte for byte, and resumed when a run was
 * interrupted while generating. The split fractions come from the training config's `training.dataset`
 * (written to a corpus config file beside the corpus; the other corpus settings stay those of
 * config/corpus.yaml); documents of the held-out template families form test-unseen-templates on top.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { generateCorpus } from '../corpus/generate-corpus.js';
import { readManifest } from '../corpus/read-corpus.js';
import type { CorpusManifest } from '../corpus/manifest.js';
import type { DatasetSettings } from '../training/training-config.js';
import { createProgress, type ProgressOptions } from '../training/progress.js';
import { configPath } from '../util/paths.js';

export interface ExperimentCorpusOptions {
  dir: string;
  /** documents in all (the unseen-template ones included) */
  count: number;
  seed: number;
  /** train / val / test fractions of the seen-template documents (default: config/corpus.yaml's) */
  dataset?: Pick<DatasetSettings, 'train_split' | 'val_split' | 'test_split'>;
  /** page images (a model with a visual branch needs them), at this size */
  images?: boolean;
  imageSize?: number;
  /** worker threads (default 1) */
  workers?: number;
  progress?: ProgressOptions['mode'];
  signal?: AbortSignal;
}

export interface ExperimentCorpus {
  dir: string;
  manifest: CorpusManifest;
  /** false when the corpus was already complete */
  generated: boolean;
}

/** The corpus config file used for these splits (config/corpus.yaml with the splits replaced), written beside the corpus. */
function corpusConfigFile(dir: string, dataset: ExperimentCorpusOptions['dataset']): string | undefined {
  if (!dataset) return undefined;
  const base = parseYaml(readFileSync(configPath('corpus.yaml'), 'utf8')) as Record<string, unknown>;
  base.splits = { train: dataset.train_split, val: dataset.val_split, test: dataset.test_split };
  const file = `${resolve(dir)}.corpus.yaml`;
  const text = `# written by hybridoc: config/corpus.yaml with the training config's dataset splits\n${stringifyYaml(base)}`;
  mkdirSync(dirname(file), { recursive: true });
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  return file;
}

/** Generate the corpus, or finish or check one already there (the same seed and options give the same bytes). */
export async function ensureExperimentCorpus(o: ExperimentCorpusOptions): Promise<ExperimentCorpus> {
  const dir = resolve(o.dir);
  const complete = existsSync(resolve(dir, 'manifest.json'));
  const corpusConfig = corpusConfigFile(dir, o.dataset);
  const progress = createProgress({
    label: 'generate',
    total: o.count,
    unit: 'docs',
    mode: complete ? 'silent' : o.progress,
    component: 'corpus',
  });
  try {
    await generateCorpus({
      out: dir,
      count: o.count,
      seed: o.seed,
      images: o.images ?? false,
      ...(o.imageSize ? { imageSize: o.imageSize } : {}),
      workers: o.workers ?? 1,
      ...(corpusConfig ? { configFiles: { corpus: corpusConfig } } : {}),
      signal: o.signal,
      onProgress: (p) => progress.update(p.documents),
    });
  } finally {
    progress.stop();
  }
  return { dir, manifest: readManifest(dir), generated: !complete };
}
