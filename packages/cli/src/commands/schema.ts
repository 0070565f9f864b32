import type { Argv } from 'yargs';
import { loadLabelSchema, schemaSummary } from '@hybridoc/core';
import { formatTable, printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

export function schemaCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'schema',
    'print the label schema: groups, entity counts and labels',
    (a) =>
      a.option('config', { type: 'string', describe: 'label schema YAML (default: config/labels.yaml)' }).option('labels', {
        type: 'boolean',
        default: false,
        describe: 'also list every label id',
      }),
    (args) => {
      const schema = loadLabelSchema(args.config);
      const summary = schemaSummary(schema);
      if (args.json) return printJson(summary);
      process.stdout.write(`schema ${summary.name} (${schema.file})  hash ${summary.hash}\n\n`);
      const rows = summary.groups.map((g) => [g.id, g.name, g.entities.length, g.labels.length, g.entities.join(' ') || 'O']);
      process.stdout.write(formatTable(['id', 'group', 'entities', 'labels', 'members'], rows, ['r', 'l', 'r', 'r', 'l']));
      process.stdout.write(
        `\n${summary.numGroups} entity groups (+1 outside group for O = ${summary.numGroupClasses} group-head classes), ` +
          `${summary.numEntities} entities, ${summary.numLabels} labels\n`,
      );
      if (args.labels) {
        process.stdout.write(
          '\n' +
            formatTable(
              ['id', 'label', 'group'],
              summary.labels.map((l, i) => [i, l, schema.groups[schema.labelToGroup[i]].name]),
              ['r'],
            ),
        );
      }
    },
  );
}
