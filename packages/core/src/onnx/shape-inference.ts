/**
 * Output element types and shapes of ONNX ops (opset 17), one rule per op type. The builder runs these as it
 * adds nodes, and the checker runs them again over a finished graph to compare with declared shapes. A rule
 * knows a dim only when it is certain: otherwise the dim is null (or the whole shape, when the rank is
 * unknown). Inconsistent inputs (mismatched dtypes, inner dims that cannot agree) throw a ShapeError.
 */
import { dtypeFromOnnx, type DType } from './dtype.js';
import { attrInt, attrInts, attrString, type Attributes, type Dim, type Shape, type TensorType } from './types.js';

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export interface InferContext {
  opType: string;
  /** Input types in order; undefined for an omitted optional input (''). */
  inputs: Array<TensorType | undefined>;
  attrs: Attributes;
  nOutputs: number;
  /** The values of input i when it is a small constant (Constant node output or initializer). */
  constValues(i: number): number[] | undefined;
  /** The contents of input i as dims when known symbolically (TensorType.value), e.g. from a Shape node. */
  symbolicValues?(i: number): readonly Dim[] | undefined;
  /** The declared output types of a graph attribute (Loop/Scan body, If branches). */
  subgraphOutputs(attr: string): TensorType[] | undefined;
}

export type ShapeRule = (ctx: InferContext) => TensorType[];

// ---------------------------------------------------------------------------------------------- helpers

const BIG = 2 ** 31 - 1;

export function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ShapeError(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

function input(ctx: InferContext, i: number): TensorType {
  const t = ctx.inputs[i];
  if (!t) throw new ShapeError(`${ctx.opType}: input ${i} is required`);
  return t;
}

/** The contents of integer input i as dims: constant numbers, else symbolic values, else undefined. */
function valuesOf(ctx: InferContext, i: number): readonly Dim[] | undefined {
  if (!ctx.inputs[i]) return undefined;
  return ctx.constValues(i) ?? ctx.symbolicValues?.(i);
}

/** Integer dtypes whose contents shape inference tracks as dims. */
function tracksValues(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'int32';
}

/** A canonical symbolic sum of dims ('seq' + 50 = 'seq+50'); null when any term is unknown. */
export function sumDims(dims: readonly Dim[]): Dim {
  if (dims.some((d) => d === null)) return null;
  let n = 0;
  const terms: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') n += d;
    else
      for (const t of (d as string).split('+'))
        if (/^\d+$/.test(t)) n += Number(t);
        else terms.push(t);
  }
  if (terms.length === 0) return n;
  terms.sort();
  return n === 0 ? terms.join('+') : `${terms.join('+')}+${n}`;
}

function sameDType(ctx: InferContext, indices: number[]): DType {
  const ts = indices.map((i) => ctx.inputs[i]).filter((t): t is TensorType => !!t);
  for (const t of ts.slice(1)) {
    if (t.dtype !== ts[0].dtype) throw new ShapeError(`${ctx.opType}: input dtypes differ (${ts.map((x) => x.dtype).join(' vs ')})`);
  }
  return ts[0].dtype;
}

/** Two dims that must be equal: the better known of the two; two different known sizes throw. */
export function unifyDim(a: Dim, b: Dim, what = 'dims'): Dim {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== b) throw new ShapeError(`${what} disagree: ${a} vs ${b}`);
    return a;
  }
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  if (a !== null && a === b) return a;
  return a ?? b;
}

function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== b) throw new ShapeError(`cannot broadcast ${a} with ${b}`);
    return a;
  }
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a !== null && a === b ? a : null;
}

/** Numpy-style multidirectional broadcasting. */
export function broadcastShapes(...shapes: Shape[]): Shape {
  if (shapes.some((s) => s === null)) return null;
  const ss = shapes as Dim[][];
  const rank = Math.max(0, ...ss.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of ss) {
      const j = s.length - rank + i;
      if (j >= 0) {
        try {
          d = broadcastDim(d, s[j]);
        } catch {
          throw new ShapeError(`cannot broadcast shapes ${ss.map((x) => `[${x.join(', ')}]`).join(' and ')}`);
        }
      }
    }
    out.push(d);
  }
  return out;
}

/** Merge two views of the same tensor's shape (declared vs inferred): known dims win, conflicts throw. */
export function mergeShapes(a: Shape, b: Shape): Shape {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length !== b.length) throw new ShapeError(`ranks disagree: ${a.length} vs ${b.length}`);
  return a.map((d, i) => unifyDim(d, b[i], `dim ${i}`));
}

/** Dims that agree in both shapes, null where they differ (join of two possible shapes, e.g. If branches). */
function joinShapes(a: Shape, b: Shape): Shape {
  if (a === null || b === null || a.length !== b.length) return null;
  return a.map((d, i) => (d === b[i] ? d : null));
}

function unknownDims(rank: number): Dim[] {
  return Array.from({ length: rank }, () => null);
}

