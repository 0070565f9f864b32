// Reproducible dropout: masks are a pure function of (seed, salt, element index), the same in every run
// and on both ONNX Runtime backends; the keep rate and scaling are right; the gradient is mask * dy.
import {
  createSession,
  encodeModel,
  gradients,
  GraphBuilder,
  reproducibleDropout,
  tensor,
  toNumbers,
  type HostTensor,
  type Session,
  type TensorRef,
} from '@hybridoc/core';
import { gradCheck, session } from './gradcheck.js';

const ROWS = 64;
const COLS = 1000;

/** y = dropout(ones) for two salts, so the outputs are the scaled masks themselves. */
function maskModel(ratio: number): Uint8Array {
  const g = new GraphBuilder('masks');
  const x = g.input('x', 'float32', ['rows', COLS]);
  const seed = g.input('seed', 'int64', []);
  g.output(reproducibleDropout(g, x, ratio, seed, 1, true), { name: 'salt1' });
  g.output(reproducibleDropout(g, x, ratio, seed, 2, true), { name: 'salt2' });
  return encodeModel(g.toModel());
}

const ones = tensor('float32', [ROWS, COLS], new Float32Array(ROWS * COLS).fill(1));
const seedOf = (s: number | bigint) => tensor('int64', [], [BigInt(s)]);

const sessions = new Map<string, Session>();
afterAll(async () => {
  for (const s of sessions.values()) await s.release();
});

/** The scaled masks for a seed (sessions are cached per model bytes and backend). */
async function masks(bytes: Uint8Array, seed: number | bigint, backend: 'node' | 'web' = 'node'): Promise<Record<string, number[]>> {
  const key = `${backend}:${Buffer.from(bytes).toString('base64')}`;
  let s = sessions.get(key);
  if (!s) {
    s = await createSession(bytes, { backend, optimization: 'disabled', intraOpThreads: 1 });
    sessions.set(key, s);
  }
  const r = await s.run({ x: ones, seed: seedOf(seed) });
  return { salt1: toNumbers(r.salt1), salt2: toNumbers(r.salt2) };
}

const keptFraction = (m: number[]) => m.filter((v) => v !== 0).length / m.length;
const agreement = (a: number[], b: number[]) => a.filter((v, i) => (v !== 0) === (b[i] !== 0)).length / a.length;

