/**
 * Progress of long work (training, corpus generation, batch prediction), one interface for all of it: on a
 * terminal a cli-progress bar with percentage, count, throughput, ETA and the caller's current values (the
 * loss, tokens/s); elsewhere (CI, a pipe, a log file) periodic pino lines through `logger(component)`
 * carrying the same numbers as fields, plus a line at the start and a summary at the end.
 *
 * Throughput and ETA count from `startAt` (a resumed run does not claim the work it skipped).
 */
import cliProgress from 'cli-progress';
import { logger as makeLogger, type Logger } from '../util/logger.js';

export type ProgressValue = number | string | undefined;
export type ProgressValues = Record<string, ProgressValue>;

export interface ProgressReporter {
  readonly total: number;
  readonly done: number;
  /** 'bar' on a terminal, 'log' otherwise, 'silent' when asked */
  readonly mode: 'bar' | 'log' | 'silent';
  /** set the count done so far, with current values to show (e.g. { loss: 0.42, 'tok/s': 5120 }) */
  update(done: number, values?: ProgressValues): void;
  /** add to the count */
  increment(delta?: number, values?: ProgressValues): void;
  /** change the total (e.g. once the real number of steps is known) */
  setTotal(total: number): void;
  /** a message: above the bar on a terminal, an info line otherwise */
  log(message: string, fields?: Record<string, unknown>): void;
  /** finish: the bar stays on screen with its final numbers; a summary line is logged */
  stop(values?: ProgressValues): void;
}

export interface ProgressOptions {
  /** what is progressing ("train", "generate", "predict") */
  label: string;
  total: number;
  /** the unit counted ("steps", "docs"), default "items" */
  unit?: string;
  /** work already done before this run (resume) */
  startAt?: number;
  /** 'auto' (default): a bar when the stream is a terminal, else log lines */
  mode?: 'auto' | 'bar' | 'log' | 'silent';
  /** the bar's stream (default process.stderr) */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** the pino logger of log mode (default logger(component)) */
  logger?: Pick<Logger, 'info'>;
  /** the component name of the default logger (default "progress") */
  component?: string;
  /** seconds between log lines in log mode (default 10) */
  logIntervalS?: number;
  /** the clock, in milliseconds (tests) */
  now?: () => number;
}

/** A progress reporter for `options.total` units of work. */
export function createProgress(options: ProgressOptions): ProgressReporter {
  return new Progress(options);
}

/** "1.2k", "35.0", "0.0123": short numbers for a status line. */
export function formatQuantity(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(3);
}

