/**
 * The demo pipeline on the tiny backbone and a few dozen documents: every output file is written (the
 * report in Markdown and JSON, the loss curves, the unseen invoice with its fields drawn), the figures are
 * in range and agree between the files, and a second run reuses the corpus and the finished training run.
 * (The real demo, with its F1 and time requirements, is `hybridoc demo --check`; see bench/ and docs/results.md.)
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runDemo, type DemoResult } from '@hybridoc/core';
import { makeExperimentFixture, type ExperimentFixture } from './support.js';

let fx: ExperimentFixture;
let first: DemoResult;

beforeAll(async () => {
  fx = makeExperimentFixture('hybridoc-demo-', 'demo', 40);
  first = await runDemo({ out: join(fx.root, 'demo'), config: fx.config, seed: 3, threads: 1, progress: 'silent', imageWidth: 400 });
}, 120_000);

afterAll(() => {
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

const pngSize = (file: string) => {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
};

test('writes the report (Markdown + JSON), the loss curves and the drawn unseen invoice', () => {
  const out = join(fx.root, 'demo');
  expect(first.files).toMatchObject({
    reportMarkdown: join(out, 'report.md'),
    reportJson: join(out, 'report.json'),
    lossCurves: join(out, 'loss-curves.png'),
    invoice: join(out, 'unseen-invoice.png'),
  });
  for (const f of [first.files.reportMarkdown, first.files.reportJson, first.files.lossCurves, first.files.invoice])
    expect(statSync(f).size).toBeGreaterThan(100);
  expect(pngSize(first.files.lossCurves).width).toBeGreaterThan(200);
  // the invoice is drawn at the asked width, plus the margins and the legend
  const inv = pngSize(first.files.invoice);
  expect(inv.width).toBeGreaterThan(400);
  expect(inv.height).toBeGreaterThan(300);
  // the model is a training run that predict and evaluate read
  expect(existsSync(join(first.files.model, 'run.json'))).toBe(true);
});

test('the figures are in range and the files agree', () => {
  expect(first.corpus.documents).toBe(40);
  expect(first.corpus.splits.test).toBeGreaterThan(0);
  expect(first.corpus.splits['test-unseen-templates']).toBeGreaterThan(0);
  expect(first.training.stoppedBy).toBe('completed');
  expect(first.training.steps).toBe(first.training.totalSteps);
  expect(first.microF1).toBeGreaterThanOrEqual(0);
  expect(first.microF1).toBeLessThanOrEqual(1);
  expect(first.invoice.template).toBeDefined();
  expect(first.invoice.gold).toBeGreaterThan(0);
  expect(first.invoice.correct).toBeLessThanOrEqual(first.invoice.fields.length);
  expect(first.stages.map((s) => s.stage)).toEqual(['generate corpus', 'train', 'evaluate', 'predict and draw']);
  for (const s of first.stages) expect(s.cpuSeconds).toBeGreaterThan(0);
  expect(first.cpuSeconds).toBeGreaterThanOrEqual(first.stages.reduce((a, s) => a + s.cpuSeconds, 0) - 0.5);

  const json = JSON.parse(readFileSync(first.files.reportJson, 'utf8'));
  expect(json.microF1).toBe(first.microF1);
  expect(json.evaluation.report.inTemplate.micro.f1).toBe(first.microF1);
  expect(json.evaluation.splits.map((s: { split: string }) => s.split)).toEqual(['test', 'test-unseen-templates']);
  const md = readFileSync(first.files.reportMarkdown, 'utf8');
  expect(md).toContain(`| **micro F1, in-template test split** | **${first.microF1.toFixed(3)}** |`);
  expect(md).toContain('![predicted fields](unseen-invoice.png)');
  expect(md).toContain(first.invoice.id);
});

test('a second run reuses the corpus and the finished training run', async () => {
  const again = await runDemo({ out: join(fx.root, 'demo'), config: fx.config, seed: 3, threads: 1, progress: 'silent', imageWidth: 400 });
  expect(again.training.steps).toBe(first.training.steps);
  expect(again.training.resumedFromStep).toBe(first.training.steps);
  expect(again.microF1).toBe(first.microF1);
  expect(again.invoice.id).toBe(first.invoice.id);
}, 60_000);
