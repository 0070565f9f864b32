import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { HybridocError, IMPORT_FORMATS, importDataset, loadLabelSchema } from '@hybridoc/core';
import { printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

/**
 * `hybridoc import --format cord DIR --out FILE.jsonl`: a public annotated dataset -> native documents, one
 * JSON object per line. The file is written beside its final name and renamed into place at the end. Files
 * that cannot be imported are listed on stderr (one line each) and skipped; the command fails only when no
 * document could be imported.
 */
export function importCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'import <dir>',
    'import an annotated dataset (FUNSD, XFUND, CORD, SROIE, WildReceipt) into native documents (JSONL)',
    (a) =>
      a
        .positional('dir', { type: 'string', demandOption: true, describe: 'dataset folder, in the layout the dataset is released in' })
        .option('format', { type: 'string', choices: IMPORT_FORMATS, demandOption: true, describe: 'dataset format' })
        .option('out', {
          type: 'string',
          demandOption: true,
          describe: 'output file (.jsonl); page-image paths are written relative to its folder',
        })
        .option('labels', { type: 'string', describe: 'label map YAML (default config/importers/<format>.yaml)' })
        .option('schema', { type: 'string', describe: 'label schema YAML (default config/labels.yaml)' }),
    async (args) => {
      const out = resolve(args.out);
      const schema = loadLabelSchema(args.schema);
      await mkdir(dirname(out), { recursive: true });
      const tmp = `${out}.tmp-${process.pid}`;
      const stream = createWriteStream(tmp, { encoding: 'utf8' });
      const failed: string[] = [];
      let documents = 0;
      let words = 0;
      let labelled = 0;
      const entities: Record<string, number> = {};
      try {
        for await (const item of importDataset(args.format, args.dir as string, {
          schema,
          labelMap: args.labels,
          imageBase: dirname(out),
        })) {
          if (item.error) {
            failed.push(item.error.message);
            if (!args.json) process.stderr.write(`hybridoc: skipped ${item.error.message}\n`);
            continue;
          }
          const doc = item.document;
          documents++;
          words += doc.words.length;
          for (const w of doc.words) {
            if (w.label && w.label !== 'O') labelled++;
            if (w.label?.startsWith('B-')) entities[w.label.slice(2)] = (entities[w.label.slice(2)] ?? 0) + 1;
          }
          if (!stream.write(JSON.stringify(doc) + '\n')) await new Promise<void>((r) => stream.once('drain', () => r()));
        }
        await new Promise<void>((res, rej) => stream.end((err?: Error | null) => (err ? rej(err) : res())));
      } catch (err) {
        stream.destroy();
        await rm(tmp, { force: true });
        throw err;
      }
      if (documents === 0) {
        await rm(tmp, { force: true });
        throw new HybridocError(
          `${args.dir}: no document could be imported as ${args.format}${failed.length ? ` (${failed.length} failed)` : ''}`,
        );
      }
      await rename(tmp, out);
      const summary = {
        format: args.format,
        dir: args.dir,
        out,
        documents,
        failed: failed.length,
        words,
        labelledWords: labelled,
        entities,
        errors: failed,
      };
      if (args.json) return printJson(summary);
      const top = Object.entries(entities)
        .sort((a, b) => b[1] - a[1])
        .map(([e, n]) => `${e} ${n}`)
        .join(', ');
      process.stdout.write(
        `imported ${documents} ${args.format} document${documents === 1 ? '' : 's'} (${words} words, ${labelled} in entities) into ${out}` +
          (failed.length ? `; ${failed.length} skipped` : '') +
          '\n' +
          (top ? `entity spans: ${top}\n` : ''),
      );
    },
  );
}
