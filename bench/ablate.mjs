#!/usr/bin/env node
// The seed's other systems measured one at a time against one baseline run (issue 9): domain-balanced vs
// plain shuffled sampling, focal vs plain NLL, curriculum (the CRF term joins in the last epoch) vs none,
// `combine: product` vs the normalised form. The baseline is the hybrid head + adaptive CRF of
// config/training/compare.yaml; every variant changes one setting of it and trains from scratch on the same
// corpus for the same epochs. Runs one variant at a time and resumes (finished variants are kept in the work
// directory). Prints the table; writes WORK/ablations.md and .json.
//
//   npx tsc -b && node bench/ablate.mjs [--work-dir DIR] [--docs 1000] [--epochs 2] [--config compare] [--threads 2] [--variants a,b] [--json]
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { configureLogging, runAblations } from '../packages/core/dist/index.js';

const { values: opt } = parseArgs({
  options: {
    'work-dir': { type: 'string', default: join(tmpdir(), 'hybridoc-ablate') },
    docs: { type: 'string', default: '1000' },
    epochs: { type: 'string', default: '2' },
    config: { type: 'string', default: 'compare' },
    threads: { type: 'string' },
    variants: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
configureLogging({ level: 'warn', json: opt.json || !process.stderr.isTTY });
const started = performance.now();
const report = await runAblations({
  workDir: opt['work-dir'],
  config: opt.config,
  documents: Number(opt.docs),
  epochs: Number(opt.epochs),
  threads: opt.threads ? Number(opt.threads) : undefined,
  variants: opt.variants ? opt.variants.split(',') : undefined,
  progress: opt.json ? 'silent' : 'auto',
  onVariant: (e) => {
    if (!opt.json) process.stderr.write(`ablate: ${e.variant}: ${e.status === 'reused' ? 'finished earlier' : e.status}\n`);
  },
});
if (opt.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
else {
  process.stdout.write(
    `\nnode bench/ablate.mjs --docs ${opt.docs} --epochs ${opt.epochs} --config ${opt.config} (work dir ${report.workDir}), ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s in this process\n\n${report.markdown}`,
  );
}
