import type { Argv } from 'yargs';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadLabelSchema, readManifest, renderContactSheet } from '@hybridoc/core';
import { formatTable, printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** `hybridoc corpus-stats DIR`: frequency table, domain mix, splits, families, and a contact sheet PNG. */
export function corpusStatsCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'corpus-stats <dir>',
    'show a corpus: entity frequencies, domain mix, splits, template families; write a contact sheet PNG',
    (a) =>
      a
        .positional('dir', { type: 'string', demandOption: true, describe: 'corpus directory (made by hybridoc generate)' })
        .option('contact-sheet', { type: 'string', describe: 'contact sheet PNG path (default DIR/contact-sheet.png)' })
        .option('sheet', { type: 'boolean', default: true, describe: 'write the contact sheet (--no-sheet to skip)' })
        .option('per-family', { type: 'number', default: 2, describe: 'pages per template family on the contact sheet' })
        .option('schema', { type: 'string', describe: 'label schema YAML (default config/labels.yaml)' }),
    async (args) => {
      const dir = resolve(args.dir as string);
      const m = readManifest(dir);
      let sheetPath: string | undefined;
      let sheet: { width: number; height: number; families: number } | undefined;
      if (args.sheet) {
        const cs = await renderContactSheet(dir, { perFamily: args['per-family'], schema: loadLabelSchema(args.schema) });
        sheetPath = args['contact-sheet'] ? resolve(args['contact-sheet']) : join(dir, 'contact-sheet.png');
        writeFileSync(sheetPath, cs.png);
        sheet = { width: cs.width, height: cs.height, families: Object.keys(cs.shown).length };
      }
      const present = m.entities.filter((e) => e.documents > 0).length;
      if (args.json)
        return printJson({ manifest: m, entitiesPresent: present, contactSheet: sheetPath ? { path: sheetPath, ...sheet } : null });
      const o = m.options;
      process.stdout.write(
        `corpus ${dir}\n${m.generator.name} (hybridoc ${m.generator.version}), schema ${m.schema.name} ${m.schema.hash}, seed ${o.seed}, ` +
          `${m.counts.documents} documents, ${m.counts.pages} pages, ${m.counts.words} words, ${m.counts.images} images ` +
          `(${(m.counts.shardBytes / 1e6).toFixed(1)} MB shards, ${(m.counts.imageBytes / 1e6).toFixed(1)} MB images)\n` +
          `noise: ocr ${o.noise.ocr}, jitter ${o.noise.jitter}, rotate ${o.noise.rotate}, scan ${o.noise.scan}\n\n`,
      );
      process.stdout.write(
        'splits\n' +
          formatTable(
            ['split', 'documents'],
            Object.entries(m.splits).map(([k, v]) => [k, v.documents]),
            ['l', 'r'],
          ) +
          '\n',
      );
      process.stdout.write(
        'domain mix\n' +
          formatTable(
            ['domain', 'documents', 'actual', 'target'],
            m.domainMix.map((d) => [d.domain, d.documents, pct(d.fraction), pct(d.target)]),
            ['l', 'r', 'r', 'r'],
          ) +
          '\n',
      );
      process.stdout.write(
        'template families\n' +
          formatTable(
            ['family', 'domain', 'held out', 'documents'],
            m.templates.map((t) => [t.id, t.domain, t.unseen ? 'unseen' : '', t.documents]),
            ['l', 'l', 'l', 'r'],
          ) +
          '\n',
      );
      process.stdout.write(
        'entities\n' +
          formatTable(
            ['entity', 'group', 'documents', 'doc %', 'tokens', 'train docs'],
            m.entities.map((e) => [e.name, e.group, e.documents, pct(e.docFraction), e.tokens, e.train.documents]),
            ['l', 'l', 'r', 'r', 'r', 'r'],
          ),
      );
      const rare = m.entities.filter((e) => e.docFraction < 0.005).map((e) => e.name);
      process.stdout.write(
        `\n${present} of ${m.entities.length} entities present${rare.length ? `; below 0.5% of documents: ${rare.join(', ')}` : ''}\n`,
      );
      if (sheetPath)
        process.stdout.write(`contact sheet: ${sheetPath} (${sheet!.width}x${sheet!.height}, ${sheet!.families} template families)\n`);
    },
  );
}
