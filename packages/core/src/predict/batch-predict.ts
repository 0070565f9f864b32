/**
 * Batch prediction over files, folders and globs (`hybridoc predict MODEL INPUT... --out FILE.jsonl`):
 *
 * - a pool of K worker threads, each with its own loaded model and 1/K of the cores for ONNX Runtime
 *   (K = 1 predicts in this thread), handed one input at a time (two in flight per worker);
 * - one JSON line per input in the order inputs complete, written whole by a single write as soon as it is
 *   known (JsonlAppender): a killed batch leaves whole lines and at most one torn last line;
 * - resumable: a rerun with the same --out first cuts off a torn last line, then skips every input that
 *   already has a line (done or failed), so each input appears exactly once;
 * - a progress bar with throughput and ETA (log lines off a terminal), and a summary at the end.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DecodeMode } from '../decoding/decode.js';
import type { ProviderName } from '../runtime/backend.js';
import { JsonlAppender, readJsonl } from '../training/jsonl-file.js';
import { createProgress, type ProgressOptions } from '../training/progress.js';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { expandInputs } from './input-files.js';
import { resolveModelFiles } from './model-files.js';
import { predictLine, type PredictLine, type PredictLineOptions } from './predict-line.js';
import type { PredictWorkerSetup, WorkerReply, WorkerRequest } from './predict-worker.js';
import { Predictor, type PredictBackend, type PredictorOptions } from './predictor.js';

const log = logger('predict');

/** Inputs each worker holds at once. */
const IN_FLIGHT_PER_WORKER = 2;

export interface BatchPredictOptions {
  /** model directory */
  model: string;
  /** files, folders and globs */
  inputs: readonly string[];
  /** JSONL output, appended and resumable; without it lines go to `writeLine` */
  out?: string;
  /** where lines go without `out` (default: process.stdout) */
  writeLine?: (line: string) => void;
  /** worker threads (default 1: predict in this thread) */
  workers?: number;
  /** ONNX Runtime threads per worker (default: the cores divided among the workers) */
  threads?: number;
  /** draw each page with its fields into this folder */
  draw?: string;
  decode?: DecodeMode;
  device?: ProviderName;
  backend?: PredictBackend;
  /** training runs: best (default), last, or a checkpoint file */
  checkpoint?: string;
  /** include per-word labels in each line */
  labels?: boolean;
  /** progress display (default auto: a bar on a terminal, log lines otherwise) */
  progress?: ProgressOptions['mode'];
  /** log level for the workers' loggers */
  logLevel?: string;
  /** called with each line as it is written */
  onLine?: (line: PredictLine) => void;
}

export interface BatchSummary {
  /** inputs named (after expanding folders and globs) */
  total: number;
  /** inputs skipped because the output already has their line */
  skipped: number;
  /** predicted in this run */
  done: number;
  /** failed in this run (their line holds the error) */
  failed: number;
  seconds: number;
  /** documents (done + failed) per second of this run */
  docsPerSecond: number;
  workers: number;
  out: string | null;
  /** the output's torn last line was cut off before appending */
  repairedTornLine: boolean;
}

