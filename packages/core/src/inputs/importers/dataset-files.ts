/**
 * File helpers for the importers: walking a dataset folder, finding a document's image by its file stem, and
 * reading an image's size from its header (PNG, JPEG) without decoding it.
 */
import { readdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { loadImage } from '@napi-rs/canvas';

/** Every file under `dir`, sorted, skipping dot-files and dot-folders. */
export function walkFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) visit(p);
      else if (entry.isFile()) out.push(p);
    }
  };
  visit(dir);
  return out;
}

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif']);

export const stemOf = (path: string) => basename(path, extname(path));

/** Width and height of an image file from its header; PNG and JPEG are read directly, others decoded. */
export async function imageSize(path: string): Promise<{ width: number; height: number } | null> {
  let head: Buffer;
  try {
    const size = Math.min(statSync(path).size, 256 * 1024);
    head = Buffer.alloc(size);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, size, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  if (head.length >= 24 && head.readUInt32BE(0) === 0x89504e47) return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
  if (head.length > 4 && head[0] === 0xff && head[1] === 0xd8) {
    let i = 2;
    while (i + 9 < head.length) {
      if (head[i] !== 0xff) {
        i++;
        continue;
      }
      const marker = head[i + 1];
      const len = head.readUInt16BE(i + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC) carry the frame size
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: head.readUInt16BE(i + 7), height: head.readUInt16BE(i + 5) };
      }
      i += 2 + len;
    }
  }
  try {
    const img = await loadImage(path);
    return { width: img.width, height: img.height };
  } catch {
    return null;
  }
}

/**
 * The image of an annotation file: an image with the same stem in the annotation's folder or in a sibling
 * folder (FUNSD's annotations/ and images/, CORD's json/ and image/). Images of other splits that reuse the
 * name (CORD's train/ and dev/ both have receipt_00000) are never taken.
 */
export function findImageFor(annotation: string, stem: string, files: string[]): string | undefined {
  const dir = dirname(annotation);
  const parent = dirname(dir);
  let sibling: string | undefined;
  for (const f of files) {
    if (!IMAGE_EXTENSIONS.has(extname(f).toLowerCase()) || stemOf(f) !== stem) continue;
    if (dirname(f) === dir) return f;
    if (!sibling && dirname(dirname(f)) === parent) sibling = f;
  }
  return sibling;
}
