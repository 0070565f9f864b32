/**
 * LayoutLMv3's tokenizer: RoBERTa byte-level BPE over pre-split words.
 *
 * Reads `tokenizer.json` (Hugging Face format; what the BPE trainer writes) or the `vocab.json` + `merges.txt`
 * pair microsoft/layoutlmv3-base ships, turning the pair into the tokenizer.json RobertaConverter would make,
 * so one code path serves both.
 *
 * The BPE itself runs in @huggingface/tokenizers 0.2.0 (pure JS): its ByteLevel pre-tokenizer has the GPT-2
 * regex and the fast tokenizer's add_prefix_space rule, its BPE model takes both merge formats, and it splits
 * special tokens out of the text as the reference does. Checked against gpt-3-encoder, an independent GPT-2
 * BPE, in tests/features/tokenizer.test.ts. It is slow on a cold word (about 30 us), so this class keeps a
 * word -> ids cache; invoice text repeats heavily, so featurising a corpus encodes each distinct word once.
 *
 * Word rules, as LayoutLMv3Tokenizer(Fast) applies them with `is_split_into_words`:
 * - each word is encoded on its own as " " + word (no extra space when it already starts with " "), so every
 *   word starts with a "Ġ" token; the GPT-2 regex may split it further ("Date:" -> "ĠDate", ":").
 * - empty words give no tokens (the reference skips them). Whitespace-only words also give no tokens here:
 *   the reference's OCR path drops them (`if not word.strip()`), while its slow and fast tokenizers disagree
 *   on them, so a blank word carries no label and no prediction.
 * - a single sequence is `<s> tokens </s>`, truncated to `maxLength` (512) tokens; boxes: the word's box on
 *   every sub-token, [0,0,0,0] on <s>, </s> and <pad>; labels on the first sub-token only, -100 elsewhere.
 */
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { HybridocError, inputError } from '../util/errors.js';
import { byteLevelDecode, isBlankWord } from './byte-level.js';
import {
  byteLevelBpeTokenizerJson,
  parseMergesTxt,
  ROBERTA_SPECIAL_TOKENS,
  type SpecialTokenNames,
  type TokenizerJson,
} from './tokenizer-json.js';

export const IGNORE_LABEL = -100;
export const REFERENCE_MAX_LENGTH = 512;

export type BoxInt = [number, number, number, number];

/** What `encodeWords` returns: Hugging Face's input_ids, attention_mask, bbox, labels, plus word ids. */
export interface WordsEncoding {
  inputIds: number[];
  attentionMask: number[];
  bbox: BoxInt[];
  /** present when labels were given */
  labels?: number[];
  /** word index per token; -1 on special tokens (Hugging Face's word_ids() with None as -1) */
  wordIds: number[];
}

export interface EncodeWordsOptions {
  /** one box per word, already in 0..1000 units */
  boxes?: readonly BoxInt[];
  /** one label id per word */
  labels?: readonly number[];
  /** truncate to this many tokens, specials included (default 512) */
  maxLength?: number;
  /** false: every sub-token gets its word's label (default true: first sub-token only) */
  onlyLabelFirstSubword?: boolean;
}

const WORD_CACHE_LIMIT = 500_000;

/** The part of @huggingface/tokenizers' Tokenizer used here (its .d.ts files do not resolve under NodeNext). */
interface HfTokenizerApi {
  tokenize(text: string, options: { add_special_tokens: boolean }): string[];
}

export class LayoutTokenizer {
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  /** -1 when the vocabulary has none */
  readonly unkId: number;
  /** -1 when the vocabulary has none */
  readonly maskId: number;
  /** largest id + 1 (the word-embedding table's rows must be at least this) */
  readonly vocabSize: number;
  readonly modelMaxLength: number;
  readonly source: string;
  private readonly hf: HfTokenizerApi;
  private readonly json: TokenizerJson;
  private readonly idToTokenTable: string[];
  private readonly tokenIds: Map<string, number>;
  private readonly specialIds: Set<number>;
  private readonly cache = new Map<string, Int32Array>();

