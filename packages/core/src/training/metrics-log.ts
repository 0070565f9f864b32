/**
 * The training metrics log: one JSON line per optimizer step (every loss part, the effective loss weights,
 * gradient norm, learning rate, throughput, the fraction of the step spent waiting for data) and one per
 * evaluation, appended to metrics.jsonl and flushed line by line (jsonl-file.ts).
 *
 * A resumed run opens the log with `resumeAfterStep`: records of steps after the checkpoint it resumes from
 * are dropped (they will be redone), so the log of a killed-and-resumed run reads like an uninterrupted one.
 */
import { JsonlAppender, readJsonl } from './jsonl-file.js';
import type { LossWeights } from './training-config.js';

/** Loss terms, unweighted, plus `total` (the weighted sum that was differentiated). Absent terms are left out. */
export interface LossParts {
  total: number;
  entity?: number;
  group?: number;
  proto_reg?: number;
  crf?: number;
  [part: string]: number | undefined;
}

export interface StepRecord {
  type: 'step';
  /** optimizer steps done, counting this one (1 for the first step) */
  step: number;
  /** epoch counted from 1 */
  epoch: number;
  /** the curriculum phase's name ("all" without a curriculum) */
  phase?: string;
  losses: LossParts;
  /** the loss weights in force for this step */
  weights?: LossWeights;
  /** global gradient norm before clipping */
  grad_norm: number;
  /** learning rate this step used */
  lr: number;
  /** (non-padding) tokens processed per second of step time */
  tokens_per_s: number;
  /** fraction of the step's wall time spent waiting for the next batch, in [0, 1] */
  data_wait_fraction: number;
  /** wall seconds of the step, data wait included */
  step_time_s?: number;
  /** seconds since the run (or the resumed run) started */
  elapsed_s?: number;
}

export interface EvalRecord {
  type: 'eval';
  /** optimizer steps done when the evaluation ran */
  step: number;
  epoch: number;
  /** validation entity-level micro F1 (strict spans), the early-stopping metric */
  val_entity_f1: number;
  [metric: string]: number | string;
}

export type MetricsRecord = StepRecord | EvalRecord;

export interface MetricsLogContents {
  steps: StepRecord[];
  evals: EvalRecord[];
  /** true when the file ended in a torn line, which was dropped */
  tornTail: boolean;
}

/** Read a metrics log; a torn last line is dropped, records of other types are ignored. */
export function readMetricsLog(path: string): MetricsLogContents {
  const { records, tornTail } = readJsonl<MetricsRecord>(path);
  const steps: StepRecord[] = [];
  const evals: EvalRecord[] = [];
  for (const r of records) {
    if (r && r.type === 'step') steps.push(r);
    else if (r && r.type === 'eval') evals.push(r);
  }
  return { steps, evals, tornTail };
}

/** The metrics log a run appends to. */
export class MetricsLog {
  private readonly out: JsonlAppender<MetricsRecord>;

  private constructor(out: JsonlAppender<MetricsRecord>) {
    this.out = out;
  }

  /**
   * Open (or create) the log. `resumeAfterStep`: keep only records of steps up to and including it (the
   * checkpoint's step); without it the log is appended to as it is, less any torn last line.
   */
  static open(path: string, options: { resumeAfterStep?: number; fsyncEachLine?: boolean } = {}): MetricsLog {
    const after = options.resumeAfterStep;
    return new MetricsLog(
      JsonlAppender.open<MetricsRecord>(path, {
        fsyncEachLine: options.fsyncEachLine,
        ...(after === undefined ? {} : { keep: (r: MetricsRecord) => typeof r?.step === 'number' && r.step <= after }),
      }),
    );
  }

  get path(): string {
    return this.out.path;
  }

  logStep(record: Omit<StepRecord, 'type'>): void {
    this.out.append({ type: 'step', ...record });
  }

  logEval(record: Omit<EvalRecord, 'type'>): void {
    this.out.append({ type: 'eval', ...record } as EvalRecord);
  }

  /** Make what was logged durable (call before writing a checkpoint). */
  sync(): void {
    this.out.sync();
  }

  close(): void {
    this.out.close();
  }
}
