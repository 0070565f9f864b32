#!/usr/bin/env node
// Training-artifact costs on CPU, all in one run on the same batch:
//   - wall time of train_step.onnx (forward + backward + clipping + AdamW, state fed and returned) against
//     infer.onnx alone (the forward pass, parameters fed as inputs) -- target: a step <= 3.5x a forward;
//     eval.onnx and grad.onnx for reference;
//   - state transfer per step: bytes of parameters + Adam state fed and returned, and the time a graph that
//     only passes that state through (one Mul by 1 per tensor) takes: the cost of moving it through a session;
//   - the serving graph (weights baked in as initializers) against infer.onnx fed the parameters;
//   - peak memory (process RSS);
//   - for CUDA, the PCIe traffic per step computed from the sizes (onnxruntime-node returns CPU tensors).
//
//   npx tsc -b && node bench/train-step.mjs [--preset small] [--batch 4] [--seq 128] [--reps 10] [--threads 2] [--dropout P] [--profile] [--json]
//                                           [--model NAME] [--core DIR[,DIR...]]
//
// Each case reports the min and median over interleaved rounds of its wall time and of the process CPU time
// (process.cpuUsage) it took: on a shared machine CPU time and minima hold up where wall medians do not
// (with --threads 1 the CPU time is the kernel work alone; with more threads it includes ORT's spinning).
//
// --profile adds ONNX Runtime's per-node kernel times of train_step.onnx, summed by part (forward, dropout
// masks, backward, optimizer) and by op type: shares of kernel time hold up on a loaded machine where wall
// times do not. Nodes ORT fuses (FusedMatMul, Gemm from MatMul + Transpose, ...) carry names ORT made up, so
// every node outside Loop/Scan bodies counts (a Loop/Scan node's time already includes its body's; the
// profiler's own per-event cost inflates Scans of many small steps, such as the CRF's).
//
// --core A,B compares builds of @hybridoc/core (each a dist/ directory, e.g. a copy of an older build): it
// builds the model's artifact set with each and times only infer.onnx and train_step.onnx, rounds interleaved
// across builds, on the same synthetic batch. Set HYBRIDOC_CONFIG_DIR=<repo>/config when a copy lies outside
// the repository.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { basename, join, resolve } from 'node:path';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const { values: opt } = parseArgs({
  options: {
    preset: { type: 'string', default: 'small' },
    model: { type: 'string', default: 'test-transformer' },
    batch: { type: 'string', default: '4' },
    seq: { type: 'string', default: '128' },
    reps: { type: 'string', default: '10' },
    dropout: { type: 'string' },
    profile: { type: 'boolean', default: false },
    threads: { type: 'string', default: String(Math.min(2, cpus().length)) },
    json: { type: 'boolean', default: false },
    core: { type: 'string' },
    export: { type: 'string' },
  },
});
const coreDirs = opt.core ? opt.core.split(',').map((d) => resolve(d)) : [fileURLToPath(new URL('../packages/core/dist', import.meta.url))];
const loadCore = (dir) => import(pathToFileURL(join(dir, 'index.js')).href);
const {
  ArtifactSession,
  GraphBuilder,
  buildArtifactGraphs,
  buildTrainingForwardGraph,
  countParameters,
  createSession,
  createTrainableModel,
  decodeModel,
  encodeModel,
  exportServingModel,
  initialTrainingState,
  loadLabelSchema,
  loadModelConfig,
  modelParameters,
  writeArtifactSet,
} = await loadCore(coreDirs[0]);
const batchSize = Number(opt.batch);
const seq = Number(opt.seq);
const reps = Number(opt.reps);
const threads = Number(opt.threads);

const rssPeak = { value: process.memoryUsage().rss };
const sampleRss = () => (rssPeak.value = Math.max(rssPeak.value, process.memoryUsage().rss));
const rssStart = process.memoryUsage().rss;

