/**
 * The trainer end to end on the tiny backbone with the hybrid heads and the CRF (dropout on): a short run
 * lowers the loss and leaves checkpoints, metrics and loss curves; the curriculum shows in the step log;
 * exact resume after kills at random steps and in the middle of a checkpoint write; `hybridoc evaluate`
 * reports; config errors are one line.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSafetensors, readMetricsLog, readTrainerState, train, type TrainResult } from '@hybridoc/core';
import { CLI, runCli } from '../support/cli.js';
import { makeTrainerFixture, type TrainerFixture } from './support.js';

const THREADS = 2;
const CHECKPOINT_EVERY = 4;
let fx: TrainerFixture;
let reference: TrainResult;
let refDir: string;

/** The CLI arguments of the run the resume test repeats. */
const trainArgs = (out: string) => [
  'train',
  '--config',
  fx.config,
  '--corpus',
  fx.corpus,
  '--out',
  out,
  '--threads',
  String(THREADS),
  '--checkpoint-every',
  String(CHECKPOINT_EVERY),
  '--feature-cache',
  join(fx.root, 'features'),
  '--log-level',
  'warn',
];

beforeAll(async () => {
  fx = await makeTrainerFixture('hybridoc-train-', 14, 1);
  refDir = join(fx.root, 'reference');
  reference = await train({
    config: fx.config,
    corpus: fx.corpus,
    out: refDir,
    threads: THREADS,
    checkpointEvery: CHECKPOINT_EVERY,
    featureCacheDir: join(fx.root, 'features'),
    progress: 'silent',
  });
}, 120_000);

afterAll(() => {
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('a short run lowers the loss and writes best and last checkpoints, the metrics log and the loss curves', () => {
  expect(reference.stoppedBy).toBe('completed');
  expect(reference.epochs).toBe(2);
  expect(reference.steps).toBe(reference.totalSteps);
  expect(reference.steps).toBeGreaterThan(10);
  expect(reference.run.model.name).toBe('layoutlmv3-hybrid');

  const { steps, evals } = readMetricsLog(reference.paths.metrics);
  expect(steps.map((s) => s.step)).toEqual(Array.from({ length: reference.steps }, (_, i) => i + 1));
  for (const s of steps) {
    for (const part of ['total', 'entity', 'group', 'proto_reg', 'crf']) expect(Number.isFinite(s.losses[part])).toBe(true);
    expect(s.grad_norm).toBeGreaterThan(0);
    expect(s.lr).toBeGreaterThan(0);
    expect(s.tokens_per_s).toBeGreaterThan(0);
    expect(s.data_wait_fraction).toBeGreaterThanOrEqual(0);
    expect(s.data_wait_fraction).toBeLessThan(1);
  }
  // the entity and group losses (constant weights; the total jumps when the CRF term joins) fall
  const entity = steps.map((s) => s.losses.entity!);
  expect(mean(entity.slice(-5))).toBeLessThan(0.9 * mean(entity.slice(0, 5)));
  const group = steps.map((s) => s.losses.group!);
  expect(mean(group.slice(-5))).toBeLessThan(mean(group.slice(0, 5)));
  // warmup then decay: the rate rises to a peak inside the run and ends below it
  const lrs = steps.map((s) => s.lr);
  const peak = lrs.indexOf(Math.max(...lrs));
  expect(peak).toBeGreaterThan(0);
  expect(lrs[lrs.length - 1]).toBeLessThan(lrs[peak]);
  // one validation per epoch, at the epoch's last step
  expect(evals.map((e) => e.epoch)).toEqual([1, 2]);
  expect(evals[1].step).toBe(reference.steps);
  for (const e of evals) expect(e.val_entity_f1).toBeGreaterThanOrEqual(0);

  for (const dir of [reference.paths.best, reference.paths.last]) {
    expect(existsSync(join(dir, '.complete'))).toBe(true);
    expect(openSafetensors(join(dir, 'checkpoint.safetensors')).names().length).toBeGreaterThan(10);
  }
  const last = readTrainerState(reference.paths.last);
  expect(last.step).toBe(reference.steps);
  expect(last.finished).toBe('completed');
  expect(readTrainerState(reference.paths.best).step).toBe(reference.bestStep);

  const png = readFileSync(reference.paths.lossCurves);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.length).toBeGreaterThan(10_000);
});

test('the curriculum: the step log shows the CRF weight at 0 in epoch 1, then 0.5 from epoch 2', () => {
  const { steps } = readMetricsLog(reference.paths.metrics);
  const epoch1 = steps.filter((s) => s.epoch === 1);
  const epoch2 = steps.filter((s) => s.epoch === 2);
  expect(epoch1.length).toBeGreaterThan(0);
  expect(epoch2.length).toBeGreaterThan(0);
  expect(new Set(epoch1.map((s) => s.weights!.crf))).toEqual(new Set([0]));
  expect(new Set(epoch2.map((s) => s.weights!.crf))).toEqual(new Set([0.5]));
  expect(new Set(epoch1.map((s) => s.phase))).toEqual(new Set(['emissions-only']));
  expect(new Set(epoch2.map((s) => s.phase))).toEqual(new Set(['with-crf']));
  // the weight is really fed: the total is the weighted sum of the parts, CRF term included from epoch 2
  for (const s of [epoch1[0], epoch2[epoch2.length - 1]]) {
    const w = s.weights!;
    const l = s.losses;
    const sum = w.entity * l.entity! + w.group * l.group! + w.proto_reg * l.proto_reg! + w.crf * l.crf!;
    expect(Math.abs(sum - l.total)).toBeLessThan(1e-4 * Math.max(1, Math.abs(l.total)));
  }
});

/** Run the CLI in a child; `killWhen` may SIGKILL it once the metrics log holds that many steps. */
function runChild(
  out: string,
  options: { env?: Record<string, string>; killAtStep?: number } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...trainArgs(out)], {
      env: { ...process.env, HYBRIDOC_LOG_LEVEL: 'warn', ...options.env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    let timer: NodeJS.Timeout | undefined;
    if (options.killAtStep !== undefined) {
      const metrics = join(out, 'metrics.jsonl');
      timer = setInterval(() => {
        if (!existsSync(metrics)) return;
        const steps = readFileSync(metrics, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"type":"step"')).length;
        if (steps >= options.killAtStep!) child.kill('SIGKILL');
      }, 20);
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      resolveRun({ code, signal, stderr });
    });
  });
}

