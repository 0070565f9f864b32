#!/usr/bin/env node
// Viterbi and forward-backward at seq 512 over the schema's labels (161 by default): the factorised,
// constrained versions against plain dense ones, in the same run, on the same random scores.
//
//   npx tsc -b && node bench/viterbi.mjs [--seq 512] [--reps 21] [--rank 2] [--config FILE] [--json]
//
// Times are wall-clock medians, with process CPU time alongside; the functions run interleaved round by round
// and each speed-up is the median of per-round ratios. On a machine busy with other work, wall-clock ratios
// are biased against the short (factorised) runs by preemption; the CPU-time ratio is the better figure there.
//
// Dense Viterbi is the O(T L^2) reference (L^2 max-adds per step). Forward-backward is compared against two
// dense baselines: the log-space reference (a logsumexp per label pair) and a scaled linear-space dense
// recursion (L^2 multiply-adds per step, the fair baseline for the factorised scaled recursion).
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
// The decoding modules directly (not the package index), so the bench runs whatever state other modules are in.
import {
  compileCrf,
  crfParamCount,
  crfStepCost,
  crfStructure,
  denseCrf,
  denseCrfParamCount,
  initCrfParams,
} from '../packages/core/dist/decoding/crf-structure.js';
import { forwardBackward, forwardBackwardDense } from '../packages/core/dist/decoding/forward-backward.js';
import { viterbiDense, viterbiFactorised, ViterbiWorkspace } from '../packages/core/dist/decoding/viterbi.js';
import { loadLabelSchema } from '../packages/core/dist/schema/label-schema.js';

const { values: opt } = parseArgs({
  options: {
    seq: { type: 'string', default: '512' },
    reps: { type: 'string', default: '21' },
    rank: { type: 'string', default: '2' },
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const T = Number(opt.seq);
const reps = Number(opt.reps);
const schema = loadLabelSchema(opt.config);
const L = schema.numLabels;
const structure = crfStructure(schema, { rank: Number(opt.rank) });
const crf = compileCrf(structure, initCrfParams(structure, { seed: 1, randomScale: 1 }));
const dense = denseCrf(crf);
let seed = 2; // mulberry32, for reproducible emissions
const rnd = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const emissions = new Float32Array(T * L);
for (let k = 0; k < emissions.length; k++) emissions[k] = (2 * rnd() - 1) * 4;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
/** Wall-clock and CPU time (ms) of one call, each the median over rounds; calls of several functions are
 *  interleaved round by round, so a busy machine slows all of them alike; ratios are per round, then median. */
function compare(fns, rounds) {
  for (const f of Object.values(fns)) for (let r = 0; r < 3; r++) f(); // warm-up (JIT)
  const wall = {};
  const cpu = {};
  const out = {};
  for (const k of Object.keys(fns)) [wall[k], cpu[k]] = [[], []];
  for (let r = 0; r < rounds; r++) {
    for (const [k, f] of Object.entries(fns)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      out[k] = f();
      wall[k].push(performance.now() - t0);
      const c1 = process.cpuUsage(c0);
      cpu[k].push((c1.user + c1.system) / 1000);
    }
  }
  const res = {};
  for (const k of Object.keys(fns)) res[k] = { wallMs: median(wall[k]), cpuMs: median(cpu[k]), out: out[k], wall: wall[k], cpu: cpu[k] };
  return res;
}
const ratio = (res, slow, fast, what = 'wall') => median(res[slow][what].map((w, r) => w / res[fast][what][r]));

/** Plain dense forward-backward in scaled linear space: the fair dense baseline for the scaled recursion. */
function forwardBackwardDenseScaled(d, em) {
  const n = d.numLabels;
  const K = em.length / n;
  let tmax = -Infinity;
  for (const v of d.trans) if (v > tmax) tmax = v;
  const expT = new Float64Array(n * n); // target-major
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expT[j * n + i] = Math.exp(d.trans[i * n + j] - tmax);
  const alpha = new Float64Array(K * n);
  const beta = new Float64Array(K * n);
  const p = new Float64Array(n);
  for (let j = 0; j < n; j++) alpha[j] = d.start[j] + em[j];
  for (let k = 1; k < K; k++) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) m = Math.max(m, alpha[(k - 1) * n + i]);
    for (let i = 0; i < n; i++) p[i] = Math.exp(alpha[(k - 1) * n + i] - m);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += p[i] * expT[j * n + i];
      alpha[k * n + j] = Math.log(s) + m + tmax + em[k * n + j];
    }
  }
  for (let i = 0; i < n; i++) beta[(K - 1) * n + i] = d.end[i];
  for (let k = K - 2; k >= 0; k--) {
    let m = -Infinity;
    for (let j = 0; j < n; j++) m = Math.max(m, em[(k + 1) * n + j] + beta[(k + 1) * n + j]);
    for (let j = 0; j < n; j++) p[j] = Math.exp(em[(k + 1) * n + j] + beta[(k + 1) * n + j] - m);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += expT[j * n + i] * p[j];
      beta[k * n + i] = Math.log(s) + m + tmax;
    }
  }
  let m = -Infinity;
  for (let j = 0; j < n; j++) m = Math.max(m, alpha[(K - 1) * n + j] + d.end[j]);
  let z = 0;
  for (let j = 0; j < n; j++) z += Math.exp(alpha[(K - 1) * n + j] + d.end[j] - m);
  return { logZ: m + Math.log(z), alpha, beta };
}

