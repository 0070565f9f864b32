/** ModelProto <-> bytes, and files written atomically (temp file in the same directory, then rename). */
import { readFileSync, renameSync, unlinkSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { inputError } from '../util/errors.js';
import { onnx } from './onnx-proto.js';

export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function decodeModel(bytes: Uint8Array, file = '<bytes>'): onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw inputError(file, undefined, `not an ONNX model (${(e as Error).message})`);
  }
}

/** Writes bytes (or an encoded model) to `path` atomically: readers see the old file or the whole new one. */
export function saveModel(model: onnx.IModelProto | Uint8Array, path: string): void {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  writeFileAtomic(path, bytes);
}

export function loadModel(path: string): onnx.ModelProto {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw inputError(path, undefined, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeModel(bytes, path);
}

export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file was never created or is already gone
    }
    throw e;
  }
}