test('exact resume: killed at random steps and inside a checkpoint write, the resumed run ends with the parameters of an uninterrupted one', async () => {
  const out = join(fx.root, 'resumed');
  // the deterministic set-up (tokenizer, artifact set, run.json) is the reference's; copying it saves the
  // build time, and the run starts from step 0 because there is no checkpoint yet
  for (const f of ['run.json', 'training-config.json', 'tokenizer.json', 'artifacts'])
    cpSync(join(refDir, f), join(out, f), { recursive: true });

  // 1. killed by the test hook in the middle of its 2nd checkpoint write (weights written, not finished)
  const first = await runChild(out, { env: { HYBRIDOC_TEST_KILL_IN_CHECKPOINT: '2' } });
  expect(first.signal).toBe('SIGKILL');
  expect(existsSync(join(out, 'checkpoints', '.last.tmp', 'checkpoint.safetensors'))).toBe(true);
  expect(existsSync(join(out, 'checkpoints', '.last.tmp', '.complete'))).toBe(false);
  expect(readTrainerState(join(out, 'checkpoints', 'last')).step).toBe(CHECKPOINT_EVERY);

  // 2. killed at a random step (seeded, so the test is repeatable), past the last checkpoint as often as not
  let rng = 12345;
  const nextInt = (lo: number, hi: number) => {
    rng = (rng * 1103515245 + 12345) % 2 ** 31;
    return lo + (rng % (hi - lo + 1));
  };
  const killAt = nextInt(2 * CHECKPOINT_EVERY + 1, reference.steps - 2);
  const killed = await runChild(out, { killAtStep: killAt });
  expect(killed.signal).toBe('SIGKILL');
  const before = readTrainerState(join(out, 'checkpoints', 'last'));
  expect(before.finished).toBeNull();
  expect(before.step).toBeLessThan(reference.steps);

  // 3. the same command again, to the end
  const done = await runChild(out);
  expect(done.stderr).toBe('');
  expect(done.code).toBe(0);

  const ref = openSafetensors(join(refDir, 'checkpoints', 'last', 'checkpoint.safetensors'));
  const got = openSafetensors(join(out, 'checkpoints', 'last', 'checkpoint.safetensors'));
  expect(got.names().sort()).toEqual(ref.names().sort());
  let compared = 0;
  for (const name of ref.names()) {
    const a = ref.tensor(name).data as Float32Array;
    const b = got.tensor(name).data as Float32Array;
    expect(b.length).toBe(a.length);
    // bit for bit: parameters and Adam's moments
    expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength))).toBe(true);
    compared++;
  }
  expect(compared).toBeGreaterThan(10);
  expect(got.metadata['hybridoc.optimizer_step']).toBe(String(reference.steps));

  // the log reads like the uninterrupted run's: every step once, with the same losses (same data, same dropout)
  const refLog = readMetricsLog(reference.paths.metrics);
  const log = readMetricsLog(join(out, 'metrics.jsonl'));
  expect(log.steps.map((s) => s.step)).toEqual(refLog.steps.map((s) => s.step));
  expect(log.steps.map((s) => [s.losses, s.grad_norm, s.lr])).toEqual(refLog.steps.map((s) => [s.losses, s.grad_norm, s.lr]));
  expect(log.evals.map((e) => e.val_entity_f1)).toEqual(refLog.evals.map((e) => e.val_entity_f1));

  // running the finished command again does nothing
  const again = runCli([...trainArgs(out), '--json']);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ stoppedBy: 'completed', stepsThisRun: 0, steps: reference.steps });
}, 180_000);

