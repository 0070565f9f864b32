/**
 * The artifact builder: from a TrainableModel, the five graphs of a training-artifact set, all plain
 * default-domain ONNX graphs any ONNX Runtime build runs, with the parameters as graph inputs:
 *
 *   infer           params + inputs -> outputs
 *   eval            params + inputs + labels + loss weights -> loss parts, total loss
 *   grad            ... + dropout_seed -> loss parts, total loss, grad.NAME per trainable parameter
 *   train_step      params + adam.m/v + batch + loss weights + lr + step + weight_decay + max_grad_norm +
 *                   dropout_seed -> loss parts, total loss, grad_norm, new.NAME, new.adam.m/v.NAME
 *   optimizer_step  trainable params + adam.m/v + grad.NAME + lr + step + weight_decay + max_grad_norm
 *                   -> grad_norm, new.NAME, new.adam.m/v.NAME
 *
 * Each graph is built fresh from the model (so inference has no dropout and no labels), cleaned by the
 * autodiff module's dead-node elimination and shape folding, and passes the structural checker before it
 * is encoded. `writeArtifactSet` puts the graphs, the checkpoint and the manifest into a directory atomically.
 */
import { HYBRIDOC_VERSION } from '../version.js';
import { HybridocError } from '../util/errors.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { encodeModel } from '../onnx/serialize.js';
import { IR_VERSION, OPSET_VERSION } from '../onnx/opset.js';
import type { TensorRef } from '../onnx/types.js';
import { shapeNumel, type ParameterSpec } from '../model/parameters.js';
import { initializeParameters } from '../weights/init.js';
import { gradients } from '../autodiff/gradients.js';
import { optimizeForWriting } from '../autodiff/dead-code.js';
import { atomicWriteDirectory } from '../training/atomic-files.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACT_GRAPHS,
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
import {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  CHECKPOINT_FILE,
  MANIFEST_FILE,
  feedSpecToManifest,
  type ArtifactManifest,
  type ManifestGraph,
  type ManifestParameter,
} from './manifest.js';
import {
  appendClippedAdamW,
  DEFAULT_ADAMW,
  matchesNamePattern,
  usesWeightDecay,
  type AdamWConfig,
  type OptimizerFeeds,
} from './optimizer.js';
import { writeTrainingCheckpoint, zeroOptimizerState, type TrainingState } from './training-checkpoint.js';
import type { ForwardResult, TrainableModel } from './trainable-model.js';

export interface BuildArtifactsOptions {
  /** beta1, beta2, eps, no-decay patterns (default DEFAULT_ADAMW) */
  adamw?: Partial<AdamWConfig>;
  /** default decoupled weight decay fed by the runtime (default 0.01) */
  weightDecay?: number;
  /** default global-norm clip fed by the runtime, 0 for none (default 1.0) */
  maxGradNorm?: number;
  /** further parameters to freeze, as `*` name patterns */
  freeze?: readonly string[];
  /** recorded in the manifest and the graphs' metadata */
  schemaHash?: string;
  preset?: string;
  modelConfig?: Record<string, unknown>;
}

/** An artifact set in memory: the encoded graphs and the manifest that describes them. */
export interface ArtifactSet {
  manifest: ArtifactManifest;
  graphs: Record<ArtifactGraphKind, Uint8Array>;
}

interface BuiltGraph {
  bytes: Uint8Array;
  info: ManifestGraph;
}

/** The parameter table with trainable and decay flags resolved. */
export function resolveParameters(model: TrainableModel, options: BuildArtifactsOptions = {}): ManifestParameter[] {
  const noDecay = options.adamw?.noDecay ?? DEFAULT_ADAMW.noDecay;
  const freeze = options.freeze ?? [];
  return model.parameters.map((s: ParameterSpec) => {
    const trainable = (model.isTrainable?.(s) ?? true) && !freeze.some((p) => matchesNamePattern(s.name, p));
    return { name: s.name, shape: [...s.shape], trainable, decay: trainable && usesWeightDecay(s.name, noDecay), module: s.module };
  });
}

