import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import {
  buildArtifacts,
  createTrainableModel,
  defaultTrainableModel,
  listTrainableModels,
  loadLabelSchema,
  loadModelConfig,
  MANIFEST_FILE,
  modelConfigToJson,
  readTrainingCheckpoint,
  resolveParameters,
  summarizeArtifactSet,
  type ArtifactManifest,
  type TrainingState,
} from '@hybridoc/core';
import { formatTable, printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';
import type { InspectTarget } from './inspect.js';

/**
 * `hybridoc build --preset tiny --out DIR`: the training-artifact set of a model (infer, eval, grad,
 * train_step, optimizer_step graphs, checkpoint.safetensors, manifest.json), written atomically.
 */
export function buildCommand(y: Argv<GlobalArgs>) {
  const models = listTrainableModels().map((m) => m.name);
  return y.command(
    'build',
    'build the training-artifact set of a model: infer/eval/grad/train_step/optimizer_step graphs, checkpoint, manifest',
    (a) =>
      a
        .option('preset', { type: 'string', default: 'tiny', describe: 'model preset or config file (sizes)' })
        .option('out', { type: 'string', demandOption: true, describe: 'artifact directory (replaced atomically)' })
        .option('model', { type: 'string', choices: models, default: defaultTrainableModel(), describe: 'which trainable model' })
        .option('labels', { type: 'string', describe: 'label schema YAML (default: config/labels.yaml)' })
        .option('seed', { type: 'number', default: 0, describe: 'seed of the initial parameters' })
        .option('init-from', { type: 'string', describe: 'start from the parameters (and optimizer state, if any) of this checkpoint' })
        .option('freeze', {
          type: 'string',
          array: true,
          default: [] as string[],
          describe: 'freeze parameters matching these name patterns (* wildcard)',
        })
        .option('dropout', { type: 'number', describe: 'dropout probability (default: the preset’s)' })
        .option('dtype', {
          type: 'string',
          choices: ['float32', 'float64'] as const,
          default: 'float32',
          describe: 'float type (float64: numerical checks)',
        })
        .option('weight-decay', {
          type: 'number',
          default: 0.01,
          describe: 'default decoupled weight decay (fed per step; recorded in the manifest)',
        })
        .option('max-grad-norm', { type: 'number', default: 1.0, describe: 'default global-norm clip, 0 for none (fed per step)' }),
    async (args) => {
      const modelConfig = loadModelConfig(args.preset);
      const schema = loadLabelSchema(args.labels);
      const model = createTrainableModel(args.model, {
        modelConfig,
        labels: { numLabels: schema.numLabels, numGroupClasses: schema.numGroupClasses },
        schema,
        dtype: args.dtype as 'float32' | 'float64',
        dropout: args.dropout,
      });
      const options = {
        freeze: args.freeze,
        weightDecay: args['weight-decay'],
        maxGradNorm: args['max-grad-norm'],
        schemaHash: schema.hash,
        preset: modelConfig.name,
        modelConfig: modelConfigToJson(modelConfig),
        seed: args.seed,
      };
      let initialState: TrainingState | undefined;
      if (args['init-from']) {
        const layout = { dtype: model.dtype, parameters: resolveParameters(model, options) };
        initialState = readTrainingCheckpoint(args['init-from'], layout, { allowMissingState: true });
      }
      const manifest = await buildArtifacts(model, args.out, { ...options, initialState, initFrom: args['init-from'] });
      if (args.json) return printJson({ dir: args.out, manifest });
      printBuildSummary(args.out, manifest);
    },
  );
}

function printBuildSummary(dir: string, m: ArtifactManifest): void {
  const out = process.stdout;
  out.write(
    `artifact set ${dir}: model ${m.model.name}, preset ${m.preset ?? '-'}, ${m.dtype}, opset ${m.opset}, hybridoc ${m.hybridocVersion}\n`,
  );
  out.write(
    `parameters: ${m.counts.parameters.toLocaleString('en-US')} in ${m.counts.tensors} tensors, ` +
      `${m.counts.trainableParameters.toLocaleString('en-US')} trainable in ${m.counts.trainableTensors}\n`,
  );
  out.write(`loss parts: ${m.lossParts.map((p) => `${p} (weight ${m.defaultLossWeights[p]})`).join(', ')}\n\n`);
  out.write(graphTable(m));
  out.write(`\nwrote ${dir}\n`);
}

function graphTable(m: ArtifactManifest, bytes?: Map<string, number>, problems?: Map<string, string[]>): string {
  const dash = (n: number | undefined) => (n === undefined ? '-' : String(n));
  const rows = Object.entries(m.graphs).map(([kind, g]) => {
    const row: Array<string | number> = [
      g.file,
      g.inputs.length,
      g.outputs.length,
      g.nodes,
      dash(g.forwardNodes),
      dash(g.backwardNodes),
      dash(g.optimizerNodes),
    ];
    if (bytes) row.push(humanBytes(bytes.get(kind) ?? 0));
    if (problems) row.push(problems.get(kind)?.length ? `${problems.get(kind)!.length} problem(s)` : 'ok');
    return row;
  });
  const header = ['graph', 'inputs', 'outputs', 'nodes', 'forward', 'backward', 'optimizer'];
  if (bytes) header.push('size');
  if (problems) header.push('check');
  return formatTable(header, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** `hybridoc inspect DIR` for an artifact directory (registered in inspect.ts's INSPECT_TARGETS). */
export const artifactDirTarget: InspectTarget = {
  what: 'an artifact directory (manifest.json)',
  matches: (path, isDirectory) => isDirectory && existsSync(join(path, MANIFEST_FILE)),
  inspect(path, json) {
    const s = summarizeArtifactSet(path);
    if (json) return printJson(s);
    const m = s.manifest;
    const out = process.stdout;
    out.write(`artifact set ${path}${s.complete ? '' : ' (no completion marker)'}\n`);
    out.write(
      `model ${m.model.name}, preset ${m.preset ?? '-'}, ${m.dtype}, IR ${m.irVersion}, opset ${m.opset}, hybridoc ${m.hybridocVersion}\n`,
    );
    if (m.schemaHash) out.write(`label schema hash ${m.schemaHash}\n`);
    out.write(
      `parameters: ${m.counts.parameters.toLocaleString('en-US')} in ${m.counts.tensors} tensors, ` +
        `${m.counts.trainableParameters.toLocaleString('en-US')} trainable in ${m.counts.trainableTensors}\n`,
    );
    out.write(`parameters by module: ${moduleCounts(m.parameters)}\n`);
    const frozen = m.parameters.filter((p) => !p.trainable).map((p) => p.name);
    if (frozen.length)
      out.write(`frozen: ${frozen.length <= 6 ? frozen.join(', ') : `${frozen.slice(0, 6).join(', ')}, ... (${frozen.length})`}\n`);
    const o = m.optimizer;
    out.write(
      `optimizer: AdamW beta1 ${o.beta1}, beta2 ${o.beta2}, eps ${o.eps}, weight decay ${o.weightDecay} (not: ${o.noDecay.join(' ')}), clip ${o.maxGradNorm}\n`,
    );
    out.write(`feeds: ${[...m.feeds.inputs, ...m.feeds.labels].map((f) => `${f.name} ${f.dtype}[${f.shape.join(', ')}]`).join(', ')}\n`);
    out.write(`outputs: ${m.outputs.join(', ')}; loss parts: ${m.lossParts.join(', ')}\n\n`);
    out.write(graphTable(m, new Map(s.graphs.map((g) => [g.kind, g.bytes])), new Map(s.graphs.map((g) => [g.kind, g.problems]))));
    out.write(
      `\ncheckpoint: ${s.checkpoint.file}, ${s.checkpoint.tensors} tensors, ${humanBytes(s.checkpoint.bytes)}, step ${s.checkpoint.step}\n`,
    );
    const problems = s.graphs.flatMap((g) => g.problems.map((p) => `${g.file}: ${p}`));
    out.write(problems.length ? `structural check: ${problems.length} problem(s)\n  ${problems.join('\n  ')}\n` : 'structural check: ok\n');
  },
};

/** "backbone 73,184 (52 tensors), group 868 (4), ..." in checkpoint order of first appearance. */
function moduleCounts(parameters: ReadonlyArray<{ module: string; shape: number[] }>): string {
  const by = new Map<string, { params: number; tensors: number }>();
  for (const p of parameters) {
    const m = by.get(p.module) ?? { params: 0, tensors: 0 };
    m.params += p.shape.reduce((a, d) => a * d, 1);
    m.tensors += 1;
    by.set(p.module, m);
  }
  return [...by].map(([name, m]) => `${name} ${m.params.toLocaleString('en-US')} (${m.tensors} tensors)`).join(', ');
}