function same(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  return [{ dtype: x.dtype, shape: x.shape }];
}

function broadcastRule(outDType?: DType, dtypeIdx: number[] = []) {
  return (ctx: InferContext): TensorType[] => {
    const idx = ctx.inputs.map((_, i) => i);
    const dtype = sameDType(ctx, dtypeIdx.length ? dtypeIdx : idx);
    return [{ dtype: outDType ?? dtype, shape: broadcastShapes(...idx.map((i) => input(ctx, i).shape)) }];
  };
}

export function reduceShape(shape: Shape, axes: number[] | undefined, keepdims: boolean, noopWithEmpty = false): Shape {
  if (shape === null) return null;
  if (axes === undefined || axes.length === 0) {
    if (noopWithEmpty && axes !== undefined) return shape;
    return keepdims ? shape.map(() => 1) : [];
  }
  const set = new Set(axes.map((a) => normalizeAxis(a, shape.length)));
  if (keepdims) return shape.map((d, i) => (set.has(i) ? 1 : d));
  return shape.filter((_, i) => !set.has(i));
}

function product(dims: Dim[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    p *= d;
  }
  return p;
}

// --------------------------------------------------------------------------------------------- op rules

function matmulShape(a: Shape, b: Shape): Shape {
  if (a === null || b === null) return null;
  if (a.length === 0 || b.length === 0) throw new ShapeError('MatMul inputs must have rank >= 1');
  const av = a.length === 1 ? [1, a[0]] : a;
  const bv = b.length === 1 ? [b[0], 1] : b;
  unifyDim(av[av.length - 1], bv[bv.length - 2], `MatMul inner dims [${a.join(', ')}] x [${b.join(', ')}]`);
  const batch = broadcastShapes(av.slice(0, -2), bv.slice(0, -2)) as Dim[];
  const out = [...batch, av[av.length - 2], bv[bv.length - 1]];
  if (b.length === 1) out.pop();
  if (a.length === 1) out.splice(out.length - (b.length === 1 ? 1 : 2), 1);
  return out;
}

function gemm(ctx: InferContext): TensorType[] {
  const dtype = sameDType(ctx, [0, 1, 2]);
  const a = input(ctx, 0).shape;
  const b = input(ctx, 1).shape;
  if (a === null || b === null) return [{ dtype, shape: null }];
  if (a.length !== 2 || b.length !== 2) throw new ShapeError(`Gemm needs 2-D inputs, got ${a.length}-D and ${b.length}-D`);
  const [m, ka] = attrInt(ctx.attrs, 'transA', 0) ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = attrInt(ctx.attrs, 'transB', 0) ? [b[1], b[0]] : [b[0], b[1]];
  unifyDim(ka, kb, 'Gemm inner dims');
  const out: Shape = [m, n];
  const c = ctx.inputs[2];
  if (c && c.shape) {
    const bc = broadcastShapes(out, c.shape);
    if (bc && bc.length !== 2) throw new ShapeError('Gemm C must broadcast to [M, N]');
    if (bc) return [{ dtype, shape: bc }];
  }
  return [{ dtype, shape: out }];
}

function reduceAttr(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  const keep = attrInt(ctx.attrs, 'keepdims', 1) === 1;
  return [{ dtype: x.dtype, shape: reduceShape(x.shape, attrInts(ctx.attrs, 'axes'), keep) }];
}

function reduceInput(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  const keep = attrInt(ctx.attrs, 'keepdims', 1) === 1;
  const noop = attrInt(ctx.attrs, 'noop_with_empty_axes', 0) === 1;
  if (!ctx.inputs[1]) return [{ dtype: x.dtype, shape: noop ? x.shape : reduceShape(x.shape, undefined, keep) }];
  const axes = ctx.constValues(1);
  if (axes === undefined) return [{ dtype: x.dtype, shape: keep && x.shape ? unknownDims(x.shape.length) : null }];
  return [{ dtype: x.dtype, shape: reduceShape(x.shape, axes, keep, noop) }];
}

function argReduce(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  const keep = attrInt(ctx.attrs, 'keepdims', 1) === 1;
  return [{ dtype: 'int64', shape: reduceShape(x.shape, [attrInt(ctx.attrs, 'axis', 0)], keep) }];
}

