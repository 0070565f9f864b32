import { Writable } from 'node:stream';
import { createProgress, formatDuration, formatQuantity } from '../../packages/core/src/training/progress.js';

/** A fake terminal: collects what the bar writes. */
function fakeTty() {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  }) as Writable & { isTTY: boolean; columns: number; cursorTo?: unknown };
  stream.isTTY = true;
  stream.columns = 200;
  const escapes = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g'); // terminal control sequences
  return { stream, text: () => out.replace(escapes, '') };
}

/** A fake pino logger that records (fields, message) pairs. */
function fakeLogger() {
  const lines: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  return { lines, logger: { info: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }) } as never };
}

describe('log mode (not a terminal)', () => {
  test('a start line, then at most one line per interval with rate, ETA and the current values, then a summary', () => {
    let now = 1_000_000;
    const { lines, logger } = fakeLogger();
    const p = createProgress({
      label: 'train',
      total: 200,
      unit: 'steps',
      mode: 'auto',
      stream: { isTTY: false } as never,
      logger,
      logIntervalS: 10,
      now: () => now,
    });
    expect(p.mode).toBe('log');
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toBe('train: 200 steps');
    now += 4000;
    p.update(20, { loss: 1.23456 });
    expect(lines).toHaveLength(1); // within the interval: quiet
    now += 6000;
    p.update(50, { loss: 0.98765, 'tok/s': 12345 });
    expect(lines).toHaveLength(2);
    expect(lines[1].fields).toMatchObject({
      label: 'train',
      done: 50,
      total: 200,
      percent: 25,
      rate_per_s: 5,
      eta_s: 30,
      loss: 0.98765,
      'tok/s': 12345,
    });
    expect(lines[1].msg).toBe('train: 50/200 steps (25%), 5.00 steps/s, ETA 30s, loss 0.988, tok/s 12.3k');
    now += 30000;
    p.increment(150);
    expect(lines).toHaveLength(3);
    expect(lines[2].msg).toBe('train: 200/200 steps (100%), 5.00 steps/s, ETA 0s, loss 0.988, tok/s 12.3k');
    p.stop({ loss: 0.5 });
    expect(lines).toHaveLength(4);
    expect(lines[3].msg).toBe('train done: 200/200 steps (100%), 5.00 steps/s, in 40s, loss 0.500, tok/s 12.3k');
    p.update(10); // after stop: ignored
    expect(lines).toHaveLength(4);
  });

  test('a resumed run counts its rate and ETA from where it started', () => {
    let now = 0;
    const { lines, logger } = fakeLogger();
    const p = createProgress({
      label: 'train',
      total: 1000,
      unit: 'steps',
      startAt: 600,
      mode: 'log',
      logger,
      logIntervalS: 1,
      now: () => now,
    });
    expect(p.done).toBe(600);
    now += 10_000;
    p.update(700);
    expect(lines[1].fields).toMatchObject({ rate_per_s: 10, eta_s: 30 });
  });

  test('log() goes to the logger; silent mode says nothing', () => {
    const { lines, logger } = fakeLogger();
    const p = createProgress({ label: 'predict', total: 3, unit: 'docs', mode: 'log', logger });
    p.log('skipped broken.pdf', { file: 'broken.pdf' });
    expect(lines[1]).toEqual({ fields: { label: 'predict', file: 'broken.pdf' }, msg: 'skipped broken.pdf' });
    const quiet = fakeLogger();
    const s = createProgress({ label: 'x', total: 3, mode: 'silent', logger: quiet.logger });
    s.update(2);
    s.log('nothing');
    s.stop();
    expect(quiet.lines).toHaveLength(0);
  });
});

describe('bar mode (a terminal)', () => {
  test('draws a cli-progress bar with percentage, count, throughput, ETA and the current loss', () => {
    let now = 0;
    const tty = fakeTty();
    const p = createProgress({ label: 'train', total: 100, unit: 'steps', stream: tty.stream, now: () => now });
    expect(p.mode).toBe('bar');
    now += 5000;
    p.update(25, { loss: 0.4321 });
    p.log('epoch 1 done');
    p.stop();
    const text = tty.text();
    expect(text).toContain('epoch 1 done');
    expect(text).toMatch(/train \|[\u2588\u2591]{30}\| +25% \| 25\/100 steps \| 5\.00 steps\/s \| ETA 15s \| loss 0\.432/);
  });
});

test('number and duration formats', () => {
  expect([0, 0.01234, 1.5, 123.4, 12345, 2.5e6, 3e9].map(formatQuantity)).toEqual(['0', '0.0123', '1.50', '123', '12.3k', '2.5M', '3.0G']);
  expect([5, 65, 3725, Infinity, -1].map(formatDuration)).toEqual(['5s', '1m05s', '1h02m', '--', '--']);
});
