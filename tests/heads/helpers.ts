/** Shared pieces of the head tests: small made-up schemas, seeded numbers, graph runs, brute-force CRF. */
import {
  createSession,
  GraphBuilder,
  parseLabelSchema,
  seededUniform,
  tensor,
  toNumbers,
  type DenseCrf,
  type HostTensor,
  type LabelSchema,
  type Session,
  type TensorRef,
} from '@hybridoc/core';

/** 2 entity groups (2 + 1 entities): 7 labels, 3 group classes; small enough to enumerate 5 positions. */
export const TINY_YAML = `
schema: hybridoc-labels/1
name: tiny-heads
domains: [general]
groups:
  - name: left
    entities: [{ name: L_ONE }, { name: L_TWO }]
  - name: right
    entities: [{ name: R_ONE }]
`;

/** 3 entity groups of unequal size: 13 labels, 4 group classes. */
export const SMALL_YAML = `
schema: hybridoc-labels/1
name: small-heads
domains: [general]
groups:
  - name: alpha
    entities: [{ name: A_ONE }, { name: A_TWO }, { name: A_THREE }]
  - name: beta
    entities: [{ name: B_ONE }]
  - name: gamma
    entities: [{ name: C_ONE }, { name: C_TWO }]
`;

export const tinySchema = (): LabelSchema => parseLabelSchema(TINY_YAML, 'tiny-heads.yaml');
export const smallSchema = (): LabelSchema => parseLabelSchema(SMALL_YAML, 'small-heads.yaml');

export function uniform(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = seededUniform(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

export async function session(bytes: Uint8Array): Promise<Session> {
  return createSession(bytes, { optimization: 'disabled', intraOpThreads: 1, interOpThreads: 1 });
}

/** Builds a graph with `build`, runs it once on `feeds`, returns every output as numbers. */
export async function runGraph(
  build: (g: GraphBuilder) => Record<string, TensorRef>,
  feeds: Record<string, HostTensor>,
): Promise<Record<string, number[]>> {
  const g = new GraphBuilder('test');
  const outs = build(g);
  for (const [name, t] of Object.entries(outs)) g.output(t, { name });
  g.pruneDeadNodes();
  const s = await session(g.finalize().bytes);
  try {
    const r = await s.run(feeds);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toNumbers(v)]));
  } finally {
    await s.release();
  }
}

export const f = (dtype: 'float32' | 'float64', dims: number[], values: ArrayLike<number>) => tensor(dtype, dims, values);

/** Every label path over the positions, with its score under a dense CRF (start + emissions + transitions + end). */
export function bruteForceCrf(crf: DenseCrf, emissions: ArrayLike<number>, positions: number[]) {
  const L = crf.numLabels;
  const K = positions.length;
  const scores: number[] = [];
  const paths: Int32Array[] = [];
  const path = new Int32Array(K);
  for (;;) {
    let s = crf.start[path[0]] + emissions[positions[0] * L + path[0]];
    for (let k = 1; k < K; k++) s += crf.trans[path[k - 1] * L + path[k]] + emissions[positions[k] * L + path[k]];
    scores.push(s + crf.end[path[K - 1]]);
    paths.push(Int32Array.from(path));
    let k = K - 1;
    while (k >= 0 && path[k] === L - 1) path[k--] = 0;
    if (k < 0) break;
    path[k]++;
  }
  const best = Math.max(...scores);
  const logZ = best + Math.log(scores.reduce((a, s) => a + Math.exp(s - best), 0));
  const marginals = new Float64Array(K * L);
  const pairwise = new Float64Array(L * L);
  scores.forEach((s, n) => {
    const w = Math.exp(s - logZ);
    const p = paths[n];
    for (let k = 0; k < K; k++) marginals[k * L + p[k]] += w;
    for (let k = 1; k < K; k++) pairwise[p[k - 1] * L + p[k]] += w;
  });
  const scoreOf = (gold: ArrayLike<number>) => {
    let s = crf.start[gold[0]] + emissions[positions[0] * L + gold[0]];
    for (let k = 1; k < K; k++) s += crf.trans[gold[k - 1] * L + gold[k]] + emissions[positions[k] * L + gold[k]];
    return s + crf.end[gold[K - 1]];
  };
  return { logZ, marginals, pairwise, scoreOf };
}

