/** Batch inputs: files, folders (by extension, hidden entries skipped) and globs, sorted and each once. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandInputs, globToRegExp } from '@hybridoc/core';
import { scratch } from './helpers.js';

describe('expandInputs', () => {
  const root = scratch('hybridoc-inputs-');
  const files = ['a.json', 'b.PDF', 'notes.txt', 'sub/c.png', 'sub/deep/d.jpeg', 'sub/deep/e.tiff', '.hidden/f.json', 'sub/.g.json'];
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), 'x');
  }
  const rel = (ps: string[]) => ps.map((p) => p.slice(root.length + 1));

  test('a folder gives the files prediction reads, recursively, sorted, hidden ones skipped', () => {
    expect(rel(expandInputs([root]))).toEqual(['a.json', 'b.PDF', 'sub/c.png', 'sub/deep/d.jpeg', 'sub/deep/e.tiff']);
  });

  test('a named file is taken whatever its extension; duplicates appear once; a missing file stays (its line will say so)', () => {
    const got = expandInputs([join(root, 'notes.txt'), join(root, 'a.json'), root, join(root, 'missing.pdf')]);
    expect(rel(got)).toEqual(['notes.txt', 'a.json', 'b.PDF', 'sub/c.png', 'sub/deep/d.jpeg', 'sub/deep/e.tiff', 'missing.pdf']);
  });

  test('globs: *, **, ?, [..], {a,b}; a glob matching nothing is an error', () => {
    expect(rel(expandInputs([join(root, '*.json')]))).toEqual(['a.json']);
    expect(rel(expandInputs([join(root, '**/*.{png,jpeg}')]))).toEqual(['sub/c.png', 'sub/deep/d.jpeg']);
    expect(rel(expandInputs([join(root, 'sub/deep/?.tif[fx]')]))).toEqual(['sub/deep/e.tiff']);
    expect(() => expandInputs([join(root, '*.docx')])).toThrow(/matches no file/);
  });

  test('globToRegExp', () => {
    expect(globToRegExp('**/x*.json').test('a/b/xy.json')).toBe(true);
    expect(globToRegExp('**/x*.json').test('xy.json')).toBe(true);
    expect(globToRegExp('*.json').test('a/xy.json')).toBe(false);
    expect(globToRegExp('[!a]?.pdf').test('bc.pdf')).toBe(true);
    expect(globToRegExp('[!a]?.pdf').test('ac.pdf')).toBe(false);
    expect(globToRegExp('a+b(1).pdf').test('a+b(1).pdf')).toBe(true);
  });
});
