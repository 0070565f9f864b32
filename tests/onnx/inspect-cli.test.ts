// `hybridoc inspect FILE.onnx` on built models (runs the built CLI: `npx tsc -b` first).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel, onnx, encodeModel } from '@hybridoc/core';
import { runCli } from '../support/cli.js';
import { denseModel, scanModel } from './sample-models.js';

const dir = mkdtempSync(join(tmpdir(), 'hd-inspect-'));

describe('hybridoc inspect', () => {
  test('prints the summary table of a built model', () => {
    const file = join(dir, 'dense.onnx');
    saveModel(denseModel(), file);
    const r = runCli(['inspect', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`model dense_block (${file})`);
    expect(r.stdout).toContain('IR 8, opset ai.onnx 17, producer hybridoc');
    expect(r.stdout).toContain('schema_hash=abc123');
    expect(r.stdout).toMatch(/input_ids\s+int64\s+\[batch, seq\]/);
    expect(r.stdout).toMatch(/logits\s+float32\s+\[batch, seq, 3\]/);
    expect(r.stdout).toMatch(/MatMul\s+3\n/);
    expect(r.stdout).toContain('parameters: 112 in 3 initializers (448 B)');
    expect(r.stdout).toContain('structural check: ok');
  });

  test('--json counts ops inside subgraphs', () => {
    const file = join(dir, 'scan.onnx');
    saveModel(scanModel(), file);
    const r = runCli(['inspect', file, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.subgraphCount).toBe(1);
    expect(j.opCounts.Scan).toBe(1);
    expect(j.opCounts.ArgMax).toBe(1);
    expect(j.parameterCount).toBe(25);
    expect(j.check).toEqual({ ok: true, problems: [] });
    expect(j.outputs.map((o: { name: string }) => o.name)).toEqual(['final_scores', 'backpointers']);
  });

  test('reports structural problems of a broken model', () => {
    const m = denseModel();
    m.graph!.node!.push(onnx.NodeProto.create({ name: 'stray', opType: 'Exp', input: ['input_ids'], output: ['stray'] }));
    const file = join(dir, 'broken.onnx');
    saveModel(encodeModel(m), file);
    const r = runCli(['inspect', file]);
    expect(r.stdout).toContain('structural check: 1 problem\n');
    expect(r.stdout).toContain("node 'stray' (Exp): dangling");
  });

  test('a file that is not ONNX, or a missing one, gives one line and a non-zero exit', () => {
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, Buffer.from([0xff, 0xff, 0xff]));
    for (const f of [bad, join(dir, 'missing.onnx')]) {
      const r = runCli(['inspect', f]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`hybridoc: ${f}: `);
    }
  });
});
