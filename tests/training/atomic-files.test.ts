import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  atomicDirectoryPaths,
  atomicWriteDirectory,
  atomicWriteDirectorySync,
  atomicWriteFile,
  COMPLETE_MARKER,
  isCompleteDirectory,
  recoverAtomicDirectory,
  removeStaleTempFiles,
} from '../../packages/core/src/training/atomic-files.js';
import { REPO } from '../support/cli.js';

const BUILT = resolve(REPO, 'packages/core/dist/training/atomic-files.js');
const CHILD = resolve(REPO, 'tests/training/atomic-writer-child.mjs');
const BYTES = 256 * 1024; // 16 chunks of 16 KB, about 16 ms per file version

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hybridoc-atomic-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(dir, `case-${n++}`);
  mkdirSync(d);
  return d;
};

/** The version a file holds, after checking every byte is that version's; throws on a torn or mixed file. */
function checkVersion(buf: Buffer, name: string): number {
  const nl = buf.indexOf(0x0a);
  const m = /^v=(\d+) name=(\S+) len=(\d+)$/.exec(buf.subarray(0, nl).toString());
  if (!m) throw new Error(`${name}: bad header ${JSON.stringify(buf.subarray(0, Math.min(nl, 60)).toString())}`);
  const v = Number(m[1]);
  const len = Number(m[3]);
  if (m[2] !== name) throw new Error(`${name}: header names ${m[2]}`);
  if (buf.length !== nl + 1 + len) throw new Error(`${name}: v${v} has ${buf.length - nl - 1} bytes, expected ${len}`);
  for (let i = 0; i < len; i++) {
    if (buf[nl + 1 + i] !== ((v * 31 + (i % 251)) & 0xff)) throw new Error(`${name}: v${v} byte ${i} is from another version`);
  }
  return v;
}