function reshape(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  const target = valuesOf(ctx, 1);
  const shp = input(ctx, 1).shape;
  if (target === undefined) {
    const len = shp && shp.length === 1 ? shp[0] : null;
    return [{ dtype: x.dtype, shape: typeof len === 'number' ? unknownDims(len) : null }];
  }
  const allowzero = attrInt(ctx.attrs, 'allowzero', 0) === 1;
  const out: Dim[] = target.map((v, i) => {
    if (v === 0 && !allowzero) {
      if (x.shape === null) return null;
      if (i >= x.shape.length) throw new ShapeError(`Reshape: 0 at position ${i} copies a dim the input (rank ${x.shape.length}) lacks`);
      return x.shape[i];
    }
    if (typeof v === 'number' && v < -1) throw new ShapeError(`Reshape: invalid target dim ${v}`);
    return v === -1 ? null : v;
  });
  const minus = target.filter((v) => v === -1).length;
  if (minus > 1) throw new ShapeError('Reshape: more than one -1 in the target shape');
  if (minus === 1 && x.shape !== null) {
    const idx = target.indexOf(-1);
    out[idx] = solveMinusOne(
      x.shape,
      out.filter((_, i) => i !== idx),
    );
  } else if (minus === 0 && x.shape !== null) {
    const pin = product(x.shape);
    const pout = product(out);
    if (pin !== null && pout !== null && pin !== pout) {
      throw new ShapeError(`Reshape: cannot reshape [${x.shape.join(', ')}] (${pin} elements) to [${out.join(', ')}]`);
    }
  }
  return [{ dtype: x.dtype, shape: out }];
}

/** The size a -1 stands for: input factors over the other output factors, when that cancels cleanly. */
function solveMinusOne(inShape: Dim[], others: Dim[]): Dim {
  if (inShape.includes(null) || others.includes(null)) return null;
  let num = 1;
  let den = 1;
  const syms: string[] = [];
  for (const d of inShape) {
    if (typeof d === 'number') num *= d;
    else syms.push(d as string);
  }
  for (const d of others) {
    if (typeof d === 'number') den *= d;
    else {
      const j = syms.indexOf(d as string);
      if (j < 0) return null;
      syms.splice(j, 1);
    }
  }
  if (den === 0) return null;
  if (num % den !== 0) {
    if (syms.length === 0) throw new ShapeError(`Reshape: ${num} elements do not divide into ${den}`);
    return null;
  }
  const q = num / den;
  if (syms.length === 0) return q;
  if (syms.length === 1 && q === 1) return syms[0];
  return null;
}

function transpose(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
  const r = x.shape.length;
  const perm = attrInts(ctx.attrs, 'perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new ShapeError(`Transpose: perm [${perm.join(', ')}] is not a permutation of rank ${r}`);
  }
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape![p]) }];
}

function concat(ctx: InferContext): TensorType[] {
  const dtype = sameDType(
    ctx,
    ctx.inputs.map((_, i) => i),
  );
  const shapes = ctx.inputs.map((_, i) => input(ctx, i).shape);
  const known = shapes.filter((s): s is Dim[] => s !== null);
  if (known.length === 0) return [{ dtype, shape: null }];
  const r = known[0].length;
  if (known.some((s) => s.length !== r)) throw new ShapeError(`Concat: input ranks differ (${known.map((s) => s.length).join(', ')})`);
  const axis = normalizeAxis(attrInt(ctx.attrs, 'axis', 0), r);
  const out: Dim[] = known[0].map((_, i) => {
    if (i === axis) return known.length !== shapes.length ? null : sumDims(known.map((s) => s[i]));
    return known.reduce<Dim>((acc, s) => unifyDim(acc, s[i], `Concat dim ${i}`), known[0][i]);
  });
  if (known.length === shapes.length && known.length === 1) out[axis] = known[0][axis];
  const values = r === 1 && tracksValues(dtype) ? ctx.inputs.map((_, i) => valuesOf(ctx, i)) : [];
  if (values.length > 0 && values.every((v) => v !== undefined)) return [{ dtype, shape: out, value: values.flatMap((v) => [...v!]) }];
  return [{ dtype, shape: out }];
}

function split(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  const n = ctx.nOutputs;
  if (x.shape === null) return Array.from({ length: n }, () => ({ dtype: x.dtype, shape: null }));
  const axis = normalizeAxis(attrInt(ctx.attrs, 'axis', 0), x.shape.length);
  const d = x.shape[axis];
  let sizes: Dim[];
  if (ctx.inputs[1]) {
    const s = ctx.constValues(1);
    if (s && s.length !== n) throw new ShapeError(`Split: ${s.length} split sizes for ${n} outputs`);
    if (s && typeof d === 'number' && s.reduce((a, b) => a + b, 0) !== d) {
      throw new ShapeError(`Split: sizes [${s.join(', ')}] do not sum to dim ${d}`);
    }
    sizes = s ?? unknownDims(n);
  } else {
    if (typeof d === 'number' && d % n !== 0) throw new ShapeError(`Split: dim ${d} does not split into ${n} equal parts`);
    sizes = Array.from({ length: n }, () => (typeof d === 'number' ? d / n : null));
  }
  return sizes.map((s) => ({ dtype: x.dtype, shape: x.shape!.map((dim, i) => (i === axis ? s : dim)) }));
}

