/**
 * The structural checker every graph of the project passes before it is used or written: every input is
 * produced earlier or declared (graph input, initializer, enclosing graph for subgraphs), names are unique
 * (each tensor produced once, node names distinct, no shadowing of outer names), declared shapes agree with
 * the inferred ones, no node is dangling, Loop/Scan/If bodies have the signatures the spec requires, and the
 * model is IR 8 with only the default domain at opset 17. It reads protobuf messages, so it checks what is
 * actually written, and it reports every problem, not only the first.
 */
import { HybridocError } from '../util/errors.js';
import { tensorToNumbers, type TensorValue } from './dtype.js';
import { int64ToNumber, onnx, type GraphProto, type NodeProto } from './onnx-proto.js';
import { IR_VERSION, isDefaultDomain, OPSET17_OPS, OPSET_VERSION } from './opset.js';
import { attrsFromProto, tensorFromProto, valueInfoType } from './proto-convert.js';
import { inferOutputs, mergeShapes, ShapeError } from './shape-inference.js';
import { attrInt, typeToString, type TensorType } from './types.js';

export interface CheckProblem {
  /** The graph path: 'main', or 'main/loop_node/body' for subgraphs. */
  graph: string;
  /** The node's name (or '#index' when it has none). */
  node?: string;
  opType?: string;
  message: string;
}

export function formatProblem(p: CheckProblem): string {
  return `${p.graph}: ${p.node !== undefined ? `node '${p.node}' (${p.opType}): ` : ''}${p.message}`;
}

/** Every structural problem of a model (empty when it is valid). */
export function checkModel(model: onnx.IModelProto): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const top = model.graph?.name || 'main';
  const ir = int64ToNumber(model.irVersion);
  if (ir !== IR_VERSION) problems.push({ graph: top, message: `ir_version is ${ir}, expected ${IR_VERSION}` });
  const opsets = model.opsetImport ?? [];
  for (const o of opsets) {
    if (!isDefaultDomain(o.domain))
      problems.push({ graph: top, message: `opset_import of domain '${o.domain}': only the default ONNX domain is allowed` });
    else if (int64ToNumber(o.version) !== OPSET_VERSION) {
      problems.push({ graph: top, message: `default-domain opset is ${int64ToNumber(o.version)}, expected ${OPSET_VERSION}` });
    }
  }
  if (!opsets.some((o) => isDefaultDomain(o.domain))) problems.push({ graph: top, message: 'no opset_import for the default ONNX domain' });
  if ((model.functions ?? []).length) problems.push({ graph: top, message: 'model-local functions are not allowed' });
  if (!model.graph) {
    problems.push({ graph: top, message: 'the model has no graph' });
    return problems;
  }
  problems.push(...checkGraph(model.graph));
  return problems;
}

/** Throws one HybridocError listing every problem, each with its graph and node. */
export function assertValidModel(model: onnx.IModelProto): void {
  const problems = checkModel(model);
  if (problems.length === 0) return;
  const name = model.graph?.name || 'main';
  throw new HybridocError(
    `ONNX graph '${name}' failed the structural check (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${problems.map(formatProblem).join('\n  ')}`,
  );
}

/** Visible tensors of the enclosing graphs, by name: their types (undefined when unknown). */
export type OuterScope = ReadonlyMap<string, TensorType | undefined>;

/** Every structural problem of one graph; `outer` lists what enclosing graphs define (for subgraphs). */
export function checkGraph(graph: GraphProto, outer: OuterScope = new Map(), path = graph.name || 'main'): CheckProblem[] {
  const problems: CheckProblem[] = [];
  checkGraphInto(graph, outer, new Map(), path, problems);
  return problems;
}

interface Scope {
  types: Map<string, TensorType | undefined>;
}

