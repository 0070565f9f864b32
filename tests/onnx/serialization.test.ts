// Bytes round-trip exactly; files are written atomically; summaries count what the model holds.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeModel,
  encodeModel,
  loadModel,
  modelMetadata,
  saveModel,
  summarizeModel,
  tensorFromProto,
  tensorToNumbers,
  HYBRIDOC_VERSION,
  GraphBuilder,
} from '@hybridoc/core';
import { denseModel, loopModel, scanModel } from './sample-models.js';

describe('serialization', () => {
  test.each([
    ['dense', denseModel],
    ['loop', loopModel],
    ['scan', scanModel],
  ])('%s: encode(decode(bytes)) is byte-identical', (_, make) => {
    const bytes = encodeModel(make());
    const again = encodeModel(decodeModel(bytes));
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    expect(bytes.length).toBeGreaterThan(100);
  });

  test('initializers are little-endian raw_data and read back exactly', () => {
    const b = new GraphBuilder('init');
    const x = b.input('x', 'int64', [3]);
    b.initializer('big', { dtype: 'int64', dims: [3], data: BigInt64Array.from([1n, -2n, 2n ** 40n]) });
    b.initializer('half', { dtype: 'float64', dims: [2], data: Float64Array.from([0.5, -1e-300]) });
    b.output(b.add(x, 'big'), { name: 'y' });
    b.output(b.identity('half'), { name: 'h' });
    const m = decodeModel(encodeModel(b.toModel()));
    const big = m.graph!.initializer!.find((t) => t.name === 'big')!;
    expect(Array.from(big.rawData!)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 254, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(big.int64Data).toEqual([]);
    expect(tensorToNumbers(tensorFromProto(m.graph!.initializer!.find((t) => t.name === 'half')!))).toEqual([0.5, -1e-300]);
  });

  test('metadata: hybridoc version, schema hash, preset; IR 8, opset 17', () => {
    const m = decodeModel(encodeModel(denseModel({ schemaHash: 'deadbeef', preset: 'base', metadata: { note: 'x' } })));
    expect(modelMetadata(m)).toEqual({ hybridoc_version: HYBRIDOC_VERSION, schema_hash: 'deadbeef', preset: 'base', note: 'x' });
    expect(Number(m.irVersion)).toBe(8);
    expect(m.opsetImport!.map((o) => [o.domain ?? '', Number(o.version)])).toEqual([['', 17]]);
  });

  test('saveModel writes atomically: whole file, no temp files left, replaces an old file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hd-onnx-'));
    const path = join(dir, 'model.onnx');
    writeFileSync(path, 'old contents');
    const model = denseModel();
    saveModel(model, path);
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(encodeModel(model)))).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
    expect(Buffer.from(encodeModel(loadModel(path))).equals(readFileSync(path))).toBe(true);
    expect(() => saveModel(model, join(dir, 'missing', 'model.onnx'))).toThrow();
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  test('loading a file that is not ONNX gives a one-line input error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hd-onnx-'));
    const path = join(dir, 'bad.onnx');
    writeFileSync(path, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(() => loadModel(path)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not an ONNX model`));
  });
});

describe('summarizeModel', () => {
  test('counts ops per type, inputs, outputs with shapes and parameters', () => {
    const s = summarizeModel(denseModel());
    expect(s.graphName).toBe('dense_block');
    expect(s.opCounts.MatMul).toBe(3);
    expect(s.opCounts.LayerNormalization).toBe(1);
    expect(s.inputs).toEqual([{ name: 'input_ids', dtype: 'int64', shape: ['batch', 'seq'] }]);
    expect(s.outputs).toEqual([
      { name: 'logits', dtype: 'float32', shape: ['batch', 'seq', 3] },
      { name: 'labels', dtype: 'int64', shape: ['batch', 'seq'] },
    ]);
    expect(s.initializerCount).toBe(3);
    expect(s.parameterCount).toBe(80 + 8 + 24);
    expect(s.parameterBytes).toBe(4 * 112);
    expect(Object.values(s.opCounts).reduce((a, b) => a + b, 0)).toBe(s.nodeCount);
  });

  test('includes nodes inside subgraphs', () => {
    const s = summarizeModel(scanModel());
    expect(s.subgraphCount).toBe(1);
    expect(s.opCounts.Scan).toBe(1);
    expect(s.opCounts.ReduceMax).toBe(1);
    expect(s.opCounts.ArgMax).toBe(1);
    expect(s.outputs[1]).toEqual({ name: 'backpointers', dtype: 'int64', shape: [null, 5] });
  });
});
