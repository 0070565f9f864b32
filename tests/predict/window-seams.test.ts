/**
 * Long documents: an entity that runs across a window seam comes out as ONE field. The model here is made
 * for the test: its emissions are a table row per token plus a bias by position in the window, with a CRF
 * that rewards B-X -> I-X -> I-X; the rows make argmax cut the entity into pieces, and the position bias
 * makes any word read at the start of a window look like a beginning. Only the whole pipeline (nearest-centre
 * merge, then one Viterbi over the document) returns the entity whole.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildArtifacts,
  crfParameterSpecs,
  crfStructure,
  decodeDocumentWindows,
  featurizeDocument,
  HybridocModel,
  LayoutTokenizer,
  loadLabelSchema,
  maskedNll,
  mergeWindowScores,
  resolveParameters,
  trainByteLevelBpe,
  zeroOptimizerState,
  type FeatureWindow,
  type InvoiceDocument,
  type LabelSchema,
  type TrainableModel,
} from '@hybridoc/core';
import { scratch } from './helpers.js';

const MAX_LENGTH = 16;
const FILLERS = ['aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'gg', 'hh'];
const ENTITY_WORDS = ['Kq', 'Wq', 'Jq', 'Vq', 'Xq', 'Zq', 'Yq'];
const ENTITY = 'TOTAL_AMOUNT';
const ENTITY_START = 9;

/** emissions = logSoftmax(table[token] + position[t]); a frozen CRF (rank 0) beside it. */
function seamModel(vocab: number, schema: LabelSchema): TrainableModel {
  const L = schema.numLabels;
  const crf = crfStructure(schema, { rank: 0 });
  return {
    name: 'seam-test',
    config: { maxPositions: MAX_LENGTH },
    dtype: 'float32',
    parameters: [
      { name: 'emit.table', shape: [vocab, L], init: { kind: 'zeros' }, module: 'baseline' },
      { name: 'emit.position', shape: [MAX_LENGTH, L], init: { kind: 'zeros' }, module: 'baseline' },
      ...crfParameterSpecs(crf),
    ],
    isTrainable: (s) => s.module !== 'crf',
    inputs: [
      { name: 'input_ids', dtype: 'int64', shape: ['batch', 'seq'] },
      { name: 'attention_mask', dtype: 'int64', shape: ['batch', 'seq'] },
    ],
    labels: [{ name: 'labels', dtype: 'int64', shape: ['batch', 'seq'] }],
    outputNames: ['emissions'],
    lossParts: ['entity'],
    defaultLossWeights: { entity: 1 },
    buildForward(g, ctx) {
      const ids = ctx.inputs.get('input_ids')!;
      const rows = g.gather(ctx.params.get('emit.table')!, ids);
      const seq = g.shape(ids, { start: 1, end: 2 });
      const pos = g.slice(ctx.params.get('emit.position')!, [0], seq, [0]);
      const emissions = g.logSoftmax(g.add(rows, pos), { axis: -1, name: 'emissions' });
      if (!ctx.withLosses) return { outputs: { emissions } };
      return { outputs: { emissions }, losses: { entity: maskedNll(g, emissions, ctx.labels!.get('labels')!, L) } };
    },
  };
}

function document(): InvoiceDocument {
  const words = Array.from({ length: 30 }, (_, i) => {
    const e = i - ENTITY_START;
    const text = e >= 0 && e < ENTITY_WORDS.length ? ENTITY_WORDS[e] : FILLERS[i % FILLERS.length];
    return {
      text,
      box: [10 + (i % 10) * 40, 10 + Math.floor(i / 10) * 20, 45 + (i % 10) * 40, 25 + Math.floor(i / 10) * 20] as [
        number,
        number,
        number,
        number,
      ],
      page: 0,
    };
  });
  return { id: 'seam', pages: [{ width: 420, height: 80 }], words };
}

