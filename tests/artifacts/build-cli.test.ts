/** `hybridoc build`, `hybridoc inspect DIR` and `hybridoc export` through the built CLI. */
import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkModel, decodeModel, loadLabelSchema } from '@hybridoc/core';
import { runCli } from '../support/cli.js';
import { tempDir } from './helpers.js';

describe('hybridoc build / inspect DIR / export', () => {
  const root = tempDir('hybridoc-build-cli-');
  const dir = join(root, 'tiny');

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    const r = runCli(['build', '--preset', 'tiny', '--model', 'test-transformer', '--out', dir]);
    if (r.code !== 0) throw new Error(`build failed: ${r.stderr}`);
  });

  test('build --preset tiny --model test-transformer writes the artifact set sized by the preset and the label schema', () => {
    for (const f of [
      'infer.onnx',
      'eval.onnx',
      'grad.onnx',
      'train_step.onnx',
      'optimizer_step.onnx',
      'checkpoint.safetensors',
      'manifest.json',
    ]) {
      expect(existsSync(join(dir, f))).toBe(true);
    }
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(m.preset).toBe('tiny');
    expect(m.model.name).toBe('test-transformer');
    expect(m.model.config.numLabels).toBe(161); // config/labels.yaml
    expect(m.modelConfig.backbone.hidden_size).toBe(32); // config/models/tiny.yaml
    expect(m.modelConfig.backbone.num_hidden_layers).toBe(2);
    expect(m.schemaHash).toBe(loadLabelSchema().hash);
    expect(m.outputs).toEqual(['emissions', 'group_probs', 'embeddings']);
    const emissions = m.parameters.filter((p: { name: string; shape: number[] }) => p.shape.includes(161)); // 161 labels
    expect(emissions.length).toBeGreaterThan(0);
  });

  test('inspect DIR prints every graph with its node counts and the structural check', () => {
    const r = runCli(['inspect', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('model test-transformer, preset tiny, float32');
    for (const f of ['infer.onnx', 'eval.onnx', 'grad.onnx', 'train_step.onnx', 'optimizer_step.onnx']) expect(r.stdout).toContain(f);
    expect(r.stdout).toMatch(/structural check: ok/);
    const j = runCli(['inspect', dir, '--json']);
    const s = JSON.parse(j.stdout);
    expect(s.ok).toBe(true);
    expect(s.graphs.map((g: { kind: string }) => g.kind)).toEqual(['infer', 'eval', 'grad', 'train_step', 'optimizer_step']);
    const grad = s.graphs.find((g: { kind: string }) => g.kind === 'grad');
    expect(grad.forwardNodes + grad.backwardNodes).toBe(grad.nodes);
  });

  test('export writes a serving graph whose only inputs are the features', () => {
    const out = join(root, 'serve.onnx');
    const r = runCli(['export', dir, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const features = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).feeds.inputs.map((f: { name: string }) => f.name);
    expect(features).toContain('input_ids');
    expect(s.inputs).toEqual(features);
    expect(s.step).toBe(0);
    const served = decodeModel(readFileSync(out));
    expect(served.graph!.input!.map((t) => t.name)).toEqual(features);
    expect(served.graph!.initializer).toHaveLength(s.tensors);
    expect(checkModel(served)).toEqual([]);
  });

  test('bad input gives one line naming the file and the problem', () => {
    const notSet = join(root, 'empty');
    mkdirSync(notSet);
    const r = runCli(['export', notSet, '--out', join(root, 'x.onnx')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/manifest\.json: cannot read/);
    const badCkpt = join(root, 'bad.safetensors');
    writeFileSync(badCkpt, 'not a safetensors file');
    const b = runCli(['export', dir, '--out', join(root, 'y.onnx'), '--checkpoint', badCkpt]);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/bad\.safetensors/);
  });
});
