// The rule registry: one rule per op type, declarations consistent with the ONNX input names, no gaps
// against the ops the sample models and the op list use, and a finite-difference case per rule.
import { DIFFERENTIABLE_RULES, GRADIENT_RULES, NON_DIFFERENTIABLE_RULES, OPSET17_OPS, gradientRule } from '@hybridoc/core';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_CASES } from './rule-cases.js';
import { buildMlp, buildTransformerBlock } from './sample-models.js';

const RULES_DIR = join(process.cwd(), 'packages/core/src/autodiff/rules');

describe('gradient rule registry', () => {
  test('lists every op type once, and only opset-17 default-domain ops', () => {
    const types = GRADIENT_RULES.map((r) => r.opType);
    const dups = types.filter((t, i) => types.indexOf(t) !== i);
    expect(dups).toEqual([]);
    expect(types.filter((t) => !OPSET17_OPS.has(t))).toEqual([]);
  });

  test('one file per differentiable rule, named after its op type, and every file is registered', () => {
    const files = readdirSync(RULES_DIR)
      .filter((f) => /^[A-Z].*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(files).toEqual(DIFFERENTIABLE_RULES.map((r) => r.opType).sort());
  });

  test('each rule declares each input exactly once, as differentiable or not, and has grad() iff something is differentiable', () => {
    for (const r of GRADIENT_RULES) {
      const declared = [...r.differentiable, ...r.nonDifferentiable].sort();
      expect({ op: r.opType, declared }).toEqual({ op: r.opType, declared: [...r.inputs].sort() });
      expect({ op: r.opType, hasGrad: typeof r.grad === 'function' }).toEqual({ op: r.opType, hasGrad: r.differentiable.length > 0 });
    }
    expect(NON_DIFFERENTIABLE_RULES.every((r) => r.differentiable.length === 0)).toBe(true);
  });

  test('covers the ops the issue names and the declared non-differentiable ones', () => {
    const named =
      'MatMul Gemm Add Sub Mul Div Pow Sqrt Exp Log Erf Tanh Relu Sigmoid Neg Abs Reciprocal Max Min Softmax LogSoftmax ' +
      'LayerNormalization ReduceSum ReduceMean ReduceMax ReduceLogSumExp ReduceSumSquare Gather GatherElements Conv Reshape ' +
      'Transpose Concat Split Slice Unsqueeze Squeeze Expand Tile Where Cast Clip Identity Dropout Flatten Einsum CumSum Pad';
    expect(named.split(' ').filter((op) => !gradientRule(op)?.grad)).toEqual([]);
    const declared = 'Shape Size Equal Less Greater ArgMax Range ConstantOfShape Constant NonZero Not And Floor Sign';
    expect(declared.split(' ').filter((op) => gradientRule(op)?.differentiable.length !== 0)).toEqual([]);
  });

  test('has a rule for every op type the sample forward graphs use', () => {
    for (const m of [buildMlp(), buildTransformerBlock({ dropout: 0.1 })]) {
      const used = [...new Set(m.g.nodes.map((n) => n.opType))];
      expect(used.filter((op) => !gradientRule(op))).toEqual([]);
    }
  });

  test('every differentiable rule has a finite-difference case', () => {
    const tested = new Set(RULE_CASES.map((c) => c.op));
    expect(DIFFERENTIABLE_RULES.map((r) => r.opType).filter((op) => !tested.has(op))).toEqual([]);
  });
});
