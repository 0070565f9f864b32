/**
 * The metadata_props of an ONNX model (schema hash, checkpoint step, ...) read straight from its bytes: a walk
 * over the top-level protobuf fields of ModelProto that skips the graph without decoding it, so checking a
 * serving export's metadata costs microseconds however large its weights are (readOnnxMetadataFile reads
 * only the field headers and the metadata from disk).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { HybridocError } from '../util/errors.js';

/** ModelProto.metadata_props (field 14), StringStringEntryProto key (1) and value (2). */
const METADATA_FIELD = 14;

class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly end: number,
    readonly label: string,
  ) {}

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new HybridocError(`${this.label}: not an ONNX model (truncated varint)`);
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new HybridocError(`${this.label}: not an ONNX model (bad varint)`);
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) {
      const n = this.varint(); // read first: `this.pos += this.varint()` would add to the pos before the length
      this.pos += n;
    } else if (wireType === 5) this.pos += 4;
    else throw new HybridocError(`${this.label}: not an ONNX model (wire type ${wireType})`);
    if (this.pos > this.end) throw new HybridocError(`${this.label}: not an ONNX model (a field runs past the end)`);
  }
}

const utf8 = new TextDecoder();

/** metadata_props of an encoded ModelProto, as a map. */
export function readOnnxMetadata(bytes: Uint8Array, label = '<onnx>'): Map<string, string> {
  const out = new Map<string, string>();
  const r = new Reader(bytes, bytes.length, label);
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field !== METADATA_FIELD || wire !== 2) {
      r.skip(wire);
      continue;
    }
    const len = r.varint();
    const entry = new Reader(bytes, r.pos + len, label);
    entry.pos = r.pos;
    let key = '';
    let value = '';
    while (entry.pos < entry.end) {
      const t = entry.varint();
      if (t % 8 === 2 && (t >> 3 === 1 || t >> 3 === 2)) {
        const n = entry.varint();
        const s = utf8.decode(bytes.subarray(entry.pos, entry.pos + n));
        entry.pos += n;
        if (t >> 3 === 1) key = s;
        else value = s;
      } else entry.skip(t % 8);
    }
    out.set(key, value);
    r.pos += len;
  }
  return out;
}

/** metadata_props of an ONNX model file, reading only the field headers and the metadata (not the weights). */
export function readOnnxMetadataFile(path: string): Map<string, string> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(20);
    const out = new Map<string, string>();
    let pos = 0;
    while (pos < size) {
      const n = readSync(fd, head, 0, Math.min(head.length, size - pos), pos);
      const r = new Reader(head, n, path);
      const tag = r.varint();
      const wire = tag % 8;
      if (wire !== 2) {
        r.skip(wire);
        pos += r.pos;
        continue;
      }
      const len = r.varint();
      const start = pos + r.pos;
      if (start + len > size) throw new HybridocError(`${path}: not an ONNX model (a field runs past the end)`);
      if (Math.floor(tag / 8) === METADATA_FIELD) {
        // re-encode the entry as a one-field model and parse it with the byte reader
        const entry = Buffer.alloc(len);
        readSync(fd, entry, 0, len, start);
        for (const [k, v] of readOnnxMetadata(Buffer.concat([head.subarray(0, r.pos), entry]), path)) out.set(k, v);
      }
      pos = start + len;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
