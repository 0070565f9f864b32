import type { Argv } from 'yargs';
import { resolve, dirname } from 'node:path';
import { analyze, HeadModelRunner, loadDocument, type HeadAnalysis } from '@hybridoc/core';
import { formatTable, printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

/**
 * `hybridoc analyze MODEL DOC`: the seed's analyze_predictions(): per word, the group probabilities, the top-k
 * labels with their prototype similarities, and the nearest prototypes (core: heads/analyze.ts).
 */
export function analyzeCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'analyze <model> <doc>',
    'per word: group probabilities, top-k labels with their prototype similarities, nearest prototypes',
    (a) =>
      a
        .positional('model', { type: 'string', demandOption: true, describe: 'artifact directory of a hybrid or standard model' })
        .positional('doc', { type: 'string', demandOption: true, describe: 'a document: native JSON, PDF or image' })
        .option('top-k', { type: 'number', default: 3, describe: 'entries per list' })
        .option('tokenizer', { type: 'string', describe: 'tokenizer.json or its directory (default: the model directory)' })
        .option('image-root', { type: 'string', describe: 'where relative page images start (default: the document’s folder)' }),
    async (args) => {
      const file = resolve(args.doc as string);
      const runner = await HeadModelRunner.openModel(args.model as string, { tokenizer: args.tokenizer });
      try {
        // the document's own labels (if any) are read under the model's schema
        const doc = await loadDocument(file, { schema: runner.schema });
        const r = await analyze(runner, doc, { topK: args['top-k'], imageRoot: args['image-root'] ?? dirname(file) });
        if (args.json) return printJson(r);
        process.stdout.write(analysisTable(r));
      } finally {
        await runner.release();
      }
    },
  );
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;
const sim = (s: number | undefined) => (s === undefined ? '' : ` ~${s.toFixed(2)}`);

export function analysisTable(r: HeadAnalysis): string {
  const hybrid = r.architecture === 'hybrid';
  const header = ['word', 'text', 'gold', 'predicted', 'groups', hybrid ? 'labels (p ~cos)' : 'labels (p)'];
  if (hybrid) header.push('nearest prototypes (cos)');
  const rows = r.words.map((w) => {
    const row: Array<string | number> = [
      w.word,
      w.text.length > 24 ? `${w.text.slice(0, 23)}…` : w.text,
      w.gold ?? '',
      `${w.predicted.label} ${pct(w.predicted.probability)}`,
      w.groups.map((g) => `${g.group} ${pct(g.probability)}`).join(', '),
      w.labels.map((l) => `${l.label} ${pct(l.probability)}${sim(l.similarity)}`).join(', '),
    ];
    if (hybrid) row.push((w.nearestPrototypes ?? []).map((p) => `${p.label} ${p.similarity.toFixed(2)}`).join(', '));
    return row;
  });
  const head =
    `${r.document}: model ${r.model} (${r.architecture}), schema ${r.schemaHash}, top ${r.topK}` +
    (r.similarityScale !== undefined ? `, similarity scale ${r.similarityScale.toFixed(2)}` : '') +
    `; labels are the argmax of the emissions\n\n`;
  return head + formatTable(header, rows, ['r']);
}
