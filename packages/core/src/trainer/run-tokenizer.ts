/**
 * The tokenizer of a training run: a given one (an imported model's tokenizer.json or vocab.json + merges.txt),
 * or, for presets trained from scratch, a byte-level BPE learned on the words of the corpus's training split
 * with the preset's vocabulary size. Either way it is saved as the run's tokenizer.json, beside the model.
 */
import { readCorpus } from '../corpus/read-corpus.js';
import { trainByteLevelBpe } from '../features/bpe-trainer.js';
import { FROM_SCRATCH_SPECIAL_ORDER } from '../features/tokenizer-json.js';
import { loadTokenizer, LayoutTokenizer } from '../features/tokenizer.js';
import type { ModelConfig } from '../model/config.js';
import { atomicWriteFile } from '../training/atomic-files.js';
import { HybridocError } from '../util/errors.js';

/** Smallest vocabulary a from-scratch byte-level BPE can have: the special tokens and the 256 bytes. */
export const MIN_FROM_SCRATCH_VOCAB = FROM_SCRATCH_SPECIAL_ORDER.length + 256;

export interface RunTokenizerOptions {
  /** a tokenizer to use as it is (file or directory); default: train one on the training split */
  from?: string;
  corpus: string;
  modelConfig: ModelConfig;
  /** where the run keeps it (tokenizer.json) */
  out: string;
}

/** Make the run's tokenizer and save it to `options.out`. */
export async function makeRunTokenizer(options: RunTokenizerOptions): Promise<{ tokenizer: LayoutTokenizer; source: string }> {
  const vocab = options.modelConfig.backbone.vocab_size;
  let tokenizer: LayoutTokenizer;
  let source: string;
  if (options.from) {
    tokenizer = loadTokenizer(options.from);
    source = tokenizer.source;
  } else {
    if (vocab < MIN_FROM_SCRATCH_VOCAB) {
      throw new HybridocError(
        `${options.modelConfig.file}: backbone.vocab_size: ${vocab} is too small for a from-scratch byte-level tokenizer (at least ${MIN_FROM_SCRATCH_VOCAB}); give a tokenizer or use a preset with a larger vocabulary`,
      );
    }
    const words: string[] = [];
    for await (const doc of readCorpus(options.corpus, 'train')) for (const w of doc.words) words.push(w.text);
    if (words.length === 0) throw new HybridocError(`${options.corpus}: the training split has no words to learn a tokenizer from`);
    const trained = trainByteLevelBpe(words, { vocabSize: vocab });
    tokenizer = new LayoutTokenizer(trained.tokenizer, { source: options.out });
    source = `trained: byte-level BPE on ${words.length} training words, ${trained.vocabSize} tokens (${trained.stoppedBy})`;
  }
  if (tokenizer.vocabSize > vocab) {
    throw new HybridocError(
      `${tokenizer.source}: the tokenizer has ${tokenizer.vocabSize} ids but the model's vocab_size is ${vocab} (${options.modelConfig.file})`,
    );
  }
  atomicWriteFile(options.out, JSON.stringify(tokenizer.toJSON(), null, 2) + '\n');
  return { tokenizer: loadTokenizer(options.out), source };
}
