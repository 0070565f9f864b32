// seqeval's documented examples (README, docstrings, its own tests), reproduced exactly.
// Source: github.com/chakki-works/seqeval (README.md, seqeval/scheme.py, seqeval/metrics/sequence_labeling.py,
// tests/test_scheme.py, tests/test_v1.py).
import { extractEntitySpans, scoreSequences, type SpanScore } from '@hybridoc/core';

const spans = (tags: string[], mode: 'strict' | 'default' = 'strict') =>
  extractEntitySpans(tags, mode).map((s) => [s.type, s.start, s.end]);

function expectRow(s: SpanScore, p: number, r: number, f: number, support: number) {
  expect(s.precision).toBeCloseTo(p, 10);
  expect(s.recall).toBeCloseTo(r, 10);
  expect(s.f1).toBeCloseTo(f, 10);
  expect(s.support).toBe(support);
}

describe('README: the first classification report', () => {
  const yTrue = [
    ['O', 'O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'O'],
    ['B-PER', 'I-PER', 'O'],
  ];
  const yPred = [
    ['O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'I-MISC', 'O'],
    ['B-PER', 'I-PER', 'O'],
  ];

  test.each(['default', 'strict'] as const)('%s mode: MISC 0.00, PER 1.00, micro/macro/weighted 0.50 over support 2', (mode) => {
    const r = scoreSequences(yTrue, yPred, { mode });
    expect(Object.keys(r.perEntity)).toEqual(['MISC', 'PER']);
    expectRow(r.perEntity.MISC, 0, 0, 0, 1);
    expectRow(r.perEntity.PER, 1, 1, 1, 1);
    expectRow(r.micro, 0.5, 0.5, 0.5, 2);
    expectRow(r.macro, 0.5, 0.5, 0.5, 2);
    expectRow(r.weighted, 0.5, 0.5, 0.5, 2);
  });
});

describe('README: the minimum case where strict and default mode differ', () => {
  const yTrue = [['B-NP', 'I-NP', 'O']];
  const yPred = [['I-NP', 'I-NP', 'O']];

  test('default mode: NP 1.00 (an I- after O starts a chunk, as in conlleval)', () => {
    const r = scoreSequences(yTrue, yPred, { mode: 'default' });
    expectRow(r.perEntity.NP, 1, 1, 1, 1);
    expectRow(r.micro, 1, 1, 1, 1);
    expectRow(r.macro, 1, 1, 1, 1);
    expectRow(r.weighted, 1, 1, 1, 1);
  });

  test('strict IOB2: NP 0.00 (the predicted I- start is no entity), support 1', () => {
    const r = scoreSequences(yTrue, yPred);
    expect(Object.keys(r.perEntity)).toEqual(['NP']);
    expectRow(r.perEntity.NP, 0, 0, 0, 1);
    expect(r.perEntity.NP.predicted).toBe(0);
    expectRow(r.micro, 0, 0, 0, 1);
    expectRow(r.macro, 0, 0, 0, 1);
    expectRow(r.weighted, 0, 0, 0, 1);
  });
});

describe('scheme.py / test_scheme.py: IOB2 entities in strict mode', () => {
  test('Tokens docstring: [B-PER, I-PER, O, B-LOC] -> PER 0-2, LOC 3-4', () => {
    expect(spans(['B-PER', 'I-PER', 'O', 'B-LOC'])).toEqual([
      ['PER', 0, 2],
      ['LOC', 3, 4],
    ]);
  });

  // test_iob2_tokens, every case
  test.each<[string[], [string, number, number][]]>([
    [[], []],
    [['B-PER'], [['PER', 0, 1]]],
    [['I-PER'], []],
    [['O'], []],
    [['O', 'I-PER'], []],
    [['O', 'B-PER'], [['PER', 1, 2]]],
    [['I-PER', 'O'], []],
    [['I-PER', 'I-PER'], []],
    [['I-PER', 'I-ORG'], []],
    [['I-PER', 'B-PER'], [['PER', 1, 2]]],
    [['I-PER', 'B-ORG'], [['ORG', 1, 2]]],
    [['B-PER', 'O'], [['PER', 0, 1]]],
    [['B-PER', 'I-PER'], [['PER', 0, 2]]],
    [['B-PER', 'I-ORG'], [['PER', 0, 1]]],
    [
      ['B-PER', 'B-PER'],
      [
        ['PER', 0, 1],
        ['PER', 1, 2],
      ],
    ],
    [
      ['B-PER', 'B-ORG'],
      [
        ['PER', 0, 1],
        ['ORG', 1, 2],
      ],
    ],
  ])('%j -> %j', (tags, expected) => {
    expect(spans(tags)).toEqual(expected);
  });

  test('a bare B / I has type "_" as in seqeval', () => {
    expect(spans(['B', 'I', 'O'])).toEqual([['_', 0, 2]]);
  });

  test('a tag outside IOB2 throws (seqeval raises ValueError)', () => {
    expect(() => extractEntitySpans(['O', 'E-PER'])).toThrow(/\[1\]: "E-PER" is not an IOB2 tag/);
    expect(() => extractEntitySpans(['S-PER'], 'default')).toThrow(/not an IOB2 tag/);
  });
});

describe('sequence_labeling.get_entities (default mode) docstring', () => {
  test("['B-PER', 'I-PER', 'O', 'B-LOC'] -> PER 0..1, LOC 3..3 (inclusive ends there, exclusive here)", () => {
    expect(spans(['B-PER', 'I-PER', 'O', 'B-LOC'], 'default')).toEqual([
      ['PER', 0, 2],
      ['LOC', 3, 4],
    ]);
  });

  test('default mode joins a type change inside I- runs the conlleval way', () => {
    expect(spans(['I-PER', 'I-PER', 'I-ORG', 'B-ORG', 'I-ORG'], 'default')).toEqual([
      ['PER', 0, 2],
      ['ORG', 2, 3],
      ['ORG', 3, 5],
    ]);
    expect(spans(['I-PER', 'I-PER', 'I-ORG', 'B-ORG', 'I-ORG'])).toEqual([['ORG', 3, 5]]);
  });
});

describe('test_v1.py: per-class scores and averages (strict, IOB2)', () => {
  const yTrue = [['B-A', 'B-B', 'O', 'B-A']];
  const yPred = [['O', 'B-B', 'B-C', 'B-A']];
  const r = scoreSequences(yTrue, yPred);

  test('per class: A 1.00/0.50/0.67 (2), B 1/1/1 (1), C 0/0/0 (0); a predicted-only type is a class', () => {
    expect(Object.keys(r.perEntity)).toEqual(['A', 'B', 'C']);
    expectRow(r.perEntity.A, 1, 0.5, 2 / 3, 2);
    expectRow(r.perEntity.B, 1, 1, 1, 1);
    expectRow(r.perEntity.C, 0, 0, 0, 0);
    expect(r.classes).toBe(3);
  });

  test('micro 0.67/0.67/0.67, macro 0.67/0.50/0.56, weighted 1.00/0.67/0.78, support 3', () => {
    expectRow(r.micro, 2 / 3, 2 / 3, 2 / 3, 3);
    expectRow(r.macro, 2 / 3, 0.5, (2 / 3 + 1 + 0) / 3, 3);
    expectRow(r.weighted, 1, 2 / 3, ((2 / 3) * 2 + 1) / 3, 3);
    expect(r.macro.f1.toFixed(2)).toBe('0.56');
    expect(r.weighted.f1.toFixed(2)).toBe('0.78');
  });

  test('all-O input: every average is 0 with no classes (weighted_true_sum_zero)', () => {
    const z = scoreSequences([['O']], [['O']]);
    expectRow(z.weighted, 0, 0, 0, 0);
    expectRow(z.micro, 0, 0, 0, 0);
    expect(z.classes).toBe(0);
  });

  test('sequences of different lengths are rejected (check_consistent_length)', () => {
    expect(() => scoreSequences([['B-PER']], [['B-PER', 'O']])).toThrow(/sequence 0: gold has 1 tags, pred 2/);
    expect(() => scoreSequences([['B-PER'], []], [['B-PER']])).toThrow(/gold has 2 sequences, pred 1/);
  });
});