test('hybridoc evaluate writes the JSON and Markdown reports', () => {
  const report = join(fx.root, 'report.md');
  const r = runCli([
    'evaluate',
    refDir,
    '--corpus',
    fx.corpus,
    '--json',
    '--report',
    report,
    '--bootstrap-samples',
    '50',
    '--log-level',
    'warn',
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const ev = JSON.parse(r.stdout);
  expect(ev.decode).toBe('viterbi');
  expect(ev.checkpoint.kind).toBe('best');
  expect(ev.splits.map((s: { split: string }) => s.split)).toEqual(['test', 'test-unseen-templates']);
  const docs = ev.splits.reduce((a: number, s: { documents: number }) => a + s.documents, 0);
  expect(ev.report.documents).toBe(docs);
  expect(ev.report.overall.micro.support).toBeGreaterThan(0);
  for (const k of ['micro', 'macro']) expect(ev.report.overall[k].f1).toBeGreaterThanOrEqual(0);
  expect(ev.report.perGroup).not.toBeNull();
  expect(Object.keys(ev.report.perDomain).length).toBeGreaterThan(0);
  expect(ev.report.rare.entities).toEqual(expect.arrayContaining(['CAGE_CODE', 'LOT_NUMBER', 'SERIAL_NUMBER']));
  expect(ev.report.fields.documents).toBe(docs);
  if (ev.report.crossTemplate) expect(ev.report.crossTemplate.documents).toBe(ev.splits[1].documents);
  const md = readFileSync(report, 'utf8');
  for (const heading of ['# Evaluation of', '## Per group', '## Per domain', '## Per entity', '## Field exact match'])
    expect(md).toContain(heading);

  const text = runCli([
    'evaluate',
    refDir,
    '--corpus',
    fx.corpus,
    '--split',
    'val',
    '--decode',
    'argmax',
    '--bootstrap-samples',
    '20',
    '--log-level',
    'warn',
  ]);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/argmax decoding/);
  expect(text.stdout).toMatch(/micro F1\s+\d\.\d{3}/);
});

test('config errors and bad arguments surface as one line naming the file and key', () => {
  const bad = join(fx.root, 'bad.yaml');
  writeFileSync(bad, `extends: ${fx.config}\ntraining:\n  num_epochs: 0\n`);
  const r = runCli(['train', '--config', bad, '--corpus', fx.corpus, '--out', join(fx.root, 'bad-run')]);
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`${bad}: training.num_epochs: must be at least 1`);
  expect(r.stderr).not.toMatch(/\n\s+at /);

  const override = runCli([
    'train',
    '--config',
    fx.config,
    '--corpus',
    fx.corpus,
    '--out',
    join(fx.root, 'bad-run'),
    '--set',
    'training.lr_schedule.decay=sideways',
  ]);
  expect(override.code).not.toBe(0);
  expect(override.stderr.trim().split('\n')).toHaveLength(1);
  expect(override.stderr).toContain('training.lr_schedule.decay: must be one of linear, cosine, constant');

  // the run in refDir is another run than one with other settings: refused, not mixed
  const other = runCli([...trainArgs(refDir), '--set', 'training.seed=1']);
  expect(other.code).not.toBe(0);
  expect(other.stderr.trim().split('\n')).toHaveLength(1);
  expect(other.stderr).toMatch(/holds another training run \(config differ\)/);

  const notRun = runCli(['evaluate', fx.corpus, '--corpus', fx.corpus]);
  expect(notRun.code).not.toBe(0);
  expect(notRun.stderr.trim().split('\n')).toHaveLength(1);
  expect(notRun.stderr).toContain('is not a training output directory');
});
