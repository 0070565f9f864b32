/**
 * One input of a batch -> one output line: the input path, the document's fields, timing and size, the
 * drawings made, or the one-line error that stopped it. Never throws: a bad file is a line, not a crash.
 */
import { HybridocError } from '../util/errors.js';
import type { DecodeMode } from '../decoding/decode.js';
import type { PredictedField } from './document-decoder.js';
import { drawingStem, drawPrediction } from './draw-prediction.js';
import type { PredictionTiming, Predictor } from './predictor.js';

export interface PredictLine {
  /** the input as the batch named it */
  input: string;
  id?: string;
  pages?: number;
  words?: number;
  windows?: number;
  decode?: DecodeMode;
  fields?: PredictedField[];
  /** BIO label per word, when asked for */
  labels?: string[];
  timing?: PredictionTiming;
  warnings?: string[];
  /** drawings written (--draw) */
  drawn?: string[];
  /** why this input has no prediction */
  error?: string;
}

export interface PredictLineOptions {
  decode?: DecodeMode;
  /** folder to draw pages into */
  draw?: string;
  /** include per-word labels */
  labels?: boolean;
}

/** The message of an error as one line (HybridocErrors are already that; others get their class name). */
export function errorLine(err: unknown): string {
  if (err instanceof HybridocError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Predict one input of a batch. */
export async function predictLine(predictor: Predictor, input: string, options: PredictLineOptions = {}): Promise<PredictLine> {
  try {
    const t0 = performance.now();
    const li = await predictor.loadInput(input);
    const { result } = await predictor.predictLoaded(li, { decode: options.decode }, t0);
    const line: PredictLine = {
      input,
      id: result.id,
      pages: result.pages,
      words: result.words,
      windows: result.windows,
      decode: result.decode,
      fields: result.fields,
      ...(options.labels ? { labels: result.labels } : {}),
      timing: result.timing,
      ...(result.warnings ? { warnings: result.warnings } : {}),
    };
    if (options.draw) {
      try {
        line.drawn = await drawPrediction(li, result, options.draw, { schema: predictor.schema, stem: drawingStem(input) });
      } catch (err) {
        (line.warnings ??= []).push(`drawing failed: ${errorLine(err)}`);
      }
    }
    return line;
  } catch (err) {
    return { input, error: errorLine(err) };
  }
}