  constructor(json: TokenizerJson, options: { source?: string; specials?: SpecialTokenNames; modelMaxLength?: number } = {}) {
    const source = options.source ?? '<tokenizer.json>';
    this.source = source;
    validateTokenizerJson(json, source);
    // Our word rule is add_prefix_space = true whatever the file says (LayoutLMv3 always encodes split words so).
    const forLibrary = { ...json, pre_tokenizer: { ...json.pre_tokenizer, add_prefix_space: true } };
    this.json = json;
    this.hf = new HfTokenizer(forLibrary, {}) as unknown as HfTokenizerApi;
    this.tokenIds = new Map(Object.entries(json.model.vocab));
    for (const t of json.added_tokens) this.tokenIds.set(t.content, t.id);
    let maxId = -1;
    for (const id of this.tokenIds.values()) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;
    this.idToTokenTable = new Array(this.vocabSize);
    for (const [t, id] of this.tokenIds) this.idToTokenTable[id] = t;

    const names = options.specials ?? specialsFromJson(json);
    const need = (role: keyof SpecialTokenNames, required: boolean): number => {
      const id = this.tokenIds.get(names[role]);
      if (id === undefined && required) throw inputError(source, role, `special token "${names[role]}" is not in the vocabulary`);
      return id ?? -1;
    };
    this.clsId = need('cls', true);
    this.sepId = need('sep', true);
    this.padId = need('pad', true);
    this.unkId = need('unk', false);
    this.maskId = need('mask', false);
    this.specialIds = new Set(json.added_tokens.filter((t) => t.special).map((t) => t.id));
    for (const id of [this.clsId, this.sepId, this.padId]) this.specialIds.add(id);
    this.modelMaxLength = options.modelMaxLength ?? REFERENCE_MAX_LENGTH;
  }

