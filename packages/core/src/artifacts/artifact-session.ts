/**
 * ArtifactSession: runs an artifact set with the parameters and optimizer state held as host tensors between
 * steps. The checkpoint is read once when the session opens; each train step feeds the current tensors to
 * train_step.onnx and keeps the updated ones it returns (frozen parameters are fed, never returned, and so
 * never change). ONNX Runtime sessions are created per graph on first use. The full trainer (schedules,
 * sampling, logging, resumption) builds on this; it is not here.
 */
import { join } from 'node:path';
import { HybridocError } from '../util/errors.js';
import { createSession } from '../runtime/registry.js';
import type { Session, SessionOptions } from '../runtime/backend.js';
import type { HostTensor, HostTensorData } from '../runtime/tensor.js';
import {
  FEEDS,
  GRAD_NORM_OUTPUT,
  LOSS_OUTPUT,
  adamMName,
  adamVName,
  gradName,
  lossOutput,
  lossWeightInput,
  updatedName,
  type ArtifactGraphKind,
} from './graph-names.js';
import { CHECKPOINT_FILE, readArtifactManifest, type ArtifactManifest, type ManifestParameter } from './manifest.js';
import { readTrainingCheckpoint, writeTrainingCheckpoint, type FloatArray, type TrainingState } from './training-checkpoint.js';
import type { ArtifactSet } from './build-artifacts.js';

export interface ArtifactSessionOptions extends Omit<SessionOptions, 'label'> {
  /** backend name (default node) */
  backend?: string;
  /** checkpoint to start from (default: the set's checkpoint.safetensors) */
  checkpoint?: string;
}

/** Loss parts and the weighted total, as numbers. */
export interface LossValues {
  losses: Record<string, number>;
  loss: number;
}

export interface GradResult extends LossValues {
  /** one gradient per trainable parameter, by parameter name */
  grads: Map<string, HostTensor>;
}

export interface OptimizerOptions {
  lr: number;
  /** default: the manifest's */
  weightDecay?: number;
  /** default: the manifest's; 0 turns clipping off */
  maxGradNorm?: number;
}

export interface LossOptions {
  /** weight per loss part (default: the manifest's defaults); missing parts take their default */
  lossWeights?: Record<string, number>;
}

export interface TrainStepOptions extends OptimizerOptions, LossOptions {
  /** seed of this step's dropout masks (default: the optimizer step count) */
  dropoutSeed?: number | bigint;
}

export interface TrainStepResult extends LossValues {
  gradNorm: number;
  /** optimizer steps taken, this one included */
  step: number;
}

/** What the last run moved across the session boundary and how long it took. */
export interface RunStats {
  graph: ArtifactGraphKind;
  /** bytes of parameters and optimizer state fed */
  stateBytesIn: number;
  /** bytes of parameters and optimizer state returned */
  stateBytesOut: number;
  /** all feeds and fetches, bytes */
  feedBytes: number;
  fetchBytes: number;
  /** wall time of session.run, ms */
  runMs: number;
}

type GraphSource = { kind: 'file'; dir: string } | { kind: 'memory'; graphs: Record<ArtifactGraphKind, Uint8Array> };

export class ArtifactSession {
  readonly manifest: ArtifactManifest;
  private readonly source: GraphSource;
  private readonly options: ArtifactSessionOptions;
  private readonly sessions = new Map<ArtifactGraphKind, Promise<Session>>();
  private readonly params = new Map<string, HostTensor>();
  private readonly m = new Map<string, HostTensor>();
  private readonly v = new Map<string, HostTensor>();
  private readonly byName: Map<string, ManifestParameter>;
  private stepCount: number;
  /** statistics of the most recent run */
  lastRun: RunStats | undefined;

