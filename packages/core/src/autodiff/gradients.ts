/**
 * Reverse-mode autodiff over a GraphBuilder graph: gradients() appends the backward pass of a scalar loss
 * with respect to chosen tensors, rule by rule (rules/), treating custom-gradient blocks as single units.
 *
 * Only the part of the graph between the wrt tensors and the loss is differentiated: a node gets backward
 * nodes when one of its differentiable float inputs depends on a wrt tensor and one of its outputs reaches
 * the loss; a rule is asked only for the input gradients that are wanted (ctx.needs). Fan-out accumulates
 * with Sum; integer and boolean tensors carry no gradient.
 */
import { isFloatDType } from '../onnx/dtype.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import { attrFloat, attrInt, attrInts, attrString, typeToString, type NodeRecord, type TensorRef } from '../onnx/types.js';
import { HybridocError } from '../util/errors.js';
import { customGradientBlocks, type CustomGradientBlock } from './custom-gradient.js';
import { reshapeLike, sameShape, zerosLike } from './grad-math.js';
import { isDifferentiableInput, type GradContext, type GradientRule } from './rule.js';
import { GRADIENT_RULES } from './rules/index.js';

export interface GradientsOptions {
  /** The gradient of the loss itself (same shape as the loss); required when the loss is not a scalar. */
  lossGrad?: TensorRef;
}

/** A node, or a custom-gradient block, seen as one step of the forward pass. */
interface Unit {
  node?: NodeRecord;
  block?: CustomGradientBlock;
  /** Input positions (node inputs or block inputs), '' for an omitted one. */
  inputs: string[];
  /** Every tensor read, including subgraph reads and block-internal reads from outside. */
  reads: string[];
  outputs: string[];
  rule?: GradientRule;
}

const RULES: ReadonlyMap<string, GradientRule> = new Map(GRADIENT_RULES.map((r) => [r.opType, r]));

/** The rule for an op type, if there is one. */
export function gradientRule(opType: string): GradientRule | undefined {
  return RULES.get(opType);
}

/**
 * Appends to g the backward pass of `loss` and returns, per wrt tensor name, its gradient (same dtype and
 * shape). A wrt tensor the loss does not depend on gets explicit zeros. Throws at build time when an op on
 * the path has no rule, naming the op type and the node.
 */
