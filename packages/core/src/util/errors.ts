/**
 * A user-facing error: bad input, bad config, a missing file. The CLI prints its message as one line
 * and exits non-zero; it never shows a stack trace for these.
 */
export class HybridocError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HybridocError';
    this.exitCode = options.exitCode ?? 2;
  }
}

/** `file: key: problem`, the one shape every input error takes. */
export function inputError(file: string, key: string | undefined, problem: string): HybridocError {
  return new HybridocError(key ? `${file}: ${key}: ${problem}` : `${file}: ${problem}`);
}
