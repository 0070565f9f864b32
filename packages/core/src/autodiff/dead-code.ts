/**
 * Clean-up before a graph is written: dead-node elimination, shape-only folding (Shape/Size of statically
 * known shapes become constants, then small integer subgraphs over constants are evaluated), no-op removal
 * (Identity, Reshape/Expand/Squeeze/Unsqueeze to the same static shape, Cast to the same type) and common
 * subexpression elimination (the backward pass re-derives the same shapes and transposes many times).
 * Graph outputs keep their names. Run it after gradients(): custom-gradient blocks are not tracked here.
 */
import { tensorValue, type DType, type TensorValue } from '../onnx/dtype.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import { attrInt, attrInts, type NodeRecord } from '../onnx/types.js';
import { staticShape } from './grad-math.js';

/** Folded constants stay small: this many elements at most. */
const MAX_FOLDED_ELEMENTS = 64;
const RANDOM_OPS = new Set([
  'RandomNormal',
  'RandomNormalLike',
  'RandomUniform',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
  'Dropout',
]);
const NO_OPS = new Set(['Identity', 'Reshape', 'Expand', 'Squeeze', 'Unsqueeze', 'Flatten', 'Cast']);

export interface OptimizeResult {
  nodesBefore: number;
  nodesAfter: number;
}

/** Shrinks the main graph in place (subgraphs are only pruned); returns its node counts before and after. */
export function optimizeForWriting(g: GraphBuilder): OptimizeResult {
  const nodesBefore = g.nodes.length;
  g.pruneDeadNodes();
  for (let round = 0; round < 4; round++) {
    const changed = foldAndForward(g) + eliminateCommonSubexpressions(g);
    g.pruneDeadNodes();
    if (changed === 0) break;
  }
  return { nodesBefore, nodesAfter: g.nodes.length };
}

/** A rename plan applied in one sweep (the builder's replaceUses is a full scan per call). */
class Renamer {
  private readonly map = new Map<string, string>();
  constructor(private readonly g: GraphBuilder) {}
  set(from: string, to: string): void {
    this.map.set(from, this.resolve(to));
  }
  resolve(name: string): string {
    let n = name;
    for (let next = this.map.get(n); next !== undefined; next = this.map.get(n)) n = next;
    return n;
  }
  rewriteInputs(n: NodeRecord): void {
    n.inputs = n.inputs.map((i) => (i ? this.resolve(i) : i));
  }
  get size(): number {
    return this.map.size;
  }
  /** Renames every remaining read: node inputs (a sweep may meet readers before their rename) and subgraph reads. */
  finish(): void {
    if (this.map.size === 0) return;
    for (const n of this.g.nodes) {
      this.rewriteInputs(n);
      for (const a of Object.values(n.attributes)) {
        if (a.type !== 'graph') continue;
        const free = a.value.freeNames();
        for (const [from] of this.map) if (free.has(from)) a.value.replaceUses(from, this.resolve(from));
      }
    }
  }
}

function hasSubgraph(n: NodeRecord): boolean {
  return Object.values(n.attributes).some((a) => a.type === 'graph');
}

/** Folds shape-only nodes to constants and forwards no-op nodes to their inputs. Returns the number of changes. */
function foldAndForward(g: GraphBuilder): number {
  const outputs = new Set(g.outputs.map((o) => o.name));
  const renamer = new Renamer(g);
  const drop: string[] = [];
  const values = new Map<string, TensorValue>();
  const valueOf = (name: string) => values.get(name) ?? g.constValue(name);
  for (const n of [...g.nodes]) {
    renamer.rewriteInputs(n);
    if (n.opType === 'Constant' || hasSubgraph(n) || n.outputs.some((o) => outputs.has(o))) continue;
    const out = g.findTensor(n.outputs[0]);
    if (!out) continue;
    if (NO_OPS.has(n.opType) && n.outputs.length === 1) {
      const input = g.findTensor(n.inputs[0]);
      const same =
        n.opType === 'Identity' || (input && input.dtype === out.dtype && staticShape(input.shape) && sameDims(input.shape, out.shape));
      if (same && input) {
        renamer.set(n.outputs[0], input.name);
        drop.push(n.name);
        continue;
      }
    }
    const folded = evaluate(n, g, valueOf);
    if (folded && folded.data.length <= MAX_FOLDED_ELEMENTS) {
      const c = g.constant(folded, { name: `${n.name}/folded` });
      values.set(c.name, folded);
      renamer.set(n.outputs[0], c.name);
      drop.push(n.name);
    }
  }
  renamer.finish();
  g.removeNodes(drop);
  return drop.length;
}

