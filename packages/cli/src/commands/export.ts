import type { Argv } from 'yargs';
import { writeServingModel } from '@hybridoc/core';
import { printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

/**
 * `hybridoc export MODEL --out FILE.onnx`: the serving graph of an artifact directory, with the weights
 * (its checkpoint, or --checkpoint) baked in as initializers named by their checkpoint names.
 */
export function exportCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'export <model>',
    'write the serving graph of an artifact directory: infer.onnx with the weights baked in as initializers',
    (a) =>
      a
        .positional('model', { type: 'string', demandOption: true, describe: 'artifact directory (from hybridoc build or training)' })
        .option('out', { type: 'string', demandOption: true, describe: 'the .onnx file to write' })
        .option('checkpoint', { type: 'string', describe: 'weights to bake in (default: MODEL/checkpoint.safetensors)' }),
    (args) => {
      const r = writeServingModel(args.model as string, args.out, { checkpoint: args.checkpoint });
      const params = r.manifest.counts.parameters;
      const summary = {
        out: args.out,
        model: r.manifest.model.name,
        checkpoint: r.checkpoint,
        step: r.step,
        parameters: params,
        tensors: r.manifest.counts.tensors,
        inputs: r.manifest.feeds.inputs.map((f) => f.name),
        outputs: r.manifest.outputs,
        bytes: r.bytes,
      };
      if (args.json) return printJson(summary);
      process.stdout.write(
        `wrote ${args.out}: ${r.manifest.model.name}, ${params.toLocaleString('en-US')} parameters in ${summary.tensors} initializers ` +
          `(checkpoint ${r.checkpoint}, step ${r.step}); inputs ${summary.inputs.join(', ')} -> ${summary.outputs.join(', ')}\n`,
      );
    },
  );
}