const modelConfig = loadModelConfig(opt.preset);
const schema = loadLabelSchema();
const labels = { numLabels: schema.numLabels, numGroupClasses: schema.numGroupClasses };
const model = createTrainableModel(opt.model, {
  modelConfig,
  labels,
  dropout: opt.dropout === undefined ? undefined : Number(opt.dropout),
});
let t0 = performance.now();
const set = buildArtifactGraphs(model, {});
const buildMs = performance.now() - t0;
const state = initialTrainingState(model, set.manifest, 0);
const session = ArtifactSession.fromSet(set, state, { intraOpThreads: threads });
sampleRss();

// a synthetic batch from the manifest's feeds: random tokens and boxes, the last eighth of each row padding
let s = 12345;
const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
const pad = (k) => k >= seq - Math.floor(seq / 8);
function feedValue(f) {
  const dims = f.shape.map((d) => (typeof d === 'number' ? d : d === 'batch' ? batchSize : seq));
  const size = dims.reduce((a, d) => a * d, 1);
  const row = dims.slice(2).reduce((a, d) => a * d, 1); // elements per token for [batch, seq, ...] feeds
  const pos = (k) => Math.floor(k / row) % seq;
  if (f.dtype !== 'int64') {
    const v = f.name === 'class_weights' ? () => 1 : f.name === 'focal_gamma' ? () => 0 : () => rand() * 2 - 1;
    return { dtype: f.dtype, dims, data: Float32Array.from({ length: size }, v) };
  }
  const int =
    {
      input_ids: (k) => (pad(pos(k)) ? 1 : 3 + Math.floor(rand() * (modelConfig.backbone.vocab_size - 3))),
      attention_mask: (k) => (pad(pos(k)) ? 0 : 1),
      bbox: (k) => (k % 4 < 2 ? Math.floor(rand() * 500) : 500 + Math.floor(rand() * 500)),
      labels: (k) => (pad(pos(k)) ? -100 : Math.floor(rand() * labels.numLabels)),
      group_labels: (k) => (pad(pos(k)) ? -100 : Math.floor(rand() * labels.numGroupClasses)),
    }[f.name] ?? (() => 0);
  return { dtype: 'int64', dims, data: BigInt64Array.from({ length: size }, (_, k) => BigInt(int(k))) };
}
const inputs = Object.fromEntries(set.manifest.feeds.inputs.map((f) => [f.name, feedValue(f)]));
const batch = { ...inputs, ...Object.fromEntries(set.manifest.feeds.labels.map((f) => [f.name, feedValue(f)])) };
const scalar = (v) => ({ dtype: 'float32', dims: [], data: Float32Array.of(v) });
const int64Scalar = (v) => ({ dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(v)) });
/** train_step.onnx's feeds besides the batch and the state: optimizer scalars, dropout seed, loss weights. */
const stepFeeds = {
  lr: scalar(1e-4),
  step: int64Scalar(1),
  weight_decay: scalar(0.01),
  max_grad_norm: scalar(1),
  dropout_seed: int64Scalar(3),
  ...Object.fromEntries(set.manifest.lossParts.map((part) => [`loss_weight.${part}`, scalar(set.manifest.defaultLossWeights[part])])),
};

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const stat = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { minMs: sorted[0], medianMs: sorted[Math.floor(sorted.length / 2)] };
};

