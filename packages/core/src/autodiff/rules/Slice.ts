import type { GraphBuilder } from '../../onnx/graph-builder.js';
import type { TensorRef } from '../../onnx/types.js';
import { rankOf, reshapeLike, shapeOf, staticShape } from '../grad-math.js';
import type { GradContext, GradientRule } from '../rule.js';

/**
 * y = slice(x, starts, ends, axes, steps): dy goes back where it was taken, zeros elsewhere. Constant
 * unit-step slices of static shapes become one Pad; anything else (steps, negative steps, run-time bounds)
 * slices a tensor of flat element indices the same way and scatters dy into zeros at them.
 */
export const Slice: GradientRule = {
  opType: 'Slice',
  inputs: ['data', 'starts', 'ends', 'axes', 'steps'],
  differentiable: ['data'],
  nonDifferentiable: ['starts', 'ends', 'axes', 'steps'],
  grad: (ctx) => [staticSliceGrad(ctx) ?? indexedSliceGrad(ctx)],
};

function staticSliceGrad(ctx: GradContext): TensorRef | null {
  const { g, dy } = ctx;
  const s = staticShape(ctx.x(0).shape);
  const starts = ctx.constValues(1);
  const ends = ctx.constValues(2);
  const r = rankOf(ctx.x(0), 'Slice gradient');
  const axes = ctx.inputs[3] ? ctx.constValues(3) : Array.from({ length: starts?.length ?? 0 }, (_, i) => i);
  const steps = ctx.inputs[4] ? ctx.constValues(4) : starts?.map(() => 1);
  if (!s || !starts || !ends || !axes || !steps || steps.some((k) => k !== 1)) return null;
  const pads = new Array<number>(2 * r).fill(0);
  axes.forEach((axis, k) => {
    const a = axis < 0 ? axis + r : axis;
    const d = s[a];
    const clamp = (v: number) => Math.min(d, Math.max(0, v < 0 ? v + d : v));
    const begin = clamp(starts[k]);
    const end = Math.max(begin, clamp(ends[k]));
    pads[a] = begin;
    pads[r + a] = d - end;
  });
  return pads.every((p) => p === 0) ? dy : g.pad(dy, pads);
}

function indexedSliceGrad(ctx: GradContext): TensorRef {
  const { g, dy, node } = ctx;
  const x = ctx.x(0);
  const shape = shapeOf(g, x);
  const count = g.size(x);
  const flatIndex = g.reshape(g.range(0, count, 1), shape);
  const taken = g.node('Slice', [flatIndex, ...node.inputs.slice(1).map((n) => (n ? n : null))], {}, [
    { dtype: 'int64', shape: dy.shape },
  ])[0];
  const zeros = g.constantOfShape(g.unsqueeze(count, [0]), { dtype: x.dtype });
  return reshapeLike(g, scatterFlat(g, zeros, taken, dy), x);
}

function scatterFlat(g: GraphBuilder, zeros: TensorRef, indices: TensorRef, values: TensorRef): TensorRef {
  return g.scatterND(zeros, g.reshape(indices, [-1, 1]), g.reshape(values, [-1]));
}
