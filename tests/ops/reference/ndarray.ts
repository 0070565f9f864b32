/**
 * A small strided n-d array for reference computations, written from the ONNX operator spec and numpy's
 * broadcasting rules (independent of the project's graph builder and shape inference). Values are JS numbers
 * (int64 values stay small in tests, bool is 0/1); float32 arrays round every stored value to float32, so each
 * reference op computes in double and stores in its element type, as an ONNX Runtime kernel does.
 */
export type RefDType = 'float32' | 'float64' | 'int64' | 'bool';

export function isFloat(dtype: RefDType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Rounds a value to what an element of `dtype` stores. */
export function storeAs(dtype: RefDType, v: number): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(v);
    case 'float64':
      return v;
    case 'int64':
      if (!Number.isFinite(v)) throw new Error(`reference: non-finite int64 value ${v}`);
      return Math.trunc(v);
    case 'bool':
      return v ? 1 : 0;
  }
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/** Row-major strides of a contiguous array. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Calls fn for every multi-index of `shape` in row-major order (the index array is reused: copy it to keep it). */
export function forEachIndex(shape: readonly number[], fn: (index: number[], flat: number) => void): void {
  const n = numel(shape);
  if (n === 0) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    fn(idx, flat);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

/** Normalises a possibly negative axis into [0, rank). */
export function axisOf(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`reference: axis ${axis} out of range for rank ${rank}`);
  return a;
}

export class NDArray {
  readonly dtype: RefDType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  /** The backing store (shared by views). */
  readonly buffer: Float64Array;

  constructor(dtype: RefDType, shape: readonly number[], buffer: Float64Array, strides?: readonly number[], offset = 0) {
    this.dtype = dtype;
    this.shape = [...shape];
    this.buffer = buffer;
    this.strides = strides ? [...strides] : contiguousStrides(shape);
    this.offset = offset;
    if (!strides && buffer.length !== numel(shape)) {
      throw new Error(`reference: ${buffer.length} values for shape [${shape.join(', ')}]`);
    }
  }

  /** A contiguous array from row-major values (rounded to the dtype). */
  static from(dtype: RefDType, shape: readonly number[], values: ArrayLike<number>): NDArray {
    const buf = Float64Array.from(values as ArrayLike<number>, (v) => storeAs(dtype, Number(v)));
    return new NDArray(dtype, shape, buf);
  }

  static scalar(dtype: RefDType, v: number): NDArray {
    return NDArray.from(dtype, [], [v]);
  }

  static full(dtype: RefDType, shape: readonly number[], v: number): NDArray {
    return new NDArray(dtype, shape, new Float64Array(numel(shape)).fill(storeAs(dtype, v)));
  }

  /** Builds an array element by element from its multi-index. */
  static build(dtype: RefDType, shape: readonly number[], fn: (index: number[]) => number): NDArray {
    const buf = new Float64Array(numel(shape));
    forEachIndex(shape, (idx, flat) => {
      buf[flat] = storeAs(dtype, fn(idx));
    });
    return new NDArray(dtype, shape, buf);
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return numel(this.shape);
  }

  /** The element at a multi-index (no bounds check beyond the shape's). */
  at(index: readonly number[]): number {
    let p = this.offset;
    for (let i = 0; i < index.length; i++) {
      const v = index[i];
      if (v < 0 || v >= this.shape[i]) throw new Error(`reference: index ${v} out of range for dim ${i} of size ${this.shape[i]}`);
      p += v * this.strides[i];
    }
    return this.buffer[p];
  }

  /** Values in row-major order. */
  values(): number[] {
    const out = new Array<number>(this.size);
    forEachIndex(this.shape, (idx, flat) => {
      out[flat] = this.at(idx);
    });
    return out;
  }

  /** A contiguous copy, optionally in another dtype (values converted by storeAs). */
  copy(dtype: RefDType = this.dtype): NDArray {
    return NDArray.from(dtype, this.shape, this.values());
  }

  /** A view with new shape/strides/offset over the same buffer. */
  view(shape: readonly number[], strides: readonly number[], offset: number): NDArray {
    return new NDArray(this.dtype, shape, this.buffer, strides, offset);
  }

  /** numpy broadcast_to: a view where broadcast dims have stride 0. */
  broadcastTo(shape: readonly number[]): NDArray {
    const r = shape.length;
    if (this.rank > r) throw new Error(`reference: cannot broadcast [${this.shape.join(', ')}] to [${shape.join(', ')}]`);
    const strides = shape.map((d, i) => {
      const j = i - (r - this.rank);
      if (j < 0) return 0;
      if (this.shape[j] === d) return this.strides[j];
      if (this.shape[j] === 1) return 0;
      throw new Error(`reference: cannot broadcast [${this.shape.join(', ')}] to [${shape.join(', ')}]`);
    });
    return this.view(shape, strides, this.offset);
  }

  /** Permutes axes (default: reversed), as a view. */
  transpose(perm?: readonly number[]): NDArray {
    const p = perm ?? this.shape.map((_, i) => this.rank - 1 - i);
    if (p.length !== this.rank || new Set(p).size !== this.rank) throw new Error(`reference: bad perm [${p.join(', ')}]`);
    return this.view(
      p.map((a) => this.shape[a]),
      p.map((a) => this.strides[a]),
      this.offset,
    );
  }

  /** A strided sub-view: along `axis`, `count` elements from `start` every `step` (step may be negative). */
  stride(axis: number, start: number, step: number, count: number): NDArray {
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape[axis] = count;
    strides[axis] = this.strides[axis] * step;
    return this.view(shape, strides, count > 0 ? this.offset + start * this.strides[axis] : this.offset);
  }

  /** The same values in a new shape (row-major order; a contiguous copy). */
  reshape(shape: readonly number[]): NDArray {
    if (numel(shape) !== this.size) throw new Error(`reference: cannot reshape [${this.shape.join(', ')}] to [${shape.join(', ')}]`);
    return NDArray.from(this.dtype, shape, this.values());
  }
}

/** numpy-style multidirectional broadcasting of shapes. */
export function broadcastShapes(...shapes: ReadonlyArray<readonly number[]>): number[] {
  const r = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    let d = 1;
    for (const s of shapes) {
      const j = i - (r - s.length);
      if (j < 0 || s[j] === 1) continue;
      if (d !== 1 && d !== s[j]) throw new Error(`reference: shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(', ')} do not broadcast`);
      d = s[j];
    }
    out.push(d);
  }
  return out;
}
