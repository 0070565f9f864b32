/**
 * Worker-thread entry for `generateCorpus({ workers: K })`: builds the same job as the main thread from the
 * options it is sent, then makes the chunks it is handed, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadLabelSchema } from '../schema/label-schema.js';
import { loadCorpusConfig } from './corpus-config.js';
import { CorpusPlan } from './corpus-plan.js';
import { DocumentFactory } from './generate-document.js';
import { writeChunk, type ChunkJob } from './write-chunk.js';
import type { WorkerSetup } from './generate-corpus.js';

const setup = workerData as WorkerSetup;
const schema = loadLabelSchema(setup.schemaFile);
const config = loadCorpusConfig(schema, setup.configFiles);
config.splits = setup.splits;
const plan = new CorpusPlan(config, setup.seed, setup.count, setup.domains);
let stop = false;
let pending = 0;
const job: ChunkJob = {
  out: setup.out,
  plan,
  factory: new DocumentFactory(schema),
  noise: setup.noise,
  images: setup.images,
  imageSize: setup.imageSize,
  shardSize: setup.shardSize,
  count: setup.count,
  onDocument: () => {
    if (++pending >= 25) {
      parentPort!.postMessage({ type: 'progress', documents: pending });
      pending = 0;
    }
  },
  shouldStop: () => stop,
};

parentPort!.on('message', (m: { type: 'chunk'; chunk: number } | { type: 'stop' }) => {
  if (m.type === 'stop') {
    stop = true;
    return;
  }
  try {
    const stats = writeChunk(job, m.chunk);
    if (pending) parentPort!.postMessage({ type: 'progress', documents: pending });
    pending = 0;
    parentPort!.postMessage({ type: 'done', chunk: m.chunk, complete: stats !== null });
  } catch (err) {
    parentPort!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
parentPort!.postMessage({ type: 'ready' });
