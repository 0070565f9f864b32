// add-label on a tiny LayoutLMv3 hybrid model (text-only, random weights, one train step taken): new ids
// appended, old ids, prototypes, CRF scores and relative scores unchanged, optimizer state carried, the new
// entity predicted on its own examples, the rebuilt set reloads; then analyze and the two CLI commands.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addLabel,
  analyze,
  ArtifactSession,
  buildArtifacts,
  collateWindows,
  compileCrf,
  crfStructure,
  denseTransitions,
  entityLossFeeds,
  featureBatchFeeds,
  featurizeDocument,
  headModel,
  HeadModelRunner,
  loadLabelSchema,
  loadModelConfig,
  LayoutTokenizer,
  modelConfigToJson,
  openSafetensors,
  parseModelConfig,
  readArtifactManifest,
  trainByteLevelBpe,
  writeServingModel,
  createSession,
  type InvoiceDocument,
  type LabelSchema,
  type ModelConfig,
  type TrainingState,
} from '@hybridoc/core';
import { runCli } from '../support/cli.js';
import { expectClose, smallSchema } from './helpers.js';

const schema = smallSchema();
const GAMMA = schema.groupIndex.get('gamma')!;

function modelConfig(): ModelConfig {
  const j = modelConfigToJson(loadModelConfig('tiny')) as { backbone: Record<string, unknown> };
  return parseModelConfig({ ...j, name: 'tiny-text', backbone: { ...j.backbone, vocab_size: 320, visual_embed: false } }, 'tiny-text');
}

/** A one-page document; words four to a line. */
function doc(id: string, words: Array<[string, string?]>): InvoiceDocument {
  return {
    id,
    pages: [{ width: 612, height: 792 }],
    words: words.map(([text, label], i) => {
      const x = 40 + (i % 4) * 140;
      const y = 60 + Math.floor(i / 4) * 30;
      return { text, box: [x, y, x + 120, y + 18], page: 0, ...(label ? { label } : {}) };
    }),
  };
}

const training = doc('train-1', [
  ['Invoice', 'O'],
  ['ACME', 'B-A_ONE'],
  ['Corp', 'I-A_ONE'],
  ['Total', 'O'],
  ['42.00', 'B-C_ONE'],
  ['Ref', 'O'],
  ['ZEBRA-77', 'O'],
  ['QX', 'O'],
]);
const examples = ['77', '78', '79'].map((n, k) =>
  doc(`example-${k}`, [
    ['Ref', 'O'],
    ['code', 'O'],
    [`ZEBRA-${n}`, 'B-NEW_CODE'],
    ['QX', 'I-NEW_CODE'],
    ['Total', 'O'],
    [`${k + 3}1.50`, 'B-C_ONE'],
    ['Thanks', 'O'],
  ]),
);
const other = doc('other', [
  ['Invoice', undefined],
  ['ACME', undefined],
  ['Corp', undefined],
  ['Total', undefined],
  ['99.10', undefined],
  ['Ref', undefined],
]);