/** --core A,B,...: infer.onnx and train_step.onnx of each build on this batch, rounds interleaved. */
async function compareBuilds() {
  const builds = [{ dir: coreDirs[0], set, session }];
  for (const dir of coreDirs.slice(1)) {
    const core = await loadCore(dir);
    const m = core.createTrainableModel(opt.model, {
      modelConfig: core.loadModelConfig(opt.preset),
      labels,
      dropout: opt.dropout === undefined ? undefined : Number(opt.dropout),
    });
    const builtSet = core.buildArtifactGraphs(m, {});
    const st = core.initialTrainingState(m, builtSet.manifest, 0);
    builds.push({ dir, set: builtSet, session: core.ArtifactSession.fromSet(builtSet, st, { intraOpThreads: threads }) });
  }
  const cases = { forward: (b) => b.session.infer(inputs), trainStep: (b) => b.session.trainStep(batch, { lr: 1e-4 }) };
  for (const b of builds) b.times = { forward: { wall: [], cpu: [] }, trainStep: { wall: [], cpu: [] } };
  for (let round = -2; round < reps; round++) {
    for (const b of builds) {
      for (const [k, fn] of Object.entries(cases)) {
        const c = cpuMs();
        const t = performance.now();
        await fn(b);
        if (round >= 0) {
          b.times[k].wall.push(performance.now() - t);
          b.times[k].cpu.push(cpuMs() - c);
        }
      }
    }
  }
  const results = builds.map((b) => {
    const r = Object.fromEntries(Object.entries(b.times).map(([k, v]) => [k, { wall: stat(v.wall), cpu: stat(v.cpu) }]));
    return {
      core: b.dir,
      trainStepNodes: b.set.manifest.graphs.train_step.nodes,
      ms: r,
      trainStepOverForward: { wall: r.trainStep.wall.minMs / r.forward.wall.minMs, cpu: r.trainStep.cpu.minMs / r.forward.cpu.minMs },
    };
  });
  for (const b of builds) await b.session.release();
  if (opt.json) {
    process.stdout.write(
      JSON.stringify({ model: opt.model, preset: opt.preset, batch: batchSize, seq, threads, reps, builds: results }, null, 2) + '\n',
    );
    return;
  }
  const f = (t) => `${t.minMs.toFixed(1)} / ${t.medianMs.toFixed(1)}`;
  process.stdout.write(
    `model ${opt.model} sized by preset ${opt.preset}, batch ${batchSize} x ${seq}, dropout ${model.config.dropout ?? 'default'}, ` +
      `${threads} ORT threads; ms, min / median of ${reps} interleaved rounds\n`,
  );
  for (const r of results) {
    process.stdout.write(
      `${r.core} (train_step ${r.trainStepNodes} nodes)\n  forward: wall ${f(r.ms.forward.wall)}, cpu ${f(r.ms.forward.cpu)}   ` +
        `train step: wall ${f(r.ms.trainStep.wall)}, cpu ${f(r.ms.trainStep.cpu)}   ` +
        `step / forward (min): wall ${r.trainStepOverForward.wall.toFixed(2)}x, cpu ${r.trainStepOverForward.cpu.toFixed(2)}x\n`,
    );
  }
}
if (coreDirs.length > 1) {
  await compareBuilds();
  process.exit(0);
}

/**
 * --export DIR: infer.onnx and train_step.onnx with this run's feeds (raw little-endian files and an index),
 * for timing the same graphs elsewhere (scripts/device/ort-step-ratio.py runs them with Python onnxruntime
 * on a machine without Node). Adam's moments are zeros and the parameters random there: the index says so.
 */