/** Run a batch; resolves with its summary once every line is written. */
export async function predictBatch(o: BatchPredictOptions): Promise<BatchSummary> {
  const t0 = performance.now();
  const files = expandInputs(o.inputs);
  const requested = o.workers ?? 1;
  if (!Number.isInteger(requested) || requested < 1) throw new HybridocError(`--workers: expected a positive integer, got ${requested}`);
  // fail on a bad model before any output is touched
  resolveModelFiles(o.model, { ...(o.checkpoint ? { checkpoint: o.checkpoint } : {}) });

  let appender: JsonlAppender<PredictLine> | undefined;
  const done = new Set<string>();
  if (o.out) {
    appender = JsonlAppender.open<PredictLine>(o.out);
    for (const r of readJsonl<PredictLine>(o.out).records) if (typeof r?.input === 'string') done.add(resolve(r.input));
    if (appender.repairedTornTail) log.warn({ out: o.out }, 'cut off a torn last line left by an interrupted run');
  }
  const todo = files.filter((f) => !done.has(resolve(f)));
  const skipped = files.length - todo.length;
  const workers = Math.max(1, Math.min(requested, todo.length));
  const threads = o.threads ?? Math.max(1, Math.floor(availableParallelism() / workers));
  const predictorOptions: PredictorOptions = {
    ...(o.decode ? { decode: o.decode } : {}),
    ...(o.device ? { device: o.device } : {}),
    ...(o.backend ? { backend: o.backend } : {}),
    ...(o.checkpoint ? { checkpoint: o.checkpoint } : {}),
    threads,
  };
  const lineOptions: PredictLineOptions = {
    ...(o.decode ? { decode: o.decode } : {}),
    ...(o.draw ? { draw: o.draw } : {}),
    ...(o.labels ? { labels: true } : {}),
  };

  const progress = createProgress({
    label: 'predict',
    total: files.length,
    startAt: skipped,
    unit: 'docs',
    mode: o.progress ?? 'auto',
    component: 'predict',
  });
  if (skipped > 0) progress.log(`resuming: ${skipped} of ${files.length} inputs already in ${o.out}`);
  progress.update(skipped);
  let ok = 0;
  let failed = 0;
  const writeLine = o.writeLine ?? ((s: string) => process.stdout.write(s + '\n'));
  const emit = (line: PredictLine) => {
    if (appender) appender.append(line);
    else writeLine(JSON.stringify(line));
    if (line.error) failed++;
    else ok++;
    o.onLine?.(line);
    progress.increment(1, { failed });
  };

  try {
    if (todo.length > 0) {
      if (workers === 1) await runInProcess(o.model, predictorOptions, lineOptions, todo, emit);
      else await runWorkers({ model: o.model, predictor: predictorOptions, line: lineOptions, logLevel: o.logLevel }, workers, todo, emit);
    }
  } finally {
    appender?.close();
    progress.stop({ failed });
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    total: files.length,
    skipped,
    done: ok,
    failed,
    seconds,
    docsPerSecond: seconds > 0 ? (ok + failed) / seconds : 0,
    workers,
    out: o.out ?? null,
    repairedTornLine: appender?.repairedTornTail ?? false,
  };
}

async function runInProcess(
  model: string,
  options: PredictorOptions,
  line: PredictLineOptions,
  todo: string[],
  emit: (l: PredictLine) => void,
): Promise<void> {
  const predictor = await Predictor.load(model, options);
  try {
    let next = 0;
    const lane = async () => {
      while (next < todo.length) emit(await predictLine(predictor, todo[next++], line));
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT_PER_WORKER, todo.length) }, lane));
  } finally {
    await predictor.close();
  }
}

function workerScript(): URL {
  const here = new URL('./predict-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  // running from sources (tests): use the built worker
  const built = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/predict/predict-worker.js');
  if (existsSync(built)) return new URL(`file://${built}`);
  throw new HybridocError('predict worker script not found; build first (npx tsc -b) or use --workers 1');
}

/**
 * K workers pull inputs from one queue. A worker that dies (a native crash) turns its inputs in flight into
 * error lines and is replaced; a worker that cannot load the model fails the batch.
 */
async function runWorkers(setup: PredictWorkerSetup, k: number, todo: string[], emit: (l: PredictLine) => void): Promise<void> {
  const script = workerScript();
  let next = 0;
  let outstanding = todo.length;
  await new Promise<void>((resolveAll, rejectAll) => {
    let fatal: HybridocError | undefined;
    const live = new Set<Worker>();
    const settle = () => {
      if (live.size > 0) return;
      if (fatal) rejectAll(fatal);
      else resolveAll();
    };
    const start = () => {
      const w = new Worker(script, { workerData: setup });
      const inFlight = new Set<string>();
      let stopped = false;
      live.add(w);
      const feed = () => {
        while (!fatal && inFlight.size < IN_FLIGHT_PER_WORKER && next < todo.length) {
          const input = todo[next++];
          inFlight.add(input);
          w.postMessage({ type: 'predict', input } satisfies WorkerRequest);
        }
        if (inFlight.size === 0 && !stopped) {
          stopped = true;
          w.postMessage({ type: 'stop' } satisfies WorkerRequest);
        }
      };
      w.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') feed();
        else if (m.type === 'fatal') {
          fatal ??= new HybridocError(m.message);
          for (const x of live) void x.terminate();
        } else {
          inFlight.delete(m.line.input);
          outstanding--;
          emit(m.line);
          feed();
        }
      });
      w.on('error', (err) => log.error({ err: String(err) }, 'predict worker failed'));
      w.on('exit', (code) => {
        live.delete(w);
        if (!fatal && inFlight.size > 0) {
          // died with inputs in hand: report them and carry on with a fresh worker
          for (const input of inFlight) {
            outstanding--;
            emit({ input, error: `${input}: the worker predicting it stopped (exit code ${code})` });
          }
          inFlight.clear();
          if (next < todo.length || live.size === 0) {
            if (outstanding > 0) start();
          }
        }
        settle();
      });
    };
    for (let i = 0; i < k; i++) start();
  });
}
