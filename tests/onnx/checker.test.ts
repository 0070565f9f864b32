// The structural checker finds each kind of problem, names the node, and lists all problems at once.
import { GraphBuilder, checkModel, assertValidModel, formatProblem, onnx, valueInfoToProto, HybridocError } from '@hybridoc/core';

/** A small valid model: y = relu(x @ w) + 1. */
function base() {
  const b = new GraphBuilder('main');
  const x = b.input('x', 'float32', ['batch', 4]);
  const w = b.initializer('w', { dtype: 'float32', dims: [4, 2], data: new Float32Array(8) });
  const h = b.relu(b.matmul(x, w, { name: 'mm' }), { name: 'act' });
  b.output(b.add(h, 1, { name: 'plus' }), { name: 'y' });
  return b;
}

function problems(model: onnx.IModelProto): string[] {
  return checkModel(model).map(formatProblem);
}

function node(model: onnx.IModelProto, name: string): onnx.INodeProto {
  return model.graph!.node!.find((n) => n.name === name)!;
}

describe('checkModel', () => {
  test('a built model passes', () => {
    expect(problems(base().toModel())).toEqual([]);
  });

  test('an input nobody produces, naming the node', () => {
    const m = base().toModel();
    node(m, 'act').input = ['nope'];
    const p = problems(m);
    expect(p).toContainEqual(
      "main: node 'act' (Relu): input 'nope' is not produced by any node, graph input, initializer or enclosing graph",
    );
  });

  test('nodes out of topological order', () => {
    const m = base().toModel();
    const nodes = m.graph!.node!;
    const i = nodes.findIndex((n) => n.name === 'act');
    const j = nodes.findIndex((n) => n.name === 'mm');
    [nodes[i], nodes[j]] = [nodes[j], nodes[i]];
    expect(problems(m).join('\n')).toMatch(/node 'act' \(Relu\): input 'mm' is produced by a later node/);
  });

  test('a tensor produced twice and a repeated node name', () => {
    const m = base().toModel();
    node(m, 'plus').output = ['act'];
    node(m, 'mm').name = 'act';
    const p = problems(m).join('\n');
    expect(p).toMatch(/'act' is defined more than once/);
    expect(p).toMatch(/node 'act' \(Relu\): node name is not unique/);
  });

  test('declared shapes and dtypes must agree with inferred ones', () => {
    const m = base().toModel();
    const vi = m.graph!.valueInfo!.find((v) => v.name === 'mm')!;
    Object.assign(vi, valueInfoToProto('mm', { dtype: 'float32', shape: ['batch', 3] }));
    m.graph!.output![0] = valueInfoToProto('y', { dtype: 'float64', shape: ['batch', 2] }) as onnx.ValueInfoProto;
    const p = problems(m).join('\n');
    expect(p).toMatch(/node 'mm' \(MatMul\): output 'mm' is declared float32\[batch, 3\] but inferred float32\[batch, 2\]/);
    expect(p).toMatch(/output 'y' is declared float64 but the op produces float32/);
  });

  test('inconsistent inputs are reported from the op rule', () => {
    const m = base().toModel();
    m.graph!.initializer![0].dims = [3, 2];
    m.graph!.initializer![0].rawData = new Uint8Array(24);
    expect(problems(m).join('\n')).toMatch(/node 'mm' \(MatMul\): MatMul inner dims/);
  });

  test('dangling nodes', () => {
    const m = base().toModel();
    m.graph!.node!.push({ name: 'unused', opType: 'Exp', input: ['x'], output: ['unused'] });
    expect(problems(m)).toContainEqual("main: node 'unused' (Exp): dangling: none of its outputs reaches a graph output");
    const b = base();
    b.exp('x', { name: 'forgotten' });
    expect(() => b.toModel()).toThrow(/forgotten.*dangling/);
  });

  test('domains and opsets: default domain at opset 17 only', () => {
    const m = base().toModel();
    node(m, 'act').domain = 'com.microsoft';
    node(m, 'plus').opType = 'Gelu';
    m.opsetImport!.push({ domain: 'com.microsoft', version: 1 });
    m.opsetImport![0].version = 18;
    const p = problems(m).join('\n');
    expect(p).toMatch(/node 'act' \(Relu\): domain 'com.microsoft' is not allowed/);
    expect(p).toMatch(/node 'plus' \(Gelu\): 'Gelu' is not an operator of the default domain at opset 17/);
    expect(p).toMatch(/opset_import of domain 'com.microsoft'/);
    expect(p).toMatch(/default-domain opset is 18, expected 17/);
  });

  test('every problem is listed in one error', () => {
    const m = base().toModel();
    node(m, 'act').input = ['nope'];
    m.graph!.node!.push({ name: 'unused', opType: 'Exp', input: ['x'], output: ['unused'] });
    let err: unknown;
    try {
      assertValidModel(m);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HybridocError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/failed the structural check \(3 problems\)/);
    expect(msg).toMatch(/node 'act'.*nope/);
    expect(msg).toMatch(/node 'mm'.*dangling/);
    expect(msg).toMatch(/node 'unused'.*dangling/);
  });
});

