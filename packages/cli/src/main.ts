import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { configureLogging, HybridocError, HYBRIDOC_VERSION } from '@hybridoc/core';
import { schemaCommand } from './commands/schema.js';
import { demoCommand } from './commands/demo.js';
import { importWeightsCommand } from './commands/import-weights.js';
import { inspectCommand } from './commands/inspect.js';
import { buildCommand } from './commands/build.js';
import { exportCommand } from './commands/export.js';
import { generateCommand } from './commands/generate.js';
import { corpusStatsCommand } from './commands/corpus-stats.js';
import { importCommand } from './commands/import.js';
import { trainCommand } from './commands/train.js';
import { evaluateCommand } from './commands/evaluate.js';
import { addLabelCommand } from './commands/add-label.js';
import { analyzeCommand } from './commands/analyze.js';
import { predictCommand } from './commands/predict.js';
import { compareCommand } from './commands/compare.js';

export interface GlobalArgs {
  json: boolean;
  'log-level': string;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Commands register here, one module each. */
const COMMANDS: Array<(y: Argv<GlobalArgs>) => Argv<GlobalArgs>> = [
  schemaCommand,
  demoCommand,
  importWeightsCommand,
  inspectCommand,
  buildCommand,
  exportCommand,
  generateCommand,
  corpusStatsCommand,
  importCommand,
  trainCommand,
  evaluateCommand,
  addLabelCommand,
  analyzeCommand,
  predictCommand,
  compareCommand,
];

export async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName('hybridoc')
    .version(HYBRIDOC_VERSION)
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable output (and JSON logs)' })
    .option('log-level', { type: 'string', choices: LEVELS, default: 'info', describe: 'log verbosity' })
    .middleware((a) => configureLogging({ level: a['log-level'] as (typeof LEVELS)[number], json: a.json || !process.stderr.isTTY }))
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new HybridocError(msg, { exitCode: 1 });
    }) as unknown as Argv<GlobalArgs>;
  for (const register of COMMANDS) cli = register(cli);
  await cli.parseAsync();
}

main(hideBin(process.argv)).catch((err: unknown) => {
  if (err instanceof HybridocError) {
    process.stderr.write(`hybridoc: ${err.message}\n`);
    process.exitCode = err.exitCode;
    return;
  }
  process.stderr.write(`hybridoc: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 70;
});