/** The length of a slice of a dim of size d (the ONNX Slice clamping rules). */
export function sliceLength(d: number, start: number, end: number, step: number): number {
  if (step === 0) throw new ShapeError('Slice: step 0');
  let s = start < 0 ? start + d : start;
  let e = end < 0 ? end + d : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), d);
    e = Math.min(Math.max(e, 0), d);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = Math.min(Math.max(s, 0), d - 1);
  e = Math.min(Math.max(e, -1), d - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

function slice(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
  const r = x.shape.length;
  const starts = ctx.constValues(1);
  const ends = ctx.constValues(2);
  const axes = ctx.inputs[3] ? ctx.constValues(3) : Array.from({ length: starts?.length ?? ends?.length ?? 0 }, (_, i) => i);
  const steps = ctx.inputs[4] ? ctx.constValues(4) : undefined;
  if (axes === undefined) return [{ dtype: x.dtype, shape: unknownDims(r) }];
  // a prefix of symbolic length: x[0:n] along an axis, n a dim known by name (a sequence length from a Shape
  // node); the slice is taken to be that long (x must hold n entries there, which the graph's author knows)
  const symbolicEnds = ends === undefined ? valuesOf(ctx, 2) : undefined;
  if (symbolicEnds && starts !== undefined && starts.every((v) => v === 0) && (!ctx.inputs[4] || steps?.every((v) => v === 1))) {
    const out: Dim[] = [...x.shape];
    axes.forEach((a, j) => {
      const ax = normalizeAxis(a, r, 'Slice axis');
      const e = symbolicEnds[j];
      const d = x.shape![ax];
      out[ax] = typeof e === 'string' ? e : typeof e === 'number' && typeof d === 'number' ? sliceLength(d, 0, e, 1) : null;
    });
    return [{ dtype: x.dtype, shape: out }];
  }
  const out: Dim[] = [...x.shape];
  axes.forEach((a, j) => {
    const ax = normalizeAxis(a, r, 'Slice axis');
    const step = ctx.inputs[4] ? (steps ? steps[j] : undefined) : 1;
    const d = x.shape![ax];
    if (starts === undefined || ends === undefined || step === undefined) {
      out[ax] = null;
    } else if (typeof d === 'number') {
      out[ax] = sliceLength(d, starts[j], ends[j], step);
    } else {
      const whole = (step === 1 && starts[j] === 0 && ends[j] >= BIG) || (step === -1 && starts[j] === -1 && ends[j] <= -BIG);
      out[ax] = whole ? d : null;
    }
  });
  const xv = valuesOf(ctx, 0);
  if (xv && r === 1 && starts && ends && (!ctx.inputs[4] || steps?.every((v) => v === 1)) && tracksValues(x.dtype)) {
    const n = xv.length;
    const clampIndex = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    return [{ dtype: x.dtype, shape: out, value: xv.slice(clampIndex(starts[0]), clampIndex(ends[0])) }];
  }
  return [{ dtype: x.dtype, shape: out }];
}

function unsqueeze(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  const axes = ctx.constValues(1);
  if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
  if (axes === undefined) {
    const len = input(ctx, 1).shape;
    return [{ dtype: x.dtype, shape: len && typeof len[0] === 'number' ? unknownDims(x.shape.length + len[0]) : null }];
  }
  const rank = x.shape.length + axes.length;
  const set = new Set(axes.map((a) => normalizeAxis(a, rank, 'Unsqueeze axis')));
  if (set.size !== axes.length) throw new ShapeError(`Unsqueeze: repeated axes [${axes.join(', ')}]`);
  const rest = [...x.shape];
  const shape = Array.from({ length: rank }, (_, i) => (set.has(i) ? 1 : rest.shift()!));
  const value = tracksValues(x.dtype) && shape.length <= 1 ? valuesOf(ctx, 0) : undefined;
  return [{ dtype: x.dtype, shape, value }];
}

function squeeze(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
  if (!ctx.inputs[1]) {
    if (x.shape.some((d) => typeof d !== 'number')) return [{ dtype: x.dtype, shape: null }];
    return [{ dtype: x.dtype, shape: x.shape.filter((d) => d !== 1) }];
  }
  const axes = ctx.constValues(1);
  if (axes === undefined) return [{ dtype: x.dtype, shape: null }];
  const set = new Set(axes.map((a) => normalizeAxis(a, x.shape!.length, 'Squeeze axis')));
  for (const a of set) {
    const d = x.shape[a];
    if (typeof d === 'number' && d !== 1) throw new ShapeError(`Squeeze: dim ${a} has size ${d}, not 1`);
  }
  const shape = x.shape.filter((_, i) => !set.has(i));
  const value = tracksValues(x.dtype) && shape.length <= 1 ? valuesOf(ctx, 0) : undefined;
  return [{ dtype: x.dtype, shape, value }];
}

function expand(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  const s = valuesOf(ctx, 1) as Dim[] | undefined;
  if (s === undefined) {
    const len = input(ctx, 1).shape;
    const n = len && typeof len[0] === 'number' ? len[0] : null;
    return [{ dtype: x.dtype, shape: n !== null && x.shape ? unknownDims(Math.max(n, x.shape.length)) : null }];
  }
  return [{ dtype: x.dtype, shape: broadcastShapes(x.shape, s) }];
}

function tile(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  const reps = ctx.constValues(1);
  if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
  if (reps === undefined) return [{ dtype: x.dtype, shape: unknownDims(x.shape.length) }];
  if (reps.length !== x.shape.length) throw new ShapeError(`Tile: ${reps.length} repeats for rank ${x.shape.length}`);
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (reps[i] === 1 ? d : typeof d === 'number' ? d * reps[i] : null)) }];
}

