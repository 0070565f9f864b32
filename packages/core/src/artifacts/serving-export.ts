/**
 * The serving graph: infer.onnx of an artifact set with the parameters baked in as initializers named by
 * their checkpoint names, so ONNX Runtime can constant-fold and pre-pack them and callers feed only the
 * model inputs. Prediction and the embedding API load this file.
 */
import { join } from 'node:path';
import { inputError } from '../util/errors.js';
import { assertValidModel } from '../onnx/checker.js';
import { loadModel, saveModel, encodeModel } from '../onnx/serialize.js';
import { tensorToProto } from '../onnx/proto-convert.js';
import type { onnx } from '../onnx/onnx-proto.js';
import { METADATA_KEYS } from '../onnx/model.js';
import { readArtifactManifest, type ArtifactManifest } from './manifest.js';
import { readTrainingCheckpoint } from './training-checkpoint.js';

export interface ServingExportOptions {
  /** weights to bake in (default: the set's checkpoint.safetensors); a parameters-only file is fine */
  checkpoint?: string;
}

export interface ServingExport {
  model: onnx.ModelProto;
  manifest: ArtifactManifest;
  /** checkpoint the weights came from, and its optimizer step */
  checkpoint: string;
  step: number;
}

/** Builds the serving model of an artifact directory (checked by the structural checker). */
export function exportServingModel(dir: string, options: ServingExportOptions = {}): ServingExport {
  const manifest = readArtifactManifest(dir);
  const checkpoint = options.checkpoint ?? join(dir, manifest.checkpoint.file);
  const state = readTrainingCheckpoint(checkpoint, manifest, { allowMissingState: true });
  const inferFile = join(dir, manifest.graphs.infer.file);
  const model = loadModel(inferFile);
  const graph = model.graph;
  if (!graph) throw inputError(inferFile, undefined, 'the model has no graph');
  const params = new Set(manifest.parameters.map((p) => p.name));
  const declared = new Set((graph.input ?? []).map((i) => i.name ?? ''));
  for (const p of manifest.parameters) {
    if (!declared.has(p.name)) throw inputError(inferFile, p.name, 'a parameter of the manifest is not an input of infer.onnx');
  }
  graph.input = (graph.input ?? []).filter((i) => !params.has(i.name ?? ''));
  graph.initializer = [
    ...(graph.initializer ?? []),
    ...manifest.parameters.map((p) => tensorToProto({ dtype: manifest.dtype, dims: p.shape, data: state.params.get(p.name)! }, p.name)),
  ];
  graph.name = 'serve';
  const meta = new Map((model.metadataProps ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  meta.set('artifact', 'serve');
  meta.set('checkpoint_step', String(state.step));
  if (manifest.schemaHash) meta.set(METADATA_KEYS.schemaHash, manifest.schemaHash);
  model.metadataProps = [...meta].map(([key, value]) => ({ key, value }));
  assertValidModel(model);
  return { model, manifest, checkpoint, step: state.step };
}

/** Writes the serving model of `dir` to `out` (atomically); returns what was written. */
export function writeServingModel(dir: string, out: string, options: ServingExportOptions = {}): ServingExport & { bytes: number } {
  const r = exportServingModel(dir, options);
  const bytes = encodeModel(r.model);
  saveModel(bytes, out);
  return { ...r, bytes: bytes.length };
}
