/** The artifact directory: its files, manifest, checkpoint, atomic replacement, and the serving export. */
import { existsSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  ArtifactSession,
  buildArtifactGraphs,
  checkModel,
  createSession,
  decodeModel,
  exportServingModel,
  encodeModel,
  initialTrainingState,
  mlpTestModel,
  readArtifactManifest,
  readSafetensors,
  readTrainingCheckpoint,
  summarizeArtifactSet,
  transformerTestModel,
  writeArtifactSet,
  HYBRIDOC_VERSION,
  OPSET_VERSION,
  type ArtifactSet,
  type HostTensor,
} from '@hybridoc/core';
import { maxRelDiff, TINY, tempDir, tokenBatch } from './helpers.js';

/** Tests check numbers, not speed: 'basic' graph optimisation makes sessions start several times faster. */
const FAST = { intraOpThreads: 1, optimization: 'basic' } as const;
const GRAPH_FILES = ['infer.onnx', 'eval.onnx', 'grad.onnx', 'train_step.onnx', 'optimizer_step.onnx'];

describe('artifact set on disk', () => {
  const root = tempDir();
  const dir = join(root, 'set');
  const model = transformerTestModel(TINY);
  let set: ArtifactSet;

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    set = buildArtifactGraphs(model, { schemaHash: 'abc123', preset: 'test' });
    await writeArtifactSet(dir, set, initialTrainingState(model, set.manifest, 5), { initSeed: 5 });
  });

  test('the directory holds the five graphs, the checkpoint and the manifest, each graph structurally valid', () => {
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['.complete', 'checkpoint.safetensors', 'manifest.json', ...GRAPH_FILES].sort());
    for (const f of GRAPH_FILES) expect(checkModel(decodeModel(readFileSync(join(dir, f))))).toEqual([]);
    const s = summarizeArtifactSet(dir);
    expect(s.ok).toBe(true);
    expect(s.complete).toBe(true);
    expect(s.checkpoint.tensors).toBe(model.parameters.length * 3);
  });

  test('manifest: versions, schema hash, parameters with shapes and flags, graph inputs and outputs, node counts', () => {
    const m = readArtifactManifest(dir);
    expect(m.hybridocVersion).toBe(HYBRIDOC_VERSION);
    expect(m.opset).toBe(OPSET_VERSION);
    expect(m.schemaHash).toBe('abc123');
    expect(m.model.name).toBe('test-transformer');
    expect(m.model.config.hiddenSize).toBe(TINY.hiddenSize);
    expect(m.parameters.map((p) => p.name)).toEqual(model.parameters.map((p) => p.name));
    expect(m.parameters.find((p) => p.name === 'encoder.layer.1.intermediate.dense.weight')).toEqual({
      name: 'encoder.layer.1.intermediate.dense.weight',
      shape: [TINY.intermediateSize, TINY.hiddenSize],
      trainable: true,
      decay: true,
      module: 'backbone',
    });
    expect(m.parameters.find((p) => p.name === 'embeddings.LayerNorm.weight')!.decay).toBe(false);
    expect(m.counts.parameters).toBe(model.parameters.reduce((a, p) => a + p.shape.reduce((x, d) => x * d, 1), 0));
    const names = model.parameters.map((p) => p.name);
    // parameters are graph inputs of every graph (optimizer_step: the trainable ones), never initializers
    expect(m.graphs.infer.inputs).toEqual([...names, 'input_ids', 'attention_mask']);
    expect(m.graphs.infer.outputs).toEqual(['emissions', 'group_probs', 'embeddings']);
    expect(m.graphs.eval.outputs).toEqual(['loss.entity', 'loss.group', 'loss']);
    expect(m.graphs.eval.inputs).toEqual([
      ...names,
      'input_ids',
      'attention_mask',
      'labels',
      'group_labels',
      'loss_weight.entity',
      'loss_weight.group',
    ]);
    expect(m.graphs.grad.outputs).toEqual(['loss.entity', 'loss.group', 'loss', ...names.map((n) => `grad.${n}`)]);
    expect(m.graphs.train_step.inputs).toEqual(
      expect.arrayContaining([
        ...names,
        ...names.map((n) => `adam.m.${n}`),
        ...names.map((n) => `adam.v.${n}`),
        'lr',
        'step',
        'weight_decay',
        'max_grad_norm',
        'dropout_seed',
      ]),
    );
    expect(m.graphs.train_step.outputs).toEqual([
      'loss.entity',
      'loss.group',
      'loss',
      'grad_norm',
      ...names.map((n) => `new.${n}`),
      ...names.map((n) => `new.adam.m.${n}`),
      ...names.map((n) => `new.adam.v.${n}`),
    ]);
    expect(m.graphs.optimizer_step.inputs).toEqual(expect.arrayContaining(names.map((n) => `grad.${n}`)));
    expect(m.graphs.optimizer_step.inputs).not.toContain('input_ids');
    for (const f of GRAPH_FILES) {
      const proto = decodeModel(readFileSync(join(dir, f)));
      expect(proto.graph!.initializer ?? []).toHaveLength(0);
      const kind = basename(f, '.onnx') as keyof typeof m.graphs;
      expect(proto.graph!.input!.map((i) => i.name)).toEqual(m.graphs[kind].inputs);
      expect(proto.graph!.node!.length).toBe(m.graphs[kind].nodes);
    }
    // forward vs backward: the backward pass is there and not absurdly larger than the forward pass
    const grad = m.graphs.grad;
    expect(grad.forwardNodes! + grad.backwardNodes!).toBe(grad.nodes);
    expect(grad.backwardNodes!).toBeGreaterThan(grad.forwardNodes! / 2); // no run-time unbroadcast chains (symbolic dims)
    expect(grad.backwardNodes!).toBeLessThan(4 * grad.forwardNodes!);
    expect(m.graphs.train_step.optimizerNodes!).toBeGreaterThan(names.length * 8);
    expect(m.graphs.grad.nodesBeforeOptimization).toBeGreaterThanOrEqual(m.graphs.grad.nodes);
  });

  test('checkpoint: parameters by name with their seeded values, zero moments, step 0; a session reads them once', async () => {
    const st = readSafetensors(join(dir, 'checkpoint.safetensors'));
    const expected = initialTrainingState(model, readArtifactManifest(dir), 5);
    for (const p of model.parameters) {
      expect(st.get(p.name)!.shape).toEqual(p.shape);
      expect(Buffer.from((st.get(p.name)!.data as Float32Array).buffer).equals(Buffer.from(expected.params.get(p.name)!.buffer))).toBe(
        true,
      );
      expect(Math.max(...Array.from(st.get(`adam.v.${p.name}`)!.data as Float32Array, Math.abs))).toBe(0);
    }
    const session = await ArtifactSession.open(dir, FAST);
    await session.trainStep(tokenBatch(3, 2, 8), { lr: 1e-3 });
    const saved = join(root, 'after-one-step.safetensors');
    session.saveCheckpoint(saved);
    const back = readTrainingCheckpoint(saved, session.manifest);
    expect(back.step).toBe(1);
    const name = 'encoder.layer.0.attention.self.query.weight';
    expect(Array.from(back.params.get(name)!)).toEqual(Array.from(session.parameter(name).data as Float32Array));
    expect(Array.from(back.m.get(name)!)).toEqual(Array.from(session.optimizerState(name).m.data as Float32Array));
    // a resumed session continues from the saved step and state
    const resumed = await ArtifactSession.open(dir, { ...FAST, checkpoint: saved });
    expect(resumed.step).toBe(1);
    const batch = tokenBatch(4, 2, 8);
    const r1 = await session.trainStep(batch, { lr: 1e-3 });
    const r2 = await resumed.trainStep(batch, { lr: 1e-3 });
    expect(r2.loss).toBe(r1.loss); // same dropout seed (the step), same state: the same numbers
    expect(Array.from(resumed.parameter(name).data as Float32Array)).toEqual(Array.from(session.parameter(name).data as Float32Array));
    await session.release();
    await resumed.release();
  });

  test('a checkpoint of another model is refused naming the tensors', () => {
    const other = buildArtifactGraphs(mlpTestModel({ inputSize: 3, hiddenSize: 4, numClasses: 2, targetSize: 1 }));
    expect(() => readTrainingCheckpoint(join(dir, 'checkpoint.safetensors'), other.manifest)).toThrow(
      /does not fit the artifact set: .*missing: fc1\.weight/,
    );
  });

  test('rewriting is atomic: a failed write leaves the previous set whole and no temp directory behind', async () => {
    const before = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const other: ArtifactSet = { ...set, manifest: { ...set.manifest, schemaHash: 'other' } };
    const state = initialTrainingState(model, set.manifest, 1);
    state.params.delete('heads.group.classifier.bias'); // the checkpoint writer fails half-way through the build
    await expect(writeArtifactSet(dir, other, state)).rejects.toThrow(/heads\.group\.classifier\.bias/);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(before);
    expect(readdirSync(dirname(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
    // a complete rewrite replaces it
    await writeArtifactSet(dir, other, initialTrainingState(model, set.manifest, 1));
    expect(readArtifactManifest(dir).schemaHash).toBe('other');
    expect(readdirSync(dirname(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
    // a leftover unfinished build (a crash mid-write) is cleaned up by the next write and never read
    const tmp = join(dirname(dir), `.${basename(dir)}.tmp`);
    await expect(writeArtifactSet(dir, other, { ...initialTrainingState(model, set.manifest, 1), params: new Map() })).rejects.toThrow();
    expect(existsSync(tmp)).toBe(false);
  });

  test('export: weights baked in as initializers named by checkpoint names; outputs equal infer.onnx fed parameters', async () => {
    const session = await ArtifactSession.open(dir, FAST);
    await session.trainStep(tokenBatch(8, 2, 8), { lr: 1e-2 }); // export trained weights, not the initial ones
    const ckpt = join(root, 'trained.safetensors');
    session.saveCheckpoint(ckpt);
    const { model: served, step } = exportServingModel(dir, { checkpoint: ckpt });
    expect(step).toBe(1);
    const g = served.graph!;
    expect(g.input!.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
    expect(g.initializer!.map((i) => i.name)).toEqual(model.parameters.map((p) => p.name));
    expect(checkModel(served)).toEqual([]);
    const file = join(root, 'serve.onnx');
    writeFileSync(file, encodeModel(served));
    const serving = await createSession(file, FAST);
    const { input_ids, attention_mask } = tokenBatch(9, 3, 10);
    const want = await session.infer({ input_ids, attention_mask });
    const got = await serving.run({ input_ids, attention_mask });
    for (const k of ['emissions', 'group_probs', 'embeddings']) {
      expect(got[k].dims).toEqual(want[k].dims);
      expect(maxRelDiff(got[k].data as Float32Array, want[k].data as Float32Array, 1e-3)).toBeLessThan(1e-4);
    }
    const probs = got.group_probs as HostTensor;
    expect(probs.dims).toEqual([3, 10, TINY.numGroupClasses]);
    await serving.release();
    await session.release();
  });
});
