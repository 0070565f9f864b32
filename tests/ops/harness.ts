/**
 * The op-suite harness: a case table entry builds a small graph with the GraphBuilder, its reference computes
 * the expected outputs with the TypeScript reference library (tests/ops/reference), and the harness runs the
 * graph in onnxruntime-node through the project's runtime layer. Cases of one float type are batched into one
 * graph and one session (session creation dominates otherwise); when a batch fails as a whole, every case of it
 * is run on its own so each test reports its own error.
 */
import {
  createSession,
  fnv1a32,
  GraphBuilder,
  onnx,
  int64ToNumber,
  seededUniform,
  tensor,
  type Dim,
  type HostTensor,
  type TensorRef,
  type TensorDType,
} from '@hybridoc/core';
import { NDArray, type RefDType } from './reference/ndarray.js';

export type FloatDType = 'float32' | 'float64';
/** A case's variants: its float type, or 'nofloat' for cases whose tensors are all integers or booleans. */
export type Variant = FloatDType | 'nofloat';

export type Rng = () => number;
/** Generates n input values (JS numbers; bools as 0/1). */
export type Gen = (rng: Rng, n: number) => number[];

export interface InputSpec {
  name: string;
  /** 'float' takes the variant's float type. */
  dtype: 'float' | 'int64' | 'bool';
  /** The declared shape: numbers or symbolic names. */
  shape: Dim[];
  /** The fed shape when the declared one has symbols or unknown dims. */
  dims?: number[];
  /** Values (default: uniform in [-2, 2) for floats, integers in [-3, 3] for int64, fair coins for bools). */
  gen?: Gen;
}

export interface OpCase {
  /** The GraphBuilder method under test (the coverage test checks the build calls it). */
  method: string;
  /** What this variant exercises, e.g. 'axis -1 keepdims 0'. */
  id: string;
  inputs: InputSpec[];
  build(b: GraphBuilder, x: TensorRef[], dt: FloatDType): TensorRef | TensorRef[];
  ref(x: NDArray[], dt: FloatDType): NDArray | NDArray[];
  /** Float types to run (default both); 'nofloat' for cases without float tensors (run once). */
  floatTypes?: readonly FloatDType[] | 'nofloat';
  /** ORT has no float64 kernel for this op type: the float64 variant must fail at session creation. */
  noFloat64?: string;
  /** Tolerance multiplier (for ill-conditioned outputs). */
  tol?: number;
  /** How much of each output shape the graph must declare: every dim (default), the rank, or nothing. */
  declared?: 'full' | 'rank' | 'any';
}

export function variantsOf(c: OpCase): Variant[] {
  if (c.floatTypes === 'nofloat') return ['nofloat'];
  return [...(c.floatTypes ?? ['float32', 'float64'])];
}

export const floatOf = (v: Variant): FloatDType => (v === 'float64' ? 'float64' : 'float32');

// ------------------------------------------------------------------------------------------- inputs

/** mulberry32 seeded by a string (its FNV-1a hash). */
export function rngFor(key: string): Rng {
  return seededUniform(fnv1a32(key));
}

export const uniform =
  (lo: number, hi: number): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => lo + (hi - lo) * rng());
/** Integers in [lo, hi] (as values of any dtype: float inputs with ties and exact equalities). */
export const ints =
  (lo: number, hi: number): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => lo + Math.floor((hi - lo + 1) * rng()));
export const fixed =
  (values: readonly number[]): Gen =>
  (_rng, n) => {
    if (values.length !== n) throw new Error(`fixed input: ${values.length} values for ${n} elements`);
    return [...values];
  };
/** Values of magnitude in [lo, hi) with random signs (away from zero). */
export const awayFromZero =
  (lo: number, hi: number): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => (rng() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng()));

export interface CaseInput {
  spec: InputSpec;
  dtype: TensorDType;
  host: HostTensor;
  ref: NDArray;
}

function inputDType(spec: InputSpec, dt: FloatDType): TensorDType {
  return spec.dtype === 'float' ? dt : spec.dtype;
}

export function makeInputs(c: OpCase, dt: FloatDType): CaseInput[] {
  const rng = rngFor(`${c.method}|${c.id}`);
  return c.inputs.map((spec) => {
    const dims =
      spec.dims ??
      spec.shape.map((d) => {
        if (typeof d !== 'number') throw new Error(`case '${c.id}': input '${spec.name}' has symbolic dims; give dims`);
        return d;
      });
    const n = dims.reduce((a, d) => a * d, 1);
    const gen =
      spec.gen ??
      (spec.dtype === 'float' ? uniform(-2, 2) : spec.dtype === 'int64' ? ints(-3, 3) : (r: Rng, k: number) => ints(0, 1)(r, k));
    const dtype = inputDType(spec, dt);
    const ref = NDArray.from(dtype as RefDType, dims, gen(rng, n));
    const vals = ref.values();
    const host = dtype === 'bool' ? tensor('bool', dims, Uint8Array.from(vals)) : tensor(dtype, dims, vals);
    return { spec, dtype, host, ref };
  });
}

// -------------------------------------------------------------------------------------------- running

