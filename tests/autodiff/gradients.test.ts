// What gradients() promises beyond single rules: fan-out accumulation, nothing for branches that miss the
// loss or for integer paths, explicit zeros for unreached wrt tensors, build-time errors for ops without
// rules, and no work spent on frozen parameters.
import { encodeModel, gradients, GraphBuilder, tensor, toNumbers, type HostTensor, type TensorRef } from '@hybridoc/core';
import { session } from './gradcheck.js';

async function run(g: GraphBuilder, feeds: Record<string, HostTensor>): Promise<Record<string, number[]>> {
  g.pruneDeadNodes();
  const s = await session(encodeModel(g.toModel()));
  try {
    const r = await s.run(feeds);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toNumbers(v)]));
  } finally {
    await s.release();
  }
}

const backwardNodes = (g: GraphBuilder, from: number) => g.nodes.slice(from);

describe('gradients()', () => {
  test('fan-out accumulates: d/dx [sum(x * w) + sum(x) + sum(x * x)] = w + 1 + 2x', async () => {
    const g = new GraphBuilder('fanout');
    const x = g.input('x', 'float64', [3]);
    const w = g.input('w', 'float64', [3]);
    const loss = g.add(
      g.add(g.reduceSum(g.mul(x, w), null, { keepdims: false }), g.reduceSum(x, null, { keepdims: false })),
      g.reduceSum(g.mul(x, x), null, { keepdims: false }),
    );
    const before = g.nodes.length;
    const grads = gradients(g, loss, [x]);
    expect(backwardNodes(g, before).some((n) => n.opType === 'Sum')).toBe(true);
    g.output(grads.get('x')!, { name: 'dx' });
    const r = await run(g, { x: tensor('float64', [3], [1, 2, 3]), w: tensor('float64', [3], [0.5, -1, 4]) });
    expect(r.dx).toEqual([0.5 + 1 + 2, -1 + 1 + 4, 4 + 1 + 6]);
  });

  test('returns tensors of the wrt shapes and dtypes, and explicit zeros for a wrt the loss does not reach', async () => {
    const g = new GraphBuilder('zeros');
    const x = g.input('x', 'float64', [2, 3]);
    g.input('unused', 'float32', ['n', 4]);
    const loss = g.reduceSum(g.exp(x), null, { keepdims: false });
    const grads = gradients(g, loss, [x, 'unused']);
    expect(grads.get('x')).toMatchObject({ dtype: 'float64', shape: [2, 3] });
    expect(grads.get('unused')).toMatchObject({ dtype: 'float32', shape: ['n', 4] });
    g.output(grads.get('unused')!, { name: 'du' });
    const r = await run(g, { x: tensor('float64', [2, 3]), unused: tensor('float32', [5, 4], new Array(20).fill(7)) });
    expect(r.du).toEqual(new Array(20).fill(0));
  });

  test('branches that do not reach the loss emit nothing', () => {
    const g = new GraphBuilder('branches');
    const x = g.input('x', 'float64', [4]);
    const side = g.tanh(g.exp(x, { name: 'side_exp' }), { name: 'side_tanh' });
    g.output(side, { name: 'side' });
    const loss = g.reduceSum(g.mul(x, x, { name: 'main_mul' }), null, { keepdims: false });
    const before = g.nodes.length;
    gradients(g, loss, [x]);
    const names = backwardNodes(g, before).map((n) => n.name);
    expect(names.some((n) => n.includes('main_mul'))).toBe(true);
    expect(names.filter((n) => n.includes('side_'))).toEqual([]);
  });

  test('integer and boolean paths carry no gradient, and integer wrt tensors are refused', async () => {
    const g = new GraphBuilder('ints');
    const x = g.input('x', 'float64', [4]);
    const rounded = g.cast(g.cast(g.mul(x, 10), 'int64', { name: 'to_int' }), 'float64', { name: 'from_int' });
    const positive = g.cast(g.greater(x, 0), 'float64', { name: 'from_bool' });
    const loss = g.reduceSum(g.add(g.add(rounded, positive), g.mul(x, 3)), null, { keepdims: false });
    const before = g.nodes.length;
    const grads = gradients(g, loss, [x]);
    const names = backwardNodes(g, before).map((n) => n.name);
    expect(names.filter((n) => /to_int|from_int|from_bool/.test(n))).toEqual([]);
    g.output(grads.get('x')!, { name: 'dx' });
    const ids = g.input('ids', 'int64', [4]);
    expect(() => gradients(g, loss, [ids])).toThrow(/'ids' is int64; only float tensors have gradients/);
    const r = await run(g, { x: tensor('float64', [4], [0.31, -0.2, 1.7, 0]), ids: tensor('int64', [4]) });
    expect(r.dx).toEqual([3, 3, 3, 3]);
  });

  test('an op without a rule on the path fails at build time naming the op and the node; off the path it is fine', () => {
    const g = new GraphBuilder('norule');
    const x = g.input('x', 'float64', [3]);
    const sin = g.node('Sin', [x], {}, 1, { name: 'my_sine' })[0];
    const off = g.node('Cos', [x], {}, 1, { name: 'off_path' })[0];
    g.output(off, { name: 'cos' });
    const loss = g.reduceSum(sin, null, { keepdims: false });
    const before = g.nodes.length;
    expect(() => gradients(g, loss, [x])).toThrow("no gradient rule for op 'Sin' (node 'my_sine')");
    expect(g.nodes.length).toBe(before); // nothing was appended
    const ok = g.reduceSum(g.exp(x), null, { keepdims: false });
    expect(() => gradients(g, ok, [x])).not.toThrow();
  });

  test('the loss must be a scalar unless lossGrad is given', async () => {
    const g = new GraphBuilder('lossgrad');
    const x = g.input('x', 'float64', [3]);
    const seed = g.input('seed', 'float64', [3]);
    const y = g.mul(x, x);
    expect(() => gradients(g, y, [x])).toThrow(/not a scalar; pass options.lossGrad/);
    const grads = gradients(g, y, [x], { lossGrad: seed });
    g.output(grads.get('x')!, { name: 'dx' });
    const r = await run(g, { x: tensor('float64', [3], [1, 2, 3]), seed: tensor('float64', [3], [1, 10, 100]) });
    expect(r.dx).toEqual([2, 40, 600]);
  });

  test('a wrt tensor may be an intermediate, and an upstream wrt sees the path through it', async () => {
    const g = new GraphBuilder('intermediate');
    const x = g.input('x', 'float64', [2]);
    const h = g.mul(x, 2, { name: 'h' });
    const loss = g.reduceSum(g.mul(h, h), null, { keepdims: false });
    const grads = gradients(g, loss, [h, x]);
    g.output(grads.get('h')!, { name: 'dh' });
    g.output(grads.get(x.name)!, { name: 'dx' });
    const r = await run(g, { x: tensor('float64', [2], [1, -3]) });
    expect(r.dh).toEqual([4, -12]);
    expect(r.dx).toEqual([8, -24]);
  });

  test('a wrt tensor produced by an op without a rule is fine when nothing upstream is differentiated', () => {
    const g = new GraphBuilder('cut');
    const x = g.input('x', 'float64', [3]);
    const h = g.node('Sin', [x], {}, 1, { name: 'features' })[0];
    const loss = g.reduceSum(g.mul(h, h), null, { keepdims: false });
    const before = g.nodes.length;
    gradients(g, loss, [h]);
    expect(g.nodes.slice(before).filter((n) => n.name.includes('features'))).toEqual([]);
  });

  test('frozen parameters cost nothing: no gradient node reads into the frozen layers', async () => {
    const build = () => {
      const g = new GraphBuilder('frozen');
      const x = g.input('x', 'float64', [2, 3]);
      const p = (name: string, dims: number[]) => g.input(name, 'float64', dims);
      const [w1, w2, w3] = [p('w1', [3, 4]), p('w2', [4, 4]), p('w3', [4, 1])];
      let h: TensorRef = g.scope('layer1', () => g.tanh(g.matmul(x, w1)));
      h = g.scope('layer2', () => g.tanh(g.matmul(h, w2)));
      const loss = g.scope('head', () => g.reduceSum(g.matmul(h, w3), null, { keepdims: false }));
      return { g, loss };
    };
    const all = build();
    const n0 = all.g.nodes.length;
    const gAll = gradients(all.g, all.loss, ['w1', 'w2', 'w3']);
    const allCount = all.g.nodes.length - n0;

    const frozen = build();
    const n1 = frozen.g.nodes.length;
    const gFrozen = gradients(frozen.g, frozen.loss, ['w3']);
    const added = backwardNodes(frozen.g, n1);
    expect(added.filter((n) => /layer1|layer2/.test(n.name))).toEqual([]);
    expect(added.length).toBeLessThan(allCount / 3);

    all.g.output(gAll.get('w3')!, { name: 'dw3' });
    frozen.g.output(gFrozen.get('w3')!, { name: 'dw3' });
    const feeds = {
      x: tensor('float64', [2, 3], [0.1, 0.2, -0.3, 0.4, 0.5, -0.6]),
      w1: tensor(
        'float64',
        [3, 4],
        Array.from({ length: 12 }, (_, i) => Math.sin(i)),
      ),
      w2: tensor(
        'float64',
        [4, 4],
        Array.from({ length: 16 }, (_, i) => Math.cos(i)),
      ),
      w3: tensor('float64', [4, 1], [0.3, -0.2, 0.1, 0.5]),
    };
    expect((await run(frozen.g, feeds)).dw3).toEqual((await run(all.g, feeds)).dw3);
  });
});
