/**
 * The evaluation report as Markdown: a summary table, then per group, per domain, per template family,
 * per entity and field accuracy. Scores are shown as fractions with `digits` decimals, every F1 beside its
 * support (gold spans).
 */
import type { SpanScore } from './span-scores.js';
import type { ConfidenceInterval } from './bootstrap.js';
import type { EvaluationReport, SubsetScores } from './evaluate.js';

export interface MarkdownOptions {
  /** decimals for scores (default 3) */
  digits?: number;
  /** heading text (default "Evaluation") */
  title?: string;
}

export function renderEvaluationMarkdown(report: EvaluationReport, options: MarkdownOptions = {}): string {
  const digits = options.digits ?? 3;
  const f = (x: number) => x.toFixed(digits);
  const ci = (i: ConfidenceInterval | null) => (i ? `[${f(i.low)}, ${f(i.high)}]` : 'n/a');
  const table = (head: string[], rows: (string | number)[][]) =>
    [
      `| ${head.join(' | ')} |`,
      `| ${head.map((_, k) => (k === 0 ? '---' : '---:')).join(' | ')} |`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
  const prfRow = (name: string, s: SpanScore) => [name, f(s.precision), f(s.recall), f(s.f1), s.support, s.predicted, s.correct];
  const PRF_HEAD = ['precision', 'recall', 'F1', 'support', 'predicted', 'correct'];
  const conf = Math.round(report.bootstrap.confidence * 100);
  const out: string[] = [];

  out.push(`# ${options.title ?? 'Evaluation'}`, '');
  out.push(
    `${report.documents} documents. Entity-level ${report.mode === 'strict' ? 'strict' : 'conlleval-style'} span matching, ${report.scheme} ` +
      `(type and both boundaries must match). Support = gold spans. Intervals: ${conf}% percentile bootstrap over documents, ` +
      `${report.bootstrap.samples} resamples, seed ${report.bootstrap.seed}.`,
    '',
  );

  const summary: (string | number)[][] = [
    ['micro F1', f(report.overall.micro.f1), report.overall.micro.support, ''],
    ['macro F1', f(report.overall.macro.f1), report.overall.macro.support, `${report.overall.classes} entities`],
    ['weighted F1', f(report.overall.weighted.f1), report.overall.weighted.support, ''],
  ];
  if (report.inTemplate)
    summary.push([
      'in-template micro F1',
      f(report.inTemplate.micro.f1),
      report.inTemplate.micro.support,
      `${report.inTemplate.documents} documents`,
    ]);
  if (report.crossTemplate) {
    summary.push([
      'cross-template micro F1',
      f(report.crossTemplate.micro.f1),
      report.crossTemplate.micro.support,
      `${report.crossTemplate.documents} documents, ${conf}% CI ${ci(report.crossTemplate.interval)}`,
    ]);
  }
  summary.push([
    'rare-entity macro F1',
    report.rare.evaluated.length > 0 ? f(report.rare.macroF1) : 'n/a',
    report.rare.micro.support,
    `${report.rare.evaluated.length} of ${report.rare.entities.length} rare entities present, ${conf}% CI ${ci(report.rare.interval)}`,
  ]);
  if (report.fields) {
    summary.push([
      'field exact-match accuracy',
      f(report.fields.accuracy),
      report.fields.fields,
      `${report.fields.correct} of ${report.fields.fields} fields; ${report.fields.documentsAllCorrect} of ${report.fields.documents} documents all correct`,
    ]);
  }
  out.push(table(['figure', 'value', 'support', 'notes'], summary), '');

  if (report.rare.entities.length > 0) {
    out.push('## Rare entities', '');
    out.push(
      table(
        ['entity', ...PRF_HEAD],
        Object.entries(report.rare.perEntity).map(([n, s]) => prfRow(n, s)),
      ),
    );
    if (report.rare.missing.length > 0) out.push('', `Not present in these documents: ${report.rare.missing.join(', ')}.`);
    out.push('');
  }

  if (report.perGroup) {
    out.push('## Per group', '', 'Pooled counts of the group (micro), and the macro F1 of its entities.', '');
    out.push(
      table(
        ['group', ...PRF_HEAD, 'macro F1'],
        Object.entries(report.perGroup).map(([n, s]) => [...prfRow(n, s), f(s.macroF1)]),
      ),
      '',
    );
  }

  const subsetTable = (title: string, key: string, entries: [string, SubsetScores & { unseen?: boolean }][]) => {
    if (entries.length === 0) return;
    out.push(`## ${title}`, '');
    out.push(
      table(
        [key, 'documents', 'micro P', 'micro R', 'micro F1', 'macro F1', 'support'],
        entries.map(([n, s]) => [
          s.unseen ? `${n} (unseen)` : n,
          s.documents,
          f(s.micro.precision),
          f(s.micro.recall),
          f(s.micro.f1),
          f(s.macro.f1),
          s.micro.support,
        ]),
      ),
      '',
    );
  };
  subsetTable('Per domain', 'domain', Object.entries(report.perDomain));
  subsetTable('Per template family', 'template', Object.entries(report.perTemplate));

  out.push('## Per entity', '');
  out.push(
    table(
      ['entity', ...(report.perGroup ? ['group'] : []), ...PRF_HEAD],
      Object.entries(report.perEntity).map(([n, s]) => {
        const row = prfRow(n, s);
        return report.perGroup ? [row[0], s.group ?? '', ...row.slice(1)] : row;
      }),
    ),
    '',
  );

  if (report.fields) {
    out.push('## Field exact match', '', 'Values compared as multisets after collapsing whitespace; case-sensitive.', '');
    out.push(
      table(
        ['entity', 'fields', 'correct', 'accuracy'],
        Object.entries(report.fields.perEntity).map(([n, s]) => [n, s.fields, s.correct, f(s.accuracy)]),
      ),
      '',
    );
  }
  return out.join('\n');
}