export interface DeclaredType {
  elemType: number;
  /** null: no shape declared; per dim a size, a symbol or null. */
  dims: Dim[] | null;
}

export interface CaseRun {
  inputs: CaseInput[];
  /** Symbol -> size bindings from the case's declared input shapes and fed dims. */
  bindings: Map<string, number>;
  outputs: HostTensor[];
  declared: DeclaredType[];
  /** Where the results came from: the batch, or a session of the case's own after the batch failed. */
  source: 'batch' | 'own session';
}

export type CaseResult = { ok: true; run: CaseRun } | { ok: false; stage: 'build' | 'session' | 'run'; error: string };

function bindSymbols(inputs: CaseInput[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of inputs) {
    i.spec.shape.forEach((d, k) => {
      if (typeof d === 'string') {
        const prev = m.get(d);
        if (prev !== undefined && prev !== i.host.dims[k]) throw new Error(`symbol '${d}' fed as ${prev} and ${i.host.dims[k]}`);
        m.set(d, i.host.dims[k]);
      }
    });
  }
  return m;
}

interface Built {
  inputs: CaseInput[];
  inputNames: string[];
  outputNames: string[];
}

/** Adds one case to a builder under a name prefix; returns the names of its graph inputs and outputs. */
function addCase(b: GraphBuilder, c: OpCase, dt: FloatDType, prefix: string): Built {
  const inputs = makeInputs(c, dt);
  const refs = inputs.map((i) => b.input(`${prefix}${i.spec.name}`, i.dtype, i.spec.shape));
  const outs = b.scope(prefix.replace(/\.$/, ''), () => c.build(b, refs, dt));
  const list = Array.isArray(outs) ? outs : [outs];
  const outputNames = list.map((t, k) => b.output(t, { name: `${prefix}out${k}` }).name);
  return { inputs, inputNames: refs.map((r) => r.name), outputNames };
}

/** A built case's results from one run of `bytes`. */
function caseRun(built: Built, bytes: Uint8Array, out: Record<string, HostTensor>, source: CaseRun['source']): CaseRun {
  return {
    inputs: built.inputs,
    bindings: bindSymbols(built.inputs),
    outputs: built.outputNames.map((n) => out[n]),
    declared: declaredTypes(bytes, built.outputNames),
    source,
  };
}