  private constructor(manifest: ArtifactManifest, source: GraphSource, state: TrainingState, options: ArtifactSessionOptions) {
    this.manifest = manifest;
    this.source = source;
    this.options = options;
    this.byName = new Map(manifest.parameters.map((p) => [p.name, p]));
    for (const p of manifest.parameters) {
      this.params.set(p.name, this.hostTensor(p, state.params.get(p.name)!));
      if (!p.trainable) continue;
      this.m.set(p.name, this.hostTensor(p, state.m.get(p.name)!));
      this.v.set(p.name, this.hostTensor(p, state.v.get(p.name)!));
    }
    this.stepCount = state.step;
  }

  /** Opens an artifact directory: reads the manifest and the checkpoint once; graphs load on first use. */
  static async open(dir: string, options: ArtifactSessionOptions = {}): Promise<ArtifactSession> {
    const manifest = readArtifactManifest(dir);
    const state = readTrainingCheckpoint(options.checkpoint ?? join(dir, manifest.checkpoint.file ?? CHECKPOINT_FILE), manifest, {
      allowMissingState: true,
    });
    return new ArtifactSession(manifest, { kind: 'file', dir }, state, options);
  }

  /** A session over an artifact set built in memory (tests, numerical checks). */
  static fromSet(set: ArtifactSet, state: TrainingState, options: ArtifactSessionOptions = {}): ArtifactSession {
    return new ArtifactSession(set.manifest, { kind: 'memory', graphs: set.graphs }, state, options);
  }

  /** Optimizer steps taken. */
  get step(): number {
    return this.stepCount;
  }

  /** The current value of a parameter (the live tensor: copy it to keep it across steps). */
  parameter(name: string): HostTensor {
    const t = this.params.get(name);
    if (!t) throw new HybridocError(`artifact session: no parameter '${name}'`);
    return t;
  }

  get parameterNames(): string[] {
    return [...this.params.keys()];
  }

  /** Replaces a parameter's values (same length); for checks and for loading weights from elsewhere. */
  setParameter(name: string, data: FloatArray): void {
    const p = this.byName.get(name);
    if (!p) throw new HybridocError(`artifact session: no parameter '${name}'`);
    this.params.set(name, this.hostTensor(p, data));
  }

  /** Adam's moments of a trainable parameter. */
  optimizerState(name: string): { m: HostTensor; v: HostTensor } {
    const m = this.m.get(name);
    const v = this.v.get(name);
    if (!m || !v) throw new HybridocError(`artifact session: no optimizer state for '${name}' (frozen or unknown)`);
    return { m, v };
  }

  /** Parameters and optimizer state as they are now (the arrays are shared, not copied). */
  trainingState(): TrainingState {
    const data = (m: Map<string, HostTensor>) => new Map([...m].map(([k, t]) => [k, t.data as FloatArray]));
    return { params: data(this.params), m: data(this.m), v: data(this.v), step: this.stepCount };
  }

  /** Writes parameters, optimizer state and the step count to a safetensors file (atomically). */
  saveCheckpoint(path: string): void {
    writeTrainingCheckpoint(path, this.manifest, this.trainingState());
  }

  /** infer.onnx: the model's outputs for a batch of inputs. */
  async infer(inputs: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
    return this.run('infer', { ...this.paramFeeds(false), ...this.batchFeeds(inputs, false) });
  }

  /** eval.onnx: every loss part and the weighted total, no dropout. */
  async evaluate(batch: Record<string, HostTensor>, options: LossOptions = {}): Promise<LossValues> {
    const out = await this.run('eval', {
      ...this.paramFeeds(false),
      ...this.batchFeeds(batch, true),
      ...this.lossWeightFeeds(options.lossWeights),
    });
    return this.lossValues(out);
  }

  /** grad.onnx: loss parts and one gradient per trainable parameter; the state does not change. */
  async grad(batch: Record<string, HostTensor>, options: LossOptions & { dropoutSeed?: number | bigint } = {}): Promise<GradResult> {
    const out = await this.run('grad', {
      ...this.paramFeeds(false),
      ...this.batchFeeds(batch, true),
      ...this.lossWeightFeeds(options.lossWeights),
      [FEEDS.dropoutSeed]: int64Scalar(options.dropoutSeed ?? this.stepCount),
    });
    const grads = new Map<string, HostTensor>();
    for (const p of this.manifest.parameters) if (p.trainable) grads.set(p.name, out[gradName(p.name)]);
    return { ...this.lossValues(out), grads };
  }