function sameDims(a: readonly (number | string | null)[] | null, b: readonly (number | string | null)[] | null): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Merges nodes with the same op, inputs and attributes (deterministic ops without subgraphs). */
function eliminateCommonSubexpressions(g: GraphBuilder): number {
  const outputs = new Set(g.outputs.map((o) => o.name));
  const renamer = new Renamer(g);
  const seen = new Map<string, NodeRecord>();
  const drop: string[] = [];
  g.sortNodes();
  for (const n of g.nodes) {
    renamer.rewriteInputs(n);
    if (RANDOM_OPS.has(n.opType) || hasSubgraph(n) || n.outputs.some((o) => outputs.has(o))) continue;
    const key = nodeKey(n);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, n);
      continue;
    }
    n.outputs.forEach((o, i) => o && renamer.set(o, first.outputs[i]));
    drop.push(n.name);
  }
  renamer.finish();
  g.removeNodes(drop);
  return drop.length;
}

function nodeKey(n: NodeRecord): string | undefined {
  const attrs: string[] = [];
  for (const k of Object.keys(n.attributes).sort()) {
    const a = n.attributes[k];
    if (a.type === 'tensor') {
      if (a.value.data.length > 4096) return undefined;
      attrs.push(
        `${k}=${a.value.dtype}[${a.value.dims.join(',')}]${Array.from(a.value.data as ArrayLike<number | bigint>, String).join(',')}`,
      );
    } else if (a.type === 'graph') return undefined;
    else attrs.push(`${k}=${a.type}:${JSON.stringify(a.value)}`);
  }
  return `${n.opType}|${n.outputs.length}|${n.inputs.join(',')}|${attrs.join(';')}`;
}

// ------------------------------------------------------------------------------------ evaluation

type Value = { dtype: DType; dims: number[]; data: number[] };

const INT_TYPES = new Set<DType>(['int64', 'int32', 'bool']);

/** Evaluates a shape-only node when its inputs are known small integer tensors; undefined otherwise. */
function evaluate(n: NodeRecord, g: GraphBuilder, valueOf: (name: string) => TensorValue | undefined): TensorValue | undefined {
  if (n.outputs.length !== 1) return undefined;
  const out = g.findTensor(n.outputs[0]);
  if (!out || !INT_TYPES.has(out.dtype)) return undefined;
  if (n.opType === 'Shape' || n.opType === 'Size') {
    const x = g.findTensor(n.inputs[0]);
    const s = x && staticShape(x.shape);
    if (!s) return undefined;
    if (n.opType === 'Size') return tensorValue('int64', [s.reduce((a, d) => a * d, 1)], []);
    const r = s.length;
    const clampAxis = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
    return tensorValue('int64', s.slice(clampAxis(attrInt(n.attributes, 'start', 0)), clampAxis(attrInt(n.attributes, 'end', r))));
  }
  const inputs: Array<Value | null> = [];
  for (const i of n.inputs) {
    if (!i) {
      inputs.push(null);
      continue;
    }
    const v = valueOf(i);
    if (!v || v.data.length > MAX_FOLDED_ELEMENTS) return undefined;
    const data = Array.from(v.data as ArrayLike<number | bigint>, Number);
    if (data.some((d) => !Number.isSafeInteger(d))) return undefined;
    inputs.push({ dtype: v.dtype, dims: [...v.dims], data });
  }
  const result = compute(n, inputs);
  if (!result || result.data.some((d) => !Number.isSafeInteger(d))) return undefined;
  return tensorValue(out.dtype, result.data, result.dims);
}

