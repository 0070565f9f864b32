/**
 * generateCorpus: the synthetic invoice corpus on disk. Work is split into shard-sized chunks made in this
 * thread or in worker threads; each chunk commits by writing its stats file, so a run that stops (Ctrl-C, a
 * crash, an AbortSignal) resumes where it was with the same command and never duplicates a document. The
 * manifest is written last from the chunk stats. Output is a pure function of the seed and options: the
 * same bytes with 1 worker or 8, in one run or after any number of interruptions.
 *
 * Layout of a corpus directory:
 *   generation.json          the options, checked on resume
 *   shards/<split>-NNNNN.jsonl one document per line, in index order (split: train, val, test, test-unseen-templates)
 *   images/NNNNN/<id>-pK.png page K of a document at image_size x image_size (unless --no-images)
 *   stats/chunk-NNNNN.json   per-chunk counts (commit markers)
 *   manifest.json            counts, frequencies, domain mix, splits, generator version
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { HYBRIDOC_VERSION } from '../version.js';
import { loadCorpusConfig, type CorpusConfig } from './corpus-config.js';
import { CorpusPlan } from './corpus-plan.js';
import { CORPUS_GENERATOR, DocumentFactory, type NoiseOptions } from './generate-document.js';
import { buildManifest, type ChunkStats, type CorpusManifest } from './manifest.js';
import { statsPath, writeChunk } from './write-chunk.js';

export interface GenerateCorpusOptions {
  /** output directory (created when missing) */
  out: string;
  count: number;
  seed: number;
  /** restrict to these domains (their shares are renormalised); default: every configured domain */
  domains?: string[];
  /** write 224 x 224 page images (default true) */
  images?: boolean;
  /** worker threads (default 1: generate in this thread) */
  workers?: number;
  /** noise switches; defaults from config/corpus.yaml */
  noise?: Partial<NoiseOptions>;
  shardSize?: number;
  imageSize?: number;
  /** label schema or its file (default config/labels.yaml) */
  schema?: LabelSchema | string;
  /** config files (default config/domains.yaml, config/corpus.yaml) */
  configFiles?: { domains?: string; corpus?: string };
  /** replace a corpus already in `out` made with other options */
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: CorpusProgress) => void;
}

export interface CorpusProgress {
  documents: number;
  total: number;
  chunksDone: number;
  chunks: number;
}

export interface GenerateCorpusResult {
  manifest: CorpusManifest;
  /** chunks found complete from an earlier run */
  resumedChunks: number;
  generatedChunks: number;
  seconds: number;
}

/** What a worker thread needs to rebuild the job. */
export interface WorkerSetup {
  out: string;
  schemaFile: string;
  configFiles: { domains?: string; corpus?: string };
  seed: number;
  count: number;
  domains?: string[];
  noise: NoiseOptions;
  images: boolean;
  imageSize: number;
  shardSize: number;
  splits: CorpusConfig['splits'];
}

