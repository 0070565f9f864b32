// Every runtime dependency loads under jest's ESM mode with the module format the repo chose (ESM).
// A module-format break (an ESM-only package required from CJS, a missing default export) fails here first.
import * as ortNode from 'onnxruntime-node';

const deps: Array<[string, (m: Record<string, unknown>) => unknown]> = [
  ['yargs', (m) => m.default],
  ['yargs/helpers', (m) => m.hideBin],
  ['pino', (m) => m.pino],
  ['pino-pretty', (m) => m.default],
  ['yaml', (m) => m.parse],
  ['onnxruntime-node', (m) => m.InferenceSession],
  ['onnxruntime-web', (m) => m.InferenceSession],
  ['protobufjs', (m) => m.default ?? m.Reader],
];

describe('module format', () => {
  test.each(deps)('%s imports under jest ESM', async (name, pick) => {
    const mod = (await import(name)) as Record<string, unknown>;
    expect(pick(mod)).toBeTruthy();
  });

  test('the core package imports through its public entry', async () => {
    const core = await import('@hybridoc/core');
    expect(typeof core.loadLabelSchema).toBe('function');
    expect(core.HYBRIDOC_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('onnxruntime-node tensors pass typed-array checks inside jest', () => {
    const t = new ortNode.Tensor('float32', new Float32Array([1, 2, 3]), [3]);
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2, 3]);
  });
});
