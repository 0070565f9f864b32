/**
 * Gradient parity of our LayoutLMv3 graph (differentiated by autodiff/gradients.ts) with Hugging Face's
 * modeling_layoutlmv3.py: d loss / d parameter for loss = sum(last_hidden_state * loss_weight), on the
 * fixtures of tests/fixtures/parity (see scripts/parity/README.md).
 */
import { createSession, f32, i64, type HostTensor, type Session } from '@hybridoc/core';
import { buildLayoutLMv3Graph, type LayoutLMv3GraphOptions } from '../../packages/core/src/model/layoutlmv3.js';
import { isTrainable } from '../../packages/core/src/model/parameters.js';
import { gradients } from '../../packages/core/src/autodiff/gradients.js';
import { loadParityFixture, parityFeeds, relativeMaxError, type FloatTensor, type ParityFixture } from '../support/parity-fixture.js';

const FIXTURES = ['tiny-visual', 'tiny-text'] as const;

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Attention key biases add q . b_k to every score of a query row, which the softmax ignores: their exact
 * gradient is zero and both sides hold only rounding noise (about 1e-8 of the largest gradient). Such a
 * tensor is compared absolutely against the largest gradient of the run instead of relatively.
 */
const ROUNDING_NOISE = 1e-6;
const isKeyBias = (n: string) => /attention\.self\.key\.bias$/.test(n);

function expectClose(ours: HostTensor, ref: FloatTensor, tolerance: number, what: string, scale: number): number {
  expect([what, [...ours.dims]]).toEqual([what, ref.shape]);
  if (isKeyBias(what)) {
    expect([what, maxAbs(ref.data) < ROUNDING_NOISE * scale, maxAbs(ours.data as Float32Array) < ROUNDING_NOISE * scale]).toEqual([
      what,
      true,
      true,
    ]);
    return 0;
  }
  const err = relativeMaxError(ours.data as Float32Array, ref.data);
  expect([what, err < tolerance]).toEqual([what, true]);
  return err;
}

/** loss = sum(last_hidden_state * loss_weight) and its gradients w.r.t. the parameters `isTrainable` keeps. */
async function gradientRun(fx: ParityFixture, trainRelPos: boolean, options: LayoutLMv3GraphOptions = {}) {
  // the patchify + MatMul form of the patch projection, as training graphs use (same numbers as the Conv)
  const { graph: g, parameters, params, output } = buildLayoutLMv3Graph(fx.config.backbone, { patchEmbed: 'matmul', ...options });
  const weight = g.input('loss_weight', 'float32', ['batch', null, fx.entry.hidden_size]);
  const loss = g.reduceSum(g.mul(output.fullHidden, weight), null, { keepdims: false, name: 'loss' });
  g.output(loss, { name: 'loss_value' });
  const trained = parameters.filter((p) => isTrainable(p, { freeze_backbone: false, train_rel_pos_bias: trainRelPos })).map((p) => p.name);
  const grads = gradients(
    g,
    loss,
    trained.map((n) => params.get(n)!),
  );
  for (const n of trained) g.output(grads.get(n)!, { name: `grad.${n}` });
  const session: Session = await createSession(g.finalize().bytes, { intraOpThreads: 1 });
  try {
    return { trained, out: await session.run(parityFeeds(fx, { lossWeight: true })) };
  } finally {
    await session.release();
  }
}

function row(t: HostTensor, r: number): number[] {
  const width = t.dims[1];
  return Array.from((t.data as Float32Array).subarray(r * width, (r + 1) * width));
}

