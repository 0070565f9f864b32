import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer, tokenizerFromVocabMerges, HybridocError, type LayoutTokenizer } from '@hybridoc/core';
import { comparisonWords, gpt2Tokens, makeRobertaLikeDir } from './helpers.js';

let dir: string;
let tok: LayoutTokenizer;

beforeAll(() => {
  dir = makeRobertaLikeDir();
  tok = loadTokenizer(dir); // vocab.json + merges.txt, as layoutlmv3-base ships them
});

describe('tokenizer vs gpt-3-encoder (independent GPT-2 byte-level BPE)', () => {
  test('a few hundred words: unicode, digits, punctuation, currency, long words', () => {
    const words = comparisonWords();
    expect(words.length).toBeGreaterThanOrEqual(400);
    const mismatches: string[] = [];
    for (const w of words) {
      // The reference encodes each pre-split word as " " + word unless it already starts with a space.
      const expected = gpt2Tokens(w.startsWith(' ') ? w : ' ' + w);
      const got = tok.tokenizeWord(w);
      if (JSON.stringify(got) !== JSON.stringify(expected))
        mismatches.push(`${JSON.stringify(w)}: ${got.join('|')} vs ${expected.join('|')}`);
    }
    expect(mismatches).toEqual([]);
  });

  test('every word starts with a Ġ token and decodes back to " " + word', () => {
    for (const w of comparisonWords(200)) {
      const ids = tok.encodeWord(w);
      expect(ids.length).toBeGreaterThan(0);
      if (!w.startsWith(' ')) expect(tok.idToToken(ids[0])!.startsWith('Ġ')).toBe(true);
      expect(tok.decode(ids)).toBe(w.startsWith(' ') ? w : ' ' + w);
    }
  });

  test('ids are the vocab.json ids (GPT-2 id + 4 in this fixture); specials at 0/1/2, mask last', () => {
    expect([tok.clsId, tok.padId, tok.sepId, tok.unkId]).toEqual([0, 1, 2, 3]);
    expect(tok.maskId).toBe(50257 + 4);
    expect(tok.vocabSize).toBe(50262);
    const gptIds = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Record<string, number>;
    expect(Array.from(tok.encodeWord('Invoice'))).toEqual(gpt2Tokens(' Invoice').map((t) => gptIds[t]));
  });
});

describe('the reference examples', () => {
  test('LayoutLMv3 test_only_label_first_subword: ["hello", "niels"], labels [0, 1]', () => {
    const boxes: Array<[number, number, number, number]> = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ];
    const enc = tok.encodeWords(['hello', 'niels'], { boxes, labels: [0, 1] });
    expect(enc.inputIds.map((i) => tok.idToToken(i))).toEqual(['<s>', 'Ġhello', 'Ġni', 'els', '</s>']);
    expect(enc.labels).toEqual([-100, 0, 1, -100, -100]);
    expect(enc.bbox).toEqual([
      [0, 0, 0, 0],
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [5, 6, 7, 8],
      [0, 0, 0, 0],
    ]);
    expect(enc.wordIds).toEqual([-1, 0, 1, 1, -1]);
    expect(enc.attentionMask).toEqual([1, 1, 1, 1, 1]);
    const all = tok.encodeWords(['hello', 'niels'], { boxes, labels: [0, 1], onlyLabelFirstSubword: false });
    expect(all.labels).toEqual([-100, 0, 1, 1, -100]);
  });

  test('LayoutLMv3Processor docs example: ["hello", "world"], boxes, word_labels [1, 2]', () => {
    const enc = tok.encodeWords(['hello', 'world'], {
      boxes: [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      labels: [1, 2],
    });
    expect(enc.inputIds.map((i) => tok.idToToken(i))).toEqual(['<s>', 'Ġhello', 'Ġworld', '</s>']);
    expect(enc.labels).toEqual([-100, 1, 2, -100]);
    expect(enc.bbox[1]).toEqual([1, 2, 3, 4]);
    expect(enc.bbox[3]).toEqual([0, 0, 0, 0]);
  });

  test("Hugging Face's own tiny BPE fixture (test_tokenization_layoutlmv3 setUp): lower newer", () => {
    const list = [
      'l',
      'o',
      'w',
      'e',
      'r',
      's',
      't',
      'i',
      'd',
      'n',
      'Ġ',
      'Ġl',
      'Ġn',
      'Ġlo',
      'Ġlow',
      'er',
      'Ġlowest',
      'Ġnewer',
      'Ġwider',
      '<unk>',
    ];
    const vocab: Record<string, number> = Object.fromEntries(list.map((t, i) => [t, i]));
    Object.assign(vocab, { '<s>': 20, '<pad>': 21, '</s>': 22 });
    const tiny = tokenizerFromVocabMerges(vocab, ['Ġ l', 'Ġl o', 'Ġlo w', 'e r']);
    const enc = tiny.encodeWords(['lower', 'newer']);
    expect(enc.inputIds.map((i) => tiny.idToToken(i))).toEqual(['<s>', 'Ġlow', 'er', 'Ġ', 'n', 'e', 'w', 'er', '</s>']);
    expect(enc.inputIds).toEqual([20, 14, 15, 10, 9, 3, 2, 15, 22]);
  });
});

