/**
 * The Hugging Face `tokenizer.json` format for a RoBERTa-style byte-level BPE, and how to build one from the
 * `vocab.json` + `merges.txt` pair that microsoft/layoutlmv3-base ships (it has no tokenizer.json; Hugging Face
 * builds its fast tokenizer from those two files the same way, RobertaConverter).
 */

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface BpeModelJson {
  type: 'BPE';
  dropout: number | null;
  unk_token: string | null;
  continuing_subword_prefix: string | null;
  end_of_word_suffix: string | null;
  fuse_unk: boolean;
  byte_fallback: boolean;
  ignore_merges?: boolean;
  vocab: Record<string, number>;
  /** "a b" strings (tokenizers < 0.20) or [a, b] pairs (newer files); both are read. */
  merges: Array<string | [string, string]>;
}

export interface TokenizerJson {
  version: string;
  truncation: unknown;
  padding: unknown;
  added_tokens: AddedTokenJson[];
  normalizer: unknown;
  pre_tokenizer: { type: string; [k: string]: unknown } | null;
  post_processor: { type: string; [k: string]: unknown } | null;
  decoder: { type: string; [k: string]: unknown } | null;
  model: BpeModelJson;
}

/** Token strings for the roles LayoutLMv3 uses; defaults are RoBERTa's. */
export interface SpecialTokenNames {
  cls: string;
  sep: string;
  pad: string;
  unk: string;
  mask: string;
}

export const ROBERTA_SPECIAL_TOKENS: SpecialTokenNames = { cls: '<s>', sep: '</s>', pad: '<pad>', unk: '<unk>', mask: '<mask>' };

/** The order a from-scratch vocabulary reserves ids 0..4 in (RoBERTa's: <s>=0, <pad>=1, </s>=2, <unk>=3). */
export const FROM_SCRATCH_SPECIAL_ORDER = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'] as const;

export function byteLevelPreTokenizerJson() {
  return { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };
}

/** A tokenizer.json object for a byte-level BPE with RoBERTa's pre-tokenizer, post-processor and decoder. */
export function byteLevelBpeTokenizerJson(
  vocab: Record<string, number>,
  merges: Array<string | [string, string]>,
  specials: SpecialTokenNames = ROBERTA_SPECIAL_TOKENS,
): TokenizerJson {
  const added: AddedTokenJson[] = [];
  const seen = new Set<string>();
  // Same order RobertaConverter produces: the special tokens that exist in the vocabulary, by id.
  for (const content of [specials.cls, specials.pad, specials.sep, specials.unk, specials.mask]) {
    const id = vocab[content];
    if (id === undefined || seen.has(content)) continue;
    seen.add(content);
    added.push({
      id,
      content,
      single_word: false,
      lstrip: content === specials.mask,
      rstrip: false,
      normalized: content !== specials.mask,
      special: true,
    });
  }
  added.sort((a, b) => a.id - b.id);
  const cls = vocab[specials.cls];
  const sep = vocab[specials.sep];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevelPreTokenizerJson(),
    post_processor:
      cls === undefined || sep === undefined
        ? null
        : { type: 'RobertaProcessing', sep: [specials.sep, sep], cls: [specials.cls, cls], trim_offsets: true, add_prefix_space: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/** merges.txt text -> merge list: the "#version" header and blank lines are skipped. */
export function parseMergesTxt(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    if (l.length === 0 || l.startsWith('#version')) continue;
    out.push(l);
  }
  return out;
}
