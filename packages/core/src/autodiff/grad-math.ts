/**
 * Shared math for gradient rules: shapes as tensors (constants when static), zeros, scalars of a dtype,
 * reducing a broadcast gradient back to an input's shape, and putting reduced axes back.
 */
import { tensorValue, type DType } from '../onnx/dtype.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { Shape, TensorRef } from '../onnx/types.js';
import { HybridocError } from '../util/errors.js';
import type { GradContext } from './rule.js';

/** The shape as numbers when every dim is known. */
export function staticShape(shape: Shape): number[] | undefined {
  return shape && shape.every((d): d is number => typeof d === 'number') ? shape : undefined;
}

/** Whether two shapes are certainly equal (known numbers or the same symbolic names). */
export function sameShape(a: Shape, b: Shape): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d !== null && d === b[i]);
}

export function rankOf(t: TensorRef, what: string): number {
  if (!t.shape) throw new HybridocError(`${what}: the rank of '${t.name}' is unknown; the gradient needs it`);
  return t.shape.length;
}

/** The shape of t as an int64 1-D tensor: a constant when static, else a Shape node. */
export function shapeOf(g: GraphBuilder, t: TensorRef): TensorRef {
  const s = staticShape(t.shape);
  return s ? g.constInt64(s, { name: 'shape' }) : g.shape(t);
}

/** A scalar constant of the given dtype (float attributes must be rounded by the caller). */
export function scalarOf(g: GraphBuilder, value: number, dtype: DType): TensorRef {
  return g.constant(value, { dtype });
}

/** Zeros with the shape and dtype of t. */
export function zerosLike(g: GraphBuilder, t: TensorRef): TensorRef {
  if (staticShape(t.shape)) return g.constantOfShape(shapeOf(g, t), { dtype: t.dtype, value: 0, name: 'zeros' });
  const value = { type: 'tensor' as const, value: tensorValue(t.dtype, [0], [1]) };
  return g.node('ConstantOfShape', [g.shape(t)], { value }, [{ dtype: t.dtype, shape: t.shape }], { name: 'zeros' })[0];
}

/**
 * t reshaped to the shape of `like`. The result is declared with like's shape (symbolic dims included),
 * which a Reshape to a run-time shape cannot infer.
 */
export function reshapeLike(g: GraphBuilder, t: TensorRef, like: TensorRef): TensorRef {
  if (sameShape(t.shape, like.shape)) return t;
  const s = staticShape(like.shape);
  if (s) return g.reshape(t, s);
  return g.node('Reshape', [t, g.shape(like)], {}, [{ dtype: t.dtype, shape: like.shape }])[0];
}

