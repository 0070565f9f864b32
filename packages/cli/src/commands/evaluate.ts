import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { HybridocError, evaluateModel, renderEvaluationMarkdown, SPLITS, DEFAULT_EVALUATION_SPLITS, type SplitName } from '@hybridoc/core';
import { formatTable, printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

/**
 * `hybridoc evaluate MODEL --corpus DIR`: entity-level strict span scores of a trained model per entity,
 * group and domain, micro / macro, rare entities and cross-template F1 with bootstrap intervals, field
 * exact-match accuracy; as a summary on stdout, JSON (--json) and a Markdown report (--report).
 */
export function evaluateCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'evaluate <model>',
    'evaluate a trained model on corpus splits (strict entity F1, rare entities, cross-template, field accuracy)',
    (a) =>
      a
        .positional('model', { type: 'string', demandOption: true, describe: 'training output directory (hybridoc train --out)' })
        .option('corpus', { type: 'string', demandOption: true, describe: 'corpus directory' })
        .option('split', {
          type: 'string',
          default: DEFAULT_EVALUATION_SPLITS.join(','),
          describe: `split(s) evaluated together, comma-separated (${SPLITS.join(', ')})`,
        })
        .option('decode', {
          type: 'string',
          choices: ['viterbi', 'argmax'] as const,
          describe: "decoder (default: the run's, argmax without a CRF)",
        })
        .option('checkpoint', { type: 'string', default: 'best', describe: 'best, last, or a checkpoint file or directory' })
        .option('report', { type: 'string', describe: 'write the Markdown report to this file' })
        .option('device', {
          type: 'string',
          choices: ['cpu', 'cuda', 'webgpu'] as const,
          default: 'cpu' as const,
          describe: 'execution provider',
        })
        .option('bootstrap-samples', { type: 'number', describe: 'bootstrap resamples for the intervals (default 1000)' })
        .option('seed', { type: 'number', default: 0, describe: 'bootstrap seed' }),
    async (args) => {
      const splits = String(args.split)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean) as SplitName[];
      for (const s of splits)
        if (!SPLITS.includes(s)) throw new HybridocError(`--split: unknown split "${s}" (known: ${SPLITS.join(', ')})`);
      const samples = args['bootstrap-samples'];
      if (samples !== undefined && !(Number.isSafeInteger(samples) && samples >= 1)) {
        throw new HybridocError(`--bootstrap-samples: expected an integer >= 1, got ${String(samples)}`);
      }
      const ev = await evaluateModel({
        model: args.model!,
        corpus: args.corpus,
        splits,
        decode: args.decode as 'viterbi' | 'argmax' | undefined,
        checkpoint: args.checkpoint,
        device: args.device as 'cpu' | 'cuda' | 'webgpu',
        bootstrap: { ...(samples === undefined ? {} : { samples }), seed: args.seed },
      });
      const title = `Evaluation of ${ev.model} (${ev.checkpoint.kind} checkpoint, step ${ev.checkpoint.step}) on ${splits.join(' + ')}, ${ev.decode} decoding`;
      if (args.report) writeFileSync(args.report, renderEvaluationMarkdown(ev.report, { title }) + '\n');
      if (args.json) return printJson(args.report ? { ...ev, reportFile: args.report } : ev);
      const r = ev.report;
      const out = process.stdout;
      const f = (x: number) => x.toFixed(3);
      const ci = (i: { low: number; high: number } | null) => (i ? `[${f(i.low)}, ${f(i.high)}]` : '');
      out.write(
        `${title}\n${r.documents} documents (${ev.splits.map((s) => `${s.split} ${s.documents}`).join(', ')}), ${ev.seconds.toFixed(1)} s\n\n`,
      );
      const rows: Array<Array<string | number>> = [
        ['micro F1', f(r.overall.micro.f1), f(r.overall.micro.precision), f(r.overall.micro.recall), r.overall.micro.support, ''],
        [
          'macro F1',
          f(r.overall.macro.f1),
          f(r.overall.macro.precision),
          f(r.overall.macro.recall),
          r.overall.macro.support,
          `${r.overall.classes} entities`,
        ],
      ];
      if (r.inTemplate)
        rows.push([
          'in-template micro F1',
          f(r.inTemplate.micro.f1),
          f(r.inTemplate.micro.precision),
          f(r.inTemplate.micro.recall),
          r.inTemplate.micro.support,
          `${r.inTemplate.documents} docs`,
        ]);
      if (r.crossTemplate) {
        rows.push([
          'cross-template micro F1',
          f(r.crossTemplate.micro.f1),
          f(r.crossTemplate.micro.precision),
          f(r.crossTemplate.micro.recall),
          r.crossTemplate.micro.support,
          `${r.crossTemplate.documents} docs ${ci(r.crossTemplate.interval)}`,
        ]);
      }
      rows.push([
        'rare-entity macro F1',
        r.rare.evaluated.length ? f(r.rare.macroF1) : 'n/a',
        f(r.rare.micro.precision),
        f(r.rare.micro.recall),
        r.rare.micro.support,
        `${r.rare.evaluated.length}/${r.rare.entities.length} present ${ci(r.rare.interval)}`,
      ]);
      if (r.fields) rows.push(['field exact match', f(r.fields.accuracy), '', '', r.fields.fields, `${r.fields.correct} correct`]);
      out.write(formatTable(['figure', 'value', 'P', 'R', 'support', 'notes'], rows, ['l', 'r', 'r', 'r', 'r', 'l']));
      if (r.perGroup) {
        out.write('\n');
        out.write(
          formatTable(
            ['group', 'P', 'R', 'F1', 'macro F1', 'support'],
            Object.entries(r.perGroup).map(([g, s]) => [g, f(s.precision), f(s.recall), f(s.f1), f(s.macroF1), s.support]),
            ['l', 'r', 'r', 'r', 'r', 'r'],
          ),
        );
      }
      out.write('\n');
      out.write(
        formatTable(
          ['domain', 'docs', 'micro F1', 'macro F1', 'support'],
          Object.entries(r.perDomain).map(([d, s]) => [d, s.documents, f(s.micro.f1), f(s.macro.f1), s.micro.support]),
          ['l', 'r', 'r', 'r', 'r'],
        ),
      );
      if (args.report) out.write(`\nreport (per entity, template, field): ${args.report}\n`);
    },
  );
}
