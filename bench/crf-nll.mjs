#!/usr/bin/env node
// The CRF's training NLL as a graph (heads/crf-graph.ts): the forward algorithm alone (eval) and with the
// custom backward into the emissions and every structured parameter (grad), on random log-probabilities
// with every third position unscored (a non-first sub-token), over the schema's labels (161 by default).
//
//   npx tsc -b && node bench/crf-nll.mjs [--batch 4] [--seq 256] [--rank 4] [--reps 5] [--threads 2] [--json]
//
// Times are wall-clock medians of session.run after one warm-up run; each step is a dense log-space
// recursion over a [batch, L, L] temporary, so time grows as batch x seq x L^2.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  buildCrfScores,
  createSession,
  crfNegLogLikelihood,
  crfParamCount,
  crfStructure,
  denseCrfParamCount,
  gradients,
  GraphBuilder,
  initCrfParams,
  loadLabelSchema,
  optimizeForWriting,
  tensor,
} from '../packages/core/dist/index.js';

const { values: opt } = parseArgs({
  options: {
    batch: { type: 'string', default: '4' },
    seq: { type: 'string', default: '256' },
    rank: { type: 'string', default: '4' },
    reps: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const B = Number(opt.batch);
const T = Number(opt.seq);
const s = crfStructure(loadLabelSchema(), { rank: Number(opt.rank) });
const L = s.numLabels;

function graph(withGradients) {
  const g = new GraphBuilder(withGradients ? 'crf_grad' : 'crf_eval');
  const e = g.input('emissions', 'float32', ['batch', 'seq', L]);
  const y = g.input('labels', 'int64', ['batch', 'seq']);
  const params = new Map(s.params.map((p) => [p.name, g.input(p.name, 'float32', p.shape)]));
  const loss = crfNegLogLikelihood(g, e, y, buildCrfScores(g, s, params)).loss;
  g.output(loss, { name: 'loss' });
  if (withGradients) {
    const wrt = ['emissions', ...s.params.map((p) => p.name)];
    const grads = gradients(g, 'loss', wrt);
    for (const w of wrt) g.output(grads.get(w), { name: `grad.${w}` });
  }
  optimizeForWriting(g);
  return g.finalize().bytes;
}

let seed = 1;
const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const init = initCrfParams(s, { randomScale: 0.3, seed: 3 });
const feeds = {
  emissions: tensor(
    'float32',
    [B, T, L],
    Float32Array.from({ length: B * T * L }, () => -8 * random()),
  ),
  labels: tensor(
    'int64',
    [B, T],
    Array.from({ length: B * T }, (_, i) => (i % 3 === 1 ? -100 : Math.floor(random() * 2) * 2)),
  ),
};
for (const p of s.params) feeds[p.name] = tensor('float32', p.shape, init[p.name]);

const results = {};
for (const kind of ['eval', 'grad']) {
  const session = await createSession(graph(kind === 'grad'), { intraOpThreads: Number(opt.threads), interOpThreads: 1 });
  await session.run(feeds);
  const times = [];
  for (let r = 0; r < Number(opt.reps); r++) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t0);
  }
  await session.release();
  times.sort((a, b) => a - b);
  results[kind] = times[Math.floor(times.length / 2)];
}
const summary = {
  batch: B,
  seq: T,
  labels: L,
  rank: s.rank,
  crfParameters: crfParamCount(s),
  denseParameters: denseCrfParamCount(L),
  evalMs: results.eval,
  gradMs: results.grad,
};
if (opt.json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(
    `CRF NLL, batch ${B} x seq ${T}, ${L} labels, rank ${s.rank}: ${summary.crfParameters} parameters (dense ${summary.denseParameters})`,
  );
  console.log(`forward (eval): ${summary.evalMs.toFixed(1)} ms   forward + custom backward (grad): ${summary.gradMs.toFixed(1)} ms`);
}
