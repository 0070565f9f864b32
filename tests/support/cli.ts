import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
export const CLI = resolve(REPO, 'packages/cli/bin/hybridoc.js');

/** Run the built CLI (built by `pretest`) and capture its output. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, HYBRIDOC_LOG_LEVEL: 'warn', ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeout ?? 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
