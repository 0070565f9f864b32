/**
 * The training graphs agree with each other and with the TypeScript AdamW reference: one train_step equals
 * AdamW applied to grad.onnx's gradients, and equals grad.onnx on two half-batches summed and fed to
 * optimizer_step.onnx; frozen parameters stay bit-identical; a tiny model overfits one batch.
 */
import {
  ArtifactSession,
  buildArtifactGraphs,
  initialTrainingState,
  transformerTestModel,
  usesWeightDecay,
  type HostTensor,
  type TrainableModel,
} from '@hybridoc/core';
import { maxRelDiff, referenceAdamW, sliceBatch, TINY, tokenBatch } from './helpers.js';

/** Tests check numbers, not speed: 'basic' graph optimisation makes sessions start several times faster. */
const FAST = { intraOpThreads: 1, optimization: 'basic' } as const;
/** One encoder layer is enough here; the gradient checks cover two. */
const ONE = { ...TINY, numLayers: 1 };

function sessionFor(model: TrainableModel, seed = 0) {
  const set = buildArtifactGraphs(model, { weightDecay: 0.01, maxGradNorm: 1.0 });
  return ArtifactSession.fromSet(set, initialTrainingState(model, set.manifest, seed), FAST);
}

const copy = (t: HostTensor) => Float64Array.from(t.data as Float32Array);