function compute(n: NodeRecord, xs: Array<Value | null>): Value | undefined {
  const a = xs[0];
  if (!a) return undefined;
  switch (n.opType) {
    case 'Add':
      return broadcast(a, xs[1], (p, q) => p + q);
    case 'Sub':
      return broadcast(a, xs[1], (p, q) => p - q);
    case 'Mul':
      return broadcast(a, xs[1], (p, q) => p * q);
    case 'Div':
      return broadcast(a, xs[1], (p, q) => (q === 0 ? NaN : Math.trunc(p / q)));
    case 'Equal':
      return broadcast(a, xs[1], (p, q) => (p === q ? 1 : 0), 'bool');
    case 'Less':
      return broadcast(a, xs[1], (p, q) => (p < q ? 1 : 0), 'bool');
    case 'Greater':
      return broadcast(a, xs[1], (p, q) => (p > q ? 1 : 0), 'bool');
    case 'Max':
      return xs.length === 2 ? broadcast(a, xs[1], Math.max) : undefined;
    case 'Min':
      return xs.length === 2 ? broadcast(a, xs[1], Math.min) : undefined;
    case 'Not':
      return { ...a, data: a.data.map((v) => (v ? 0 : 1)) };
    case 'Neg':
      return { ...a, data: a.data.map((v) => -v) };
    case 'Cast':
      return { ...a, data: a.data.map((v) => v) };
    case 'Identity':
      return a;
    case 'Concat':
      return xs.every((x) => x && x.dims.length === 1) && [0, -1].includes(attrInt(n.attributes, 'axis', 0))
        ? { dtype: a.dtype, dims: [xs.reduce((s, x) => s + x!.data.length, 0)], data: xs.flatMap((x) => x!.data) }
        : undefined;
    case 'Unsqueeze':
    case 'Squeeze':
    case 'Reshape': {
      if (n.opType === 'Reshape') {
        const shape = xs[1]?.data;
        if (!shape || shape.some((d) => d === 0)) return undefined;
        const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
        const dims = shape.map((d) => (d === -1 ? a.data.length / known : d));
        return dims.every((d) => Number.isInteger(d)) ? { ...a, dims } : undefined;
      }
      const axes = xs[1]?.data ?? attrInts(n.attributes, 'axes');
      if (n.opType === 'Unsqueeze') {
        if (!axes) return undefined;
        const r = a.dims.length + axes.length;
        const norm = axes.map((x) => (x < 0 ? x + r : x));
        const dims: number[] = [];
        for (let i = 0, j = 0; i < r; i++) dims.push(norm.includes(i) ? 1 : a.dims[j++]);
        return { ...a, dims };
      }
      const r = a.dims.length;
      const norm = (axes ?? a.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((x) => (x < 0 ? x + r : x));
      return { ...a, dims: a.dims.filter((_, i) => !norm.includes(i)) };
    }
    case 'Gather': {
      const idx = xs[1];
      if (!idx || a.dims.length !== 1 || attrInt(n.attributes, 'axis', 0) !== 0) return undefined;
      const len = a.data.length;
      const data = idx.data.map((i) => a.data[i < 0 ? i + len : i]);
      return data.some((d) => d === undefined) ? undefined : { dtype: a.dtype, dims: idx.dims, data };
    }
    case 'Slice': {
      if (a.dims.length !== 1) return undefined;
      const [start, end] = [xs[1]?.data[0], xs[2]?.data[0]];
      const step = xs[4]?.data[0] ?? 1;
      if (start === undefined || end === undefined || step !== 1 || (xs[3] && xs[3].data[0] !== 0 && xs[3].data[0] !== -1))
        return undefined;
      const len = a.data.length;
      const clamp = (v: number) => Math.min(len, Math.max(0, v < 0 ? v + len : v));
      const data = a.data.slice(clamp(start), Math.max(clamp(start), clamp(end)));
      return { dtype: a.dtype, dims: [data.length], data };
    }
    case 'Range': {
      const [s, l, d] = [a.data[0], xs[1]?.data[0], xs[2]?.data[0]];
      if (l === undefined || !d) return undefined;
      const count = Math.max(0, Math.ceil((l - s) / d));
      if (count > MAX_FOLDED_ELEMENTS) return undefined;
      return { dtype: a.dtype, dims: [count], data: Array.from({ length: count }, (_, i) => s + i * d) };
    }
    case 'ReduceProd':
      return a.dims.length === 1 && !attrInts(n.attributes, 'axes') && attrInt(n.attributes, 'keepdims', 1) === 0
        ? { dtype: a.dtype, dims: [], data: [a.data.reduce((p, v) => p * v, 1)] }
        : undefined;
    case 'ConstantOfShape': {
      const value = n.attributes.value;
      const fill = value && value.type === 'tensor' ? Number((value.value.data as ArrayLike<number | bigint>)[0]) : 0;
      const count = a.data.reduce((p, v) => p * v, 1);
      return count <= MAX_FOLDED_ELEMENTS ? { dtype: a.dtype, dims: a.data, data: new Array<number>(count).fill(fill) } : undefined;
    }
    default:
      return undefined;
  }
}

/** Elementwise op with numpy broadcasting over small tensors. */
function broadcast(a: Value, b: Value | null, f: (p: number, q: number) => number, dtype?: DType): Value | undefined {
  if (!b) return undefined;
  const r = Math.max(a.dims.length, b.dims.length);
  const pa = [...new Array<number>(r - a.dims.length).fill(1), ...a.dims];
  const pb = [...new Array<number>(r - b.dims.length).fill(1), ...b.dims];
  const dims: number[] = [];
  for (let i = 0; i < r; i++) {
    if (pa[i] !== pb[i] && pa[i] !== 1 && pb[i] !== 1) return undefined;
    dims.push(pa[i] === 1 ? pb[i] : pa[i]);
  }
  const count = dims.reduce((p, d) => p * d, 1);
  const at = (v: Value, padded: number[], flat: number) => {
    let idx = 0;
    let rest = flat;
    let stride = 1;
    for (let i = r - 1; i >= 0; i--) {
      const coord = rest % dims[i];
      rest = Math.floor(rest / dims[i]);
      if (padded[i] !== 1) idx += coord * stride;
      stride *= padded[i];
    }
    return v.data[idx];
  };
  const data = Array.from({ length: count }, (_, k) => f(at(a, pa, k), at(b, pb, k)));
  return { dtype: dtype ?? a.dtype, dims, data };
}
