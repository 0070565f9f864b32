// Symbolic dims through shapes computed at run time: a Shape node's contents are tracked as dims, so
// Reshape, Expand, Slice, Range and ConstantOfShape fed from it keep 'batch' and 'seq', and Concat adds
// lengths ('seq' + 50 = 'seq+50'). The gradient of a same-shape Add then needs no run-time unbroadcast
// (before, every such Add in a model with a run-time sequence length added a ReduceSum that copied its
// gradient, plus the Shape/Equal/NonZero chain that found it had nothing to reduce).
import { gradients, GraphBuilder, encodeModel, sumDims } from '@hybridoc/core';
import { f32, i64, runModel, values } from './ort-run.js';

describe('symbolic dims through run-time shapes', () => {
  test('Shape -> Gather/Slice/Concat -> Reshape, Expand, ConstantOfShape, Range keep the names', () => {
    const g = new GraphBuilder('t');
    const ids = g.input('ids', 'int64', ['batch', 'seq']);
    const x = g.input('x', 'float32', ['batch', 'seq', 8]);
    const seq = g.shape(ids, { start: 1, end: 2 });
    const batchSeq = g.shape(ids);
    expect(g.reshape(x, g.concat([batchSeq, g.constInt64([2, 4])], 0)).shape).toEqual(['batch', 'seq', 2, 4]);
    const seqScalar = g.gather(g.shape(x), g.constInt64(1, { dims: [] }));
    expect(g.constantOfShape(g.unsqueeze(seqScalar, [0])).shape).toEqual(['seq']);
    expect(g.range(g.constInt64(0, { dims: [] }), seqScalar, g.constInt64(1, { dims: [] })).shape).toEqual(['seq']);
    const table = g.input('table', 'float32', [512, 8]);
    expect(g.slice(table, [0], seq, [0]).shape).toEqual(['seq', 8]);
    const one = g.input('one', 'float32', [1, 1, 8]);
    expect(g.expand(one, g.concat([g.shape(ids), g.constInt64([8])], 0)).shape).toEqual(['batch', 'seq', 8]);
    expect(g.cast(batchSeq, 'int32').shape).toEqual([2]);
  });

  test('Concat adds symbolic lengths; sumDims is canonical', () => {
    const g = new GraphBuilder('t');
    const text = g.input('text', 'float32', ['batch', 'seq', 4]);
    const visual = g.input('visual', 'float32', ['batch', 50, 4]);
    expect(g.concat([text, visual], 1).shape).toEqual(['batch', 'seq+50', 4]);
    expect(g.concat([visual, text], 1).shape).toEqual(['batch', 'seq+50', 4]);
    expect(sumDims(['seq', 50, 'extra', 1])).toBe('extra+seq+51');
    expect(sumDims(['seq+50', 'a'])).toBe('a+seq+50');
    expect(sumDims([3, 4])).toBe(7);
    expect(sumDims(['seq', null])).toBeNull();
  });

  test('the graph runs as declared for any sequence length', async () => {
    const g = new GraphBuilder('t');
    const ids = g.input('ids', 'int64', ['batch', 'seq']);
    const table = g.input('table', 'float32', [6, 2]);
    const positions = g.slice(table, [0], g.shape(ids, { start: 1, end: 2 }), [0]);
    const words = g.input('words', 'float32', ['batch', 'seq', 2]);
    const sum = g.add(words, positions);
    expect(sum.shape).toEqual(['batch', 'seq', 2]);
    g.output(sum, { name: 'y' });
    const bytes = encodeModel(g.toModel());
    for (const seq of [1, 3]) {
      const out = await runModel(bytes, {
        ids: i64(new Array(seq).fill(0), [1, seq]),
        table: f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [6, 2]),
        words: f32(new Array(seq * 2).fill(100), [1, seq, 2]),
      });
      expect(out.y.dims).toEqual([1, seq, 2]);
      expect(values(out.y)).toEqual([100, 101, 102, 103, 104, 105].slice(0, seq * 2));
    }
  });

  test('the backward of a residual Add with a run-time sequence length has no unbroadcast', () => {
    const g = new GraphBuilder('t');
    const ids = g.input('ids', 'int64', ['batch', 'seq']);
    const table = g.input('table', 'float32', [16, 4]);
    const x = g.input('x', 'float32', ['batch', 'seq', 4]);
    const h = g.add(x, g.slice(table, [0], g.shape(ids, { start: 1, end: 2 }), [0]));
    const w = g.input('w', 'float32', [4, 4]);
    const y = g.add(g.matmul(h, w), h);
    const loss = g.reduceSum(g.mul(y, y), null, { keepdims: false });
    const from = g.nodes.length;
    gradients(g, loss, [w, table]);
    const ops = g.nodes.slice(from).map((n) => n.opType);
    expect(ops).not.toContain('NonZero');
    // the only reductions left are real ones: the position table's gradient summed over the batch
    expect(ops.filter((o) => o === 'ReduceSum').length).toBeLessThanOrEqual(1);
  });
});
