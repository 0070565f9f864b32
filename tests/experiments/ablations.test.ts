/**
 * The ablation variants are valid configs that each change one setting of the baseline (the comparison's
 * hybrid + CRF arm): checked by loading them, without training.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ablationVariants, armOverrides, curriculumAt, loadTrainingConfig, writeVariantPreset } from '@hybridoc/core';

const dir = mkdtempSync(join(tmpdir(), 'hybridoc-ablate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('each variant loads and differs from the baseline in its one setting', () => {
  const base = loadTrainingConfig('compare', { overrides: { 'training.num_epochs': 3 } });
  const variants = ablationVariants(3);
  expect(variants.map((v) => v.name)).toEqual(['baseline', 'shuffled-sampling', 'focal-loss', 'curriculum', 'combine-product']);
  const load = (v: (typeof variants)[number]) => {
    const overrides: Record<string, unknown> = { 'training.num_epochs': 3, ...armOverrides('hybrid-crf', base, null), ...v.overrides };
    if (v.heads) overrides['model.preset'] = writeVariantPreset(dir, v, base);
    return loadTrainingConfig('compare', { overrides });
  };
  const [baseline, shuffled, focal, curriculum, product] = variants.map(load);
  expect(baseline.model.use_crf).toBe(true);
  expect(baseline.training.early_stopping.enabled).toBe(false);
  expect(baseline.training.sampler.type).toBe('domain_balanced');
  expect(baseline.training.focal_loss.enabled).toBe(false);
  expect(baseline.curriculum.enabled).toBe(false);
  expect(baseline.modelConfig.heads.combine).toBe('normalized');

  expect(shuffled.training.sampler.type).toBe('shuffled');
  expect(focal.training.focal_loss.enabled).toBe(true);
  expect([1, 2, 3].map((e) => curriculumAt(curriculum, e).loss_weights.crf)).toEqual([0, 0, 0.5]);
  expect([1, 2, 3].map((e) => curriculumAt(baseline, e).loss_weights.crf)).toEqual([0.5, 0.5, 0.5]);
  expect(product.modelConfig.heads.combine).toBe('product');
  // everything else of the model is the baseline's
  expect(product.modelConfig.backbone).toEqual(baseline.modelConfig.backbone);
  expect({ ...product.modelConfig.heads, combine: 'normalized' }).toEqual(baseline.modelConfig.heads);
});