if (opt.export) {
  const out = resolve(opt.export);
  mkdirSync(join(out, 'feeds'), { recursive: true });
  writeFileSync(join(out, 'infer.onnx'), set.graphs.infer);
  writeFileSync(join(out, 'train_step.onnx'), set.graphs.train_step);
  const index = [];
  const names = decodeModel(set.graphs.train_step).graph.input.map((i) => i.name);
  for (const name of names) {
    const adam = /^adam\.([mv])\.(.*)$/.exec(name);
    if (adam) {
      const p = session.parameter(adam[2]);
      index.push({ name, dtype: p.dtype, dims: p.dims, zeros: true });
      continue;
    }
    if (!batch[name] && !stepFeeds[name]) {
      // parameters: N(0, 0.02) drawn there (layer-norm weights 1), so the export stays a few MB
      const p = session.parameter(name);
      index.push({ name, dtype: p.dtype, dims: p.dims, random: true });
      continue;
    }
    const t = batch[name] ?? stepFeeds[name];
    const file = `feeds/${index.length}.bin`;
    writeFileSync(join(out, file), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    index.push({ name, dtype: t.dtype, dims: t.dims, file });
  }
  const inferInputs = decodeModel(set.graphs.infer).graph.input.map((i) => i.name);
  writeFileSync(
    join(out, 'index.json'),
    JSON.stringify({ model: opt.model, preset: opt.preset, batch: batchSize, seq, feeds: index, inferInputs }, null, 1),
  );
  process.stdout.write(`exported ${out}: infer.onnx, train_step.onnx, ${index.length} feeds\n`);
  process.exit(0);
}

// memory of training alone: train_step.onnx is the only session that has run so far
for (let i = 0; i < 3; i++) await session.trainStep(batch, { lr: 1e-4 });
const rssTrainOnly = process.memoryUsage().rss;
const maxRssTrainOnly = process.resourceUsage().maxRSS * 1024;

// the forward half of a train step: dropout masks drawn, losses computed, no backward
const trainForward = await createSession(buildTrainingForwardGraph(model, {}), { intraOpThreads: threads });
const trainForwardFeeds = { ...batch, dropout_seed: int64Scalar(7) };
for (const part of set.manifest.lossParts) trainForwardFeeds[`loss_weight.${part}`] = stepFeeds[`loss_weight.${part}`];
for (const p of set.manifest.parameters) trainForwardFeeds[p.name] = session.parameter(p.name);

// the state alone through a session: parameters and moments in, one Mul by 1 each, out
const passG = new GraphBuilder('state_pass_through');
const one = passG.input('one', set.manifest.dtype, []);
const passFeeds = { one: scalar(1) };
for (const p of set.manifest.parameters) {
  const names = p.trainable ? [p.name, `adam.m.${p.name}`, `adam.v.${p.name}`] : [p.name];
  for (const name of names) {
    const x = passG.input(name, set.manifest.dtype, p.shape);
    if (p.trainable) passG.output(passG.mul(x, one), { name: `new.${name}` });
    passFeeds[name] = name.startsWith('adam.')
      ? session.optimizerState(p.name)[name.startsWith('adam.m.') ? 'm' : 'v']
      : session.parameter(p.name);
  }
}
const frozenSink = set.manifest.parameters.find((p) => !p.trainable);
if (frozenSink) passG.output(passG.reduceSum(frozenSink.name, null, { keepdims: false }), { name: 'frozen_sink' });
const pass = await createSession(encodeModel(passG.toModel()), { intraOpThreads: threads });

// serving graph (initializers) against infer.onnx fed the parameters
const dir = join(mkdtempSync(join(tmpdir(), 'hybridoc-bench-')), 'set');
await writeArtifactSet(dir, set, session.trainingState());
const serving = await createSession(encodeModel(exportServingModel(dir).model), { intraOpThreads: threads });
const { grads } = await session.grad(batch);

// every case once per round, rounds interleaved, so load from other processes hits all cases alike
let stepRun;
const cases = {
  forward: () => session.infer(inputs),
  forwardTraining: () => trainForward.run(trainForwardFeeds),
  eval: () => session.evaluate(batch),
  grad: () => session.grad(batch),
  trainStep: async () => {
    await session.trainStep(batch, { lr: 1e-4 });
    stepRun = session.lastRun;
  },
  optimizerStep: () => session.optimizerStep(grads, { lr: 1e-4 }),
  passThrough: () => pass.run(passFeeds),
  serving: () => serving.run(inputs),
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const cpuTimes = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let round = -2; round < reps; round++) {
  for (const [k, fn] of Object.entries(cases)) {
    const c = cpuMs();
    const t = performance.now();
    await fn();
    if (round >= 0) {
      times[k].push(performance.now() - t);
      cpuTimes[k].push(cpuMs() - c);
    }
    sampleRss();
  }
}
const timing = Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, stat(xs)]));
const cpuTiming = Object.fromEntries(Object.entries(cpuTimes).map(([k, xs]) => [k, stat(xs)]));
const { forward, forwardTraining, grad, trainStep, optimizerStep: optimizer, passThrough, serving: served } = timing;
for (const s of [trainForward, pass, serving]) await s.release();