function workerScript(): URL {
  const here = new URL('./corpus-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  // running from sources (tests): use the built worker
  const built = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/corpus/corpus-worker.js');
  if (existsSync(built)) return new URL(`file://${built}`);
  throw new HybridocError('corpus worker script not found; build first (npx tsc -b) or use --workers 1');
}

/** Generate (or resume) a corpus. */
export async function generateCorpus(o: GenerateCorpusOptions): Promise<GenerateCorpusResult> {
  const t0 = performance.now();
  const log = logger('corpus');
  if (!Number.isInteger(o.count) || o.count < 1) throw new HybridocError(`--count: expected a positive integer, got ${o.count}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)
    throw new HybridocError(`--seed: expected an integer in [0, 4294967295], got ${o.seed}`);
  const schema = typeof o.schema === 'object' ? o.schema : loadLabelSchema(o.schema);
  const config = loadCorpusConfig(schema, o.configFiles);
  const noise: NoiseOptions = { ...config.noise, ...(o.noise ?? {}) };
  for (const [k, v] of Object.entries(noise))
    if (typeof v !== 'number' || !(v >= 0)) throw new HybridocError(`--noise-${k}: expected a rate >= 0, got ${v}`);
  const shardSize = o.shardSize ?? config.shardSize;
  const imageSize = o.imageSize ?? config.imageSize;
  const images = o.images ?? true;
  const plan = new CorpusPlan(config, o.seed, o.count, o.domains);
  const out = resolve(o.out);
  const options: CorpusManifest['options'] = {
    seed: o.seed,
    count: o.count,
    domains: plan.domains.map((d) => d.name),
    images,
    imageSize,
    shardSize,
    noise,
    splits: config.splits,
  };
  const generation = JSON.stringify(
    {
      generator: CORPUS_GENERATOR,
      version: HYBRIDOC_VERSION,
      schema: schema.hash,
      options,
      families: plan.domains.map((d) => ({ domain: d.name, share: d.share, families: d.families })),
    },
    null,
    2,
  );
  prepareDirectory(out, generation, o.overwrite ?? false);

  const chunks = Math.ceil(o.count / shardSize);
  const done = new Set<number>();
  for (let k = 0; k < chunks; k++) if (existsSync(statsPath(out, k))) done.add(k);
  const resumedChunks = done.size;
  if (resumedChunks) log.info({ resumed: resumedChunks, chunks }, 'resuming corpus');
  const todo = Array.from({ length: chunks }, (_, k) => k).filter((k) => !done.has(k));
  let docsDone = [...done].reduce((s, k) => s + Math.min(shardSize, o.count - k * shardSize), 0);
  const progress = () => o.onProgress?.({ documents: docsDone, total: o.count, chunksDone: done.size, chunks });
  const workers = Math.max(1, Math.min(o.workers ?? 1, todo.length, cpus().length * 2));

  if (todo.length > 0) {
    if (workers === 1) {
      const job = {
        out,
        plan,
        factory: new DocumentFactory(schema),
        noise,
        images,
        imageSize,
        shardSize,
        count: o.count,
        onDocument: () => {
          docsDone++;
          if (docsDone % 25 === 0) progress();
        },
        shouldStop: () => o.signal?.aborted ?? false,
      };
      for (const k of todo) {
        if (o.signal?.aborted) break;
        const s = writeChunk(job, k);
        if (s) {
          done.add(k);
          progress();
        }
        await new Promise((r) => setImmediate(r));
      }
    } else {
      await runWorkers(
        {
          out,
          schemaFile: schema.file,
          configFiles: o.configFiles ?? {},
          seed: o.seed,
          count: o.count,
          domains: o.domains,
          noise,
          images,
          imageSize,
          shardSize,
          splits: config.splits,
        },
        workers,
        todo,
        {
          signal: o.signal,
          onDocuments: (n) => {
            docsDone += n;
            progress();
          },
          onChunk: (k) => {
            done.add(k);
            progress();
          },
        },
      );
    }
  }
  if (done.size < chunks) {
    throw new HybridocError(`${out}: interrupted after ${done.size} of ${chunks} shards; run the same command again to resume`, {
      exitCode: 130,
    });
  }
  const stats: ChunkStats[] = [];
  for (let k = 0; k < chunks; k++) stats.push(JSON.parse(readFileSync(statsPath(out, k), 'utf8')) as ChunkStats);
  const families = plan.domains.flatMap((d) => d.families.map((f) => ({ id: f.id, domain: d.name, unseen: f.unseen })));
  const manifest = buildManifest(schema, { name: CORPUS_GENERATOR, version: HYBRIDOC_VERSION }, options, plan.targets, families, stats);
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  const seconds = (performance.now() - t0) / 1000;
  log.info({ out, documents: o.count, seconds: Math.round(seconds * 10) / 10 }, 'corpus written');
  return { manifest, resumedChunks, generatedChunks: todo.length, seconds };
}

/** Make `out` a corpus directory for this generation, or check it already is one. */
function prepareDirectory(out: string, generation: string, overwrite: boolean): void {
  const genFile = join(out, 'generation.json');
  if (existsSync(out)) {
    const entries = readdirSync(out);
    if (existsSync(genFile)) {
      const prev = readFileSync(genFile, 'utf8');
      if (prev !== generation) {
        if (!overwrite)
          throw new HybridocError(
            `${genFile}: this corpus was made with other options (seed, count, domains, noise, images or config); use another --out, the same options to resume, or --overwrite`,
          );
        clearCorpus(out);
      }
    } else if (entries.length > 0) {
      if (!overwrite)
        throw new HybridocError(`${out}: exists, is not empty and holds no generation.json; use an empty directory or --overwrite`);
      clearCorpus(out);
    }
  }
  mkdirSync(out, { recursive: true });
  rmSync(join(out, 'manifest.json'), { force: true });
  writeFileSync(genFile, generation);
  // an interrupted run may have left temporary files; the chunks they belong to are made again
  for (const d of ['shards', 'stats']) {
    const dir = join(out, d);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
  }
}

function clearCorpus(out: string): void {
  for (const d of ['shards', 'images', 'stats']) rmSync(join(out, d), { recursive: true, force: true });
  for (const f of ['manifest.json', 'generation.json', 'contact-sheet.png']) rmSync(join(out, f), { force: true });
}

interface WorkerHooks {
  signal?: AbortSignal;
  onDocuments: (n: number) => void;
  onChunk: (k: number) => void;
}

async function runWorkers(setup: WorkerSetup, n: number, todo: number[], hooks: WorkerHooks): Promise<void> {
  const script = workerScript();
  const queue = [...todo];
  const pool: Worker[] = [];
  await new Promise<void>((resolvePool, reject) => {
    let live = 0;
    let failed = false;
    const finish = () => {
      if (--live === 0) resolvePool();
    };
    const onAbort = () => {
      queue.length = 0;
      for (const w of pool) void w.terminate();
    };
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    for (let i = 0; i < n; i++) {
      const w = new Worker(script, { workerData: setup });
      pool.push(w);
      live++;
      const next = () => {
        const k = queue.shift();
        if (k === undefined || hooks.signal?.aborted) void w.terminate();
        else w.postMessage({ type: 'chunk', chunk: k });
      };
      w.on('message', (m: { type: string; chunk?: number; documents?: number; complete?: boolean; message?: string }) => {
        if (m.type === 'ready') next();
        else if (m.type === 'progress') hooks.onDocuments(m.documents ?? 0);
        else if (m.type === 'done') {
          if (m.complete) hooks.onChunk(m.chunk!);
          next();
        } else if (m.type === 'error') {
          failed = true;
          queue.length = 0;
          for (const x of pool) void x.terminate();
          reject(new HybridocError(`corpus worker: ${m.message}`));
        }
      });
      w.on('error', (err) => {
        if (!failed) {
          failed = true;
          queue.length = 0;
          for (const x of pool) void x.terminate();
          reject(err);
        }
      });
      w.on('exit', finish);
    }
  });
}
