/**
 * Custom-gradient blocks: a group of forward nodes (possibly Loop/Scan) whose backward pass is written by
 * hand. gradients() treats the group as one unit: it does not look inside, and calls `backward` with the
 * gradients of the block's outputs to get those of its inputs.
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { NodeRecord, TensorRef } from '../onnx/types.js';
import { HybridocError } from '../util/errors.js';

export type CustomBackward = (g: GraphBuilder, dOutputs: Array<TensorRef | null>) => Array<TensorRef | null>;

export interface CustomGradientBlockSpec {
  /** The tensors the block differentiates with respect to (gradients flow back into these only). */
  inputs: TensorRef[];
  /** The tensors the block produces (gradients flow in from these). */
  outputs: TensorRef[];
  /** Builds the input gradients (one per input, null for none) from the output gradients (null where none flows). */
  backward: CustomBackward;
}

/** A registered block: its spec and the names of the forward nodes it covers. */
export interface CustomGradientBlock extends CustomGradientBlockSpec {
  readonly name: string;
  readonly nodeNames: ReadonlySet<string>;
}

const blocksByGraph = new WeakMap<GraphBuilder, CustomGradientBlock[]>();

/** The blocks registered on a graph, in registration order. */
export function customGradientBlocks(g: GraphBuilder): readonly CustomGradientBlock[] {
  return blocksByGraph.get(g) ?? [];
}

/**
 * Marks the forward nodes between `inputs` and `outputs` (already built) as one block with a hand-written
 * backward. The block's nodes are the producers of the outputs and their ancestors, stopping at the inputs
 * and at graph inputs, initializers and tensors no node of g produces.
 */
export function customGradientBlock(g: GraphBuilder, block: CustomGradientBlockSpec): void {
  if (block.outputs.length === 0) throw new HybridocError('customGradientBlock: the block has no outputs');
  const stop = new Set(block.inputs.map((t) => g.ref(t).name));
  const producerOf = new Map<string, NodeRecord>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producerOf.set(o, n);
  const members = new Set<string>();
  const stack = block.outputs.map((t) => g.ref(t).name);
  for (const o of stack) {
    if (stop.has(o)) throw new HybridocError(`customGradientBlock: '${o}' is both an input and an output of the block`);
    if (!producerOf.has(o)) throw new HybridocError(`customGradientBlock: output '${o}' is not produced by a node of graph '${g.name}'`);
  }
  while (stack.length) {
    const name = stack.pop()!;
    if (stop.has(name)) continue;
    const n = producerOf.get(name);
    if (!n || members.has(n.name)) continue;
    members.add(n.name);
    for (const i of n.inputs) if (i) stack.push(i);
    for (const a of Object.values(n.attributes)) if (a.type === 'graph') for (const f of a.value.freeNames()) stack.push(f);
  }
  const taken = new Set(customGradientBlocks(g).flatMap((b) => [...b.nodeNames]));
  const shared = [...members].filter((m) => taken.has(m));
  if (shared.length) throw new HybridocError(`customGradientBlock: node '${shared[0]}' already belongs to another block`);
  const list = blocksByGraph.get(g) ?? [];
  list.push({
    name: `custom_block_${list.length}`,
    inputs: block.inputs.map((t) => g.ref(t)),
    outputs: block.outputs.map((t) => g.ref(t)),
    backward: block.backward,
    nodeNames: members,
  });
  blocksByGraph.set(g, list);
}
