/**
 * Append-only JSON-lines files that survive being killed mid-line.
 *
 * Each record is written as one `JSON + "\n"` with a single write() on a file opened for appending, so the
 * file is flushed line by line (no buffering in this process) and a reader sees whole lines or, at worst,
 * one torn last line from a process killed during the write. A line without its newline is torn by
 * definition: `readJsonl` drops it, and `JsonlAppender.open` cuts it off before appending, so new lines
 * never glue onto it. A malformed line anywhere else is real corruption and an error naming the line.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inputError } from '../util/errors.js';
import { atomicWriteFile } from './atomic-files.js';

export interface JsonlContents<T> {
  records: T[];
  /** true when the file ended in a partial line, which was dropped */
  tornTail: boolean;
  /** bytes of whole lines (where an appender resumes) */
  validBytes: number;
}

/** Read every whole line of a JSONL file; a missing file reads as empty. */
export function readJsonl<T = unknown>(path: string): JsonlContents<T> {
  if (!existsSync(path)) return { records: [], tornTail: false, validBytes: 0 };
  const bytes = readFileSync(path);
  const end = bytes.lastIndexOf(0x0a) + 1; // one past the last newline
  const text = bytes.subarray(0, end).toString('utf8');
  const records: T[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch (err) {
      throw inputError(path, `line ${lineNo}`, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return { records, tornTail: end < bytes.length, validBytes: end };
}

/** Bytes of `fd`'s file up to and including its last newline (0 when it has none). */
function wholeLinesLength(fd: number): number {
  const size = fstatSync(fd).size;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

/** Appends records to a JSONL file, one write per line. */
export class JsonlAppender<T = unknown> {
  private fd: number | undefined;
  readonly path: string;
  /** whether open() cut off a torn last line */
  readonly repairedTornTail: boolean;
  private readonly fsyncEachLine: boolean;

  private constructor(path: string, fd: number, repaired: boolean, fsyncEachLine: boolean) {
    this.path = path;
    this.fd = fd;
    this.repairedTornTail = repaired;
    this.fsyncEachLine = fsyncEachLine;
  }

  /**
   * Open for appending (creating the file and its directory). A torn last line is cut off first.
   * `keep`, when given, first rewrites the file atomically with only the records it accepts (a resumed
   * run drops the records of the steps it is about to redo). `fsyncEachLine` makes every line durable
   * before append returns (slower; the default relies on close() and sync()).
   */
  static open<T = unknown>(path: string, options: { keep?: (record: T) => boolean; fsyncEachLine?: boolean } = {}): JsonlAppender<T> {
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    let repaired = false;
    if (options.keep) {
      const { records, tornTail } = readJsonl<T>(file);
      atomicWriteFile(
        file,
        records.filter(options.keep).map((r) => `${JSON.stringify(r)}\n`),
      );
      repaired = tornTail;
    }
    const fd = openSync(file, 'a+');
    const whole = wholeLinesLength(fd);
    if (whole < fstatSync(fd).size) {
      ftruncateSync(fd, whole);
      repaired = true;
    }
    return new JsonlAppender<T>(file, fd, repaired, options.fsyncEachLine ?? false);
  }

  /** Write one record as one line. */
  append(record: T): void {
    if (this.fd === undefined) throw new Error(`${this.path}: appender is closed`);
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    if (this.fsyncEachLine) fsyncSync(this.fd);
  }

  /** Make everything appended so far durable. */
  sync(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
