import type { Argv } from 'yargs';
import { HybridocError, predictBatch, type BatchSummary, type DecodeMode, type PredictBackend, type ProviderName } from '@hybridoc/core';
import type { GlobalArgs } from '../main.js';

/**
 * `hybridoc predict MODEL INPUT... [--out FILE.jsonl] [--workers K] [--draw DIR]`: fields of PDFs, images and
 * native JSON documents, one JSON line per input (input path, fields, timing, or the error), in the order
 * they complete. With --out the file is appended line by line and a rerun skips the inputs already in it.
 */
export function predictCommand(y: Argv<GlobalArgs>) {
  return y.command(
    'predict <model> <inputs..>',
    'predict the fields of documents (PDF, PNG/JPEG/TIFF, native JSON; files, folders, globs): one JSON line each',
    (a) =>
      a
        .positional('model', {
          type: 'string',
          demandOption: true,
          describe: 'model directory (hybridoc train --out, or an artifact directory with tokenizer.json)',
        })
        .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'files, folders and globs' })
        .option('out', { type: 'string', describe: 'JSONL file to append to (resumable); default: lines on stdout' })
        .option('workers', { type: 'number', default: 1, describe: 'worker threads, each with its own loaded model' })
        .option('threads', { type: 'number', describe: 'ONNX Runtime threads per worker (default: cores / workers)' })
        .option('draw', { type: 'string', describe: 'write each page with its fields boxed and labelled into this folder' })
        .option('decode', { type: 'string', choices: ['viterbi', 'argmax'] as const, describe: "decoder (default: the model's)" })
        .option('device', { type: 'string', choices: ['cpu', 'cuda', 'webgpu'] as const, default: 'cpu', describe: 'execution provider' })
        .option('backend', {
          type: 'string',
          choices: ['node', 'wasm'] as const,
          default: 'node',
          describe: 'onnxruntime-node, or onnxruntime-web (WebAssembly)',
        })
        .option('checkpoint', { type: 'string', describe: 'training runs: best (default), last, or a checkpoint file' })
        .option('labels', { type: 'boolean', default: false, describe: 'also write the BIO label of every word' }),
    async (args) => {
      for (const k of ['workers', 'threads'] as const) {
        const v = args[k];
        if (v !== undefined && (!Number.isInteger(v) || v < 1))
          throw new HybridocError(`--${k}: expected a positive integer, got ${String(v)}`);
      }
      const summary = await predictBatch({
        model: args.model as string,
        inputs: args.inputs as string[],
        out: args.out,
        workers: args.workers,
        threads: args.threads,
        draw: args.draw,
        decode: args.decode as DecodeMode | undefined,
        device: (args.backend === 'wasm' ? 'wasm' : args.device) as ProviderName,
        backend: args.backend as PredictBackend,
        checkpoint: args.checkpoint,
        labels: args.labels,
        logLevel: args['log-level'],
      });
      // lines own stdout when there is no --out; the summary then goes to stderr
      const stream = args.out ? process.stdout : process.stderr;
      stream.write(args.json ? JSON.stringify({ summary }) + '\n' : summaryText(summary));
    },
  );
}

function summaryText(s: BatchSummary): string {
  const parts = [`${s.done} done`, `${s.failed} failed`];
  if (s.skipped) parts.push(`${s.skipped} already in ${s.out}`);
  const rate = `${s.docsPerSecond.toFixed(s.docsPerSecond >= 10 ? 1 : 2)} docs/s`;
  return `predict: ${parts.join(', ')} of ${s.total} inputs in ${s.seconds.toFixed(1)} s (${rate}, ${s.workers} worker${s.workers === 1 ? '' : 's'})${s.out ? `; lines in ${s.out}` : ''}\n`;
}
