// Shared by bench/train-throughput.mjs and bench/pytorch.mjs: our training step and inference timed on a
// synthetic batch of a preset, FLOPs of the model, and a float32 MatMul peak measured in the same process.
//
// Timings are taken in rounds that alternate the cases, so a change in what else the machine is doing weighs
// on all of them alike; each case reports the median and the best wall time and the CPU time (user + system
// of the whole process, ONNX Runtime's threads included) of its runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import {
  ArtifactSession,
  GraphBuilder,
  buildArtifactGraphs,
  createSession,
  createTrainableModel,
  encodeModel,
  exportServingModel,
  initialTrainingState,
  loadLabelSchema,
  loadModelConfig,
  writeArtifactSet,
} from '../packages/core/dist/index.js';
import { backboneForwardFlops } from '../packages/core/dist/model/flops.js';

/** Batch and text length per preset: what a 2-core machine steps through in seconds, not minutes. */
export const DEFAULT_SHAPES = { tiny: { batch: 16, seq: 64 }, small: { batch: 8, seq: 256 }, base: { batch: 2, seq: 512 } };

export const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export function stat(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { medianMs: s[Math.floor(s.length / 2)], minMs: s[0], runs: s.length };
}

/** Run each case `rounds` times (after `warmup` rounds), interleaved; wall and CPU statistics per case. */
export async function timeCases(cases, rounds, warmup = 1, onRound = () => {}) {
  const wall = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = -warmup; r < rounds; r++) {
    for (const [k, fn] of Object.entries(cases)) {
      const c = cpuMs();
      const t = performance.now();
      await fn();
      if (r >= 0) {
        wall[k].push(performance.now() - t);
        cpu[k].push(cpuMs() - c);
      }
      onRound(k);
    }
  }
  return Object.fromEntries(Object.keys(cases).map((k) => [k, { wall: stat(wall[k]), cpu: stat(cpu[k]) }]));
}

/** float32 N x N x N MatMul in this ORT build at these threads: FLOP/s per wall second and per CPU second (best of `reps`). */
export async function matmulPeak(threads, N = 1024, reps = 8) {
  const g = new GraphBuilder('matmul_peak');
  const a = g.input('a', 'float32', [N, N]);
  const b = g.input('b', 'float32', [N, N]);
  g.output(g.matmul(a, b), { name: 'c' });
  const session = await createSession(encodeModel(g.toModel()), { intraOpThreads: threads });
  const m = () => ({ dtype: 'float32', dims: [N, N], data: Float32Array.from({ length: N * N }, (_, i) => Math.sin(i)) });
  const feeds = { a: m(), b: m() };
  const t = await timeCases({ mm: () => session.run(feeds) }, reps, 2);
  await session.release();
  const flops = 2 * N ** 3;
  return { N, flopsPerSecond: flops / (t.mm.wall.minMs / 1000), flopsPerCpuSecond: flops / (t.mm.cpu.minMs / 1000) };
}

/** A deterministic synthetic batch for a manifest's feeds: no padding (every token real), labels everywhere. */
export function syntheticBatch(manifest, backbone, numLabels, numGroupClasses, batch, seq) {
  let s = 12345;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const value = (f) => {
    const dims = f.shape.map((d) => (typeof d === 'number' ? d : d === 'batch' ? batch : seq));
    const size = dims.reduce((a, d) => a * d, 1);
    if (f.dtype !== 'int64') {
      const v = f.name === 'class_weights' ? () => 1 : f.name === 'focal_gamma' ? () => 0 : () => rand() * 2 - 1;
      return { dtype: f.dtype, dims, data: Float32Array.from({ length: size }, v) };
    }
    const gen =
      {
        input_ids: () => 3 + Math.floor(rand() * (backbone.vocab_size - 3)),
        attention_mask: () => 1,
        bbox: (k) => (k % 4 < 2 ? Math.floor(rand() * 500) : 500 + Math.floor(rand() * 500)),
        labels: () => Math.floor(rand() * numLabels),
        group_labels: () => Math.floor(rand() * numGroupClasses),
      }[f.name] ?? (() => 0);
    return { dtype: 'int64', dims, data: BigInt64Array.from({ length: size }, (_, k) => BigInt(gen(k))) };
  };
  const inputs = Object.fromEntries(manifest.feeds.inputs.map((f) => [f.name, value(f)]));
  const labels = Object.fromEntries(manifest.feeds.labels.map((f) => [f.name, value(f)]));
  return { inputs, batch: { ...inputs, ...labels } };
}

/** Model FLOPs of one forward pass over the batch: backbone + heads (2 FLOPs per head weight per text token). */
export function modelForwardFlops(backbone, headParameters, batch, seq) {
  const f = backboneForwardFlops(backbone, seq);
  return { backbone: batch * f.total, heads: batch * seq * 2 * headParameters, sequence: f.sequence };
}

/**
 * Our training step (train_step.onnx: forward, backward, clipping, AdamW) and inference (the serving export:
 * weights baked in, as `hybridoc predict` runs it) on one synthetic batch of a preset. Returns the timings,
 * FLOPs and the process's peak RSS while only the training session existed.
 */
export async function oursTimings({ preset, model = 'layoutlmv3-hybrid', batch, seq, threads, rounds, warmup = 1, onRound }) {
  const modelConfig = loadModelConfig(preset);
  const schema = loadLabelSchema();
  const labels = { numLabels: schema.numLabels, numGroupClasses: schema.numGroupClasses };
  const trainable = createTrainableModel(model, { modelConfig, labels, schema });
  const t0 = performance.now();
  const set = buildArtifactGraphs(trainable, {});
  const buildMs = performance.now() - t0;
  const state = initialTrainingState(trainable, set.manifest, 0);
  const rssBefore = process.memoryUsage().rss;
  const session = ArtifactSession.fromSet(set, state, { intraOpThreads: threads });
  const { inputs, batch: feeds } = syntheticBatch(set.manifest, modelConfig.backbone, labels.numLabels, labels.numGroupClasses, batch, seq);
  const train = await timeCases({ trainStep: () => session.trainStep(feeds, { lr: 1e-4 }) }, rounds, warmup, onRound);
  const peakTrainRss = process.resourceUsage().maxRSS * 1024;
  // inference: the serving export
  const dir = join(mkdtempSync(join(tmpdir(), 'hybridoc-throughput-')), 'set');
  await writeArtifactSet(dir, set, session.trainingState());
  const serving = await createSession(encodeModel(exportServingModel(dir).model), { intraOpThreads: threads });
  await session.release();
  const infer = await timeCases({ infer: () => serving.run(inputs) }, Math.max(rounds, 3), warmup, onRound);
  await serving.release();
  rmSync(join(dir, '..'), { recursive: true, force: true });
  let headParameters = 0;
  let crf = 0;
  let total = 0;
  for (const p of set.manifest.parameters) {
    const n = p.shape.reduce((a, d) => a * d, 1);
    total += n;
    if (p.module === 'crf') crf += n;
    else if (p.module !== 'backbone') headParameters += n;
  }
  const flops = modelForwardFlops(modelConfig.backbone, headParameters, batch, seq);
  return {
    preset: modelConfig.name,
    model,
    batch,
    seq,
    threads,
    parameters: { total, heads: headParameters, crf },
    buildMs,
    flops,
    trainStep: train.trainStep,
    infer: infer.infer,
    memory: { rssBeforeTrainingMB: rssBefore / 2 ** 20, peakTrainingRssMB: peakTrainRss / 2 ** 20 },
  };
}
