/**
 * manifest.json of an artifact set: what was built (model, preset, label-schema hash, hybridoc version,
 * opset), every parameter with its shape and flags, the feeds, the optimizer settings, and per graph its file,
 * input and output names and node counts. Readers check the format before they trust anything else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../util/errors.js';
import type { Dim } from '../onnx/types.js';
import type { DType } from '../onnx/dtype.js';
import type { ParameterModule } from '../model/parameters.js';
import { ARTIFACT_GRAPHS, type ArtifactGraphKind } from './graph-names.js';
import type { FeedSpec } from './trainable-model.js';

export const ARTIFACT_FORMAT = 'hybridoc-training-artifacts';
export const ARTIFACT_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

export interface ManifestParameter {
  name: string;
  shape: number[];
  /** gets a gradient and an optimizer update */
  trainable: boolean;
  /** gets decoupled weight decay (trainable parameters only) */
  decay: boolean;
  module: ParameterModule;
}

export interface ManifestGraph {
  file: string;
  inputs: string[];
  outputs: string[];
  /** nodes as written (subgraphs not counted separately) */
  nodes: number;
  /** nodes before dead-node elimination and shape folding */
  nodesBeforeOptimization: number;
  /** nodes of the forward pass and loss (grad, train_step) */
  forwardNodes?: number;
  /** nodes the backward pass added (grad, train_step) */
  backwardNodes?: number;
  /** nodes of clipping and the AdamW update (train_step, optimizer_step) */
  optimizerNodes?: number;
}

export interface ManifestFeed {
  name: string;
  dtype: DType;
  shape: Dim[];
  description?: string;
}

export interface ArtifactManifest {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  hybridocVersion: string;
  irVersion: number;
  opset: number;
  createdAt: string;
  model: { name: string; config: Record<string, unknown> };
  /** the model preset it was sized from, and that preset's config */
  preset?: string;
  modelConfig?: Record<string, unknown>;
  /** hash of the label schema the heads were sized for */
  schemaHash?: string;
  /** float dtype of parameters, optimizer state and float feeds */
  dtype: 'float32' | 'float64';
  parameters: ManifestParameter[];
  counts: { tensors: number; trainableTensors: number; parameters: number; trainableParameters: number };
  feeds: { inputs: ManifestFeed[]; labels: ManifestFeed[] };
  outputs: string[];
  lossParts: string[];
  defaultLossWeights: Record<string, number>;
  optimizer: {
    kind: 'adamw';
    beta1: number;
    beta2: number;
    eps: number;
    noDecay: string[];
    /** defaults the runtime feeds when a step does not say otherwise */
    weightDecay: number;
    maxGradNorm: number;
    /** how state tensors are named from a parameter's name */
    stateNames: { m: string; v: string };
  };
  graphs: Record<ArtifactGraphKind, ManifestGraph>;
  checkpoint: { file: string; step: number; initSeed?: number; initFrom?: string };
}

export function feedSpecToManifest(f: FeedSpec): ManifestFeed {
  return { name: f.name, dtype: f.dtype, shape: [...f.shape], ...(f.description ? { description: f.description } : {}) };
}

/** Reads and checks DIR/manifest.json. */
export function readArtifactManifest(dir: string): ArtifactManifest {
  const file = join(dir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw inputError(file, undefined, code ? `cannot read (${code}); not an artifact directory?` : `not JSON (${(e as Error).message})`);
  }
  return parseArtifactManifest(raw, file);
}

/** Checks the fields readers rely on; `file` labels errors. */
export function parseArtifactManifest(raw: unknown, file = MANIFEST_FILE): ArtifactManifest {
  if (typeof raw !== 'object' || raw === null) throw inputError(file, undefined, 'not a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.format !== ARTIFACT_FORMAT) throw inputError(file, 'format', `expected '${ARTIFACT_FORMAT}', got ${JSON.stringify(m.format)}`);
  if (m.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw inputError(
      file,
      'formatVersion',
      `this hybridoc reads version ${ARTIFACT_FORMAT_VERSION}, the set is ${JSON.stringify(m.formatVersion)}`,
    );
  }
  if (m.dtype !== 'float32' && m.dtype !== 'float64')
    throw inputError(file, 'dtype', `expected float32 or float64, got ${JSON.stringify(m.dtype)}`);
  if (!Array.isArray(m.parameters) || m.parameters.length === 0) throw inputError(file, 'parameters', 'missing or empty');
  m.parameters.forEach((p: unknown, i: number) => {
    const q = p as Partial<ManifestParameter>;
    if (typeof q?.name !== 'string' || !Array.isArray(q.shape) || typeof q.trainable !== 'boolean' || typeof q.decay !== 'boolean') {
      throw inputError(file, `parameters[${i}]`, 'needs name, shape, trainable and decay');
    }
  });
  const graphs = m.graphs as Record<string, ManifestGraph> | undefined;
  for (const kind of ARTIFACT_GRAPHS) {
    const g = graphs?.[kind];
    if (!g || typeof g.file !== 'string' || !Array.isArray(g.inputs) || !Array.isArray(g.outputs)) {
      throw inputError(file, `graphs.${kind}`, 'missing, or without file, inputs and outputs');
    }
  }
  for (const key of ['feeds', 'optimizer', 'checkpoint'] as const) {
    if (typeof m[key] !== 'object' || m[key] === null) throw inputError(file, key, 'missing');
  }
  if (!Array.isArray(m.lossParts)) throw inputError(file, 'lossParts', 'missing');
  return m as unknown as ArtifactManifest;
}