/** The graph builders of one model and option set; each call builds its graph afresh. */
function graphBuilders(model: TrainableModel, options: BuildArtifactsOptions) {
  const params = resolveParameters(model, options);
  const trainable = params.filter((p) => p.trainable);
  if (trainable.length === 0) throw new HybridocError(`model '${model.name}': every parameter is frozen; nothing to train`);
  const adamw: AdamWConfig = { ...DEFAULT_ADAMW, ...options.adamw };
  const dtype = model.dtype;
  const metadata = { artifact_model: model.name };

  const finish = (g: GraphBuilder, kind: ArtifactGraphKind, parts: { forward?: Set<string>; optimizer?: Set<string> } = {}): BuiltGraph => {
    const { nodesBefore } = optimizeForWriting(g);
    const bytes = encodeModel(
      g.toModel({ schemaHash: options.schemaHash, preset: options.preset, metadata: { ...metadata, artifact: kind } }),
    );
    const info: ManifestGraph = {
      file: `${kind}.onnx`,
      inputs: g.inputs.map((t) => t.name),
      outputs: g.outputs.map((t) => t.name),
      nodes: g.nodes.length,
      nodesBeforeOptimization: nodesBefore,
    };
    if (parts.forward) {
      const forward = g.nodes.filter((n) => parts.forward!.has(n.name)).length;
      const optimizer = parts.optimizer ? g.nodes.filter((n) => parts.optimizer!.has(n.name)).length : 0;
      info.forwardNodes = forward;
      info.backwardNodes = g.nodes.length - forward - optimizer;
      if (parts.optimizer) info.optimizerNodes = optimizer;
    } else if (parts.optimizer) info.optimizerNodes = g.nodes.length;
    return { bytes, info };
  };

  const declareParams = (g: GraphBuilder, which: readonly ManifestParameter[]) =>
    new Map(which.map((p) => [p.name, g.input(p.name, dtype, p.shape)] as const));
  const declareState = (g: GraphBuilder) => ({
    m: new Map(trainable.map((p) => [p.name, g.input(adamMName(p.name), dtype, p.shape)] as const)),
    v: new Map(trainable.map((p) => [p.name, g.input(adamVName(p.name), dtype, p.shape)] as const)),
  });
  const declareFeeds = (g: GraphBuilder, feeds: TrainableModel['inputs']) =>
    new Map(feeds.map((f) => [f.name, g.input(f.name, f.dtype, f.shape)] as const));
  const declareOptimizerFeeds = (g: GraphBuilder): OptimizerFeeds => ({
    lr: g.input(FEEDS.lr, dtype, []),
    step: g.input(FEEDS.step, 'int64', []),
    weightDecay: g.input(FEEDS.weightDecay, dtype, []),
    maxGradNorm: g.input(FEEDS.maxGradNorm, dtype, []),
  });

  /** The forward pass with losses: returns the weighted total loss and the parts. */
  const forwardWithLoss = (g: GraphBuilder, paramRefs: Map<string, TensorRef>, training: boolean) => {
    const inputs = declareFeeds(g, model.inputs);
    const labels = declareFeeds(g, model.labels);
    const weights = model.lossParts.map((part) => g.input(lossWeightInput(part), dtype, []));
    const dropoutSeed = training ? g.input(FEEDS.dropoutSeed, 'int64', []) : undefined;
    const r: ForwardResult = model.buildForward(g, { params: paramRefs, inputs, labels, training, dropoutSeed, withLosses: true });
    const losses = model.lossParts.map((part) => {
      const t = r.losses?.[part];
      if (!t) throw new HybridocError(`model '${model.name}': buildForward gave no loss part '${part}'`);
      if (t.shape === null || t.shape.length !== 0) throw new HybridocError(`model '${model.name}': loss part '${part}' is not a scalar`);
      return t;
    });
    const total = g.scope('total_loss', () => {
      const terms = losses.map((l, i) => g.mul(l, weights[i], { name: `weighted_${model.lossParts[i]}` }));
      return terms.length === 1 ? terms[0] : g.sum(terms, { name: 'sum' });
    });
    return { losses, total };
  };
  const outputLosses = (g: GraphBuilder, losses: TensorRef[], total: TensorRef) => {
    losses.forEach((l, i) => exposeAs(g, l, lossOutput(model.lossParts[i])));
    exposeAs(g, total, LOSS_OUTPUT);
  };

  const infer = () => {
    const g = new GraphBuilder('infer');
    const paramRefs = declareParams(g, params);
    const inputs = declareFeeds(g, model.inputs);
    const r = model.buildForward(g, { params: paramRefs, inputs, training: false, withLosses: false });
    for (const name of model.outputNames) {
      const t = r.outputs[name];
      if (!t) throw new HybridocError(`model '${model.name}': buildForward gave no output '${name}'`);
      exposeAs(g, t, name);
    }
    return finish(g, 'infer');
  };

  /** eval.onnx (training false); with training true, the forward half of train_step (dropout on, no backward) */
  const loss = (training: boolean) => {
    const g = new GraphBuilder(training ? 'train_forward' : 'eval');
    const { losses, total } = forwardWithLoss(g, declareParams(g, params), training);
    outputLosses(g, losses, total);
    return finish(g, 'eval');
  };

  /** Forward with loss, then the backward pass into the trainable parameters. */
  const forwardBackward = (g: GraphBuilder, paramRefs: Map<string, TensorRef>) => {
    const { losses, total } = forwardWithLoss(g, paramRefs, true);
    const forward = new Set(g.nodes.map((n) => n.name));
    const grads = gradients(
      g,
      total,
      trainable.map((p) => paramRefs.get(p.name)!),
    );
    const gradOf = (name: string) => {
      const t = grads.get(name);
      if (!t) throw new HybridocError(`model '${model.name}': no gradient for parameter '${name}'`);
      return t;
    };
    return { losses, total, forward, gradOf };
  };

  // grad
  const grad = () => {
    const g = new GraphBuilder('grad');
    const paramRefs = declareParams(g, params);
    const { losses, total, forward, gradOf } = forwardBackward(g, paramRefs);
    outputLosses(g, losses, total);
    for (const p of trainable) exposeAs(g, gradOf(p.name), gradName(p.name));
    return finish(g, 'grad', { forward });
  };

  const appendOptimizer = (g: GraphBuilder, paramRefs: Map<string, TensorRef>, gradOf: (name: string) => TensorRef) => {
    const state = declareState(g);
    const feeds = declareOptimizerFeeds(g);
    const before = new Set(g.nodes.map((n) => n.name));
    const { gradNorm, updates } = appendClippedAdamW(
      g,
      trainable.map((p) => ({
        name: p.name,
        param: paramRefs.get(p.name)!,
        grad: gradOf(p.name),
        m: state.m.get(p.name)!,
        v: state.v.get(p.name)!,
        decay: p.decay,
      })),
      feeds,
      adamw,
      (name) => ({ param: updatedName(name), m: updatedName(adamMName(name)), v: updatedName(adamVName(name)) }),
    );
    const optimizerNodes = new Set(g.nodes.filter((n) => !before.has(n.name)).map((n) => n.name));
    return { gradNorm, updates, optimizerNodes };
  };
  const outputUpdates = (g: GraphBuilder, gradNorm: TensorRef, updates: ReturnType<typeof appendOptimizer>['updates']) => {
    exposeAs(g, gradNorm, GRAD_NORM_OUTPUT);
    for (const u of updates) exposeAs(g, u.param, updatedName(u.name));
    for (const u of updates) exposeAs(g, u.m, updatedName(adamMName(u.name)));
    for (const u of updates) exposeAs(g, u.v, updatedName(adamVName(u.name)));
  };

  // train_step
  const trainStep = () => {
    const g = new GraphBuilder('train_step');
    const paramRefs = declareParams(g, params);
    const { losses, total, forward, gradOf } = forwardBackward(g, paramRefs);
    const { gradNorm, updates, optimizerNodes } = appendOptimizer(g, paramRefs, gradOf);
    outputLosses(g, losses, total);
    outputUpdates(g, gradNorm, updates);
    return finish(g, 'train_step', { forward, optimizer: optimizerNodes });
  };

  // optimizer_step
  const optimizerStep = () => {
    const g = new GraphBuilder('optimizer_step');
    const paramRefs = declareParams(g, trainable);
    const gradRefs = new Map(trainable.map((p) => [p.name, g.input(gradName(p.name), dtype, p.shape)] as const));
    const { gradNorm, updates, optimizerNodes } = appendOptimizer(g, paramRefs, (name) => gradRefs.get(name)!);
    outputUpdates(g, gradNorm, updates);
    return finish(g, 'optimizer_step', { optimizer: optimizerNodes });
  };

  return { params, trainable, adamw, infer, loss, grad, trainStep, optimizerStep };
}