  /** The token ids of one pre-split word (its sub-tokens); [] for an empty or whitespace-only word. Cached: do not modify. */
  encodeWord(word: string): Int32Array {
    const hit = this.cache.get(word);
    if (hit) return hit;
    let ids: Int32Array;
    if (isBlankWord(word)) ids = new Int32Array(0);
    else {
      const tokens = this.hf.tokenize(word, { add_special_tokens: false });
      ids = new Int32Array(tokens.length);
      for (let i = 0; i < tokens.length; i++) {
        const id = this.tokenIds.get(tokens[i]) ?? this.unkId;
        if (id < 0)
          throw new HybridocError(`${this.source}: token "${tokens[i]}" of word "${word}" is not in the vocabulary and there is no <unk>`);
        ids[i] = id;
      }
    }
    if (this.cache.size >= WORD_CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  /** The sub-token strings of one word ("Ġhello"). */
  tokenizeWord(word: string): string[] {
    return Array.from(this.encodeWord(word), (id) => this.idToTokenTable[id]);
  }

  /**
   * Encode pre-split words as the reference tokenizer does for a single sequence:
   * `<s> w1... w2... </s>`, truncated (tokens dropped from the end) to maxLength, no padding.
   */
  encodeWords(words: readonly string[], options: EncodeWordsOptions = {}): WordsEncoding {
    const maxLength = options.maxLength ?? this.modelMaxLength;
    if (!Number.isInteger(maxLength) || maxLength < 2)
      throw new HybridocError(`encodeWords: maxLength must be an integer >= 2, got ${maxLength}`);
    const { boxes, labels } = options;
    if (boxes && boxes.length !== words.length) throw new HybridocError(`encodeWords: ${words.length} words but ${boxes.length} boxes`);
    if (labels && labels.length !== words.length) throw new HybridocError(`encodeWords: ${words.length} words but ${labels.length} labels`);
    const firstOnly = options.onlyLabelFirstSubword ?? true;
    const zero: BoxInt = [0, 0, 0, 0];
    const inputIds = [this.clsId];
    const bbox: BoxInt[] = [zero];
    const wordIds = [-1];
    const outLabels = labels ? [IGNORE_LABEL] : undefined;
    const room = maxLength - 1;
    outer: for (let w = 0; w < words.length; w++) {
      const ids = this.encodeWord(words[w]);
      for (let k = 0; k < ids.length; k++) {
        if (inputIds.length >= room) break outer;
        inputIds.push(ids[k]);
        bbox.push(boxes ? [...boxes[w]] : zero);
        wordIds.push(w);
        outLabels?.push(k === 0 || !firstOnly ? labels![w] : IGNORE_LABEL);
      }
    }
    inputIds.push(this.sepId);
    bbox.push(zero);
    wordIds.push(-1);
    outLabels?.push(IGNORE_LABEL);
    const enc: WordsEncoding = { inputIds, attentionMask: inputIds.map(() => 1), bbox, wordIds };
    if (outLabels) enc.labels = outLabels;
    return enc;
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenTable[id];
  }

  tokenToId(token: string): number | undefined {
    return this.tokenIds.get(token);
  }

  isSpecialId(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** Ids back to text, byte-exact (no clean-up of spaces); special tokens kept unless skipSpecialTokens. */
  decode(ids: ArrayLike<number>, options: { skipSpecialTokens?: boolean } = {}): string {
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (options.skipSpecialTokens && this.specialIds.has(id)) continue;
      const t = this.idToTokenTable[id];
      if (t === undefined) throw new HybridocError(`${this.source}: decode: id ${id} is not in the vocabulary`);
      tokens.push(t);
    }
    return byteLevelDecode(tokens);
  }

  /** The tokenizer.json object this tokenizer was built from (a vocab+merges pair gives its converted form). */
  toJSON(): TokenizerJson {
    return this.json;
  }

  /** Write tokenizer.json (Hugging Face format). */
  save(path: string): void {
    writeFileSync(path, JSON.stringify(this.json, null, 2) + '\n');
  }
}

/**
 * Load a tokenizer from a directory (tokenizer.json if present, otherwise vocab.json + merges.txt), a
 * tokenizer.json file, or a vocab.json file (merges.txt beside it). A tokenizer_config.json beside the files
 * names the special tokens and model_max_length when present.
 */
export function loadTokenizer(path: string): LayoutTokenizer {
  if (!existsSync(path)) throw new HybridocError(`${path}: no such tokenizer file or directory`);
  let dir = path;
  let file: string | undefined;
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'tokenizer.json'))) file = join(path, 'tokenizer.json');
    else if (existsSync(join(path, 'vocab.json'))) file = join(path, 'vocab.json');
    else throw new HybridocError(`${path}: has neither tokenizer.json nor vocab.json + merges.txt`);
  } else {
    file = path;
    dir = dirname(path);
  }
  const config = readTokenizerConfig(join(dir, 'tokenizer_config.json'));
  const parsed = readJson(file);
  const isTokenizerJson = typeof parsed === 'object' && parsed !== null && 'model' in parsed && 'pre_tokenizer' in parsed;
  if (isTokenizerJson) return new LayoutTokenizer(parsed as TokenizerJson, { source: file, ...config });
  const mergesFile = join(dir, 'merges.txt');
  if (!existsSync(mergesFile)) throw new HybridocError(`${file}: merges.txt is missing beside it`);
  const vocab = parsed;
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab))
    throw inputError(file, undefined, 'expected an object of token -> id');
  for (const [t, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw inputError(file, t, `id must be a non-negative integer, got ${JSON.stringify(id)}`);
  }
  const merges = parseMergesTxt(readFileSync(mergesFile, 'utf8'));
  const json = byteLevelBpeTokenizerJson(vocab as Record<string, number>, merges, config.specials ?? ROBERTA_SPECIAL_TOKENS);
  return new LayoutTokenizer(json, { source: file, ...config });
}

