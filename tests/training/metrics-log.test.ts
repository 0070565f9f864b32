import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HybridocError } from '../../packages/core/src/util/errors.js';
import { JsonlAppender, readJsonl } from '../../packages/core/src/training/jsonl-file.js';
import { MetricsLog, readMetricsLog, type StepRecord } from '../../packages/core/src/training/metrics-log.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hybridoc-metrics-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => {
  const d = join(dir, `m-${n++}`);
  mkdirSync(d);
  return join(d, 'metrics.jsonl');
};

function step(s: number, epoch = 1): Omit<StepRecord, 'type'> {
  return {
    step: s,
    epoch,
    phase: epoch === 1 ? 'emissions-only' : 'with-crf',
    losses: { total: 3 / s, entity: 2 / s, group: 1 / s, proto_reg: 0.01, crf: 20 / s },
    weights: { entity: 1, group: 0.3, proto_reg: 0.01, crf: epoch === 1 ? 0 : 0.5 },
    grad_norm: 1.5,
    lr: 1e-4 * s,
    tokens_per_s: 5000 + s,
    data_wait_fraction: 0.02,
    step_time_s: 0.25,
  };
}

describe('MetricsLog', () => {
  test('every loss part, weights, grad norm, LR, tokens/s and data wait go out one line per step and read back', () => {
    const f = file();
    const log = MetricsLog.open(f);
    for (let s = 1; s <= 5; s++) log.logStep(step(s, s <= 3 ? 1 : 2));
    log.logEval({ step: 3, epoch: 1, val_entity_f1: 0.42, val_group_f1: 0.6 });
    // flushed per line: readable before close
    expect(readFileSync(f, 'utf8').trimEnd().split('\n')).toHaveLength(6);
    log.close();
    const back = readMetricsLog(f);
    expect(back.tornTail).toBe(false);
    expect(back.steps).toHaveLength(5);
    expect(back.steps[4]).toEqual({ type: 'step', ...step(5, 2) });
    expect(back.steps.map((r) => r.weights!.crf)).toEqual([0, 0, 0, 0.5, 0.5]);
    expect(back.evals).toEqual([{ type: 'eval', step: 3, epoch: 1, val_entity_f1: 0.42, val_group_f1: 0.6 }]);
  });

  test('a torn last line (killed mid-write) is dropped by the reader and cut off before appending', () => {
    const f = file();
    const log = MetricsLog.open(f);
    log.logStep(step(1));
    log.logStep(step(2));
    log.close();
    const whole = readFileSync(f, 'utf8');
    const third = JSON.stringify({ type: 'step', ...step(3) });
    appendFileSync(f, third.slice(0, 40)); // the process died inside this write
    const torn = readMetricsLog(f);
    expect(torn.tornTail).toBe(true);
    expect(torn.steps.map((r) => r.step)).toEqual([1, 2]);
    const again = MetricsLog.open(f);
    expect(readFileSync(f, 'utf8')).toBe(whole);
    again.logStep(step(3));
    again.close();
    expect(readMetricsLog(f).steps.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(readMetricsLog(f).tornTail).toBe(false);
  });

  test('a torn line that happens to be valid JSON is still torn (no newline)', () => {
    const f = file();
    writeFileSync(f, '{"type":"step","step":1}\n{"type":"step","step":2}');
    const r = readJsonl<{ step: number }>(f);
    expect(r.records.map((x) => x.step)).toEqual([1]);
    expect(r.tornTail).toBe(true);
    expect(r.validBytes).toBe('{"type":"step","step":1}\n'.length);
  });

  test('resuming from a checkpoint drops the records of the steps that will be redone', () => {
    const f = file();
    const log = MetricsLog.open(f);
    for (let s = 1; s <= 8; s++) log.logStep(step(s, s <= 4 ? 1 : 2));
    log.logEval({ step: 4, epoch: 1, val_entity_f1: 0.5 });
    log.logEval({ step: 8, epoch: 2, val_entity_f1: 0.7 });
    log.close();
    appendFileSync(f, '{"type":"step","st');
    const resumed = MetricsLog.open(f, { resumeAfterStep: 5 });
    resumed.logStep(step(6, 2));
    resumed.close();
    const back = readMetricsLog(f);
    expect(back.steps.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back.evals.map((r) => r.step)).toEqual([4]);
  });

  test('a missing file reads empty; a corrupt line in the middle is an error naming the line', () => {
    expect(readMetricsLog(join(dir, 'nope.jsonl'))).toEqual({ steps: [], evals: [], tornTail: false });
    const f = file();
    const a = JsonlAppender.open(f);
    a.append({ type: 'step', step: 1 });
    a.close();
    appendFileSync(f, 'garbage\n{"type":"step","step":3}\n');
    expect(() => readJsonl(f)).toThrow(HybridocError);
    expect(() => readJsonl(f)).toThrow(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 2: not valid JSON`));
  });

  test('fsyncEachLine and an appender closed twice', () => {
    const f = file();
    const a = JsonlAppender.open<{ k: number }>(f, { fsyncEachLine: true });
    a.append({ k: 1 });
    a.close();
    a.close();
    expect(() => a.append({ k: 2 })).toThrow(/closed/);
    expect(readJsonl(f).records).toEqual([{ k: 1 }]);
  });
});
