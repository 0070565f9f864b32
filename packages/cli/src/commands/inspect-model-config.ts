import { basename } from 'node:path';
import {
  buildLayoutLMv3Graph,
  checkModel,
  formatProblem,
  loadModelConfig,
  parameterCounts,
  shapeToString,
  summarizeModel,
  visualTokenCount,
} from '@hybridoc/core';
import { formatTable, printJson } from '../output.js';
import type { InspectTarget } from './inspect.js';

/**
 * A model config (a preset YAML such as config/models/base.yaml, our model-config.json or a Hugging Face
 * config.json): builds its LayoutLMv3 backbone graph and reports the backbone parameters (graph inputs named
 * by checkpoint names), the graph's ops, feeds and outputs, and the structural check.
 */
export const modelConfigTarget: InspectTarget = {
  what: 'a model config (.yaml, model-config.json or config.json)',
  matches: (path, isDirectory) => !isDirectory && (/\.ya?ml$/i.test(path) || ['model-config.json', 'config.json'].includes(basename(path))),
  inspect(path, json) {
    const cfg = loadModelConfig(path);
    const { graph, parameters } = buildLayoutLMv3Graph(cfg.backbone);
    const model = graph.toModel({ preset: cfg.name, skipCheck: true });
    const summary = summarizeModel(model);
    const problems = checkModel(model).map(formatProblem);
    const counts = parameterCounts(parameters);
    const paramNames = new Set(parameters.map((p) => p.name));
    const feeds = summary.inputs.filter((i) => !paramNames.has(i.name));
    const b = cfg.backbone;
    const report = {
      config: path,
      name: cfg.name,
      backbone: {
        parameters: counts.parameters,
        tensors: counts.tensors,
        hidden_size: b.hidden_size,
        layers: b.num_hidden_layers,
        heads: b.num_attention_heads,
        text_tokens: b.max_text_length,
        visual_tokens: visualTokenCount(b),
      },
      nodeCount: summary.nodeCount,
      opCounts: summary.opCounts,
      feeds,
      outputs: summary.outputs,
      check: { ok: problems.length === 0, problems },
    };
    if (json) return printJson(report);
    const out = process.stdout;
    out.write(`model config ${cfg.name} (${path}): LayoutLMv3 backbone graph\n`);
    out.write(
      `backbone parameters: ${counts.parameters.toLocaleString('en-US')} in ${counts.tensors} tensors ` +
        `(${b.num_hidden_layers} layers x ${b.hidden_size} hidden, ${b.num_attention_heads} heads; ` +
        `${b.max_text_length} text + ${visualTokenCount(b)} visual tokens)\n`,
    );
    const tensors = (ts: typeof feeds) =>
      formatTable(
        ['name', 'dtype', 'shape'],
        ts.map((t) => [t.name, t.dtype, shapeToString(t.shape)]),
      );
    out.write(`\nfeeds (parameters are the other ${counts.tensors} inputs)\n${tensors(feeds)}\noutputs\n${tensors(summary.outputs)}\n`);
    out.write(`ops: ${summary.nodeCount} nodes\n`);
    out.write(formatTable(['op', 'count'], Object.entries(summary.opCounts), ['l', 'r']));
    out.write(
      problems.length === 0
        ? '\nstructural check: ok\n'
        : `\nstructural check: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n  ${problems.join('\n  ')}\n`,
    );
  },
};