/** Kernel time of train_step.onnx by part and by op type, from ONNX Runtime's profiler (runs 4-6 of 6). */
async function profileTrainStep() {
  const prefix = join(tmpdir(), `hybridoc-train-step-profile-${process.pid}`);
  const so = { intraOpNumThreads: threads, enableProfiling: true, profileFilePrefix: prefix };
  const ortSession = await ort.InferenceSession.create(set.graphs.train_step, so);
  const feeds = {};
  for (const name of ortSession.inputNames) {
    const adam = /^adam\.([mv])\.(.*)$/.exec(name);
    const t = adam ? session.optimizerState(adam[2])[adam[1]] : (trainForwardFeeds[name] ?? stepFeeds[name]);
    feeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
  }
  for (let i = 0; i < 6; i++) await ortSession.run(feeds);
  ortSession.endProfiling(); // onnxruntime-node writes PREFIX_<date>.json and returns no name
  await ortSession.release();
  const stem = basename(prefix);
  const file = readdirSync(tmpdir())
    .filter((f) => f.startsWith(stem) && f.endsWith('.json'))
    .map((f) => join(tmpdir(), f))[0];
  // every node outside Loop/Scan bodies (a Loop/Scan node's time already includes its body's nodes); nodes
  // ORT fused (FusedMatMul, Gemm, ...) have names of its own, so the body nodes are the ones left out
  const inBody = new Set();
  const walk = (graph, top) => {
    for (const n of graph.node ?? []) {
      if (!top) inBody.add(`${n.name}_kernel_time`);
      for (const a of n.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) walk(sub, false);
    }
  };
  walk(decodeModel(set.graphs.train_step).graph, true);
  const all = JSON.parse(readFileSync(file, 'utf8'));
  // the last 3 runs (the first one allocates and warms up)
  const runs = all.filter((e) => e.cat === 'Session' && e.name === 'model_run').slice(-3);
  const inRun = (e) => runs.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
  const events = all.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && !inBody.has(e.name) && inRun(e));
  rmSync(file, { force: true });
  const byPart = {};
  const byOp = {};
  const byPartOp = {};
  const byNode = {};
  let total = 0;
  for (const e of events) {
    const node = e.name.slice(0, -'_kernel_time'.length);
    const part = node.startsWith('grad/')
      ? 'backward'
      : node.startsWith('adamw/') || node.startsWith('new.')
        ? 'optimizer'
        : node.includes('dropout/')
          ? 'dropout masks'
          : 'forward + loss';
    byPart[part] = (byPart[part] ?? 0) + e.dur;
    byOp[e.args.op_name] = (byOp[e.args.op_name] ?? 0) + e.dur;
    byPartOp[`${part}: ${e.args.op_name}`] = (byPartOp[`${part}: ${e.args.op_name}`] ?? 0) + e.dur;
    byNode[`${node} (${e.args.op_name})`] = (byNode[`${node} (${e.args.op_name})`] ?? 0) + e.dur;
    total += e.dur;
  }
  const share = (o) =>
    Object.fromEntries(
      Object.entries(o)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, +((100 * v) / total).toFixed(1)]),
    );
  return {
    kernelMsPerRun: total / 1000 / runs.length,
    runMs: runs.map((r) => r.dur / 1000),
    partPercent: share(byPart),
    opPercent: share(byOp),
    partOpPercent: share(byPartOp),
    topNodes: Object.entries(byNode)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([node, us]) => ({ node, msPerRun: us / 1000 / runs.length })),
  };
}
const profile = opt.profile ? await profileTrainStep() : undefined;
rmSync(join(dir, '..'), { recursive: true, force: true });
await session.release();
sampleRss();

