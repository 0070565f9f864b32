/**
 * Safetensors, the tensor file format of Hugging Face checkpoints and of our own.
 *
 * Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON, an object mapping each
 * tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the byte after the header)
 * plus an optional "__metadata__" object of string values; then the raw little-endian tensor data.
 *
 * Reading is lazy: `openSafetensors` reads only the header and then each tensor's bytes when asked, straight
 * into the typed array it returns, so a 500 MB checkpoint is never held twice. F16 and BF16 are widened to
 * float32 on read. Writing follows the reference writer's rules (tensors ordered by dtype, largest alignment
 * first, then by name; header padded with spaces to a multiple of 8 bytes, so every tensor is aligned), so
 * a file we write is byte-identical to the one Python's `safetensors.save_file` writes for the same tensors,
 * and it is written atomically (temporary file, fsync, rename).
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { endianness } from 'node:os';
import { HybridocError } from '../util/errors.js';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'U8' | 'BOOL';

/** The dtypes we read and write, in the reference writer's order (it stores larger ranks first). */
export const SAFETENSORS_DTYPES: readonly SafetensorsDtype[] = ['BOOL', 'U8', 'F16', 'BF16', 'I32', 'F32', 'F64', 'I64'];

const DTYPE_SIZE: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1 };

/** Typed arrays by dtype: F16/BF16 raw bits travel as Uint16Array, BOOL as Uint8Array (0 or 1). */
export type SafetensorsArray = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsArray;
}

/** A tensor to write; `data` may be a function, called once when the writer reaches the tensor. F16 and
 *  BF16 accept float32 values (rounded to nearest even) or their raw bits as Uint16Array. */
export interface SafetensorsTensorSource {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: SafetensorsArray | (() => SafetensorsArray);
}

export type SafetensorsInput =
  Map<string, SafetensorsTensorSource> | Record<string, SafetensorsTensorSource> | Array<[string, SafetensorsTensorSource]>;

/** One header entry. `begin`/`end` are relative to the data section, as in the file. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Header JSON above this size is refused (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;
const READ_CHUNK = 1 << 30;

export function dtypeByteSize(dtype: SafetensorsDtype): number {
  return DTYPE_SIZE[dtype];
}

export function isSafetensorsDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && Object.hasOwn(DTYPE_SIZE, s);
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new HybridocError('safetensors: this reader needs a little-endian host');
}

/** A safetensors file or buffer whose header has been read and validated. */
export class SafetensorsReader {
  /** file path, or the label given to a buffer */
  readonly file: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** 8 + header length: where the data section starts */
  readonly dataStart: number;
  readonly dataLength: number;
  private readonly index: Map<string, SafetensorsEntry>;
  private readonly buffer: Uint8Array | undefined;
  private readonly fileSize: number;

  /** @internal use openSafetensors or parseSafetensors */
  constructor(file: string, header: SafetensorsHeader, source: { buffer?: Uint8Array; fileSize: number }) {
    this.file = file;
    this.metadata = header.metadata;
    this.dataStart = header.dataStart;
    this.dataLength = source.fileSize - header.dataStart;
    this.index = new Map(header.entries.map((e) => [e.name, e]));
    this.buffer = source.buffer;
    this.fileSize = source.fileSize;
  }

  /** tensor names in header order */
  names(): string[] {
    return [...this.index.keys()];
  }

