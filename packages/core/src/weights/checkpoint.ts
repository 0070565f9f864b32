/**
 * Checkpoints: float32 parameters in a safetensors file, by checkpoint name, checked against a parameter
 * table. `compareWithTable` is the one place that decides whether a file's tensors fit a table (names,
 * shapes, dtypes); import and load both use it, so their errors read the same.
 */
import { HybridocError } from '../util/errors.js';
import { shapeNumel, type ParameterSpec } from '../model/parameters.js';
import { openSafetensors, writeSafetensors, type SafetensorsDtype, type SafetensorsTensorSource } from './safetensors.js';

const FLOAT_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F64', 'F16', 'BF16'];
/** How many names an error lists before "... and N more". */
const LIST_LIMIT = 8;

export interface StoredTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: readonly number[];
}

export interface TableComparison {
  /** table name -> name in the file */
  found: Map<string, string>;
  /** table names the file lacks */
  missing: string[];
  /** file names the table does not know */
  unknown: string[];
  /** present with another shape */
  wrongShape: Array<{ name: string; expected: number[]; got: number[] }>;
  /** present but not a float dtype */
  wrongDtype: Array<{ name: string; dtype: SafetensorsDtype }>;
  /** file names that map to the same table name twice */
  duplicate: string[];
  /** file names deliberately skipped (e.g. the position_ids buffer) */
  ignored: string[];
}

/**
 * Match a file's tensors to a table. `rename` maps a stored name to its table name (identity by default);
 * `ignore` skips names that are not parameters.
 */
export function compareWithTable(
  stored: readonly StoredTensorInfo[],
  specs: readonly ParameterSpec[],
  opts: { rename?: (name: string) => string; ignore?: (name: string) => boolean } = {},
): TableComparison {
  const rename = opts.rename ?? ((n: string) => n);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: TableComparison = { found: new Map(), missing: [], unknown: [], wrongShape: [], wrongDtype: [], duplicate: [], ignored: [] };
  for (const t of stored) {
    if (opts.ignore?.(t.name)) {
      out.ignored.push(t.name);
      continue;
    }
    const target = rename(t.name);
    const spec = byName.get(target);
    if (!spec) {
      out.unknown.push(t.name);
      continue;
    }
    if (out.found.has(target)) {
      out.duplicate.push(`${out.found.get(target)} and ${t.name}`);
      continue;
    }
    out.found.set(target, t.name);
    if (!sameShape(spec.shape, t.shape)) out.wrongShape.push({ name: t.name, expected: spec.shape, got: [...t.shape] });
    if (!FLOAT_DTYPES.includes(t.dtype)) out.wrongDtype.push({ name: t.name, dtype: t.dtype });
  }
  for (const s of specs) if (!out.found.has(s.name)) out.missing.push(s.name);
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function list(names: string[]): string {
  const head = names.slice(0, LIST_LIMIT).join(', ');
  return names.length > LIST_LIMIT ? `${head}, ... and ${names.length - LIST_LIMIT} more` : head;
}

/** Problems of a comparison as one line (empty when it fits); `allowUnknown` lets extra tensors pass. */
export function describeMismatch(c: TableComparison, opts: { allowUnknown?: boolean } = {}): string {
  const parts: string[] = [];
  if (c.wrongShape.length) {
    parts.push(`wrong shape: ${list(c.wrongShape.map((w) => `${w.name} is [${w.got.join(', ')}], expected [${w.expected.join(', ')}]`))}`);
  }
  if (c.wrongDtype.length) parts.push(`not a float tensor: ${list(c.wrongDtype.map((w) => `${w.name} (${w.dtype})`))}`);
  if (c.duplicate.length) parts.push(`the same tensor twice: ${list(c.duplicate)}`);
  if (c.missing.length) parts.push(`${c.missing.length} missing: ${list(c.missing)}`);
  if (c.unknown.length && !opts.allowUnknown) parts.push(`${c.unknown.length} unknown: ${list(c.unknown)}`);
  return parts.join('; ');
}

/** Write float32 parameters in table order, each checked against its spec; values may be produced lazily. */
export function writeCheckpoint(
  path: string,
  specs: readonly ParameterSpec[],
  values: ReadonlyMap<string, Float32Array | (() => Float32Array)>,
  metadata: Record<string, string> = {},
): void {
  const tensors: Array<[string, SafetensorsTensorSource]> = specs.map((s) => {
    const v = values.get(s.name);
    if (v === undefined) throw new HybridocError(`${path}: tensor "${s.name}": no value to write`);
    const n = shapeNumel(s.shape);
    const data = () => {
      const arr = typeof v === 'function' ? v() : v;
      if (!(arr instanceof Float32Array) || arr.length !== n) {
        throw new HybridocError(`${path}: tensor "${s.name}": expected ${n} float32 values for [${s.shape.join(', ')}], got ${arr.length}`);
      }
      return arr;
    };
    return [s.name, { dtype: 'F32', shape: s.shape, data }];
  });
  const extra = [...values.keys()].filter((k) => !specs.some((s) => s.name === k));
  if (extra.length) throw new HybridocError(`${path}: values not in the parameter table: ${list(extra)}`);
  writeSafetensors(path, tensors, metadata);
}

export interface LoadedCheckpoint {
  params: Map<string, Float32Array>;
  metadata: Record<string, string>;
}

/** Read a checkpoint and check it against a table: every name present with its shape, nothing extra. */
export function readCheckpoint(path: string, specs: readonly ParameterSpec[]): LoadedCheckpoint {
  const r = openSafetensors(path);
  const c = compareWithTable(r.entries(), specs);
  const problem = describeMismatch(c);
  if (problem) throw new HybridocError(`${path}: checkpoint does not fit the model: ${problem}`);
  const params = new Map<string, Float32Array>();
  for (const s of specs) params.set(s.name, r.float32(c.found.get(s.name)!));
  return { params, metadata: { ...r.metadata } };
}
