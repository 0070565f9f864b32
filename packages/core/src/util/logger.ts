import { pino, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

/**
 * One pino logger for the whole library; components take child loggers (`logger('trainer')`).
 * JSON lines by default; pretty when stderr is a terminal, unless JSON is asked for.
 */
let root: Logger = makeRoot({ level: defaultLevel(), json: !process.stderr.isTTY });

function defaultLevel(): LevelWithSilent {
  const env = process.env.HYBRIDOC_LOG_LEVEL;
  if (env && ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(env)) {
    return env as LevelWithSilent;
  }
  return process.env.JEST_WORKER_ID ? 'silent' : 'info';
}

function makeRoot(opts: { level: LevelWithSilent; json: boolean }): Logger {
  const base = { name: 'hybridoc' };
  if (opts.json) return pino({ ...base, level: opts.level }, pino.destination({ fd: 2, sync: true }));
  const stream = pretty({ colorize: true, destination: 2, sync: true, ignore: 'pid,hostname,name' });
  return pino({ ...base, level: opts.level }, stream);
}

/** Reconfigure the root logger (the CLI calls this once from --log-level / --json). */
export function configureLogging(opts: { level?: LevelWithSilent; json?: boolean }): void {
  root = makeRoot({ level: opts.level ?? defaultLevel(), json: opts.json ?? !process.stderr.isTTY });
}

/** A child logger for one component. */
export function logger(component: string): Logger {
  return root.child({ component });
}

export type { Logger };