export function gradients(
  g: GraphBuilder,
  loss: TensorRef | string,
  wrt: ReadonlyArray<TensorRef | string>,
  options: GradientsOptions = {},
): Map<string, TensorRef> {
  const lossRef = g.ref(loss);
  if (!isFloatDType(lossRef.dtype))
    throw new HybridocError(`gradients: the loss '${lossRef.name}' is ${lossRef.dtype}, not a float tensor`);
  const wrtRefs = wrt.map((w) => g.ref(w));
  for (const w of wrtRefs) {
    if (!isFloatDType(w.dtype)) throw new HybridocError(`gradients: '${w.name}' is ${w.dtype}; only float tensors have gradients`);
  }
  const seed = options.lossGrad ? g.ref(options.lossGrad) : undefined;
  if (!seed) {
    const s = lossRef.shape;
    if (!s || !s.every((d) => d === 1)) {
      throw new HybridocError(`gradients: the loss '${lossRef.name}' is ${typeToString(lossRef)}, not a scalar; pass options.lossGrad`);
    }
  } else if (seed.dtype !== lossRef.dtype) {
    throw new HybridocError(`gradients: lossGrad '${seed.name}' is ${seed.dtype}, the loss is ${lossRef.dtype}`);
  }

  g.sortNodes();
  const units = orderUnits(g, buildUnits(g));
  const isFloat = (name: string) => !!name && isFloatDType(g.tensor(name).dtype);

  // Forward: which float tensors depend on a wrt tensor.
  const active = new Set(wrtRefs.map((w) => w.name));
  const dependsOnWrt = (u: Unit) =>
    u.rule ? u.inputs.some((n, i) => n && active.has(n) && isDifferentiableInput(u.rule!, i)) : u.reads.some((n) => active.has(n));
  for (const u of units) if (dependsOnWrt(u)) for (const o of u.outputs) if (isFloat(o)) active.add(o);

  // Backward: which active tensors reach the loss, and which units lie on the path (checked for rules).
  const toLoss = new Set<string>(active.has(lossRef.name) ? [lossRef.name] : []);
  const onPath: Unit[] = [];
  for (let k = units.length - 1; k >= 0; k--) {
    const u = units[k];
    // (an output can be in toLoss without the unit depending on wrt: a wrt tensor produced by it)
    if (!u.outputs.some((o) => toLoss.has(o)) || !dependsOnWrt(u)) continue;
    if (u.block) {
      const stray = u.reads.find((r) => active.has(r) && !u.inputs.includes(r));
      if (stray) {
        throw new HybridocError(
          `gradients: custom-gradient block '${u.block.name}' reads '${stray}', which depends on a wrt tensor but is not one of its inputs`,
        );
      }
    } else if (!u.rule) {
      const n = u.node!;
      throw new HybridocError(
        `gradients: no gradient rule for op '${n.opType}' (node '${n.name}') on the path from the wrt tensors to '${lossRef.name}'`,
      );
    }
    onPath.push(u);
    u.inputs.forEach((n, i) => {
      if (n && active.has(n) && (!u.rule || isDifferentiableInput(u.rule, i))) toLoss.add(n);
    });
  }

  const contributions = new Map<string, TensorRef[]>();
  const summed = new Map<string, TensorRef | null>();
  const add = (name: string, grad: TensorRef) => {
    if (summed.has(name)) throw new HybridocError(`gradients: internal error: a gradient for '${name}' arrived after it was summed`);
    const list = contributions.get(name) ?? [];
    list.push(grad);
    contributions.set(name, list);
  };
  const total = (name: string): TensorRef | null => {
    if (summed.has(name)) return summed.get(name)!;
    const list = contributions.get(name) ?? [];
    const t = list.length === 0 ? null : list.length === 1 ? list[0] : g.sum(list, { name: 'grad_accumulate' });
    summed.set(name, t);
    return t;
  };

  g.scope('grad', () => {
    if (toLoss.size > 0)
      add(lossRef.name, seed ?? g.constant(1, { dtype: lossRef.dtype, dims: lossRef.shape!.map(() => 1), name: 'loss_grad' }));
    for (const u of onPath) {
      const dOutputs = u.outputs.map((o) => (o && toLoss.has(o) ? total(o) : null));
      if (dOutputs.every((d) => d === null)) continue;
      const wants = u.inputs.map((n, i) => !!n && toLoss.has(n) && (!u.rule || isDifferentiableInput(u.rule, i)));
      const grads = u.block
        ? g.scope(u.block.name, () => u.block!.backward(g, dOutputs))
        : g.scope(u.node!.name, () => u.rule!.grad!(makeContext(g, u.node!, dOutputs, wants)));
      const label = u.block ? `custom-gradient block '${u.block.name}'` : `rule ${u.node!.opType} (node '${u.node!.name}')`;
      if (grads.length > u.inputs.length)
        throw new HybridocError(`gradients: ${label} returned ${grads.length} gradients for ${u.inputs.length} inputs`);
      grads.forEach((d, i) => {
        if (!d || !wants[i]) return;
        const x = g.tensor(u.inputs[i]);
        const ref = g.ref(d);
        if (ref.dtype !== x.dtype)
          throw new HybridocError(`gradients: ${label} gave a ${ref.dtype} gradient for ${x.dtype} input '${x.name}'`);
        add(x.name, ref);
      });
    }
  });

  const result = new Map<string, TensorRef>();
  g.scope('grad', () => {
    for (const w of wrtRefs) {
      if (result.has(w.name)) continue;
      let d = toLoss.has(w.name) ? total(w.name) : null;
      if (!d) d = zerosLike(g, w);
      if (!sameShape(d.shape, w.shape)) d = reshapeLike(g, d, w);
      result.set(w.name, d);
    }
  });
  return result;
}

