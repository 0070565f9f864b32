// Shape and dtype inference of the GraphBuilder op methods: what each op's output is declared as.
import { GraphBuilder, HybridocError } from '@hybridoc/core';

function g() {
  return new GraphBuilder('t');
}

describe('GraphBuilder shape inference', () => {
  test('MatMul broadcasts batch dims and handles 1-D operands', () => {
    const b = g();
    const x = b.input('x', 'float32', ['batch', 'seq', 64]);
    const w = b.input('w', 'float32', [64, 32]);
    expect(b.matmul(x, w).shape).toEqual(['batch', 'seq', 32]);
    const a = b.input('a', 'float32', [1, 5, 3, 4]);
    const c = b.input('c', 'float32', [7, 1, 4, 6]);
    expect(b.matmul(a, c).shape).toEqual([7, 5, 3, 6]);
    const v = b.input('v', 'float32', [4]);
    expect(b.matmul(a, v).shape).toEqual([1, 5, 3]);
    expect(b.matmul(v, c).shape).toEqual([7, 1, 6]);
    expect(b.matmul(v, v).shape).toEqual([]);
    expect(() => b.matmul(x, c)).toThrow(/inner dims/);
  });

  test('Gemm honours transA/transB and broadcasts C', () => {
    const b = g();
    const a = b.input('a', 'float32', [3, 5]);
    const w = b.input('w', 'float32', [7, 5]);
    const c = b.input('c', 'float32', [7]);
    expect(b.gemm(a, w, c, { transB: true }).shape).toEqual([3, 7]);
    const at = b.input('at', 'float32', [5, 3]);
    expect(b.gemm(at, w, null, { transA: true, transB: true }).shape).toEqual([3, 7]);
    expect(() => b.gemm(a, w, null)).toThrow(/inner dims/);
  });

  test('elementwise ops broadcast, numbers become scalars of the peer dtype, mixed dtypes fail', () => {
    const b = g();
    const x = b.input('x', 'float64', ['batch', 1, 8]);
    const y = b.input('y', 'float64', [4, 1]);
    const s = b.add(x, y);
    expect(s.shape).toEqual(['batch', 4, 8]);
    expect(s.dtype).toBe('float64');
    const m = b.mul(x, 0.5);
    expect(m.dtype).toBe('float64');
    expect(b.constValue(b.nodes[b.nodes.length - 1].inputs[1])?.dtype).toBe('float64');
    expect(b.less(x, y).dtype).toBe('bool');
    expect(b.where(b.less(x, 0), x, 0).shape).toEqual(['batch', 1, 8]);
    const f = b.input('f', 'float32', [8]);
    expect(() => b.add(x, f)).toThrow(/dtypes differ/);
    expect(() => b.add(b.input('p', 'float32', [3]), b.input('q', 'float32', [4]))).toThrow(/broadcast/);
  });

  test('Reshape with 0 and -1, symbolic dims carried through', () => {
    const b = g();
    const x = b.input('x', 'float32', ['batch', 'seq', 768]);
    expect(b.reshape(x, [0, 0, 12, 64]).shape).toEqual(['batch', 'seq', 12, 64]);
    expect(b.reshape(x, [0, -1, 64]).shape).toEqual(['batch', null, 64]);
    expect(b.reshape(x, [-1, 768]).shape).toEqual([null, 768]);
    const y = b.input('y', 'float32', [2, 3, 4]);
    expect(b.reshape(y, [4, -1]).shape).toEqual([4, 6]);
    expect(b.reshape(y, [0, -1]).shape).toEqual([2, 12]);
    expect(() => b.reshape(y, [5, -1])).toThrow(/divide/);
    expect(() => b.reshape(y, [5, 5])).toThrow(/cannot reshape/);
  });

  test('Slice with steps, negative indices and axes', () => {
    const b = g();
    const x = b.input('x', 'float32', [10, 'seq', 8]);
    expect(b.slice(x, [1], [9], [0], [2]).shape).toEqual([4, 'seq', 8]);
    expect(b.slice(x, [-1], [-Infinity], [0], [-1]).shape).toEqual([10, 'seq', 8]);
    expect(b.slice(x, [-3], [Infinity], [-1]).shape).toEqual([10, 'seq', 3]);
    expect(b.slice(x, [0], [Infinity], [1]).shape).toEqual([10, 'seq', 8]);
    expect(b.slice(x, [1], [Infinity], [1]).shape).toEqual([10, null, 8]);
    expect(b.slice(x, [8, 0], [2, 5], [0, 2], [-3, 1]).shape).toEqual([2, 'seq', 5]);
  });

  test('Transpose, Concat, Split, Unsqueeze, Squeeze with negative axes', () => {
    const b = g();
    const x = b.input('x', 'float32', ['batch', 'seq', 12, 64]);
    expect(b.transpose(x, [0, 2, 1, 3]).shape).toEqual(['batch', 12, 'seq', 64]);
    expect(b.transpose(x).shape).toEqual([64, 12, 'seq', 'batch']);
    const y = b.input('y', 'float32', ['batch', 'seq', 4, 64]);
    expect(b.concat([x, y], -2).shape).toEqual(['batch', 'seq', 16, 64]);
    expect(b.concat([x, x], 1).shape).toEqual(['batch', 'seq+seq', 12, 64]);
    expect(() => b.concat([x, y], 1)).toThrow(/Concat dim 2 disagree: 12 vs 4/);
    const parts = b.split(x, 3, { axis: -2 });
    expect(parts.map((p) => p.shape)).toEqual([
      ['batch', 'seq', 4, 64],
      ['batch', 'seq', 4, 64],
      ['batch', 'seq', 4, 64],
    ]);
    expect(b.split(x, [16, 48], { axis: -1 }).map((p) => p.shape![3])).toEqual([16, 48]);
    expect(() => b.split(x, [16, 40], { axis: -1 })).toThrow(/sum/);
    const u = b.unsqueeze(x, [-1, 1]);
    expect(u.shape).toEqual(['batch', 1, 'seq', 12, 64, 1]);
    expect(b.squeeze(u, [1, -1]).shape).toEqual(['batch', 'seq', 12, 64]);
    expect(() => b.squeeze(x, [2])).toThrow(/not 1/);
  });

  test('reductions with and without keepdims; ReduceSum takes axes as an input', () => {
    const b = g();
    const x = b.input('x', 'float32', ['batch', 'seq', 8]);
    expect(b.reduceSum(x, [-1]).shape).toEqual(['batch', 'seq', 1]);
    expect(b.reduceSum(x, [1], { keepdims: false }).shape).toEqual(['batch', 8]);
    expect(b.reduceSum(x).shape).toEqual([1, 1, 1]);
    const n = b.nodes[b.nodes.length - 1];
    expect(n.opType).toBe('ReduceSum');
    expect(n.inputs).toEqual([x.name, '']);
    expect(b.reduceMean(x, [-1], { keepdims: false }).shape).toEqual(['batch', 'seq']);
    expect(b.reduceMax(x, [0, 2]).shape).toEqual([1, 'seq', 1]);
    expect(b.reduceLogSumExp(x, [2], { keepdims: false }).shape).toEqual(['batch', 'seq']);
    expect(b.reduceMin(x, null, { keepdims: false }).shape).toEqual([]);
    expect(b.reduceSumSquare(x, [1]).shape).toEqual(['batch', 1, 8]);
    const am = b.argMax(x, { axis: -1, keepdims: false });
    expect([am.dtype, am.shape]).toEqual(['int64', ['batch', 'seq']]);
  });

  test('gathers, scatters, one-hot, top-k', () => {
    const b = g();
    const emb = b.input('emb', 'float32', [1000, 64]);
    const ids = b.input('ids', 'int64', ['batch', 'seq']);
    expect(b.gather(emb, ids).shape).toEqual(['batch', 'seq', 64]);
    expect(b.gather(emb, 3).shape).toEqual([64]);
    expect(b.gather(emb, [1, 2], { axis: 1 }).shape).toEqual([1000, 2]);
    const lp = b.input('lp', 'float32', ['batch', 'seq', 161]);
    const lab = b.input('lab', 'int64', ['batch', 'seq', 1]);
    expect(b.gatherElements(lp, lab, { axis: -1 }).shape).toEqual(['batch', 'seq', 1]);
    const idx = b.input('idx', 'int64', [5, 1]);
    expect(b.gatherND(emb, idx).shape).toEqual([5, 64]);
    const upd = b.input('upd', 'float32', [5, 64]);
    expect(b.scatterND(emb, idx, upd, { reduction: 'add' }).shape).toEqual([1000, 64]);
    expect(b.scatterElements(lp, lab, b.input('u2', 'float32', ['batch', 'seq', 1]), { axis: 2, reduction: 'add' }).shape).toEqual([
      'batch',
      'seq',
      161,
    ]);
    const oh = b.oneHot(ids, 161, [0, 1], { dtype: 'float64' });
    expect([oh.dtype, oh.shape]).toEqual(['float64', ['batch', 'seq', 161]]);
    const [v, i] = b.topK(lp, 5);
    expect([v.shape, i.dtype, i.shape]).toEqual([['batch', 'seq', 5], 'int64', ['batch', 'seq', 5]]);
  });

  test('shape ops: Expand, Tile, Pad, Flatten, Shape, Size, Range, ConstantOfShape, Cast, Conv, Einsum', () => {
    const b = g();
    const x = b.input('x', 'float32', [3, 1]);
    expect(b.expand(x, [2, 3, 4]).shape).toEqual([2, 3, 4]);
    expect(b.tile(x, [2, 5]).shape).toEqual([6, 5]);
    expect(b.pad(x, [1, 0, 2, 3]).shape).toEqual([6, 4]);
    const s = b.input('s', 'float32', ['batch', 3, 4, 5]);
    expect(b.flatten(s, { axis: 2 }).shape).toEqual([null, 20]);
    expect(b.shape(s).shape).toEqual([4]);
    expect(b.shape(s, { start: 1, end: -1 }).shape).toEqual([2]);
    expect(b.size(s).shape).toEqual([]);
    expect(b.range(0, 10, 3).shape).toEqual([4]);
    expect(b.range(0, 10, 3).dtype).toBe('int64');
    expect(b.range(0, 1, 0.25, { dtype: 'float32' }).shape).toEqual([4]);
    const c = b.constantOfShape([2, 3], { value: 1, dtype: 'int64' });
    expect([c.dtype, c.shape]).toEqual(['int64', [2, 3]]);
    expect(b.cast(s, 'float64').dtype).toBe('float64');
    const img = b.input('img', 'float32', ['batch', 3, 224, 224]);
    const w = b.input('w', 'float32', [768, 3, 16, 16]);
    expect(b.conv(img, w, null, { strides: [16, 16] }).shape).toEqual(['batch', 768, 14, 14]);
    expect(b.conv(img, b.input('w3', 'float32', [8, 3, 3, 3]), null, { pads: [1, 1, 1, 1] }).shape).toEqual(['batch', 8, 224, 224]);
    const q = b.input('q', 'float32', ['batch', 12, 'seq', 64]);
    const k = b.input('k', 'float32', ['batch', 12, 'seq', 64]);
    expect(b.einsum('bhqd,bhkd->bhqk', [q, k]).shape).toEqual(['batch', 12, 'seq', 'seq']);
    expect(b.einsum('...ij,...jk', [b.input('e1', 'float32', [5, 2, 3]), b.input('e2', 'float32', [3, 4])]).shape).toEqual([5, 2, 4]);
    expect(b.trilu(b.input('sq', 'float32', [4, 4]), { upper: false }).shape).toEqual([4, 4]);
  });

  test('layer norm, softmax, dropout, clip, cumsum keep the input shape', () => {
    const b = g();
    const x = b.input('x', 'float32', ['batch', 'seq', 8]);
    const gamma = b.input('gamma', 'float32', [8]);
    expect(b.layerNormalization(x, gamma, null, { epsilon: 1e-5 }).shape).toEqual(['batch', 'seq', 8]);
    expect(b.softmax(x).shape).toEqual(['batch', 'seq', 8]);
    expect(b.logSoftmax(x, { axis: 1 }).shape).toEqual(['batch', 'seq', 8]);
    const [y, mask] = b.dropout(x, { ratio: 0.1, trainingMode: true });
    expect([y.shape, mask.dtype]).toEqual([['batch', 'seq', 8], 'bool']);
    expect(b.clip(x, 0, null).shape).toEqual(['batch', 'seq', 8]);
    expect(b.cumSum(x, 1, { reverse: true }).shape).toEqual(['batch', 'seq', 8]);
  });

  test('unknown dims fall back to null, never to a wrong value', () => {
    const b = g();
    const x = b.input('x', 'float32', null);
    expect(b.relu(x).shape).toBeNull();
    const y = b.input('y', 'float32', [null, 4]);
    const shp = b.input('shp', 'int64', [3]);
    expect(b.reshape(y, shp).shape).toEqual([null, null, null]);
    expect(b.add(y, b.input('z', 'float32', [5, 1])).shape).toEqual([5, 4]);
    const ax = b.input('ax', 'int64', [1]);
    expect(b.reduceSum(y, ax).shape).toEqual([null, null]);
    expect(b.reduceSum(y, ax, { keepdims: false }).shape).toBeNull();
  });
});