describe('word rules', () => {
  test('empty and whitespace-only words give no tokens; word ids skip them', () => {
    expect(tok.encodeWord('').length).toBe(0);
    expect(tok.encodeWord('   ').length).toBe(0);
    expect(tok.encodeWord('\t\n').length).toBe(0);
    const enc = tok.encodeWords(['Total', '', ' ', '12.50'], { labels: [5, 6, 7, 8] });
    expect(enc.wordIds).toEqual([-1, 0, 3, 3, 3, -1]);
    expect(enc.labels!.filter((l) => l !== -100)).toEqual([5, 8]);
  });

  test('truncates to 512 tokens by default, keeping </s> last', () => {
    const words = Array.from({ length: 700 }, (_, i) => `w${i}`);
    const enc = tok.encodeWords(words);
    expect(enc.inputIds.length).toBe(512);
    expect(enc.inputIds[0]).toBe(tok.clsId);
    expect(enc.inputIds[511]).toBe(tok.sepId);
    expect(tok.encodeWords(words, { maxLength: 20 }).inputIds.length).toBe(20);
  });

  test('special-token text inside a word is the special token, as in the reference', () => {
    expect(tok.tokenizeWord('<s>')).toEqual(['<s>']);
  });
});

describe('loading', () => {
  test('tokenizer.json written from the converted pair loads to the same encoder', () => {
    const out = mkdtempSync(join(tmpdir(), 'hybridoc-tokjson-'));
    tok.save(join(out, 'tokenizer.json'));
    const again = loadTokenizer(out);
    for (const w of comparisonWords(150)) expect(Array.from(again.encodeWord(w))).toEqual(Array.from(tok.encodeWord(w)));
    expect([again.clsId, again.padId, again.sepId, again.maskId]).toEqual([tok.clsId, tok.padId, tok.sepId, tok.maskId]);
  });

  test('merges as [a, b] pairs (newer tokenizer.json) read the same as "a b" strings', () => {
    const json = tok.toJSON();
    const pairs = { ...json, model: { ...json.model, merges: json.model.merges.map((m) => (m as string).split(' ') as [string, string]) } };
    const out = mkdtempSync(join(tmpdir(), 'hybridoc-tokjson-'));
    writeFileSync(join(out, 'tokenizer.json'), JSON.stringify(pairs));
    const again = loadTokenizer(join(out, 'tokenizer.json'));
    expect(again.tokenizeWord('supercalifragilisticexpialidocious')).toEqual(tok.tokenizeWord('supercalifragilisticexpialidocious'));
  });

  test('clear errors: missing directory, missing merges.txt, missing <pad>, non-BPE model', () => {
    expect(() => loadTokenizer('/nonexistent/tok')).toThrow(/no such tokenizer/);
    const d = mkdtempSync(join(tmpdir(), 'hybridoc-badtok-'));
    writeFileSync(join(d, 'vocab.json'), JSON.stringify({ '<s>': 0, '</s>': 1, a: 2 }));
    expect(() => loadTokenizer(d)).toThrow(/merges.txt is missing/);
    writeFileSync(join(d, 'merges.txt'), '#version: 0.2\n');
    expect(() => loadTokenizer(d)).toThrow(HybridocError);
    expect(() => loadTokenizer(d)).toThrow(/pad: special token "<pad>" is not in the vocabulary/);
    const j = { ...tok.toJSON(), model: { ...tok.toJSON().model, type: 'WordPiece' } };
    writeFileSync(join(d, 'tokenizer.json'), JSON.stringify(j));
    expect(() => loadTokenizer(d)).toThrow(/model.type: only byte-level BPE is supported/);
  });

  test('tokenizer_config.json beside the files names the special tokens', () => {
    const d = mkdtempSync(join(tmpdir(), 'hybridoc-tokcfg-'));
    writeFileSync(join(d, 'vocab.json'), JSON.stringify({ '[CLS]': 0, '[PAD]': 1, '[SEP]': 2, Ġ: 3, a: 4, Ġa: 5 }));
    writeFileSync(join(d, 'merges.txt'), '#version: 0.2\nĠ a\n');
    writeFileSync(
      join(d, 'tokenizer_config.json'),
      JSON.stringify({ cls_token: '[CLS]', sep_token: '[SEP]', pad_token: { content: '[PAD]' }, model_max_length: 128 }),
    );
    const t = loadTokenizer(d);
    expect([t.clsId, t.padId, t.sepId, t.unkId, t.modelMaxLength]).toEqual([0, 1, 2, -1, 128]);
    expect(Array.from(t.encodeWord('a'))).toEqual([5]);
  });
});
