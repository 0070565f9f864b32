/** AdamW with global-norm clipping as graph nodes, against the TypeScript reference of torch's AdamW. */
import { GraphBuilder } from '../../packages/core/src/onnx/graph-builder.js';
import { encodeModel } from '../../packages/core/src/onnx/serialize.js';
import { createSession } from '../../packages/core/src/runtime/registry.js';
import type { HostTensor } from '../../packages/core/src/runtime/tensor.js';
import { appendClippedAdamW, DEFAULT_ADAMW, matchesNamePattern, usesWeightDecay } from '../../packages/core/src/artifacts/optimizer.js';
import { maxRelDiff, referenceAdamW, rng } from './helpers.js';

const SHAPES: Record<string, number[]> = {
  'layer.weight': [3, 4],
  'layer.bias': [3],
  'encoder.LayerNorm.weight': [4],
  'heads.prototype.logit_scale': [],
};
const NAMES = Object.keys(SHAPES);

async function optimizerSession(dtype: 'float32' | 'float64') {
  const g = new GraphBuilder('adamw');
  const slots = NAMES.map((name) => ({
    name,
    param: g.input(name, dtype, SHAPES[name]),
    grad: g.input(`g.${name}`, dtype, SHAPES[name]),
    m: g.input(`m.${name}`, dtype, SHAPES[name]),
    v: g.input(`v.${name}`, dtype, SHAPES[name]),
    decay: usesWeightDecay(name),
  }));
  const feeds = {
    lr: g.input('lr', dtype, []),
    step: g.input('step', 'int64', []),
    weightDecay: g.input('wd', dtype, []),
    maxGradNorm: g.input('clip', dtype, []),
  };
  const { gradNorm, updates } = appendClippedAdamW(g, slots, feeds, DEFAULT_ADAMW);
  g.output(gradNorm, { name: 'norm' });
  for (const u of updates) {
    g.output(u.param, { name: `p.${u.name}` });
    g.output(u.m, { name: `mo.${u.name}` });
    g.output(u.v, { name: `vo.${u.name}` });
  }
  return createSession(encodeModel(g.toModel()), { optimization: dtype === 'float64' ? 'disabled' : 'all' });
}

function randomState(seed: number, scale: number, positive = false) {
  const r = rng(seed);
  return new Map(
    NAMES.map((n) => [
      n,
      Float64Array.from({ length: SHAPES[n].reduce((a, d) => a * d, 1) }, () => (positive ? r() * scale : (r() * 2 - 1) * scale)),
    ]),
  );
}

