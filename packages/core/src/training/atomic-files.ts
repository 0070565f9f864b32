/**
 * Files and directories that are replaced atomically, so a process killed at any moment (SIGKILL, power
 * loss after fsync) leaves either the old complete version or the new complete one, never a mix.
 *
 * A file: the bytes go to a temp file in the same directory (`.NAME.tmp-PID-N`), which is fsynced and
 * renamed over NAME; then the directory is fsynced so the rename itself is durable. Readers opening NAME
 * see the old file or the new one. Temp files left by dead writers are removed on the next write.
 *
 * A directory (a checkpoint, an artifact set) is built under `.NAME.tmp` next to it: its files are fsynced,
 * a marker file `.complete` is written last, then NAME (if any) is renamed to `.NAME.old`, `.NAME.tmp` is
 * renamed to NAME, and `.NAME.old` is deleted, with the parent fsynced after each rename. A crash leaves one
 * of these states, which `recoverAtomicDirectory` (run before every write, and by readers at startup)
 * resolves so that the last complete version wins:
 *
 *   NAME only (+ NAME/.complete)          nothing to do
 *   .NAME.tmp without .complete           an unfinished build: deleted (NAME, if any, stays)
 *   .NAME.tmp with .complete (+ NAME)     finished but not swapped in: swapped in now
 *   .NAME.old + complete .NAME.tmp        killed between the two renames: NAME <- tmp, old deleted
 *   .NAME.old alone                       (only if a tmp was lost) the old version is restored to NAME
 *   NAME + .NAME.old                      killed before or while deleting the old one: old deleted
 *
 * The marker stays inside NAME (`isCompleteDirectory` checks it); readers should ignore `.complete`.
 * One writer per target at a time (the trainer is one process); concurrent writers of the same directory
 * are not supported.
 */
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Name of the marker written last into a finished directory build. */
export const COMPLETE_MARKER = '.complete';

export type FileChunk = Uint8Array | string;

let tempCounter = 0;

