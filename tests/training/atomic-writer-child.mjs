// Child process for the atomic-write crash tests: rewrites a file (or a directory of three files) again and
// again, each version written slowly in chunks, and records each finished version in a progress file.
// The test SIGKILLs it at random moments. Usage:
//   node atomic-writer-child.mjs MODULE file|dir TARGET PROGRESS BYTES
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const [moduleUrl, mode, target, progress, bytesArg] = process.argv.slice(2);
const { atomicWriteFile, atomicWriteDirectorySync } = await import(moduleUrl);
const bytes = Number(bytesArg);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Version v's content: a header line, then `bytes` bytes of a pattern that depends on v. */
function* content(v, name) {
  yield `v=${v} name=${name} len=${bytes}\n`;
  const chunk = 16 * 1024;
  for (let off = 0; off < bytes; off += chunk) {
    const n = Math.min(chunk, bytes - off);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (v * 31 + ((off + i) % 251)) & 0xff;
    Atomics.wait(sleeper, 0, 0, 1); // slow: about 1 ms per 16 KB
    yield b;
  }
}

appendFileSync(progress, 'ready\n');
for (let v = 1; ; v++) {
  if (mode === 'file') atomicWriteFile(target, content(v, 'file'));
  else
    atomicWriteDirectorySync(target, (tmp) => {
      for (const name of ['a.bin', 'b.bin', 'c.bin']) atomicWriteFile(join(tmp, name), content(v, name));
    });
  appendFileSync(progress, `${v}\n`);
}
