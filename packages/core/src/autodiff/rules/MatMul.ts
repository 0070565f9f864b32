import { rankOf, transposeLast2, unbroadcast } from '../grad-math.js';
import type { GraphBuilder } from '../../onnx/graph-builder.js';
import type { TensorRef } from '../../onnx/types.js';
import type { GradientRule } from '../rule.js';

/**
 * y = a @ b with numpy batch broadcasting; 1-D operands are promoted ([K] -> [1, K] for a, [K, 1] for b).
 * da = dy @ b^T, db = a^T @ dy, each summed over broadcast batch axes. For the common x[..., K] @ w[K, N]
 * the weight gradient is one GEMM over the flattened batch instead of a batched product then a sum.
 */
export const MatMul: GradientRule = {
  opType: 'MatMul',
  inputs: ['A', 'B'],
  differentiable: ['A', 'B'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, needs }) => {
    const a = x(0);
    const b = x(1);
    const ra = rankOf(a, 'MatMul gradient');
    const rb = rankOf(b, 'MatMul gradient');
    const a2 = ra === 1 ? g.unsqueeze(a, [0]) : a;
    const b2 = rb === 1 ? g.unsqueeze(b, [1]) : b;
    const d = ra === 1 && rb === 1 ? g.reshape(dy, [1, 1]) : ra === 1 ? g.unsqueeze(dy, [-2]) : rb === 1 ? g.unsqueeze(dy, [-1]) : dy;
    let da: TensorRef | null = null;
    if (needs(0)) {
      da = unbroadcast(g, g.matmul(d, transposeLast2(g, b2)), a2);
      if (ra === 1) da = g.squeeze(da, [0]);
    }
    let db: TensorRef | null = null;
    if (needs(1)) {
      if (rb === 2 && ra > 2) db = g.gemm(flattenBatch(g, a2), flattenBatch(g, d), null, { transA: true });
      else db = unbroadcast(g, g.matmul(transposeLast2(g, a2), d), b2);
      if (rb === 1) db = g.squeeze(db, [1]);
    }
    return [da, db];
  },
};

/** [..., M, K] -> [prod(...) * M, K]. */
function flattenBatch(g: GraphBuilder, t: TensorRef): TensorRef {
  const last = t.shape![t.shape!.length - 1];
  if (typeof last === 'number') return g.reshape(t, [-1, last]);
  return g.reshape(t, g.concat([g.constInt64([-1]), g.shape(t, { start: -1 })], 0));
}
