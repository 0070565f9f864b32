#!/usr/bin/env node
// The CRF's training NLL as a graph (heads/crf-graph.ts): the forward algorithm alone (eval) and with the
// custom backward into the emissions and every structured parameter (grad), on random log-probabilities
// with every third position unscored (a non-first sub-token), over the schema's labels (161 by default).
//
//   npx tsc -b && node bench/crf-nll.mjs [--batch 4] [--seq 256] [--rank 4] [--reps 5] [--threads 2] [--json]
//                                        [--core DIR[,DIR...]]
//
// Per graph: min and median over interleaved rounds of the wall time and of the process CPU time of
// session.run (after one warm-up run); CPU time holds up better than wall time on a shared machine (at
// --threads 1 it is the kernel work alone). --core compares builds of @hybridoc/core (each a dist/
// directory, e.g. a copy of an older build) in one process, their rounds interleaved; set
// HYBRIDOC_CONFIG_DIR=<repo>/config when a copy lies outside the repository.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const { values: opt } = parseArgs({
  options: {
    batch: { type: 'string', default: '4' },
    seq: { type: 'string', default: '256' },
    rank: { type: 'string', default: '4' },
    reps: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    core: { type: 'string' },
  },
});
const B = Number(opt.batch);
const T = Number(opt.seq);
const reps = Number(opt.reps);
const coreDirs = opt.core ? opt.core.split(',').map((d) => resolve(d)) : [fileURLToPath(new URL('../packages/core/dist', import.meta.url))];

/** The eval and grad sessions of one build, and its feeds (the same values for every build). */
async function prepare(dir) {
  const core = await import(pathToFileURL(resolve(dir, 'index.js')).href);
  const s = core.crfStructure(core.loadLabelSchema(), { rank: Number(opt.rank) });
  const L = s.numLabels;
  const graph = (withGradients) => {
    const g = new core.GraphBuilder(withGradients ? 'crf_grad' : 'crf_eval');
    const e = g.input('emissions', 'float32', ['batch', 'seq', L]);
    const y = g.input('labels', 'int64', ['batch', 'seq']);
    const params = new Map(s.params.map((p) => [p.name, g.input(p.name, 'float32', p.shape)]));
    const loss = core.crfNegLogLikelihood(g, e, y, core.buildCrfScores(g, s, params)).loss;
    g.output(loss, { name: 'loss' });
    if (withGradients) {
      const wrt = ['emissions', ...s.params.map((p) => p.name)];
      const grads = core.gradients(g, 'loss', wrt);
      for (const w of wrt) g.output(grads.get(w), { name: `grad.${w}` });
    }
    core.optimizeForWriting(g);
    return g.finalize().bytes;
  };
  let seed = 1;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const init = core.initCrfParams(s, { randomScale: 0.3, seed: 3 });
  const feeds = {
    emissions: core.tensor(
      'float32',
      [B, T, L],
      Float32Array.from({ length: B * T * L }, () => -8 * random()),
    ),
    labels: core.tensor(
      'int64',
      [B, T],
      Array.from({ length: B * T }, (_, i) => (i % 3 === 1 ? -100 : Math.floor(random() * 2) * 2)),
    ),
  };
  for (const p of s.params) feeds[p.name] = core.tensor('float32', p.shape, init[p.name]);
  const sessionOptions = { intraOpThreads: Number(opt.threads), interOpThreads: 1 };
  const sessions = {
    eval: await core.createSession(graph(false), sessionOptions),
    grad: await core.createSession(graph(true), sessionOptions),
  };
  return { dir, core, s, feeds, sessions, wall: { eval: [], grad: [] }, cpu: { eval: [], grad: [] }, loss: NaN };
}

const builds = [];
for (const dir of coreDirs) builds.push(await prepare(dir));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let round = -1; round < reps; round++) {
  for (const b of builds) {
    for (const kind of ['eval', 'grad']) {
      const c0 = cpuMs();
      const t0 = performance.now();
      const out = await b.sessions[kind].run(b.feeds);
      const wall = performance.now() - t0;
      const cpu = cpuMs() - c0;
      if (kind === 'eval') b.loss = b.core.toNumbers(out.loss)[0];
      if (round >= 0) {
        b.wall[kind].push(wall);
        b.cpu[kind].push(cpu);
      }
    }
  }
}
const stat = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { minMs: sorted[0], medianMs: sorted[Math.floor(sorted.length / 2)] };
};
const results = [];
for (const b of builds) {
  for (const session of Object.values(b.sessions)) await session.release();
  results.push({
    core: b.dir,
    batch: B,
    seq: T,
    labels: b.s.numLabels,
    rank: b.s.rank,
    threads: Number(opt.threads),
    crfParameters: b.core.crfParamCount(b.s),
    denseParameters: b.core.denseCrfParamCount(b.s.numLabels),
    loss: b.loss,
    eval: { wall: stat(b.wall.eval), cpu: stat(b.cpu.eval) },
    grad: { wall: stat(b.wall.grad), cpu: stat(b.cpu.grad) },
  });
}
if (opt.json) console.log(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
else {
  const r0 = results[0];
  console.log(
    `CRF NLL, batch ${B} x seq ${T}, ${r0.labels} labels, rank ${r0.rank}: ${r0.crfParameters} parameters (dense ${r0.denseParameters}); ` +
      `${opt.threads} ORT threads; ms, min / median of ${reps} interleaved rounds`,
  );
  const f = (t) => `${t.minMs.toFixed(1)} / ${t.medianMs.toFixed(1)}`;
  for (const r of results) {
    if (results.length > 1) console.log(r.core);
    console.log(
      `  forward (eval): wall ${f(r.eval.wall)}, cpu ${f(r.eval.cpu)}   forward + custom backward (grad): wall ${f(r.grad.wall)}, ` +
        `cpu ${f(r.grad.cpu)}   loss ${r.loss.toFixed(6)}`,
    );
  }
}
