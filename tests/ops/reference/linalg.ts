/** Linear algebra: MatMul (numpy semantics), Gemm, Einsum, Conv. */
import { broadcastShapes, forEachIndex, NDArray } from './ndarray.js';

/**
 * numpy matmul: a 1-D first operand gains a leading 1 and a 1-D second a trailing 1 (both removed from the
 * result); leading (batch) dims broadcast.
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  const av = a.rank === 1 ? a.reshape([1, a.shape[0]]) : a;
  const bv = b.rank === 1 ? b.reshape([b.shape[0], 1]) : b;
  const m = av.shape[av.rank - 2];
  const k = av.shape[av.rank - 1];
  const n = bv.shape[bv.rank - 1];
  if (bv.shape[bv.rank - 2] !== k) throw new Error('reference MatMul: inner dims differ');
  const batch = broadcastShapes(av.shape.slice(0, -2), bv.shape.slice(0, -2));
  const A = av.broadcastTo([...batch, m, k]);
  const B = bv.broadcastTo([...batch, k, n]);
  let out = NDArray.build(a.dtype, [...batch, m, n], (idx) => {
    const head = idx.slice(0, -2);
    const [i, j] = idx.slice(-2);
    let s = 0;
    for (let t = 0; t < k; t++) s += A.at([...head, i, t]) * B.at([...head, t, j]);
    return s;
  });
  const shape = [...batch, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])];
  out = out.reshape(shape);
  return out;
}

/** Gemm: alpha * op(A) @ op(B) + beta * C, op = transpose when the flag is set; C broadcasts to [M, N]. */
export function gemm(
  a: NDArray,
  b: NDArray,
  c: NDArray | null,
  o: { alpha?: number; beta?: number; transA?: boolean; transB?: boolean },
): NDArray {
  const A = o.transA ? a.transpose() : a;
  const B = o.transB ? b.transpose() : b;
  const [m, k] = A.shape;
  const n = B.shape[1];
  const alpha = o.alpha ?? 1;
  const beta = o.beta ?? 1;
  const C = c?.broadcastTo([m, n]);
  return NDArray.build(a.dtype, [m, n], ([i, j]) => {
    let s = 0;
    for (let t = 0; t < k; t++) s += A.at([i, t]) * B.at([t, j]);
    return alpha * s + (C ? beta * C.at([i, j]) : 0);
  });
}

/**
 * Einsum with explicit (`->`) or implicit output (letters seen once, alphabetically) and `...` broadcasting
 * over leading dims. Repeated letters within one operand take its diagonal.
 */
export function einsum(equation: string, xs: readonly NDArray[]): NDArray {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhsGiven] = eq.includes('->') ? eq.split('->') : [eq, undefined];
  const terms = lhs.split(',');
  if (terms.length !== xs.length) throw new Error('reference Einsum: operand count');
  // The ellipsis stands for the same broadcast dims in every term: name them with digits 0..e-1.
  const ellRank = Math.max(0, ...terms.map((t, i) => (t.includes('...') ? xs[i].rank - (t.length - 3) : 0)));
  const ellLetters = Array.from({ length: ellRank }, (_, i) => String(i));
  const ellShapes = terms.map((t, i) =>
    t.includes('...') ? xs[i].shape.slice(t.indexOf('...'), t.indexOf('...') + xs[i].rank - (t.length - 3)) : [],
  );
  const ellShape = broadcastShapes(...ellShapes);
  const expandTerm = (t: string, i: number): string[] => {
    if (!t.includes('...')) return [...t];
    const n = xs[i].rank - (t.length - 3);
    const [pre, post] = t.split('...');
    return [...pre, ...ellLetters.slice(ellRank - n), ...post];
  };
  const labels = terms.map(expandTerm);
  const sizes = new Map<string, number>();
  labels.forEach((ls, i) =>
    ls.forEach((l, k) => {
      const d = xs[i].shape[k];
      const prev = sizes.get(l);
      if (/[0-9]/.test(l)) sizes.set(l, ellShape[Number(l)]);
      else if (prev === undefined || prev === 1) sizes.set(l, d);
      else if (d !== prev && d !== 1) throw new Error(`reference Einsum: label ${l} has sizes ${prev} and ${d}`);
    }),
  );
  let outLabels: string[];
  if (rhsGiven !== undefined) {
    outLabels = rhsGiven.includes('...') ? [...rhsGiven.split('...')[0], ...ellLetters, ...rhsGiven.split('...')[1]] : [...rhsGiven];
  } else {
    const counts = new Map<string, number>();
    for (const ls of labels) for (const l of ls) if (!/[0-9]/.test(l)) counts.set(l, (counts.get(l) ?? 0) + 1);
    outLabels = [
      ...ellLetters,
      ...[...counts]
        .filter(([, c]) => c === 1)
        .map(([l]) => l)
        .sort(),
    ];
  }
  const sumLabels = [...sizes.keys()].filter((l) => !outLabels.includes(l));
  const outShape = outLabels.map((l) => sizes.get(l)!);
  const sumShape = sumLabels.map((l) => sizes.get(l)!);
  return NDArray.build(xs[0].dtype, outShape, (oi) => {
    const val = new Map<string, number>();
    outLabels.forEach((l, k) => val.set(l, oi[k]));
    let s = 0;
    forEachIndex(sumShape, (si) => {
      sumLabels.forEach((l, k) => val.set(l, si[k]));
      let p = 1;
      xs.forEach((x, i) => {
        p *= x.at(labels[i].map((l, k) => (x.shape[k] === 1 ? 0 : val.get(l)!)));
      });
      s += p;
    });
    return s;
  });
}