describe('checkModel on subgraphs', () => {
  function loopModel() {
    const b = new GraphBuilder('main');
    const x = b.input('x', 'float32', [3]);
    const n = b.input('n', 'int64', []);
    const { states } = b.loop({ tripCount: n, carried: [x], name: 'lp' }, (g, _i, _c, [acc]) => ({
      carried: [g.add(acc, x, { name: 'acc_next' })],
    }));
    b.output(states[0], { name: 'y' });
    return b.toModel();
  }
  const body = (m: onnx.IModelProto) => node(m, 'lp').attribute!.find((a) => a.name === 'body')!.g!;

  test('outer-scope references resolve; a built Loop passes', () => {
    const m = loopModel();
    expect(problems(m)).toEqual([]);
    expect(body(m).node!.find((n) => n.name === 'lp/body/acc_next')!.input).toContain('x');
  });

  test('a body reading a name that no enclosing scope defines', () => {
    const m = loopModel();
    body(m).node!.find((n) => n.name === 'lp/body/acc_next')!.input![1] = 'ghost';
    expect(problems(m).join('\n')).toMatch(/main\/lp\/body: node 'lp\/body\/acc_next' \(Add\): input 'ghost' is not produced/);
  });

  test('a body reading an outer tensor defined only after the Loop node', () => {
    const m = loopModel();
    m.graph!.node!.push({ name: 'late', opType: 'Neg', input: ['x'], output: ['late'] });
    m.graph!.output!.push(valueInfoToProto('late', { dtype: 'float32', shape: [3] }) as onnx.ValueInfoProto);
    body(m).node!.find((n) => n.name === 'lp/body/acc_next')!.input![1] = 'late';
    expect(problems(m).join('\n')).toMatch(/input 'late' is not produced/);
  });

  test('a body that shadows an outer name', () => {
    const m = loopModel();
    body(m).node!.find((n) => n.name === 'lp/body/acc_next')!.output = ['x'];
    expect(problems(m).join('\n')).toMatch(/'x' \(an output of node 'lp\/body\/acc_next'\) shadows a tensor of an enclosing graph/);
  });

  test('Loop body signature: iteration int64, condition bool, carried types', () => {
    const m = loopModel();
    body(m).input![1] = valueInfoToProto(body(m).input![1].name!, { dtype: 'int64', shape: [] }) as onnx.ValueInfoProto;
    body(m).input![2] = valueInfoToProto(body(m).input![2].name!, { dtype: 'float32', shape: [4] }) as onnx.ValueInfoProto;
    const p = problems(m).join('\n');
    expect(p).toMatch(/node 'lp' \(Loop\): Loop body input 1 \(condition\) must be bool, is int64/);
    expect(p).toMatch(/Loop loop-carried 0: initial value vs body input: shapes float32\[3\] vs float32\[4\]/);
  });

  test('Scan body signature and checked body', () => {
    const b = new GraphBuilder('main');
    const xs = b.input('xs', 'float32', ['seq', 2]);
    const s0 = b.input('s0', 'float32', [2]);
    const { states, scanOutputs } = b.scan({ states: [s0], scanInputs: [xs], name: 'sc' }, (g, [s], [x]) => {
      const next = g.add(s, x);
      return { states: [next], scanOutputs: [g.mul(next, next)] };
    });
    b.output(states[0], { name: 'final' });
    b.output(scanOutputs[0], { name: 'squares' });
    expect(b.outputs[1].shape).toEqual(['seq', 2]);
    const m = b.toModel();
    expect(problems(m)).toEqual([]);
    const sc = node(m, 'sc');
    sc.attribute!.find((a) => a.name === 'num_scan_inputs')!.i = 2;
    expect(problems(m)).toContainEqual("main: node 'sc' (Scan): Scan scan input 0 has rank 1, its body slice rank 1 (expected one less)");
  });

  test('a dangling node inside a body is reported with its graph path', () => {
    const b = new GraphBuilder('main');
    const x = b.input('x', 'float32', [3]);
    const { states } = b.loop({ tripCount: 2, carried: [x], name: 'lp' }, (g, _i, _c, [acc]) => {
      g.exp(acc, { name: 'wasted' });
      return { carried: [g.neg(acc)] };
    });
    b.output(states[0], { name: 'y' });
    expect(() => b.toModel()).toThrow(/main\/lp\/body: node 'lp\/body\/wasted' \(Exp\): dangling/);
  });
});

test('builder refuses tensors from another scope', () => {
  const b = new GraphBuilder('main');
  const x = b.input('x', 'float32', [3]);
  let inner: string | undefined;
  b.loop({ tripCount: 1, carried: [x] }, (g, _i, _c, [acc]) => {
    const t = g.neg(acc);
    inner = t.name;
    return { carried: [t] };
  });
  expect(() => b.relu(inner!)).toThrow(/is not defined here or in an enclosing graph/);
});