function finished(progress: string): number[] {
  if (!existsSync(progress)) return [];
  return readFileSync(progress, 'utf8')
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/** Run the child until it reports ready, let it write for `ms`, then SIGKILL it; resolves when it is dead. */
async function runAndKill(mode: 'file' | 'dir', target: string, progress: string, ms: number, afterVersions = 0): Promise<void> {
  rmSync(progress, { force: true }); // each child counts its versions from 1
  const child = spawn(process.execPath, [CHILD, pathToFileURL(BUILT).href, mode, target, progress, String(BYTES)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const started = Date.now();
  while (!(existsSync(progress) && readFileSync(progress, 'utf8').startsWith('ready'))) {
    if (child.exitCode !== null) throw new Error(`child exited early: ${stderr}`);
    if (Date.now() - started > 20000) throw new Error('child never started');
    await new Promise((r) => setTimeout(r, 5));
  }
  // on a loaded machine the first versions can take long: some kills wait for finished versions first
  while (finished(progress).length < afterVersions) {
    if (child.exitCode !== null) throw new Error(`child exited early: ${stderr}`);
    if (Date.now() - started > 20000) throw new Error(`child finished no ${afterVersions} versions in 20 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGKILL');
  await exited;
  if (stderr) throw new Error(`child failed: ${stderr}`);
}

/** A deterministic spread of kill delays (ms after the child is ready, or after it finished 2 versions). */
const DELAYS = [3, 17, 29, 46, 71, 97, 133];
const afterVersions = (i: number) => (i >= DELAYS.length - 2 ? 2 : 0);

beforeAll(() => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build first (npx tsc -b)`);
});

describe('atomicWriteFile', () => {
  test('writes bytes, strings and chunk sequences; replaces the old file; leaves no temp file', () => {
    const d = fresh();
    const f = join(d, 'sub', 'x.bin');
    atomicWriteFile(f, 'hello\n');
    expect(readFileSync(f, 'utf8')).toBe('hello\n');
    atomicWriteFile(f, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(f)]).toEqual([1, 2, 3]);
    atomicWriteFile(f, ['a', Buffer.from('b'), 'c']);
    expect(readFileSync(f, 'utf8')).toBe('abc');
    expect(readdirSync(join(d, 'sub'))).toEqual(['x.bin']);
  });

  test('a failing writer leaves the old file and no temp file', () => {
    const d = fresh();
    const f = join(d, 'x.txt');
    atomicWriteFile(f, 'old');
    function* failing() {
      yield 'new, half';
      throw new Error('disk full');
    }
    expect(() => atomicWriteFile(f, failing())).toThrow('disk full');
    expect(readFileSync(f, 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['x.txt']);
  });

  test('temp files of dead writers are removed, those of live ones kept', () => {
    const d = fresh();
    const f = join(d, 'x.txt');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(d, `.x.txt.tmp-${dead}-0`), 'torn');
    writeFileSync(join(d, `.x.txt.tmp-${process.ppid}-0`), 'a live writer');
    expect(removeStaleTempFiles(f)).toBe(1);
    expect(readdirSync(d).sort()).toEqual([`.x.txt.tmp-${process.ppid}-0`]);
  });

  test('SIGKILL at random moments: readers during the run and after it only ever see whole versions', async () => {
    const d = fresh();
    const target = join(d, 'model.bin');
    const progress = join(d, 'progress');
    let reads = 0;
    for (const [i, ms] of DELAYS.entries()) {
      rmSync(target, { force: true });
      // read concurrently while the child rewrites the file
      let stop = false;
      const reader = (async () => {
        while (!stop) {
          if (existsSync(target)) {
            checkVersion(readFileSync(target), 'file');
            reads++;
          }
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      await runAndKill('file', target, progress, ms, afterVersions(i));
      stop = true;
      await reader;
      const done = finished(progress);
      const last = done.length ? done[done.length - 1] : 0;
      if (!existsSync(target)) {
        expect(last).toBe(0);
        continue;
      }
      const v = checkVersion(readFileSync(target), 'file');
      // the last version reported finished, or the next one if it was renamed in just before the kill
      expect([last, last + 1]).toContain(v);
    }
    expect(reads).toBeGreaterThan(0);
    // leftovers of killed writers are cleaned up by the next write
    atomicWriteFile(target, 'v=0 name=file len=0\n');
    expect(readdirSync(d).filter((f) => f.startsWith('.model.bin.tmp-'))).toEqual([]);
  });
});

describe('atomicWriteDirectory', () => {
  test('builds in a temp directory and swaps it in; the old version is gone', async () => {
    const d = fresh();
    const target = join(d, 'ckpt');
    atomicWriteDirectorySync(target, (tmp) => writeFileSync(join(tmp, 'w.txt'), 'one'));
    expect(readFileSync(join(target, 'w.txt'), 'utf8')).toBe('one');
    expect(isCompleteDirectory(target)).toBe(true);
    await atomicWriteDirectory(target, async (tmp) => {
      mkdirSync(join(tmp, 'nested'));
      writeFileSync(join(tmp, 'nested', 'w.txt'), 'two');
    });
    expect(readdirSync(target).sort()).toEqual([COMPLETE_MARKER, 'nested']);
    expect(readFileSync(join(target, 'nested', 'w.txt'), 'utf8')).toBe('two');
    expect(readdirSync(d)).toEqual(['ckpt']);
  });

  test('a failing build leaves the old version and no temp directory', () => {
    const d = fresh();
    const target = join(d, 'ckpt');
    atomicWriteDirectorySync(target, (tmp) => writeFileSync(join(tmp, 'w.txt'), 'one'));
    expect(() =>
      atomicWriteDirectorySync(target, (tmp) => {
        writeFileSync(join(tmp, 'w.txt'), 'half');
        throw new Error('out of memory');
      }),
    ).toThrow('out of memory');
    expect(readFileSync(join(target, 'w.txt'), 'utf8')).toBe('one');
    expect(readdirSync(d)).toEqual(['ckpt']);
  });

  describe('recovery from every state a crash can leave: the last complete version wins', () => {
    /** Make a version directory at `p` holding `v`, complete or not. */
    const version = (p: string, v: string, complete: boolean) => {
      mkdirSync(p);
      writeFileSync(join(p, 'v.txt'), v);
      if (complete) writeFileSync(join(p, COMPLETE_MARKER), '');
    };
    const state = (target: string) => {
      const { tmp, old } = atomicDirectoryPaths(target);
      return {
        target: existsSync(target) ? readFileSync(join(target, 'v.txt'), 'utf8') : null,
        tmp: existsSync(tmp),
        old: existsSync(old),
      };
    };
    test.each([
      ['nothing to do', { target: 'v1' }, [], 'v1'],
      ['unfinished build next to the current version', { target: 'v1', tmp: 'v2-incomplete' }, ['removed-incomplete'], 'v1'],
      ['unfinished first build', { tmp: 'v1-incomplete' }, ['removed-incomplete'], null],
      ['finished build not yet swapped in', { target: 'v1', tmp: 'v2' }, ['swapped-in', 'removed-old'], 'v2'],
      ['killed between the two renames', { old: 'v1', tmp: 'v2' }, ['swapped-in', 'removed-old'], 'v2'],
      ['killed before deleting the old version', { target: 'v2', old: 'v1' }, ['removed-old'], 'v2'],
      ['only the old version left', { old: 'v1' }, ['restored-old'], 'v1'],
    ] as const)('%s', (_name, files, actions, expected) => {
      const d = fresh();
      const target = join(d, 'ckpt');
      const { tmp, old } = atomicDirectoryPaths(target);
      const f = files as { target?: string; tmp?: string; old?: string };
      if (f.target) version(target, f.target, true);
      if (f.tmp) version(tmp, f.tmp, !f.tmp.endsWith('incomplete'));
      if (f.old) version(old, f.old, true);
      expect(recoverAtomicDirectory(target)).toEqual(actions);
      expect(state(target)).toEqual({ target: expected, tmp: false, old: false });
      expect(recoverAtomicDirectory(target)).toEqual([]);
    });
  });

  test('SIGKILL at random moments: after recovery the directory holds one whole version, never a mix', async () => {
    const d = fresh();
    const target = join(d, 'ckpt');
    const progress = join(d, 'progress');
    let checked = 0;
    for (const [i, ms] of DELAYS.entries()) {
      await runAndKill('dir', target, progress, ms * 2, afterVersions(i));
      const done = finished(progress);
      const last = done.length ? done[done.length - 1] : 0;
      recoverAtomicDirectory(target);
      const { tmp, old } = atomicDirectoryPaths(target);
      expect(existsSync(tmp) || existsSync(old)).toBe(false);
      if (!existsSync(target)) {
        expect(last).toBe(0);
        continue;
      }
      expect(isCompleteDirectory(target)).toBe(true);
      const versions = ['a.bin', 'b.bin', 'c.bin'].map((name) => checkVersion(readFileSync(join(target, name)), name));
      expect(new Set(versions).size).toBe(1);
      expect([last, last + 1]).toContain(versions[0]);
      checked++;
      rmSync(target, { recursive: true });
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});