function pad(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
  const r = x.shape.length;
  const pads = ctx.constValues(1);
  if (pads === undefined) return [{ dtype: x.dtype, shape: unknownDims(r) }];
  if (pads.length !== 2 * r) throw new ShapeError(`Pad: ${pads.length} pads for rank ${r} (need ${2 * r})`);
  return [
    {
      dtype: x.dtype,
      shape: x.shape.map((d, i) => {
        const p = pads[i] + pads[i + r];
        return p === 0 ? d : typeof d === 'number' ? d + p : null;
      }),
    },
  ];
}

function conv(ctx: InferContext): TensorType[] {
  const dtype = sameDType(ctx, [0, 1, 2]);
  const x = input(ctx, 0).shape;
  const w = input(ctx, 1).shape;
  if (x === null) return [{ dtype, shape: null }];
  const nsp = x.length - 2;
  if (nsp < 1) throw new ShapeError('Conv: input must be [N, C, spatial...]');
  const group = attrInt(ctx.attrs, 'group', 1);
  if (w !== null) {
    if (w.length !== x.length) throw new ShapeError(`Conv: weight rank ${w.length} != input rank ${x.length}`);
    if (typeof x[1] === 'number' && typeof w[1] === 'number') unifyDim(x[1], w[1] * group, 'Conv input channels');
  }
  const kernel = attrInts(ctx.attrs, 'kernel_shape') ?? (w ? w.slice(2) : unknownDims(nsp));
  const strides = attrInts(ctx.attrs, 'strides') ?? Array(nsp).fill(1);
  const dil = attrInts(ctx.attrs, 'dilations') ?? Array(nsp).fill(1);
  const pads = attrInts(ctx.attrs, 'pads') ?? Array(2 * nsp).fill(0);
  const autoPad = attrString(ctx.attrs, 'auto_pad', 'NOTSET');
  const spatial = x.slice(2).map((d, i) => {
    const k = kernel[i];
    if (typeof d !== 'number') return null;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(d / strides[i]);
    if (typeof k !== 'number') return null;
    const p = autoPad === 'VALID' ? 0 : pads[i] + pads[i + nsp];
    return Math.floor((d + p - dil[i] * (k - 1) - 1) / strides[i]) + 1;
  });
  return [{ dtype, shape: [x[0], w ? w[0] : null, ...spatial] }];
}

function gather(ctx: InferContext): TensorType[] {
  const data = input(ctx, 0);
  const idx = input(ctx, 1);
  if (data.shape === null || idx.shape === null) return [{ dtype: data.dtype, shape: null }];
  const axis = normalizeAxis(attrInt(ctx.attrs, 'axis', 0), data.shape.length, 'Gather axis');
  const shape = [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)];
  const dv = data.shape.length === 1 && tracksValues(data.dtype) ? valuesOf(ctx, 0) : undefined;
  const iv = dv ? ctx.constValues(1) : undefined;
  if (dv && iv && idx.shape.length <= 1 && iv.every((k) => k >= -dv.length && k < dv.length)) {
    return [{ dtype: data.dtype, shape, value: iv.map((k) => dv[k < 0 ? k + dv.length : k]) }];
  }
  return [{ dtype: data.dtype, shape }];
}

function gatherElements(ctx: InferContext): TensorType[] {
  const data = input(ctx, 0);
  const idx = input(ctx, 1);
  if (data.shape && idx.shape && data.shape.length !== idx.shape.length) {
    throw new ShapeError(`GatherElements: data rank ${data.shape.length} != indices rank ${idx.shape.length}`);
  }
  return [{ dtype: data.dtype, shape: idx.shape }];
}

function gatherND(ctx: InferContext): TensorType[] {
  const data = input(ctx, 0);
  const idx = input(ctx, 1);
  const b = attrInt(ctx.attrs, 'batch_dims', 0);
  if (data.shape === null || idx.shape === null) return [{ dtype: data.dtype, shape: null }];
  const k = idx.shape[idx.shape.length - 1];
  if (typeof k !== 'number') return [{ dtype: data.dtype, shape: null }];
  if (k + b > data.shape.length)
    throw new ShapeError(`GatherND: index depth ${k} + batch_dims ${b} exceeds data rank ${data.shape.length}`);
  return [{ dtype: data.dtype, shape: [...idx.shape.slice(0, -1), ...data.shape.slice(b + k)] }];
}