/** Write `data` (bytes, a string, or chunks written in order) to `path` atomically and durably. */
export function atomicWriteFile(path: string, data: FileChunk | Iterable<FileChunk>): void {
  const target = resolve(path);
  const dir = dirname(target);
  mkdirSync(dir, { recursive: true });
  removeStaleTempFiles(target);
  const tmp = join(dir, `.${basename(target)}.tmp-${process.pid}-${tempCounter++}`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    const chunks = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
    for (const chunk of chunks) writeAll(fd, chunk);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDirectory(dir);
}

function writeAll(fd: number, chunk: FileChunk): void {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** fsync a directory, making renames and creations inside it durable (a no-op where the OS refuses). */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    // Windows cannot open directories; some filesystems refuse fsync on them (EINVAL/EISDIR)
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EACCES') throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Remove `.NAME.tmp-PID-N` files next to `path` whose writer process is gone. Returns how many. */
export function removeStaleTempFiles(path: string): number {
  const target = resolve(path);
  const dir = dirname(target);
  if (!existsSync(dir)) return 0;
  const prefix = `.${basename(target)}.tmp-`;
  let removed = 0;
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(prefix)) continue;
    const pid = Number(f.slice(prefix.length).split('-')[0]);
    // keep our own writes in progress and those of live processes
    if (pid === process.pid || (Number.isSafeInteger(pid) && pid > 0 && processAlive(pid))) continue;
    rmSync(join(dir, f), { force: true });
    removed++;
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The sibling paths a directory write uses. */
export function atomicDirectoryPaths(dir: string): { target: string; tmp: string; old: string } {
  const target = resolve(dir);
  const parent = dirname(target);
  const name = basename(target);
  return { target, tmp: join(parent, `.${name}.tmp`), old: join(parent, `.${name}.old`) };
}

/** What recovery found and did. */
export type RecoveryAction = 'removed-incomplete' | 'swapped-in' | 'restored-old' | 'removed-old';

/**
 * Bring a directory written by atomicWriteDirectory back to a clean state after a crash: the last complete
 * version ends up at `dir`, leftovers are deleted. Returns what it did (several actions may apply; the
 * list is empty when there was nothing to do).
 */
export function recoverAtomicDirectory(dir: string): RecoveryAction[] {
  const { target, tmp, old } = atomicDirectoryPaths(dir);
  const parent = dirname(target);
  const actions: RecoveryAction[] = [];
  const tmpComplete = existsSync(join(tmp, COMPLETE_MARKER));
  if (existsSync(tmp) && !tmpComplete) {
    rmSync(tmp, { recursive: true, force: true });
    actions.push('removed-incomplete');
  }
  if (tmpComplete) {
    // the newest complete version: move whatever sits at the target aside, then swap it in
    if (existsSync(target)) {
      if (existsSync(old)) rmSync(old, { recursive: true, force: true });
      renameSync(target, old);
      fsyncDirectory(parent);
    }
    renameSync(tmp, target);
    fsyncDirectory(parent);
    actions.push('swapped-in');
  }
  if (existsSync(old)) {
    if (existsSync(target)) {
      rmSync(old, { recursive: true, force: true });
      actions.push('removed-old');
    } else {
      renameSync(old, target);
      fsyncDirectory(parent);
      actions.push('restored-old');
    }
  }
  return actions;
}

/**
 * Build a directory with `build(tmpDir)` and swap it in for `dir` atomically (see the file comment).
 * `build` writes the directory's files into the temp directory it is given; they are fsynced here.
 */
export function atomicWriteDirectorySync(dir: string, build: (tmpDir: string) => void): void {
  const paths = prepareDirectoryWrite(dir);
  try {
    build(paths.tmp);
  } catch (err) {
    rmSync(paths.tmp, { recursive: true, force: true });
    throw err;
  }
  finishDirectoryWrite(paths);
}

/** atomicWriteDirectorySync with an asynchronous builder. */
export async function atomicWriteDirectory(dir: string, build: (tmpDir: string) => void | Promise<void>): Promise<void> {
  const paths = prepareDirectoryWrite(dir);
  try {
    await build(paths.tmp);
  } catch (err) {
    rmSync(paths.tmp, { recursive: true, force: true });
    throw err;
  }
  finishDirectoryWrite(paths);
}

function prepareDirectoryWrite(dir: string): { target: string; tmp: string; old: string } {
  const paths = atomicDirectoryPaths(dir);
  mkdirSync(dirname(paths.target), { recursive: true });
  recoverAtomicDirectory(paths.target);
  if (existsSync(paths.target) && !lstatSync(paths.target).isDirectory()) {
    throw new Error(`${paths.target}: exists and is not a directory`);
  }
  mkdirSync(paths.tmp);
  return paths;
}

function finishDirectoryWrite({ target, tmp, old }: { target: string; tmp: string; old: string }): void {
  const parent = dirname(target);
  fsyncTree(tmp);
  // the marker, written last and durably, is what makes the build count as complete
  const markerFd = openSync(join(tmp, COMPLETE_MARKER), 'w', 0o644);
  writeAll(markerFd, `${new Date().toISOString()}\n`);
  fsyncSync(markerFd);
  closeSync(markerFd);
  fsyncDirectory(tmp);
  if (existsSync(target)) {
    renameSync(target, old);
    fsyncDirectory(parent);
  }
  renameSync(tmp, target);
  fsyncDirectory(parent);
  if (existsSync(old)) rmSync(old, { recursive: true, force: true });
}

/** fsync every file and directory under `root` (directories after their contents). */
function fsyncTree(root: string): void {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const p = join(root, entry.name);
    if (entry.isDirectory()) fsyncTree(p);
    else if (entry.isFile()) {
      const fd = openSync(p, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
  fsyncDirectory(root);
}

/** True when `dir` holds a version finished by atomicWriteDirectory (its marker is present). */
export function isCompleteDirectory(dir: string): boolean {
  return existsSync(join(dir, COMPLETE_MARKER));
}