describe('GraphBuilder names and records', () => {
  test('scopes prefix node and tensor names; names stay unique', () => {
    const b = g();
    const x = b.input('x', 'float32', [2, 4]);
    const w = b.initializer('layer.0.dense.weight', { dtype: 'float32', dims: [4, 4], data: new Float32Array(16) });
    const [a, c] = b.scope('layer.0', () => [b.matmul(x, w, { name: 'attn/q' }), b.matmul(x, w, { name: 'attn/q' })]);
    expect(a.name).toBe('layer.0/attn/q');
    expect(c.name).toBe('layer.0/attn/q_1');
    expect(b.uniqueName('attn/q')).toBe('attn/q');
    expect(b.nodes.map((n) => n.name)).toEqual(['layer.0/attn/q', 'layer.0/attn/q_1']);
    expect(() => b.input('x', 'float32', [1])).toThrow(HybridocError);
  });

  test('nodes are plain records; int inputs became int64 Constant nodes', () => {
    const b = g();
    const x = b.input('x', 'float32', [2, 6]);
    const r = b.reshape(x, [3, 4]);
    const rec = b.producer(r.name)!;
    expect(rec.opType).toBe('Reshape');
    const shapeConst = b.producer(rec.inputs[1])!;
    expect(shapeConst.opType).toBe('Constant');
    expect(shapeConst.attributes.value.type).toBe('tensor');
    expect(Array.from(b.constValue(rec.inputs[1])!.data as BigInt64Array)).toEqual([3n, 4n]);
    expect(b.tensor(r.name)).toEqual({ name: r.name, dtype: 'float32', shape: [3, 4] });
    expect(b.consumers(x.name).map((n) => n.name)).toEqual([rec.name]);
  });

  test('generic node() with explicit output types, and rejection of unknown ops', () => {
    const b = g();
    const x = b.input('x', 'float32', [2, 3]);
    const [y] = b.node('HardSwish', [x], {}, [{ dtype: 'float32', shape: [2, 3] }]);
    expect(y.shape).toEqual([2, 3]);
    const [z] = b.node('Softmax', [x], { axis: -1 });
    expect(z.shape).toEqual([2, 3]);
    expect(() => b.node('FusedMatMul', [x, x], {}, 1)).toThrow(/not an operator of the default ONNX domain/);
    expect(() => b.node('Gelu', [x], {}, 1)).toThrow(/opset 17/);
  });

  test('passes can remove, rewire, rename and prune', () => {
    const b = g();
    const x = b.input('x', 'float32', [4]);
    const a = b.relu(x, { name: 'a' });
    const dead = b.exp(x, { name: 'dead' });
    const c = b.neg(a, { name: 'c' });
    b.output(c, { name: 'out' });
    expect(b.pruneDeadNodes()).toEqual([dead.name]);
    const s = b.sigmoid(x, { name: 's' });
    b.replaceUses(a.name, s);
    expect(b.producer('c')!.inputs).toEqual(['s']);
    expect(b.pruneDeadNodes()).toEqual(['a']);
    b.renameTensor('s', 'gate');
    expect(b.producer('c')!.inputs).toEqual(['gate']);
    expect(b.tensor('gate').shape).toEqual([4]);
    const m = b.toModel();
    expect(m.graph!.node!.map((n) => n.opType)).toEqual(['Sigmoid', 'Neg', 'Identity']);
    b.output(b.exp('gate', { name: 'e' }));
    b.removeOutputs(['out']);
    expect(b.pruneDeadNodes()).toEqual(['c', 'out']);
    expect(b.toModel().graph!.output!.map((o) => o.name)).toEqual(['e']);
  });
});