function scatter(ctx: InferContext): TensorType[] {
  const data = input(ctx, 0);
  sameDType(ctx, [0, 2]);
  return [{ dtype: data.dtype, shape: data.shape }];
}

function where(ctx: InferContext): TensorType[] {
  if (input(ctx, 0).dtype !== 'bool') throw new ShapeError(`Where: condition must be bool, got ${input(ctx, 0).dtype}`);
  const dtype = sameDType(ctx, [1, 2]);
  return [{ dtype, shape: broadcastShapes(input(ctx, 0).shape, input(ctx, 1).shape, input(ctx, 2).shape) }];
}

function layerNorm(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  sameDType(ctx, [0, 1, 2]);
  const outs: TensorType[] = [{ dtype: x.dtype, shape: x.shape }];
  if (ctx.nOutputs > 1) {
    let stat: Shape = null;
    if (x.shape) {
      const axis = normalizeAxis(attrInt(ctx.attrs, 'axis', -1), x.shape.length);
      stat = x.shape.map((d, i) => (i < axis ? d : 1));
    }
    outs.push({ dtype: 'float32', shape: stat }, { dtype: 'float32', shape: stat });
  }
  return outs.slice(0, ctx.nOutputs);
}

function oneHot(ctx: InferContext): TensorType[] {
  const idx = input(ctx, 0);
  const values = input(ctx, 2);
  const depth = ctx.constValues(1);
  if (idx.shape === null) return [{ dtype: values.dtype, shape: null }];
  const r = idx.shape.length + 1;
  const axis = normalizeAxis(attrInt(ctx.attrs, 'axis', -1), r, 'OneHot axis');
  const out: Dim[] = [...idx.shape];
  out.splice(axis, 0, depth && depth.length === 1 ? depth[0] : null);
  return [{ dtype: values.dtype, shape: out }];
}

function range(ctx: InferContext): TensorType[] {
  const dtype = sameDType(ctx, [0, 1, 2]);
  const [s, l, d] = [ctx.constValues(0), ctx.constValues(1), ctx.constValues(2)];
  if (s && l && d && s.length === 1 && l.length === 1 && d.length === 1 && d[0] !== 0) {
    return [{ dtype, shape: [Math.max(Math.ceil((l[0] - s[0]) / d[0]), 0)] }];
  }
  const limit = valuesOf(ctx, 1);
  if (s?.length === 1 && s[0] === 0 && d?.length === 1 && d[0] === 1 && limit?.length === 1 && typeof limit[0] === 'string') {
    return [{ dtype, shape: [limit[0]] }];
  }
  return [{ dtype, shape: [null] }];
}

function shapeOp(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  if (x.shape === null) return [{ dtype: 'int64', shape: [null] }];
  const r = x.shape.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clamp(attrInt(ctx.attrs, 'start', 0));
  const end = clamp(attrInt(ctx.attrs, 'end', r));
  return [{ dtype: 'int64', shape: [Math.max(0, end - start)], value: x.shape.slice(start, end) }];
}

function topK(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  const k = ctx.constValues(1);
  let shape: Shape = null;
  if (x.shape) {
    const axis = normalizeAxis(attrInt(ctx.attrs, 'axis', -1), x.shape.length, 'TopK axis');
    shape = x.shape.map((d, i) => (i === axis ? (k && k.length === 1 ? k[0] : null) : d));
  }
  return [
    { dtype: x.dtype, shape },
    { dtype: 'int64', shape },
  ];
}

function constantOfShape(ctx: InferContext): TensorType[] {
  const v = ctx.attrs.value;
  const dtype: DType = v && v.type === 'tensor' ? v.value.dtype : 'float32';
  const s = valuesOf(ctx, 0);
  if (s) return [{ dtype, shape: [...s] }];
  const len = input(ctx, 0).shape;
  return [{ dtype, shape: len && typeof len[0] === 'number' ? unknownDims(len[0]) : null }];
}

function constant(ctx: InferContext): TensorType[] {
  const a = ctx.attrs;
  if (a.value && a.value.type === 'tensor') return [{ dtype: a.value.value.dtype, shape: [...a.value.value.dims] }];
  if (a.value_float) return [{ dtype: 'float32', shape: [] }];
  if (a.value_int) return [{ dtype: 'int64', shape: [] }];
  if (a.value_floats && a.value_floats.type === 'floats') return [{ dtype: 'float32', shape: [a.value_floats.value.length] }];
  if (a.value_ints && a.value_ints.type === 'ints') return [{ dtype: 'int64', shape: [a.value_ints.value.length] }];
  throw new ShapeError('Constant: needs a value attribute');
}

function flatten(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  if (x.shape === null) return [{ dtype: x.dtype, shape: [null, null] }];
  const r = x.shape.length;
  let axis = attrInt(ctx.attrs, 'axis', 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) throw new ShapeError(`Flatten: axis out of range for rank ${r}`);
  return [{ dtype: x.dtype, shape: [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))] }];
}