const ws = new ViterbiWorkspace(T, L);
const v = compare(
  {
    dense: () => viterbiDense(dense, emissions, { workspace: ws }),
    factorised: () => viterbiFactorised(crf, emissions, { workspace: ws }),
  },
  reps,
);
const vd = v.dense;
const vf = v.factorised;
const samePath = vd.out.path.every((l, k) => l === vf.out.path[k]);
const fb = compare(
  {
    logSpace: () => forwardBackwardDense(dense, emissions),
    scaled: () => forwardBackwardDenseScaled(dense, emissions),
    factorised: () => forwardBackward(crf, emissions),
  },
  Math.max(3, Math.ceil(reps / 3)),
);
const fbd = fb.logSpace;
const fbs = fb.scaled;
const fbf = fb.factorised;
let maxMarginalDiff = 0;
for (let x = 0; x < fbf.out.marginals.length; x++)
  maxMarginalDiff = Math.max(maxMarginalDiff, Math.abs(fbf.out.marginals[x] - fbd.out.marginals[x]));
const cost = crfStepCost(structure);
const r = {
  labels: L,
  groupClasses: schema.numGroupClasses,
  seq: T,
  rank: structure.rank,
  reps,
  crfParams: crfParamCount(structure),
  denseParams: denseCrfParamCount(L),
  opsPerStep: cost,
  viterbi: {
    denseMs: +vd.wallMs.toFixed(3),
    factorisedMs: +vf.wallMs.toFixed(3),
    denseCpuMs: +vd.cpuMs.toFixed(3),
    factorisedCpuMs: +vf.cpuMs.toFixed(3),
    speedup: +ratio(v, 'dense', 'factorised').toFixed(1),
    speedupCpu: +ratio(v, 'dense', 'factorised', 'cpu').toFixed(1),
    samePath,
    sameScore: vd.out.score === vf.out.score,
  },
  forwardBackward: {
    method: fbf.out.method,
    denseLogSpaceMs: +fbd.wallMs.toFixed(3),
    denseScaledMs: +fbs.wallMs.toFixed(3),
    factorisedMs: +fbf.wallMs.toFixed(3),
    speedupVsLogSpace: +ratio(fb, 'logSpace', 'factorised').toFixed(1),
    speedupVsScaled: +ratio(fb, 'scaled', 'factorised').toFixed(1),
    speedupVsLogSpaceCpu: +ratio(fb, 'logSpace', 'factorised', 'cpu').toFixed(1),
    speedupVsScaledCpu: +ratio(fb, 'scaled', 'factorised', 'cpu').toFixed(1),
    logZDiff: Math.abs(fbf.out.logZ - fbd.out.logZ),
    logZDiffScaled: Math.abs(fbs.out.logZ - fbd.out.logZ),
    maxMarginalDiff,
  },
};
if (opt.json) console.log(JSON.stringify(r, null, 2));
else {
  console.log(`labels ${L} (${schema.numGroupClasses} group classes), seq ${T}, rank ${r.rank}, median of ${reps} runs`);
  console.log(`CRF parameters ${r.crfParams} (dense transition matrix ${r.denseParams})`);
  console.log(`operations per step: factorised ${cost.factorised}, dense ${cost.dense} (${(cost.dense / cost.factorised).toFixed(1)}x)`);
  console.log(
    `viterbi           dense ${r.viterbi.denseMs.toFixed(2)} ms   factorised ${r.viterbi.factorisedMs.toFixed(2)} ms   ${r.viterbi.speedup}x faster` +
      `   (CPU time ${r.viterbi.denseCpuMs.toFixed(1)} / ${r.viterbi.factorisedCpuMs.toFixed(1)} ms, ${r.viterbi.speedupCpu}x)   same path ${samePath}, same score ${r.viterbi.sameScore}`,
  );
  const f = r.forwardBackward;
  console.log(
    `forward-backward  dense log-space ${f.denseLogSpaceMs.toFixed(2)} ms   dense scaled ${f.denseScaledMs.toFixed(2)} ms   factorised (${f.method}) ${f.factorisedMs.toFixed(2)} ms` +
      `   ${f.speedupVsLogSpace}x / ${f.speedupVsScaled}x faster (CPU time ${f.speedupVsLogSpaceCpu}x / ${f.speedupVsScaledCpu}x)`,
  );
  console.log(
    `  |log Z diff| ${f.logZDiff.toExponential(2)}, max |marginal diff| ${maxMarginalDiff.toExponential(2)} (factorised vs log-space reference)`,
  );
}
if (!samePath || !r.viterbi.sameScore) process.exitCode = 1;