/**
 * The forward pass with its losses in training mode (dropout on, seeded by dropout_seed), without the
 * backward pass: what a train step computes before differentiating. Not part of an artifact set; benchmarks
 * compare train_step with it and with infer.onnx.
 */
export function buildTrainingForwardGraph(model: TrainableModel, options: BuildArtifactsOptions = {}): Uint8Array {
  return graphBuilders(model, options).loss(true).bytes;
}

/** Builds the five graphs and the manifest (checkpoint section: step 0). */
export function buildArtifactGraphs(model: TrainableModel, options: BuildArtifactsOptions = {}): ArtifactSet {
  const b = graphBuilders(model, options);
  const { params, trainable, adamw } = b;
  const dtype = model.dtype;
  const built: Record<ArtifactGraphKind, BuiltGraph> = {
    infer: b.infer(),
    eval: b.loss(false),
    grad: b.grad(),
    train_step: b.trainStep(),
    optimizer_step: b.optimizerStep(),
  };
  const count = (ps: ManifestParameter[]) => ps.reduce((a, p) => a + shapeNumel(p.shape), 0);
  const manifest: ArtifactManifest = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    hybridocVersion: HYBRIDOC_VERSION,
    irVersion: IR_VERSION,
    opset: OPSET_VERSION,
    createdAt: new Date().toISOString(),
    model: { name: model.name, config: { ...model.config } },
    ...(options.preset ? { preset: options.preset } : {}),
    ...(options.modelConfig ? { modelConfig: options.modelConfig } : {}),
    ...(options.schemaHash ? { schemaHash: options.schemaHash } : {}),
    dtype,
    parameters: params,
    counts: {
      tensors: params.length,
      trainableTensors: trainable.length,
      parameters: count(params),
      trainableParameters: count(trainable),
    },
    feeds: { inputs: model.inputs.map(feedSpecToManifest), labels: model.labels.map(feedSpecToManifest) },
    outputs: [...model.outputNames],
    lossParts: [...model.lossParts],
    defaultLossWeights: Object.fromEntries(model.lossParts.map((p) => [p, model.defaultLossWeights[p] ?? 1])),
    optimizer: {
      kind: 'adamw',
      beta1: adamw.beta1,
      beta2: adamw.beta2,
      eps: adamw.eps,
      noDecay: [...adamw.noDecay],
      weightDecay: options.weightDecay ?? 0.01,
      maxGradNorm: options.maxGradNorm ?? 1.0,
      stateNames: { m: adamMName('{name}'), v: adamVName('{name}') },
    },
    graphs: Object.fromEntries(ARTIFACT_GRAPHS.map((k) => [k, built[k].info])) as Record<ArtifactGraphKind, ManifestGraph>,
    checkpoint: { file: CHECKPOINT_FILE, step: 0 },
  };
  return { manifest, graphs: Object.fromEntries(ARTIFACT_GRAPHS.map((k) => [k, built[k].bytes])) as Record<ArtifactGraphKind, Uint8Array> };
}

