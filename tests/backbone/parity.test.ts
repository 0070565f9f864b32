/**
 * Parity of our LayoutLMv3 ONNX graph with Hugging Face's modeling_layoutlmv3.py (fixtures in
 * tests/fixtures/parity, made by scripts/parity/make_fixtures.py): every layer's hidden states, the encoder's
 * positions, boxes and bucket matrices, and the gradients of loss = sum(last_hidden_state * loss_weight).
 */
import { createSession, f32, i64, type HostTensor, type Session } from '@hybridoc/core';
import { buildLayoutLMv3Graph } from '../../packages/core/src/model/layoutlmv3.js';
import { loadParityFixture, parityFeeds, relativeMaxError, type FloatTensor, type IntTensor } from '../support/parity-fixture.js';

const FIXTURES = ['tiny-visual', 'tiny-text'] as const;

async function run(bytes: Uint8Array, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const session: Session = await createSession(bytes, { intraOpThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function expectFloat(ours: HostTensor, ref: FloatTensor, tolerance: number, what: string): number {
  expect([what, [...ours.dims]]).toEqual([what, ref.shape]);
  const err = relativeMaxError(ours.data as Float32Array, ref.data);
  expect([what, err < tolerance]).toEqual([what, true]);
  return err;
}

function expectInts(ours: HostTensor, ref: IntTensor, what: string): void {
  expect([what, [...ours.dims]]).toEqual([what, ref.shape]);
  expect([what, Array.from(ours.data as BigInt64Array)]).toEqual([what, Array.from(ref.data)]);
}

describe.each(FIXTURES)('LayoutLMv3 forward parity with Hugging Face: %s', (name) => {
  const fx = loadParityFixture(name);
  let out: Record<string, HostTensor>;

  beforeAll(async () => {
    const { graph } = buildLayoutLMv3Graph(fx.config.backbone, { hiddenStates: true, debug: true });
    out = await run(graph.finalize().bytes, parityFeeds(fx));
  });

  test('every layer (embedding output, then each layer) within 1e-4 of the reference', () => {
    const L = fx.config.backbone.num_hidden_layers;
    expect(fx.outputs.hidden_states).toHaveLength(L + 1);
    const errors = fx.outputs.hidden_states.map((ref, i) =>
      expectFloat(out[`hidden_states.${i}`], ref, fx.manifest.tolerances.hidden_states, `hidden_states.${i}`),
    );
    expectFloat(out.last_hidden_state, fx.outputs.last_hidden_state, fx.manifest.tolerances.hidden_states, 'last_hidden_state');
    // report the figures (they go into the parity note)
    console.log(`${name}: max relative error per layer ${errors.map((e) => e.toExponential(2)).join(', ')}`);
  });

  test('the patchify + MatMul form of the patch projection (training graphs) gives the same layers', async () => {
    const { graph } = buildLayoutLMv3Graph(fx.config.backbone, { hiddenStates: true, patchEmbed: 'matmul' });
    const alt = await run(graph.finalize().bytes, parityFeeds(fx));
    fx.outputs.hidden_states.forEach((ref, i) =>
      expectFloat(alt[`hidden_states.${i}`], ref, fx.manifest.tolerances.hidden_states, `hidden_states.${i}`),
    );
  });

  test('text_hidden_state is the text positions of last_hidden_state', () => {
    const T = fx.entry.text_length;
    const S = fx.entry.sequence_length;
    const H = fx.entry.hidden_size;
    const text = out.text_hidden_state;
    expect([...text.dims]).toEqual([fx.entry.batch, T, H]);
    const full = out.last_hidden_state.data as Float32Array;
    for (let b = 0; b < fx.entry.batch; b++) {
      const want = full.subarray(b * S * H, b * S * H + T * H);
      const got = (text.data as Float32Array).subarray(b * T * H, (b + 1) * T * H);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  test('encoder positions, boxes and the 1-D / 2-D bucket matrices equal the reference exactly', () => {
    const d = fx.outputs.debug;
    expectInts(out['debug.position_ids'], d.position_ids, 'position_ids');
    expectInts(out['debug.bbox'], d.bbox, 'bbox');
    expectInts(out['debug.rel_pos_bucket'], d.rel_pos_bucket, 'rel_pos_bucket');
    expectInts(out['debug.rel_2d_x_bucket'], d.rel_2d_x_bucket, 'rel_2d_x_bucket');
    expectInts(out['debug.rel_2d_y_bucket'], d.rel_2d_y_bucket, 'rel_2d_y_bucket');
    // the fixtures reach the first and last buckets on both sides
    const range = (t: HostTensor) => {
      const v = Array.from(t.data as BigInt64Array, Number);
      return [Math.min(...v), Math.max(...v)];
    };
    expect(range(out['debug.rel_pos_bucket'])).toEqual([0, fx.config.backbone.rel_pos_bins - 1]);
    expect(range(out['debug.rel_2d_x_bucket'])).toEqual([0, fx.config.backbone.rel_2d_pos_bins - 1]);
  });

  test('padding-offset position ids: real tokens 2, 3, ..., pads 1', () => {
    const ids = Array.from(out['debug.embedding_position_ids'].data as BigInt64Array, Number);
    const T = fx.entry.text_length;
    const real = fx.entry.padded_row.real_tokens;
    expect(ids.slice(0, T)).toEqual(Array.from({ length: T }, (_, i) => i + 2));
    expect(ids.slice(T)).toEqual([...Array.from({ length: real }, (_, i) => i + 2), ...new Array<number>(T - real).fill(1)]);
  });

  test('padding does not change the real tokens: the padded row equals the same row run alone without its pads', async () => {
    const T = fx.entry.text_length;
    const real = fx.entry.padded_row.real_tokens;
    const row = fx.entry.padded_row.row;
    const H = fx.entry.hidden_size;
    const S = fx.entry.sequence_length;
    const V = S - T;
    const feeds = parityFeeds(fx);
    const cut = (t: HostTensor, inner: number) => {
      const src = t.data as BigInt64Array;
      return i64([1, real, ...t.dims.slice(2)], src.slice(row * T * inner, row * T * inner + real * inner));
    };
    feeds.input_ids = cut(feeds.input_ids, 1);
    feeds.bbox = cut(feeds.bbox, 4);
    feeds.attention_mask = cut(feeds.attention_mask, 1);
    if (feeds.pixel_values) {
      const per = feeds.pixel_values.data.length / fx.entry.batch;
      feeds.pixel_values = f32(
        [1, ...feeds.pixel_values.dims.slice(1)],
        (feeds.pixel_values.data as Float32Array).slice(row * per, (row + 1) * per),
      );
    }
    const { graph } = buildLayoutLMv3Graph(fx.config.backbone);
    const alone = (await run(graph.finalize().bytes, feeds)).last_hidden_state;
    expect([...alone.dims]).toEqual([1, real + V, H]);
    const padded = (out.last_hidden_state.data as Float32Array).subarray(row * S * H, (row + 1) * S * H);
    const want = [...padded.subarray(0, real * H), ...padded.subarray(T * H)];
    expect(relativeMaxError(alone.data as Float32Array, want)).toBeLessThan(1e-5);
  });
});
