import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLabelSchema } from '../../packages/core/src/schema/label-schema.js';
import { HybridocError } from '../../packages/core/src/util/errors.js';
import {
  curriculumAt,
  defaultTrainingConfigPath,
  listTrainingPresets,
  loadTrainingConfig,
  plannedOptimizerSteps,
  trainDocuments,
  warmupStepsFor,
} from '../../packages/core/src/training/training-config.js';

const schema = loadLabelSchema();
let dir: string;
let base: string;
/** A self-contained config the error cases start from, so they do not depend on the shipped defaults. */
const BASE = `
model:
  preset: small
  loss_weights: { entity: 1.0, group: 0.3, proto_reg: 0.01, crf: 0.5 }
training:
  batch_size: 16
  num_epochs: 10
  warmup_fraction: 0.1
  dataset: { total_size: 1200, train_split: 0.85, val_split: 0.10, test_split: 0.05 }
curriculum:
  phases:
    - { name: emissions-only, epochs: [1, 2], loss_weights: { crf: 0 } }
    - { name: with-crf, epochs: [3, end], loss_weights: { crf: 0.5 } }
`;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hybridoc-training-config-'));
  base = join(dir, 'base.yaml');
  writeFileSync(base, BASE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Write a config that extends the test base config with `body` and return its path. */
function config(body: string, opts: { extend?: string | false } = {}): string {
  const file = join(dir, `cfg-${n++}.yaml`);
  const head = opts.extend === false ? '' : `extends: ${opts.extend ?? base}\n`;
  writeFileSync(file, head + body);
  return file;
}

/** The one-line error loading `file` gives. */
function errorOf(file: string, overrides?: Record<string, unknown>): string {
  try {
    loadTrainingConfig(file, { schema, overrides });
  } catch (err) {
    expect(err).toBeInstanceOf(HybridocError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error(`${file} loaded without an error`);
}

describe('the shipped configs', () => {
  test('default: the seed shape on the small preset, recipe and heads from the preset', () => {
    const c = loadTrainingConfig('default', { schema });
    expect(c.file).toBe(defaultTrainingConfigPath());
    expect(c.model).toMatchObject({
      architecture: 'hierarchical_prototype',
      preset: 'small',
      num_labels: 161,
      num_groups: 19,
      prototype_dim: c.modelConfig.heads.prototype_dim,
      use_crf: true,
      freeze_backbone: false,
      loss_weights: { entity: 1.0, group: 0.3, proto_reg: 0.01, crf: 0.5 },
    });
    expect(c.training.batch_size).toBe(c.modelConfig.training.batch_size);
    expect(c.training.learning_rate).toBe(c.modelConfig.training.learning_rate);
    expect(c.sources).toEqual({
      prototype_dim: 'preset',
      use_crf: 'preset',
      freeze_backbone: 'preset',
      batch_size: 'preset',
      learning_rate: 'preset',
      warmup: 'preset',
    });
    expect(c.training.dataset).toMatchObject({ train_split: 0.85, val_split: 0.1, test_split: 0.05 });
    expect(c.training.focal_loss).toEqual({ enabled: false, beta: 0.9999, gamma: 2.0 });
    expect(c.training.sampler).toEqual({ type: 'domain_balanced', min_rare_entities_per_batch: 4 });
    expect(c.training.decode).toBe('viterbi');
    expect(c.curriculum.enabled).toBe(true);
    expect(c.curriculum.phases.map((p) => [p.first_epoch, p.last_epoch])).toEqual([
      [1, 2],
      [3, c.training.num_epochs],
    ]);
  });

  test('seed: the seed values, base-finetune recipe (5e-5, 1000 warmup steps, batch 16), 250K documents', () => {
    const c = loadTrainingConfig('seed', { schema });
    expect(c.model.preset).toBe('base-finetune');
    expect(c.model.prototype_dim).toBe(256);
    expect(c.training).toMatchObject({ batch_size: 16, learning_rate: 5e-5, num_epochs: 10, warmup_steps: 1000 });
    expect(c.training.warmup_fraction).toBeUndefined();
    expect(c.training.dataset.total_size).toBe(250000);
    expect(c.files.length).toBe(2);
    expect(c.modelConfig.heads.prototype_dim).toBe(256);
    expect(c.modelConfig.training).toEqual({ learning_rate: 5e-5, batch_size: 16, warmup_steps: 1000 });
    // 212,500 training documents / 16 = 13,282 steps per epoch
    expect(trainDocuments(c.training.dataset)).toBe(212500);
    expect(plannedOptimizerSteps(c.training)).toBe(132820);
    expect(warmupStepsFor(c.training, 132820)).toBe(1000);
  });

  test('every preset loads', () => {
    const names = listTrainingPresets();
    expect(names).toEqual(expect.arrayContaining(['default', 'seed', 'tiny']));
    for (const name of names) expect(() => loadTrainingConfig(name, { schema })).not.toThrow();
  });

  test('overrides are dotted keys and win over the files', () => {
    const c = loadTrainingConfig('tiny', { schema, overrides: { 'training.num_epochs': 5, 'training.warmup_steps': 2 } });
    expect(c.training.num_epochs).toBe(5);
    expect(c.training.warmup_steps).toBe(2);
    expect(c.training.warmup_fraction).toBeUndefined();
    expect(c.sources.warmup).toBe('config');
    expect(c.curriculum.phases[c.curriculum.phases.length - 1].last_epoch).toBe(5); // "end" follows num_epochs
  });
});

describe('curriculumAt', () => {
  const c = loadTrainingConfig('default', { schema });

  test('the CRF weight is 0 in the first phase and the configured 0.5 from epoch 3; other settings carry over', () => {
    const crf = Array.from({ length: c.training.num_epochs }, (_, i) => curriculumAt(c, i + 1).loss_weights.crf);
    expect(crf).toEqual([0, 0, ...Array(c.training.num_epochs - 2).fill(0.5)]);
    const e1 = curriculumAt(c, 1);
    expect(e1).toMatchObject({ epoch: 1, phase: 'emissions-only', phaseIndex: 0 });
    expect(e1.loss_weights).toEqual({ entity: 1, group: 0.3, proto_reg: 0.01, crf: 0 });
    expect(e1.sampler).toEqual(c.training.sampler);
    expect(curriculumAt(c, 3)).toMatchObject({ phase: 'with-crf', phaseIndex: 1 });
  });

  test('phase settings for the sampler and focal loss', () => {
    const file = config(`
curriculum:
  phases:
    - { name: warm, epochs: [1, 4], loss_weights: { crf: 0, group: 0.6 }, sampler: { type: shuffled } }
    - { name: main, epochs: [5, end], sampler: { min_rare_entities_per_batch: 8 }, focal_loss: { enabled: true } }
`);
    const k = loadTrainingConfig(file, { schema });
    expect(curriculumAt(k, 2)).toMatchObject({
      phase: 'warm',
      loss_weights: { entity: 1, group: 0.6, proto_reg: 0.01, crf: 0 },
      sampler: { type: 'shuffled', min_rare_entities_per_batch: 4 },
      focal_loss: { enabled: false },
    });
    expect(curriculumAt(k, 7)).toMatchObject({
      phase: 'main',
      loss_weights: { group: 0.3, crf: 0.5 },
      sampler: { type: 'domain_balanced', min_rare_entities_per_batch: 8 },
      focal_loss: { enabled: true, beta: 0.9999, gamma: 2 },
    });
  });

  test('a disabled curriculum gives the base settings every epoch; bad epochs throw', () => {
    const off = loadTrainingConfig('default', { schema, overrides: { 'curriculum.enabled': false, 'training.num_epochs': 1 } });
    expect(curriculumAt(off, 1)).toMatchObject({ phase: 'all', phaseIndex: -1, loss_weights: { crf: 0.5 } });
    expect(() => curriculumAt(c, 0)).toThrow(RangeError);
    expect(() => curriculumAt(c, 1.5)).toThrow(RangeError);
    expect(curriculumAt(c, c.training.num_epochs + 3).phase).toBe('with-crf');
  });
});

describe('bad or inconsistent config: one line naming the file and the key', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown top-level key', 'trainer: {}\n', /: trainer: unknown key/],
    [
      'unknown nested key',
      'training:\n  sampler: { kind: shuffled }\n',
      /: training\.sampler\.kind: unknown key \(known: type, min_rare_entities_per_batch\)/,
    ],
    ['wrong type', 'training:\n  num_epochs: ten\n', /: training\.num_epochs: expected an integer, got string "ten"/],
    ['wrong type (mapping)', 'model:\n  loss_weights: 1\n', /: model\.loss_weights: expected a mapping, got number 1/],
    ['out of range', 'training:\n  learning_rate: 2\n', /: training\.learning_rate: must be in \(0, 1\), got 2/],
    ['negative loss weight', 'model:\n  loss_weights: { group: -0.3 }\n', /: model\.loss_weights\.group: must be at least 0/],
    [
      'num_labels mismatch',
      'model:\n  num_labels: 160\n',
      /: model\.num_labels: 160 does not match the label schema .*labels\.yaml \(161 labels/,
    ],
    [
      'num_groups counts the outside group',
      'model:\n  num_groups: 20\n',
      /: model\.num_groups: 20 does not match .* it has 19 entity groups \(num_groups counts entity groups only/,
    ],
    [
      'unknown architecture',
      'model:\n  architecture: mixture\n',
      /: model\.architecture: must be one of hierarchical_prototype, standard, got string "mixture"/,
    ],
    ['unknown model preset', 'model:\n  preset: gigantic\n', /: model\.preset: no model preset "gigantic" \(presets: .*small/],
    [
      'splits do not sum to 1',
      'training:\n  dataset: { test_split: 0.1 }\n',
      /: training\.dataset\.test_split: train_split \+ val_split \+ test_split must be 1, got 0\.85 \+ 0\.1 \+ 0\.1 = 1\.05/,
    ],
    [
      'both warmup forms',
      'training:\n  warmup_steps: 10\n  warmup_fraction: 0.1\n',
      /: training\.warmup_steps: set one of warmup_steps and warmup_fraction, not both/,
    ],
    [
      'warmup longer than the run',
      'training:\n  warmup_steps: 100000\n',
      /: training\.warmup_steps: 100000 warmup steps is not less than the 640 optimizer steps/,
    ],
    [
      'accumulation does not divide the batch',
      'training:\n  batch_size: 16\n  gradient_accumulation: 3\n',
      /: training\.gradient_accumulation: batch_size 16 is not a multiple of gradient_accumulation 3/,
    ],
    [
      'more rare documents than the batch',
      'training:\n  sampler: { min_rare_entities_per_batch: 40 }\n',
      /: training\.sampler\.min_rare_entities_per_batch: 40 is more than the batch holds/,
    ],
    [
      'CRF weight without a CRF',
      'model:\n  use_crf: false\ntraining:\n  decode: argmax\n',
      /: model\.loss_weights\.crf: 0\.5 but model\.use_crf is false/,
    ],
    [
      'Viterbi without a CRF',
      'model:\n  use_crf: false\n  loss_weights: { crf: 0 }\ntraining:\n  decode: viterbi\ncurriculum: { enabled: false }\n',
      /: training\.decode: viterbi needs the CRF but model\.use_crf is false/,
    ],
    [
      'group weight on the standard head',
      'model:\n  architecture: standard\n',
      /: model\.loss_weights\.group: 0\.3 but the standard architecture has no group head/,
    ],
    [
      'phases overlap',
      'curriculum:\n  phases:\n    - { epochs: [1, 3] }\n    - { epochs: [3, end] }\n',
      /: curriculum\.phases\[1\]\.epochs: epochs 3-10 overlap phases\[0\] \(epochs 1-3\)/,
    ],
    [
      'phases leave a gap',
      'curriculum:\n  phases:\n    - { epochs: [1, 2] }\n    - { epochs: [4, end] }\n',
      /: curriculum\.phases\[1\]\.epochs: epochs 3-3 are in no phase/,
    ],
    [
      'phases do not cover the run',
      'curriculum:\n  phases:\n    - { epochs: [1, 2] }\n    - { epochs: [3, 8] }\n',
      /: curriculum\.phases\[1\]\.epochs: epochs 9-10 are in no phase/,
    ],
    [
      'phase past the last epoch',
      'curriculum:\n  phases:\n    - { epochs: [1, 12] }\n',
      /: curriculum\.phases\[0\]\.epochs: ends at epoch 12 but training\.num_epochs is 10/,
    ],
    [
      'phase epochs reversed',
      'curriculum:\n  phases:\n    - { epochs: [5, 2] }\n',
      /: curriculum\.phases\[0\]\.epochs: last epoch 2 is before first epoch 5/,
    ],
    [
      'phase CRF weight without a CRF',
      'model:\n  use_crf: false\n  loss_weights: { crf: 0 }\ntraining:\n  decode: argmax\n',
      /: curriculum\.phases\[1\]\.loss_weights\.crf: 0\.5 but model\.use_crf is false/,
    ],
    ['unknown phase key', 'curriculum:\n  phases:\n    - { epochs: [1, end], lr: 0.1 }\n', /: curriculum\.phases\[0\]\.lr: unknown key/],
    [
      'enabled curriculum without phases',
      'curriculum: { enabled: true, phases: [] }\n',
      /: curriculum\.phases: the curriculum is enabled but has no phases/,
    ],
  ];
  test.each(cases)('%s', (_name, body, pattern) => {
    const file = config(body);
    const msg = errorOf(file);
    expect(msg).toMatch(pattern);
    // the file that set the key; a conflict with a key set in another file names both
    if (msg.startsWith(`${file}: `)) return;
    expect(msg.startsWith(`${base}: `)).toBe(true);
    expect(msg).toMatch(
      new RegExp(`\\((model\\.use_crf|model\\.architecture) is set in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`),
    );
  });

  test('not YAML, or not a mapping', () => {
    expect(errorOf(config('model: [unclosed\n', { extend: false }))).toMatch(/cfg-\d+\.yaml: not valid YAML: /);
    expect(errorOf(config('- a\n- b\n', { extend: false }))).toMatch(/cfg-\d+\.yaml: expected a mapping at the top level, got a list/);
  });

  test('a missing required section or key', () => {
    expect(errorOf(config('training: { num_epochs: 1, dataset: { total_size: 10 } }\n', { extend: false }))).toMatch(
      /cfg-\d+\.yaml: model: missing section/,
    );
    expect(
      errorOf(
        config(
          'model: { preset: tiny, loss_weights: { entity: 1, group: 0, proto_reg: 0, crf: 0 } }\ntraining: { dataset: { total_size: 10 } }\n',
          { extend: false },
        ),
      ),
    ).toMatch(/: training\.num_epochs: missing/);
  });

  test('an inherited bad key is named with the file that set it; overrides with "command line"', () => {
    const parent = config('training:\n  weight_decay: 3\n');
    const child = config('description: child\n', { extend: parent });
    const msg = errorOf(child);
    expect(msg.startsWith(`${parent}: training.weight_decay: must be in [0, 1), got 3`)).toBe(true);
    expect(errorOf(defaultTrainingConfigPath(), { 'training.batch_size': 0 })).toBe(
      'command line: training.batch_size: must be at least 1, got 0',
    );
    expect(errorOf(defaultTrainingConfigPath(), { 'training.bogus': 1 })).toMatch(/^command line: training\.bogus: unknown key/);
  });

  test('extends: a missing parent and a cycle', () => {
    expect(errorOf(config('', { extend: 'no-such-preset' }))).toMatch(/cfg-\d+\.yaml: extends: .*no training preset "no-such-preset"/);
    const a = join(dir, 'cycle-a.yaml');
    const b = join(dir, 'cycle-b.yaml');
    writeFileSync(a, 'extends: ./cycle-b.yaml\n');
    writeFileSync(b, 'extends: ./cycle-a.yaml\n');
    expect(errorOf(a)).toMatch(/cycle-b\.yaml: extends: "\.\/cycle-a\.yaml" extends itself/);
  });

  test('a schema with other counts is checked against those counts', () => {
    const small = loadLabelSchema(join(process.cwd(), 'tests/fixtures/schemas/labels-98.yaml'));
    const msg = (() => {
      try {
        loadTrainingConfig('default', { schema: small });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(msg).toMatch(
      new RegExp(`model\\.num_labels: 161 does not match the label schema .*labels-98\\.yaml \\(${small.numLabels} labels`),
    );
    const c = loadTrainingConfig('default', {
      schema: small,
      overrides: { 'model.num_labels': small.numLabels, 'model.num_groups': small.numGroupClasses - 1 },
    });
    expect(c.model.num_labels).toBe(small.numLabels);
  });
});