describe('window seams', () => {
  let schema: LabelSchema;
  let dir: string;
  let tokenizer: LayoutTokenizer;
  let docFile: string;

  beforeAll(async () => {
    schema = loadLabelSchema();
    dir = scratch('hybridoc-seams-');
    const bpe = trainByteLevelBpe(
      [...FILLERS, ...ENTITY_WORDS].flatMap((w) => Array<string>(30).fill(w)),
      { vocabSize: 300 },
    );
    tokenizer = new LayoutTokenizer(bpe.tokenizer);
    const model = seamModel(tokenizer.vocabSize, schema);
    const L = schema.numLabels;
    const B = schema.labelIndex.get(`B-${ENTITY}`)!;
    const I = schema.labelIndex.get(`I-${ENTITY}`)!;
    const first = (w: string) => tokenizer.encodeWord(w)[0];
    const table = new Float32Array(tokenizer.vocabSize * L);
    for (const w of FILLERS) table[first(w) * L + 0] = 8;
    table[first(ENTITY_WORDS[0]) * L + B] = 8;
    for (const w of ENTITY_WORDS.slice(1)) {
      table[first(w) * L + B] = 4; // argmax alone would begin a new entity at every word
      table[first(w) * L + I] = 3.5;
    }
    const position = new Float32Array(MAX_LENGTH * L);
    position[1 * L + B] = 6; // the first word of a window looks like a beginning
    const crf = crfStructure(schema, { rank: 0 });
    const e = schema.entityIndex.get(ENTITY)!;
    const params = new Map<string, Float32Array>([
      ['emit.table', table],
      ['emit.position', position],
    ]);
    for (const p of crf.params) {
      const v = new Float32Array(p.shape.reduce((a, d) => a * d, 1));
      if (p.role === 'begin_inside' || p.role === 'inside_inside') v[e] = 3;
      params.set(p.name, v);
    }
    const layout = { dtype: 'float32' as const, parameters: resolveParameters(model) };
    await buildArtifacts(model, join(dir, 'model'), {
      schemaHash: schema.hash,
      modelConfig: { backbone: { max_text_length: MAX_LENGTH } },
      initialState: { params, ...zeroOptimizerState(layout), step: 0 },
    });
    writeFileSync(join(dir, 'model', 'tokenizer.json'), JSON.stringify(bpe.tokenizer));
    docFile = join(dir, 'seam.json');
    writeFileSync(docFile, JSON.stringify(document()));
  });

  test('an entity across a window seam is one field, taken from two windows', async () => {
    const doc = document();
    // preconditions: one token per word, so the windows are [0, 14), [11, 25), [22, 30)
    for (const w of doc.words) expect(tokenizer.encodeWord(w.text)).toHaveLength(1);
    const features = featurizeDocument(doc, tokenizer, { maxLength: MAX_LENGTH });
    expect(features.windows.map((w) => [w.tokenStart, w.tokenEnd])).toEqual([
      [0, 14],
      [11, 25],
      [22, 30],
    ]);
    const entityWords = ENTITY_WORDS.map((_, k) => ENTITY_START + k);
    const merged = mergeWindowScores(
      features.windows,
      features.windows.map((w) => new Float32Array(w.length)),
      doc.words.length,
      1,
    );
    expect(new Set(entityWords.map((w) => merged.window[w]))).toEqual(new Set([0, 1]));

    const model = await HybridocModel.load(join(dir, 'model'));
    try {
      expect(model.describe()).toMatchObject({ decode: 'viterbi', crf: true, servingExport: false, features: { maxLength: MAX_LENGTH } });
      const r = await model.predict(docFile);
      expect(r.windows).toBe(3);
      expect(r.fields.map((f) => [f.entity, f.value, f.words])).toEqual([
        [ENTITY, ENTITY_WORDS.join(' '), [ENTITY_START, ENTITY_START + ENTITY_WORDS.length]],
      ]);
      expect(r.labels.slice(ENTITY_START, ENTITY_START + ENTITY_WORDS.length)).toEqual([
        `B-${ENTITY}`,
        ...ENTITY_WORDS.slice(1).map(() => `I-${ENTITY}`),
      ]);
      // the same emissions decoded word by word (argmax) cut the entity at every word
      const argmax = await model.predict(docFile, { decode: 'argmax' });
      expect(argmax.fields).toHaveLength(ENTITY_WORDS.length);
    } finally {
      await model.close();
    }
  });
});

describe('decodeDocumentWindows', () => {
  test('words without tokens are O with no confidence; scores come from the nearest window', () => {
    const schema = loadLabelSchema();
    const L = schema.numLabels;
    const B = schema.labelIndex.get('B-INVOICE_NUMBER')!;
    const win = (tokenStart: number, wordIds: number[]): FeatureWindow => ({
      docId: 'd',
      page: 0,
      length: wordIds.length + 2,
      inputIds: new Int32Array(wordIds.length + 2),
      bbox: new Int32Array((wordIds.length + 2) * 4),
      labels: new Int32Array(wordIds.length + 2).fill(-100),
      wordIds: Int32Array.from([-1, ...wordIds, -1]),
      firstSubtoken: Uint8Array.from([0, ...wordIds.map(() => 1), 0]),
      tokenStart,
      tokenEnd: tokenStart + wordIds.length,
    });
    // words 0..4, word 2 blank (no tokens); window A holds words 0,1,3, window B words 3,4
    const windows = [win(0, [0, 1, 3]), win(2, [3, 4])];
    const rows = (labels: number[]) => {
      const a = new Float32Array((labels.length + 2) * L).fill(-20);
      labels.forEach((l, k) => (a[(k + 1) * L + l] = 0));
      for (const r of [0, labels.length + 1]) a[r * L] = 0;
      return a;
    };
    // word 3 reads B-INVOICE_NUMBER in window B (nearer its centre) and O in window A
    const words = ['a', 'b', ' ', 'c', 'd'].map((text, i) => ({
      text,
      box: [i, 0, i + 1, 1] as [number, number, number, number],
      page: 0,
    }));
    const d = decodeDocumentWindows(schema, words, windows, [rows([0, 0, 0]), rows([B, 0])], { decode: 'argmax' });
    expect(Array.from(d.window)).toEqual([0, 0, -1, 1, 1]);
    expect(Array.from(d.labels).map((l) => schema.labels[l])).toEqual(['O', 'O', 'O', 'B-INVOICE_NUMBER', 'O']);
    expect(Number.isNaN(d.confidence[2])).toBe(true);
    expect(d.fields.map((f) => [f.entity, f.value])).toEqual([['INVOICE_NUMBER', 'c']]);
  });
});
