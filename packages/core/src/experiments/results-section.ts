/**
 * A section of a Markdown results file (docs/results.md) that a command owns: the text between
 * `<!-- hybridoc:ID -->` and `<!-- /hybridoc:ID -->`, replaced on every run, or appended at the end the
 * first time. Everything else in the file is left as it is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { atomicWriteFile } from '../training/atomic-files.js';

/** Replace (or append) the section `id` of `file` with `markdown`; returns whether it was replaced. */
export function writeResultsSection(file: string, id: string, markdown: string): { replaced: boolean } {
  const begin = `<!-- hybridoc:${id} -->`;
  const end = `<!-- /hybridoc:${id} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const i = text.indexOf(begin);
  const j = i >= 0 ? text.indexOf(end, i) : -1;
  if (i >= 0 && j >= 0) {
    atomicWriteFile(file, text.slice(0, i) + block + text.slice(j + end.length));
    return { replaced: true };
  }
  atomicWriteFile(file, (text.trimEnd() ? `${text.trimEnd()}\n\n` : '') + block + '\n');
  return { replaced: false };
}
