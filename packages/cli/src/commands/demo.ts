import type { Argv } from 'yargs';
import { loadLabelSchema, schemaSummary } from '@hybridoc/core';
import { printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';

/** The README's main command. It grows with each capability that lands; today it shows the schema. */
export function demoCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'demo',
    'run the end-to-end demo on the embedded defaults',
    (a) => a,
    (args) => {
      const s = schemaSummary(loadLabelSchema());
      const plan = [
        'generate a small synthetic corpus (8 domains, all entities)',
        'build the small LayoutLMv3 preset with the hierarchical + prototype head and adaptive CRF',
        'train on CPU for a few minutes through ONNX Runtime graphs',
        'evaluate per entity, group and domain, and draw the predicted fields on an unseen invoice',
      ];
      if (args.json)
        return printJson({
          schema: { name: s.name, hash: s.hash, groups: s.numGroups, entities: s.numEntities, labels: s.numLabels },
          plan,
          status: 'schema-only',
        });
      process.stdout.write(
        `hybridoc demo\n\nlabel schema ${s.name}: ${s.numGroups} entity groups (+ outside), ${s.numEntities} entities, ${s.numLabels} BIO labels\n\n`,
      );
      for (const g of s.groups)
        process.stdout.write(
          `  ${g.name.padEnd(20)} ${String(g.entities.length).padStart(2)}  ${g.entities.slice(0, 4).join(', ')}${g.entities.length > 4 ? ', ...' : ''}\n`,
        );
      process.stdout.write('\nThe full demo, as its parts land, will:\n' + plan.map((p, i) => `  ${i + 1}. ${p}`).join('\n') + '\n');
    },
  );
}
