import type { Argv } from 'yargs';
import { parse as parseYaml } from 'yaml';
import { HybridocError, listTrainableModels, train, type TrainResult } from '@hybridoc/core';
import { printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

const DEVICES = ['cpu', 'cuda', 'webgpu'] as const;

/**
 * `hybridoc train --config NAME|FILE --corpus DIR --out DIR`: train a model on a corpus through the ONNX
 * training graphs. Interrupted (Ctrl-C, a kill, a crash), the same command continues from the last checkpoint
 * with the same data order and dropout masks; Ctrl-C writes a checkpoint first (twice: stop at once).
 */
export function trainCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'train',
    'train a model on a corpus (resumable: run the same command again after an interruption)',
    (a) =>
      a
        .option('config', { type: 'string', default: 'default', describe: 'training preset name or YAML file' })
        .option('corpus', { type: 'string', demandOption: true, describe: 'corpus directory (hybridoc generate)' })
        .option('out', { type: 'string', demandOption: true, describe: 'output directory: checkpoints, metrics, loss curves, model' })
        .option('device', { type: 'string', choices: DEVICES, default: 'cpu' as const, describe: 'ONNX Runtime execution provider' })
        .option('resume', {
          type: 'boolean',
          default: false,
          describe: 'require a run in --out to continue (without it, one is continued if present)',
        })
        .option('fresh', { type: 'boolean', default: false, describe: 'delete the run in --out (not its feature cache) and start over' })
        .option('model', {
          type: 'string',
          describe: `trainable model (default from model.architecture; known: ${listTrainableModels()
            .map((m) => m.name)
            .join(', ')})`,
        })
        .option('tokenizer', {
          type: 'string',
          describe: 'tokenizer.json or vocab.json + merges.txt (default: trained on the training split)',
        })
        .option('set', {
          type: 'string',
          array: true,
          default: [] as string[],
          describe: 'override a config key: --set training.num_epochs=3',
        })
        .option('max-steps', { type: 'number', describe: 'stop after this many optimizer steps (the LR schedule ends there)' })
        .option('checkpoint-every', {
          type: 'number',
          describe: 'write the last checkpoint every N steps (default 200; and every 5 minutes)',
        })
        .option('threads', { type: 'number', describe: 'ONNX Runtime intra-op threads (keep it the same when resuming)' })
        .option('feature-cache', { type: 'string', describe: 'feature cache directory (default OUT/features)' }),
    async (args) => {
      for (const k of ['max-steps', 'checkpoint-every', 'threads'] as const) {
        const v = args[k];
        if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1))
          throw new HybridocError(`--${k}: expected an integer >= 1, got ${String(v)}`);
      }
      if (args.resume && args.fresh) throw new HybridocError('--resume and --fresh: give one or the other');
      const overrides = parseOverrides(args.set);
      const controller = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals++;
        if (signals > 1) process.exit(130);
        process.stderr.write(`\nhybridoc: ${sig}: writing a checkpoint after this step (again to stop at once)\n`);
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let r: TrainResult;
      try {
        r = await train({
          config: args.config,
          overrides,
          corpus: args.corpus,
          out: args.out,
          device: args.device as (typeof DEVICES)[number],
          resume: args.fresh ? 'fresh' : args.resume ? 'require' : 'auto',
          model: args.model,
          tokenizer: args.tokenizer,
          maxSteps: args['max-steps'],
          checkpointEvery: args['checkpoint-every'],
          threads: args.threads,
          featureCacheDir: args['feature-cache'],
          signal: controller.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      if (args.json) {
        const { run, paths, ...rest } = r;
        return printJson({ ...rest, paths, run });
      }
      const out = process.stdout;
      const f = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));
      out.write(
        `${r.stoppedBy === 'interrupted' ? 'interrupted' : `finished (${r.stoppedBy.replace('_', ' ')})`}: ` +
          `${r.steps} of ${r.totalSteps} steps, ${r.epochs} epochs, ${r.stepsThisRun} steps in this run` +
          (r.resumedFromStep > 0 ? ` (resumed at step ${r.resumedFromStep})` : '') +
          `, ${Math.round(r.elapsedSeconds)} s training in all\n`,
      );
      out.write(`model ${r.run.model.name} (${r.run.model.preset} preset), run ${r.runId}\n`);
      out.write(`best val entity F1 ${f(r.bestValF1)}${r.bestEpoch !== null ? ` at epoch ${r.bestEpoch} (step ${r.bestStep})` : ''}\n`);
      out.write(`checkpoints  ${r.paths.best}\n             ${r.paths.last}\n`);
      out.write(`metrics      ${r.paths.metrics}\nloss curves  ${r.paths.lossCurves}\n`);
      if (r.stoppedBy === 'interrupted') out.write('run the same command again to continue\n');
    },
  );
}

/** `--set a.b=value` pairs; values are read as YAML scalars (3, 0.5, true, [1, end], text). */
export function parseOverrides(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new HybridocError(`--set: expected KEY=VALUE (e.g. training.num_epochs=3), got "${p}"`);
    const key = p.slice(0, eq).trim();
    let value: unknown;
    try {
      value = parseYaml(p.slice(eq + 1));
    } catch {
      value = p.slice(eq + 1);
    }
    out[key] = value;
  }
  return out;
}
