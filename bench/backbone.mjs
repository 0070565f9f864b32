#!/usr/bin/env node
// LayoutLMv3 backbone: forward FLOPs per token from the config, and inference throughput in onnxruntime-node
// with model-FLOPs utilisation (MFU) against a float32 MatMul peak measured in the same run, for the tiny,
// small and base presets, with and without the visual branch.
//
//   npx tsc -b && node bench/backbone.mjs [--presets tiny,small,base] [--reps 5] [--threads N] [--matmul 1024] [--json]
//
// FLOPs count the matrix products only (2 per multiply-add: Q/K/V/output projections, Q K^T, P V, the
// feed-forward, the patch Conv); MFU = achieved FLOP/s / peak FLOP/s, where the peak is the best rate of an
// N x N x N float32 MatMul graph in the same ORT build, threads and machine, measured again before and after
// every model and the best kept. MFU (CPU time) divides FLOP per process CPU-second (all ORT threads) by the
// MatMul's, which a machine shared with other work disturbs less than wall-clock. Each shape runs at the preset's
// window (max_text_length text tokens, plus its visual tokens), batch per preset; times are medians after
// one warm-up run. Parameters are graph inputs, fed from the seeded initialisation.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
// The modules directly (not the package index), so the bench runs whatever state other modules are in.
import { loadModelConfig } from '../packages/core/dist/model/config.js';
import { buildLayoutLMv3Graph } from '../packages/core/dist/model/layoutlmv3.js';
import { backboneForwardFlops } from '../packages/core/dist/model/flops.js';
import { countParameters } from '../packages/core/dist/model/parameters.js';
import { initializeParameters } from '../packages/core/dist/weights/init.js';
import { GraphBuilder } from '../packages/core/dist/onnx/graph-builder.js';
import { createSession } from '../packages/core/dist/runtime/registry.js';
import { f32, i64 } from '../packages/core/dist/runtime/tensor.js';

