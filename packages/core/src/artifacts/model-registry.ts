/**
 * Trainable models by name, so `hybridoc build --model NAME` picks one: the test models now, the LayoutLMv3
 * backbone with the hybrid heads when it lands (its module registers itself with `registerTrainableModel`).
 */
import { HybridocError } from '../util/errors.js';
import { mlpTestModelFromConfig, transformerTestModelFromConfig } from './test-models.js';
import type { TrainableModel, TrainableModelFactory, TrainableModelOptions } from './trainable-model.js';

interface Registered {
  factory: TrainableModelFactory;
  description: string;
}

const models = new Map<string, Registered>();

let defaultModel = 'test-transformer';

/** The model `hybridoc build` uses when none is named. */
export function defaultTrainableModel(): string {
  return defaultModel;
}

/** Registers (or replaces) a model; `makeDefault` makes it what `build` uses when no model is named. */
export function registerTrainableModel(name: string, factory: TrainableModelFactory, description: string, makeDefault = false): void {
  models.set(name, { factory, description });
  if (makeDefault) defaultModel = name;
}

export function listTrainableModels(): Array<{ name: string; description: string; isDefault: boolean }> {
  return [...models].map(([name, r]) => ({ name, description: r.description, isDefault: name === defaultModel }));
}

/** Builds the named model (default: defaultTrainableModel()) for a preset and label schema. */
export function createTrainableModel(name: string | undefined, options: TrainableModelOptions): TrainableModel {
  const key = name ?? defaultModel;
  const r = models.get(key);
  if (!r) throw new HybridocError(`model: unknown model '${key}' (known: ${[...models.keys()].join(', ')})`);
  return r.factory(options);
}

registerTrainableModel(
  'test-transformer',
  transformerTestModelFromConfig,
  'token classifier with the backbone preset sizes: embeddings, encoder blocks, entity + group heads (stands in for LayoutLMv3)',
);
registerTrainableModel('test-mlp', mlpTestModelFromConfig, 'two-layer MLP with a classification and a regression loss');
