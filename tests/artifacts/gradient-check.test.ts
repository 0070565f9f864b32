/**
 * Whole-model gradient checks in float64: grad.onnx agrees with central differences of eval.onnx's loss on
 * an entry of every parameter tensor, and along a random direction over all parameters at once. With
 * dropout the training loss is a deterministic function of the seed, so grad.onnx is also checked against
 * differences of its own loss at a fixed seed.
 */
import {
  ArtifactSession,
  buildArtifactGraphs,
  initialTrainingState,
  mlpTestModel,
  transformerTestModel,
  type HostTensor,
  type TrainableModel,
} from '@hybridoc/core';
import { rng, TINY, tokenBatch } from './helpers.js';

const EPS = 1e-5;

function session64(model: TrainableModel, seed: number) {
  const set = buildArtifactGraphs(model, {});
  // level 'disabled': ORT's fusions would compute parts of the double graph in float32
  return ArtifactSession.fromSet(set, initialTrainingState(model, set.manifest, seed), { intraOpThreads: 1, optimization: 'disabled' });
}

/** Loss as a function of the parameters: eval.onnx, or grad.onnx's loss output at a fixed dropout seed. */
type LossFn = () => Promise<number>;

async function checkEveryTensor(session: ArtifactSession, grads: Map<string, HostTensor>, loss: LossFn, tol: number) {
  const worst = { rel: 0, name: '' };
  const zero: string[] = [];
  for (const p of session.manifest.parameters) {
    if (!p.trainable) continue;
    const g = grads.get(p.name)!.data as Float64Array;
    // the entry with the largest gradient (a tiny gradient would say little)
    let at = 0;
    for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[at])) at = i;
    const data = session.parameter(p.name).data as Float64Array;
    const orig = data[at];
    const probe = async (x: number) => {
      const copy = data.slice();
      copy[at] = x;
      session.setParameter(p.name, copy);
      return loss();
    };
    const fd = ((await probe(orig + EPS)) - (await probe(orig - EPS))) / (2 * EPS);
    session.setParameter(p.name, data);
    if (Math.abs(g[at]) < 1e-12) {
      // a gradient that is zero in exact arithmetic (attention is invariant to the key bias): so is the difference
      zero.push(p.name);
      expect(Math.abs(fd)).toBeLessThan(1e-8);
      continue;
    }
    const rel = Math.abs(fd - g[at]) / Math.abs(g[at]);
    if (rel > worst.rel) Object.assign(worst, { rel, name: p.name });
  }
  expect(worst.rel).toBeLessThan(tol);
  return { worst, zero };
}

async function checkDirection(session: ArtifactSession, grads: Map<string, HostTensor>, loss: LossFn, seed: number, tol: number) {
  const r = rng(seed);
  const names = session.manifest.parameters.filter((p) => p.trainable).map((p) => p.name);
  const base = new Map(names.map((n) => [n, (session.parameter(n).data as Float64Array).slice()]));
  const dir = new Map(names.map((n) => [n, Float64Array.from(base.get(n)!, () => r() * 2 - 1)]));
  let norm = 0;
  for (const d of dir.values()) for (const x of d) norm += x * x;
  norm = Math.sqrt(norm);
  let analytic = 0;
  for (const n of names) {
    const g = grads.get(n)!.data as Float64Array;
    const d = dir.get(n)!;
    for (let i = 0; i < g.length; i++) analytic += (g[i] * d[i]) / norm;
  }
  const shifted = async (h: number) => {
    for (const n of names)
      session.setParameter(
        n,
        base.get(n)!.map((x, i) => x + (h * dir.get(n)![i]) / norm),
      );
    return loss();
  };
  const fd = ((await shifted(EPS)) - (await shifted(-EPS))) / (2 * EPS);
  for (const n of names) session.setParameter(n, base.get(n)!);
  expect(Math.abs(analytic)).toBeGreaterThan(1e-6);
  expect(Math.abs(fd - analytic) / Math.abs(analytic)).toBeLessThan(tol);
}

describe('whole-model gradients against finite differences (float64)', () => {
  const batch = tokenBatch(21, 3, 7);

  test('tiny transformer: grad.onnx = central differences of eval.onnx, every tensor + a random direction', async () => {
    const model = transformerTestModel({ ...TINY, dtype: 'float64', activation: 'gelu_tanh', dropout: 0 });
    const session = session64(model, 7);
    const weights = { lossWeights: { entity: 1, group: 0.6 } };
    const { grads } = await session.grad(batch, weights);
    const evalLoss = async () => (await session.evaluate(batch, weights)).loss;
    // per entry 1e-4: the largest-gradient entry of some tensors is ~1e-5, where float64 roundoff of the loss
    // (~1e-16 / EPS) is already ~1e-6 relative; a wrong rule is off by O(1)
    const { zero } = await checkEveryTensor(session, grads, evalLoss, 1e-4);
    expect(zero).toEqual(['encoder.layer.0.attention.self.key.bias', 'encoder.layer.1.attention.self.key.bias']);
    await checkDirection(session, grads, evalLoss, 99, 1e-6);
    await session.release();
  });

  test('tiny transformer with dropout: grad.onnx = differences of its own loss at a fixed dropout seed', async () => {
    const model = transformerTestModel({ ...TINY, numLayers: 1, dtype: 'float64', activation: 'gelu_tanh', dropout: 0.3 });
    const session = session64(model, 8);
    const opts = { dropoutSeed: 77 };
    const { grads, loss } = await session.grad(batch, opts);
    const evalLoss = (await session.evaluate(batch)).loss;
    expect(Math.abs(loss - evalLoss)).toBeGreaterThan(1e-6); // dropout is really on in grad.onnx
    const seeded = async () => (await session.grad(batch, opts)).loss;
    await checkDirection(session, grads, seeded, 5, 1e-6);
    await session.release();
  });

  test('MLP with a scalar parameter and a frozen layer: every trainable tensor, plus a random direction', async () => {
    const model = mlpTestModel({
      inputSize: 5,
      hiddenSize: 6,
      numClasses: 3,
      targetSize: 2,
      dropout: 0,
      dtype: 'float64',
      frozen: ['fc2.weight'],
    });
    const session = session64(model, 9);
    const r = rng(3);
    const features: HostTensor = { dtype: 'float64', dims: [4, 5], data: Float64Array.from({ length: 20 }, () => r() * 2 - 1) };
    const labels: HostTensor = { dtype: 'int64', dims: [4], data: BigInt64Array.from([0n, 2n, -100n, 1n]) };
    const targets: HostTensor = { dtype: 'float64', dims: [4, 2], data: Float64Array.from({ length: 8 }, () => r()) };
    const b = { features, labels, targets };
    const { grads } = await session.grad(b);
    expect(grads.has('fc2.weight')).toBe(false);
    const evalLoss = async () => (await session.evaluate(b)).loss;
    const { zero } = await checkEveryTensor(session, grads, evalLoss, 1e-6);
    expect(zero).toEqual([]);
    await checkDirection(session, grads, evalLoss, 4, 1e-7);
    await session.release();
  });
});