const { values: opt } = parseArgs({
  options: {
    presets: { type: 'string', default: 'tiny,small,base' },
    reps: { type: 'string', default: '5' },
    threads: { type: 'string' },
    matmul: { type: 'string', default: '1024' },
    batch: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const reps = Number(opt.reps);
const threads = opt.threads ? Number(opt.threads) : undefined;
const BATCH = { tiny: 8, small: 4, base: 1, large: 1 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall-clock and process CPU seconds (all ORT threads) per run: medians and bests after one warm-up run. */
async function timeRuns(session, feeds, n) {
  await session.run(feeds);
  const wall = [];
  const cpu = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { median: median(wall), best: Math.min(...wall), cpuMedian: median(cpu), cpuBest: Math.min(...cpu) };
}

/** float32 N x N x N MatMul in the same ORT build and threads: the best FLOP/s per wall and per CPU second. */
const peakSession = await (async () => {
  const N = Number(opt.matmul);
  const g = new GraphBuilder('matmul_peak');
  const a = g.input('a', 'float32', [N, N]);
  const b = g.input('b', 'float32', [N, N]);
  g.output(g.matmul(a, b), { name: 'c' });
  const session = await createSession(g.finalize().bytes, { intraOpThreads: threads });
  const rnd = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  return { N, session, feeds: { a: f32([N, N], rnd(N * N)), b: f32([N, N], rnd(N * N)) } };
})();
const peak = { wall: 0, cpu: 0 };
/** Measured again before every model, keeping the best: the machine is shared, so the peak is the best seen. */
async function measurePeak() {
  const t = await timeRuns(peakSession.session, peakSession.feeds, 5);
  const flops = 2 * peakSession.N ** 3;
  peak.wall = Math.max(peak.wall, flops / t.best);
  peak.cpu = Math.max(peak.cpu, flops / t.cpuBest);
}

function randomFeeds(cfg, batch, T) {
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const ids = Array.from({ length: batch * T }, (_, i) => (i % T === 0 ? cfg.bos_token_id : 3 + Math.floor(rand() * (cfg.vocab_size - 3))));
  const bbox = [];
  for (let i = 0; i < batch * T; i++) {
    const x0 = Math.floor(rand() * 900);
    const y0 = Math.floor(rand() * 950);
    bbox.push(x0, y0, x0 + 10 + Math.floor(rand() * 90), y0 + 8 + Math.floor(rand() * 40));
  }
  const feeds = {
    input_ids: i64([batch, T], ids),
    bbox: i64([batch, T, 4], bbox),
    attention_mask: i64([batch, T], new Array(batch * T).fill(1)),
  };
  if (cfg.visual_embed) {
    const n = batch * cfg.num_channels * cfg.input_size ** 2;
    feeds.pixel_values = f32(
      [batch, cfg.num_channels, cfg.input_size, cfg.input_size],
      Float32Array.from({ length: n }, () => rand() * 2 - 1),
    );
  }
  return feeds;
}

const rows = [];
for (const preset of opt.presets.split(',')) {
  const base = loadModelConfig(preset).backbone;
  for (const visual of [true, false]) {
    const cfg = { ...base, visual_embed: visual };
    const batch = opt.batch ? Number(opt.batch) : (BATCH[preset] ?? 1);
    const T = cfg.max_text_length;
    const flops = backboneForwardFlops(cfg, T);
    const t0 = performance.now();
    const { graph, parameters } = buildLayoutLMv3Graph(cfg);
    const { bytes } = graph.finalize();
    const buildMs = performance.now() - t0;
    const values = initializeParameters(parameters, 1);
    const feeds = randomFeeds(cfg, batch, T);
    for (const p of parameters) feeds[p.name] = f32(p.shape, values.get(p.name));
    const session = await createSession(bytes, { intraOpThreads: threads });
    await measurePeak();
    const t = await timeRuns(session, feeds, reps);
    await session.release();
    await measurePeak();
    const achieved = (flops.total * batch) / t.median;
    const achievedCpu = (flops.total * batch) / t.cpuMedian;
    rows.push({
      preset,
      visual,
      parameters: countParameters(parameters),
      batch,
      textTokens: T,
      sequence: flops.sequence,
      gflopsPerSequence: flops.total / 1e9,
      mflopsPerToken: flops.perToken / 1e6,
      mflopsPerTextToken: flops.perTextToken / 1e6,
      buildMs,
      medianMs: t.median * 1e3,
      sequencesPerSecond: batch / t.median,
      textTokensPerSecond: (batch * T) / t.median,
      cpuMedianMs: t.cpuMedian * 1e3,
      gflopsPerSecond: achieved / 1e9,
      gflopsPerCpuSecond: achievedCpu / 1e9,
      achievedWall: achieved,
      achievedCpu,
    });
  }
}

await peakSession.session.release();
for (const r of rows) {
  r.mfu = r.achievedWall / peak.wall;
  r.mfuCpu = r.achievedCpu / peak.cpu;
  delete r.achievedWall;
  delete r.achievedCpu;
}
const machine = `${cpus().length} x ${cpus()[0]?.model ?? '?'}; ORT threads ${threads ?? 'default'}; load average ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}`;
if (opt.json) {
  console.log(
    JSON.stringify(
      { machine, matmulN: Number(opt.matmul), peakGflops: peak.wall / 1e9, peakGflopsPerCpuSecond: peak.cpu / 1e9, reps, rows },
      null,
      2,
    ),
  );
} else {
  console.log(`machine: ${machine}`);
  console.log('(shared with other work: wall-clock figures are lower bounds; the CPU-time columns are less sensitive to it)');
  console.log(
    `float32 MatMul peak (${opt.matmul}^3, best seen in this run): ${(peak.wall / 1e9).toFixed(1)} GFLOP/s wall, ` +
      `${(peak.cpu / 1e9).toFixed(1)} GFLOP per CPU-second\n`,
  );
  const head = [
    'preset',
    'visual',
    'params',
    'batch',
    'T+V',
    'GFLOP/seq',
    'MFLOP/token',
    'MFLOP/text tok',
    'build ms',
    'median ms',
    'seq/s',
    'text tok/s',
    'GFLOP/s',
    'MFU',
    'MFU (CPU time)',
  ];
  const body = rows.map((r) => [
    r.preset,
    r.visual ? 'yes' : 'no',
    r.parameters.toLocaleString('en-US'),
    String(r.batch),
    `${r.textTokens}+${r.sequence - r.textTokens}`,
    r.gflopsPerSequence.toFixed(3),
    r.mflopsPerToken.toFixed(2),
    r.mflopsPerTextToken.toFixed(2),
    r.buildMs.toFixed(0),
    r.medianMs.toFixed(1),
    r.sequencesPerSecond.toFixed(2),
    r.textTokensPerSecond.toFixed(0),
    r.gflopsPerSecond.toFixed(1),
    `${(r.mfu * 100).toFixed(1)}%`,
    `${(r.mfuCpu * 100).toFixed(1)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
}
