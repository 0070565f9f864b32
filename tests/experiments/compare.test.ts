/**
 * `hybridoc compare` on the tiny backbone, a few dozen documents and a 3-step budget: a process killed once
 * the first arm is finished, then the same command again, finishes the other arms without retraining the
 * first, and prints the table with every row; the work directory refuses other settings.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { COMPARE_ARMS, readMetricsLog, stepChangeSpread, stepsToWithin, writeResultsSection } from '@hybridoc/core';
import { CLI, runCli } from '../support/cli.js';
import { makeExperimentFixture, type ExperimentFixture } from './support.js';

let fx: ExperimentFixture;
let work: string;
const args = () => [
  'compare',
  '--work-dir',
  work,
  '--config',
  fx.config,
  '--docs',
  '40',
  '--steps',
  '3',
  '--hold-out',
  'DUE_DATE',
  '--examples',
  '2',
  '--threads',
  '1',
  '--log-level',
  'warn',
];

beforeAll(() => {
  fx = makeExperimentFixture('hybridoc-compare-', 'compare', 40);
  work = join(fx.root, 'work');
});

afterAll(() => {
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

/** Run the CLI until `file` appears, then kill it (SIGKILL: no chance to write anything more). */
function runUntil(file: string, timeoutMs: number): Promise<{ killed: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args()], { stdio: 'ignore' });
    const timer = setInterval(() => {
      if (existsSync(file)) {
        clearInterval(timer);
        child.kill('SIGKILL');
      }
    }, 50);
    const limit = setTimeout(() => {
      clearInterval(timer);
      child.kill('SIGKILL');
      fail(new Error(`${file} did not appear in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      clearTimeout(limit);
      done({ killed: signal === 'SIGKILL' || code !== 0 });
    });
  });
}

test('killed after the first arm, the same command finishes the rest without retraining it, and prints the table', async () => {
  const first = join(work, 'arms', COMPARE_ARMS[0], 'result.json');
  const killed = await runUntil(first, 150_000);
  expect(killed.killed).toBe(true);
  expect(existsSync(first)).toBe(true);
  const firstResult = readFileSync(first, 'utf8');
  const firstCheckpoint = join(work, 'arms', COMPARE_ARMS[0], 'run', 'checkpoints', 'last', 'checkpoint.safetensors');
  const mtime = statSync(firstCheckpoint).mtimeMs;
  expect(existsSync(join(work, 'arms', COMPARE_ARMS[3], 'result.json'))).toBe(false);

  const r = runCli([...args(), '--json'], { timeout: 240_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  // the first arm: its result and checkpoint untouched
  expect(readFileSync(first, 'utf8')).toBe(firstResult);
  expect(statSync(firstCheckpoint).mtimeMs).toBe(mtime);
  // every arm finished with the same budget on the same corpus
  for (const arm of COMPARE_ARMS) {
    const a = out.arms[arm];
    expect(a.steps).toBe(3);
    expect(readMetricsLog(join(work, 'arms', arm, 'run', 'metrics.jsonl')).steps).toHaveLength(3);
    expect(a.evaluation.inTemplate.microF1).toBeGreaterThanOrEqual(0);
    expect(a.evaluation.inTemplate.documents).toBe(out.corpus.splits.test);
    expect(Number.isFinite(a.smoothness.spread)).toBe(true);
  }
  expect(out.arms.standard.model).toBe('layoutlmv3-standard');
  expect(out.arms.hybrid.model).toBe('layoutlmv3-hybrid');
  expect(out.arms.standard.useCrf).toBe(false);
  expect(out.arms['hybrid-crf'].useCrf).toBe(true);
  expect(out.arms['hybrid-crf'].parameters.crf).toBeGreaterThan(0);
  expect(out.arms.hybrid.parameters.crf).toBe(0);
  // the same backbone in every arm; only the heads differ
  expect(new Set(COMPARE_ARMS.map((a) => out.arms[a].parameters.backbone)).size).toBe(1);
  expect(out.arms.standard.parameters.heads).not.toBe(out.arms.hybrid.parameters.heads);
  // Viterbi and argmax on the CRF arm
  expect(out.arms['hybrid-crf'].evaluation.decode).toBe('viterbi');
  expect(out.arms['hybrid-crf'].argmax.decode).toBe('argmax');
  // the held-out arm: one entity fewer in training, added back by add-label and scored
  expect(out.arms['hybrid-held-out'].heldOut.entity).toBe('DUE_DATE');
  expect(out.arms['hybrid-held-out'].heldOut.examples).toBe(2);
  expect(out.arms['hybrid-held-out'].heldOut.added.support).toBeGreaterThan(0);
  expect(out.arms['hybrid-held-out'].perEntity.DUE_DATE).toBeUndefined();
  expect(out.arms.hybrid.perEntity.DUE_DATE.support).toBe(out.arms['hybrid-held-out'].heldOut.added.support);

  // every row of the table, in the Markdown file
  const figures = out.rows.map((row: { figure: string }) => row.figure);
  expect(figures).toHaveLength(11);
  for (const row of out.rows) for (const arm of ['standard', 'hybrid', 'hybrid-crf']) expect(row.cells[arm]).toEqual(expect.any(String));
  const md = readFileSync(join(work, 'comparison.md'), 'utf8');
  for (const f of figures) expect(md).toContain(`| ${f} |`);
  expect(md).toContain('40 synthetic documents');
  expect(md).toContain('3 optimizer steps');
}, 400_000);

test('a work directory made with other settings is refused with one line', () => {
  const r = runCli([...args().map((a) => (a === '3' ? '4' : a))]);
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain('compare.json: steps');
});

test('loss-curve spread and the results section', () => {
  expect(stepChangeSpread([1, 2, 3, 4])).toBe(0);
  expect(stepChangeSpread([0, 1, 0, 1])).toBeCloseTo(Math.sqrt(8 / 9), 12);
  // EMA 0.5 of 4, 2, 1, 1: 4, 3, 2, 1.5; within 10% of 1.5 from the fourth step
  expect(stepsToWithin([4, 2, 1, 1], 1.5, 0.1, 0.5)).toBe(4);
  expect(stepsToWithin([4, 2, 1, 1], 0.5, 0.1, 0.5)).toBeNull();
  const file = join(fx.root, 'results.md');
  expect(writeResultsSection(file, 'compare', '## A\n\none')).toEqual({ replaced: false });
  writeResultsSection(file, 'other', 'x');
  expect(writeResultsSection(file, 'compare', '## A\n\ntwo')).toEqual({ replaced: true });
  const text = readFileSync(file, 'utf8');
  expect(text).toBe(
    '<!-- hybridoc:compare -->\n## A\n\ntwo\n<!-- /hybridoc:compare -->\n\n<!-- hybridoc:other -->\nx\n<!-- /hybridoc:other -->\n',
  );
});
