/**
 * Names of the artifact graphs' inputs and outputs. Parameters keep their checkpoint names everywhere, so one
 * checkpoint feeds every graph; optimizer state, gradients and updated values are named from them.
 */

/** The five graphs of an artifact set, by kind; the file is `${kind}.onnx`. */
export const ARTIFACT_GRAPHS = ['infer', 'eval', 'grad', 'train_step', 'optimizer_step'] as const;
export type ArtifactGraphKind = (typeof ARTIFACT_GRAPHS)[number];

/** Scalar feeds of the training graphs. */
export const FEEDS = {
  /** learning rate of this optimizer step (float scalar) */
  lr: 'lr',
  /** optimizer steps already taken, counted from 0 (int64 scalar); the update is Adam step `step + 1` */
  step: 'step',
  /** decoupled weight decay coefficient (float scalar) */
  weightDecay: 'weight_decay',
  /** global gradient-norm clip (float scalar); 0 turns clipping off */
  maxGradNorm: 'max_grad_norm',
  /** seed of this step's dropout masks (int64 scalar) */
  dropoutSeed: 'dropout_seed',
} as const;

/** Total loss output (the weighted sum of the parts). */
export const LOSS_OUTPUT = 'loss';
/** Global gradient norm before clipping. */
export const GRAD_NORM_OUTPUT = 'grad_norm';

export const lossWeightInput = (part: string): string => `loss_weight.${part}`;
export const lossOutput = (part: string): string => `loss.${part}`;
export const gradName = (param: string): string => `grad.${param}`;
/** Adam's first moment (exp_avg) of a parameter */
export const adamMName = (param: string): string => `adam.m.${param}`;
/** Adam's second moment (exp_avg_sq) of a parameter */
export const adamVName = (param: string): string => `adam.v.${param}`;
/** an updated value (a parameter or a state tensor) as a graph output */
export const updatedName = (name: string): string => `new.${name}`;

/** Safetensors metadata key holding the optimizer step count of a checkpoint. */
export const CHECKPOINT_STEP_KEY = 'hybridoc.optimizer_step';