describe.each(FIXTURES)('LayoutLMv3 gradient parity with Hugging Face: %s', (name) => {
  const fx = loadParityFixture(name);

  test('every trained parameter within 1e-3; relative-position tables frozen by default; padding rows exactly zero', async () => {
    const { trained, out } = await gradientRun(fx, false);
    // the default trains exactly what the reference differentiates: all but the three bias tables
    expect(trained).toEqual([...fx.grads.keys()]);
    expect(trained.filter((n) => fx.entry.no_grad.includes(n))).toEqual([]);
    expect(Math.abs((out.loss_value.data as Float32Array)[0] - fx.outputs.loss) / Math.abs(fx.outputs.loss)).toBeLessThan(1e-4);
    // the key biases are the only reference gradients at rounding-noise level
    const scale = Math.max(...[...fx.grads.values()].map((t) => maxAbs(t.data)));
    expect([...fx.grads].filter(([, t]) => maxAbs(t.data) < ROUNDING_NOISE * scale).map(([n]) => n)).toEqual(
      [...fx.grads.keys()].filter(isKeyBias),
    );
    let worst = 0;
    let worstName = '';
    for (const [n, ref] of fx.grads) {
      const e = expectClose(out[`grad.${n}`], ref, fx.manifest.tolerances.gradients, `grad.${n}`, scale);
      if (e > worst) [worst, worstName] = [e, n];
    }
    console.log(`${name}: ${fx.grads.size} gradients, worst relative error ${worst.toExponential(2)} (${worstName})`);
    for (const { name: n, row: r } of fx.entry.zero_grad_rows) {
      expect([n, r, row(out[`grad.${n}`], r).every((v) => v === 0)]).toEqual([n, r, true]);
    }
  });

  test('the padding rows are read (pad tokens exist) and get gradient without the padding_idx rule', async () => {
    const pad = fx.config.backbone.pad_token_id;
    expect(Array.from(fx.inputs.input_ids.data).filter((v) => Number(v) === pad).length).toBeGreaterThan(0);
    const { out } = await gradientRun(fx, false, { paddingIdxGradient: false });
    for (const { name: n, row: r } of fx.entry.zero_grad_rows) {
      expect([n, r, row(out[`grad.${n}`], r).some((v) => v !== 0)]).toEqual([n, r, true]);
    }
  });

  test('with train_rel_pos_bias the relative-position tables get the reference gradients (grads-rel-pos)', async () => {
    const { trained, out } = await gradientRun(fx, true);
    expect(trained).toEqual(fx.entry.parameters);
    expect([...fx.relPosGrads.keys()]).toEqual(fx.entry.no_grad);
    const scale = Math.max(...[...fx.grads.values()].map((t) => maxAbs(t.data)));
    const errors: string[] = [];
    for (const [n, ref] of fx.relPosGrads) {
      errors.push(
        `${n.replace('layoutlmv3.encoder.', '')} ${expectClose(out[`grad.${n}`], ref, fx.manifest.tolerances.gradients, `grad.${n}`, scale).toExponential(2)}`,
      );
    }
    for (const [n, ref] of fx.grads) expectClose(out[`grad.${n}`], ref, fx.manifest.tolerances.gradients, `grad.${n}`, scale);
    console.log(`${name}: relative-position table gradient errors: ${errors.join('; ')}`);
  });
});

/** A batch of 2 grown to 3 by repeating row 0. */
function withRow0Repeated(t: HostTensor): HostTensor {
  const per = t.data.length / t.dims[0];
  const dims = [t.dims[0] + 1, ...t.dims.slice(1)];
  if (t.data instanceof BigInt64Array) return i64(dims, BigInt64Array.from([...t.data, ...t.data.subarray(0, per)]));
  const data = t.data as Float32Array;
  return f32(dims, Float32Array.from([...data, ...data.subarray(0, per)]));
}

describe('training forward differentiates', () => {
  test('dropout on, dynamic batch: gradients build once and run at batch 2 and 3 with finite values', async () => {
    const fx = loadParityFixture('tiny-visual');
    const { graph: g, parameters, params, output } = buildLayoutLMv3Graph(fx.config.backbone, { training: true });
    const loss = g.reduceSum(g.mul(output.hidden, output.hidden), null, { keepdims: false, name: 'loss' });
    const trained = parameters.filter((p) => isTrainable(p, { freeze_backbone: false, train_rel_pos_bias: false }));
    const grads = gradients(
      g,
      loss,
      trained.map((p) => params.get(p.name)!),
    );
    g.output(loss, { name: 'loss_value' });
    for (const p of trained) g.output(grads.get(p.name)!, { name: `grad.${p.name}` });
    const session = await createSession(g.finalize().bytes, { intraOpThreads: 1 });
    try {
      const base = parityFeeds(fx);
      for (const rows of [2, 3]) {
        const feeds: Record<string, HostTensor> = { ...base, dropout_seed: i64([], [5]) };
        if (rows === 3) for (const k of ['input_ids', 'bbox', 'attention_mask', 'pixel_values']) feeds[k] = withRow0Repeated(base[k]);
        const out = await session.run(feeds);
        expect(Number.isFinite((out.loss_value.data as Float32Array)[0])).toBe(true);
        const q = out['grad.layoutlmv3.encoder.layer.0.attention.self.query.weight'].data as Float32Array;
        expect(Array.from(q).every(Number.isFinite) && q.some((v) => v !== 0)).toBe(true);
      }
    } finally {
      await session.release();
    }
  });
});