// CUDA: parameters + Adam state cross PCIe both ways each step (onnxruntime-node returns CPU tensors)
const bytesPerStep = stepRun.stateBytesIn + stepRun.stateBytesOut;
const pcie = { 'PCIe 3.0 x16 (~12 GB/s)': 12e9, 'PCIe 4.0 x16 (~25 GB/s)': 25e9, 'PCIe 5.0 x16 (~50 GB/s)': 50e9 };
const cudaMs = (bytes) => Object.fromEntries(Object.entries(pcie).map(([k, bw]) => [k, +((bytes / bw) * 1000).toFixed(2)]));
const baseCfg = loadModelConfig('base');
const baseParams = countParameters(modelParameters(baseCfg, labels));
const baseBytes = baseParams * 4 * 3 * 2; // params + m + v, in and out, float32, all trainable

const result = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, threads, node: process.version },
  model: { name: model.name, preset: opt.preset, parameters: set.manifest.counts.parameters, tensors: set.manifest.counts.tensors },
  batch: { batch: batchSize, seq },
  dropout: model.config.dropout,
  nodes: Object.fromEntries(
    Object.entries(set.manifest.graphs).map(([k, g]) => [
      k,
      { nodes: g.nodes, forward: g.forwardNodes, backward: g.backwardNodes, optimizer: g.optimizerNodes },
    ]),
  ),
  buildMs: +buildMs.toFixed(0),
  ms: timing,
  cpuMs: cpuTiming,
  // ratios of the fastest runs: on a shared machine the minimum is the figure least disturbed by other load
  ratios: {
    trainStepOverForward: trainStep.minMs / forward.minMs,
    trainStepOverForwardCpu: cpuTiming.trainStep.minMs / cpuTiming.forward.minMs,
    trainStepOverTrainingForward: trainStep.minMs / forwardTraining.minMs,
    gradOverForward: grad.minMs / forward.minMs,
    optimizerShareOfStep: optimizer.minMs / trainStep.minMs,
    servingOverInfer: served.minMs / forward.minMs,
    passThroughShareOfStep: passThrough.minMs / trainStep.minMs,
  },
  stateTransfer: {
    bytesIn: stepRun.stateBytesIn,
    bytesOut: stepRun.stateBytesOut,
    feedBytes: stepRun.feedBytes,
    fetchBytes: stepRun.fetchBytes,
  },
  cudaEstimate: {
    thisModelMs: cudaMs(bytesPerStep),
    basePreset: { parameters: baseParams, bytesPerStep: baseBytes, ms: cudaMs(baseBytes) },
  },
  ...(profile ? { trainStepProfile: profile } : {}),
  memory: {
    rssTrainStepOnlyMiB: rssTrainOnly / 2 ** 20,
    maxRssTrainStepOnlyMiB: maxRssTrainOnly / 2 ** 20,
    rssStartMiB: rssStart / 2 ** 20,
    rssPeakSampledMiB: rssPeak.value / 2 ** 20,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  },
};

