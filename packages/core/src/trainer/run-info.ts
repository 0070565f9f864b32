/**
 * run.json: what a training run is. Written once its set-up (tokenizer, artifact set) is complete; running the
 * same command again reads it and continues only when the run it describes is the one asked for. The id is
 * a hash of the parts that decide the result (training config with the preset's values, corpus manifest,
 * model, tokenizer, label schema, step budget); `parts` keeps each part's own hash so a mismatch can say
 * which part differs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { HybridocError } from '../util/errors.js';

export const RUN_FORMAT = 'hybridoc-training-run/1';

export interface RunInfo {
  format: typeof RUN_FORMAT;
  id: string;
  /** hash per part: config, corpus, model, tokenizer, schema, budget */
  parts: Record<string, string>;
  createdAt: string;
  hybridocVersion: string;
  /** the training config file and the model it trains */
  config: { file: string; description: string };
  model: { name: string; architecture: string; preset: string };
  corpus: { dir: string; documents: number; train: number; val: number };
  tokenizer: { source: string; vocabSize: number };
  schema: { file: string; hash: string };
  /** how the model's features are made: window length and stride, image side (0: no images) */
  features: { maxLength: number; stride: number; imageSize: number };
  /** the decoder validation uses (and evaluate uses by default) */
  decode: 'viterbi' | 'argmax';
  seed: number;
  /** optimizer steps the run stops at, when a budget was given */
  maxSteps: number | null;
}

export function hashParts(parts: Record<string, unknown>): { id: string; parts: Record<string, string> } {
  const hashed: Record<string, string> = {};
  for (const [k, v] of Object.entries(parts)) hashed[k] = sha(typeof v === 'string' ? v : JSON.stringify(v));
  const id = sha(
    JSON.stringify(
      Object.keys(hashed)
        .sort()
        .map((k) => [k, hashed[k]]),
    ),
  ).slice(0, 16);
  return { id, parts: hashed };
}

export function sha(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function readRunInfo(file: string): RunInfo | undefined {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HybridocError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const r = raw as Partial<RunInfo>;
  if (r?.format !== RUN_FORMAT) throw new HybridocError(`${file}: format: expected ${RUN_FORMAT}, got ${JSON.stringify(r?.format)}`);
  return r as RunInfo;
}

/** Which parts of two runs differ (names of parts). */
export function differingParts(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}
