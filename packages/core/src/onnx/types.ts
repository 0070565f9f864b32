/** The records the graph builder, checker and later passes (autodiff, dead-node elimination) share. */
import type { DType, TensorValue } from './dtype.js';
import type { GraphBuilder } from './graph-builder.js';

/** A dimension: a known size, a symbolic name ('batch', 'seq'), or null when nothing is known. */
export type Dim = number | string | null;
/** A shape; null when even the rank is unknown. */
export type Shape = Dim[] | null;

export interface TensorType {
  readonly dtype: DType;
  readonly shape: Shape;
  /**
   * The contents of a small integer tensor when shape inference knows them as dims (a Shape node's output
   * and what Gather, Slice, Concat, Unsqueeze, Squeeze and Cast make of it): ['batch', 'seq'], [0, 'seq'].
   * Reshape, Expand, Slice, Range and ConstantOfShape read it, so symbolic dims survive shapes computed at
   * run time. The builder keeps it beside its tensors; TensorRefs do not carry it.
   */
  readonly value?: readonly Dim[];
}

/** A handle on a tensor of a graph: its name, element type and (inferred or declared) shape. */
export interface TensorRef extends TensorType {
  readonly name: string;
}

/** A typed attribute value, tagged with its ONNX AttributeType. */
export type AttrValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensor'; value: TensorValue }
  | { type: 'graph'; value: GraphBuilder };

export type Attributes = Record<string, AttrValue>;

/** Constructors for attribute values, for `node()` and anywhere the type must be explicit (a float 1.0). */
export const attr = {
  int: (value: number): AttrValue => ({ type: 'int', value }),
  float: (value: number): AttrValue => ({ type: 'float', value }),
  string: (value: string): AttrValue => ({ type: 'string', value }),
  ints: (value: number[]): AttrValue => ({ type: 'ints', value: [...value] }),
  floats: (value: number[]): AttrValue => ({ type: 'floats', value: [...value] }),
  strings: (value: string[]): AttrValue => ({ type: 'strings', value: [...value] }),
  tensor: (value: TensorValue): AttrValue => ({ type: 'tensor', value }),
  graph: (value: GraphBuilder): AttrValue => ({ type: 'graph', value }),
};

/**
 * One node, as a plain record: inputs and outputs are tensor names, '' marks an omitted optional input or
 * output. Nodes are kept in topological (insertion) order.
 */
export interface NodeRecord {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Attributes;
}

/** Read an int attribute (or its default). */
export function attrInt(attrs: Attributes, key: string, dflt: number): number;
export function attrInt(attrs: Attributes, key: string): number | undefined;
export function attrInt(attrs: Attributes, key: string, dflt?: number): number | undefined {
  const a = attrs[key];
  return a && a.type === 'int' ? a.value : dflt;
}

export function attrFloat(attrs: Attributes, key: string, dflt: number): number {
  const a = attrs[key];
  return a && (a.type === 'float' || a.type === 'int') ? a.value : dflt;
}

export function attrInts(attrs: Attributes, key: string): number[] | undefined {
  const a = attrs[key];
  return a && a.type === 'ints' ? a.value : undefined;
}

export function attrString(attrs: Attributes, key: string, dflt: string): string {
  const a = attrs[key];
  return a && a.type === 'string' ? a.value : dflt;
}

export function shapeToString(shape: Shape): string {
  return shape === null ? '?' : `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

export function typeToString(t: TensorType): string {
  return `${t.dtype}${shapeToString(t.shape)}`;
}
