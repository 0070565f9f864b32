/**
 * Labels added without retraining (the seed: "just add prototype embeddings"). From K annotated documents:
 *
 *   1. the schema gains the entity under `additions:`; its B- and I- labels take the next two ids, no
 *      existing id moves (schema-document.ts), and the schema hash changes;
 *   2. the current model runs on the examples (infer.onnx); the new B- / I- prototypes are the normalised
 *      means of the embeddings of the words labelled B-X / I-X (the word's first sub-token, one window per
 *      word); examples without an I-X word give the I- prototype the B- one;
 *   3. the parameters carry over: every tensor that keeps its shape is copied; the prototype table gains the
 *      two rows; the CRF gains the new labels' rows neutrally (decoding/crf-structure.ts extendCrfParams:
 *      zero residual rows, start/end/B->I/I->I from the group's other entities), so no score between old
 *      labels changes; Adam's moments of the grown tensors keep their old entries, zeros for the new ones;
 *   4. every graph of the artifact set is rebuilt for the new label count, the checkpoint and manifest
 *      written, the directory replaced atomically (other files in it are kept, labels.yaml rewritten, and
 *      every serving export in it, or at `servingOut`, regenerated). No training step runs.
 *
 * What does not change: group probabilities, embeddings, the similarity of every old label, and so the
 * emissions of every label outside the new entity's group, and the differences between the emissions of
 * old labels inside it. Inside that group every old label's log-probability drops by the same amount
 * (P(label | group) now shares the group's mass with the new labels). The new entity is predicted where the
 * group head already routes its words to its group and its prototype is the nearest within the group; on
 * words the model learnt to call O, P(O) = P(outside group) wins unless the group head says otherwise.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import type { InvoiceDocument } from '../documents/document.js';
import type { LabelSchema } from '../schema/label-schema.js';
import { parseModelConfig } from '../model/config.js';
import type { LayoutTokenizer } from '../features/tokenizer.js';
import { extendCrfParams, type CrfParams } from '../decoding/crf-structure.js';
import { parseNativeDocument, parseNativeDocumentsJsonl } from '../inputs/native-json.js';
import { loadModel, encodeModel } from '../onnx/serialize.js';
import { atomicWriteDirectory, COMPLETE_MARKER } from '../training/atomic-files.js';
import { buildArtifactGraphs } from '../artifacts/build-artifacts.js';
import { ARTIFACT_GRAPHS } from '../artifacts/graph-names.js';
import { CHECKPOINT_FILE, MANIFEST_FILE, type ArtifactManifest } from '../artifacts/manifest.js';
import { readTrainingCheckpoint, writeTrainingCheckpoint, type FloatArray, type TrainingState } from '../artifacts/training-checkpoint.js';
import { exportServingModel, writeServingModel } from '../artifacts/serving-export.js';
import { HYBRID_HEAD_PARAMS } from './hybrid-heads.js';
import { headCrfStructure, headModelFromConfig } from './hybrid-model.js';
import { HeadModelRunner, locateModel, normalizeRows, type HeadModelRunnerOptions } from './model-runner.js';
import { labelSchemaYaml, schemaWithEntity } from './schema-document.js';

const log = logger('add-label');

/** The label schema file add-label writes into the model directory. */
export const MODEL_SCHEMA_FILE = 'labels.yaml';

export interface AddLabelOptions {
  /** a layoutlmv3-hybrid model: an artifact directory (rewritten in place unless `out` is given) or a
   *  training run (its best checkpoint; `out` required, the run is left as it is) */
  modelDir: string;
  /** a training run's checkpoint to start from: best (default) or last, or a checkpoint file */
  checkpoint?: 'best' | 'last' | (string & {});
  /** the new entity (UPPER_SNAKE_CASE) */
  entity: string;
  /** the existing entity group it joins */
  group: string;
  /** annotated documents (words labelled B-/I-ENTITY), or native JSON / JSONL files of them */
  examples: ReadonlyArray<InvoiceDocument | string>;
  description?: string;
  /** where the extended model goes (default: modelDir, replaced atomically) */
  out?: string;
  /** also write the serving export (weights baked in) to this .onnx file */
  servingOut?: string;
  /** a tokenizer or its path (default: the model directory's tokenizer.json) */
  tokenizer?: LayoutTokenizer | string;
  /** where the examples' relative page images start (default: each example file's folder, else the working directory) */
  imageRoot?: string;
  /** ONNX Runtime session options for running the examples */
  session?: HeadModelRunnerOptions;
}

