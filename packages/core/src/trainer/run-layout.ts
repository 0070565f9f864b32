/**
 * The files of a training run's output directory (`hybridoc train --out DIR`), one place that names them:
 *
 *   run.json                 what the run is (config, corpus, model, tokenizer): written once set-up is done,
 *                            checked when the same command runs again
 *   training-config.json     the resolved training config (every value, with the preset's recipe applied)
 *   tokenizer.json           the tokenizer the model reads (trained from scratch on the training split, or copied)
 *   artifacts/               the training-artifact set: infer/eval/grad/train_step/optimizer_step graphs,
 *                            manifest.json, checkpoint.safetensors with the initial parameters
 *   checkpoints/last/        parameters + optimizer state + trainer state of the latest checkpoint
 *   checkpoints/best/        the same at the best validation entity F1 so far
 *   metrics.jsonl            one line per optimizer step and one per evaluation
 *   loss-curves.png          redrawn after every epoch
 *   features/KEY/SPLIT/      the featurisation cache (unless another cache directory is given)
 *
 * Checkpoint directories are replaced atomically (training/atomic-files.ts); each holds
 * checkpoint.safetensors and trainer-state.json.
 */
import { join, resolve } from 'node:path';

export interface RunPaths {
  dir: string;
  run: string;
  config: string;
  tokenizer: string;
  artifacts: string;
  checkpoints: string;
  last: string;
  best: string;
  metrics: string;
  lossCurves: string;
  features: string;
}

export const CHECKPOINT_WEIGHTS_FILE = 'checkpoint.safetensors';
export const TRAINER_STATE_FILE = 'trainer-state.json';

export function runPaths(out: string): RunPaths {
  const dir = resolve(out);
  return {
    dir,
    run: join(dir, 'run.json'),
    config: join(dir, 'training-config.json'),
    tokenizer: join(dir, 'tokenizer.json'),
    artifacts: join(dir, 'artifacts'),
    checkpoints: join(dir, 'checkpoints'),
    last: join(dir, 'checkpoints', 'last'),
    best: join(dir, 'checkpoints', 'best'),
    metrics: join(dir, 'metrics.jsonl'),
    lossCurves: join(dir, 'loss-curves.png'),
    features: join(dir, 'features'),
  };
}