describe('train_step, grad and optimizer_step agree', () => {
  test('one train_step = TypeScript AdamW on grad.onnx gradients (dropout on, same seed); clipping active', async () => {
    const model = transformerTestModel({ ...ONE, dropout: 0.2 });
    const session = sessionFor(model, 1);
    const batch = tokenBatch(11, 4, 10);
    const opts = { lr: 3e-3, dropoutSeed: 1234, lossWeights: { entity: 1, group: 0.7 } };
    const before = new Map(session.parameterNames.map((n) => [n, copy(session.parameter(n))]));
    const g = await session.grad(batch, opts);
    const step = await session.trainStep(batch, opts);
    // same loss: the same dropout masks were drawn from the same seed
    expect(Math.abs(step.loss - g.loss)).toBeLessThan(1e-6 * Math.abs(g.loss));
    expect(step.loss).toBeCloseTo(g.losses.entity + 0.7 * g.losses.group, 5);
    const trainable = session.manifest.parameters.filter((p) => p.trainable).map((p) => p.name);
    const zeros = new Map(trainable.map((n) => [n, new Float64Array(before.get(n)!.length)]));
    const ref = referenceAdamW(before, new Map(trainable.map((n) => [n, copy(g.grads.get(n)!)])), zeros, zeros, {
      ...session.manifest.optimizer,
      lr: 3e-3,
      step: 0,
      weightDecay: 0.01,
      maxGradNorm: 1.0,
      decays: (n) => usesWeightDecay(n),
    });
    expect(ref.norm).toBeGreaterThan(1); // so clipping took part
    expect(Math.abs(step.gradNorm - ref.norm) / ref.norm).toBeLessThan(1e-5);
    for (const n of trainable) {
      // Adam's first step moves each weight by about lr, so compare the update, not the value
      const got = copy(session.parameter(n));
      const delta = got.map((x, i) => x - before.get(n)![i]);
      const want = ref.params.get(n)!.map((x, i) => x - before.get(n)![i]);
      expect(maxRelDiff(delta, want, 3e-3)).toBeLessThan(2e-3);
      expect(maxRelDiff(copy(session.optimizerState(n).m), ref.m.get(n)!, 1e-4)).toBeLessThan(1e-4);
    }
    expect(session.step).toBe(1);
    await session.release();
  });

  test('train_step = optimizer_step on the sum of grad.onnx over two half-batches (loss weights halved)', async () => {
    const model = transformerTestModel({ ...ONE, dropout: 0 });
    const set = buildArtifactGraphs(model, {});
    const state = initialTrainingState(model, set.manifest, 2);
    const a = ArtifactSession.fromSet(set, state, FAST);
    const b = ArtifactSession.fromSet(set, initialTrainingState(model, set.manifest, 2), FAST);
    const batch = tokenBatch(12, 4, 10);
    const weights = { entity: 1, group: 0.5 };
    const opts = { lr: 1e-2, maxGradNorm: 0.5 };
    // two steps, so the second one starts from non-zero moments and step 1's bias correction
    for (let s = 0; s < 2; s++) {
      const full = await a.trainStep(batch, { ...opts, lossWeights: weights });
      const halves = [sliceBatch(batch, 0, 2), sliceBatch(batch, 2, 4)];
      const half = { entity: weights.entity / 2, group: weights.group / 2 };
      const g1 = await b.grad(halves[0], { lossWeights: half });
      const g2 = await b.grad(halves[1], { lossWeights: half });
      expect(g1.loss + g2.loss).toBeCloseTo(full.loss, 5);
      const summed = new Map<string, HostTensor>();
      for (const [n, t] of g1.grads) {
        const other = g2.grads.get(n)!.data as Float32Array;
        summed.set(n, { ...t, data: (t.data as Float32Array).map((x, i) => x + other[i]) });
      }
      const r = await b.optimizerStep(summed, opts);
      expect(Math.abs(r.gradNorm - full.gradNorm) / full.gradNorm).toBeLessThan(1e-5);
    }
    for (const n of a.parameterNames) {
      const pa = copy(a.parameter(n));
      const pb = copy(b.parameter(n));
      expect(maxRelDiff(pa, pb, 1e-2)).toBeLessThan(1e-4);
    }
    expect(a.step).toBe(2);
    expect(b.step).toBe(2);
    await a.release();
    await b.release();
  });

  test('frozen parameters are bit-identical after steps; every trainable one moves', async () => {
    const model = transformerTestModel({ ...ONE, freezeBackbone: true });
    const set = buildArtifactGraphs(model, { freeze: ['heads.group.classifier.bias'] });
    const frozen = set.manifest.parameters.filter((p) => !p.trainable).map((p) => p.name);
    expect(frozen).toContain('embeddings.word_embeddings.weight');
    expect(frozen).toContain('heads.group.classifier.bias');
    expect(set.manifest.parameters.filter((p) => p.trainable).map((p) => p.name)).toEqual([
      'heads.entity.classifier.weight',
      'heads.entity.classifier.bias',
      'heads.group.classifier.weight',
    ]);
    // no gradient output and no update output for a frozen parameter
    expect(set.manifest.graphs.grad.outputs.filter((o) => o.startsWith('grad.'))).toHaveLength(3);
    expect(set.manifest.graphs.train_step.outputs.some((o) => frozen.some((f) => o.includes(f)))).toBe(false);
    // the backward pass stops at the heads: under half the forward pass (all trainable, it is 1.7x the forward)
    expect(set.manifest.graphs.grad.backwardNodes!).toBeLessThan(set.manifest.graphs.grad.forwardNodes! / 2);

    const session = ArtifactSession.fromSet(set, initialTrainingState(model, set.manifest, 3), FAST);
    const before = new Map(session.parameterNames.map((n) => [n, Buffer.from((session.parameter(n).data as Float32Array).slice().buffer)]));
    const batch = tokenBatch(13, 2, 8);
    for (let s = 0; s < 3; s++) await session.trainStep(batch, { lr: 1e-2 });
    for (const n of session.parameterNames) {
      const after = Buffer.from((session.parameter(n).data as Float32Array).buffer);
      if (frozen.includes(n)) expect(after.equals(before.get(n)!)).toBe(true);
      else {
        const a = new Float32Array(after.buffer, after.byteOffset, after.byteLength / 4);
        const b = new Float32Array(before.get(n)!.buffer, before.get(n)!.byteOffset, before.get(n)!.byteLength / 4);
        let moved = 0;
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) moved++;
        expect(moved).toBe(a.length); // every entry of every trainable tensor moved
      }
    }
    await session.release();
  });

  test('a tiny model overfits one fixed batch: loss below 5% of its start within 200 steps', async () => {
    const model = transformerTestModel({ ...ONE, dropout: 0.05 });
    const session = sessionFor(model, 4);
    const batch = tokenBatch(14, 4, 8);
    const start = (await session.evaluate(batch)).loss;
    let steps = 0;
    let loss = start;
    while (steps < 200 && loss >= 0.05 * start) {
      await session.trainStep(batch, { lr: 1e-2, weightDecay: 0 });
      steps++;
      if (steps % 10 === 0) loss = (await session.evaluate(batch)).loss;
    }
    expect(start).toBeGreaterThan(1.5);
    expect(loss).toBeLessThan(0.05 * start);
    expect(steps).toBeLessThanOrEqual(200);
    await session.release();
  });
});