export interface AddLabelResult {
  dir: string;
  schema: LabelSchema;
  previousSchemaHash: string;
  labels: { begin: { id: number; name: string }; inside: { id: number; name: string } };
  examples: { documents: number; beginWords: number; insideWords: number; insideFromBegin: boolean };
  manifest: ArtifactManifest;
  /** serving exports regenerated (paths) */
  servingFiles: string[];
  /** the rebuilt model on the examples: their B-/I- words whose highest-scoring label is the right one */
  check: { words: number; correct: number };
}

interface Example {
  doc: InvoiceDocument;
  imageRoot?: string;
}

function readExamples(items: AddLabelOptions['examples'], schema: LabelSchema, imageRoot: string | undefined): Example[] {
  const out: Example[] = [];
  for (const item of items) {
    if (typeof item !== 'string') {
      out.push({ doc: item, imageRoot });
      continue;
    }
    const file = resolve(item);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new HybridocError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    const docs =
      extname(file).toLowerCase() === '.jsonl'
        ? parseNativeDocumentsJsonl(text, file, { schema })
        : [parseNativeDocument(text, file, { schema })];
    for (const doc of docs) out.push({ doc, imageRoot: imageRoot ?? resolve(file, '..') });
  }
  if (out.length === 0) throw new HybridocError('add-label: examples: none given');
  return out;
}

/** The serving exports in a model directory: .onnx files other than the artifact graphs, marked artifact=serve. */
function servingExportsIn(dir: string, manifest: ArtifactManifest): string[] {
  const graphs = new Set(ARTIFACT_GRAPHS.map((k) => manifest.graphs[k].file));
  return readdirSync(dir).filter((f) => {
    if (!f.endsWith('.onnx') || graphs.has(f)) return false;
    try {
      return (loadModel(join(dir, f)).metadataProps ?? []).some((p) => p.key === 'artifact' && p.value === 'serve');
    } catch {
      return false;
    }
  });
}

/** Copies `from` into a longer array (old entries first, zeros after). */
function grown(from: FloatArray, length: number, Ctor: Float32ArrayConstructor | Float64ArrayConstructor, name: string): FloatArray {
  if (from.length > length) throw new HybridocError(`add-label: internal error: '${name}' would shrink`);
  const out = new Ctor(length);
  out.set(from);
  return out;
}

