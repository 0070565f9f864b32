import { mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import {
  openSafetensors,
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  writeSafetensors,
  f16BitsToF32,
  f32ToF16Bits,
  bf16BitsToF32,
  f32ToBf16Bits,
  dtypeByteSize,
  type SafetensorsTensorSource,
} from '@hybridoc/core';
import { PARITY_FIXTURE_DIR } from '../support/parity-fixture.js';

const tmp = () => mkdtempSync(resolve(tmpdir(), 'hd-st-'));

/** Hand-built safetensors bytes: length, header JSON exactly as given (no padding), data. */
function handBuilt(header: unknown, data: Uint8Array, rawHeader?: string): Uint8Array {
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function allDtypes(): Record<string, SafetensorsTensorSource> {
  return {
    f64: { dtype: 'F64', shape: [3], data: new Float64Array([1.5, -2.25, 1e300]) },
    f32: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, -2, 3.5, 0.1]) },
    f16: { dtype: 'F16', shape: [4], data: new Float32Array([1, -2, 0.5, 65504]) },
    bf16: { dtype: 'BF16', shape: [2], data: new Float32Array([1, -3]) },
    i64: { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 62n), 7n]) },
    i32: { dtype: 'I32', shape: [3], data: new Int32Array([-1, 0, 2 ** 31 - 1]) },
    u8: { dtype: 'U8', shape: [3], data: new Uint8Array([0, 128, 255]) },
    bool: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
    scalar: { dtype: 'F32', shape: [], data: new Float32Array([42]) },
    empty: { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
  };
}

function checkAllDtypes(r: ReturnType<typeof parseSafetensors>) {
  expect(Array.from(r.tensor('f64').data as Float64Array)).toEqual([1.5, -2.25, 1e300]);
  expect(Array.from(r.tensor('f32').data as Float32Array)).toEqual(Array.from(new Float32Array([1, -2, 3.5, 0.1])));
  expect(r.tensor('f32').shape).toEqual([2, 2]);
  const f16 = r.tensor('f16');
  expect(f16.dtype).toBe('F32');
  expect(Array.from(f16.data as Float32Array)).toEqual([1, -2, 0.5, 65504]);
  expect(r.entry('f16').dtype).toBe('F16');
  expect(Array.from(r.halfBits('f16'))).toEqual([0x3c00, 0xc000, 0x3800, 0x7bff]);
  expect(Array.from(r.tensor('bf16').data as Float32Array)).toEqual([1, -3]);
  expect(Array.from(r.halfBits('bf16'))).toEqual([0x3f80, 0xc040]);
  expect(Array.from(r.tensor('i64').data as BigInt64Array)).toEqual([-(2n ** 62n), 7n]);
  expect(Array.from(r.tensor('i32').data as Int32Array)).toEqual([-1, 0, 2 ** 31 - 1]);
  expect(Array.from(r.tensor('u8').data as Uint8Array)).toEqual([0, 128, 255]);
  expect(r.tensor('bool')).toEqual({ dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) });
  expect(r.tensor('scalar')).toEqual({ dtype: 'F32', shape: [], data: new Float32Array([42]) });
  expect(r.tensor('empty').shape).toEqual([0, 3]);
  expect(Array.from(r.float32('i64'))).toEqual([-(2 ** 62), 7]);
  expect(Array.from(r.float32('u8'))).toEqual([0, 128, 255]);
}

