// The bytes the builder emits load in onnxruntime-node and compute what a plain TypeScript computation says,
// and the shapes the graph declares agree with the shapes ORT returns.
import { GraphBuilder, encodeModel, type TensorRef } from '@hybridoc/core';
import { f32, f64, i64, runModel, values } from './ort-run.js';

function rand(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}

/** Declared dims that are numbers must equal ORT's; symbolic ones are free. */
function expectDeclared(t: TensorRef, dims: readonly number[]) {
  expect(t.shape).not.toBeNull();
  expect(t.shape!.length).toBe(dims.length);
  t.shape!.forEach((d, i) => {
    if (typeof d === 'number') expect(dims[i]).toBe(d);
  });
}

function close(a: number[], b: number[], tol = 1e-5) {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]))));
}

describe('built graphs run in onnxruntime-node', () => {
  test('dense layer + softmax with a symbolic batch dim', async () => {
    const b = new GraphBuilder('dense');
    const x = b.input('x', 'float32', ['batch', 4]);
    const wv = rand(12, 1);
    const bv = rand(3, 2);
    const w = b.initializer('w', { dtype: 'float32', dims: [4, 3], data: Float32Array.from(wv) });
    const bias = b.initializer('bias', { dtype: 'float32', dims: [3], data: Float32Array.from(bv) });
    const y = b.softmax(b.add(b.matmul(x, w), bias));
    const out = b.output(y, { name: 'probs' });
    const xv = rand(8, 3);
    const r = await runModel(encodeModel(b.toModel()), { x: f32(xv, [2, 4]) });
    expectDeclared(out, r.probs.dims);
    const want: number[] = [];
    for (let i = 0; i < 2; i++) {
      const z = [0, 1, 2].map((j) => bv[j] + [0, 1, 2, 3].reduce((s, k) => s + xv[i * 4 + k] * wv[k * 3 + j], 0));
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const sum = e.reduce((a, c) => a + c, 0);
      want.push(...e.map((v) => v / sum));
    }
    close(values(r.probs), want);
  });

  test('shape ops: Reshape 0/-1, Transpose, Slice with steps, Concat, ReduceSum, Gather, ScatterND add, Where', async () => {
    const b = new GraphBuilder('shapes');
    const x = b.input('x', 'float32', [2, 3, 4]);
    const reshaped = b.reshape(x, [0, -1]); // [2, 12]
    const t = b.transpose(reshaped); // [12, 2]
    const sl = b.slice(t, [11], [-Infinity], [0], [-3]); // rows 11, 8, 5, 2 -> [4, 2]
    const cat = b.concat([sl, sl], -1); // [4, 4]
    const red = b.reduceSum(cat, [0], { keepdims: false }); // [4]
    const g = b.gather(x, [2, 0], { axis: 2 }); // [2, 3, 2]
    const upd = b.slice(red, [0], [3]);
    const scat = b.scatterND(b.constantOfShape([4]), b.constInt64([0, 0, 3], { dims: [3, 1] }), upd, { reduction: 'add' });
    const wh = b.where(b.greater(red, 0), red, 0);
    const outs = [
      b.output(cat, { name: 'cat' }),
      b.output(red, { name: 'red' }),
      b.output(g, { name: 'g' }),
      b.output(scat, { name: 'scat' }),
      b.output(wh, { name: 'wh' }),
    ];
    const xv = rand(24, 5);
    const r = await runModel(encodeModel(b.toModel()), { x: f32(xv, [2, 3, 4]) });
    for (const o of outs) expectDeclared(o, r[o.name].dims);
    // reference
    const tr = (i: number, j: number) => xv[j * 12 + i]; // transpose of [2,12]
    const rows = [11, 8, 5, 2];
    const catRef = rows.flatMap((i) => [tr(i, 0), tr(i, 1), tr(i, 0), tr(i, 1)]);
    close(values(r.cat), catRef);
    const redRef = [0, 1, 2, 3].map((c) => rows.reduce((s, _, k) => s + catRef[k * 4 + c], 0));
    close(values(r.red), redRef);
    const gRef: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) gRef.push(xv[i * 12 + j * 4 + 2], xv[i * 12 + j * 4]);
    close(values(r.g), gRef);
    close(values(r.scat), [redRef[0] + redRef[1], 0, 0, redRef[2]]);
    close(
      values(r.wh),
      redRef.map((v) => (v > 0 ? v : 0)),
    );
  });

  test('float64 layer norm + exp/log chain computes in double precision', async () => {
    const b = new GraphBuilder('ln64');
    const x = b.input('x', 'float64', ['n', 5]);
    const gamma = b.initializer('gamma', { dtype: 'float64', dims: [5], data: Float64Array.from([1, 2, 3, 4, 5]) });
    const y = b.log(b.exp(b.layerNormalization(x, gamma, null, { epsilon: 0 })));
    b.output(y, { name: 'y' });
    const xv = rand(10, 9);
    const r = await runModel(b.finalize().bytes, { x: f64(xv, [2, 5]) });
    const want: number[] = [];
    for (let i = 0; i < 2; i++) {
      const row = xv.slice(i * 5, i * 5 + 5);
      const mean = row.reduce((a, c) => a + c, 0) / 5;
      const v = row.reduce((a, c) => a + (c - mean) ** 2, 0) / 5;
      want.push(...row.map((c, j) => ((c - mean) / Math.sqrt(v)) * (j + 1)));
    }
    close(values(r.y), want, 1e-12);
  });

  test('Loop: loop-carried sum and stacked scan outputs, body reads an outer tensor', async () => {
    const b = new GraphBuilder('loop');
    const step = b.input('step', 'float32', [3]);
    const n = b.input('n', 'int64', []);
    const init = b.constant([0, 0, 0]);
    const { states, scanOutputs } = b.loop({ tripCount: n, carried: [init] }, (g, iter, _cond, [acc]) => {
      const k = g.cast(g.add(iter, 1), 'float32'); // 1, 2, 3, ...
      const next = g.add(acc, g.mul(step, k)); // outer-scope 'step'
      return { carried: [next], scanOutputs: [g.mul(next, 2)] };
    });
    const total = b.output(states[0], { name: 'total' });
    const hist = b.output(scanOutputs[0], { name: 'hist' });
    expect(hist.shape).toEqual([null, 3]);
    const r = await runModel(encodeModel(b.toModel()), { step: f32([1, 10, 100], [3]), n: i64([4], []) });
    expectDeclared(total, r.total.dims);
    expect(r.hist.dims).toEqual([4, 3]);
    close(values(r.total), [10, 100, 1000]);
    close(values(r.hist), [2, 20, 200, 6, 60, 600, 12, 120, 1200, 20, 200, 2000]);
  });

  test('Scan: CRF forward recursion (log-sum-exp over transitions) matches a JS reference', async () => {
    const L = 3;
    const T = 5;
    const b = new GraphBuilder('crf_forward');
    const emissions = b.input('emissions', 'float32', ['seq', L]);
    const trans = b.input('trans', 'float32', [L, L]);
    const alpha0 = b.slice(emissions, [0], [1], [0]); // [1, L]
    const rest = b.slice(emissions, [1], [Infinity], [0]); // [seq-1, L]
    const { states, scanOutputs } = b.scan({ states: [b.reshape(alpha0, [L])], scanInputs: [rest] }, (g, [alpha], [emit]) => {
      const scores = g.add(g.unsqueeze(alpha, [1]), trans); // [L, L], outer 'trans'
      const next = g.add(g.reduceLogSumExp(scores, [0], { keepdims: false }), emit);
      return { states: [next], scanOutputs: [next] };
    });
    const logZ = b.output(b.reduceLogSumExp(states[0], [0], { keepdims: false }), { name: 'logZ' });
    const alphas = b.output(scanOutputs[0], { name: 'alphas' });
    expect(alphas.shape).toEqual([null, L]);
    const ev = rand(T * L, 11);
    const tv = rand(L * L, 12);
    const r = await runModel(encodeModel(b.toModel()), { emissions: f32(ev, [T, L]), trans: f32(tv, [L, L]) });
    expectDeclared(logZ, r.logZ.dims);
    expect(r.alphas.dims).toEqual([T - 1, L]);
    let alpha = ev.slice(0, L);
    const hist: number[] = [];
    for (let t = 1; t < T; t++) {
      alpha = [0, 1, 2].map((j) => {
        const s = [0, 1, 2].map((i) => alpha[i] + tv[i * L + j]);
        const m = Math.max(...s);
        return m + Math.log(s.reduce((a, c) => a + Math.exp(c - m), 0)) + ev[t * L + j];
      });
      hist.push(...alpha);
    }
    const m = Math.max(...alpha);
    close(values(r.alphas), hist);
    close(values(r.logZ), [m + Math.log(alpha.reduce((a, c) => a + Math.exp(c - m), 0))]);
  });

  test('If picks a branch at run time', async () => {
    const b = new GraphBuilder('branch');
    const x = b.input('x', 'float32', [2]);
    const flag = b.input('flag', 'bool', []);
    const [y] = b.if(
      flag,
      (g) => [g.mul(x, 2)],
      (g) => [g.neg(x)],
    );
    b.output(y, { name: 'y' });
    const bytes = encodeModel(b.toModel());
    const ort = await import('onnxruntime-node');
    const on = await runModel(bytes, { x: f32([1, 2], [2]), flag: new ort.Tensor('bool', [true], []) });
    const off = await runModel(bytes, { x: f32([1, 2], [2]), flag: new ort.Tensor('bool', [false], []) });
    expect(values(on.y)).toEqual([2, 4]);
    expect(values(off.y)).toEqual([-1, -2]);
  });
});