if (opt.json) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} else {
  const f = (x) => x.toFixed(2);
  const mib = (b) => `${(b / 2 ** 20).toFixed(2)} MiB`;
  const out = process.stdout;
  out.write(`${result.machine.cpu} (${result.machine.cpus} cpus), ${threads} ORT threads, node ${process.version}\n`);
  out.write(
    `model ${model.name} sized by preset ${opt.preset}: ${set.manifest.counts.parameters.toLocaleString('en-US')} parameters in ${set.manifest.counts.tensors} tensors; batch ${batchSize} x ${seq}\n`,
  );
  out.write(
    `graphs built in ${result.buildMs} ms; nodes: ${Object.entries(result.nodes)
      .map(([k, v]) => `${k} ${v.nodes}`)
      .join(', ')} (grad: forward ${result.nodes.grad.forward}, backward ${result.nodes.grad.backward})\n\n`,
  );
  const r = result.ratios;
  const row = (label, key, note = '') => {
    const [t, c] = [timing[key], cpuTiming[key]];
    out.write(
      `  ${label.padEnd(36)} ${f(t.minMs).padStart(9)} ${f(t.medianMs).padStart(9)} ${f(c.minMs).padStart(9)} ${f(c.medianMs).padStart(9)}   ${note}\n`,
    );
  };
  out.write(`ms over ${reps} interleaved rounds              wall min    median   cpu min    median\n`);
  row('forward (infer.onnx, params fed)', 'forward');
  row('eval.onnx (forward + losses)', 'eval');
  row('training forward (+ dropout masks)', 'forwardTraining');
  row('grad.onnx (forward + backward)', 'grad', `${f(r.gradOverForward)}x forward`);
  row(
    'train_step.onnx (+ clip + AdamW)',
    'trainStep',
    `${f(r.trainStepOverForward)}x forward (target <= 3.5x; cpu ${f(r.trainStepOverForwardCpu)}x), ` +
      `${f(r.trainStepOverTrainingForward)}x the training forward`,
  );
  row('optimizer_step.onnx (clip + AdamW)', 'optimizerStep', `${(100 * r.optimizerShareOfStep).toFixed(1)}% of a step`);
  row('serving graph (initializers)', 'serving', `${f(r.servingOverInfer)}x infer.onnx fed parameters`);
  out.write('\n');
  out.write(
    `state per train step: ${mib(stepRun.stateBytesIn)} in, ${mib(stepRun.stateBytesOut)} out (all feeds ${mib(stepRun.feedBytes)}, all fetches ${mib(stepRun.fetchBytes)})\n`,
  );
  out.write(
    `  passing that state through a session alone: ${f(passThrough.minMs)} ms = ${(100 * r.passThroughShareOfStep).toFixed(1)}% of a step\n`,
  );
  out.write(
    `  on CUDA it would cross PCIe both ways each step: ${Object.entries(result.cudaEstimate.thisModelMs)
      .map(([k, v]) => `${v} ms at ${k}`)
      .join(', ')}\n`,
  );
  out.write(
    `  base preset (${baseParams.toLocaleString('en-US')} parameters): ${(baseBytes / 1e9).toFixed(2)} GB per step = ` +
      `${Object.entries(result.cudaEstimate.basePreset.ms)
        .map(([k, v]) => `${v} ms at ${k}`)
        .join(', ')}\n\n`,
  );
  if (profile) {
    const top = Object.entries(profile.opPercent).slice(0, 10);
    out.write(
      `train_step.onnx kernel time (ONNX Runtime profiler): ${f(profile.kernelMsPerRun)} ms per run ` +
        `(runs of ${profile.runMs.map(f).join(', ')} ms)\n`,
    );
    out.write(
      `  by part: ${Object.entries(profile.partPercent)
        .map(([k, v]) => `${k} ${v}%`)
        .join(', ')}\n`,
    );
    out.write(`  by op:   ${top.map(([k, v]) => `${k} ${v}%`).join(', ')}\n`);
    const topPartOp = Object.entries(profile.partOpPercent).slice(0, 16);
    out.write(`  by part and op: ${topPartOp.map(([k, v]) => `${k} ${v}%`).join(', ')}\n`);
    out.write(`  slowest nodes (ms per run): ${profile.topNodes.map((n) => `${n.node} ${f(n.msPerRun)}`).join(', ')}\n\n`);
  }
  out.write(
    `memory: RSS ${f(result.memory.rssStartMiB)} MiB at start; after 3 train steps with train_step.onnx the only session ` +
      `${f(result.memory.rssTrainStepOnlyMiB)} MiB (peak so far ${f(result.memory.maxRssTrainStepOnlyMiB)} MiB); ` +
      `peak with all ${Object.keys(cases).length} sessions ${f(result.memory.maxRssMiB)} MiB (getrusage maxrss)\n`,
  );
}