/**
 * Conv (N spatial dims, group 1 or more): y[n, m, o...] = b[m] + sum over c in m's group and kernel offsets of
 * x[n, c, o*stride - pad_begin + k*dilation] * w[m, c, k] (out-of-range input reads are zero padding).
 * autoPad SAME_UPPER/SAME_LOWER gives ceil(in / stride) outputs, the odd padding at the end (upper) or start (lower).
 */
export function conv(
  x: NDArray,
  w: NDArray,
  b: NDArray | null,
  o: { strides?: number[]; pads?: number[]; dilations?: number[]; group?: number; autoPad?: string } = {},
): NDArray {
  const nsp = x.rank - 2;
  const [N, C] = x.shape;
  const M = w.shape[0];
  const group = o.group ?? 1;
  const cPerG = C / group;
  const mPerG = M / group;
  const inSp = x.shape.slice(2);
  const kSp = w.shape.slice(2);
  const strides = o.strides ?? inSp.map(() => 1);
  const dil = o.dilations ?? inSp.map(() => 1);
  let padsBegin = o.pads ? o.pads.slice(0, nsp) : inSp.map(() => 0);
  let padsEnd = o.pads ? o.pads.slice(nsp) : inSp.map(() => 0);
  if (o.autoPad === 'SAME_UPPER' || o.autoPad === 'SAME_LOWER') {
    const total = inSp.map((d, i) => Math.max(0, (Math.ceil(d / strides[i]) - 1) * strides[i] + (kSp[i] - 1) * dil[i] + 1 - d));
    const small = total.map((t) => Math.floor(t / 2));
    padsBegin = o.autoPad === 'SAME_UPPER' ? small : total.map((t, i) => t - small[i]);
    padsEnd = total.map((t, i) => t - padsBegin[i]);
  }
  const outSp = inSp.map((d, i) => Math.floor((d + padsBegin[i] + padsEnd[i] - (dil[i] * (kSp[i] - 1) + 1)) / strides[i]) + 1);
  return NDArray.build(x.dtype, [N, M, ...outSp], (idx) => {
    const [n, m] = idx;
    const os = idx.slice(2);
    const g = Math.floor(m / mPerG);
    let s = b ? b.at([m]) : 0;
    for (let cl = 0; cl < cPerG; cl++) {
      const c = g * cPerG + cl;
      forEachIndex(kSp, (k) => {
        const pos = os.map((ov, i) => ov * strides[i] - padsBegin[i] + k[i] * dil[i]);
        if (pos.some((p, i) => p < 0 || p >= inSp[i])) return;
        s += x.at([n, c, ...pos]) * w.at([m, cl, ...k]);
      });
    }
    return s;
  });
}