function buildUnits(g: GraphBuilder): Unit[] {
  const blocks = customGradientBlocks(g);
  const blockOf = new Map<string, CustomGradientBlock>();
  for (const b of blocks) for (const n of b.nodeNames) blockOf.set(n, b);
  const units: Unit[] = [];
  const blockUnits = new Map<CustomGradientBlock, Unit>();
  for (const n of g.nodes) {
    const reads = [...n.inputs.filter(Boolean), ...subgraphReads(n)];
    const b = blockOf.get(n.name);
    if (!b) {
      units.push({ node: n, inputs: n.inputs, reads, outputs: n.outputs, rule: RULES.get(n.opType) });
      continue;
    }
    let u = blockUnits.get(b);
    if (!u) {
      u = { block: b, inputs: b.inputs.map((t) => t.name), reads: [], outputs: b.outputs.map((t) => t.name) };
      blockUnits.set(b, u);
      units.push(u);
    }
    u.reads.push(...reads);
  }
  for (const [b, u] of blockUnits) {
    const internal = new Set(g.nodes.filter((n) => b.nodeNames.has(n.name)).flatMap((n) => n.outputs));
    u.reads = [...new Set(u.reads.filter((r) => !internal.has(r)))];
    const missing = b.outputs.find((o) => !internal.has(o.name));
    if (missing)
      throw new HybridocError(`gradients: custom-gradient block '${b.name}': output '${missing.name}' is no longer produced in the graph`);
  }
  return units;
}

function subgraphReads(n: NodeRecord): string[] {
  return Object.values(n.attributes).flatMap((a) => (a.type === 'graph' ? [...a.value.freeNames()] : []));
}

/** Topological order of units (blocks gather several nodes, so node order alone is not enough). */
function orderUnits(g: GraphBuilder, units: Unit[]): Unit[] {
  const producer = new Map<string, number>();
  units.forEach((u, i) => u.outputs.forEach((o) => o && producer.set(o, i)));
  // A block's internal tensors count as produced by the block, so that outside readers order after it.
  units.forEach((u, i) => {
    if (u.block) for (const n of g.nodes) if (u.block.nodeNames.has(n.name)) n.outputs.forEach((o) => o && producer.set(o, i));
  });
  const indegree = new Array<number>(units.length).fill(0);
  const dependents: number[][] = units.map(() => []);
  units.forEach((u, i) => {
    for (const d of new Set(u.reads.map((r) => producer.get(r)).filter((j): j is number => j !== undefined && j !== i))) {
      indegree[i]++;
      dependents[d].push(i);
    }
  });
  const ready = units.map((_, i) => i).filter((i) => indegree[i] === 0);
  const order: Unit[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k];
    order.push(units[i]);
    for (const j of dependents[i]) if (--indegree[j] === 0) ready.push(j);
  }
  if (order.length !== units.length) {
    throw new HybridocError(
      'gradients: a custom-gradient block is not self-contained (nodes outside it sit between its inputs and outputs)',
    );
  }
  return order;
}

function makeContext(g: GraphBuilder, node: NodeRecord, dOutputs: Array<TensorRef | null>, wants: boolean[]): GradContext {
  const inputs = node.inputs.map((n) => (n ? g.tensor(n) : null));
  const outputs = node.outputs.map((n) => (n ? g.tensor(n) : null));
  const where = `rule ${node.opType} (node '${node.name}')`;
  return {
    g,
    node,
    inputs,
    outputs,
    dOutputs,
    get dy() {
      const d = dOutputs[0];
      if (!d) throw new HybridocError(`${where}: no gradient flows into output 0`);
      return d;
    },
    needs: (i) => !!wants[i],
    x(i) {
      const t = inputs[i];
      if (!t) throw new HybridocError(`${where}: input ${i} is missing`);
      return t;
    },
    y(i = 0) {
      const t = outputs[i];
      if (!t) throw new HybridocError(`${where}: output ${i} is missing`);
      return t;
    },
    int: (key, dflt) => attrInt(node.attributes, key, dflt),
    float: (key, dflt) => Math.fround(attrFloat(node.attributes, key, dflt)),
    ints: (key) => attrInts(node.attributes, key),
    string: (key, dflt) => attrString(node.attributes, key, dflt),
    constValues(i) {
      const n = node.inputs[i];
      const v = n ? g.constValue(n) : undefined;
      return v ? Array.from(v.data as ArrayLike<number | bigint>, Number) : undefined;
    },
  };
}