/** Output shape of an Einsum equation (explicit '->' or implicit form, with '...'). */
function einsum(ctx: InferContext): TensorType[] {
  const dtype = sameDType(
    ctx,
    ctx.inputs.map((_, i) => i),
  );
  const eq = attrString(ctx.attrs, 'equation', '').replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  if (terms.length !== ctx.inputs.length)
    throw new ShapeError(`Einsum: equation has ${terms.length} operands, node has ${ctx.inputs.length}`);
  const shapes = ctx.inputs.map((_, i) => input(ctx, i).shape);
  const letters = new Map<string, Dim>();
  const counts = new Map<string, number>();
  let ell: Shape = [];
  terms.forEach((t, i) => {
    const parts = t.split('...');
    const named = parts.join('');
    for (const c of named) counts.set(c, (counts.get(c) ?? 0) + 1);
    const s = shapes[i];
    if (s === null) {
      ell = null;
      return;
    }
    const nEll = s.length - named.length;
    if (parts.length === 1 && nEll !== 0)
      throw new ShapeError(`Einsum: operand ${i} has rank ${s.length}, term '${t}' names ${named.length}`);
    const dims = parts.length === 1 ? s : [...s.slice(0, parts[0].length), ...s.slice(s.length - parts[1].length)];
    if (parts.length > 1) ell = broadcastShapes(ell, s.slice(parts[0].length, parts[0].length + nEll));
    [...named].forEach((c, j) => letters.set(c, letters.has(c) ? broadcastDim(letters.get(c)!, dims[j]) : dims[j]));
  });
  if (ell === null || shapes.some((s) => s === null)) return [{ dtype, shape: null }];
  const outTerm =
    rhs ??
    '...' +
      [...counts.keys()]
        .filter((c) => counts.get(c) === 1)
        .sort()
        .join('');
  const [pre, post] = outTerm.includes('...') ? outTerm.split('...') : [outTerm, undefined];
  const dimsOf = (s: string) => [...s].map((c) => (letters.has(c) ? letters.get(c)! : null));
  return [{ dtype, shape: post === undefined ? dimsOf(pre) : [...dimsOf(pre), ...(ell as Dim[]), ...dimsOf(post)] }];
}

function loop(ctx: InferContext): TensorType[] {
  const body = ctx.subgraphOutputs('body');
  const nCarried = ctx.inputs.length - 2;
  if (!body) throw new ShapeError('Loop: needs a body graph');
  if (body.length < 1 + nCarried) throw new ShapeError(`Loop: body has ${body.length} outputs, needs cond + ${nCarried} loop-carried`);
  const out: TensorType[] = [];
  for (let i = 0; i < nCarried; i++) {
    const init = input(ctx, 2 + i);
    const b = body[1 + i];
    if (init.dtype !== b.dtype) throw new ShapeError(`Loop: loop-carried ${i} is ${init.dtype} initially, ${b.dtype} from the body`);
    out.push({ dtype: init.dtype, shape: joinShapes(init.shape, b.shape) });
  }
  for (const s of body.slice(1 + nCarried)) out.push({ dtype: s.dtype, shape: s.shape ? [null, ...s.shape] : null });
  return out;
}

function scan(ctx: InferContext): TensorType[] {
  const body = ctx.subgraphOutputs('body');
  if (!body) throw new ShapeError('Scan: needs a body graph');
  const m = attrInt(ctx.attrs, 'num_scan_inputs', 0);
  const n = ctx.inputs.length - m;
  if (m < 1 || n < 0) throw new ShapeError(`Scan: num_scan_inputs ${m} does not fit ${ctx.inputs.length} inputs`);
  const inAxes = attrInts(ctx.attrs, 'scan_input_axes') ?? Array(m).fill(0);
  const first = input(ctx, n).shape;
  const seq: Dim = first ? first[normalizeAxis(inAxes[0], first.length, 'scan_input_axes')] : null;
  const outAxes = attrInts(ctx.attrs, 'scan_output_axes');
  const out: TensorType[] = [];
  for (let i = 0; i < n; i++) {
    const init = input(ctx, i);
    if (body[i] && init.dtype !== body[i].dtype)
      throw new ShapeError(`Scan: state ${i} is ${init.dtype} initially, ${body[i].dtype} from the body`);
    out.push({ dtype: init.dtype, shape: body[i] ? joinShapes(init.shape, body[i].shape) : init.shape });
  }
  body.slice(n).forEach((s, j) => {
    if (s.shape === null) return out.push({ dtype: s.dtype, shape: null });
    const ax = normalizeAxis(outAxes ? outAxes[j] : 0, s.shape.length + 1, 'scan_output_axes');
    const shape = [...s.shape];
    shape.splice(ax, 0, seq);
    out.push({ dtype: s.dtype, shape });
  });
  return out;
}

