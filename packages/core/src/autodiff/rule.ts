/**
 * The shape of a gradient rule: one object per ONNX op type, declaring which inputs it differentiates and
 * which it does not, and a grad function that appends the backward nodes for one forward node.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { NodeRecord, TensorRef } from '../onnx/types.js';

/** What a rule sees of one forward node while the backward pass is built. */
export interface GradContext {
  /** The graph being extended; new nodes go at its end. */
  readonly g: GraphBuilder;
  readonly node: NodeRecord;
  /** Input tensors in order; null for an omitted optional input. */
  readonly inputs: ReadonlyArray<TensorRef | null>;
  /** Output tensors in order; null for an omitted optional output. */
  readonly outputs: ReadonlyArray<TensorRef | null>;
  /** The incoming gradient of each output; null where none flows. */
  readonly dOutputs: ReadonlyArray<TensorRef | null>;
  /** The incoming gradient of output 0 (throws when none flows; multi-output rules read dOutputs). */
  readonly dy: TensorRef;
  /** Whether input i wants a gradient (it is a float tensor that depends on a wrt tensor). */
  needs(i: number): boolean;
  /** Input i, which must be present. */
  x(i: number): TensorRef;
  /** Output i (default 0), which must be present. */
  y(i?: number): TensorRef;
  /** Integer attribute, or its default. */
  int(key: string, dflt: number): number;
  /** Float attribute rounded to float32 as ONNX stores it, or its default. */
  float(key: string, dflt: number): number;
  ints(key: string): number[] | undefined;
  string(key: string, dflt: string): string;
  /** The values of input i as numbers when it is a constant (Constant output or initializer), else undefined. */
  constValues(i: number): number[] | undefined;
}

/** One gradient per input (null where none flows or none is wanted). */
export type InputGradients = Array<TensorRef | null>;

export interface GradientRule {
  /** The ONNX op type (default domain, opset 17); the rule's file is named after it. */
  readonly opType: string;
  /** The op's input names as the ONNX spec gives them; a trailing `...` marks a variadic input. */
  readonly inputs: readonly string[];
  /** Inputs that get a gradient. */
  readonly differentiable: readonly string[];
  /** Inputs declared to get none (indices, shapes, masks, integer or boolean operands). */
  readonly nonDifferentiable: readonly string[];
  /** Appends the backward nodes; absent when no input is differentiable. */
  readonly grad?: (ctx: GradContext) => InputGradients;
}

/** Whether input position `i` of a node is differentiable under `rule` (variadic inputs repeat the last name). */
export function isDifferentiableInput(rule: GradientRule, i: number): boolean {
  const last = rule.inputs[rule.inputs.length - 1];
  const name = i < rule.inputs.length ? rule.inputs[i] : last?.endsWith('...') ? last : undefined;
  return name !== undefined && rule.differentiable.includes(name);
}
