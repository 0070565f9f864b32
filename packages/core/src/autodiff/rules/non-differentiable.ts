/**
 * Ops declared to pass no gradient: their outputs are integer or boolean (shapes, comparisons, indices), or
 * piecewise constant (Floor, Sign...), or they make values from shapes. One table instead of a file each,
 * since each entry is only a declaration.
 */
import type { GradientRule } from '../rule.js';

const declare = (opType: string, inputs: string[]): GradientRule => ({ opType, inputs, differentiable: [], nonDifferentiable: inputs });

export const NON_DIFFERENTIABLE_RULES: readonly GradientRule[] = [
  declare('Shape', ['data']),
  declare('Size', ['data']),
  declare('Equal', ['A', 'B']),
  declare('Less', ['A', 'B']),
  declare('Greater', ['A', 'B']),
  declare('LessOrEqual', ['A', 'B']),
  declare('GreaterOrEqual', ['A', 'B']),
  declare('And', ['A', 'B']),
  declare('Or', ['A', 'B']),
  declare('Xor', ['A', 'B']),
  declare('Not', ['X']),
  declare('IsNaN', ['X']),
  declare('IsInf', ['X']),
  declare('ArgMax', ['data']),
  declare('ArgMin', ['data']),
  declare('NonZero', ['X']),
  declare('Range', ['start', 'limit', 'delta']),
  declare('ConstantOfShape', ['input']),
  declare('Constant', []),
  declare('OneHot', ['indices', 'depth', 'values']),
  declare('Floor', ['X']),
  declare('Ceil', ['X']),
  declare('Round', ['X']),
  declare('Sign', ['input']),
  declare('BitShift', ['X', 'Y']),
  declare('EyeLike', ['input']),
];