/** Checks one graph, returns the names it reads from enclosing scopes. */
function checkGraphInto(
  graph: GraphProto,
  outer: OuterScope,
  outerConsts: ReadonlyMap<string, TensorValue>,
  path: string,
  problems: CheckProblem[],
): Set<string> {
  const local: Scope = { types: new Map() };
  const consts = new Map(outerConsts);
  const report = (message: string, node?: { label: string; opType: string }) =>
    problems.push({ graph: path, ...(node ? { node: node.label, opType: node.opType } : {}), message });
  const visible = (name: string) => local.types.has(name) || outer.has(name);
  const typeOf = (name: string) => (local.types.has(name) ? local.types.get(name) : outer.get(name));
  const define = (name: string, type: TensorType | undefined, what: string, node?: { label: string; opType: string }) => {
    if (local.types.has(name)) report(`'${name}' is defined more than once (again as ${what})`, node);
    else if (outer.has(name)) report(`'${name}' (${what}) shadows a tensor of an enclosing graph`, node);
    local.types.set(name, type);
  };

  const declared = new Map<string, TensorType | undefined>();
  for (const v of [...(graph.valueInfo ?? []), ...(graph.output ?? [])]) if (v.name) declared.set(v.name, valueInfoType(v));

  const inputNames = new Set<string>();
  for (const v of graph.input ?? []) {
    const name = v.name ?? '';
    const t = valueInfoType(v);
    if (!t) report(`graph input '${name}' has no tensor type of a supported dtype`);
    define(name, t, 'a graph input');
    inputNames.add(name);
  }
  for (const init of graph.initializer ?? []) {
    const name = init.name ?? '';
    let value: TensorValue | undefined;
    try {
      value = tensorFromProto(init);
    } catch (e) {
      report(`initializer '${name}': ${(e as Error).message}`);
    }
    if (value && value.data.length <= 64) consts.set(name, value);
    const t = value ? { dtype: value.dtype, shape: [...value.dims] } : undefined;
    if (inputNames.has(name)) continue; // an initializer may give a graph input its default value
    define(name, t, 'an initializer');
  }

  const nodes = graph.node ?? [];
  const producedLater = new Set<string>(nodes.flatMap((n) => n.output ?? []).filter(Boolean));
  const nodeNames = new Set<string>();
  const free = new Set<string>();
  const uses: Array<Set<string>> = [];

  nodes.forEach((n, idx) => {
    const opType = n.opType ?? '';
    const label = n.name || `#${idx}`;
    const where = { label, opType };
    if (n.name) {
      if (nodeNames.has(n.name)) report('node name is not unique', where);
      nodeNames.add(n.name);
    }
    if (!isDefaultDomain(n.domain)) report(`domain '${n.domain}' is not allowed (default ONNX domain only)`, where);
    else if (!OPSET17_OPS.has(opType)) report(`'${opType}' is not an operator of the default domain at opset ${OPSET_VERSION}`, where);

    const used = new Set<string>();
    const inputs = n.input ?? [];
    for (const i of inputs) {
      if (!i) continue;
      used.add(i);
      if (!visible(i)) {
        report(
          producedLater.has(i)
            ? `input '${i}' is produced by a later node (nodes must be in topological order)`
            : `input '${i}' is not produced by any node, graph input, initializer or enclosing graph`,
          where,
        );
      } else if (!local.types.has(i)) free.add(i);
    }

    // Subgraphs see everything visible here so far.
    const subOutputs = new Map<string, TensorType[]>();
    for (const a of n.attribute ?? []) {
      if (a.type !== onnx.AttributeProto.AttributeType.GRAPH || !a.g) continue;
      const scope = new Map<string, TensorType | undefined>([...outer, ...local.types]);
      const subFree = checkGraphInto(a.g, scope, consts, `${path}/${label}/${a.name}`, problems);
      for (const f of subFree) {
        used.add(f);
        if (!local.types.has(f)) free.add(f);
      }
      subOutputs.set(
        a.name ?? '',
        (a.g.output ?? []).map((o) => valueInfoType(o) ?? { dtype: 'float32', shape: null }),
      );
      checkSubgraphSignature(
        n,
        a.name ?? '',
        a.g,
        inputs.map((i) => (i ? typeOf(i) : undefined)),
        (m) => report(m, where),
      );
    }
    uses.push(used);

    const outputs = n.output ?? [];
    let inferred: TensorType[] | undefined;
    const inTypes = inputs.map((i) => (i ? typeOf(i) : undefined));
    const knownInputs = inputs.every((i, k) => !i || inTypes[k] !== undefined);
    if (knownInputs && OPSET17_OPS.has(opType)) {
      try {
        inferred = inferOutputs({
          opType,
          inputs: inTypes,
          attrs: attrsFromProto(n.attribute),
          nOutputs: outputs.length,
          constValues: (k) => {
            const c = inputs[k] ? consts.get(inputs[k]) : undefined;
            return c ? tensorToNumbers(c) : undefined;
          },
          subgraphOutputs: (key) => subOutputs.get(key),
        });
      } catch (e) {
        if (!(e instanceof ShapeError)) throw e;
        report(e.message, where);
      }
    }
    outputs.forEach((o, k) => {
      if (!o) return;
      const inf = inferred?.[k];
      const dec = declared.get(o);
      let type = dec ?? inf;
      if (inf && dec) {
        if (inf.dtype !== dec.dtype) report(`output '${o}' is declared ${dec.dtype} but the op produces ${inf.dtype}`, where);
        else {
          try {
            type = { dtype: dec.dtype, shape: mergeShapes(dec.shape, inf.shape) };
          } catch (e) {
            report(`output '${o}' is declared ${typeToString(dec)} but inferred ${typeToString(inf)} (${(e as Error).message})`, where);
          }
        }
      }
      define(o, type, `an output of node '${label}'`, where);
    });
    if (opType === 'Constant') {
      const v = attrsFromProto(n.attribute).value;
      if (v && v.type === 'tensor' && v.value.data.length <= 64 && outputs[0]) {
        consts.set(outputs[0], v.value);
      }
    }
  });

  const outputNames = new Set<string>();
  for (const v of graph.output ?? []) {
    const name = v.name ?? '';
    if (outputNames.has(name)) report(`graph output '${name}' is listed twice`);
    outputNames.add(name);
    if (!valueInfoType(v)) report(`graph output '${name}' has no tensor type of a supported dtype`);
    if (!visible(name)) report(`graph output '${name}' is not produced by any node, graph input or initializer`);
    else if (!local.types.has(name)) free.add(name);
  }

  // Dangling nodes: none of their outputs reaches a graph output (through later nodes or subgraph reads).
  const live = new Set(outputNames);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if ((n.output ?? []).some((o) => o && live.has(o))) for (const u of uses[i]) live.add(u);
    else report('dangling: none of its outputs reaches a graph output', { label: n.name || `#${i}`, opType: n.opType ?? '' });
  }
  return free;
}

