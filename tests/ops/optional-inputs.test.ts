// Regression: omitted trailing optional inputs are left out of the serialized node instead of written as ''.
// onnxruntime 1.30 crashes (SIGSEGV) creating a session at optimisation level 'extended' or 'all' for a
// LayerNormalization whose omitted bias is a trailing '', and fails at run time on a Squeeze whose omitted
// axes is a trailing '' ("Axes input is null").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, onnx } from '@hybridoc/core';
import { NDArray } from './reference/ndarray.js';
import { layerNormalization } from './reference/reduce.js';

function nodeInputs(model: onnx.IModelProto, opType: string): string[] {
  const n = (model.graph?.node ?? []).find((x) => x.opType === opType);
  if (!n) throw new Error(`no ${opType} node`);
  return [...(n.input ?? [])];
}

describe('omitted optional inputs', () => {
  test('trailing omitted inputs are dropped, inner ones stay as empty names', () => {
    const b = new GraphBuilder('optional');
    const x = b.input('x', 'float32', [2, 1, 3]);
    const s = b.input('s', 'float32', [3]);
    b.output(b.layerNormalization(x, s, null), { name: 'ln' });
    b.output(b.squeeze(x), { name: 'sq' });
    b.output(b.clip(x, null, 1), { name: 'clip_max' });
    b.output(b.dropout(x)[0], { name: 'drop' });
    const model = b.toModel();
    expect(nodeInputs(model, 'LayerNormalization')).toEqual(['x', 's']);
    expect(nodeInputs(model, 'Squeeze')).toEqual(['x']);
    expect(nodeInputs(model, 'Clip')).toHaveLength(3);
    expect(nodeInputs(model, 'Clip')[1]).toBe('');
    expect(nodeInputs(model, 'Dropout')).toEqual(['x']);
  });

  test('Loop keeps its positional trip-count and condition slots', () => {
    const b = new GraphBuilder('loop_slots');
    const x = b.input('x', 'float32', [2]);
    const { states } = b.loop({ carried: [x] }, (g, _i, _c, [acc]) => ({
      cond: g.less(g.reduceSum(acc, null, { keepdims: false }), 10),
      carried: [g.mul(acc, 2)],
    }));
    b.output(states[0], { name: 'y' });
    const inputs = nodeInputs(b.toModel(), 'Loop');
    expect(inputs.slice(0, 2)).toEqual(['', '']);
    expect(inputs).toHaveLength(3);
  });

  test("LayerNormalization without bias runs at optimisation level 'all' (in a child process, in case ORT crashes)", () => {
    const b = new GraphBuilder('ln_no_bias');
    const x = b.input('x', 'float32', [2, 3]);
    const s = b.input('s', 'float32', [3]);
    b.output(b.layerNormalization(x, s, null, { epsilon: 0.01 }), { name: 'y' });
    const dir = mkdtempSync(join(tmpdir(), 'hybridoc-ln-'));
    const file = join(dir, 'ln.onnx');
    writeFileSync(file, b.finalize().bytes);
    const xs = [0.5, -1, 2, 3, 0.25, -0.75];
    const ss = [1, 2, -0.5];
    const script = `
      import * as ort from 'onnxruntime-node';
      const s = await ort.InferenceSession.create(process.argv[1], { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
      const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from(${JSON.stringify(xs)}), [2, 3]), s: new ort.Tensor('float32', Float32Array.from(${JSON.stringify(ss)}), [3]) });
      console.log(JSON.stringify(Array.from(out.y.data)));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], {
      cwd: process.cwd(),
      encoding: 'utf8',
      timeout: 30000,
    });
    rmSync(dir, { recursive: true, force: true });
    expect({ signal: r.signal, status: r.status, stderr: r.stderr.split('\n')[0] }).toEqual({ signal: null, status: 0, stderr: '' });
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
    const want = layerNormalization(
      NDArray.from('float32', [2, 3], xs),
      NDArray.from('float32', [3], ss),
      null,
      -1,
      Math.fround(0.01),
    ).values();
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
  });
});