/** Axes normalised to [0, rank) and sorted. */
export function normalizeAxes(axes: readonly number[], rank: number): number[] {
  return [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

/**
 * Reduces a gradient of a broadcast result back to the shape of `target` (numpy broadcasting): sums the
 * leading axes target lacks and the axes where target has 1. Static when the shapes say enough, else the
 * axes are computed from Shape ops at run time.
 */
export function unbroadcast(g: GraphBuilder, grad: TensorRef, target: TensorRef): TensorRef {
  if (sameShape(grad.shape, target.shape)) return grad;
  const gs = grad.shape;
  const ts = target.shape;
  if (gs && ts && gs.length >= ts.length && ts.every((d) => d !== null)) {
    const lead = gs.length - ts.length;
    const axes = Array.from({ length: lead }, (_, i) => i);
    ts.forEach((d, i) => {
      if (d === 1 && gs[lead + i] !== 1) axes.push(lead + i);
    });
    if (axes.length === 0) return grad;
    // Only leading axes (a bias): one ReduceSum without keepdims; else keep dims and squeeze the leading ones.
    const onlyLead = axes.length === lead;
    let out = g.reduceSum(grad, axes, { keepdims: !onlyLead, name: 'unbroadcast' });
    if (lead > 0 && !onlyLead) out = g.squeeze(out, axes.slice(0, lead));
    if (sameShape(out.shape, ts)) return out;
    const s = staticShape(ts);
    return s ? g.reshape(out, s) : out;
  }
  // Dynamic: compare the target's shape, padded with leading ones, with the gradient's shape.
  const shapeT = g.shape(target);
  const shapeG = g.shape(grad);
  const diff = g.sub(g.size(shapeG), g.size(shapeT));
  const ones = g.constantOfShape(g.unsqueeze(diff, [0]), { dtype: 'int64', value: 1 });
  const padded = g.concat([ones, shapeT], 0);
  const axes = g.reshape(g.node('NonZero', [g.not(g.equal(padded, shapeG))], {}, [{ dtype: 'int64', shape: [1, null] }])[0], [-1]);
  const summed = g.reduceSum(grad, axes, { keepdims: true, noopWithEmptyAxes: true, name: 'unbroadcast' });
  return g.node('Reshape', [summed, shapeT], {}, [{ dtype: grad.dtype, shape: ts }])[0];
}

/**
 * The gradient of a reduction's output, with the reduced axes put back as size-1 dims so that it
 * broadcasts against the input. `axes` null means every axis; a tensor means axes given at run time.
 */
export function restoreReducedAxes(
  g: GraphBuilder,
  dy: TensorRef,
  x: TensorRef,
  axes: readonly number[] | TensorRef | null,
  keepdims: boolean,
): TensorRef {
  if (keepdims || axes === null) return dy; // keepdims, or a scalar that broadcasts anywhere
  if (!Array.isArray(axes)) return g.unsqueeze(dy, axes as TensorRef);
  return g.unsqueeze(dy, normalizeAxes(axes as number[], rankOf(x, 'reduction')));
}

/** Broadcasts t to x's shape (declared with x's shape, symbolic dims included). */
export function expandTo(g: GraphBuilder, t: TensorRef, x: TensorRef): TensorRef {
  if (sameShape(t.shape, x.shape)) return t;
  if (staticShape(x.shape)) return g.expand(t, shapeOf(g, x));
  return g.node('Expand', [t, g.shape(x)], {}, [{ dtype: t.dtype, shape: x.shape }])[0];
}

/** Swaps the last two axes. */
export function transposeLast2(g: GraphBuilder, t: TensorRef): TensorRef {
  const r = rankOf(t, 'transpose');
  const perm = Array.from({ length: r }, (_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return g.transpose(t, perm);
}

/** The product of the dims of `shape` on `axes`, as a scalar of dtype (static when known, else computed). */
export function countOf(g: GraphBuilder, x: TensorRef, y: TensorRef, dtype: DType): TensorRef {
  const xs = staticShape(x.shape);
  const ys = staticShape(y.shape);
  if (xs && ys) {
    const n =
      xs.reduce((a, d) => a * d, 1) /
      Math.max(
        1,
        ys.reduce((a, d) => a * d, 1),
      );
    return scalarOf(g, n, dtype);
  }
  return g.cast(g.div(g.size(x), g.size(y)), dtype);
}

/**
 * Gradients of elementwise Max/Min over several broadcast inputs: each input equal to the result gets
 * dy, split evenly between ties.
 */
export function selectedInputGrads(
  g: GraphBuilder,
  dy: TensorRef,
  y: TensorRef,
  inputs: ReadonlyArray<TensorRef | null>,
  needs: (i: number) => boolean,
): Array<TensorRef | null> {
  const present = inputs.filter((t): t is TensorRef => !!t);
  const masks = inputs.map((t) => (t ? g.cast(g.equal(t, y), dy.dtype) : null));
  const share = present.length > 1 ? g.div(dy, g.sum(masks.filter((m): m is TensorRef => !!m))) : dy;
  return inputs.map((t, i) => (t && needs(i) ? unbroadcast(g, g.mul(share, masks[i]!), t) : null));
}

/** How a Reduce* node reduces: its axes (null: all; a tensor: given at run time), keepdims, or a no-op. */
export interface ReductionAxes {
  axes: number[] | TensorRef | null;
  keepdims: boolean;
  /** noop_with_empty_axes with no axes: the op is an identity. */
  identity: boolean;
}

/** The axes of a Reduce* node: the `axes` input (ReduceSum at opset 13+) or attribute (the others at 17). */
export function reductionAxes(ctx: GradContext): ReductionAxes {
  const keepdims = ctx.int('keepdims', 1) === 1;
  const noop = ctx.int('noop_with_empty_axes', 0) === 1;
  let axes: number[] | TensorRef | null;
  if (ctx.node.opType === 'ReduceSum') {
    const input = ctx.inputs[1];
    axes = input ? (ctx.constValues(1) ?? input) : null;
  } else axes = ctx.ints('axes') ?? null;
  if (Array.isArray(axes) && axes.length === 0) axes = null;
  return { axes, keepdims, identity: noop && axes === null };
}

/** dy of a reduction with the reduced axes restored, and a function broadcasting to the input's shape. */
export function reducedGradient(ctx: GradContext): { dyk: TensorRef; yk: () => TensorRef; r: ReductionAxes } {
  const r = reductionAxes(ctx);
  const x = ctx.x(0);
  return {
    dyk: r.identity ? ctx.dy : restoreReducedAxes(ctx.g, ctx.dy, x, r.axes, r.keepdims),
    yk: () => (r.identity ? ctx.y() : restoreReducedAxes(ctx.g, ctx.y(), x, r.axes, r.keepdims)),
    r,
  };
}

/** ReduceMax/ReduceMin: dy to the elements equal to the result, split evenly between ties. */
export function extremumReductionGrad(ctx: GradContext): TensorRef {
  const { g } = ctx;
  const x = ctx.x(0);
  const { dyk, yk, r } = reducedGradient(ctx);
  const mask = g.cast(g.equal(x, yk()), x.dtype);
  const count = g.reduceSum(mask, r.axes, { keepdims: true });
  return g.mul(mask, g.div(dyk, count));
}