describe('safetensors round trip', () => {
  test('every dtype through a buffer, with metadata, header padded to 8 and data aligned', () => {
    const bytes = serializeSafetensors(allDtypes(), { format: 'pt', note: 'héllo' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const r = parseSafetensors(bytes, 'mem');
    expect(r.metadata).toEqual({ format: 'pt', note: 'héllo' });
    // reference order: larger dtype rank first (I64, F64, F32, I32, BF16, F16, U8, BOOL), then name
    expect(r.names()).toEqual(['i64', 'f64', 'empty', 'f32', 'scalar', 'i32', 'bf16', 'f16', 'u8', 'bool']);
    for (const e of r.entries()) expect((r.dataStart + e.begin) % dtypeByteSize(e.dtype)).toBe(0);
    checkAllDtypes(r);
    // aligned data from a buffer comes back as a view, not a copy
    const f32 = r.tensor('f32').data as Float32Array;
    expect(f32.buffer).toBe(bytes.buffer);
  });

  test('every dtype through a file, read lazily tensor by tensor', () => {
    const f = resolve(tmp(), 'all.safetensors');
    writeSafetensors(f, allDtypes(), { a: 'b' });
    const r = openSafetensors(f);
    expect(r.metadata).toEqual({ a: 'b' });
    checkAllDtypes(r);
    expect(readFileSync(f)).toEqual(Buffer.from(serializeSafetensors(allDtypes(), { a: 'b' })));
    expect(readSafetensors(f).get('i32')!.data).toEqual(new Int32Array([-1, 0, 2 ** 31 - 1]));
  });

  test('a file opened lazily reads only the header until asked, and notices a file that changed', () => {
    const f = resolve(tmp(), 'lazy.safetensors');
    writeSafetensors(f, { a: { dtype: 'F32', shape: [1000], data: new Float32Array(1000).fill(3) } });
    const r = openSafetensors(f);
    expect(r.raw('a').length).toBe(4000);
    truncateSync(f, r.dataStart + 100);
    expect(() => r.tensor('a')).toThrow(`${f}: tensor "a": the file changed size since its header was read`);
  });

  test('unaligned data in a hand-built buffer is copied, not mis-read', () => {
    const data = new Uint8Array(12);
    new DataView(data.buffer).setFloat32(0, 1.25, true);
    new DataView(data.buffer).setFloat32(4, -7, true);
    new DataView(data.buffer).setFloat32(8, 0.5, true);
    const header = '{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}';
    expect((8 + header.length) % 4).not.toBe(0);
    const bytes = handBuilt(null, data, header);
    const r = parseSafetensors(bytes);
    expect(Array.from(r.float32('x'))).toEqual([1.25, -7, 0.5]);
  });

  test('writes are atomic: a failure mid-write leaves the old file and no temporary file', () => {
    const dir = tmp();
    const f = resolve(dir, 'ckpt.safetensors');
    writeSafetensors(f, { a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
    const before = readFileSync(f);
    expect(() =>
      writeSafetensors(f, {
        a: { dtype: 'F32', shape: [2], data: new Float32Array([5, 6]) },
        b: {
          dtype: 'F32',
          shape: [2],
          data: () => {
            throw new Error('disk on fire');
          },
        },
      }),
    ).toThrow('disk on fire');
    expect(readFileSync(f)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['ckpt.safetensors']);
  });

  test('writer rejects data that does not fit the dtype or shape, naming the tensor', () => {
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(
      '<buffer>: tensor "w": 2 values do not fill shape [3] (3)',
    );
    expect(() => serializeSafetensors({ w: { dtype: 'I64', shape: [1], data: new Int32Array(1) } })).toThrow(
      '<buffer>: tensor "w": I64 needs a BigInt64Array, got a Int32Array',
    );
  });
});

describe('a file written by Python under the format rules (the parity fixtures)', () => {
  const file = resolve(PARITY_FIXTURE_DIR, 'tiny-visual/weights.safetensors');

  test('reads, and our writer reproduces it byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(file));
    const r = parseSafetensors(bytes, file);
    expect(r.metadata).toEqual({});
    expect(r.entry('layoutlmv3.pos_embed').shape).toEqual([1, 5, 32]);
    expect(r.entry('layoutlmv3.patch_embed.proj.weight')).toMatchObject({ dtype: 'F32', shape: [32, 3, 16, 16] });
    const again = serializeSafetensors(new Map(r.names().map((n) => [n, r.tensor(n)])));
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  test('int64 inputs and a scalar written by Python read back', () => {
    const inputs = openSafetensors(resolve(PARITY_FIXTURE_DIR, 'tiny-visual/inputs.safetensors'));
    const ids = inputs.tensor('input_ids');
    expect(ids.dtype).toBe('I64');
    expect(ids.shape).toEqual([2, 24]);
    expect((ids.data as BigInt64Array)[0]).toBe(0n);
    const outputs = openSafetensors(resolve(PARITY_FIXTURE_DIR, 'tiny-visual/outputs.safetensors'));
    expect(outputs.entry('loss').shape).toEqual([]);
  });
});

describe('safetensors errors name the file and the tensor', () => {
  const good = serializeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } });

  test('truncated data', () => {
    const f = resolve(tmp(), 'cut.safetensors');
    writeFileSync(f, good.subarray(0, good.length - 4));
    expect(() => openSafetensors(f)).toThrow(
      `${f}: tensor "w": data_offsets [0, 16] run past the end of the data (12 bytes): file truncated`,
    );
  });

  test('truncated header, too-short file, absurd header length', () => {
    expect(() => parseSafetensors(good.subarray(0, 20), 'f')).toThrow(
      /^f: truncated: the header needs \d+ bytes but only 12 follow its length$/,
    );
    expect(() => parseSafetensors(good.subarray(0, 5), 'f')).toThrow('f: truncated: 5 bytes, too short for the 8-byte header length');
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => parseSafetensors(huge, 'f')).toThrow(
      'f: bad header: length 1099511627776 exceeds 100000000 bytes (not a safetensors file?)',
    );
  });

  test('bad header JSON', () => {
    expect(() => parseSafetensors(handBuilt(null, new Uint8Array(0), '{"w": '), 'f')).toThrow(/^f: bad header: not valid JSON/);
    expect(() => parseSafetensors(handBuilt(null, new Uint8Array(0), '[1, 2]'), 'f')).toThrow('f: bad header: does not start with "{"');
    expect(() => parseSafetensors(handBuilt({ __metadata__: { a: 1 } }, new Uint8Array(0)), 'f')).toThrow(
      'f: __metadata__.a: expected a string, got 1',
    );
  });

  test('unknown dtype, bad shape, bad offsets, overlapping tensors', () => {
    const d = new Uint8Array(16);
    expect(() => parseSafetensors(handBuilt({ w: { dtype: 'F8_E4M3', shape: [16], data_offsets: [0, 16] } }, d), 'f')).toThrow(
      'f: tensor "w": unknown dtype "F8_E4M3" (supported: BOOL, U8, F16, BF16, I32, F32, F64, I64)',
    );
    expect(() => parseSafetensors(handBuilt({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 16] } }, d), 'f')).toThrow(
      'f: tensor "w": shape [-1] is not a list of non-negative integers',
    );
    expect(() => parseSafetensors(handBuilt({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, d), 'f')).toThrow(
      'f: tensor "w": data_offsets [0, 16] hold 16 bytes but F32 [3] needs 12',
    );
    expect(() => parseSafetensors(handBuilt({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, d), 'f')).toThrow(
      'f: tensor "w": data_offsets [8, 0] end before they begin',
    );
    expect(() =>
      parseSafetensors(
        handBuilt(
          {
            a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
            b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
          },
          d,
        ),
        'f',
      ),
    ).toThrow('f: tensor "b": data_offsets [8, 16] overlap tensor "a" [0, 12]');
  });

  test('a missing tensor and a missing file', () => {
    expect(() => parseSafetensors(good, 'f').entry('nope')).toThrow('f: tensor "nope": not in the file');
    expect(() => openSafetensors('/no/such/file.safetensors')).toThrow('/no/such/file.safetensors: cannot open safetensors file (ENOENT)');
  });
});

describe('half-precision conversions', () => {
  test('float16 decoding: normals, subnormals, zeros, infinities, NaN', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0400, 0x0001, 0x03ff, 0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555]);
    const v = f16BitsToF32(bits);
    expect(Array.from(v.subarray(0, 6))).toEqual([1, -2, 65504, 2 ** -14, 2 ** -24, 1023 * 2 ** -24]);
    expect(Object.is(v[6], 0)).toBe(true);
    expect(Object.is(v[7], -0)).toBe(true);
    expect(v[8]).toBe(Infinity);
    expect(v[9]).toBe(-Infinity);
    expect(Number.isNaN(v[10])).toBe(true);
    expect(v[11]).toBeCloseTo(1 / 3, 3);
  });

  test('float16 encoding rounds to nearest even, overflows to infinity, keeps subnormals', () => {
    const x = new Float32Array([
      1,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      65504,
      65520,
      1e6,
      2 ** -24,
      2 ** -25,
      3 * 2 ** -25,
      -0,
      NaN,
      -Infinity,
      2 ** -14,
    ]);
    const h = Array.from(f32ToF16Bits(x));
    // 1 + 2^-11 is a tie -> even (1.0); 1 + 3*2^-11 is a tie -> even (1 + 2^-9); 65520 rounds up to infinity
    expect(h.slice(0, 6)).toEqual([0x3c00, 0x3c00, 0x3c02, 0x7bff, 0x7c00, 0x7c00]);
    expect(h.slice(6, 9)).toEqual([0x0001, 0x0000, 0x0002]);
    expect(h[9]).toBe(0x8000);
    expect(h[10] & 0x7c00).toBe(0x7c00);
    expect(h[10] & 0x3ff).not.toBe(0);
    expect(h[11]).toBe(0xfc00);
    expect(h[12]).toBe(0x0400);
    // every half value survives a round trip
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = f32ToF16Bits(f16BitsToF32(all));
    for (let i = 0; i < 65536; i++) {
      const nan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (!nan && back[i] !== i) throw new Error(`half ${i.toString(16)} -> ${back[i].toString(16)}`);
    }
  });

  test('bfloat16 is the high half of float32, rounded to nearest even', () => {
    expect(Array.from(bf16BitsToF32(new Uint16Array([0x3f80, 0xc040, 0x7f80])))).toEqual([1, -3, Infinity]);
    const x = new Float32Array([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -7]);
    expect(Array.from(f32ToBf16Bits(x))).toEqual([0x3f80, 0x3f80, 0x3f82, 0x3f81]);
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(new Float32Array([NaN])))[0])).toBe(true);
  });
});
