/** Set-up shared by the experiment tests: config files for the tiny backbone in a temporary folder. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExperimentFixture {
  root: string;
  /** training config: `extends` the given preset, tiny backbone, a handful of documents, one epoch */
  config: string;
}

/**
 * The tiny backbone with room for a from-scratch tokenizer (its 256-entry vocabulary is below the 261 a
 * byte-level BPE needs), in a training config that extends `base` (demo or compare).
 */
export function makeExperimentFixture(prefix: string, base: 'demo' | 'compare', documents: number): ExperimentFixture {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const preset = join(root, 'tiny-experiment-model.yaml');
  writeFileSync(
    preset,
    'name: tiny-experiment\nextends: tiny\ndescription: tiny with room for a from-scratch tokenizer\nbackbone:\n  vocab_size: 320\n',
  );
  const config = join(root, `${base}-tiny.yaml`);
  writeFileSync(
    config,
    [
      `extends: ${base}`,
      `description: ${base} on the tiny backbone (tests)`,
      'model:',
      `  preset: ${preset}`,
      'training:',
      '  batch_size: 8',
      '  num_epochs: 1',
      '  sampler: { min_rare_entities_per_batch: 1 }',
      `  dataset: { total_size: ${documents}, train_split: 0.6, val_split: 0.2, test_split: 0.2 }`,
      '',
    ].join('\n'),
  );
  return { root, config };
}