function ifRule(ctx: InferContext): TensorType[] {
  const a = ctx.subgraphOutputs('then_branch');
  const b = ctx.subgraphOutputs('else_branch');
  if (!a || !b) throw new ShapeError('If: needs then_branch and else_branch');
  if (a.length !== b.length) throw new ShapeError(`If: then_branch has ${a.length} outputs, else_branch ${b.length}`);
  return a.map((t, i) => {
    if (t.dtype !== b[i].dtype) throw new ShapeError(`If: output ${i} is ${t.dtype} in then_branch, ${b[i].dtype} in else_branch`);
    return { dtype: t.dtype, shape: joinShapes(t.shape, b[i].shape) };
  });
}

function typeOf(dtype: (ctx: InferContext) => DType): ShapeRule {
  return (ctx) => [{ dtype: dtype(ctx), shape: input(ctx, 0).shape }];
}

const UNARY = [
  'Sqrt',
  'Exp',
  'Log',
  'Erf',
  'Tanh',
  'Relu',
  'Sigmoid',
  'Neg',
  'Abs',
  'Reciprocal',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Identity',
];
const UNARY_MORE = [
  'Sin',
  'Cos',
  'Softplus',
  'Softsign',
  'Elu',
  'LeakyRelu',
  'HardSigmoid',
  'Selu',
  'Celu',
  'Trilu',
  'Softmax',
  'LogSoftmax',
];
const REDUCE_ATTR = [
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceLogSumExp',
  'ReduceSumSquare',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
];

export const SHAPE_RULES: Record<string, ShapeRule> = {
  ...Object.fromEntries([...UNARY, ...UNARY_MORE].map((op) => [op, same])),
  ...Object.fromEntries(REDUCE_ATTR.map((op) => [op, reduceAttr])),
  Add: broadcastRule(),
  Sub: broadcastRule(),
  Mul: broadcastRule(),
  Div: broadcastRule(),
  Mod: broadcastRule(),
  Pow: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: broadcastShapes(input(ctx, 0).shape, input(ctx, 1).shape) }],
  Max: broadcastRule(),
  Min: broadcastRule(),
  Sum: broadcastRule(),
  Mean: broadcastRule(),
  Equal: broadcastRule('bool'),
  Less: broadcastRule('bool'),
  Greater: broadcastRule('bool'),
  LessOrEqual: broadcastRule('bool'),
  GreaterOrEqual: broadcastRule('bool'),
  And: broadcastRule('bool'),
  Or: broadcastRule('bool'),
  Xor: broadcastRule('bool'),
  BitShift: broadcastRule(),
  Not: typeOf(() => 'bool'),
  IsNaN: typeOf(() => 'bool'),
  IsInf: typeOf(() => 'bool'),
  Cast: (ctx) => {
    const to = attrInt(ctx.attrs, 'to');
    const d = to === undefined ? undefined : dtypeFromOnnx(to);
    if (!d) throw new ShapeError(`Cast: unsupported 'to' ${to}`);
    const x = input(ctx, 0);
    const value = tracksValues(x.dtype) && tracksValues(d) ? valuesOf(ctx, 0) : undefined;
    return [{ dtype: d, shape: x.shape, value }];
  },
  MatMul: (ctx) => [{ dtype: sameDType(ctx, [0, 1]), shape: matmulShape(input(ctx, 0).shape, input(ctx, 1).shape) }],
  Gemm: gemm,
  LayerNormalization: layerNorm,
  ReduceSum: reduceInput,
  ArgMax: argReduce,
  ArgMin: argReduce,
  Gather: gather,
  GatherElements: gatherElements,
  GatherND: gatherND,
  ScatterElements: scatter,
  ScatterND: scatter,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Expand: expand,
  Tile: tile,
  Pad: pad,
  Where: where,
  Conv: conv,
  Clip: same,
  OneHot: oneHot,
  Range: range,
  CumSum: same,
  Shape: shapeOp,
  Size: () => [{ dtype: 'int64', shape: [] }],
  TopK: topK,
  Dropout: (ctx) => {
    const x = input(ctx, 0);
    return [
      { dtype: x.dtype, shape: x.shape },
      { dtype: 'bool', shape: x.shape },
    ].slice(0, ctx.nOutputs) as TensorType[];
  },
  ConstantOfShape: constantOfShape,
  Constant: constant,
  Einsum: einsum,
  Flatten: flatten,
  Loop: loop,
  Scan: scan,
  If: ifRule,
};

/** Output types by the op's rule, or undefined when the op has none (generic `node()` outputs). */
export function inferOutputs(ctx: InferContext): TensorType[] | undefined {
  const rule = SHAPE_RULES[ctx.opType];
  if (!rule) return undefined;
  const out = rule(ctx);
  if (out.length < ctx.nOutputs) throw new ShapeError(`${ctx.opType}: ${ctx.nOutputs} outputs requested, the op has ${out.length}`);
  return out.slice(0, ctx.nOutputs);
}