  /** optimizer_step.onnx: clip and apply summed gradients (e.g. accumulated from grad()); one optimizer step. */
  async optimizerStep(grads: ReadonlyMap<string, HostTensor>, options: OptimizerOptions): Promise<{ gradNorm: number; step: number }> {
    const feeds: Record<string, HostTensor> = { ...this.paramFeeds(true), ...this.stateFeeds(), ...this.optimizerFeeds(options) };
    for (const p of this.manifest.parameters) {
      if (!p.trainable) continue;
      const g = grads.get(p.name);
      if (!g) throw new HybridocError(`optimizer step: no gradient for '${p.name}'`);
      feeds[gradName(p.name)] = g;
    }
    const out = await this.run('optimizer_step', feeds);
    this.takeUpdates(out);
    return { gradNorm: scalarOf(out[GRAD_NORM_OUTPUT]), step: this.stepCount };
  }

  /** train_step.onnx: forward, backward, clipping and AdamW in one run; keeps the new state. */
  async trainStep(batch: Record<string, HostTensor>, options: TrainStepOptions): Promise<TrainStepResult> {
    const out = await this.run('train_step', {
      ...this.paramFeeds(false),
      ...this.stateFeeds(),
      ...this.batchFeeds(batch, true),
      ...this.lossWeightFeeds(options.lossWeights),
      ...this.optimizerFeeds(options),
      [FEEDS.dropoutSeed]: int64Scalar(options.dropoutSeed ?? this.stepCount),
    });
    const values = this.lossValues(out);
    this.takeUpdates(out);
    return { ...values, gradNorm: scalarOf(out[GRAD_NORM_OUTPUT]), step: this.stepCount };
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s).release();
  }

  // ------------------------------------------------------------------------------------------ internals

  private hostTensor(p: ManifestParameter, data: FloatArray): HostTensor {
    const want = this.manifest.dtype === 'float64' ? Float64Array : Float32Array;
    if (!(data instanceof want)) throw new HybridocError(`artifact session: '${p.name}' must be a ${want.name}`);
    const n = p.shape.reduce((a, d) => a * d, 1);
    if (data.length !== n)
      throw new HybridocError(`artifact session: '${p.name}' has ${data.length} values, shape [${p.shape.join(', ')}] needs ${n}`);
    return { dtype: this.manifest.dtype, dims: p.shape, data };
  }

  private floatScalar(value: number): HostTensor {
    const data = this.manifest.dtype === 'float64' ? Float64Array.of(value) : Float32Array.of(value);
    return { dtype: this.manifest.dtype, dims: [], data };
  }

  private paramFeeds(trainableOnly: boolean): Record<string, HostTensor> {
    const out: Record<string, HostTensor> = {};
    for (const p of this.manifest.parameters) if (!trainableOnly || p.trainable) out[p.name] = this.params.get(p.name)!;
    return out;
  }

  private stateFeeds(): Record<string, HostTensor> {
    const out: Record<string, HostTensor> = {};
    for (const [name, t] of this.m) out[adamMName(name)] = t;
    for (const [name, t] of this.v) out[adamVName(name)] = t;
    return out;
  }

  private batchFeeds(batch: Record<string, HostTensor>, withLabels: boolean): Record<string, HostTensor> {
    const out: Record<string, HostTensor> = {};
    const specs = withLabels ? [...this.manifest.feeds.inputs, ...this.manifest.feeds.labels] : this.manifest.feeds.inputs;
    for (const f of specs) {
      const t = batch[f.name];
      if (!t) throw new HybridocError(`artifact session: the batch has no '${f.name}' (${f.dtype} [${f.shape.join(', ')}])`);
      if (t.dtype !== f.dtype) throw new HybridocError(`artifact session: '${f.name}' is ${t.dtype}, the graph takes ${f.dtype}`);
      out[f.name] = t;
    }
    return out;
  }

  private lossWeightFeeds(weights: Record<string, number> | undefined): Record<string, HostTensor> {
    for (const k of Object.keys(weights ?? {})) {
      if (!this.manifest.lossParts.includes(k))
        throw new HybridocError(`artifact session: unknown loss part '${k}' (parts: ${this.manifest.lossParts.join(', ')})`);
    }
    const out: Record<string, HostTensor> = {};
    for (const part of this.manifest.lossParts)
      out[lossWeightInput(part)] = this.floatScalar(weights?.[part] ?? this.manifest.defaultLossWeights[part] ?? 1);
    return out;
  }

  private optimizerFeeds(o: OptimizerOptions): Record<string, HostTensor> {
    if (!Number.isFinite(o.lr)) throw new HybridocError(`artifact session: learning rate must be a finite number, got ${o.lr}`);
    return {
      [FEEDS.lr]: this.floatScalar(o.lr),
      [FEEDS.step]: int64Scalar(this.stepCount),
      [FEEDS.weightDecay]: this.floatScalar(o.weightDecay ?? this.manifest.optimizer.weightDecay),
      [FEEDS.maxGradNorm]: this.floatScalar(o.maxGradNorm ?? this.manifest.optimizer.maxGradNorm),
    };
  }

  private lossValues(out: Record<string, HostTensor>): LossValues {
    const losses: Record<string, number> = {};
    for (const part of this.manifest.lossParts) losses[part] = scalarOf(out[lossOutput(part)]);
    return { losses, loss: scalarOf(out[LOSS_OUTPUT]) };
  }

  /** Keeps new parameters and state from a train or optimizer step and counts the step. */
  private takeUpdates(out: Record<string, HostTensor>): void {
    for (const p of this.manifest.parameters) {
      if (!p.trainable) continue;
      this.params.set(p.name, out[updatedName(p.name)]);
      this.m.set(p.name, out[updatedName(adamMName(p.name))]);
      this.v.set(p.name, out[updatedName(adamVName(p.name))]);
    }
    this.stepCount++;
  }

  private session(kind: ArtifactGraphKind): Promise<Session> {
    let s = this.sessions.get(kind);
    if (!s) {
      const file = this.manifest.graphs[kind].file;
      const model = this.source.kind === 'file' ? join(this.source.dir, file) : this.source.graphs[kind];
      s = createSession(model, { ...this.options, label: file });
      this.sessions.set(kind, s);
    }
    return s;
  }

  private async run(kind: ArtifactGraphKind, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
    const session = await this.session(kind);
    const t0 = performance.now();
    const out = await session.run(feeds);
    const runMs = performance.now() - t0;
    const stateIn = (name: string) => this.byName.has(name) || name.startsWith('adam.');
    let stateBytesIn = 0;
    let feedBytes = 0;
    for (const [name, t] of Object.entries(feeds)) {
      feedBytes += bytesOf(t.data);
      if (stateIn(name)) stateBytesIn += bytesOf(t.data);
    }
    let stateBytesOut = 0;
    let fetchBytes = 0;
    for (const [name, t] of Object.entries(out)) {
      fetchBytes += bytesOf(t.data);
      if (name.startsWith('new.')) stateBytesOut += bytesOf(t.data);
    }
    this.lastRun = { graph: kind, stateBytesIn, stateBytesOut, feedBytes, fetchBytes, runMs };
    return out;
  }
}

function bytesOf(d: HostTensorData): number {
  return d.byteLength;
}

function int64Scalar(value: number | bigint): HostTensor {
  return { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(value)) };
}

function scalarOf(t: HostTensor | undefined): number {
  if (!t) throw new HybridocError('artifact session: a graph output is missing');
  return Number(t.data[0]);
}
