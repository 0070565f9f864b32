import { unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/**
 * y = alpha * A' @ B' + beta * C, with A' = transA ? A^T : A and B' likewise; C broadcasts to y.
 * dA' = alpha * dy @ B'^T and dB' = alpha * A'^T @ dy, written as Gemms with the matching trans flags.
 */
export const Gemm: GradientRule = {
  opType: 'Gemm',
  inputs: ['A', 'B', 'C'],
  differentiable: ['A', 'B', 'C'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, inputs, needs, int, float }) => {
    const [a, b] = [x(0), x(1)];
    const c = inputs[2];
    const tA = int('transA', 0) === 1;
    const tB = int('transB', 0) === 1;
    const alpha = float('alpha', 1);
    const beta = float('beta', 1);
    const da = !needs(0)
      ? null
      : tA
        ? g.gemm(b, dy, null, { alpha, transA: tB, transB: true })
        : g.gemm(dy, b, null, { alpha, transB: !tB });
    const db = !needs(1)
      ? null
      : tB
        ? g.gemm(dy, a, null, { alpha, transA: true, transB: tA })
        : g.gemm(a, dy, null, { alpha, transA: !tA });
    const dc = c && needs(2) ? unbroadcast(g, beta === 1 ? dy : g.mul(dy, beta), c) : null;
    return [da, db, dc];
  },
};
