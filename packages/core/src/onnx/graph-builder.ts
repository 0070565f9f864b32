/**
 * GraphBuilder: builds one ONNX graph (opset 17, default domain) node by node, with a typed method per op
 * that infers output dtypes and shapes as it goes. Nodes are plain records in topological order, so later
 * passes (autodiff, dead-node elimination) can read them, append more with the same op methods, rewire,
 * rename and remove. Loop/Scan/If bodies are child builders that see the outer graph's tensors by name.
 */
import { HybridocError } from '../util/errors.js';
import { tensorValue, tensorToNumbers, type DType, type TensorValue } from './dtype.js';
import { buildModel, type ModelOptions } from './model.js';
import { onnx } from './onnx-proto.js';
import { OPSET17_OPS } from './opset.js';
import { attrToProto, tensorToProto, valueInfoToProto } from './proto-convert.js';
import { inferOutputs, mergeShapes, ShapeError } from './shape-inference.js';
import { dtypeToOnnx } from './dtype.js';
import {
  typeToString,
  type AttrValue,
  type Attributes,
  type Dim,
  type NodeRecord,
  type Shape,
  type TensorRef,
  type TensorType,
} from './types.js';

/** A tensor: its handle, or its name. */
export type Input = TensorRef | string;
/** A tensor, or a JS number that becomes a scalar constant of the other operands' dtype. */
export type Operand = Input | number;
/** A tensor, or JS integers that become an int64 constant (axes, shapes, starts, repeats...). */
export type IntsInput = Input | number | readonly number[];

export interface OpOptions {
  /** A readable name for the node and its output (made unique, prefixed by the current scope). */
  name?: string;
}

export interface OutputSpec {
  dtype: DType;
  shape?: Shape;
  name?: string;
}

export interface LoopBodyResult {
  /** The condition for the next iteration (default: true). */
  cond?: Input | boolean;
  /** Loop-carried values for the next iteration, one per initial value. */
  carried: Input[];
  /** Per-iteration values, stacked along a new first axis. */
  scanOutputs?: Input[];
}
export type LoopBody = (body: GraphBuilder, iteration: TensorRef, cond: TensorRef, carried: TensorRef[]) => LoopBodyResult;

export interface LoopOptions extends OpOptions {
  /** Maximum trip count (int64 scalar); null or omitted for none. */
  tripCount?: IntsInput | null;
  /** Initial condition (bool scalar); null or omitted for none. */
  cond?: Input | boolean | null;
  /** Initial loop-carried values. */
  carried: Input[];
  /** Declared shapes of the loop-carried values inside the body (default: the initial values' shapes). */
  carriedShapes?: Shape[];
}

export interface ScanBodyResult {
  states: Input[];
  scanOutputs?: Input[];
}
export type ScanBody = (body: GraphBuilder, states: TensorRef[], elements: TensorRef[]) => ScanBodyResult;

export interface ScanOptions extends OpOptions {
  states: Input[];
  scanInputs: Input[];
  scanInputAxes?: number[];
  scanInputDirections?: number[];
  scanOutputAxes?: number[];
  scanOutputDirections?: number[];
  /** Declared shapes of the states inside the body (default: the initial states' shapes). */
  stateShapes?: Shape[];
}

export interface LoopResult {
  /** Final values of the loop-carried (Loop) or state (Scan) variables. */
  states: TensorRef[];
  /** Stacked per-iteration outputs. */
  scanOutputs: TensorRef[];
}

/** Constants up to this many elements take part in shape inference (axes, shapes, starts, ranges). */
const MAX_CONST_ELEMENTS = 64;

interface NameRegistry {
  used: Set<string>;
}

type ReduceOptions = OpOptions & { keepdims?: boolean };

/** Builds one graph; `new GraphBuilder('model')` for a main graph, child builders come from loop/scan/if. */
export class GraphBuilder {
  readonly name: string;
  readonly parent: GraphBuilder | undefined;
  private readonly registry: NameRegistry;
  private readonly nodeList: NodeRecord[] = [];
  private readonly inputList: TensorRef[] = [];
  private readonly outputList: TensorRef[] = [];
  private readonly inits = new Map<string, TensorValue>();
  private readonly tensorMap = new Map<string, TensorRef>();
  /** Contents of small integer tensors known as dims (TensorType.value), by tensor name. */
  private readonly symbolicValues = new Map<string, readonly Dim[]>();
  private readonly constMap = new Map<string, TensorValue>();
  /** Outputs of generic node() calls whose types are the caller's guess: no value_info is written for them. */
  private readonly guessed = new Set<string>();
  private readonly scopes: string[];

  constructor(name = 'main', options: { parent?: GraphBuilder; scope?: string } = {}) {
    this.name = name;
    this.parent = options.parent;
    this.registry = options.parent ? options.parent.registry : { used: new Set() };
    this.scopes = options.scope ? [options.scope] : [];
  }

  // ------------------------------------------------------------------------------------------ names

  /** A fresh unique name (across this graph, its subgraphs and its parents) under the current scope. */
  uniqueName(base: string): string {
    return this.claimFree([...this.scopes, base].filter(Boolean).join('/'));
  }

  /** Claims `full`, or `full_1`, `full_2`... when taken. */
  private claimFree(full: string): string {
    let name = full;
    for (let i = 1; this.registry.used.has(name); i++) name = `${full}_${i}`;
    this.registry.used.add(name);
    return name;
  }