export async function addLabel(o: AddLabelOptions): Promise<AddLabelResult> {
  const where = locateModel(o.modelDir, o.checkpoint);
  if (where.layout === 'run' && !o.out) {
    throw new HybridocError(`${where.dir}: a training run; name where the extended model goes (--out DIR); the run is left as it is`);
  }
  if (!where.checkpoint) throw new HybridocError(`${where.dir}: no checkpoint to start from`);
  const modelDir = where.artifactsDir;
  const outDir = resolve(o.out ?? modelDir);
  const tokenizerSource = o.tokenizer ?? where.tokenizer;
  const runner = await HeadModelRunner.open(modelDir, { ...o.session, tokenizer: tokenizerSource, checkpoint: where.checkpoint });
  const manifest = runner.manifest;
  const oldSchema = runner.schema;
  const Ctor = manifest.dtype === 'float64' ? Float64Array : Float32Array;
  let embeddingsB: Float64Array;
  let embeddingsI: Float64Array;
  let counts: { documents: number; beginWords: number; insideWords: number };
  let schema: LabelSchema;
  try {
    if (runner.config.architecture !== 'hybrid') {
      throw new HybridocError(`${modelDir}: add-label needs prototypes; model ${manifest.model.name} is the standard classifier`);
    }
    schema = schemaWithEntity(oldSchema, { entity: o.entity, group: o.group, description: o.description });
    const [bId, iId] = schema.bioPairs[schema.entityIndex.get(o.entity)!];
    const examples = readExamples(o.examples, schema, o.imageRoot);
    const P = runner.embeddingDim;
    embeddingsB = new Float64Array(P);
    embeddingsI = new Float64Array(P);
    counts = { documents: examples.length, beginWords: 0, insideWords: 0 };
    for (const ex of examples) {
      const r = await runner.wordOutputs(ex.doc, { schema, imageRoot: ex.imageRoot });
      for (let w = 0; w < r.numWords; w++) {
        if (!r.hasTokens[w] || (r.labels[w] !== bId && r.labels[w] !== iId)) continue;
        const acc = r.labels[w] === bId ? embeddingsB : embeddingsI;
        for (let k = 0; k < P; k++) acc[k] += r.embeddings[w * P + k];
        if (r.labels[w] === bId) counts.beginWords++;
        else counts.insideWords++;
      }
    }
    if (counts.beginWords === 0)
      throw new HybridocError(`add-label: examples: no word is labelled B-${o.entity} (${examples.length} documents)`);
  } finally {
    await runner.release();
  }
  const insideFromBegin = counts.insideWords === 0;
  const P = runner.embeddingDim;
  const protoB = normalizeRows(embeddingsB, P);
  const protoI = insideFromBegin ? protoB : normalizeRows(embeddingsI, P);

  // parameters and optimizer state for the extended model
  const oldState = readTrainingCheckpoint(where.checkpoint, manifest, { allowMissingState: true });
  const model = headModelFromConfig(manifest.model.config, schema);
  const wasFrozen = new Set(manifest.parameters.filter((p) => !p.trainable).map((p) => p.name));
  const freeze = model.parameters.filter((p) => wasFrozen.has(p.name) && (model.isTrainable?.(p) ?? true)).map((p) => p.name);
  const set = buildArtifactGraphs(model, {
    adamw: {
      beta1: manifest.optimizer.beta1,
      beta2: manifest.optimizer.beta2,
      eps: manifest.optimizer.eps,
      noDecay: manifest.optimizer.noDecay,
    },
    weightDecay: manifest.optimizer.weightDecay,
    maxGradNorm: manifest.optimizer.maxGradNorm,
    freeze,
    schemaHash: schema.hash,
    preset: manifest.preset,
    modelConfig: manifest.modelConfig,
  });
  const modelConfig = parseModelConfig(runner.config.modelConfig);
  const oldCrf = headCrfStructure(modelConfig, oldSchema);
  const newCrf = headCrfStructure(modelConfig, schema);
  let crf: CrfParams | undefined;
  if (oldCrf && newCrf) {
    const old: CrfParams = {};
    for (const p of oldCrf.params) old[p.name] = Float32Array.from(oldState.params.get(p.name)!);
    crf = extendCrfParams(oldCrf, newCrf, old);
  }
  const state: TrainingState = { params: new Map(), m: new Map(), v: new Map(), step: oldState.step };
  for (const p of set.manifest.parameters) {
    const n = p.shape.reduce((a, d) => a * d, 1);
    const old = oldState.params.get(p.name);
    let value: FloatArray;
    if (p.name === HYBRID_HEAD_PARAMS.prototypes) {
      value = grown(old!, n, Ctor, p.name);
      value.set(protoB, oldSchema.numLabels * P);
      value.set(protoI, (oldSchema.numLabels + 1) * P);
    } else if (crf && p.name in crf) value = Ctor.from(crf[p.name]);
    else if (old && old.length === n) value = old;
    else throw new HybridocError(`add-label: internal error: no value for '${p.name}' [${p.shape.join(', ')}]`);
    if (value.length !== n) throw new HybridocError(`add-label: internal error: '${p.name}' has ${value.length} values for ${n}`);
    state.params.set(p.name, value);
    if (!p.trainable) continue;
    for (const [from, to] of [
      [oldState.m, state.m],
      [oldState.v, state.v],
    ] as const) {
      const prev = from.get(p.name);
      to.set(p.name, prev ? grown(prev, n, Ctor, p.name) : new Ctor(n));
    }
  }

  // write the new set: graphs, checkpoint, manifest, labels.yaml, kept files, regenerated serving exports
  const written: ArtifactManifest = {
    ...set.manifest,
    checkpoint: { ...set.manifest.checkpoint, ...manifest.checkpoint, step: state.step, file: CHECKPOINT_FILE },
  };
  const servingNames = servingExportsIn(modelDir, manifest);
  const own = new Set<string>([
    ...ARTIFACT_GRAPHS.map((k) => manifest.graphs[k].file),
    manifest.checkpoint.file ?? CHECKPOINT_FILE,
    MANIFEST_FILE,
    MODEL_SCHEMA_FILE,
    COMPLETE_MARKER,
    ...servingNames,
  ]);
  await atomicWriteDirectory(outDir, (tmp) => {
    for (const f of readdirSync(modelDir))
      if (!own.has(f) && !f.startsWith('.')) cpSync(join(modelDir, f), join(tmp, f), { recursive: true });
    for (const kind of ARTIFACT_GRAPHS) writeFileSync(join(tmp, written.graphs[kind].file), set.graphs[kind]);
    writeTrainingCheckpoint(join(tmp, CHECKPOINT_FILE), written, state);
    writeFileSync(join(tmp, MANIFEST_FILE), JSON.stringify(written, null, 2) + '\n');
    writeFileSync(
      join(tmp, MODEL_SCHEMA_FILE),
      `# label schema of this model (hash ${schema.hash}); ${o.entity} added by hybridoc add-label\n${labelSchemaYaml(schema)}`,
    );
    if (!existsSync(join(tmp, 'tokenizer.json')) && !existsSync(join(tmp, 'vocab.json')))
      runner.tokenizer.save(join(tmp, 'tokenizer.json'));
    for (const name of servingNames) writeFileSync(join(tmp, name), encodeModel(exportServingModel(tmp).model));
  });
  const servingFiles = servingNames.map((f) => join(outDir, f));
  if (o.servingOut) {
    writeServingModel(outDir, o.servingOut);
    servingFiles.push(resolve(o.servingOut));
  }
  log.info({ dir: outDir, entity: o.entity, labels: schema.numLabels, ...counts }, 'label added');

  // the rebuilt model on its own examples
  const check = { words: 0, correct: 0 };
  const rebuilt = await HeadModelRunner.open(outDir, { ...o.session, tokenizer: o.tokenizer ?? runner.tokenizer });
  try {
    const [bId, iId] = schema.bioPairs[schema.entityIndex.get(o.entity)!];
    for (const ex of readExamples(o.examples, schema, o.imageRoot)) {
      const r = await rebuilt.wordOutputs(ex.doc, { schema, imageRoot: ex.imageRoot });
      const L = schema.numLabels;
      for (let w = 0; w < r.numWords; w++) {
        if (!r.hasTokens[w] || (r.labels[w] !== bId && r.labels[w] !== iId)) continue;
        let best = 0;
        for (let l = 1; l < L; l++) if (r.emissions[w * L + l] > r.emissions[w * L + best]) best = l;
        check.words++;
        if (best === r.labels[w]) check.correct++;
      }
    }
  } finally {
    await rebuilt.release();
  }
  const [bId, iId] = schema.bioPairs[schema.entityIndex.get(o.entity)!];
  return {
    dir: outDir,
    schema,
    previousSchemaHash: oldSchema.hash,
    labels: { begin: { id: bId, name: schema.labels[bId] }, inside: { id: iId, name: schema.labels[iId] } },
    examples: { ...counts, insideFromBegin },
    manifest: written,
    servingFiles,
    check,
  };
}
