/**
 * checkpoint.safetensors of an artifact set: every parameter under its checkpoint name, Adam's moments of
 * each trainable one under `adam.m.NAME` / `adam.v.NAME`, and the optimizer step count in the metadata.
 * Written atomically (safetensors writer); read back checked name by name and shape by shape against the
 * manifest, so a checkpoint of another model or size fails with one line naming the tensors.
 */
import { HybridocError } from '../util/errors.js';
import { shapeNumel, type ParameterSpec } from '../model/parameters.js';
import { compareWithTable, describeMismatch } from '../weights/checkpoint.js';
import { openSafetensors, writeSafetensors, type SafetensorsTensorSource } from '../weights/safetensors.js';
import { HYBRIDOC_VERSION } from '../version.js';
import { adamMName, adamVName, CHECKPOINT_STEP_KEY } from './graph-names.js';
import type { ArtifactManifest, ManifestParameter } from './manifest.js';

export type FloatArray = Float32Array | Float64Array;

/** Parameters and optimizer state between steps. */
export interface TrainingState {
  /** every parameter, by checkpoint name */
  params: Map<string, FloatArray>;
  /** Adam's first and second moments of each trainable parameter, by the parameter's name */
  m: Map<string, FloatArray>;
  v: Map<string, FloatArray>;
  /** optimizer steps taken */
  step: number;
}

type Layout = Pick<ArtifactManifest, 'dtype' | 'parameters'>;

/** Zero Adam moments for every trainable parameter. */
export function zeroOptimizerState(layout: Layout): Pick<TrainingState, 'm' | 'v'> {
  const m = new Map<string, FloatArray>();
  const v = new Map<string, FloatArray>();
  const Ctor = layout.dtype === 'float64' ? Float64Array : Float32Array;
  for (const p of layout.parameters) {
    if (!p.trainable) continue;
    m.set(p.name, new Ctor(shapeNumel(p.shape)));
    v.set(p.name, new Ctor(shapeNumel(p.shape)));
  }
  return { m, v };
}

/** The tensors a checkpoint of this layout holds, as (name, shape) specs for the table comparison. */
function checkpointTable(layout: Layout, withState: boolean): ParameterSpec[] {
  const spec = (name: string, p: ManifestParameter): ParameterSpec => ({ name, shape: p.shape, init: { kind: 'zeros' }, module: p.module });
  const out = layout.parameters.map((p) => spec(p.name, p));
  if (withState) {
    for (const p of layout.parameters) if (p.trainable) out.push(spec(adamMName(p.name), p), spec(adamVName(p.name), p));
  }
  return out;
}

/** Writes parameters and optimizer state (atomically: a temp file renamed over `path`). */
export function writeTrainingCheckpoint(path: string, layout: Layout, state: TrainingState, metadata: Record<string, string> = {}): void {
  const dtype = layout.dtype === 'float64' ? 'F64' : 'F32';
  const tensors: Array<[string, SafetensorsTensorSource]> = [];
  const add = (name: string, p: ManifestParameter, data: FloatArray | undefined) => {
    if (!data) throw new HybridocError(`${path}: tensor "${name}": no value to write`);
    if (data.length !== shapeNumel(p.shape)) {
      throw new HybridocError(`${path}: tensor "${name}": ${data.length} values for shape [${p.shape.join(', ')}]`);
    }
    tensors.push([name, { dtype, shape: p.shape, data }]);
  };
  for (const p of layout.parameters) add(p.name, p, state.params.get(p.name));
  for (const p of layout.parameters) {
    if (!p.trainable) continue;
    add(adamMName(p.name), p, state.m.get(p.name));
    add(adamVName(p.name), p, state.v.get(p.name));
  }
  writeSafetensors(path, tensors, { [CHECKPOINT_STEP_KEY]: String(state.step), hybridoc_version: HYBRIDOC_VERSION, ...metadata });
}

/**
 * Reads a checkpoint for a layout. With `allowMissingState` a file of parameters only (an imported or
 * exported checkpoint) gives zero moments and step 0; extra tensors are refused either way.
 */
export function readTrainingCheckpoint(path: string, layout: Layout, options: { allowMissingState?: boolean } = {}): TrainingState {
  const r = openSafetensors(path);
  const names = new Set(r.names());
  const hasState = layout.parameters.some((p) => p.trainable && names.has(adamMName(p.name)));
  const withState = hasState || !options.allowMissingState;
  const c = compareWithTable(r.entries(), checkpointTable(layout, withState));
  const problem = describeMismatch(c);
  if (problem) throw new HybridocError(`${path}: checkpoint does not fit the artifact set: ${problem}`);
  const read = (name: string): FloatArray => {
    const t = r.tensor(name);
    if (layout.dtype === 'float64') return t.data instanceof Float64Array ? t.data : Float64Array.from(t.data as ArrayLike<number>);
    return r.float32(name);
  };
  const params = new Map(layout.parameters.map((p) => [p.name, read(p.name)]));
  if (!withState) return { params, ...zeroOptimizerState(layout), step: 0 };
  const m = new Map<string, FloatArray>();
  const v = new Map<string, FloatArray>();
  for (const p of layout.parameters) {
    if (!p.trainable) continue;
    m.set(p.name, read(adamMName(p.name)));
    v.set(p.name, read(adamVName(p.name)));
  }
  const stepText = r.metadata[CHECKPOINT_STEP_KEY] ?? '0';
  const step = Number(stepText);
  if (!Number.isSafeInteger(step) || step < 0)
    throw new HybridocError(`${path}: __metadata__.${CHECKPOINT_STEP_KEY}: not a step count: ${stepText}`);
  return { params, m, v, step };
}
