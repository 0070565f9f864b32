import type { Argv } from 'yargs';
import { DEMO_CONFIG, DEMO_MIN_F1, DEMO_SEED, HybridocError, runDemo } from '@hybridoc/core';
import { printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';
import { parseOverrides } from './train.js';

/**
 * `hybridoc demo`, the README's main command: generate a synthetic corpus, train the demo preset on CPU,
 * evaluate, predict an invoice of a template family it never saw, and write the report, the loss curves and
 * the invoice with its fields boxed to --out. `--check` fails unless the in-template micro F1 reaches 0.80.
 */
export function demoCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'demo',
    'generate a corpus, train, evaluate and predict an unseen invoice on CPU in a few minutes; writes demo/',
    (a) =>
      a
        .option('out', { type: 'string', default: 'demo', describe: 'output folder (the corpus and model go to OUT/work)' })
        .option('seed', { type: 'number', default: DEMO_SEED, describe: 'corpus and training seed' })
        .option('check', {
          type: 'boolean',
          default: false,
          describe: `fail (exit 1) unless the in-template test micro F1 reaches --min-f1`,
        })
        .option('min-f1', { type: 'number', default: DEMO_MIN_F1, describe: 'the F1 --check holds the run to' })
        .option('config', { type: 'string', default: DEMO_CONFIG, describe: 'training preset name or YAML file' })
        .option('set', {
          type: 'string',
          array: true,
          default: [] as string[],
          describe: 'override a config key: --set training.num_epochs=3',
        })
        .option('docs', { type: 'number', describe: "documents to generate (default: the config's training.dataset.total_size)" })
        .option('work-dir', { type: 'string', describe: 'corpus and training run (default OUT/work)' })
        .option('threads', { type: 'number', describe: 'ONNX Runtime intra-op threads' }),
    async (args) => {
      for (const k of ['docs', 'threads'] as const) {
        const v = args[k];
        if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1))
          throw new HybridocError(`--${k}: expected an integer >= 1, got ${String(v)}`);
      }
      const minF1 = args['min-f1'];
      if (!(minF1 >= 0 && minF1 <= 1)) throw new HybridocError(`--min-f1: expected a number in [0, 1], got ${String(minF1)}`);
      const controller = new AbortController();
      const onSignal = () => {
        process.stderr.write('\nhybridoc demo: stopping after this step (run the same command again to continue)\n');
        controller.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let r;
      try {
        r = await runDemo({
          out: args.out,
          seed: args.seed,
          config: args.config,
          overrides: parseOverrides(args.set),
          documents: args.docs,
          workDir: args['work-dir'],
          threads: args.threads,
          progress: args.json ? 'silent' : 'auto',
          signal: controller.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const passed = r.microF1 >= minF1;
      if (args.json) printJson({ ...r, check: args.check ? { minF1, passed } : undefined });
      else {
        const out = process.stdout;
        const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
        out.write(
          `\nhybridoc demo: ${r.config.model} (${r.config.preset} preset), seed ${r.seed}, ${r.corpus.documents} documents, ` +
            `${r.training.steps} steps in ${r.training.epochs} epochs\n\n`,
        );
        out.write(`micro F1, in-template test split   ${f(r.microF1)}   (${r.corpus.splits.test} documents)\n`);
        out.write(`micro F1, unseen template families ${f(r.crossTemplateF1)}   (${r.corpus.splits['test-unseen-templates']} documents)\n`);
        out.write(`rare-entity macro F1               ${f(r.rareEntityF1)}\n`);
        out.write(
          `unseen invoice ${r.invoice.id}: ${r.invoice.fields.length} fields predicted, ${r.invoice.correct} of ${r.invoice.gold} gold fields exact\n`,
        );
        out.write(`time: ${r.wallSeconds.toFixed(0)} s wall, ${r.cpuSeconds.toFixed(0)} s CPU\n\n`);
        out.write(`report        ${r.files.reportMarkdown}\n              ${r.files.reportJson}\n`);
        out.write(`loss curves   ${r.files.lossCurves}\n`);
        out.write(`invoice       ${r.files.invoice}\n`);
        out.write(`model         ${r.files.model}   (hybridoc predict ${r.files.model} FILE.pdf)\n`);
        if (args.check) out.write(`\ncheck: micro F1 ${f(r.microF1)} ${passed ? '>=' : '<'} ${minF1}: ${passed ? 'passed' : 'FAILED'}\n`);
      }
      if (args.check && !passed)
        throw new HybridocError(`demo --check: in-template micro F1 ${r.microF1.toFixed(4)} is below ${minF1}`, { exitCode: 1 });
    },
  );
}
