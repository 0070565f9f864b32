/**
 * Batch inputs -> the files to predict. Each argument is a file (taken whatever its name), a folder (every
 * file below it whose extension is one prediction reads; hidden files and folders skipped), or a glob the shell
 * did not expand (`*`, `?`, `**` across folders, `[abc]`, `{a,b}`). The list is sorted and each file appears
 * once. The readers still decide by content, so a broken file with a good name becomes an error line.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { inputError } from '../util/errors.js';

/** Extensions a folder walk picks up. */
export const PREDICT_EXTENSIONS = ['.json', '.pdf', '.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.gif', '.bmp'] as const;

const GLOB_CHARS = /[*?[{]/;

function hasPredictExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return PREDICT_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** Every file below `dir` (hidden entries skipped), in sorted order. */
function walk(dir: string, out: string[], filter: (path: string) => boolean): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw inputError(dir, undefined, `cannot list folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out, filter);
    else if (e.isFile() && filter(p)) out.push(p);
  }
}

/** A glob as a regular expression over '/'-separated relative paths. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${pattern
          .slice(i + 1, end)
          .split(',')
          .map((alt) => globToRegExp(alt).source.slice(1, -1))
          .join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function expandGlob(pattern: string): string[] {
  const parts = pattern.split(/[\\/]/);
  const firstMagic = parts.findIndex((p) => GLOB_CHARS.test(p));
  const baseParts = parts.slice(0, firstMagic);
  const base = baseParts.length === 0 ? '.' : baseParts.join('/') || '/';
  const rest = parts.slice(firstMagic).join('/');
  if (!existsSync(base)) return [];
  const re = globToRegExp(rest);
  const found: string[] = [];
  walk(base, found, (p) => re.test(relative(base, p).split(sep).join('/')));
  return found;
}

/** The files a batch predicts, from files, folders and globs. Throws when an argument matches nothing. */
export function expandInputs(args: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (p: string) => {
    const key = resolve(p);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  for (const arg of args) {
    if (existsSync(arg)) {
      if (statSync(arg).isDirectory()) {
        const found: string[] = [];
        walk(arg, found, hasPredictExtension);
        found.forEach(add);
      } else add(arg);
      continue;
    }
    if (!GLOB_CHARS.test(arg)) {
      add(arg); // a missing file: reported as that input's error line
      continue;
    }
    const found = expandGlob(arg);
    if (found.length === 0) throw inputError(arg, undefined, 'the pattern matches no file');
    found.sort().forEach(add);
  }
  return out;
}