function declaredTypes(bytes: Uint8Array, names: string[]): DeclaredType[] {
  const model = onnx.ModelProto.decode(bytes);
  const byName = new Map((model.graph?.output ?? []).map((o) => [o.name ?? '', o]));
  return names.map((n) => {
    const tt = byName.get(n)?.type?.tensorType;
    if (!tt) throw new Error(`output '${n}' is not declared as a tensor`);
    const dims = tt.shape
      ? (tt.shape.dim ?? []).map((d): Dim =>
          d.dimValue !== null && d.dimValue !== undefined ? int64ToNumber(d.dimValue) : d.dimParam ? d.dimParam : null,
        )
      : null;
    return { elemType: tt.elemType ?? 0, dims };
  });
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface RunOptions {
  optimization: 'disabled' | 'basic' | 'extended' | 'all';
}

/** Builds one case alone; throws on builder/checker errors. */
export function buildAlone(c: OpCase, dt: FloatDType): { bytes: Uint8Array; built: Built } {
  const b = new GraphBuilder('op_case');
  const built = addCase(b, c, dt, '');
  return { bytes: b.finalize().bytes, built };
}

async function runBytes(bytes: Uint8Array, feeds: Record<string, HostTensor>, opts: RunOptions) {
  const session = await createSession(bytes, { optimization: opts.optimization, intraOpThreads: 1, interOpThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

async function runAlone(c: OpCase, dt: FloatDType, opts: RunOptions): Promise<CaseResult> {
  let bytes: Uint8Array;
  let built: Built;
  try {
    ({ bytes, built } = buildAlone(c, dt));
  } catch (e) {
    return { ok: false, stage: 'build', error: message(e) };
  }
  const feeds = Object.fromEntries(built.inputNames.map((n, i) => [n, built.inputs[i].host]));
  let session;
  try {
    session = await createSession(bytes, { optimization: opts.optimization, intraOpThreads: 1, interOpThreads: 1 });
  } catch (e) {
    return { ok: false, stage: 'session', error: message(e) };
  }
  try {
    const out = await session.run(feeds);
    return { ok: true, run: caseRun(built, bytes, out, 'own session') };
  } catch (e) {
    return { ok: false, stage: 'run', error: message(e) };
  } finally {
    await session.release();
  }
}

/**
 * Runs the cases as one batch graph (cases that fail to build alone are reported and left out); falls back to
 * one session per case when the batch cannot be created or run.
 */
export async function runBatch(cases: readonly OpCase[], dt: FloatDType, opts: RunOptions): Promise<Map<OpCase, CaseResult>> {
  const results = new Map<OpCase, CaseResult>();
  const b = new GraphBuilder(`ops_${dt}`);
  const members: Array<{ c: OpCase; built: Built }> = [];
  cases.forEach((c, i) => {
    try {
      buildAlone(c, dt);
    } catch (e) {
      results.set(c, { ok: false, stage: 'build', error: message(e) });
      return;
    }
    members.push({ c, built: addCase(b, c, dt, `c${i}.`) });
  });
  try {
    const { bytes } = b.finalize();
    const feeds: Record<string, HostTensor> = {};
    for (const m of members) m.built.inputNames.forEach((n, i) => (feeds[n] = m.built.inputs[i].host));
    const out = await runBytes(bytes, feeds, opts);
    for (const { c, built } of members) results.set(c, { ok: true, run: caseRun(built, bytes, out, 'batch') });
  } catch {
    for (const { c } of members) results.set(c, await runAlone(c, dt, opts));
  }
  return results;
}

/** Session creation for one case alone; resolves to the error message, or null when the session starts. */
export async function sessionError(c: OpCase, dt: FloatDType, opts: RunOptions): Promise<string | null> {
  const { bytes } = buildAlone(c, dt);
  try {
    const s = await createSession(bytes, { optimization: opts.optimization, intraOpThreads: 1, interOpThreads: 1 });
    await s.release();
    return null;
  } catch (e) {
    return message(e);
  }
}

// ------------------------------------------------------------------------------------------ checking

const ONNX_ELEM: Record<string, number> = { float32: 1, int64: 7, bool: 9, float64: 11, int32: 6, uint8: 2, int8: 3 };

export function hostValues(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/**
 * Compares one output with its reference: dtype, dims, values (exact for int64/bool; for floats
 * |got - want| <= rtol * (|want| + max(1, max |want|)) with rtol 1e-5 in float32, 1e-12 in float64).
 * Returns a list of problems (empty when it matches).
 */
export function compareOutput(got: HostTensor, want: NDArray, tolFactor = 1): string[] {
  const problems: string[] = [];
  if (got.dtype !== want.dtype) problems.push(`dtype ${got.dtype}, expected ${want.dtype}`);
  if (got.dims.length !== want.rank || got.dims.some((d, i) => d !== want.shape[i])) {
    problems.push(`dims [${got.dims.join(', ')}], expected [${want.shape.join(', ')}]`);
    return problems;
  }
  const g = hostValues(got);
  const w = want.values();
  if (want.dtype === 'float32' || want.dtype === 'float64') {
    const rtol = (want.dtype === 'float32' ? 1e-5 : 1e-12) * tolFactor;
    const scale = Math.max(1, ...w.map(Math.abs));
    let worst = -1;
    let worstErr = 0;
    g.forEach((v, i) => {
      const err = Math.abs(v - w[i]);
      const ok = err <= rtol * (Math.abs(w[i]) + scale) || (Number.isNaN(v) && Number.isNaN(w[i])) || v === w[i];
      if (!ok && !(err <= worstErr)) {
        worst = i;
        worstErr = err;
      }
    });
    if (worst >= 0)
      problems.push(`value ${worst}: got ${g[worst]}, expected ${w[worst]} (|diff| ${worstErr.toExponential(2)}, rtol ${rtol})`);
  } else {
    const bad = g.findIndex((v, i) => v !== w[i]);
    if (bad >= 0)
      problems.push(
        `value ${bad}: got ${g[bad]}, expected ${w[bad]} (got [${g.slice(0, 24).join(', ')}], expected [${w.slice(0, 24).join(', ')}])`,
      );
  }
  return problems;
}

/**
 * The declared type of an output against what ORT returned: same element type; a declared rank equals the
 * returned rank; a declared size equals the returned one; a symbol bound by an input equals its bound size.
 * `level` says how much must be declared: 'full' (every dim known: a size or a bound symbol), 'rank', 'any'.
 */
export function compareDeclared(
  decl: DeclaredType,
  got: HostTensor,
  bindings: Map<string, number>,
  level: 'full' | 'rank' | 'any',
): string[] {
  const problems: string[] = [];
  if (decl.elemType !== ONNX_ELEM[got.dtype]) problems.push(`declared element type ${decl.elemType}, ORT returned ${got.dtype}`);
  if (decl.dims === null) {
    if (level !== 'any') problems.push(`no declared shape (ORT returned [${got.dims.join(', ')}])`);
    return problems;
  }
  const show = `[${decl.dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
  if (decl.dims.length !== got.dims.length) {
    problems.push(`declared rank ${decl.dims.length} ${show}, ORT returned [${got.dims.join(', ')}]`);
    return problems;
  }
  decl.dims.forEach((d, i) => {
    const actual = got.dims[i];
    if (typeof d === 'number') {
      if (d !== actual) problems.push(`declared dim ${i} is ${d} in ${show}, ORT returned ${actual}`);
    } else if (typeof d === 'string' && bindings.has(d)) {
      if (bindings.get(d) !== actual) problems.push(`declared dim ${i} is '${d}' = ${bindings.get(d)} in ${show}, ORT returned ${actual}`);
    } else if (level === 'full') {
      problems.push(`declared dim ${i} is unknown (${d === null ? '?' : `unbound '${d}'`}) in ${show}; ORT returned ${actual}`);
    }
  });
  return problems;
}
