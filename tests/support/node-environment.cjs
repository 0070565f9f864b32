// Jest runs each test file in its own vm context, whose typed-array constructors differ from the main
// realm's. onnxruntime-node creates output tensors in the main realm and onnxruntime-common checks
// `data instanceof Float32Array`, so tensors would fail that check inside tests. Sharing the main realm's
// typed arrays (and ArrayBuffer) with the test context makes both sides agree, as they do in a real process.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Buffer',
];

class HybridocEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = HybridocEnvironment;