describe('AdamW in a graph', () => {
  test('no-decay patterns: biases, layer norms and the temperature do not decay, weights do', () => {
    expect(usesWeightDecay('encoder.layer.0.attention.self.query.weight')).toBe(true);
    expect(usesWeightDecay('embeddings.word_embeddings.weight')).toBe(true);
    expect(usesWeightDecay('encoder.layer.0.attention.self.query.bias')).toBe(false);
    expect(usesWeightDecay('layoutlmv3.encoder.layer.3.output.LayerNorm.weight')).toBe(false);
    expect(usesWeightDecay('layoutlmv3.norm.weight')).toBe(false);
    expect(usesWeightDecay('heads.prototype.logit_scale')).toBe(false);
    expect(usesWeightDecay('heads.prototype.prototypes')).toBe(true);
    expect(usesWeightDecay('heads.prototype.prototypes', [...DEFAULT_ADAMW.noDecay, 'heads.prototype.prototypes'])).toBe(false);
    expect(matchesNamePattern('a.b.c', 'a.*')).toBe(true);
    expect(matchesNamePattern('axb', 'a.b')).toBe(false); // dots are literal
  });

  for (const dtype of ['float64', 'float32'] as const) {
    test(`${dtype}: one step equals torch's AdamW after clip_grad_norm_, with and without clipping, at steps 0 and 7`, async () => {
      const session = await optimizerSession(dtype);
      const Ctor = dtype === 'float64' ? Float64Array : Float32Array;
      const tensor = (dims: number[], values: ArrayLike<number>): HostTensor => ({ dtype, dims, data: Ctor.from(values) });
      const params = randomState(1, 1);
      const m0 = randomState(3, 0.1);
      const v0 = randomState(4, 0.01, true);
      const cases = [
        { step: 0, clip: 1.0, gradScale: 5 }, // norm well above 1: clipped
        { step: 7, clip: 0, gradScale: 5 }, // clipping off
        { step: 7, clip: 100, gradScale: 0.5 }, // norm below the clip: untouched
      ];
      for (const c of cases) {
        const grads = randomState(2, c.gradScale);
        const feeds: Record<string, HostTensor> = {
          lr: tensor([], [1e-2]),
          step: { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(c.step)) },
          wd: tensor([], [0.1]),
          clip: tensor([], [c.clip]),
        };
        for (const n of NAMES) {
          feeds[n] = tensor(SHAPES[n], params.get(n)!);
          feeds[`g.${n}`] = tensor(SHAPES[n], grads.get(n)!);
          feeds[`m.${n}`] = tensor(SHAPES[n], c.step === 0 ? new Float64Array(params.get(n)!.length) : m0.get(n)!);
          feeds[`v.${n}`] = tensor(SHAPES[n], c.step === 0 ? new Float64Array(params.get(n)!.length) : v0.get(n)!);
        }
        const out = await session.run(feeds);
        const ref = referenceAdamW(
          new Map(NAMES.map((n) => [n, feeds[n].data as Float64Array])),
          new Map(NAMES.map((n) => [n, feeds[`g.${n}`].data as Float64Array])),
          new Map(NAMES.map((n) => [n, feeds[`m.${n}`].data as Float64Array])),
          new Map(NAMES.map((n) => [n, feeds[`v.${n}`].data as Float64Array])),
          { lr: 1e-2, step: c.step, weightDecay: 0.1, maxGradNorm: c.clip, ...DEFAULT_ADAMW, decays: (n) => usesWeightDecay(n) },
        );
        const tol = dtype === 'float64' ? 1e-12 : 2e-5;
        expect(maxRelDiff(out.norm.data as Float64Array, [ref.norm])).toBeLessThan(tol);
        for (const n of NAMES) {
          expect(maxRelDiff(out[`p.${n}`].data as Float64Array, ref.params.get(n)!, 1e-3)).toBeLessThan(tol);
          expect(maxRelDiff(out[`mo.${n}`].data as Float64Array, ref.m.get(n)!, 1e-3)).toBeLessThan(tol);
          expect(maxRelDiff(out[`vo.${n}`].data as Float64Array, ref.v.get(n)!, 1e-3)).toBeLessThan(tol);
        }
        if (c.clip === 1.0) expect(ref.norm).toBeGreaterThan(2); // the clipping case really clips
      }
      await session.release();
    });
  }

  test('weight decay is decoupled: with a zero gradient only decaying parameters shrink, by exactly lr x wd', async () => {
    const session = await optimizerSession('float64');
    const feeds: Record<string, HostTensor> = {
      lr: { dtype: 'float64', dims: [], data: Float64Array.of(0.5) },
      step: { dtype: 'int64', dims: [], data: BigInt64Array.of(3n) },
      wd: { dtype: 'float64', dims: [], data: Float64Array.of(0.2) },
      clip: { dtype: 'float64', dims: [], data: Float64Array.of(1) },
    };
    const params = randomState(9, 1);
    for (const n of NAMES) {
      const size = params.get(n)!.length;
      feeds[n] = { dtype: 'float64', dims: SHAPES[n], data: params.get(n)! };
      for (const k of ['g', 'm', 'v']) feeds[`${k}.${n}`] = { dtype: 'float64', dims: SHAPES[n], data: new Float64Array(size) };
    }
    const out = await session.run(feeds);
    for (const n of NAMES) {
      const expected = Array.from(params.get(n)!, (p) => (usesWeightDecay(n) ? p * (1 - 0.5 * 0.2) : p));
      expect(maxRelDiff(out[`p.${n}`].data as Float64Array, expected)).toBeLessThan(1e-14);
    }
    await session.release();
  });
});
