import type { Argv } from 'yargs';
import { addLabel } from '@hybridoc/core';
import { printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

/**
 * `hybridoc add-label --model DIR --entity NAME --group GROUP --examples FILES`: a new entity from a few
 * annotated documents, without training: its prototypes are the mean embeddings of its words, its labels
 * take the next ids, and the artifact set is rebuilt (core: heads/add-label.ts).
 */
export function addLabelCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'add-label',
    'add an entity to a trained hybrid model from a few annotated documents (no training): new prototypes, next label ids, rebuilt artifacts',
    (a) =>
      a
        .option('model', {
          type: 'string',
          demandOption: true,
          describe: 'artifact directory of a layoutlmv3-hybrid model (rewritten atomically)',
        })
        .option('entity', { type: 'string', demandOption: true, describe: 'new entity name (UPPER_SNAKE_CASE)' })
        .option('group', { type: 'string', demandOption: true, describe: 'the entity group it joins' })
        .option('examples', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'native JSON / JSONL documents whose words carry B-/I-ENTITY labels',
        })
        .option('description', { type: 'string', describe: 'description recorded in the schema' })
        .option('out', { type: 'string', describe: 'write the extended model here instead of replacing --model' })
        .option('serving', { type: 'string', describe: 'also write the serving export (weights baked in) to this .onnx file' })
        .option('tokenizer', { type: 'string', describe: 'tokenizer.json or its directory (default: the model directory)' })
        .option('image-root', { type: 'string', describe: 'where relative page images start (default: each example file’s folder)' }),
    async (args) => {
      const r = await addLabel({
        modelDir: args.model,
        entity: args.entity,
        group: args.group,
        examples: args.examples,
        description: args.description,
        out: args.out,
        servingOut: args.serving,
        tokenizer: args.tokenizer,
        imageRoot: args['image-root'],
      });
      const summary = {
        dir: r.dir,
        entity: args.entity,
        group: args.group,
        labels: r.labels,
        numLabels: r.schema.numLabels,
        schemaHash: r.schema.hash,
        previousSchemaHash: r.previousSchemaHash,
        examples: r.examples,
        check: r.check,
        servingFiles: r.servingFiles,
        parameters: r.manifest.counts.parameters,
      };
      if (args.json) return printJson(summary);
      const e = r.examples;
      process.stdout.write(
        `added ${args.entity} to group ${args.group} in ${r.dir}: ${r.labels.begin.name} = ${r.labels.begin.id}, ${r.labels.inside.name} = ${r.labels.inside.id} ` +
          `(${r.schema.numLabels} labels, schema ${r.previousSchemaHash} -> ${r.schema.hash})\n` +
          `prototypes from ${e.documents} document${e.documents === 1 ? '' : 's'}: ${e.beginWords} B- words, ${e.insideWords} I- words` +
          `${e.insideFromBegin ? ' (no I- words: the I- prototype is the B- one)' : ''}\n` +
          `on its examples the rebuilt model gives ${r.check.correct} of ${r.check.words} ${args.entity} words the right label\n` +
          (r.servingFiles.length ? `serving exports rewritten: ${r.servingFiles.join(', ')}\n` : ''),
      );
    },
  );
}
