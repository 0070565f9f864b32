/**
 * GPT-2 / RoBERTa byte-level pre-tokenisation, as LayoutLMv3's tokenizer applies it to one pre-split word.
 *
 * A word is encoded on its own with a prefix space (add_prefix_space = true, the Hugging Face fast tokenizer's
 * rule: a space is added unless the word already starts with " "), split by the GPT-2 regex, and each piece's
 * UTF-8 bytes are mapped to printable characters (space -> "Ġ"). The BPE trainer uses this to see exactly the
 * pieces the tokenizer will later merge; the tokenizer itself runs @huggingface/tokenizers' identical ByteLevel.
 */

/** The GPT-2 split pattern (contractions, letters, numbers, other symbols, whitespace runs). */
export const GPT2_SPLIT_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** byte value -> printable character; the 256 characters of every byte-level BPE's initial alphabet. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** printable character -> byte value (inverse of BYTE_TO_CHAR). */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

function buildByteToChar(): string[] {
  const out: string[] = new Array(256);
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(printable(b) ? b : next++);
  return out;
}

/** True for words the tokenizer gives no tokens: empty or whitespace-only text (see tokenizer.ts). */
export function isBlankWord(text: string): boolean {
  return text.trim().length === 0;
}

const utf8 = new TextEncoder();

/** The byte-level pieces of one word, with the prefix space, before any BPE merge. */
export function byteLevelPieces(word: string): string[] {
  const text = word.startsWith(' ') ? word : ' ' + word;
  const pieces: string[] = [];
  for (const m of text.matchAll(GPT2_SPLIT_PATTERN)) {
    let s = '';
    for (const b of utf8.encode(m[0])) s += BYTE_TO_CHAR[b];
    pieces.push(s);
  }
  return pieces;
}

/** Byte-level token strings back to text (invalid UTF-8 becomes U+FFFD, as the reference decoder does). */
export function byteLevelDecode(tokens: readonly string[]): string {
  const bytes: number[] = [];
  for (const t of tokens) {
    for (const ch of t) {
      const b = CHAR_TO_BYTE.get(ch);
      if (b === undefined) {
        for (const x of utf8.encode(ch)) bytes.push(x);
      } else bytes.push(b);
    }
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}
