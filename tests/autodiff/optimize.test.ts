// optimizeForWriting: dead nodes go, shape-only subgraphs fold to constants, duplicates merge, no-ops
// vanish; outputs keep their names and values.
import { encodeModel, gradients, GraphBuilder, optimizeForWriting, tensor, toNumbers, type HostTensor } from '@hybridoc/core';
import { session } from './gradcheck.js';
import { buildTransformerBlock } from './sample-models.js';

async function runAll(bytes: Uint8Array, feeds: Record<string, HostTensor>): Promise<Record<string, number[]>> {
  const s = await session(bytes);
  try {
    const r = await s.run(feeds);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toNumbers(v)]));
  } finally {
    await s.release();
  }
}

describe('optimizeForWriting', () => {
  test('folds Shape of static shapes and the integer arithmetic on it; keeps output names', async () => {
    const g = new GraphBuilder('fold');
    const x = g.input('x', 'float64', [2, 3, 4]);
    const dims = g.shape(x);
    const rows = g.mul(g.gather(dims, [0]), g.gather(dims, [1]));
    const target = g.concat([rows, g.shape(x, { start: -1 })], 0);
    const y = g.reshape(x, target);
    g.output(g.identity(g.identity(y)), { name: 'y' });
    g.output(g.size(x), { name: 'n' });
    g.exp(x); // dead
    const { nodesBefore, nodesAfter } = optimizeForWriting(g);
    expect(nodesAfter).toBeLessThan(nodesBefore);
    const ops = g.nodes.map((n) => n.opType);
    expect(ops.filter((o) => ['Shape', 'Gather', 'Mul', 'Concat', 'Exp'].includes(o))).toEqual([]);
    expect(g.outputs.map((o) => o.name)).toEqual(['y', 'n']);
    const xs = Array.from({ length: 24 }, (_, i) => i);
    const r = await runAll(encodeModel(g.toModel()), { x: tensor('float64', [2, 3, 4], xs) });
    expect(r.y).toEqual(xs);
    expect(r.n).toEqual([24]);
  });

  test('keeps Shape ops over symbolic dims, so the graph still serves any batch size', async () => {
    const g = new GraphBuilder('symbolic');
    const x = g.input('x', 'float64', ['batch', 3]);
    const flat = g.reshape(x, g.concat([g.constInt64([-1]), g.shape(x, { start: 1 })], 0));
    g.output(g.mul(flat, g.cast(g.shape(x, { end: 1 }), 'float64')), { name: 'y' });
    optimizeForWriting(g);
    expect(g.nodes.some((n) => n.opType === 'Shape')).toBe(true);
    const bytes = encodeModel(g.toModel());
    for (const b of [1, 4]) {
      const xs = Array.from({ length: 3 * b }, (_, i) => i);
      expect((await runAll(bytes, { x: tensor('float64', [b, 3], xs) })).y).toEqual(xs.map((v) => v * b));
    }
  });

  test('merges duplicate nodes (the same transpose taken twice) and drops no-op reshapes', () => {
    const g = new GraphBuilder('cse');
    const w = g.input('w', 'float64', [3, 4]);
    const a = g.transpose(w, [1, 0]);
    const b = g.transpose(w, [1, 0]);
    const same = g.reshape(g.add(a, b), [4, 3]);
    g.output(same, { name: 'y' });
    optimizeForWriting(g);
    expect(g.nodes.map((n) => n.opType).sort()).toEqual(['Add', 'Identity', 'Transpose']); // Identity names the output
  });

  test('a transformer block with its backward pass: fewer nodes, identical numbers', async () => {
    const m = buildTransformerBlock({ dropout: 0.1 });
    m.g.output(m.loss);
    const grads = gradients(m.g, m.loss, m.params);
    m.params.forEach((p) => m.g.output(grads.get(p)!, { name: `grad.${p}` }));
    m.g.pruneDeadNodes();
    const before = await runAll(encodeModel(m.g.toModel()), m.feeds);
    const { nodesBefore, nodesAfter } = optimizeForWriting(m.g);
    expect(nodesAfter).toBeLessThan(0.9 * nodesBefore);
    const after = await runAll(encodeModel(m.g.toModel()), m.feeds);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const k of Object.keys(before)) expect(after[k]).toEqual(before[k]);
  });
});
