// A second opinion: the official ONNX checker (python3-onnx 1.12, full_check runs its shape inference too)
// accepts a sample of built graphs. CI installs python3-onnx (.ci/run) and this test fails there without it;
// elsewhere it is skipped with a message when no python has onnx.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel, type onnx } from '@hybridoc/core';
import { denseModel, loopModel, scanModel } from './sample-models.js';

const CHECK = 'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\n    print("ok", f)';

/** The first python with onnx: /usr/bin/python3 first (Debian's python3-onnx), then python3 on PATH. */
function findPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import onnx'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

const python = findPython();
const inCi = process.env.CI === 'true';
if (!python && !inCi) {
  process.stderr.write('official-checker.test: skipped, no python3 with the onnx package (apt-get install python3-onnx)\n');
}
const maybe = python || inCi ? describe : describe.skip;

maybe('official ONNX checker (python onnx, full_check)', () => {
  test('python onnx is available', () => {
    expect(python).toBeDefined();
  });

  const samples: Array<[string, () => onnx.IModelProto]> = [
    ['dense block (gather, layer norm, attention, erf gelu, argmax)', denseModel],
    ['Loop with a scan output and outer-scope read', loopModel],
    ['Scan with max-plus recurrence and argmax', scanModel],
  ];

  test.each(samples)('%s passes', (_, make) => {
    const dir = mkdtempSync(join(tmpdir(), 'hd-official-'));
    const file = join(dir, 'model.onnx');
    saveModel(make(), file);
    const r = spawnSync(python!, ['-c', CHECK, file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`ok ${file}`);
    expect(r.status).toBe(0);
  });
});