  /** Runs fn with `prefix/` prepended to every name it creates, e.g. scope('layer.0', () => ...). */
  scope<T>(prefix: string, fn: () => T): T {
    this.scopes.push(prefix);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  get currentScope(): string {
    return this.scopes.join('/');
  }

  // ----------------------------------------------------------------------------------- inspection

  /** Nodes in topological order (the live array: read it, change it through the methods below). */
  get nodes(): readonly NodeRecord[] {
    return this.nodeList;
  }
  get inputs(): readonly TensorRef[] {
    return this.inputList;
  }
  get outputs(): readonly TensorRef[] {
    return this.outputList;
  }
  get initializers(): ReadonlyMap<string, TensorValue> {
    return this.inits;
  }

  /** A tensor of this graph or an enclosing one, by name; throws when there is none. */
  tensor(name: string): TensorRef {
    const t = this.findTensor(name);
    if (!t) throw new HybridocError(`graph '${this.name}': no tensor named '${name}'`);
    return t;
  }

  findTensor(name: string): TensorRef | undefined {
    return this.tensorMap.get(name) ?? this.parent?.findTensor(name);
  }

  /** Whether the tensor is defined in this graph itself (not an outer-scope tensor). */
  ownsTensor(name: string): boolean {
    return this.tensorMap.has(name);
  }

  /** The value of a constant tensor (Constant node output or initializer), here or in an enclosing graph. */
  constValue(name: string): TensorValue | undefined {
    return this.constMap.get(name) ?? this.parent?.constValue(name);
  }

  /** The node producing a tensor of this graph. */
  producer(name: string): NodeRecord | undefined {
    return this.nodeList.find((n) => n.outputs.includes(name));
  }

  /** Nodes of this graph that read a tensor (directly, or inside their subgraphs). */
  consumers(name: string): NodeRecord[] {
    return this.nodeList.filter((n) => n.inputs.includes(name) || subgraphsOf(n).some((g) => g.freeNames().has(name)));
  }

  nodeByName(name: string): NodeRecord | undefined {
    return this.nodeList.find((n) => n.name === name);
  }

  /** Names this graph (and its subgraphs) read from enclosing scopes. */
  freeNames(): Set<string> {
    const defined = new Set<string>([...this.inputList.map((t) => t.name), ...this.inits.keys()]);
    const free = new Set<string>();
    for (const n of this.nodeList) {
      for (const i of n.inputs) if (i && !defined.has(i)) free.add(i);
      for (const g of subgraphsOf(n)) for (const f of g.freeNames()) if (!defined.has(f)) free.add(f);
      for (const o of n.outputs) if (o) defined.add(o);
    }
    for (const o of this.outputList) if (!defined.has(o.name)) free.add(o.name);
    return free;
  }

  // ------------------------------------------------------------------------- inputs, outputs, data

  /** A graph input. Dims are numbers, symbolic names ('batch') or null. */
  input(name: string, dtype: DType, shape: Shape): TensorRef {
    const t = this.define(this.claimExact(name), { dtype, shape: shape && [...shape] });
    this.inputList.push(t);
    return t;
  }

  /**
   * Marks a tensor as a graph output. With `name` (or when the tensor is not produced by a node of this
   * graph) an Identity node gives it its own name. `shape` declares the output shape (e.g. symbolic dims);
   * it must agree with what is known.
   */
  output(x: Input, options: { name?: string; shape?: Shape } = {}): TensorRef {
    let t = this.ref(x);
    if ((options.name && options.name !== t.name) || !this.producedHere(t.name) || this.outputList.some((o) => o.name === t.name)) {
      const name = options.name ? this.claimExact(options.name) : this.uniqueName(`${t.name.split('/').pop()}_out`);
      t = this.emit('Identity', [t.name], {}, { outputNames: [name], nodeName: name })[0];
    }
    if (options.shape !== undefined) {
      let shape: Shape;
      try {
        shape = mergeShapes(options.shape, t.shape);
      } catch (e) {
        throw new HybridocError(`graph '${this.name}': output '${t.name}': declared shape conflicts: ${(e as Error).message}`);
      }
      t = { name: t.name, dtype: t.dtype, shape };
      this.tensorMap.set(t.name, t);
    }
    this.outputList.push(t);
    return t;
  }

  /** A subgraph input under a fresh name made from `base` (Loop/Scan bodies). */
  bodyInput(base: string, dtype: DType, shape: Shape): TensorRef {
    const t = this.define(this.uniqueName(base), { dtype, shape: shape && [...shape] });
    this.inputList.push(t);
    return t;
  }

  /**
   * Marks a subgraph output: the tensor itself when this graph produces it and it is not yet an output,
   * else an Identity copy under a fresh name made from `base`.
   */
  bodyOutput(x: Input, base: string): TensorRef {
    const t = this.ref(x);
    if (this.producedHere(t.name) && !this.outputList.some((o) => o.name === t.name)) {
      this.outputList.push(t);
      return t;
    }
    const name = this.uniqueName(base);
    const copy = this.emit('Identity', [t.name], {}, { outputNames: [name], nodeName: name })[0];
    this.outputList.push(copy);
    return copy;
  }

  private producedHere(name: string): boolean {
    return this.ownsTensor(name) && !this.inits.has(name) && !this.inputList.some((i) => i.name === name);
  }

  /** A named initializer (a weight), stored as little-endian raw_data. */
  initializer(name: string, value: TensorValue): TensorRef {
    const t = this.define(this.claimExact(name), { dtype: value.dtype, shape: [...value.dims] });
    this.inits.set(t.name, value);
    this.constMap.set(t.name, value);
    return t;
  }

  /**
   * A Constant node. Numbers become float32 unless `dtype` says otherwise; a number gives a scalar, an array
   * a 1-D tensor, unless `dims` says otherwise.
   */
  constant(
    value: TensorValue | number | boolean | readonly number[] | readonly boolean[],
    options: OpOptions & { dtype?: DType; dims?: number[] } = {},
  ): TensorRef {
    let data: TensorValue;
    if (typeof value === 'number' || typeof value === 'boolean') {
      data = tensorValue(options.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'), [value] as number[], options.dims ?? []);
    } else if (Array.isArray(value)) {
      const dtype = options.dtype ?? (typeof value[0] === 'boolean' ? 'bool' : 'float32');
      data = tensorValue(dtype, value as number[], options.dims ?? [value.length]);
    } else data = value as TensorValue;
    return this.emit('Constant', [], { value: { type: 'tensor', value: data } }, { name: options.name ?? 'const' })[0];
  }

  /** An int64 constant (1-D from an array, a scalar from a number unless `dims` says otherwise). */
  constInt64(value: number | readonly number[], options: OpOptions & { dims?: number[] } = {}): TensorRef {
    return this.constant(value, { ...options, dtype: 'int64' });
  }

  // ---------------------------------------------------------------------------------- generic node

  /**
   * Any opset-17 op of the default domain. Attribute values may be typed (`attr.float(1)`) or plain: an
   * integer number becomes an int, a fractional one a float, arrays ints/floats, strings string(s), a
   * TensorValue a tensor, a GraphBuilder a graph. `outputs` is a count or specs; when the op has a shape rule
   * types are inferred, otherwise each output gets its spec's type (a count: the first input's dtype,
   * unknown shape, and no value_info is written for it).
   */
  node(
    opType: string,
    inputs: Array<Input | null>,
    attrs: Record<string, AttrValue | number | string | number[] | string[] | TensorValue | GraphBuilder> = {},
    outputs: number | OutputSpec[] = 1,
    options: OpOptions = {},
  ): TensorRef[] {
    const typed: Attributes = {};
    for (const [k, v] of Object.entries(attrs)) typed[k] = toAttr(v);
    const names = inputs.map((i) => (i === null ? '' : this.ref(i).name));
    const specs: OutputSpec[] =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => ({ dtype: names[0] ? this.tensor(names[0]).dtype : 'float32', shape: null }))
        : outputs;
    return this.emit(opType, names, typed, {
      name: options.name,
      outputNames: specs.map((s) => (s.name ? this.claimExact(s.name) : undefined)),
      fallback: specs.map((s) => ({ dtype: s.dtype, shape: s.shape ?? null })),
      guessed: typeof outputs === 'number',
    });
  }

  // ---------------------------------------------------------------------------- elementwise ops

  add(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('Add', a, b, o);
  }
  sub(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('Sub', a, b, o);
  }
  mul(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('Mul', a, b, o);
  }
  div(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('Div', a, b, o);
  }
  pow(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('Pow', a, b, o);
  }
  /** Mod; fmod=true for C fmod semantics (required for floats). */
  mod(a: Operand, b: Operand, o: OpOptions & { fmod?: boolean } = {}): TensorRef {
    const [x, y] = this.operands([a, b]);
    return this.op1('Mod', [x, y], o.fmod ? { fmod: { type: 'int', value: 1 } } : {}, o);
  }
  max(xs: Operand[], o: OpOptions = {}): TensorRef {
    return this.op1('Max', this.operands(xs), {}, o);
  }
  min(xs: Operand[], o: OpOptions = {}): TensorRef {
    return this.op1('Min', this.operands(xs), {}, o);
  }
  sum(xs: Operand[], o: OpOptions = {}): TensorRef {
    return this.op1('Sum', this.operands(xs), {}, o);
  }

  sqrt(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Sqrt', x, o);
  }
  exp(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Exp', x, o);
  }
  log(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Log', x, o);
  }
  erf(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Erf', x, o);
  }
  tanh(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Tanh', x, o);
  }
  relu(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Relu', x, o);
  }
  sigmoid(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Sigmoid', x, o);
  }
  neg(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Neg', x, o);
  }
  abs(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Abs', x, o);
  }
  reciprocal(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Reciprocal', x, o);
  }
  floor(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Floor', x, o);
  }
  ceil(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Ceil', x, o);
  }
  sign(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Sign', x, o);
  }
  identity(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Identity', x, o);
  }
  not(x: Input, o: OpOptions = {}): TensorRef {
    return this.unary('Not', x, o);
  }

  equal(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('Equal', a, b, o);
  }
  less(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('Less', a, b, o);
  }
  greater(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('Greater', a, b, o);
  }
  lessOrEqual(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('LessOrEqual', a, b, o);
  }
  greaterOrEqual(a: Operand, b: Operand, o: OpOptions = {}): TensorRef {
    return this.binary('GreaterOrEqual', a, b, o);
  }
  and(a: Input, b: Input, o: OpOptions = {}): TensorRef {
    return this.op1('And', [this.ref(a), this.ref(b)], {}, o);
  }
  or(a: Input, b: Input, o: OpOptions = {}): TensorRef {
    return this.op1('Or', [this.ref(a), this.ref(b)], {}, o);
  }
  xor(a: Input, b: Input, o: OpOptions = {}): TensorRef {
    return this.op1('Xor', [this.ref(a), this.ref(b)], {}, o);
  }

  /** Where(cond, x, y); numbers for x or y become scalars of the other's dtype. */
  where(cond: Input, x: Operand, y: Operand, o: OpOptions = {}): TensorRef {
    const [a, b] = this.operands([x, y]);
    return this.op1('Where', [this.ref(cond), a, b], {}, o);
  }

  cast(x: Input, to: DType, o: OpOptions = {}): TensorRef {
    return this.op1('Cast', [this.ref(x)], { to: { type: 'int', value: dtypeToOnnx(to) } }, o);
  }

  /** Clip to [min, max]; numbers become scalars of x's dtype, null leaves a side open. */
  clip(x: Input, min: Operand | null, max: Operand | null, o: OpOptions = {}): TensorRef {
    const t = this.ref(x);
    const bound = (v: Operand | null) => (v === null ? null : typeof v === 'number' ? this.scalar(v, t.dtype) : this.ref(v));
    return this.op1('Clip', [t, bound(min), bound(max)], {}, o);
  }

  // ------------------------------------------------------------------------------------ linear algebra

  matmul(a: Input, b: Input, o: OpOptions = {}): TensorRef {
    return this.op1('MatMul', [this.ref(a), this.ref(b)], {}, o);
  }

  gemm(
    a: Input,
    b: Input,
    c: Input | null,
    o: OpOptions & { alpha?: number; beta?: number; transA?: boolean; transB?: boolean } = {},
  ): TensorRef {
    const attrs: Attributes = {};
    if (o.alpha !== undefined) attrs.alpha = { type: 'float', value: o.alpha };
    if (o.beta !== undefined) attrs.beta = { type: 'float', value: o.beta };
    if (o.transA) attrs.transA = { type: 'int', value: 1 };
    if (o.transB) attrs.transB = { type: 'int', value: 1 };
    return this.op1('Gemm', [this.ref(a), this.ref(b), c === null ? null : this.ref(c)], attrs, o);
  }

  einsum(equation: string, inputs: Input[], o: OpOptions = {}): TensorRef {
    return this.op1(
      'Einsum',
      inputs.map((i) => this.ref(i)),
      { equation: { type: 'string', value: equation } },
      o,
    );
  }

  conv(
    x: Input,
    w: Input,
    b: Input | null,
    o: OpOptions & {
      kernelShape?: number[];
      pads?: number[];
      strides?: number[];
      dilations?: number[];
      group?: number;
      autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
    } = {},
  ): TensorRef {
    const attrs: Attributes = {};
    if (o.kernelShape) attrs.kernel_shape = { type: 'ints', value: o.kernelShape };
    if (o.pads) attrs.pads = { type: 'ints', value: o.pads };
    if (o.strides) attrs.strides = { type: 'ints', value: o.strides };
    if (o.dilations) attrs.dilations = { type: 'ints', value: o.dilations };
    if (o.group !== undefined) attrs.group = { type: 'int', value: o.group };
    if (o.autoPad && o.autoPad !== 'NOTSET') attrs.auto_pad = { type: 'string', value: o.autoPad };
    return this.op1('Conv', [this.ref(x), this.ref(w), b === null ? null : this.ref(b)], attrs, o);
  }

  // ------------------------------------------------------------------------------ normalisation

  softmax(x: Input, o: OpOptions & { axis?: number } = {}): TensorRef {
    return this.op1('Softmax', [this.ref(x)], { axis: { type: 'int', value: o.axis ?? -1 } }, o);
  }
  logSoftmax(x: Input, o: OpOptions & { axis?: number } = {}): TensorRef {
    return this.op1('LogSoftmax', [this.ref(x)], { axis: { type: 'int', value: o.axis ?? -1 } }, o);
  }

  /** LayerNormalization (opset 17), Y only. */
  layerNormalization(x: Input, scale: Input, bias: Input | null, o: OpOptions & { axis?: number; epsilon?: number } = {}): TensorRef {
    const attrs: Attributes = { axis: { type: 'int', value: o.axis ?? -1 } };
    if (o.epsilon !== undefined) attrs.epsilon = { type: 'float', value: o.epsilon };
    return this.op1('LayerNormalization', [this.ref(x), this.ref(scale), bias === null ? null : this.ref(bias)], attrs, o);
  }

  dropout(x: Input, o: OpOptions & { ratio?: Operand; trainingMode?: Input | boolean; seed?: number } = {}): [TensorRef, TensorRef] {
    const t = this.ref(x);
    const ratio = o.ratio === undefined ? null : typeof o.ratio === 'number' ? this.scalar(o.ratio, t.dtype) : this.ref(o.ratio);
    const mode =
      o.trainingMode === undefined ? null : typeof o.trainingMode === 'boolean' ? this.constant(o.trainingMode) : this.ref(o.trainingMode);
    const attrs: Attributes = o.seed === undefined ? {} : { seed: { type: 'int', value: o.seed } };
    const [y, mask] = this.emit('Dropout', this.names([t, ratio, mode]), attrs, { name: o.name, nOutputs: 2 });
    return [y, mask];
  }

  // ---------------------------------------------------------------------------------- reductions

  /** ReduceSum (opset 13: axes is an input). Omitted axes reduce everything. */
  reduceSum(x: Input, axes?: IntsInput | null, o: ReduceOptions & { noopWithEmptyAxes?: boolean } = {}): TensorRef {
    const attrs: Attributes = { keepdims: { type: 'int', value: o.keepdims === false ? 0 : 1 } };
    if (o.noopWithEmptyAxes) attrs.noop_with_empty_axes = { type: 'int', value: 1 };
    return this.op1('ReduceSum', [this.ref(x), axes === undefined || axes === null ? null : this.ints(axes)], attrs, o);
  }
  reduceMean(x: Input, axes?: number[] | null, o: ReduceOptions = {}): TensorRef {
    return this.reduceAttr('ReduceMean', x, axes, o);
  }
  reduceMax(x: Input, axes?: number[] | null, o: ReduceOptions = {}): TensorRef {
    return this.reduceAttr('ReduceMax', x, axes, o);
  }
  reduceMin(x: Input, axes?: number[] | null, o: ReduceOptions = {}): TensorRef {
    return this.reduceAttr('ReduceMin', x, axes, o);
  }
  reduceLogSumExp(x: Input, axes?: number[] | null, o: ReduceOptions = {}): TensorRef {
    return this.reduceAttr('ReduceLogSumExp', x, axes, o);
  }
  reduceSumSquare(x: Input, axes?: number[] | null, o: ReduceOptions = {}): TensorRef {
    return this.reduceAttr('ReduceSumSquare', x, axes, o);
  }
  reduceProd(x: Input, axes?: number[] | null, o: ReduceOptions = {}): TensorRef {
    return this.reduceAttr('ReduceProd', x, axes, o);
  }
  reduceL2(x: Input, axes?: number[] | null, o: ReduceOptions = {}): TensorRef {
    return this.reduceAttr('ReduceL2', x, axes, o);
  }

  argMax(x: Input, o: ReduceOptions & { axis?: number; selectLastIndex?: boolean } = {}): TensorRef {
    return this.argReduce('ArgMax', x, o);
  }
  argMin(x: Input, o: ReduceOptions & { axis?: number; selectLastIndex?: boolean } = {}): TensorRef {
    return this.argReduce('ArgMin', x, o);
  }

  /** TopK along axis: [values, indices (int64)]. */
  topK(x: Input, k: IntsInput, o: OpOptions & { axis?: number; largest?: boolean; sorted?: boolean } = {}): [TensorRef, TensorRef] {
    const attrs: Attributes = { axis: { type: 'int', value: o.axis ?? -1 } };
    if (o.largest === false) attrs.largest = { type: 'int', value: 0 };
    if (o.sorted === false) attrs.sorted = { type: 'int', value: 0 };
    const kk = typeof k === 'number' ? this.constInt64([k]) : this.ints(k);
    const [v, i] = this.emit('TopK', [this.ref(x).name, kk.name], attrs, { name: o.name, nOutputs: 2 });
    return [v, i];
  }

  cumSum(x: Input, axis: IntsInput, o: OpOptions & { exclusive?: boolean; reverse?: boolean } = {}): TensorRef {
    const attrs: Attributes = {};
    if (o.exclusive) attrs.exclusive = { type: 'int', value: 1 };
    if (o.reverse) attrs.reverse = { type: 'int', value: 1 };
    const ax = typeof axis === 'number' ? this.constInt64(axis) : this.ints(axis);
    return this.op1('CumSum', [this.ref(x), ax], attrs, o);
  }

  // ------------------------------------------------------------------------------- indexing ops

  /** Gather along axis; a JS number index gives a scalar index (drops the axis), an array a 1-D one. */
  gather(data: Input, indices: IntsInput, o: OpOptions & { axis?: number } = {}): TensorRef {
    const idx = typeof indices === 'number' ? this.constInt64(indices) : this.ints(indices);
    return this.op1('Gather', [this.ref(data), idx], { axis: { type: 'int', value: o.axis ?? 0 } }, o);
  }
  gatherElements(data: Input, indices: Input, o: OpOptions & { axis?: number } = {}): TensorRef {
    return this.op1('GatherElements', [this.ref(data), this.ref(indices)], { axis: { type: 'int', value: o.axis ?? 0 } }, o);
  }
  gatherND(data: Input, indices: Input, o: OpOptions & { batchDims?: number } = {}): TensorRef {
    const attrs: Attributes = o.batchDims ? { batch_dims: { type: 'int', value: o.batchDims } } : {};
    return this.op1('GatherND', [this.ref(data), this.ref(indices)], attrs, o);
  }
  scatterElements(
    data: Input,
    indices: Input,
    updates: Input,
    o: OpOptions & { axis?: number; reduction?: 'none' | 'add' | 'mul' } = {},
  ): TensorRef {
    const attrs: Attributes = { axis: { type: 'int', value: o.axis ?? 0 } };
    if (o.reduction && o.reduction !== 'none') attrs.reduction = { type: 'string', value: o.reduction };
    return this.op1('ScatterElements', [this.ref(data), this.ref(indices), this.ref(updates)], attrs, o);
  }
  scatterND(data: Input, indices: Input, updates: Input, o: OpOptions & { reduction?: 'none' | 'add' | 'mul' } = {}): TensorRef {
    const attrs: Attributes = o.reduction && o.reduction !== 'none' ? { reduction: { type: 'string', value: o.reduction } } : {};
    return this.op1('ScatterND', [this.ref(data), this.ref(indices), this.ref(updates)], attrs, o);
  }

  /** OneHot; values as [off, on] become a constant of `dtype` (default float32). */
  oneHot(
    indices: Input,
    depth: IntsInput,
    values: Input | [number, number],
    o: OpOptions & { axis?: number; dtype?: DType } = {},
  ): TensorRef {
    const d = typeof depth === 'number' ? this.constInt64(depth) : this.ints(depth);
    const v = Array.isArray(values) ? this.constant(values as number[], { dtype: o.dtype ?? 'float32' }) : this.ref(values as Input);
    return this.op1('OneHot', [this.ref(indices), d, v], { axis: { type: 'int', value: o.axis ?? -1 } }, o);
  }

  // ------------------------------------------------------------------------------------ shape ops

  /** Reshape; 0 copies the input dim, -1 is inferred. */
  reshape(x: Input, shape: IntsInput, o: OpOptions & { allowzero?: boolean } = {}): TensorRef {
    const attrs: Attributes = o.allowzero ? { allowzero: { type: 'int', value: 1 } } : {};
    return this.op1('Reshape', [this.ref(x), this.ints(shape)], attrs, o);
  }
  transpose(x: Input, perm?: number[], o: OpOptions = {}): TensorRef {
    return this.op1('Transpose', [this.ref(x)], perm ? { perm: { type: 'ints', value: perm } } : {}, o);
  }
  concat(xs: Input[], axis: number, o: OpOptions = {}): TensorRef {
    return this.op1(
      'Concat',
      xs.map((x) => this.ref(x)),
      { axis: { type: 'int', value: axis } },
      o,
    );
  }
  /** Split into `parts` equal pieces (a number) or pieces of the given sizes. */
  split(x: Input, parts: number | readonly number[] | TensorRef, o: OpOptions & { axis?: number; outputs?: number } = {}): TensorRef[] {
    const attrs: Attributes = { axis: { type: 'int', value: o.axis ?? 0 } };
    if (typeof parts === 'number') return this.emit('Split', [this.ref(x).name], attrs, { name: o.name, nOutputs: parts });
    const n = Array.isArray(parts) ? parts.length : o.outputs;
    if (!n) throw new HybridocError('split: with a tensor of sizes, give options.outputs');
    return this.emit('Split', [this.ref(x).name, this.ints(parts).name], attrs, { name: o.name, nOutputs: n });
  }
  /** Slice with starts/ends/axes/steps inputs (JS arrays become int64 constants). */
  slice(x: Input, starts: IntsInput, ends: IntsInput, axes?: IntsInput | null, steps?: IntsInput | null, o: OpOptions = {}): TensorRef {
    const opt = (v: IntsInput | null | undefined) => (v === undefined || v === null ? null : this.ints(v));
    return this.op1('Slice', [this.ref(x), this.ints(starts), this.ints(ends), opt(axes), opt(steps)], {}, o);
  }
  unsqueeze(x: Input, axes: IntsInput, o: OpOptions = {}): TensorRef {
    return this.op1('Unsqueeze', [this.ref(x), this.ints(axes)], {}, o);
  }
  squeeze(x: Input, axes?: IntsInput | null, o: OpOptions = {}): TensorRef {
    return this.op1('Squeeze', [this.ref(x), axes === undefined || axes === null ? null : this.ints(axes)], {}, o);
  }
  expand(x: Input, shape: IntsInput, o: OpOptions = {}): TensorRef {
    return this.op1('Expand', [this.ref(x), this.ints(shape)], {}, o);
  }
  tile(x: Input, repeats: IntsInput, o: OpOptions = {}): TensorRef {
    return this.op1('Tile', [this.ref(x), this.ints(repeats)], {}, o);
  }
  /** Pad with pads = [begin_0, ..., begin_n, end_0, ..., end_n]. */
  pad(x: Input, pads: IntsInput, o: OpOptions & { mode?: 'constant' | 'reflect' | 'edge'; value?: Operand } = {}): TensorRef {
    const t = this.ref(x);
    const value = o.value === undefined ? null : typeof o.value === 'number' ? this.scalar(o.value, t.dtype) : this.ref(o.value);
    const attrs: Attributes = o.mode && o.mode !== 'constant' ? { mode: { type: 'string', value: o.mode } } : {};
    return this.op1('Pad', [t, this.ints(pads), value], attrs, o);
  }
  flatten(x: Input, o: OpOptions & { axis?: number } = {}): TensorRef {
    return this.op1('Flatten', [this.ref(x)], { axis: { type: 'int', value: o.axis ?? 1 } }, o);
  }
  shape(x: Input, o: OpOptions & { start?: number; end?: number } = {}): TensorRef {
    const attrs: Attributes = {};
    if (o.start !== undefined) attrs.start = { type: 'int', value: o.start };
    if (o.end !== undefined) attrs.end = { type: 'int', value: o.end };
    return this.op1('Shape', [this.ref(x)], attrs, o);
  }
  size(x: Input, o: OpOptions = {}): TensorRef {
    return this.op1('Size', [this.ref(x)], {}, o);
  }
  /** ConstantOfShape filled with `value` of `dtype` (default float32 0). */
  constantOfShape(shape: IntsInput, o: OpOptions & { value?: number; dtype?: DType } = {}): TensorRef {
    const v = tensorValue(o.dtype ?? 'float32', [o.value ?? 0], [1]);
    return this.op1('ConstantOfShape', [this.ints(shape)], { value: { type: 'tensor', value: v } }, o);
  }
  /** Range(start, limit, delta); JS numbers become scalars of `dtype` (default: a tensor operand's, else int64). */
  range(start: Operand, limit: Operand, delta: Operand, o: OpOptions & { dtype?: DType } = {}): TensorRef {
    const peer = [start, limit, delta].find((v): v is Input => typeof v !== 'number');
    const dtype = o.dtype ?? (peer ? this.ref(peer).dtype : 'int64');
    const s = (v: Operand) => (typeof v === 'number' ? this.scalar(v, dtype) : this.ref(v));
    return this.op1('Range', [s(start), s(limit), s(delta)], {}, o);
  }
  trilu(x: Input, o: OpOptions & { upper?: boolean; k?: IntsInput } = {}): TensorRef {
    const k = o.k === undefined ? null : typeof o.k === 'number' ? this.constInt64(o.k) : this.ints(o.k);
    return this.op1('Trilu', [this.ref(x), k], { upper: { type: 'int', value: o.upper === false ? 0 : 1 } }, o);
  }

  // ------------------------------------------------------------------------------- control flow

  /**
   * Loop. The body gets (iteration int64 scalar, cond bool scalar, carried values) and returns the next
   * cond (default true), the next carried values and per-iteration scan outputs.
   */
  loop(o: LoopOptions, body: LoopBody): LoopResult {
    const nodeName = this.uniqueName(o.name ?? 'Loop');
    const init = o.carried.map((c) => this.ref(c));
    const g = new GraphBuilder(`${nodeName}/body`, { parent: this, scope: `${nodeName}/body` });
    const iter = g.bodyInput('iter', 'int64', []);
    const condIn = g.bodyInput('cond_in', 'bool', []);
    const carriedIn = init.map((t, i) => g.bodyInput(`carried_${i}`, t.dtype, o.carriedShapes?.[i] ?? t.shape));
    const r = body(g, iter, condIn, carriedIn);
    if (r.carried.length !== init.length) {
      throw new HybridocError(`loop '${nodeName}': the body returned ${r.carried.length} carried values for ${init.length}`);
    }
    const condOut = r.cond === undefined || typeof r.cond === 'boolean' ? g.constant(r.cond ?? true) : g.ref(r.cond);
    g.bodyOutput(condOut, 'cond_out');
    r.carried.forEach((c, i) => g.bodyOutput(c, `carried_${i}_out`));
    (r.scanOutputs ?? []).forEach((s, i) => g.bodyOutput(s, `scan_${i}_out`));
    const trip =
      o.tripCount === undefined || o.tripCount === null
        ? null
        : typeof o.tripCount === 'number'
          ? this.constInt64(o.tripCount)
          : this.ints(o.tripCount);
    const cond = o.cond === undefined || o.cond === null ? null : typeof o.cond === 'boolean' ? this.constant(o.cond) : this.ref(o.cond);
    const outs = this.emit(
      'Loop',
      this.names([trip, cond, ...init]),
      { body: { type: 'graph', value: g } },
      { nodeName, nOutputs: init.length + (r.scanOutputs?.length ?? 0) },
    );
    return { states: outs.slice(0, init.length), scanOutputs: outs.slice(init.length) };
  }

  /** Scan. The body gets (states, one slice of each scan input) and returns the next states and scan outputs. */
  scan(o: ScanOptions, body: ScanBody): LoopResult {
    const nodeName = this.uniqueName(o.name ?? 'Scan');
    const states = o.states.map((s) => this.ref(s));
    const xs = o.scanInputs.map((s) => this.ref(s));
    const g = new GraphBuilder(`${nodeName}/body`, { parent: this, scope: `${nodeName}/body` });
    const stateIn = states.map((t, i) => g.bodyInput(`state_${i}`, t.dtype, o.stateShapes?.[i] ?? t.shape));
    const elemIn = xs.map((t, i) => {
      let shape: Shape = null;
      if (t.shape) {
        const r = t.shape.length;
        const ax = o.scanInputAxes?.[i] ?? 0;
        const a = ax < 0 ? ax + r : ax;
        shape = t.shape.filter((_, j) => j !== a);
      }
      return g.bodyInput(`elem_${i}`, t.dtype, shape);
    });
    const r = body(g, stateIn, elemIn);
    if (r.states.length !== states.length)
      throw new HybridocError(`scan '${nodeName}': the body returned ${r.states.length} states for ${states.length}`);
    r.states.forEach((s, i) => g.bodyOutput(s, `state_${i}_out`));
    (r.scanOutputs ?? []).forEach((s, i) => g.bodyOutput(s, `scan_${i}_out`));
    const attrs: Attributes = { body: { type: 'graph', value: g }, num_scan_inputs: { type: 'int', value: xs.length } };
    if (o.scanInputAxes) attrs.scan_input_axes = { type: 'ints', value: o.scanInputAxes };
    if (o.scanInputDirections) attrs.scan_input_directions = { type: 'ints', value: o.scanInputDirections };
    if (o.scanOutputAxes) attrs.scan_output_axes = { type: 'ints', value: o.scanOutputAxes };
    if (o.scanOutputDirections) attrs.scan_output_directions = { type: 'ints', value: o.scanOutputDirections };
    const outs = this.emit('Scan', this.names([...states, ...xs]), attrs, {
      nodeName,
      nOutputs: states.length + (r.scanOutputs?.length ?? 0),
    });
    return { states: outs.slice(0, states.length), scanOutputs: outs.slice(states.length) };
  }

  /** If: each branch builds its graph and returns its outputs (same count and dtypes). */
  if(cond: Input, thenBranch: (g: GraphBuilder) => Input[], elseBranch: (g: GraphBuilder) => Input[], o: OpOptions = {}): TensorRef[] {
    const nodeName = this.uniqueName(o.name ?? 'If');
    const branch = (label: string, fn: (g: GraphBuilder) => Input[]) => {
      const g = new GraphBuilder(`${nodeName}/${label}`, { parent: this, scope: `${nodeName}/${label}` });
      fn(g).forEach((t, i) => g.bodyOutput(t, `out_${i}`));
      return g;
    };
    const a = branch('then', thenBranch);
    const b = branch('else', elseBranch);
    return this.emit(
      'If',
      [this.ref(cond).name],
      { then_branch: { type: 'graph', value: a }, else_branch: { type: 'graph', value: b } },
      { nodeName, nOutputs: a.outputs.length },
    );
  }

  // --------------------------------------------------------------------------- editing (passes)

  /** Removes nodes by name (their output tensors are forgotten). */
  removeNodes(names: Iterable<string>): void {
    const drop = new Set(names);
    for (let i = this.nodeList.length - 1; i >= 0; i--) {
      const n = this.nodeList[i];
      if (!drop.has(n.name)) continue;
      this.nodeList.splice(i, 1);
      for (const o of n.outputs) {
        this.tensorMap.delete(o);
        this.constMap.delete(o);
        this.guessed.delete(o);
      }
    }
  }

  /** Drops graph outputs by name (the tensors stay; prune afterwards to drop what only they needed). */
  removeOutputs(names: Iterable<string>): void {
    const drop = new Set(names);
    for (let i = this.outputList.length - 1; i >= 0; i--) if (drop.has(this.outputList[i].name)) this.outputList.splice(i, 1);
  }

  /** Rewires every reader of tensor `from` (node inputs here and in subgraphs, graph outputs) to `to`. */
  replaceUses(from: string, to: Input): void {
    const target = this.ref(to);
    for (const n of this.nodeList) {
      n.inputs = n.inputs.map((i) => (i === from ? target.name : i));
      for (const g of subgraphsOf(n)) g.replaceUses(from, target.name);
    }
    this.outputList.forEach((o, i) => {
      if (o.name === from) this.outputList[i] = target;
    });
  }

  /** Renames a tensor defined in this graph everywhere it appears (including subgraph references). */
  renameTensor(from: string, to: string): void {
    const t = this.tensorMap.get(from);
    if (!t) throw new HybridocError(`graph '${this.name}': no tensor '${from}' to rename`);
    const name = this.claimExact(to);
    const renamed: TensorRef = { name, dtype: t.dtype, shape: t.shape };
    this.tensorMap.delete(from);
    this.tensorMap.set(name, renamed);
    for (const m of [this.constMap, this.inits] as Array<Map<string, TensorValue>>) {
      if (m.has(from)) {
        m.set(name, m.get(from)!);
        m.delete(from);
      }
    }
    if (this.guessed.delete(from)) this.guessed.add(name);
    this.inputList.forEach((x, i) => x.name === from && (this.inputList[i] = renamed));
    for (const n of this.nodeList) n.outputs = n.outputs.map((o) => (o === from ? name : o));
    this.replaceUses(from, renamed);
  }

  /** Removes nodes whose outputs reach no graph output (subgraph reads count as uses). Returns their names. */
  pruneDeadNodes(): string[] {
    this.sortNodes();
    const live = new Set(this.outputList.map((o) => o.name));
    const dead: string[] = [];
    for (let i = this.nodeList.length - 1; i >= 0; i--) {
      const n = this.nodeList[i];
      if (!n.outputs.some((o) => o && live.has(o))) {
        dead.push(n.name);
        continue;
      }
      for (const inp of n.inputs) if (inp) live.add(inp);
      for (const g of subgraphsOf(n)) {
        g.pruneDeadNodes();
        for (const f of g.freeNames()) live.add(f);
      }
    }
    this.removeNodes(dead);
    return dead.reverse();
  }

  /**
   * Restores topological order after rewiring (a node reading a tensor made by a later node moves after its
   * producer); nodes already in order keep their places.
   */
  sortNodes(): void {
    const producerIndex = new Map<string, number>();
    this.nodeList.forEach((n, i) => n.outputs.forEach((o) => o && producerIndex.set(o, i)));
    const state = new Uint8Array(this.nodeList.length); // 0 new, 1 visiting, 2 done
    const order: NodeRecord[] = [];
    const visit = (i: number) => {
      if (state[i] !== 0) return;
      state[i] = 1;
      const n = this.nodeList[i];
      const deps = [...n.inputs, ...subgraphsOf(n).flatMap((g) => [...g.freeNames()])];
      for (const d of deps) {
        const j = producerIndex.get(d);
        if (j !== undefined && j !== i) visit(j);
      }
      state[i] = 2;
      order.push(n);
    };
    this.nodeList.forEach((_, i) => visit(i));
    this.nodeList.splice(0, this.nodeList.length, ...order);
  }

  // ----------------------------------------------------------------------------------- output

  /** The GraphProto of this graph (recursively for subgraphs), with value_info for every inferred tensor. */
  toGraphProto(): onnx.IGraphProto {
    this.sortNodes();
    const declared = new Set<string>([...this.inputList.map((t) => t.name), ...this.outputList.map((t) => t.name), ...this.inits.keys()]);
    const valueInfo: onnx.IValueInfoProto[] = [];
    for (const n of this.nodeList) {
      for (const o of n.outputs) {
        if (!o || declared.has(o) || this.guessed.has(o)) continue;
        const t = this.tensorMap.get(o);
        if (t) valueInfo.push(valueInfoToProto(o, t));
      }
    }
    return {
      name: this.name,
      node: this.nodeList.map((n) => ({
        name: n.name,
        opType: n.opType,
        input: serializedInputs(n),
        output: [...n.outputs],
        attribute: Object.entries(n.attributes).map(([k, v]) => attrToProto(k, v, (g) => g.value.toGraphProto())),
      })),
      initializer: [...this.inits].map(([name, t]) => tensorToProto(t, name)),
      input: this.inputList.map((t) => valueInfoToProto(t.name, t)),
      output: this.outputList.map((t) => valueInfoToProto(t.name, t)),
      valueInfo,
    };
  }

  /** The checked ModelProto (throws a HybridocError listing every structural problem). */
  toModel(options: ModelOptions = {}): onnx.ModelProto {
    if (this.parent) throw new HybridocError(`graph '${this.name}' is a subgraph; build the model from the main graph`);
    return buildModel(this, options);
  }

  /** The checked model and its encoded bytes, ready for onnxruntime or saveModel(). */
  finalize(options: ModelOptions = {}): { model: onnx.ModelProto; bytes: Uint8Array } {
    const model = this.toModel(options);
    return { model, bytes: onnx.ModelProto.encode(model).finish() };
  }

  // ------------------------------------------------------------------------------------ internals

  /** The handle of a tensor given by handle or name, checking it is visible from this graph. */
  ref(x: Input): TensorRef {
    const name = typeof x === 'string' ? x : x.name;
    const t = this.findTensor(name);
    if (!t) throw new HybridocError(`graph '${this.name}': tensor '${name}' is not defined here or in an enclosing graph`);
    return t;
  }

  private claimExact(name: string): string {
    if (this.registry.used.has(name)) throw new HybridocError(`graph '${this.name}': the name '${name}' is already taken`);
    this.registry.used.add(name);
    return name;
  }

  private define(name: string, type: TensorType): TensorRef {
    const t: TensorRef = { name, dtype: type.dtype, shape: type.shape };
    this.tensorMap.set(name, t);
    return t;
  }

  private names(xs: Array<TensorRef | null>): string[] {
    return xs.map((x) => (x === null ? '' : x.name));
  }

  private scalar(v: number, dtype: DType): TensorRef {
    return this.constant(v, { dtype });
  }

  private ints(v: IntsInput): TensorRef {
    if (typeof v === 'number') return this.constInt64([v]);
    if (Array.isArray(v)) return this.constInt64(v as number[]);
    return this.ref(v as Input);
  }

  /** Resolves operands; JS numbers become scalars of the first tensor operand's dtype. */
  private operands(xs: Operand[]): TensorRef[] {
    const peer = xs.find((x): x is Input => typeof x !== 'number');
    if (!peer) throw new HybridocError('an op needs at least one tensor operand (all were numbers)');
    const dtype = this.ref(peer).dtype;
    return xs.map((x) => (typeof x === 'number' ? this.scalar(x, dtype) : this.ref(x)));
  }

  private binary(opType: string, a: Operand, b: Operand, o: OpOptions): TensorRef {
    return this.op1(opType, this.operands([a, b]), {}, o);
  }

  private unary(opType: string, x: Input, o: OpOptions): TensorRef {
    return this.op1(opType, [this.ref(x)], {}, o);
  }

  private reduceAttr(opType: string, x: Input, axes: number[] | null | undefined, o: ReduceOptions): TensorRef {
    const attrs: Attributes = { keepdims: { type: 'int', value: o.keepdims === false ? 0 : 1 } };
    if (axes) attrs.axes = { type: 'ints', value: axes };
    return this.op1(opType, [this.ref(x)], attrs, o);
  }

  private argReduce(opType: string, x: Input, o: ReduceOptions & { axis?: number; selectLastIndex?: boolean }): TensorRef {
    const attrs: Attributes = { axis: { type: 'int', value: o.axis ?? 0 }, keepdims: { type: 'int', value: o.keepdims === false ? 0 : 1 } };
    if (o.selectLastIndex) attrs.select_last_index = { type: 'int', value: 1 };
    return this.op1(opType, [this.ref(x)], attrs, o);
  }

  private op1(opType: string, inputs: Array<TensorRef | null>, attrs: Attributes, o: OpOptions): TensorRef {
    return this.emit(opType, this.names(inputs), attrs, { name: o.name })[0];
  }

  /** Adds a node: checks the op and its inputs, names it and its outputs, infers output types. */
  private emit(
    opType: string,
    inputs: string[],
    attrs: Attributes,
    how: {
      name?: string;
      nodeName?: string;
      nOutputs?: number;
      outputNames?: Array<string | undefined>;
      fallback?: TensorType[];
      guessed?: boolean;
    },
  ): TensorRef[] {
    if (!OPSET17_OPS.has(opType)) throw new HybridocError(`'${opType}' is not an operator of the default ONNX domain at opset 17`);
    const nodeName = how.nodeName ?? this.uniqueName(how.name ?? opType);
    const nOut = how.nOutputs ?? how.outputNames?.length ?? how.fallback?.length ?? 1;
    const inTypes = inputs.map((i) => {
      if (!i) return undefined;
      const t = this.findTensor(i);
      if (!t) throw new HybridocError(`node '${nodeName}' (${opType}): input '${i}' is not defined here or in an enclosing graph`);
      return t as TensorType;
    });
    let types: TensorType[] | undefined;
    try {
      types = inferOutputs({
        opType,
        inputs: inTypes,
        attrs,
        nOutputs: nOut,
        constValues: (i) => {
          const c = inputs[i] ? this.constValue(inputs[i]) : undefined;
          return c && c.data.length <= MAX_CONST_ELEMENTS ? tensorToNumbers(c) : undefined;
        },
        symbolicValues: (i) => (inputs[i] ? this.symbolicValues.get(inputs[i]) : undefined),
        subgraphOutputs: (key) => {
          const a = attrs[key];
          return a && a.type === 'graph' ? [...a.value.outputs] : undefined;
        },
      });
      if (types && how.fallback) {
        types = types.map((t, i) => {
          const f = how.fallback![i];
          if (f.dtype !== t.dtype) throw new ShapeError(`output ${i} is ${t.dtype}, not ${f.dtype} as specified`);
          return { dtype: t.dtype, shape: mergeShapes(t.shape, f.shape) };
        });
      }
    } catch (e) {
      if (e instanceof ShapeError) {
        const desc = inTypes.map((t, i) => (t ? `${inputs[i]}: ${typeToString(t)}` : '-')).join(', ');
        throw new HybridocError(`node '${nodeName}' (${opType}): ${e.message} [inputs ${desc}]`);
      }
      throw e;
    }
    const outTypes = types ?? how.fallback;
    if (!outTypes) throw new HybridocError(`node '${nodeName}' (${opType}): no shape rule for this op; give output types to node()`);
    const outNames = Array.from(
      { length: nOut },
      (_, i) => how.outputNames?.[i] ?? (nOut === 1 ? nodeName : this.claimFree(`${nodeName}:${i}`)),
    );
    const outs = outNames.map((n, i) => this.define(n, outTypes[i]));
    outNames.forEach((n, i) => {
      const v = outTypes[i].value;
      if (v && v.length <= MAX_CONST_ELEMENTS) this.symbolicValues.set(n, v);
    });
    if (how.guessed) for (const n of outNames) this.guessed.add(n);
    if (opType === 'Constant' && attrs.value?.type === 'tensor') this.constMap.set(outNames[0], attrs.value.value);
    this.nodeList.push({ name: nodeName, opType, inputs: [...inputs], outputs: outNames, attributes: attrs });
    return outs;
  }
}

/**
 * A node's inputs as written to the model: trailing omitted optional inputs ('') are dropped, as the ONNX spec
 * allows (onnxruntime 1.30 crashes at optimisation level 'extended'/'all' on a LayerNormalization whose omitted
 * bias is written as a trailing ''). Loop keeps its positional M and cond slots.
 */
function serializedInputs(n: NodeRecord): string[] {
  const inputs = [...n.inputs];
  if (n.opType === 'Loop') return inputs;
  while (inputs.length > 0 && inputs[inputs.length - 1] === '') inputs.pop();
  return inputs;
}

function subgraphsOf(n: NodeRecord): GraphBuilder[] {
  return Object.values(n.attributes)
    .filter((a): a is AttrValue & { type: 'graph' } => a.type === 'graph')
    .map((a) => a.value);
}

function toAttr(v: AttrValue | number | string | number[] | string[] | TensorValue | GraphBuilder): AttrValue {
  if (v instanceof GraphBuilder) return { type: 'graph', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { type: 'strings', value: v as string[] };
    const nums = v as number[];
    return nums.every((x) => Number.isInteger(x)) ? { type: 'ints', value: nums } : { type: 'floats', value: nums };
  }
  if ('type' in v && 'value' in v) return v as AttrValue;
  return { type: 'tensor', value: v as TensorValue };
}
