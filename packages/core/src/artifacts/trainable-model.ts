/**
 * The model interface the artifact builder consumes. A model is a parameter table, the feeds it reads
 * (inputs for inference, labels for the losses) and one function that appends its forward pass to a
 * graph. The builder calls that function once per artifact graph (inference, evaluation, training), feeding
 * it the parameters as graph inputs, then adds the weighted total loss, the backward pass and the
 * optimizer around it. The LayoutLMv3 + heads model and the small test models implement the same interface.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { DType } from '../onnx/dtype.js';
import type { Dim, TensorRef } from '../onnx/types.js';
import type { ParameterSpec } from '../model/parameters.js';

/** A tensor the model reads from the caller: a feature (`input_ids`) or a label (`labels`). */
export interface FeedSpec {
  name: string;
  dtype: DType;
  /** dims: numbers, or symbolic names shared across feeds ('batch', 'seq') */
  shape: Dim[];
  description?: string;
}

/** What one call of `buildForward` gets. */
export interface ForwardContext {
  /** every parameter, by checkpoint name, as a graph input of the model's float dtype */
  params: ReadonlyMap<string, TensorRef>;
  /** the model's input feeds, by name */
  inputs: ReadonlyMap<string, TensorRef>;
  /** the label feeds, by name; present exactly when `withLosses` is true */
  labels?: ReadonlyMap<string, TensorRef>;
  /** build the training-time forward (dropout on); false for inference and evaluation */
  training: boolean;
  /** int64 scalar graph input, the step's dropout seed; present exactly when `training` is true */
  dropoutSeed?: TensorRef;
  /** build the loss parts (labels are given) */
  withLosses: boolean;
}

/** What `buildForward` returns. */
export interface ForwardResult {
  /** the inference outputs (for the hybrid model: emissions, group_probs, embeddings), by output name */
  outputs: Record<string, TensorRef>;
  /** one scalar per loss part (names as in `lossParts`), when `withLosses` was set */
  losses?: Record<string, TensorRef>;
}

/** A model the artifact builder can turn into an artifact set. */
export interface TrainableModel {
  /** registry name ('test-transformer', later 'layoutlmv3-hybrid') */
  readonly name: string;
  /** JSON-serialisable configuration, recorded in the manifest */
  readonly config: Readonly<Record<string, unknown>>;
  /** float dtype of parameters and activations (float64 only for numerical checks) */
  readonly dtype: 'float32' | 'float64';
  /** every parameter tensor, in checkpoint order */
  readonly parameters: readonly ParameterSpec[];
  /** whether a parameter is trained (default: all); frozen ones get no gradient and never change */
  isTrainable?(spec: ParameterSpec): boolean;
  /** feeds of inference: the features */
  readonly inputs: readonly FeedSpec[];
  /** feeds only the losses read */
  readonly labels: readonly FeedSpec[];
  /** names of the inference outputs, in order */
  readonly outputNames: readonly string[];
  /** names of the loss parts; the total loss is the sum of each part times its weight (fed per step) */
  readonly lossParts: readonly string[];
  /** default weight of each loss part */
  readonly defaultLossWeights: Readonly<Record<string, number>>;
  /** appends the forward pass (and the loss parts when asked) to `g` */
  buildForward(g: GraphBuilder, ctx: ForwardContext): ForwardResult;
}

/** A factory the registry keeps: builds a model from a model preset's config and the label counts. */
export interface TrainableModelOptions {
  /** the model preset or config (see model/config.ts) */
  modelConfig: import('../model/config.js').ModelConfig;
  /** sizes from the label schema */
  labels: { numLabels: number; numGroupClasses: number };
  /** float dtype (default float32) */
  dtype?: 'float32' | 'float64';
  /** dropout probability override (default: the preset's) */
  dropout?: number;
  /** the full label schema (the hybrid heads and the CRF need its label -> group map and BIO pairs;
   *  models that need it load config/labels.yaml when it is absent) */
  schema?: import('../schema/label-schema.js').LabelSchema;
}

export type TrainableModelFactory = (options: TrainableModelOptions) => TrainableModel;