describe('reproducibleDropout', () => {
  const model = maskModel(0.25);

  test('the same seed gives the same mask in a separate session (optimised), run to run, and on the web (wasm) backend', async () => {
    const a = await masks(model, 42);
    const separate = await createSession(maskModel(0.25), { optimization: 'all' });
    const r = await separate.run({ x: ones, seed: seedOf(42) });
    await separate.release();
    const b = { salt1: toNumbers(r.salt1), salt2: toNumbers(r.salt2) };
    expect(b.salt1).toEqual(a.salt1);
    expect(b.salt2).toEqual(a.salt2);
    expect((await masks(model, 42)).salt1).toEqual(a.salt1);
    const web = await masks(model, 42, 'web');
    expect(web.salt1).toEqual(a.salt1);
  });

  test('kept elements are scaled by 1/(1 - ratio), dropped ones are 0, at the requested rate', async () => {
    for (const ratio of [0.1, 0.5]) {
      const m = (await masks(maskModel(ratio), 7)).salt1;
      const scale = Math.fround(1 / (1 - ratio));
      expect(m.every((v) => v === 0 || v === scale)).toBe(true);
      const sigma = Math.sqrt((ratio * (1 - ratio)) / m.length);
      expect(Math.abs(keptFraction(m) - (1 - ratio))).toBeLessThan(4 * sigma);
      const mean = m.reduce((s, v) => s + v, 0) / m.length;
      expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    }
  });

  test('different seeds and salts give independent-looking masks; neighbours are uncorrelated', async () => {
    const p = 0.75; // keep probability
    const independent = p * p + (1 - p) * (1 - p);
    const a = await masks(model, 1000);
    const b = await masks(model, 1001);
    for (const [x, y] of [
      [a.salt1, b.salt1],
      [a.salt1, a.salt2],
    ]) {
      expect(Math.abs(agreement(x, y) - independent)).toBeLessThan(0.01);
    }
    const m = a.salt1;
    expect(Math.abs(agreement(m.slice(1), m.slice(0, -1)) - independent)).toBeLessThan(0.01); // along a row
    expect(Math.abs(agreement(m.slice(COLS), m.slice(0, -COLS)) - independent)).toBeLessThan(0.01); // down a column
    // every row keeps about the same share (no stripes)
    for (let r = 0; r < ROWS; r++) expect(Math.abs(keptFraction(m.slice(r * COLS, (r + 1) * COLS)) - p)).toBeLessThan(0.07);
  });

  test('negative and very large seeds work (int64 arithmetic never overflows)', async () => {
    for (const s of [-5n, 2n ** 62n + 12345n]) {
      const m = (await masks(model, s)).salt1;
      expect(Math.abs(keptFraction(m) - 0.75)).toBeLessThan(0.01);
      expect((await masks(model, s)).salt1).toEqual(m);
    }
  });

  test('is the identity when not training or with ratio 0, and refuses bad arguments', () => {
    const g = new GraphBuilder('id');
    const x = g.input('x', 'float32', [3]);
    const seed = g.input('seed', 'int64', []);
    expect(reproducibleDropout(g, x, 0.5, seed, 0, false)).toBe(x);
    expect(reproducibleDropout(g, x, 0, seed, 0, true)).toBe(x);
    expect(() => reproducibleDropout(g, x, 1, seed, 0, true)).toThrow(/ratio 1/);
    expect(() => reproducibleDropout(g, x, 0.5, x, 0, true)).toThrow(/not int64/);
  });

  test('its gradient is the same mask times dy (finite differences, and exactly)', async () => {
    const c = {
      name: 'dropout gradient',
      op: 'dropout',
      inputs: { x: { shape: [4, 6] }, seed: { dtype: 'int64' as const, shape: [], values: [3] } },
      build: (g: GraphBuilder, t: Record<string, TensorRef>) => g.tanh(reproducibleDropout(g, t.x, 0.3, t.seed, 9, true)),
    };
    expect(await gradCheck(c)).toEqual([]);

    const g = new GraphBuilder('exact');
    const x = g.input('x', 'float64', [50]);
    const dy = g.input('dy', 'float64', [50]);
    const seed = g.input('seed', 'int64', []);
    const y = reproducibleDropout(g, x, 0.4, seed, 5, true);
    g.output(y, { name: 'y' });
    g.output(gradients(g, y, [x], { lossGrad: dy }).get('x')!, { name: 'dx' });
    const s = await session(encodeModel(g.toModel()));
    const feeds: Record<string, HostTensor> = {
      x: tensor('float64', [50], new Float64Array(50).fill(1)),
      dy: tensor(
        'float64',
        [50],
        Array.from({ length: 50 }, (_, i) => i - 20),
      ),
      seed: seedOf(77),
    };
    const r = await s.run(feeds);
    await s.release();
    const mask = toNumbers(r.y);
    expect(toNumbers(r.dx)).toEqual(mask.map((m, i) => m * (i - 20)));
  });

  test("ONNX Dropout in training mode: the rule uses the op's own mask", async () => {
    const g = new GraphBuilder('onnx_dropout');
    const x = g.input('x', 'float32', [200]);
    const [y, mask] = g.dropout(x, { ratio: 0.5, trainingMode: true });
    g.output(y, { name: 'y' });
    g.output(mask, { name: 'mask' });
    g.output(gradients(g, y, [x], { lossGrad: x }).get('x')!, { name: 'dx' });
    const s = await session(encodeModel(g.toModel()));
    const xs = Array.from({ length: 200 }, (_, i) => 1 + i / 100);
    const r = await s.run({ x: tensor('float32', [200], xs) });
    await s.release();
    const m = toNumbers(r.mask);
    expect(m.some((v) => v === 0) && m.some((v) => v === 1)).toBe(true);
    expect(toNumbers(r.dx)).toEqual(xs.map((v, i) => Math.fround(Math.fround(v * m[i]) * 2)));
  });
});