const root = mkdtempSync(join(tmpdir(), 'hybridoc-add-label-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const base = join(root, 'base');
const extended = join(root, 'extended');
let tokenizer: LayoutTokenizer;
let before: TrainingState;

function floats(file: string, name: string): Float32Array {
  return openSafetensors(file).float32(name);
}

beforeAll(async () => {
  const words = [training, ...examples, other].flatMap((d) => d.words.map((w) => w.text));
  tokenizer = new LayoutTokenizer(trainByteLevelBpe(words, { vocabSize: 300, minFrequency: 1 }).tokenizer);
  const cfg = modelConfig();
  const model = headModel({ architecture: 'hybrid', modelConfig: cfg, schema });
  await buildArtifacts(model, base, { schemaHash: schema.hash, preset: cfg.name, modelConfig: modelConfigToJson(cfg), seed: 4 });
  tokenizer.save(join(base, 'tokenizer.json'));
  writeFileSync(join(base, 'notes.txt'), 'kept by add-label\n');
  // one optimizer step (so Adam's state is not all zero), then a group head that routes every word to gamma
  const session = await ArtifactSession.open(base, { intraOpThreads: 1 });
  const f = featurizeDocument(training, tokenizer, { maxLength: cfg.backbone.max_text_length, schema });
  const batch = collateWindows(f.windows, { padId: tokenizer.padId });
  await session.trainStep({ ...featureBatchFeeds(batch, { withLabels: true }), ...entityLossFeeds(schema.numLabels) }, { lr: 1e-3 });
  const bias = Float32Array.from(session.parameter('heads.group.classifier.bias').data as Float32Array);
  bias[GAMMA] += 8;
  session.setParameter('heads.group.classifier.bias', bias);
  session.saveCheckpoint(join(base, 'checkpoint.safetensors'));
  before = session.trainingState();
  await session.release();
  writeServingModel(base, join(base, 'serve.onnx'));
}, 60_000);

describe('add-label', () => {
  let result: Awaited<ReturnType<typeof addLabel>>;
  beforeAll(async () => {
    result = await addLabel({ modelDir: base, out: extended, entity: 'NEW_CODE', group: 'gamma', examples, description: 'a made-up code' });
  }, 60_000);

  test('new labels take the next ids; schema, hash, manifest and labels.yaml follow; other files are kept', () => {
    expect(result.labels).toEqual({ begin: { id: 13, name: 'B-NEW_CODE' }, inside: { id: 14, name: 'I-NEW_CODE' } });
    const s = result.schema;
    expect(s.numLabels).toBe(15);
    expect(s.labels.slice(0, 13)).toEqual(schema.labels);
    expect(Array.from(s.labelToGroup.slice(0, 13))).toEqual(Array.from(schema.labelToGroup));
    expect([s.labelToGroup[13], s.labelToGroup[14]]).toEqual([GAMMA, GAMMA]);
    expect(s.hash).not.toBe(schema.hash);
    expect(result.previousSchemaHash).toBe(schema.hash);
    const m = readArtifactManifest(extended);
    expect(m.schemaHash).toBe(s.hash);
    expect(m.checkpoint.step).toBe(1);
    expect(m.parameters.find((p) => p.name === 'heads.prototype.prototypes')!.shape).toEqual([15, 16]);
    expect(m.parameters.find((p) => p.name === 'crf.residual_u.gamma')!.shape).toEqual([6, 2]);
    expect(loadLabelSchema(join(extended, 'labels.yaml')).hash).toBe(s.hash);
    expect(readFileSync(join(extended, 'notes.txt'), 'utf8')).toBe('kept by add-label\n');
    expect(existsSync(join(extended, 'tokenizer.json'))).toBe(true);
    expect(result.examples).toEqual({ documents: 3, beginWords: 3, insideWords: 3, insideFromBegin: false });
    // the base model is untouched when --out is given
    expect(readArtifactManifest(base).schemaHash).toBe(schema.hash);
  });

  test('old parameters and optimizer state carry over; new prototypes are the normalised mean embeddings', async () => {
    const file = join(extended, 'checkpoint.safetensors');
    const P = 16;
    for (const [name, v] of before.params) {
      // every tensor keeps its values; the grown ones (prototypes, CRF rows of the new labels) append after them
      const now = floats(file, name);
      const grows =
        name === 'heads.prototype.prototypes' ||
        ['crf.begin_inside', 'crf.inside_inside', 'crf.start', 'crf.end', 'crf.residual_u.gamma', 'crf.residual_v.gamma'].includes(name);
      expect([name, now.length > v.length]).toEqual([name, grows]);
      expect([name, now.slice(0, v.length).every((x, i) => x === v[i])]).toEqual([name, true]);
    }
    const m = floats(file, 'adam.m.heads.prototype.prototypes');
    expect(Array.from(m.slice(0, 13 * P))).toEqual(Array.from(before.m.get('heads.prototype.prototypes')!));
    expect(m.slice(13 * P).every((x) => x === 0)).toBe(true);
    expect(before.m.get('heads.prototype.prototypes')!.some((x) => x !== 0)).toBe(true);
    // recompute the means with the base model
    const runner = await HeadModelRunner.open(base, { tokenizer });
    const sums = [new Float64Array(P), new Float64Array(P)];
    try {
      for (const ex of examples) {
        const r = await runner.wordOutputs(ex, { schema: result.schema });
        for (let w = 0; w < r.numWords; w++) {
          const which = r.labels[w] === 13 ? 0 : r.labels[w] === 14 ? 1 : -1;
          if (which >= 0) for (let k = 0; k < P; k++) sums[which][k] += r.embeddings[w * P + k];
        }
      }
    } finally {
      await runner.release();
    }
    const protos = floats(file, 'heads.prototype.prototypes');
    for (const [row, sum] of [
      [13, sums[0]],
      [14, sums[1]],
    ] as const) {
      const norm = Math.sqrt(sum.reduce((a, x) => a + x * x, 0));
      expectClose(
        protos.slice(row * P, (row + 1) * P),
        Array.from(sum, (x) => x / norm),
        1e-6,
      );
    }
  });

  test('CRF: every transition, start and end score between old labels is unchanged', () => {
    const read = (dir: string, s: LabelSchema) => {
      const st = crfStructure(s, { rank: 2 });
      const params = Object.fromEntries(st.params.map((p) => [p.name, floats(join(dir, 'checkpoint.safetensors'), p.name)]));
      return { st, params, compiled: compileCrf(st, params) };
    };
    const old = read(base, schema);
    const now = read(extended, result.schema);
    const a = denseTransitions(old.st, old.params);
    const b = denseTransitions(now.st, now.params);
    for (let i = 0; i < 13; i++) for (let j = 0; j < 13; j++) expect(b[i * 15 + j]).toBe(a[i * 13 + j]);
    expect(Array.from(now.compiled.start.slice(0, 13))).toEqual(Array.from(old.compiled.start));
    expect(Array.from(now.compiled.end.slice(0, 13))).toEqual(Array.from(old.compiled.end));
  });

  test('on another document: group probabilities and embeddings equal; old labels keep their relative scores', async () => {
    const run = async (dir: string) => {
      const r = await HeadModelRunner.open(dir, { tokenizer });
      try {
        return await r.wordOutputs(other, { schema: null });
      } finally {
        await r.release();
      }
    };
    const a = await run(base);
    const b = await run(extended);
    expectClose(b.groupProbs, a.groupProbs, 1e-6);
    expectClose(b.embeddings, a.embeddings, 1e-6);
    const gamma = new Set(schema.groupLabels[GAMMA]);
    for (let w = 0; w < a.numWords; w++) {
      const shift = b.emissions[w * 15 + 9] - a.emissions[w * 13 + 9]; // B-C_ONE, in gamma
      expect(shift).toBeLessThan(0);
      for (let l = 0; l < 13; l++) {
        const d = b.emissions[w * 15 + l] - a.emissions[w * 13 + l];
        expect(d).toBeCloseTo(gamma.has(l) ? shift : 0, 4);
      }
    }
  });

  test('the rebuilt model predicts the new entity on its own examples; the set and its serving export reload', async () => {
    expect(result.check.words).toBe(6);
    expect(result.check.correct).toBe(6);
    expect(result.servingFiles).toEqual([join(extended, 'serve.onnx')]);
    const serve = await createSession(readFileSync(join(extended, 'serve.onnx')));
    const f = featurizeDocument(examples[0], tokenizer, { maxLength: 64 });
    const out = await serve.run(featureBatchFeeds(collateWindows(f.windows, { padId: tokenizer.padId })));
    expect(out.emissions.dims).toEqual([1, f.windows[0].length, 15]);
    await serve.release();
    const session = await ArtifactSession.open(extended, { intraOpThreads: 1 });
    const fx = featurizeDocument(examples[1], tokenizer, { maxLength: 64, schema: result.schema });
    const feeds = {
      ...featureBatchFeeds(collateWindows(fx.windows, { padId: tokenizer.padId }), { withLabels: true }),
      ...entityLossFeeds(15),
    };
    const loss = await session.evaluate(feeds);
    expect(Object.values(loss.losses).every(Number.isFinite)).toBe(true);
    const step = await session.trainStep(feeds, { lr: 1e-3 });
    expect(step.step).toBe(2);
    await session.release();
  });

  test('analyze: per word group probabilities, top-k labels with similarities, nearest prototypes', async () => {
    const r = await analyze(extended, examples[2], { topK: 3, tokenizer });
    expect(r.model).toBe('layoutlmv3-hybrid');
    expect(r.words).toHaveLength(examples[2].words.length);
    for (const w of r.words) {
      expect(w.labels).toHaveLength(3);
      expect(w.predicted).toEqual(w.labels[0]);
      expect(w.labels[0].probability).toBeGreaterThanOrEqual(w.labels[1].probability);
      expect(w.groups[0].group).toBe('gamma');
      expect(w.groups.reduce((a, g) => a + g.probability, 0)).toBeLessThanOrEqual(1 + 1e-6);
      const best = w.nearestPrototypes![0].similarity;
      for (const l of w.labels) expect(l.similarity!).toBeLessThanOrEqual(best + 1e-6);
    }
    const code = r.words.find((w) => w.text === 'ZEBRA-79')!;
    expect(code.gold).toBe('B-NEW_CODE');
    expect(code.predicted.label).toBe('B-NEW_CODE');
    expect(code.nearestPrototypes![0].label).toBe('B-NEW_CODE');
  });

  test('in place, a second entity: next ids again, the directory rewritten atomically', async () => {
    const ex = doc('ref-example', [
      ['Order', 'O'],
      ['R-1', 'B-NEW_REF'],
      ['Total', 'O'],
    ]);
    const r = await addLabel({ modelDir: extended, entity: 'NEW_REF', group: 'alpha', examples: [ex] });
    expect(r.dir).toBe(extended);
    expect(r.labels).toEqual({ begin: { id: 15, name: 'B-NEW_REF' }, inside: { id: 16, name: 'I-NEW_REF' } });
    expect(r.examples.insideFromBegin).toBe(true);
    const p = floats(join(extended, 'checkpoint.safetensors'), 'heads.prototype.prototypes');
    expect(Array.from(p.slice(15 * 16, 16 * 16))).toEqual(Array.from(p.slice(16 * 16, 17 * 16)));
    expect(readArtifactManifest(extended).schemaHash).toBe(r.schema.hash);
    expect(readFileSync(join(extended, 'notes.txt'), 'utf8')).toBe('kept by add-label\n');
  }, 30_000);

  test('bad requests give one clear line', async () => {
    const err = async (o: Partial<Parameters<typeof addLabel>[0]>) => {
      try {
        await addLabel({ modelDir: base, out: join(root, 'never'), entity: 'X_NEW', group: 'gamma', examples, ...o });
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(await err({ group: 'nope' })).toMatch(/group: unknown group "nope" \(groups: alpha, beta, gamma\)/);
    expect(await err({ group: 'outside' })).toMatch(/holds only O/);
    expect(await err({ entity: 'C_ONE' })).toMatch(/entity: "C_ONE" is already in the schema/);
    expect(await err({ entity: 'lower' })).toMatch(/must be UPPER_SNAKE_CASE/);
    expect(await err({ entity: 'X_NEW', examples: [training] })).toMatch(/no word is labelled B-X_NEW/);
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});

describe('CLI', () => {
  test('hybridoc add-label and hybridoc analyze (table and --json)', () => {
    const file = join(root, 'example.json');
    writeFileSync(file, JSON.stringify(examples[0]));
    const out = join(root, 'cli-model');
    const r = runCli([
      'add-label',
      '--model',
      base,
      '--out',
      out,
      '--entity',
      'NEW_CODE',
      '--group',
      'gamma',
      '--examples',
      file,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.labels.begin).toEqual({ id: 13, name: 'B-NEW_CODE' });
    expect(s.numLabels).toBe(15);
    const t = runCli(['analyze', out, file, '--top-k', '2']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/ZEBRA-77 +B-NEW_CODE +B-NEW_CODE/);
    expect(t.stdout).toMatch(/nearest prototypes \(cos\)/);
    const bad = runCli([
      'add-label',
      '--model',
      base,
      '--out',
      join(root, 'x'),
      '--entity',
      'Z_NEW',
      '--group',
      'nope',
      '--examples',
      file,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/unknown group "nope"/);
  }, 60_000);
});