/** "1h02m", "4m05s", "12s", "--" for unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m % 60).padStart(2, '0')}m`;
}

class Progress implements ProgressReporter {
  total: number;
  done: number;
  readonly mode: 'bar' | 'log' | 'silent';
  private readonly label: string;
  private readonly unit: string;
  private readonly startAt: number;
  private readonly now: () => number;
  private readonly startedMs: number;
  private readonly log_: Pick<Logger, 'info'> | undefined;
  private readonly intervalMs: number;
  private lastLogMs: number;
  private values: ProgressValues = {};
  private multibar: cliProgress.MultiBar | undefined;
  private bar: cliProgress.SingleBar | undefined;
  private stopped = false;

  constructor(o: ProgressOptions) {
    if (!(o.total >= 0) || !Number.isFinite(o.total)) throw new RangeError(`progress: total must be a finite number >= 0, got ${o.total}`);
    this.label = o.label;
    this.unit = o.unit ?? 'items';
    this.total = o.total;
    this.startAt = o.startAt ?? 0;
    this.done = this.startAt;
    this.now = o.now ?? Date.now;
    this.startedMs = this.now();
    this.intervalMs = (o.logIntervalS ?? 10) * 1000;
    this.lastLogMs = this.startedMs;
    const stream = o.stream ?? process.stderr;
    const mode = o.mode ?? 'auto';
    this.mode = mode === 'auto' ? (stream.isTTY ? 'bar' : 'log') : mode;
    if (this.mode === 'log') {
      this.log_ = o.logger ?? makeLogger(o.component ?? 'progress');
      this.log_.info(
        { label: this.label, total: this.total, unit: this.unit, start_at: this.startAt },
        `${this.label}: ${this.total} ${this.unit}`,
      );
    }
    if (this.mode === 'bar') {
      this.multibar = new cliProgress.MultiBar(
        {
          stream: stream as NodeJS.WriteStream,
          format: `{label} |{bar}| {percentage}% | {value}/{total} {unit} | {rate} | ETA {eta_text}{extras}`,
          barCompleteChar: '\u2588',
          barIncompleteChar: '\u2591',
          barsize: 30,
          hideCursor: false,
          clearOnComplete: false,
          stopOnComplete: false,
          fps: 5,
          linewrap: false,
          autopadding: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar = this.multibar.create(this.total, this.done, this.payload());
    }
  }

  update(done: number, values?: ProgressValues): void {
    if (this.stopped) return;
    this.done = done;
    if (values) this.values = { ...this.values, ...values };
    this.render(false);
  }

  increment(delta = 1, values?: ProgressValues): void {
    this.update(this.done + delta, values);
  }

  setTotal(total: number): void {
    this.total = total;
    this.bar?.setTotal(total);
  }

  log(message: string, fields: Record<string, unknown> = {}): void {
    if (this.mode === 'bar') this.multibar!.log(`${message}\n`);
    else if (this.mode === 'log') this.log_!.info({ label: this.label, ...fields }, message);
  }

  stop(values?: ProgressValues): void {
    if (this.stopped) return;
    if (values) this.values = { ...this.values, ...values };
    this.render(true);
    this.stopped = true;
    if (this.multibar) {
      this.multibar.update();
      this.multibar.stop();
    }
  }

  /** units per second since the start, counting only this run's work */
  private rate(): number {
    const s = (this.now() - this.startedMs) / 1000;
    return s > 0 ? (this.done - this.startAt) / s : 0;
  }

  private etaSeconds(): number {
    const r = this.rate();
    return r > 0 ? Math.max(0, this.total - this.done) / r : Number.POSITIVE_INFINITY;
  }

  private payload(): Record<string, string> {
    const extras = Object.entries(this.values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatQuantity(v) : v}`)
      .join(' | ');
    return {
      label: this.label,
      unit: this.unit,
      rate: `${formatQuantity(this.rate())} ${this.unit}/s`,
      eta_text: formatDuration(this.etaSeconds()),
      extras: extras ? ` | ${extras}` : '',
    };
  }

  private render(final: boolean): void {
    if (this.mode === 'bar') {
      this.bar!.update(this.done, this.payload());
      return;
    }
    if (this.mode !== 'log') return;
    const t = this.now();
    if (!final && t - this.lastLogMs < this.intervalMs) return;
    this.lastLogMs = t;
    const numbers: Record<string, unknown> = {
      label: this.label,
      done: this.done,
      total: this.total,
      unit: this.unit,
      percent: this.total > 0 ? Math.round((1000 * this.done) / this.total) / 10 : 100,
      rate_per_s: Number(this.rate().toPrecision(4)),
      elapsed_s: Math.round((t - this.startedMs) / 100) / 10,
    };
    if (!final) numbers.eta_s = Number.isFinite(this.etaSeconds()) ? Math.round(this.etaSeconds()) : null;
    for (const [k, v] of Object.entries(this.values)) if (v !== undefined) numbers[k] = v;
    const extras = Object.entries(this.values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatQuantity(v) : v}`)
      .join(', ');
    const head = final ? `${this.label} done` : this.label;
    const eta = final ? `in ${formatDuration((t - this.startedMs) / 1000)}` : `ETA ${formatDuration(this.etaSeconds())}`;
    this.log_!.info(
      numbers,
      `${head}: ${this.done}/${this.total} ${this.unit} (${numbers.percent}%), ${formatQuantity(this.rate())} ${this.unit}/s, ${eta}${extras ? `, ${extras}` : ''}`,
    );
  }
}
