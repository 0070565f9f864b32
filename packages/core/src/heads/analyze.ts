/**
 * The seed's analyze_predictions(): per word (its first sub-token), the group probabilities, the top-k labels
 * with their probabilities and prototype similarities, and the nearest prototypes over all labels. The
 * per-word label is the argmax of the emissions (no CRF decoding: this looks at what the heads say).
 */
import type { InvoiceDocument } from '../documents/document.js';
import { HeadModelRunner, type DocumentRunOptions, type HeadModelRunnerOptions } from './model-runner.js';

export interface HeadAnalyzeOptions extends HeadModelRunnerOptions, Omit<DocumentRunOptions, 'schema'> {
  /** entries per list (default 3) */
  topK?: number;
}

export interface HeadScoredLabel {
  label: string;
  probability: number;
  /** cosine similarity of the word's embedding with the label's prototype (hybrid models) */
  similarity?: number;
}

export interface HeadWordAnalysis {
  word: number;
  text: string;
  page: number;
  /** the document's own label, when it has one */
  gold?: string;
  predicted: HeadScoredLabel;
  /** the top-k groups by probability */
  groups: Array<{ group: string; probability: number }>;
  /** the top-k labels by probability */
  labels: HeadScoredLabel[];
  /** the top-k labels by prototype similarity, whatever their group (hybrid models) */
  nearestPrototypes?: Array<{ label: string; similarity: number }>;
}

export interface HeadAnalysis {
  document: string;
  model: string;
  architecture: 'hybrid' | 'standard';
  schemaHash: string;
  topK: number;
  /** exp(logit_scale): scaled similarity = scale x cosine (hybrid models) */
  similarityScale?: number;
  /** words with tokens (blank words have none) */
  words: HeadWordAnalysis[];
}

/** Shorter names for the same types (the package index exports the Head* ones). */
export type AnalyzeOptions = HeadAnalyzeOptions;
export type DocumentAnalysis = HeadAnalysis;
export type WordAnalysis = HeadWordAnalysis;

function topIndices(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b] - values[a] || a - b)
    .slice(0, k);
}

/** Analyses one document with a head model (a training run or artifact directory, or a runner already open). */
export async function analyze(
  model: string | HeadModelRunner,
  doc: InvoiceDocument,
  options: HeadAnalyzeOptions = {},
): Promise<HeadAnalysis> {
  const { topK: k = 3, pageImages, imageRoot, ...open } = options;
  const runner = typeof model === 'string' ? await HeadModelRunner.openModel(model, open) : model;
  try {
    const s = runner.schema;
    const L = s.numLabels;
    const C = s.numGroupClasses;
    const P = runner.embeddingDim;
    const hybrid = runner.config.architecture === 'hybrid';
    const out = await runner.wordOutputs(doc, { schema: null, pageImages, imageRoot });
    const prototypes = hybrid ? runner.prototypes() : undefined;
    const words: HeadWordAnalysis[] = [];
    for (let w = 0; w < out.numWords; w++) {
      if (!out.hasTokens[w]) continue;
      const probs = Array.from(out.emissions.subarray(w * L, (w + 1) * L), Math.exp);
      let cosine: Float64Array | undefined;
      if (prototypes) {
        cosine = new Float64Array(L);
        for (let l = 0; l < L; l++) {
          let c = 0;
          for (let j = 0; j < P; j++) c += out.embeddings[w * P + j] * prototypes[l * P + j];
          cosine[l] = c;
        }
      }
      const scored = (l: number): HeadScoredLabel => ({
        label: s.labels[l],
        probability: probs[l],
        ...(cosine ? { similarity: cosine[l] } : {}),
      });
      const labels = topIndices(probs, k).map(scored);
      const groupRow = out.groupProbs.subarray(w * C, (w + 1) * C);
      const word = doc.words[w];
      words.push({
        word: w,
        text: word.text,
        page: word.page,
        ...(word.label !== undefined ? { gold: word.label } : {}),
        predicted: labels[0],
        groups: topIndices(groupRow, Math.min(k, C)).map((gi) => ({ group: s.groups[gi].name, probability: groupRow[gi] })),
        labels,
        ...(cosine ? { nearestPrototypes: topIndices(cosine, k).map((l) => ({ label: s.labels[l], similarity: cosine[l] })) } : {}),
      });
    }
    return {
      document: doc.id,
      model: runner.manifest.model.name,
      architecture: runner.config.architecture,
      schemaHash: s.hash,
      topK: k,
      ...(hybrid ? { similarityScale: runner.similarityScale() } : {}),
      words,
    };
  } finally {
    if (typeof model === 'string') await runner.release();
  }
}