/** Loop/Scan/If body inputs and outputs as the spec requires, and matching the node's inputs and outputs. */
function checkSubgraphSignature(
  n: NodeProto,
  attrName: string,
  g: GraphProto,
  inTypes: Array<TensorType | undefined>,
  report: (m: string) => void,
): void {
  const op = n.opType;
  const bodyIn = (g.input ?? []).map((v) => valueInfoType(v));
  const bodyOut = (g.output ?? []).map((v) => valueInfoType(v));
  const nodeIn = n.input ?? [];
  const nodeOut = n.output ?? [];
  const sameType = (what: string, a: TensorType | undefined, b: TensorType | undefined) => {
    if (!a || !b) return;
    if (a.dtype !== b.dtype) return report(`${what}: ${a.dtype} vs ${b.dtype}`);
    try {
      mergeShapes(a.shape, b.shape);
    } catch (e) {
      report(`${what}: shapes ${typeToString(a)} vs ${typeToString(b)} (${(e as Error).message})`);
    }
  };
  if (op === 'Loop' && attrName === 'body') {
    const nCarried = nodeIn.length - 2;
    if (nCarried < 0) return report('Loop needs inputs M and cond (either may be empty)');
    if (bodyIn.length !== 2 + nCarried) return report(`Loop body has ${bodyIn.length} inputs, expected 2 + ${nCarried} loop-carried`);
    const nScan = bodyOut.length - 1 - nCarried;
    if (nScan < 0) return report(`Loop body has ${bodyOut.length} outputs, expected cond + ${nCarried} loop-carried (+ scan outputs)`);
    if (nodeOut.length !== nCarried + nScan)
      report(`Loop node has ${nodeOut.length} outputs, its body gives ${nCarried} loop-carried + ${nScan} scan outputs`);
    if (bodyIn[0] && bodyIn[0].dtype !== 'int64') report(`Loop body input 0 (iteration number) must be int64, is ${bodyIn[0].dtype}`);
    if (bodyIn[1] && bodyIn[1].dtype !== 'bool') report(`Loop body input 1 (condition) must be bool, is ${bodyIn[1].dtype}`);
    if (bodyOut[0] && bodyOut[0].dtype !== 'bool') report(`Loop body output 0 (condition) must be bool, is ${bodyOut[0].dtype}`);
    if (inTypes[0] && inTypes[0].dtype !== 'int64') report(`Loop trip count M must be int64, is ${inTypes[0].dtype}`);
    if (inTypes[1] && inTypes[1].dtype !== 'bool') report(`Loop condition must be bool, is ${inTypes[1].dtype}`);
    for (let i = 0; i < nCarried; i++) {
      sameType(`Loop loop-carried ${i}: initial value vs body input`, inTypes[2 + i], bodyIn[2 + i]);
      sameType(`Loop loop-carried ${i}: body input vs body output`, bodyIn[2 + i], bodyOut[1 + i]);
    }
  } else if (op === 'Scan' && attrName === 'body') {
    const m = attrInt(attrsFromProto(n.attribute), 'num_scan_inputs', 0);
    const nState = nodeIn.length - m;
    if (m < 1 || nState < 0) return report(`Scan num_scan_inputs ${m} does not fit ${nodeIn.length} inputs`);
    if (bodyIn.length !== nodeIn.length)
      return report(`Scan body has ${bodyIn.length} inputs, expected ${nState} states + ${m} scan inputs`);
    if (bodyOut.length !== nodeOut.length) report(`Scan body has ${bodyOut.length} outputs, the node ${nodeOut.length}`);
    if (bodyOut.length < nState) return report(`Scan body has ${bodyOut.length} outputs, fewer than its ${nState} states`);
    for (let i = 0; i < nState; i++) {
      sameType(`Scan state ${i}: initial value vs body input`, inTypes[i], bodyIn[i]);
      sameType(`Scan state ${i}: body input vs body output`, bodyIn[i], bodyOut[i]);
    }
    for (let j = 0; j < m; j++) {
      const x = inTypes[nState + j];
      const b = bodyIn[nState + j];
      if (x && b && x.dtype !== b.dtype) report(`Scan scan input ${j}: ${x.dtype} vs body input ${b.dtype}`);
      if (x && b && x.shape && b.shape && x.shape.length !== b.shape.length + 1) {
        report(`Scan scan input ${j} has rank ${x.shape.length}, its body slice rank ${b.shape.length} (expected one less)`);
      }
    }
  } else if (op === 'If' && (attrName === 'then_branch' || attrName === 'else_branch')) {
    if (bodyIn.length !== 0) report(`If ${attrName} must have no inputs, has ${bodyIn.length}`);
    if (bodyOut.length !== nodeOut.length) report(`If ${attrName} has ${bodyOut.length} outputs, the node ${nodeOut.length}`);
    if (inTypes[0] && inTypes[0].dtype !== 'bool') report(`If condition must be bool, is ${inTypes[0].dtype}`);
  }
}
