#!/usr/bin/env node
// Training and inference throughput on CPU for the tiny, small and base presets (issue 9):
//   - training: train_step.onnx (forward, backward, global-norm clipping, AdamW) on a synthetic batch;
//   - inference: the serving export (weights baked in, what `hybridoc predict` runs) on the same batch;
//   - text tokens/s, model FLOPs utilisation (MFU) against a float32 MatMul peak measured in the same process
//     (training FLOPs = 3 x the forward's: backbone + heads; the CRF's forward-backward is not counted);
//   - peak memory per training step: the process's peak RSS while the training session runs (one process
//     per preset, so presets do not share a peak).
// Wall times on a machine shared with other work are noisy; CPU-time figures (user + system of the process,
// ONNX Runtime's threads included) are given beside them and MFU is given both ways.
//
//   npx tsc -b && node bench/train-throughput.mjs [--presets tiny,small,base] [--model layoutlmv3-hybrid] [--threads 2] [--rounds 3] [--json]
//   (per preset: --shape tiny=16x64,small=8x256,base=2x512  batch x text tokens)
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SHAPES, matmulPeak, oursTimings } from './train-throughput-lib.mjs';

const { values: opt } = parseArgs({
  options: {
    presets: { type: 'string', default: 'tiny,small,base' },
    model: { type: 'string', default: 'layoutlmv3-hybrid' },
    threads: { type: 'string', default: String(Math.min(2, cpus().length)) },
    rounds: { type: 'string', default: '3' },
    shape: { type: 'string', default: '' },
    child: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const threads = Number(opt.threads);
const shapes = { ...DEFAULT_SHAPES };
for (const item of opt.shape.split(',').filter(Boolean)) {
  const [preset, bs] = item.split('=');
  const [batch, seq] = bs.split('x').map(Number);
  shapes[preset] = { batch, seq };
}

if (opt.child) {
  // one preset in this process: MatMul peak before and after (the best is kept), then the model
  const preset = opt.child;
  const { batch, seq } = shapes[preset] ?? { batch: 4, seq: 128 };
  const peak0 = await matmulPeak(threads);
  const ours = await oursTimings({ preset, model: opt.model, batch, seq, threads, rounds: Number(opt.rounds) });
  const peak1 = await matmulPeak(threads);
  const peak = {
    N: peak0.N,
    flopsPerSecond: Math.max(peak0.flopsPerSecond, peak1.flopsPerSecond),
    flopsPerCpuSecond: Math.max(peak0.flopsPerCpuSecond, peak1.flopsPerCpuSecond),
  };
  process.stdout.write(JSON.stringify({ ...ours, peak }) + '\n');
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const rows = [];
for (const preset of opt.presets.split(',')) {
  const args = [self, '--child', preset, '--model', opt.model, '--threads', opt.threads, '--rounds', opt.rounds];
  if (opt.shape) args.push('--shape', opt.shape);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    process.stderr.write(`train-throughput: ${preset}: failed\n${r.stderr}\n`);
    process.exit(1);
  }
  const x = JSON.parse(r.stdout.trim().split('\n').pop());
  const fwd = x.flops.backbone + x.flops.heads;
  const tokens = x.batch * x.seq;
  const s = (t) => t.medianMs / 1000;
  const row = {
    ...x,
    train: {
      tokensPerSecond: tokens / s(x.trainStep.wall),
      tokensPerCpuSecond: tokens / s(x.trainStep.cpu),
      mfu: (3 * fwd) / s(x.trainStep.wall) / x.peak.flopsPerSecond,
      mfuCpu: (3 * fwd) / s(x.trainStep.cpu) / x.peak.flopsPerCpuSecond,
    },
    inference: {
      tokensPerSecond: tokens / s(x.infer.wall),
      tokensPerCpuSecond: tokens / s(x.infer.cpu),
      mfu: fwd / s(x.infer.wall) / x.peak.flopsPerSecond,
      mfuCpu: fwd / s(x.infer.cpu) / x.peak.flopsPerCpuSecond,
    },
  };
  rows.push(row);
  if (!opt.json) process.stderr.write(`train-throughput: ${preset} done\n`);
}

if (opt.json) {
  process.stdout.write(JSON.stringify({ cpus: cpus().length, cpu: cpus()[0]?.model, threads, rows }, null, 2) + '\n');
} else {
  const out = process.stdout;
  out.write(`${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cpus), ${threads} ORT threads, model ${opt.model}, node ${process.version}\n`);
  out.write(
    `float32 MatMul peak (1024^3, best before/after each preset): ${rows.map((r) => `${r.preset} ${(r.peak.flopsPerSecond / 1e9).toFixed(1)} GFLOP/s wall, ${(r.peak.flopsPerCpuSecond / 1e9).toFixed(1)} per CPU-s`).join('; ')}\n\n`,
  );
  const f = (x, d = 1) => x.toFixed(d);
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const head = [
    'preset',
    'batch x seq',
    'params',
    'GFLOP fwd',
    'step ms (CPU ms)',
    'train tok/s (per CPU-s)',
    'train MFU wall / CPU',
    'infer ms (CPU ms)',
    'infer tok/s (per CPU-s)',
    'infer MFU wall / CPU',
    'peak RSS training MB',
  ];
  const lines = rows.map((r) => [
    r.preset,
    `${r.batch} x ${r.seq}${r.flops.sequence > r.seq ? ` (+${r.flops.sequence - r.seq} visual)` : ''}`,
    `${(r.parameters.total / 1e6).toFixed(2)}M`,
    f((r.flops.backbone + r.flops.heads) / 1e9, 2),
    `${f(r.trainStep.wall.medianMs, 0)} (${f(r.trainStep.cpu.medianMs, 0)})`,
    `${f(r.train.tokensPerSecond, 0)} (${f(r.train.tokensPerCpuSecond, 0)})`,
    `${pct(r.train.mfu)} / ${pct(r.train.mfuCpu)}`,
    `${f(r.infer.wall.medianMs, 0)} (${f(r.infer.cpu.medianMs, 0)})`,
    `${f(r.inference.tokensPerSecond, 0)} (${f(r.inference.tokensPerCpuSecond, 0)})`,
    `${pct(r.inference.mfu)} / ${pct(r.inference.mfuCpu)}`,
    f(r.memory.peakTrainingRssMB, 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  out.write(head.map((h, i) => h.padEnd(widths[i])).join('  ') + '\n');
  for (const l of lines) out.write(l.map((c, i) => c.padEnd(widths[i])).join('  ') + '\n');
}
