/** What `hybridoc inspect` prints about a model: ops (subgraphs included), inputs, outputs, parameters. */
import { BYTES_PER_ELEMENT, dtypeFromOnnx, numElements } from './dtype.js';
import { modelMetadata } from './model.js';
import { int64ToNumber, onnx, type GraphProto } from './onnx-proto.js';
import { valueInfoType } from './proto-convert.js';
import type { Shape } from './types.js';

export interface TensorSummary {
  name: string;
  dtype: string;
  shape: Shape;
}

export interface ModelSummary {
  graphName: string;
  irVersion: number;
  opsets: Array<{ domain: string; version: number }>;
  producer: string;
  metadata: Record<string, string>;
  /** Nodes in all graphs, subgraphs included. */
  nodeCount: number;
  subgraphCount: number;
  /** Node count per op type (subgraphs included), most frequent first. */
  opCounts: Record<string, number>;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  initializerCount: number;
  /** Elements in all initializers (subgraphs included). */
  parameterCount: number;
  parameterBytes: number;
}

export function summarizeModel(model: onnx.IModelProto): ModelSummary {
  const counts = new Map<string, number>();
  const totals = { nodes: 0, subgraphs: 0, inits: 0, params: 0, bytes: 0 };
  const walk = (g: GraphProto) => {
    for (const init of g.initializer ?? []) {
      const n = numElements((init.dims ?? []).map(int64ToNumber));
      const dtype = dtypeFromOnnx(init.dataType ?? 0);
      totals.inits++;
      totals.params += n;
      totals.bytes += dtype ? n * BYTES_PER_ELEMENT[dtype] : (init.rawData?.length ?? 0);
    }
    for (const node of g.node ?? []) {
      totals.nodes++;
      const op = node.domain ? `${node.domain}:${node.opType}` : (node.opType ?? '?');
      counts.set(op, (counts.get(op) ?? 0) + 1);
      for (const a of node.attribute ?? []) {
        const subs = [...(a.g ? [a.g] : []), ...(a.graphs ?? [])];
        for (const s of subs) {
          totals.subgraphs++;
          walk(s);
        }
      }
    }
  };
  const graph = model.graph ?? {};
  walk(graph);
  const tensor = (v: onnx.IValueInfoProto): TensorSummary => {
    const t = valueInfoType(v);
    return { name: v.name ?? '', dtype: t?.dtype ?? 'unknown', shape: t ? t.shape : null };
  };
  const initNames = new Set((graph.initializer ?? []).map((i) => i.name));
  return {
    graphName: graph.name ?? '',
    irVersion: int64ToNumber(model.irVersion),
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: int64ToNumber(o.version) })),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    metadata: modelMetadata(model),
    nodeCount: totals.nodes,
    subgraphCount: totals.subgraphs,
    opCounts: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
    inputs: (graph.input ?? []).filter((v) => !initNames.has(v.name)).map(tensor),
    outputs: (graph.output ?? []).map(tensor),
    initializerCount: totals.inits,
    parameterCount: totals.params,
    parameterBytes: totals.bytes,
  };
}
