import type { Argv } from 'yargs';
import { importWeights } from '@hybridoc/core';
import { formatTable, printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

/**
 * `hybridoc import-weights --from model.safetensors [--preset base] --out DIR`: Hugging Face LayoutLMv3
 * weights -> DIR/checkpoint.safetensors (backbone by HF name + fresh seeded heads) and DIR/model-config.json.
 */
export function importWeightsCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'import-weights',
    'import Hugging Face LayoutLMv3 weights (safetensors) and initialise fresh heads',
    (a) =>
      a
        .option('from', { type: 'string', demandOption: true, describe: 'model.safetensors (names with or without "layoutlmv3.")' })
        .option('preset', { type: 'string', describe: 'model preset or config file (default: config.json beside the weights)' })
        .option('out', { type: 'string', demandOption: true, describe: 'output directory' })
        .option('labels', { type: 'string', describe: 'label schema YAML (default: config/labels.yaml)' })
        .option('seed', { type: 'number', default: 0, describe: 'seed for the fresh heads' })
        .option('heads', {
          type: 'string',
          choices: ['hybrid', 'baseline'] as const,
          default: 'hybrid',
          describe: 'which heads to initialise',
        })
        .option('allow-unknown', {
          type: 'boolean',
          default: false,
          describe: 'skip tensors the backbone does not have (e.g. an HF classifier)',
        }),
    (args) => {
      const r = importWeights({
        from: args.from,
        preset: args.preset,
        out: args.out,
        labels: args.labels,
        seed: args.seed,
        heads: args.heads as 'hybrid' | 'baseline',
        allowUnknown: args['allow-unknown'],
      });
      if (args.json) return printJson(r);
      process.stdout.write(`${r.licence}\n\n`);
      process.stdout.write(`model ${r.model} (config: ${r.configSource})\n`);
      const rows: Array<Array<string | number>> = [
        ['backbone', r.backbone.tensors, r.backbone.parameters.toLocaleString('en-US'), 'imported'],
      ];
      for (const [m, c] of Object.entries(r.heads.byModule))
        rows.push([`heads.${m}`, c.tensors, c.parameters.toLocaleString('en-US'), `fresh, seed ${r.seed}`]);
      process.stdout.write(formatTable(['part', 'tensors', 'parameters', 'values'], rows, ['l', 'r', 'r', 'l']));
      if (r.bareNames) process.stdout.write(`${r.bareNames} names had no "layoutlmv3." prefix (bare LayoutLMv3Model file)\n`);
      if (r.ignored.length) process.stdout.write(`ignored: ${r.ignored.join(', ')}\n`);
      process.stdout.write(`wrote ${r.checkpoint}\nwrote ${r.modelConfig}\n`);
    },
  );
}
