import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { createSession, f32, f64, i64, listBackends, toNumbers, HybridocError, type HostTensor } from '@hybridoc/core';
import { REPO } from '../support/cli.js';

const fixture = (name: string) => resolve(REPO, 'tests/fixtures/onnx', name);

// Independent TypeScript reference of affine-softmax.onnx: y = softmax(x w + b), z = sum_j x_j.
function reference(x: number[], w: number[], b: number[], batch: number) {
  const y: number[] = [];
  const z: number[] = [];
  for (let r = 0; r < batch; r++) {
    const logits = [0, 1, 2, 3].map((c) => b[c] + [0, 1, 2].reduce((a, k) => a + x[r * 3 + k] * w[k * 4 + c], 0));
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    y.push(...e.map((v) => v / s));
    z.push(x[r * 3] + x[r * 3 + 1] + x[r * 3 + 2]);
  }
  return { y, z };
}

function rand(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

const maxAbsDiff = (a: HostTensor, b: number[]) => Math.max(...toNumbers(a).map((v, i) => Math.abs(v - b[i])));

describe('runtime over onnxruntime-node', () => {
  test('backends and their providers are registered', () => {
    const names = listBackends().map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['node', 'web']));
  });

  test.each([
    ['from bytes', () => new Uint8Array(readFileSync(fixture('affine-softmax.onnx')))],
    ['from a file', () => fixture('affine-softmax.onnx')],
  ])('float32 session %s: named feeds and fetches match a TypeScript reference', async (_label, model) => {
    const s = await createSession(model(), { intraOpThreads: 1, optimization: 'all' });
    expect(s.inputNames).toEqual(['x', 'w', 'b']);
    expect(s.outputNames).toEqual(['y', 'z']);
    const batch = 5;
    const x = rand(batch * 3, 1);
    const w = rand(12, 2);
    const b = rand(4, 3);
    const out = await s.run({ x: f32([batch, 3], x), w: f32([3, 4], w), b: f32([4], b) });
    const ref = reference(x, w, b, batch);
    expect(out.y.dims).toEqual([batch, 4]);
    expect(out.z.dims).toEqual([batch]);
    expect(maxAbsDiff(out.y, ref.y)).toBeLessThan(1e-6);
    expect(maxAbsDiff(out.z, ref.z)).toBeLessThan(1e-6);
    const onlyZ = await s.run({ x: f32([batch, 3], x), w: f32([3, 4], w), b: f32([4], b) }, ['z']);
    expect(Object.keys(onlyZ)).toEqual(['z']);
    await s.release();
  });

  test('float64 graphs compute in double precision', async () => {
    const s = await createSession(fixture('affine-softmax-f64.onnx'), { optimization: 'disabled' });
    const x = rand(6, 4);
    const w = rand(12, 5);
    const b = rand(4, 6);
    const out = await s.run({ x: f64([2, 3], x), w: f64([3, 4], w), b: f64([4], b) });
    expect(out.y.dtype).toBe('float64');
    expect(maxAbsDiff(out.y, reference(x, w, b, 2).y)).toBeLessThan(1e-14);
  });

  test('int64 and bool tensors cross the boundary', async () => {
    const s = await createSession(fixture('int-bool.onnx'));
    const out = await s.run({ x: i64([4], [0, 2, 3, -7]) });
    expect(out.n.dtype).toBe('int64');
    expect(toNumbers(out.n)).toEqual([1, 3, 4, -6]);
    expect(out.m.dtype).toBe('bool');
    expect(toNumbers(out.m)).toEqual([0, 0, 1, 0]);
  });

  test('a missing CUDA provider gives one clear line saying what is missing', async () => {
    const err = await createSession(fixture('affine-softmax.onnx'), { provider: 'cuda', label: 'affine-softmax.onnx' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HybridocError);
    const msg = (err as Error).message;
    expect(msg.split('\n')).toHaveLength(1);
    expect(msg).toMatch(/^affine-softmax\.onnx: execution provider 'cuda' on onnxruntime-node cannot start: /);
    expect(msg).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
  });

  test('webgpu without a Vulkan GPU adapter gives one clear line', async () => {
    const err = await createSession(fixture('affine-softmax.onnx'), { provider: 'webgpu' }).catch((e: unknown) => e);
    if (!(err instanceof Error)) return; // a machine with a working GPU adapter: nothing to report
    expect(err).toBeInstanceOf(HybridocError);
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message).toMatch(/execution provider 'webgpu' on onnxruntime-node cannot start: no usable GPU adapter/);
  });

  test('a provider the backend lacks is refused by name', async () => {
    await expect(createSession(fixture('affine-softmax.onnx'), { backend: 'web', provider: 'cuda' })).rejects.toThrow(
      "execution provider 'cuda' is not available on backend 'web' (it offers: wasm)",
    );
  });
});

describe('the same graph on onnxruntime-web (wasm) and onnxruntime-node', () => {
  test('outputs agree', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('affine-softmax.onnx')));
    const node = await createSession(bytes, { backend: 'node' });
    const web = await createSession(bytes, { backend: 'web' });
    expect(web.backend).toBe('web');
    const feeds = { x: f32([3, 3], rand(9, 7)), w: f32([3, 4], rand(12, 8)), b: f32([4], rand(4, 9)) };
    const a = await node.run(feeds);
    const b = await web.run(feeds);
    expect(b.y.dims).toEqual(a.y.dims);
    expect(maxAbsDiff(b.y, toNumbers(a.y))).toBeLessThan(1e-6);
    expect(maxAbsDiff(b.z, toNumbers(a.z))).toBeLessThan(1e-6);
    await web.release();
    await node.release();
  });
});
