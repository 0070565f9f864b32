import { statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { checkModel, formatProblem, inputError, loadModel, shapeToString, summarizeModel } from '@hybridoc/core';
import { formatTable, printJson } from '../output.js';
import type { GlobalArgs } from '../main.js';
import { artifactDirTarget } from './build.js';
import { modelConfigTarget } from './inspect-model-config.js';

/**
 * One kind of thing `hybridoc inspect` understands. Later modules add handlers (artifact directories,
 * checkpoints) to INSPECT_TARGETS; the first whose `matches` accepts the path handles it.
 */
export interface InspectTarget {
  /** What it inspects, for the error message when nothing matches. */
  what: string;
  matches(path: string, isDirectory: boolean): boolean;
  /** Prints the report (JSON when `json`). */
  inspect(path: string, json: boolean): void;
}

/** An .onnx file: summary (ops with subgraphs, inputs, outputs, parameters) and the structural check. */
export const onnxFileTarget: InspectTarget = {
  what: 'an .onnx file',
  matches: (path, isDirectory) => !isDirectory && path.toLowerCase().endsWith('.onnx'),
  inspect(path, json) {
    const model = loadModel(path);
    const summary = summarizeModel(model);
    const problems = checkModel(model).map(formatProblem);
    if (json) return printJson({ file: path, ...summary, check: { ok: problems.length === 0, problems } });
    const out = process.stdout;
    const opsets = summary.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
    out.write(`model ${summary.graphName} (${path})\n`);
    out.write(`IR ${summary.irVersion}, opset ${opsets}, producer ${summary.producer || '?'}\n`);
    const meta = Object.entries(summary.metadata);
    if (meta.length) out.write(`metadata: ${meta.map(([k, v]) => `${k}=${v}`).join('  ')}\n`);
    const tensors = (ts: typeof summary.inputs) =>
      formatTable(
        ['name', 'dtype', 'shape'],
        ts.map((t) => [t.name, t.dtype, shapeToString(t.shape)]),
      );
    out.write(`\ninputs\n${tensors(summary.inputs)}\noutputs\n${tensors(summary.outputs)}\n`);
    out.write(`ops: ${summary.nodeCount} nodes (${summary.subgraphCount} subgraphs)\n`);
    out.write(formatTable(['op', 'count'], Object.entries(summary.opCounts), ['l', 'r']));
    out.write(
      `\nparameters: ${summary.parameterCount.toLocaleString('en-US')} in ${summary.initializerCount} initializers ` +
        `(${humanBytes(summary.parameterBytes)})\n`,
    );
    out.write(
      problems.length === 0
        ? 'structural check: ok\n'
        : `structural check: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n  ${problems.join('\n  ')}\n`,
    );
  },
};

export const INSPECT_TARGETS: InspectTarget[] = [onnxFileTarget, artifactDirTarget, modelConfigTarget];

export function inspectCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'inspect <path>',
    'summarise an ONNX graph: node counts per op (subgraphs included), inputs, outputs, parameter count, structural check',
    (a) => a.positional('path', { type: 'string', demandOption: true, describe: 'an .onnx file or an artifact directory' }),
    (args) => {
      const path = args.path as string;
      let isDirectory: boolean;
      try {
        isDirectory = statSync(path).isDirectory();
      } catch (e) {
        throw inputError(path, undefined, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      const target = INSPECT_TARGETS.find((t) => t.matches(path, isDirectory));
      if (!target) throw inputError(path, undefined, `cannot inspect this; expected ${INSPECT_TARGETS.map((t) => t.what).join(' or ')}`);
      target.inspect(path, args.json);
    },
  );
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
