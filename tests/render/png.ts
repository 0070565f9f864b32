/** Test helpers: PNG header size and decoded pixels (through @napi-rs/canvas). */
import { createCanvas, loadImage } from '@napi-rs/canvas';

export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  at(x: number, y: number): [number, number, number, number];
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  sig.forEach((b, i) => {
    if (png[i] !== b) throw new Error('not a PNG');
  });
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

export async function decodePng(png: Uint8Array): Promise<Pixels> {
  const img = await loadImage(Buffer.from(png));
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  // a plain copy: indexing the canvas's own pixel buffer element by element is slow
  const data = new Uint8ClampedArray(ctx.getImageData(0, 0, img.width, img.height).data);
  return {
    width: img.width,
    height: img.height,
    data,
    at(x, y) {
      const i = 4 * (Math.round(y) * img.width + Math.round(x));
      return [data[i], data[i + 1], data[i + 2], data[i + 3]];
    },
  };
}

export function hexRgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

/** Pixels in the rectangle within `tol` of `rgb` on every channel. */
export function countColor(p: Pixels, rect: [number, number, number, number], rgb: [number, number, number], tol = 3): number {
  let count = 0;
  for (let y = Math.max(0, Math.floor(rect[1])); y < Math.min(p.height, Math.ceil(rect[3])); y++) {
    for (let x = Math.max(0, Math.floor(rect[0])); x < Math.min(p.width, Math.ceil(rect[2])); x++) {
      const i = 4 * (y * p.width + x);
      if (Math.abs(p.data[i] - rgb[0]) <= tol && Math.abs(p.data[i + 1] - rgb[1]) <= tol && Math.abs(p.data[i + 2] - rgb[2]) <= tol)
        count++;
    }
  }
  return count;
}

/** Distinct colours in the rectangle (a blank area has 1). */
export function distinctColors(p: Pixels, rect: [number, number, number, number]): number {
  const seen = new Set<number>();
  for (let y = Math.floor(rect[1]); y < Math.ceil(rect[3]); y++) {
    for (let x = Math.floor(rect[0]); x < Math.ceil(rect[2]); x++) {
      const i = 4 * (y * p.width + x);
      seen.add((p.data[i] << 16) | (p.data[i + 1] << 8) | p.data[i + 2]);
    }
  }
  return seen.size;
}