  entries(): SafetensorsEntry[] {
    return [...this.index.values()];
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  entry(name: string): SafetensorsEntry {
    const e = this.index.get(name);
    if (!e) throw new HybridocError(`${this.file}: tensor "${name}": not in the file`);
    return e;
  }

  /** The tensor's bytes: a view into the buffer for parsed buffers, freshly read for files. */
  raw(name: string): Uint8Array {
    const e = this.entry(name);
    const n = e.end - e.begin;
    if (this.buffer) return this.buffer.subarray(this.dataStart + e.begin, this.dataStart + e.end);
    const out = new Uint8Array(n);
    this.readInto(e, out);
    return out;
  }

  /**
   * The tensor as stored, except F16/BF16, which come back widened to float32 (`dtype` then says F32).
   * From a file the array owns fresh memory; from a buffer it is a view when the data is aligned.
   */
  tensor(name: string): SafetensorsTensor {
    const e = this.entry(name);
    const n = shapeSize(e.shape);
    if (e.dtype === 'F16' || e.dtype === 'BF16') {
      const bits = this.typed(e, n) as Uint16Array;
      return { dtype: 'F32', shape: [...e.shape], data: e.dtype === 'F16' ? f16BitsToF32(bits) : bf16BitsToF32(bits) };
    }
    return { dtype: e.dtype, shape: [...e.shape], data: this.typed(e, n) };
  }

  /** Any numeric tensor converted to float32 (the form parameters take). */
  float32(name: string): Float32Array {
    const t = this.tensor(name);
    if (t.data instanceof Float32Array) return t.data;
    if (t.data instanceof BigInt64Array) return Float32Array.from(t.data, (v) => Number(v));
    return Float32Array.from(t.data as ArrayLike<number>);
  }

  /** Raw bits of an F16/BF16 tensor, unconverted. */
  halfBits(name: string): Uint16Array {
    const e = this.entry(name);
    if (e.dtype !== 'F16' && e.dtype !== 'BF16') throw new HybridocError(`${this.file}: tensor "${name}": is ${e.dtype}, not F16 or BF16`);
    return this.typed(e, shapeSize(e.shape)) as Uint16Array;
  }

  private typed(e: SafetensorsEntry, n: number): SafetensorsArray {
    const Ctor = arrayCtor(e.dtype);
    if (this.buffer) {
      const at = this.buffer.byteOffset + this.dataStart + e.begin;
      if (at % DTYPE_SIZE[e.dtype] === 0) return new Ctor(this.buffer.buffer, at, n) as SafetensorsArray;
      return new Ctor(this.buffer.slice(this.dataStart + e.begin, this.dataStart + e.end).buffer, 0, n) as SafetensorsArray;
    }
    const out = new Ctor(n) as SafetensorsArray;
    this.readInto(e, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    return out;
  }

  private readInto(e: SafetensorsEntry, out: Uint8Array): void {
    const fd = openOrThrow(this.file);
    try {
      const size = fstatSync(fd).size;
      if (size !== this.fileSize) {
        throw new HybridocError(
          `${this.file}: tensor "${e.name}": the file changed size since its header was read (${this.fileSize} -> ${size} bytes)`,
        );
      }
      let done = 0;
      while (done < out.length) {
        const want = Math.min(READ_CHUNK, out.length - done);
        const got = readSync(fd, out, done, want, this.dataStart + e.begin + done);
        if (got <= 0) throw new HybridocError(`${this.file}: tensor "${e.name}": file ended while reading its data (truncated?)`);
        done += got;
      }
    } finally {
      closeSync(fd);
    }
  }
}

type TypedCtor = new (...args: [number] | [ArrayBufferLike, number, number]) => SafetensorsArray;

function arrayCtor(dtype: SafetensorsDtype): TypedCtor {
  switch (dtype) {
    case 'F64':
      return Float64Array as unknown as TypedCtor;
    case 'F32':
      return Float32Array as unknown as TypedCtor;
    case 'F16':
    case 'BF16':
      return Uint16Array as unknown as TypedCtor;
    case 'I64':
      return BigInt64Array as unknown as TypedCtor;
    case 'I32':
      return Int32Array as unknown as TypedCtor;
    case 'U8':
    case 'BOOL':
      return Uint8Array as unknown as TypedCtor;
  }
}

function openOrThrow(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (err) {
    throw new HybridocError(`${file}: cannot open safetensors file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** A validated header: where the data starts, the metadata and every entry. */
export interface SafetensorsHeader {
  dataStart: number;
  metadata: Record<string, string>;
  entries: SafetensorsEntry[];
}

/** Validate the 8-byte length and the JSON header against the total size; every error names the file. */
function parseHeader(file: string, lengthBytes: Uint8Array, totalSize: number, readJson: (n: number) => Uint8Array): SafetensorsHeader {
  if (totalSize < 8) throw new HybridocError(`${file}: truncated: ${totalSize} bytes, too short for the 8-byte header length`);
  const n64 = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES))
    throw new HybridocError(`${file}: bad header: length ${n64} exceeds ${MAX_HEADER_BYTES} bytes (not a safetensors file?)`);
  const n = Number(n64);
  if (n < 2) throw new HybridocError(`${file}: bad header: length ${n} is too short for a JSON object`);
  if (8 + n > totalSize)
    throw new HybridocError(`${file}: truncated: the header needs ${n} bytes but only ${totalSize - 8} follow its length`);
  const jsonBytes = readJson(n);
  if (jsonBytes[0] !== 0x7b) throw new HybridocError(`${file}: bad header: does not start with "{" (not a safetensors file?)`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(jsonBytes));
  } catch (err) {
    throw new HybridocError(`${file}: bad header: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new HybridocError(`${file}: bad header: expected a JSON object`);
  const dataStart = 8 + n;
  const dataLength = totalSize - dataStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new HybridocError(`${file}: __metadata__: expected an object of strings`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new HybridocError(`${file}: __metadata__.${k}: expected a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(file, name, value, dataLength));
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (cur.begin < prev.end && cur.end > cur.begin) {
      throw new HybridocError(
        `${file}: tensor "${cur.name}": data_offsets [${cur.begin}, ${cur.end}] overlap tensor "${prev.name}" [${prev.begin}, ${prev.end}]`,
      );
    }
  }
  return { dataStart, metadata, entries };
}

function parseEntry(file: string, name: string, value: unknown, dataLength: number): SafetensorsEntry {
  const fail = (problem: string): never => {
    throw new HybridocError(`${file}: tensor "${name}": ${problem}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('expected {dtype, shape, data_offsets}');
  const v = value as Record<string, unknown>;
  if (!isSafetensorsDtype(v.dtype)) fail(`unknown dtype ${JSON.stringify(v.dtype)} (supported: ${SAFETENSORS_DTYPES.join(', ')})`);
  const dtype = v.dtype as SafetensorsDtype;
  if (!Array.isArray(v.shape) || !v.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    fail(`shape ${JSON.stringify(v.shape)} is not a list of non-negative integers`);
  }
  const shape = v.shape as number[];
  const offs = v.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
    fail(`data_offsets ${JSON.stringify(offs)} is not a pair of non-negative integers`);
  }
  const [begin, end] = offs as [number, number];
  if (end < begin) fail(`data_offsets [${begin}, ${end}] end before they begin`);
  const need = shapeSize(shape) * DTYPE_SIZE[dtype];
  if (end - begin !== need)
    fail(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype} [${shape.join(', ')}] needs ${need}`);
  if (end > dataLength) fail(`data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes): file truncated`);
  return { name, dtype, shape, begin, end };
}

/** Open a file and read its header only; tensors are read when asked for. */
export function openSafetensors(path: string): SafetensorsReader {
  assertLittleEndian();
  const fd = openOrThrow(path);
  try {
    const size = fstatSync(fd).size;
    const lengthBytes = new Uint8Array(8);
    if (size >= 8) readFully(fd, lengthBytes, 0);
    const header = parseHeader(path, lengthBytes, size, (n) => {
      const b = new Uint8Array(n);
      readFully(fd, b, 8);
      return b;
    });
    return new SafetensorsReader(path, header, { fileSize: size });
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, out: Uint8Array, position: number): void {
  let done = 0;
  while (done < out.length) {
    const got = readSync(fd, out, done, Math.min(READ_CHUNK, out.length - done), position + done);
    if (got <= 0) throw new HybridocError('safetensors: unexpected end of file');
    done += got;
  }
}

/** Read safetensors bytes already in memory; tensors are views into `bytes` where alignment allows. */
export function parseSafetensors(bytes: Uint8Array, label = '<buffer>'): SafetensorsReader {
  assertLittleEndian();
  const header = parseHeader(label, bytes.subarray(0, 8), bytes.length, (n) => bytes.subarray(8, 8 + n));
  return new SafetensorsReader(label, header, { buffer: bytes, fileSize: bytes.length });
}

/** Every tensor of a file, in header order (small files: tests, fixtures). */
export function readSafetensors(path: string): Map<string, SafetensorsTensor> {
  const r = openSafetensors(path);
  return new Map(r.names().map((n) => [n, r.tensor(n)]));
}

// ---------------------------------------------------------------------------------------------------------
// Writing

interface Planned {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  source: SafetensorsTensorSource['data'];
  begin: number;
  end: number;
}

function toEntries(tensors: SafetensorsInput): Array<[string, SafetensorsTensorSource]> {
  if (tensors instanceof Map) return [...tensors.entries()];
  if (Array.isArray(tensors)) return tensors;
  return Object.entries(tensors);
}

/** Order and offsets as the reference writer chooses them, plus the padded header bytes. */
function plan(
  tensors: SafetensorsInput,
  metadata: Record<string, string> | undefined,
  file: string,
): { header: Uint8Array; items: Planned[]; total: number } {
  const rank = (d: SafetensorsDtype) => SAFETENSORS_DTYPES.indexOf(d);
  const seen = new Set<string>();
  const items: Planned[] = [];
  for (const [name, t] of toEntries(tensors)) {
    if (name === '__metadata__') throw new HybridocError(`${file}: tensor "__metadata__": that name is reserved`);
    if (seen.has(name)) throw new HybridocError(`${file}: tensor "${name}": given twice`);
    seen.add(name);
    if (!isSafetensorsDtype(t.dtype)) throw new HybridocError(`${file}: tensor "${name}": unknown dtype ${JSON.stringify(t.dtype)}`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new HybridocError(`${file}: tensor "${name}": bad shape [${t.shape.join(', ')}]`);
    items.push({ name, dtype: t.dtype, shape: [...t.shape], source: t.data, begin: 0, end: 0 });
  }
  items.sort((a, b) => rank(b.dtype) - rank(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let offset = 0;
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new HybridocError(`${file}: __metadata__.${k}: must be a string`);
    }
    header.__metadata__ = metadata;
  }
  for (const it of items) {
    it.begin = offset;
    it.end = offset + shapeSize(it.shape) * DTYPE_SIZE[it.dtype];
    offset = it.end;
    header[it.name] = { dtype: it.dtype, shape: it.shape, data_offsets: [it.begin, it.end] };
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + padded).fill(0x20);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true);
  bytes.set(json, 8);
  return { header: bytes, items, total: 8 + padded + offset };
}

/** The bytes to store for one tensor, checked against its dtype and shape. */
function tensorBytes(it: Planned, file: string): Uint8Array {
  const data = typeof it.source === 'function' ? it.source() : it.source;
  const n = shapeSize(it.shape);
  const fail = (problem: string): never => {
    throw new HybridocError(`${file}: tensor "${it.name}": ${problem}`);
  };
  let arr: SafetensorsArray = data;
  if ((it.dtype === 'F16' || it.dtype === 'BF16') && data instanceof Float32Array) {
    arr = it.dtype === 'F16' ? f32ToF16Bits(data) : f32ToBf16Bits(data);
  }
  const expected = arrayCtor(it.dtype) as unknown;
  if (arr.constructor !== expected) fail(`${it.dtype} needs a ${(expected as { name: string }).name}, got a ${arr.constructor.name}`);
  if (arr.length !== n) fail(`${arr.length} values do not fill shape [${it.shape.join(', ')}] (${n})`);
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

/** The whole file in memory (small files; tests). */
export function serializeSafetensors(tensors: SafetensorsInput, metadata?: Record<string, string>): Uint8Array {
  assertLittleEndian();
  const { header, items, total } = plan(tensors, metadata, '<buffer>');
  const out = new Uint8Array(total);
  out.set(header, 0);
  for (const it of items) out.set(tensorBytes(it, '<buffer>'), header.length + it.begin);
  return out;
}

/**
 * Write a file atomically: a temporary file beside it, fsync, then rename over `path`. A crash leaves
 * either the old file or the new one, never a torn one. Tensors given as functions are produced one at
 * a time, so a large checkpoint needs no second copy in memory.
 */
export function writeSafetensors(path: string, tensors: SafetensorsInput, metadata?: Record<string, string>): void {
  assertLittleEndian();
  const { header, items } = plan(tensors, metadata, path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (err) {
    throw new HybridocError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    writeAll(fd, header);
    for (const it of items) writeAll(fd, tensorBytes(it, path));
    fsyncSync(fd);
    closeSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw err;
  }
  renameSync(tmp, path);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(READ_CHUNK, bytes.length - done));
}

// ---------------------------------------------------------------------------------------------------------
// Half-precision conversions

/** IEEE half bits -> float32 values (exact). */
export function f16BitsToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) u[i] = sign | 0x7f800000 | (mant << 13);
    else if (exp !== 0) u[i] = sign | ((exp + 112) << 23) | (mant << 13);
    else if (mant === 0) u[i] = sign;
    else out[i] = (h & 0x8000 ? -1 : 1) * mant * 2 ** -24;
  }
  return out;
}

/** bfloat16 bits -> float32 values (exact: the high half of a float32). */
export function bf16BitsToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) u[i] = bits[i] << 16;
  return out;
}

/** float32 -> IEEE half bits, rounded to nearest even; overflow to infinity, NaN kept. */
export function f32ToF16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const x = u[i];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      const m = mant | 0x800000;
      const shift = 14 - e;
      let h = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
    out[i] = sign | h;
  }
  return out;
}

/** float32 -> bfloat16 bits, rounded to nearest even; NaN kept. */
export function f32ToBf16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const x = u[i];
    if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) {
      out[i] = (x >>> 16) | 0x40;
      continue;
    }
    out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}