/** max |a - b| / (atol + rtol |b|) style check, returning the worst offending index (or -1). */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): { index: number; a: number; b: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let index = -1;
  let excess = 1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    const e = d === 0 ? 0 : d / (atol + rtol * Math.abs(b[i]));
    if (!(e <= excess)) {
      excess = Number.isFinite(e) ? e : Infinity;
      index = i;
    }
  }
  return { index, a: index >= 0 ? a[index] : 0, b: index >= 0 ? b[index] : 0 };
}

export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol = 0): void {
  const w = worst(a, b, atol, rtol);
  expect(w).toEqual({ index: -1, a: 0, b: 0 });
}

export interface FeedSpec {
  dtype: 'float32' | 'float64' | 'int64' | 'bool';
  dims: number[];
  values: ArrayLike<number>;
  /** declared shape (default: dims) */
  shape?: Array<number | string | null>;
}

export interface Mismatch {
  input: string;
  index: number;
  analytic: number;
  numeric: number;
}

/**
 * Central finite differences of a scalar loss against the gradients() graph: `samples` entries per wrt
 * input (all when it has fewer). Returns the mismatches.
 */
export async function gradientCheck(o: {
  feeds: Record<string, FeedSpec>;
  build: (g: GraphBuilder, t: Record<string, TensorRef>) => TensorRef;
  wrt: string[];
  samples?: number;
  seed?: number;
  eps?: number;
  rtol?: number;
  atol?: number;
}): Promise<{ mismatches: Mismatch[]; checked: number; loss: number }> {
  const { gradients } = await import('@hybridoc/core');
  const make = (withGradients: boolean) => {
    const g = new GraphBuilder('gradcheck');
    const t: Record<string, TensorRef> = {};
    for (const [name, s] of Object.entries(o.feeds)) t[name] = g.input(name, s.dtype, s.shape ?? s.dims);
    g.output(o.build(g, t), { name: 'loss' });
    if (withGradients) {
      const grads = gradients(g, 'loss', o.wrt);
      for (const w of o.wrt) g.output(grads.get(w)!, { name: `grad_${w}` });
    }
    g.pruneDeadNodes();
    return g.finalize().bytes;
  };
  const forwardBytes = make(false);
  const fullBytes = make(true);
  const feeds: Record<string, HostTensor> = {};
  for (const [name, s] of Object.entries(o.feeds)) feeds[name] = tensor(s.dtype, s.dims, s.values);
  const fwd = await session(forwardBytes);
  const full = await session(fullBytes);
  try {
    const res = await full.run(feeds);
    const eps = o.eps ?? 1e-6;
    const rtol = o.rtol ?? 1e-5;
    const atol = o.atol ?? 1e-7;
    const rnd = seededUniform(o.seed ?? 7);
    const mismatches: Mismatch[] = [];
    let checked = 0;
    for (const w of o.wrt) {
      const analytic = toNumbers(res[`grad_${w}`]);
      const data = feeds[w].data as Float64Array | Float32Array;
      expect(analytic.length).toBe(data.length);
      const n = data.length;
      const k = Math.min(n, o.samples ?? 12);
      const picks = k === n ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: k }, () => Math.floor(rnd() * n));
      for (const i of picks) {
        const orig = data[i];
        const at = async (v: number) => {
          data[i] = v;
          const actual = data[i];
          return { loss: toNumbers((await fwd.run(feeds, ['loss'])).loss)[0], x: actual };
        };
        const up = await at(orig + eps);
        const down = await at(orig - eps);
        data[i] = orig;
        const numeric = (up.loss - down.loss) / (up.x - down.x);
        const a = analytic[i];
        checked++;
        if (!(Math.abs(a - numeric) <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric))))
          mismatches.push({ input: w, index: i, analytic: a, numeric });
      }
    }
    return { mismatches, checked, loss: toNumbers(res.loss)[0] };
  } finally {
    await fwd.release();
    await full.release();
  }
}
