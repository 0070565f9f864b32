#!/usr/bin/env node
// Corpus generation throughput and disk use. Run after a build (npx tsc -b):
//   node bench/corpus.mjs [--no-images-count N] [--images-count N] [--workers 1,2] [--out DIR] [--seed S]
// Prints documents/s without and with 224x224 page images for each worker count, disk per 1K documents,
// and the time and disk a 250K corpus would take at the measured rates. Wall-clock rates include start-up
// (font metric warm-up, worker start), so larger counts read closer to the steady state.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateCorpus } from '../packages/core/dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const nNoImg = Number(arg('no-images-count', 5000));
const nImg = Number(arg('images-count', 1000));
const workerList = String(arg('workers', '1,2')).split(',').map(Number);
const seed = Number(arg('seed', 1));
const root = arg('out', mkdtempSync(join(tmpdir(), 'hd-bench-')));
const TARGET = 250_000;

const runs = [];
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average at start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (const images of [false, true]) {
  const count = images ? nImg : nNoImg;
  if (!count) continue;
  for (const workers of workerList) {
    const out = join(root, `${images ? 'img' : 'noimg'}-w${workers}`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await generateCorpus({ out, count, seed, images, workers, overwrite: true });
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const m = r.manifest;
    const run = {
      images,
      workers,
      count,
      seconds: s,
      docsPerSecond: count / s,
      // process CPU (worker threads included): on a shared machine docs per CPU-second is the steadier figure
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      shardBytesPer1k: (m.counts.shardBytes / count) * 1000,
      imageBytesPer1k: (m.counts.imageBytes / count) * 1000,
      pagesPerDoc: m.counts.pages / count,
      wordsPerDoc: m.counts.words / count,
      load: loadavg()[0],
    };
    runs.push(run);
    console.log(
      `${images ? 'with images   ' : 'without images'} workers ${workers}: ${count} docs in ${s.toFixed(1)} s = ${run.docsPerSecond.toFixed(1)} docs/s` +
        ` (process CPU ${run.cpuSeconds.toFixed(1)} s = ${(count / run.cpuSeconds).toFixed(1)} docs per CPU-second, load ${run.load.toFixed(2)}); ` +
        `disk per 1K docs: shards ${(run.shardBytesPer1k / 1e6).toFixed(1)} MB, images ${(run.imageBytesPer1k / 1e6).toFixed(1)} MB; ` +
        `${run.pagesPerDoc.toFixed(2)} pages, ${run.wordsPerDoc.toFixed(0)} words per doc`,
    );
    rmSync(out, { recursive: true, force: true });
  }
}
for (const images of [false, true]) {
  const perCpu = Math.max(...runs.filter((r) => r.images === images).map((r) => r.count / r.cpuSeconds));
  if (Number.isFinite(perCpu))
    console.log(
      `${images ? 'with images' : 'without images'}: ${perCpu.toFixed(1)} docs per CPU-second, so about ${(perCpu * cpus().length).toFixed(0)} docs/s on ${cpus().length} idle cores`,
    );
  const best = runs.filter((r) => r.images === images).sort((a, b) => b.docsPerSecond - a.docsPerSecond)[0];
  if (!best) continue;
  const hours = TARGET / best.docsPerSecond / 3600;
  const gb = ((best.shardBytesPer1k + best.imageBytesPer1k) * (TARGET / 1000)) / 1e9;
  console.log(
    `250K ${images ? 'with images' : 'without images'}: ${hours.toFixed(2)} h at ${best.docsPerSecond.toFixed(1)} docs/s (workers ${best.workers}), ${gb.toFixed(1)} GB on disk` +
      ` (target ${images ? 50 : 500} docs/s: ${best.docsPerSecond >= (images ? 50 : 500) ? 'met' : 'not met'})`,
  );
}
if (!process.argv.includes('--out')) rmSync(root, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'corpus', runs }));
