/** Shared set-up of the trainer tests: a small corpus, a tiny model preset a from-scratch tokenizer fits, a training config. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus } from '@hybridoc/core';

export interface TrainerFixture {
  root: string;
  corpus: string;
  /** training config: the tiny training preset (curriculum: CRF weight 0 in epoch 1, 0.5 from epoch 2) on the tiny backbone */
  config: string;
}

/**
 * A corpus of `count` documents (32-px page images, which the tiny backbone's visual branch reads) and the
 * config files. The tiny model preset's 256-entry vocabulary is below what a from-scratch byte-level BPE
 * needs (261), so the test preset extends it with 320.
 */
export async function makeTrainerFixture(prefix: string, count = 24, seed = 3): Promise<TrainerFixture> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const corpus = join(root, 'corpus');
  await generateCorpus({ out: corpus, count, seed, images: true, imageSize: 32 });
  writeFileSync(
    join(root, 'tiny-train-model.yaml'),
    'name: tiny-train\nextends: tiny\ndescription: tiny with room for a from-scratch tokenizer\nbackbone:\n  vocab_size: 320\n',
  );
  const config = join(root, 'train.yaml');
  writeFileSync(
    config,
    [
      'extends: tiny',
      'description: trainer tests',
      'model:',
      // absolute: a relative model.preset resolves against the working directory, not the config file
      `  preset: ${join(root, 'tiny-train-model.yaml')}`,
      'training:',
      '  batch_size: 16',
      '  num_epochs: 2',
      '',
    ].join('\n'),
  );
  return { root, corpus, config };
}
