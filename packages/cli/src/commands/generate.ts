import type { Argv } from 'yargs';
import { generateCorpus, HybridocError, type CorpusProgress } from '@hybridoc/core';
import { printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

/** `hybridoc generate`: write (or resume) a synthetic invoice corpus. */
export function generateCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'generate',
    'generate a synthetic invoice corpus (resumable: run the same command again after an interruption)',
    (a) =>
      a
        .option('out', { type: 'string', demandOption: true, describe: 'output directory' })
        .option('count', { type: 'number', demandOption: true, describe: 'number of documents' })
        .option('seed', { type: 'number', default: 0, describe: 'random seed (same seed and options give the same bytes)' })
        .option('domains', { type: 'string', describe: 'comma-separated subset of domains (shares renormalised)' })
        .option('images', { type: 'boolean', default: true, describe: 'write 224x224 page images (--no-images to skip)' })
        .option('workers', { type: 'number', default: 1, describe: 'worker threads' })
        .option('shard-size', { type: 'number', describe: 'documents per shard (default from config/corpus.yaml)' })
        .option('noise-ocr', { type: 'number', describe: 'per-character OCR error rate' })
        .option('noise-jitter', { type: 'number', describe: 'word-box jitter as a fraction of the word height' })
        .option('noise-rotate', { type: 'number', describe: 'largest page rotation in degrees' })
        .option('noise-scan', { type: 'number', describe: 'fraction of documents drawn with a scanned look' })
        .option('schema', { type: 'string', describe: 'label schema YAML (default config/labels.yaml)' })
        .option('domains-config', { type: 'string', describe: 'domain mix and families YAML (default config/domains.yaml)' })
        .option('corpus-config', { type: 'string', describe: 'corpus defaults YAML (default config/corpus.yaml)' })
        .option('overwrite', { type: 'boolean', default: false, describe: 'replace a corpus made with other options in --out' }),
    async (args) => {
      for (const k of ['count', 'seed', 'workers', 'shard-size'] as const) {
        const v = args[k];
        if (v !== undefined && (!Number.isFinite(v) || !Number.isInteger(v)))
          throw new HybridocError(`--${k}: expected an integer, got ${String(v)}`);
      }
      const noise: Record<string, number> = {};
      for (const k of ['ocr', 'jitter', 'rotate', 'scan'] as const) {
        const v = args[`noise-${k}`];
        if (v !== undefined) {
          if (!Number.isFinite(v) || v < 0) throw new HybridocError(`--noise-${k}: expected a number >= 0, got ${String(v)}`);
          noise[k] = v;
        }
      }
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const tty = process.stderr.isTTY && !args.json;
      const started = Date.now();
      let lastShown = 0;
      const onProgress = (p: CorpusProgress) => {
        if (!tty) return;
        const now = Date.now();
        if (now - lastShown < 250 && p.documents < p.total) return;
        lastShown = now;
        const rate = p.documents / Math.max(0.001, (now - started) / 1000);
        process.stderr.write(
          `\rgenerate: ${p.documents}/${p.total} documents, ${p.chunksDone}/${p.chunks} shards, ${rate.toFixed(0)} docs/s   `,
        );
      };
      try {
        const r = await generateCorpus({
          out: args.out,
          count: args.count,
          seed: args.seed,
          domains: args.domains
            ? args.domains
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : undefined,
          images: args.images,
          workers: args.workers,
          shardSize: args['shard-size'],
          noise,
          schema: args.schema,
          configFiles: { domains: args['domains-config'], corpus: args['corpus-config'] },
          overwrite: args.overwrite,
          signal: controller.signal,
          onProgress,
        });
        if (tty) process.stderr.write('\n');
        const m = r.manifest;
        if (args.json)
          return printJson({
            out: args.out,
            documents: m.counts.documents,
            pages: m.counts.pages,
            images: m.counts.images,
            splits: Object.fromEntries(Object.entries(m.splits).map(([k, v]) => [k, v.documents])),
            entitiesPresent: m.entities.filter((e) => e.documents > 0).length,
            entities: m.entities.length,
            resumedShards: r.resumedChunks,
            generatedShards: r.generatedChunks,
            seconds: Math.round(r.seconds * 100) / 100,
          });
        const present = m.entities.filter((e) => e.documents > 0).length;
        process.stdout.write(
          `wrote ${m.counts.documents} documents (${m.counts.pages} pages, ${m.counts.images} images) to ${args.out} in ${r.seconds.toFixed(1)} s` +
            `${r.resumedChunks ? ` (${r.resumedChunks} shards resumed)` : ''}\n` +
            `splits: ${Object.entries(m.splits)
              .map(([k, v]) => `${k} ${v.documents}`)
              .join(', ')}\n` +
            `${present} of ${m.entities.length} entities present; see hybridoc corpus-stats ${args.out}\n`,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (tty) process.stderr.write('');
      }
    },
  );
}