/** Seeded initial parameters (weights/init.ts) and zero optimizer state, in the model's dtype. */
export function initialTrainingState(
  model: TrainableModel,
  manifest: Pick<ArtifactManifest, 'dtype' | 'parameters'>,
  seed: number,
): TrainingState {
  const init = initializeParameters(model.parameters, seed);
  const params = new Map<string, Float32Array | Float64Array>();
  for (const [name, values] of init) params.set(name, manifest.dtype === 'float64' ? Float64Array.from(values) : values);
  return { params, ...zeroOptimizerState(manifest), step: 0 };
}

/**
 * Writes an artifact set into `dir` atomically: everything goes into a temp directory beside it, which
 * replaces `dir` in one rename only when complete (training/atomic-files.ts). Returns the manifest written.
 */
export async function writeArtifactSet(
  dir: string,
  set: ArtifactSet,
  state: TrainingState,
  extra: Partial<Pick<ArtifactManifest['checkpoint'], 'initSeed' | 'initFrom'>> = {},
): Promise<ArtifactManifest> {
  const manifest: ArtifactManifest = { ...set.manifest, checkpoint: { ...set.manifest.checkpoint, step: state.step, ...extra } };
  await atomicWriteDirectory(dir, (tmp) => {
    for (const kind of ARTIFACT_GRAPHS) writeFileSync(join(tmp, manifest.graphs[kind].file), set.graphs[kind]);
    writeTrainingCheckpoint(join(tmp, CHECKPOINT_FILE), manifest, state);
    writeFileSync(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  });
  return manifest;
}

/** Builds the graphs, initialises the parameters (seed, default 0) and writes the set. */
export async function buildArtifacts(
  model: TrainableModel,
  dir: string,
  options: BuildArtifactsOptions & { seed?: number; initialState?: TrainingState; initFrom?: string } = {},
): Promise<ArtifactManifest> {
  const set = buildArtifactGraphs(model, options);
  const seed = options.seed ?? 0;
  const state = options.initialState ?? initialTrainingState(model, set.manifest, seed);
  return writeArtifactSet(dir, set, state, options.initialState ? { initFrom: options.initFrom } : { initSeed: seed });
}

/** Tensors renamed by exposeAs, per graph: old name -> new name. */
const renamedTensors = new WeakMap<GraphBuilder, Map<string, string>>();

/**
 * Makes tensor `t` a graph output named `name`: renames it in place when this graph computes it and nothing
 * else claims it (no copy at run time), else adds an Identity (e.g. one tensor that is two outputs).
 */
function exposeAs(g: GraphBuilder, t: TensorRef, name: string): TensorRef {
  let renamed = renamedTensors.get(g);
  if (!renamed) renamedTensors.set(g, (renamed = new Map()));
  const current = renamed.get(t.name) ?? t.name;
  const renamable =
    current !== name &&
    !renamed.has(t.name) &&
    g.ownsTensor(current) &&
    g.producer(current) !== undefined &&
    !g.outputs.some((o) => o.name === current) &&
    !g.inputs.some((i) => i.name === current);
  if (renamable) {
    g.renameTensor(current, name);
    renamed.set(t.name, name);
    return g.output(name);
  }
  return g.output(current, { name });
}
