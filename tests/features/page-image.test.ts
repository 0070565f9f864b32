import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPageImage, normalizeToPixelValues, readRgbImage, resizeBilinearPil, IMAGE_MEAN, IMAGE_STD } from '@hybridoc/core';
import { REPO } from './helpers.js';

const FIXTURES = resolve(REPO, 'tests/fixtures/features');

interface Case {
  width: number;
  height: number;
  sha256: string;
  rgb_base64?: string;
  first_row?: number[];
}
const fixture = JSON.parse(readFileSync(resolve(FIXTURES, 'pil-resize.json'), 'utf8')) as { pillow: string; source: string; cases: Case[] };

describe('page images as LayoutLMv3ImageProcessor makes them', () => {
  test(`resize reproduces PIL ${fixture.pillow} Image.resize(BILINEAR) byte for byte (down, up, mixed)`, async () => {
    const src = await readRgbImage(resolve(FIXTURES, fixture.source));
    expect([src.width, src.height]).toEqual([83, 61]);
    expect(fixture.cases.length).toBe(5);
    for (const c of fixture.cases) {
      const out = resizeBilinearPil(src, c.width, c.height);
      expect([out.width, out.height]).toEqual([c.width, c.height]);
      if (c.rgb_base64) expect(Array.from(out.data)).toEqual(Array.from(Buffer.from(c.rgb_base64, 'base64')));
      if (c.first_row) expect(Array.from(out.data.subarray(0, c.width * 3))).toEqual(c.first_row);
      expect(createHash('sha256').update(out.data).digest('hex')).toBe(c.sha256);
    }
  });

  test('normalisation: x / 255, then (x - 0.5) / 0.5, channels first', () => {
    expect([...IMAGE_MEAN, ...IMAGE_STD]).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    // 2 x 1 image: pixel 0 = (0, 128, 255), pixel 1 = (255, 64, 0)
    const px = normalizeToPixelValues({ width: 2, height: 1, data: Uint8Array.from([0, 128, 255, 255, 64, 0]) });
    const f = (v: number) => Math.fround((Math.fround(v / 255) - 0.5) / 0.5);
    expect(Array.from(px)).toEqual([-1, 1, f(128), f(64), 1, -1]);
  });

  test('loadPageImage gives [3, S, S] float32 in [-1, 1], equal to resize + normalise', async () => {
    const path = resolve(FIXTURES, fixture.source);
    const px = await loadPageImage(path, 16);
    expect(px).toBeInstanceOf(Float32Array);
    expect(px.length).toBe(3 * 16 * 16);
    expect(Math.min(...px)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...px)).toBeLessThanOrEqual(1);
    const expected = normalizeToPixelValues(resizeBilinearPil(await readRgbImage(path), 16, 16));
    expect(Array.from(px)).toEqual(Array.from(expected));
  });
});
