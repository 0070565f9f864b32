// Finite-difference checks of gradients built by gradients(): a forward graph, a random-weighted scalar
// loss over its outputs, the analytic gradients from one run, central differences from forward-only runs.
import {
  createSession,
  encodeModel,
  fnv1a32,
  gradients,
  GraphBuilder,
  seededUniform,
  tensor,
  toNumbers,
  type HostTensor,
  type Session,
  type Shape,
  type TensorRef,
} from '@hybridoc/core';

export type FloatType = 'float32' | 'float64';

export interface InputSpec {
  dtype?: FloatType | 'int64' | 'bool';
  /** Declared shape (may hold null or symbolic dims); `dims` gives the fed shape when it is not static. */
  shape: Shape;
  dims?: number[];
  /** Values to feed (default: uniform random in `range`). */
  values?: number[];
  range?: [number, number];
}

export interface GradCase {
  name: string;
  /** The op whose rule the case checks (the registry test requires a case for every rule). */
  op: string;
  dtype?: FloatType;
  inputs: Record<string, InputSpec>;
  build(g: GraphBuilder, t: Record<string, TensorRef>): TensorRef | TensorRef[];
  /** Inputs to differentiate (default: every float input). */
  wrt?: string[];
  /** Elements checked per input (default 16). */
  samples?: number;
  eps?: number;
  rtol?: number;
  atol?: number;
}

/**
 * loss = sum_k sum(out_k * w_k), with w_k = sin(0.7 * flat index + 0.3 + k) built in the graph, so the
 * incoming gradient of each output is varied (not all ones) whatever its run-time shape.
 */
export function weightedLoss(g: GraphBuilder, outs: TensorRef[]): TensorRef {
  const terms = outs.map((o, k) => {
    const index = g.cast(g.reshape(g.range(0, g.size(o), 1), g.shape(o)), o.dtype);
    const w = g.node('Sin', [g.add(g.mul(index, 0.7), 0.3 + k)], {}, [{ dtype: o.dtype, shape: o.shape }])[0];
    let s = g.reduceSum(g.mul(o, w), null, { keepdims: false });
    if (s.shape === null) s = g.reshape(s, []); // the builder cannot tell the rank of a full reduction of an unknown rank
    return s.dtype === 'float64' ? s : g.cast(s, 'float64');
  });
  return terms.length === 1 ? terms[0] : g.sum(terms);
}

export interface Built {
  g: GraphBuilder;
  forward: Uint8Array;
  full: Uint8Array;
  feeds: Record<string, HostTensor>;
  wrt: string[];
  grads: Map<string, TensorRef>;
  forwardNodes: number;
}

export function feedsFor(c: Pick<GradCase, 'name' | 'inputs' | 'dtype'>): Record<string, HostTensor> {
  const rnd = seededUniform(fnv1a32(c.name));
  const feeds: Record<string, HostTensor> = {};
  for (const [name, spec] of Object.entries(c.inputs)) {
    const dtype = spec.dtype ?? c.dtype ?? 'float64';
    const dims = spec.dims ?? (spec.shape as number[]);
    const n = dims.reduce((a, d) => a * d, 1);
    const [lo, hi] = spec.range ?? [-1, 1];
    const values = spec.values ?? Array.from({ length: n }, () => lo + (hi - lo) * rnd());
    feeds[name] = tensor(dtype === 'bool' ? 'bool' : dtype, dims, values);
  }
  return feeds;
}

/** Builds the forward model (loss only) and the full model (loss and gradients). */
export function buildCase(c: GradCase): Built {
  const g = new GraphBuilder(c.name.replace(/[^A-Za-z0-9_]/g, '_'));
  const t: Record<string, TensorRef> = {};
  for (const [name, spec] of Object.entries(c.inputs)) t[name] = g.input(name, spec.dtype ?? c.dtype ?? 'float64', spec.shape);
  const out = c.build(g, t);
  const loss = weightedLoss(g, Array.isArray(out) ? out : [out]);
  g.output(loss, { name: 'loss' });
  const forward = encodeModel(g.toModel());
  const forwardNodes = g.nodes.length;
  const wrt =
    c.wrt ??
    Object.entries(c.inputs)
      .filter(([, s]) => (s.dtype ?? c.dtype ?? 'float64').startsWith('float'))
      .map(([n]) => n);
  const grads = gradients(g, 'loss', wrt);
  for (const w of wrt) g.output(grads.get(w)!, { name: `grad_${w}` });
  return { g, forward, full: encodeModel(g.toModel()), feeds: feedsFor(c), wrt, grads, forwardNodes };
}

export async function session(bytes: Uint8Array): Promise<Session> {
  return createSession(bytes, { optimization: 'disabled', intraOpThreads: 1, interOpThreads: 1 });
}

export interface Mismatch {
  input: string;
  index: number;
  analytic: number;
  numeric: number;
}

/** Runs the case; returns the mismatches (empty when every sampled entry agrees). */
export async function gradCheck(c: GradCase): Promise<Mismatch[]> {
  const b = buildCase(c);
  const fwd = await session(b.forward);
  const full = await session(b.full);
  try {
    const res = await full.run(b.feeds);
    const isF32 = (c.dtype ?? 'float64') === 'float32';
    const eps = c.eps ?? (isF32 ? 1e-2 : 1e-6);
    const rtol = c.rtol ?? (isF32 ? 2e-2 : 1e-6);
    const atol = c.atol ?? (isF32 ? 2e-3 : 1e-8);
    const rnd = seededUniform(fnv1a32(c.name) ^ 0x9e3779b9);
    const bad: Mismatch[] = [];
    for (const w of b.wrt) {
      const feed = b.feeds[w];
      const grad = res[`grad_${w}`];
      expect([...grad.dims]).toEqual([...feed.dims]);
      expect(grad.dtype).toBe(feed.dtype);
      const analytic = toNumbers(grad);
      const n = analytic.length;
      const k = Math.min(n, c.samples ?? 16);
      const picks = k === n ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: k }, () => Math.floor(rnd() * n));
      for (const i of picks) {
        const data = feed.data as Float64Array | Float32Array;
        const orig = data[i];
        const lossAt = async (v: number) => {
          data[i] = v;
          const r = await fwd.run(b.feeds, ['loss']);
          return toNumbers(r.loss)[0];
        };
        const up = await lossAt(orig + eps);
        const hiVal = data[i];
        const down = await lossAt(orig - eps);
        const loVal = data[i];
        data[i] = orig;
        const numeric = (up - down) / (hiVal - loVal);
        const a = analytic[i];
        if (!(Math.abs(a - numeric) <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric))))
          bad.push({ input: w, index: i, analytic: a, numeric });
      }
    }
    return bad;
  } finally {
    await fwd.release();
    await full.release();
  }
}
