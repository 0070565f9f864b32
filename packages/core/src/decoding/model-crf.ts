/**
 * The model's CRF for decoding, read from where its weights are: the checkpoint (by parameter name) or, for a
 * directory that ships only the serving export, the export's initializers. The structure (rank of the
 * within-group residual, shared or per-entity BIO scalars) is read off the stored shapes, so decoding uses
 * exactly the transitions the model trained. A model without `crf.*` parameters has no CRF.
 */
import type { ArtifactManifest } from '../artifacts/manifest.js';
import { compileCrf, crfStructure, type CompiledCrf, type CrfParams } from './crf-structure.js';
import { decodeModel } from '../onnx/serialize.js';
import { tensorFromProto } from '../onnx/proto-convert.js';
import type { LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import { openSafetensors } from '../weights/safetensors.js';

/** Named float parameters: a checkpoint or a model's initializers. */
export interface ParameterSource {
  readonly label: string;
  has(name: string): boolean;
  read(name: string): Float32Array;
}

export function checkpointParameters(file: string): ParameterSource {
  const r = openSafetensors(file);
  return { label: file, has: (name) => r.has(name), read: (name) => r.float32(name) };
}

/** The initializers of an encoded ONNX model (decodes the whole model; for small serving-only directories). */
export function initializerParameters(bytes: Uint8Array, label: string): ParameterSource {
  const model = decodeModel(bytes, label);
  const inits = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  return {
    label,
    has: (name) => inits.has(name),
    read: (name) => {
      const v = tensorFromProto(inits.get(name)!);
      return v.data instanceof Float32Array ? v.data : Float32Array.from(v.data as ArrayLike<number>);
    },
  };
}

/** The compiled CRF of a model, or undefined when it has none. */
export function modelCrfFrom(
  manifest: Pick<ArtifactManifest, 'parameters' | 'model'>,
  source: ParameterSource,
  schema: LabelSchema,
): CompiledCrf | undefined {
  const names = manifest.parameters.map((p) => p.name);
  const anchor = names.find((n) => n.endsWith('crf.group_transitions'));
  if (!anchor) return undefined;
  const prefix = anchor.slice(0, -'crf.group_transitions'.length);
  const shapeOf = (name: string) => manifest.parameters.find((p) => p.name === prefix + name)?.shape;
  const residual = names.find((n) => n.startsWith(`${prefix}crf.residual_u.`));
  const rank = residual ? (shapeOf(residual.slice(prefix.length))?.[1] ?? 0) : 0;
  const bi = shapeOf('crf.begin_inside');
  const bioScalars = bi && bi[0] === 1 && schema.numEntities !== 1 ? 'shared' : 'per_entity';
  const structure = crfStructure(schema, { rank, bioScalars });
  const params: CrfParams = {};
  for (const p of structure.params) {
    const name = prefix + p.name;
    if (!source.has(name)) throw new HybridocError(`${source.label}: CRF parameter '${name}' of model ${manifest.model.name} is missing`);
    params[p.name] = source.read(name);
  }
  return compileCrf(structure, params);
}
