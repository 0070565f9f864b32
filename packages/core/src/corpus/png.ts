/**
 * A small PNG encoder for page images: 8-bit RGB (pages carry no transparency), the Sub filter on every row,
 * zlib level 6. Smaller and faster than the canvas's RGBA encoder for 224 x 224 pages, and deterministic.
 */
import { deflateSync } from 'node:zlib';
import type { Canvas } from '@napi-rs/canvas';

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 255] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encode RGBA pixels (alpha ignored) as an RGB PNG. */
export function encodeRgbPng(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const o = y * stride;
    const s = y * width * 4;
    raw[o] = 1; // Sub: each byte minus the same channel of the pixel to its left
    let pr = 0;
    let pg = 0;
    let pb = 0;
    for (let x = 0; x < width; x++) {
      const r = rgba[s + x * 4];
      const g = rgba[s + x * 4 + 1];
      const b = rgba[s + x * 4 + 2];
      raw[o + 1 + x * 3] = (r - pr) & 255;
      raw[o + 2 + x * 3] = (g - pg) & 255;
      raw[o + 3 + x * 3] = (b - pb) & 255;
      pr = r;
      pg = g;
      pb = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** A canvas as an RGB PNG. */
export function encodePng(canvas: Canvas): Buffer {
  const { width, height } = canvas;
  return encodeRgbPng(canvas.getContext('2d').getImageData(0, 0, width, height).data, width, height);
}
