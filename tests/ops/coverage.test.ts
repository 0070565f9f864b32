// The op table covers every op method of the GraphBuilder: a method added to the builder without a table entry
// fails here. Methods that add no op node of their own are listed with the reason they are not table entries.
import { GraphBuilder, type TensorRef } from '@hybridoc/core';
import { floatOf, makeInputs, variantsOf } from './harness.js';
import { OP_CASES } from './cases/index.js';

const NOT_OPS: Record<string, string> = {
  // naming and scopes
  constructor: 'not an op',
  uniqueName: 'naming',
  claimFree: 'naming',
  claimExact: 'naming',
  scope: 'naming (every case is built inside a scope)',
  // inspection of the graph being built
  tensor: 'inspection',
  findTensor: 'inspection',
  ownsTensor: 'inspection',
  constValue: 'inspection',
  producer: 'inspection',
  consumers: 'inspection',
  nodeByName: 'inspection',
  freeNames: 'inspection',
  producedHere: 'inspection',
  // the graph interface: every case declares its inputs and outputs with these; bodies use bodyInput/bodyOutput
  input: 'graph interface, used by every case',
  output: 'graph interface, used by every case',
  bodyInput: 'subgraph interface, used by the loop/scan/if cases',
  bodyOutput: 'subgraph interface, used by the loop/scan/if cases',
  // editing passes, tested in tests/onnx and by autodiff
  removeNodes: 'graph editing',
  removeOutputs: 'graph editing',
  replaceUses: 'graph editing',
  renameTensor: 'graph editing',
  pruneDeadNodes: 'graph editing',
  sortNodes: 'graph editing',
  // serialization: every case is finalized and run
  toGraphProto: 'serialization, used by every case',
  toModel: 'serialization, used by every case',
  finalize: 'serialization, used by every case',
  // internals the op methods share
  ref: 'internal',
  define: 'internal',
  names: 'internal',
  scalar: 'internal (JS number operands)',
  ints: 'internal (JS integer-array operands)',
  operands: 'internal (JS number operands)',
  binary: 'internal',
  unary: 'internal',
  reduceAttr: 'internal',
  argReduce: 'internal',
  op1: 'internal',
  emit: 'internal',
};

function prototypeMethods(): string[] {
  const proto = GraphBuilder.prototype as unknown as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto).filter((k) => typeof Object.getOwnPropertyDescriptor(proto, k)?.value === 'function');
}

/** A builder that records the names of the methods called on it (also through `this` inside other methods). */
function recording(b: GraphBuilder, calls: Set<string>): GraphBuilder {
  return new Proxy(b, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        calls.add(prop);
        return (v as (...a: unknown[]) => unknown).apply(receiver, args);
      };
    },
  });
}

describe('op table coverage', () => {
  const methods = prototypeMethods();
  const tabled = new Set(OP_CASES.map((c) => c.method));

  test('every op method of GraphBuilder.prototype has at least one table entry', () => {
    const missing = methods.filter((m) => !(m in NOT_OPS) && !tabled.has(m));
    expect(missing).toEqual([]);
  });

  test('the exclusion list names only existing methods, none of them also in the table', () => {
    expect(Object.keys(NOT_OPS).filter((m) => !methods.includes(m))).toEqual([]);
    expect(Object.keys(NOT_OPS).filter((m) => tabled.has(m))).toEqual([]);
  });

  test('every entry names a builder method, and its graph calls that method', () => {
    const problems: string[] = [];
    for (const c of OP_CASES) {
      if (!methods.includes(c.method)) {
        problems.push(`${c.method}: ${c.id}: no such method`);
        continue;
      }
      const dt = floatOf(variantsOf(c)[0]);
      const calls = new Set<string>();
      const b = new GraphBuilder('coverage');
      const rec = recording(b, calls);
      const xs: TensorRef[] = makeInputs(c, dt).map((i) => b.input(i.spec.name, i.dtype, i.spec.shape));
      calls.clear();
      c.build(rec, xs, dt);
      if (!calls.has(c.method)) problems.push(`${c.method}: ${c.id}: the build never calls ${c.method}()`);
    }
    expect(problems).toEqual([]);
  });

  test('entry ids are unique per method', () => {
    const keys = OP_CASES.map((c) => `${c.method}: ${c.id}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });
});
