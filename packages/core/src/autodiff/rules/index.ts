/**
 * The gradient rule registry: every rule, listed once by hand. One file per ONNX op type, named after it;
 * ops that pass no gradient are declared in non-differentiable.ts. tests/autodiff/registry.test.ts checks
 * this list for duplicates and for gaps against the ops the model graphs use.
 */
import type { GradientRule } from '../rule.js';
import { Abs } from './Abs.js';
import { Add } from './Add.js';
import { Cast } from './Cast.js';
import { Clip } from './Clip.js';
import { Concat } from './Concat.js';
import { Conv } from './Conv.js';
import { CumSum } from './CumSum.js';
import { Div } from './Div.js';
import { Dropout } from './Dropout.js';
import { Einsum } from './Einsum.js';
import { Erf } from './Erf.js';
import { Exp } from './Exp.js';
import { Expand } from './Expand.js';
import { Flatten } from './Flatten.js';
import { Gather } from './Gather.js';
import { GatherElements } from './GatherElements.js';
import { GatherND } from './GatherND.js';
import { Gemm } from './Gemm.js';
import { Identity } from './Identity.js';
import { LayerNormalization } from './LayerNormalization.js';
import { LeakyRelu } from './LeakyRelu.js';
import { Log } from './Log.js';
import { LogSoftmax } from './LogSoftmax.js';
import { MatMul } from './MatMul.js';
import { Max } from './Max.js';
import { Mean } from './Mean.js';
import { Min } from './Min.js';
import { Mod } from './Mod.js';
import { Mul } from './Mul.js';
import { Neg } from './Neg.js';
import { Pad } from './Pad.js';
import { Pow } from './Pow.js';
import { Reciprocal } from './Reciprocal.js';
import { ReduceL2 } from './ReduceL2.js';
import { ReduceLogSumExp } from './ReduceLogSumExp.js';
import { ReduceMax } from './ReduceMax.js';
import { ReduceMean } from './ReduceMean.js';
import { ReduceMin } from './ReduceMin.js';
import { ReduceSum } from './ReduceSum.js';
import { ReduceSumSquare } from './ReduceSumSquare.js';
import { Relu } from './Relu.js';
import { Reshape } from './Reshape.js';
import { ScatterElements } from './ScatterElements.js';
import { ScatterND } from './ScatterND.js';
import { Sigmoid } from './Sigmoid.js';
import { Slice } from './Slice.js';
import { Softmax } from './Softmax.js';
import { Split } from './Split.js';
import { Sqrt } from './Sqrt.js';
import { Squeeze } from './Squeeze.js';
import { Sub } from './Sub.js';
import { Sum } from './Sum.js';
import { Tanh } from './Tanh.js';
import { Tile } from './Tile.js';
import { TopK } from './TopK.js';
import { Transpose } from './Transpose.js';
import { Trilu } from './Trilu.js';
import { Unsqueeze } from './Unsqueeze.js';
import { Where } from './Where.js';
import { NON_DIFFERENTIABLE_RULES } from './non-differentiable.js';

export const DIFFERENTIABLE_RULES: readonly GradientRule[] = [
  Abs,
  Add,
  Cast,
  Clip,
  Concat,
  Conv,
  CumSum,
  Div,
  Dropout,
  Einsum,
  Erf,
  Exp,
  Expand,
  Flatten,
  Gather,
  GatherElements,
  GatherND,
  Gemm,
  Identity,
  LayerNormalization,
  LeakyRelu,
  Log,
  LogSoftmax,
  MatMul,
  Max,
  Mean,
  Min,
  Mod,
  Mul,
  Neg,
  Pad,
  Pow,
  Reciprocal,
  ReduceL2,
  ReduceLogSumExp,
  ReduceMax,
  ReduceMean,
  ReduceMin,
  ReduceSum,
  ReduceSumSquare,
  Relu,
  Reshape,
  ScatterElements,
  ScatterND,
  Sigmoid,
  Slice,
  Softmax,
  Split,
  Sqrt,
  Squeeze,
  Sub,
  Sum,
  Tanh,
  Tile,
  TopK,
  Transpose,
  Trilu,
  Unsqueeze,
  Where,
];

export const GRADIENT_RULES: readonly GradientRule[] = [...DIFFERENTIABLE_RULES, ...NON_DIFFERENTIABLE_RULES];

export { NON_DIFFERENTIABLE_RULES };