/** A tokenizer from in-memory vocab + merges (as vocab.json and merges.txt hold them). */
export function tokenizerFromVocabMerges(
  vocab: Record<string, number>,
  merges: Array<string | [string, string]>,
  specials: SpecialTokenNames = ROBERTA_SPECIAL_TOKENS,
): LayoutTokenizer {
  return new LayoutTokenizer(byteLevelBpeTokenizerJson(vocab, merges, specials), { source: '<vocab+merges>', specials });
}

// ---- helpers ----------------------------------------------------------------------------------

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HybridocError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw inputError(file, undefined, `not valid JSON: ${(err as Error).message}`);
  }
}

function validateTokenizerJson(json: TokenizerJson, source: string): void {
  if (typeof json !== 'object' || json === null) throw inputError(source, undefined, 'expected a tokenizer.json object');
  const model = json.model as unknown as Record<string, unknown> | undefined;
  if (!model || model.type !== 'BPE')
    throw inputError(source, 'model.type', `only byte-level BPE is supported, got ${JSON.stringify(model?.type)}`);
  if (typeof model.vocab !== 'object' || model.vocab === null) throw inputError(source, 'model.vocab', 'missing');
  if (!Array.isArray(model.merges)) throw inputError(source, 'model.merges', 'missing');
  (model.merges as unknown[]).forEach((m, i) => {
    const ok =
      typeof m === 'string' ? m.split(' ').length === 2 : Array.isArray(m) && m.length === 2 && m.every((x) => typeof x === 'string');
    if (!ok) throw inputError(source, `model.merges[${i}]`, `expected "a b" or ["a", "b"], got ${JSON.stringify(m)}`);
  });
  if (!json.pre_tokenizer || json.pre_tokenizer.type !== 'ByteLevel') {
    throw inputError(
      source,
      'pre_tokenizer.type',
      `expected ByteLevel (RoBERTa-style), got ${JSON.stringify(json.pre_tokenizer?.type ?? null)}`,
    );
  }
  if (!Array.isArray(json.added_tokens)) throw inputError(source, 'added_tokens', 'missing');
}

/** Role names from a tokenizer.json: cls/sep from its RobertaProcessing post-processor, the rest RoBERTa's. */
function specialsFromJson(json: TokenizerJson): SpecialTokenNames {
  const names = { ...ROBERTA_SPECIAL_TOKENS };
  const pp = json.post_processor as { type?: string; cls?: [string, number]; sep?: [string, number] } | null;
  if (pp && (pp.type === 'RobertaProcessing' || pp.type === 'BertProcessing')) {
    if (pp.cls) names.cls = pp.cls[0];
    if (pp.sep) names.sep = pp.sep[0];
  }
  if (json.model.unk_token) names.unk = json.model.unk_token;
  return names;
}

function readTokenizerConfig(file: string): { specials?: SpecialTokenNames; modelMaxLength?: number } {
  if (!existsSync(file)) return {};
  const raw = readJson(file) as Record<string, unknown>;
  const name = (key: string, fallback: string): string => {
    const v = raw[key];
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
    return fallback;
  };
  const d = ROBERTA_SPECIAL_TOKENS;
  const specials: SpecialTokenNames = {
    cls: name('cls_token', name('bos_token', d.cls)),
    sep: name('sep_token', name('eos_token', d.sep)),
    pad: name('pad_token', d.pad),
    unk: name('unk_token', d.unk),
    mask: name('mask_token', d.mask),
  };
  const mml = raw.model_max_length;
  // Hugging Face writes a huge sentinel (1e30) when there is no limit; keep the reference 512 then.
  const modelMaxLength = typeof mml === 'number' && Number.isInteger(mml) && mml > 2 && mml <= 1_000_000 ? mml : undefined;
  return modelMaxLength === undefined ? { specials } : { specials, modelMaxLength };
}
