// Whole-model gradients against finite differences: one entry of every parameter, plus the directional
// derivative along a random direction over all parameters at once. Also reports node counts.
import { encodeModel, gradients, optimizeForWriting, seededUniform, toNumbers, type HostTensor } from '@hybridoc/core';
import { session } from './gradcheck.js';
import { buildMlp, buildTransformerBlock, type SampleModel } from './sample-models.js';

interface Checked {
  forwardNodes: number;
  backwardNodes: number;
  nodesAfterOptimize: number;
}

async function checkModel(m: SampleModel, eps: number, rtol: number, atol: number): Promise<Checked> {
  const { g, feeds, params } = m;
  g.output(m.loss);
  const forward = encodeModel(g.toModel());
  const forwardNodes = g.nodes.length;
  const grads = gradients(g, m.loss, params);
  const backwardNodes = g.nodes.length - forwardNodes;
  params.forEach((p) => g.output(grads.get(p)!, { name: `grad.${p}` }));
  const { nodesAfter } = optimizeForWriting(g);
  const fwd = await session(forward);
  const full = await session(encodeModel(g.toModel()));
  try {
    const res = await full.run(feeds);
    const lossAt = async (f: Record<string, HostTensor>) => toNumbers((await fwd.run(f, ['loss'])).loss)[0];
    expect(Math.abs(toNumbers(res.loss)[0] - (await lossAt(feeds)))).toBeLessThan(1e-12);
    const rnd = seededUniform(99);
    const close = (a: number, n: number) => Math.abs(a - n) <= atol + rtol * Math.max(Math.abs(a), Math.abs(n));
    // one entry of every parameter
    for (const p of params) {
      const data = feeds[p].data as Float64Array;
      const grad = toNumbers(res[`grad.${p}`]);
      expect([...res[`grad.${p}`].dims]).toEqual([...feeds[p].dims]);
      expect(grad.some((v) => v !== 0)).toBe(true);
      const i = Math.floor(rnd() * data.length);
      const orig = data[i];
      data[i] = orig + eps;
      const up = await lossAt(feeds);
      data[i] = orig - eps;
      const down = await lossAt(feeds);
      data[i] = orig;
      const numeric = (up - down) / (2 * eps);
      if (!close(grad[i], numeric)) throw new Error(`${p}[${i}]: analytic ${grad[i]} vs finite difference ${numeric}`);
    }
    // directional derivative over all parameters
    const direction = Object.fromEntries(params.map((p) => [p, Array.from(feeds[p].data as Float64Array, () => 2 * rnd() - 1)]));
    const analytic = params.reduce((s, p) => s + toNumbers(res[`grad.${p}`]).reduce((t, v, i) => t + v * direction[p][i], 0), 0);
    const shifted = (sign: number) => {
      const f = { ...feeds };
      for (const p of params) {
        const base = feeds[p].data as Float64Array;
        f[p] = { ...feeds[p], data: Float64Array.from(base, (v, i) => v + sign * eps * direction[p][i]) };
      }
      return f;
    };
    const numeric = ((await lossAt(shifted(1))) - (await lossAt(shifted(-1)))) / (2 * eps);
    if (!close(analytic, numeric)) throw new Error(`directional derivative: analytic ${analytic} vs finite difference ${numeric}`);
    return { forwardNodes, backwardNodes, nodesAfterOptimize: nodesAfter };
  } finally {
    await fwd.release();
    await full.release();
  }
}

describe('whole-model gradients', () => {
  test('MLP (Gemm, MatMul, Relu, Tanh, LogSoftmax, NLL): every parameter and a random direction', async () => {
    const c = await checkModel(buildMlp(), 1e-6, 1e-6, 1e-9);
    expect(c.backwardNodes).toBeGreaterThan(0);
  });

  test('transformer block (embeddings, attention, layer norms, GELU via Erf, residuals, dropout)', async () => {
    // Erf runs in float32 inside the double graph, so central differences carry float32 noise: looser bounds.
    const c = await checkModel(buildTransformerBlock({ dropout: 0.1 }), 1e-3, 1e-3, 1e-5);
    console.log(
      `transformer block nodes: forward ${c.forwardNodes}, backward ${c.backwardNodes} appended, ` +
        `${c.nodesAfterOptimize} in all after optimizeForWriting (${c.forwardNodes + c.backwardNodes} before)`,
    );
    expect(c.nodesAfterOptimize).toBeLessThan(c.forwardNodes + c.backwardNodes);
    // The backward pass is not larger than it must be: about two to three nodes per forward node.
    expect(c.nodesAfterOptimize).toBeLessThan(4 * c.forwardNodes);
  });

  test('the same block entirely in float64 (tanh GELU) agrees to 1e-6', async () => {
    await checkModel(buildTransformerBlock({ dropout: 0.1, tanhGelu: true }), 1e-5, 1e-6, 1e-9);
  });
});
