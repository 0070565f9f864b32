import type { Argv } from 'yargs';
import {
  ARM_TITLES,
  COMPARE_ARMS,
  COMPARE_CONFIG,
  DEFAULT_ADD_LABEL_EXAMPLES,
  DEFAULT_HOLD_OUT,
  HybridocError,
  runComparison,
  writeResultsSection,
  type CompareArm,
} from '@hybridoc/core';
import { formatTable, printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';
import { parseOverrides } from './train.js';

/**
 * `hybridoc compare --work-dir DIR`: the seed's comparison measured. Trains the standard 161-way head, the
 * hybrid head and the hybrid head with the adaptive CRF (and the hybrid head with one entity held out, for
 * add-label) on one corpus with one step budget, one arm at a time; run again after an interruption, it
 * continues with the unfinished arms. Prints the table; writes it to the work directory and, with
 * --results, into a section of a Markdown file (docs/results.md).
 */
export function compareCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'compare',
    'train the standard head, the hybrid head and the hybrid + CRF on one corpus and budget; print the seed\u2019s table',
    (a) =>
      a
        .option('work-dir', { type: 'string', demandOption: true, describe: 'corpus, runs and results (outside the repository)' })
        .option('docs', { type: 'number', describe: "documents in the corpus (default: the config's training.dataset.total_size)" })
        .option('steps', { type: 'number', describe: "optimizer steps per arm (default: the config's epochs)" })
        .option('preset', { type: 'string', describe: "backbone preset of every arm (default: the config's model.preset)" })
        .option('config', { type: 'string', default: COMPARE_CONFIG, describe: 'training preset name or YAML file' })
        .option('seed', { type: 'number', describe: "corpus seed (default: the config's training.seed)" })
        .option('hold-out', { type: 'string', default: DEFAULT_HOLD_OUT, describe: 'entity held out of training and added with add-label' })
        .option('examples', { type: 'number', default: DEFAULT_ADD_LABEL_EXAMPLES, describe: 'documents add-label learns the entity from' })
        .option('arms', { type: 'string', describe: `comma-separated arms to run now (${COMPARE_ARMS.join(', ')}; default all)` })
        .option('set', {
          type: 'string',
          array: true,
          default: [] as string[],
          describe: 'override a config key in every arm: --set training.learning_rate=1e-3',
        })
        .option('threads', { type: 'number', describe: 'ONNX Runtime intra-op threads' })
        .option('results', { type: 'string', describe: 'replace (or append) the comparison section of this Markdown file' }),
    async (args) => {
      for (const k of ['docs', 'steps', 'seed', 'examples', 'threads'] as const) {
        const v = args[k];
        if (v !== undefined && !(Number.isSafeInteger(v) && v >= (k === 'seed' ? 0 : 1)))
          throw new HybridocError(`--${k}: expected an integer >= ${k === 'seed' ? 0 : 1}, got ${String(v)}`);
      }
      let arms: CompareArm[] | undefined;
      if (args.arms) {
        arms = args.arms.split(',').map((s) => s.trim()) as CompareArm[];
        for (const a of arms)
          if (!COMPARE_ARMS.includes(a)) throw new HybridocError(`--arms: unknown arm "${a}" (arms: ${COMPARE_ARMS.join(', ')})`);
      }
      const controller = new AbortController();
      const onSignal = () => {
        process.stderr.write('\nhybridoc compare: stopping after this step (run the same command again to continue)\n');
        controller.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const command = `hybridoc ${process.argv.slice(2).join(' ')}`;
      let r;
      try {
        r = await runComparison({
          workDir: args['work-dir'],
          config: args.config,
          overrides: parseOverrides(args.set),
          preset: args.preset,
          documents: args.docs,
          steps: args.steps,
          seed: args.seed,
          holdOut: args['hold-out'],
          addLabelExamples: args.examples,
          arms,
          threads: args.threads,
          command,
          progress: args.json ? 'silent' : 'auto',
          signal: controller.signal,
          onArm: (e) => {
            if (!args.json && e.status !== 'done')
              process.stderr.write(
                `compare: ${e.arm} (${ARM_TITLES[e.arm]}): ${e.status === 'reused' ? 'finished earlier' : 'training'}\n`,
              );
          },
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      if (args.results) writeResultsSection(args.results, 'compare', r.markdown);
      if (args.json) return printJson({ ...r, markdown: undefined });
      const out = process.stdout;
      out.write(`\n${r.markdown.split('\n').slice(2, 5).join('\n')}\n`);
      out.write(
        formatTable(
          ['figure', 'standard', 'hybrid', 'hybrid + CRF'],
          r.rows.map((row) => [
            row.figure,
            row.cells.standard ?? 'not run',
            row.cells.hybrid ?? 'not run',
            row.cells['hybrid-crf'] ?? 'not run',
          ]),
        ),
      );
      out.write(`\ntable  ${r.files.markdown}\n       ${r.files.json}\n`);
      if (args.results) out.write(`section "compare" of ${args.results} updated\n`);
    },
  );
}
