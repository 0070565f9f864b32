/**
 * The LayoutLMv3 backbone graph for every preset: builds, passes the structural checker, reads the exact
 * Hugging Face parameter table as graph inputs, and has dynamic batch and text axes; the bucket tables,
 * the visual boxes, dropout and the FLOPs count against the spec.
 */
import {
  backboneForwardFlops,
  backboneParameters,
  buildLayoutLMv3,
  buildLayoutLMv3Graph,
  countParameters,
  createSession,
  dropoutSites,
  f32,
  GraphBuilder,
  HybridocError,
  i64,
  initializeParameters,
  listModelPresets,
  loadModelConfig,
  relativePositionBucket,
  relativePositionBucketTable,
  summarizeModel,
  visualBoxes,
  type HostTensor,
  type LayoutLMv3Config,
} from '@hybridoc/core';
import { runCli } from '../support/cli.js';

const tiny = loadModelConfig('tiny').backbone;

function tinyFeeds(cfg: LayoutLMv3Config, B: number, T: number, withParams = true): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  if (withParams) {
    const params = backboneParameters(cfg);
    const values = initializeParameters(params, 7);
    for (const p of params) feeds[p.name] = f32(p.shape, values.get(p.name)!);
  }
  feeds.input_ids = i64(
    [B, T],
    Array.from({ length: B * T }, (_, i) => (i % T === 0 ? 0 : 3 + ((i * 37) % 250))),
  );
  feeds.bbox = i64(
    [B, T, 4],
    Array.from({ length: B * T }, (_, i) => [(i * 53) % 900, (i * 31) % 900, ((i * 53) % 900) + 40, ((i * 31) % 900) + 20]).flat(),
  );
  feeds.attention_mask = i64([B, T], new Array<number>(B * T).fill(1));
  if (cfg.visual_embed) {
    const n = B * cfg.num_channels * cfg.input_size ** 2;
    feeds.pixel_values = f32(
      [B, cfg.num_channels, cfg.input_size, cfg.input_size],
      Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
    );
  }
  return feeds;
}

describe('presets build and pass the checker', () => {
  test.each(listModelPresets())('%s: parameters are graph inputs with the HF names and shapes; checker ok', (preset) => {
    const cfg = loadModelConfig(preset).backbone;
    for (const visual of [true, false]) {
      const b = { ...cfg, visual_embed: visual };
      const { graph, parameters } = buildLayoutLMv3Graph(b);
      const { model } = graph.finalize(); // throws on any structural problem
      const summary = summarizeModel(model);
      expect(summary.initializerCount).toBe(0);
      const inputs = new Map(summary.inputs.map((i) => [i.name, i]));
      for (const p of parameters) expect([p.name, inputs.get(p.name)?.shape]).toEqual([p.name, p.shape]);
      expect(inputs.get('input_ids')!.shape).toEqual(['batch', 'seq']);
      expect(inputs.get('bbox')!.shape).toEqual(['batch', 'seq', 4]);
      expect(inputs.has('pixel_values')).toBe(visual);
      expect('Conv' in summary.opCounts).toBe(visual);
      expect(summary.outputs.find((o) => o.name === 'text_hidden_state')!.shape).toEqual(['batch', 'seq', b.hidden_size]);
    }
  });

  test('base: 125,326,976 backbone parameters in 212 tensors; large: 356,005,376', () => {
    const base = backboneParameters(loadModelConfig('base').backbone);
    expect([countParameters(base), base.length]).toEqual([125_326_976, 212]);
    expect(countParameters(backboneParameters(loadModelConfig('large').backbone))).toBe(356_005_376);
  });

  test('tiny builds and runs in well under a second (best of 3: build, checker, session, forward)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const { graph } = buildLayoutLMv3Graph(tiny);
      const session = await createSession(graph.finalize().bytes, { intraOpThreads: 1 });
      const out = await session.run(tinyFeeds(tiny, 2, tiny.max_text_length));
      await session.release();
      times.push(performance.now() - t0);
      expect(out.last_hidden_state.dims).toEqual([2, tiny.max_text_length + 5, tiny.hidden_size]);
    }
    console.log(`tiny build + check + session + forward (batch 2 x 64 text + 5 visual): ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    expect(Math.min(...times)).toBeLessThan(1000);
  });

  test('every bias combination builds clean; a 2-D-only config adds no bias, as the reference', async () => {
    const outputs: Record<string, number[]> = {};
    for (const visual of [true, false]) {
      for (const [rel, spatial] of [
        [true, true],
        [true, false],
        [false, true],
        [false, false],
      ]) {
        const cfg = { ...tiny, visual_embed: visual, has_relative_attention_bias: rel, has_spatial_attention_bias: spatial };
        const { graph } = buildLayoutLMv3Graph(cfg, { debug: true, hiddenStates: true });
        const session = await createSession(graph.finalize().bytes, { intraOpThreads: 1 });
        const out = await session.run(tinyFeeds(cfg, 2, 9));
        await session.release();
        expect('debug.rel_pos_bucket' in out).toBe(rel);
        outputs[`${visual}-${rel}-${spatial}`] = Array.from(out.last_hidden_state.data as Float32Array);
      }
      expect(outputs[`${visual}-false-true`]).toEqual(outputs[`${visual}-false-false`]);
      expect(outputs[`${visual}-true-true`]).not.toEqual(outputs[`${visual}-true-false`]);
    }
  });

  test('dynamic axes: one graph runs batch 1 and 3, text length 7 and 40', async () => {
    const { graph } = buildLayoutLMv3Graph(tiny);
    const session = await createSession(graph.finalize().bytes, { intraOpThreads: 1 });
    try {
      for (const [B, T] of [
        [1, 7],
        [3, 40],
      ]) {
        const out = await session.run(tinyFeeds(tiny, B, T));
        expect(out.last_hidden_state.dims).toEqual([B, T + 5, 32]);
        expect(out.text_hidden_state.dims).toEqual([B, T, 32]);
        expect(Array.from(out.last_hidden_state.data as Float32Array).every(Number.isFinite)).toBe(true);
      }
    } finally {
      await session.release();
    }
  });
});

describe('relative-position buckets and visual boxes (spec sections 3 and 4.3)', () => {
  /** the spec's tables: [first n, bucket] where each bucket starts */
  const starts = (table: number[]) => table.flatMap((b, n) => (n === 0 || b !== table[n - 1] ? [[n, b]] : []));

  test('1-D (32 buckets, 128) and 2-D (64, 256) tables match the spec, float-boundary cases included', () => {
    expect(starts(relativePositionBucketTable(32, 128)).slice(8)).toEqual([
      [8, 8],
      [12, 9],
      [16, 10],
      [23, 11],
      [32, 12],
      [46, 13],
      [64, 14],
      [91, 15],
    ]);
    expect(starts(relativePositionBucketTable(64, 256)).slice(16)).toEqual([
      [16, 16],
      [20, 17],
      [23, 18],
      [27, 19],
      [32, 20],
      [39, 21],
      [46, 22],
      [54, 23],
      [64, 24],
      [77, 25],
      [91, 26],
      [108, 27],
      [128, 28],
      [153, 29],
      [182, 30],
      [216, 31],
    ]);
    // worked examples: r = -2 -> 2, r = -6 -> 6, r = +2 -> 18, far on either side -> the last bucket
    expect([-2, -6, 2, 0, 5000, -5000].map((r) => relativePositionBucket(r, 32, 128))).toEqual([2, 6, 18, 0, 31, 15]);
  });

  test('visual boxes of the 14 x 14 grid: CLS [1, 1, 999, 999], then row-major patches', () => {
    const boxes = visualBoxes(loadModelConfig('base').backbone);
    expect(boxes).toHaveLength(197);
    expect(boxes[0]).toEqual([1, 1, 999, 999]);
    expect(boxes[1]).toEqual([0, 0, 71, 71]);
    expect(boxes[2]).toEqual([71, 0, 142, 71]);
    expect(boxes[15]).toEqual([0, 71, 71, 142]);
    expect(boxes[196]).toEqual([928, 928, 1000, 1000]);
    expect(boxes.slice(1, 15).map((b) => b[0])).toEqual([0, 71, 142, 214, 285, 357, 428, 500, 571, 642, 714, 785, 857, 928]);
  });
});

describe('dropout and the builder API', () => {
  async function runTraining(seed: number | undefined, training: boolean) {
    const { graph } = buildLayoutLMv3Graph(tiny, { training });
    const session = await createSession(graph.finalize().bytes, { intraOpThreads: 1 });
    const feeds = tinyFeeds(tiny, 2, 12);
    if (seed !== undefined) feeds.dropout_seed = i64([], [seed]);
    const out = await session.run(feeds);
    await session.release();
    return out.last_hidden_state.data as Float32Array;
  }

  test('training forward: the same seed gives the same masks, another seed others; inference has none', async () => {
    const a = await runTraining(11, true);
    const b = await runTraining(11, true);
    const c = await runTraining(12, true);
    const eval_ = await runTraining(undefined, false);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(a)).not.toEqual(Array.from(eval_));
    const { graph } = buildLayoutLMv3Graph(tiny, { training: true, dropout: false });
    expect(graph.inputs.some((i) => i.name === 'dropout_seed')).toBe(true);
    expect(graph.nodes.some((n) => n.name.includes('dropout'))).toBe(false);
  });

  test('salts: the backbone takes dropoutSites(config) salts from dropoutSaltBase', () => {
    const g = new GraphBuilder('salts');
    const params = new Map(backboneParameters(tiny).map((p) => [p.name, g.input(p.name, 'float32', p.shape)]));
    const inputs = {
      input_ids: g.input('input_ids', 'int64', ['batch', 'seq']),
      bbox: g.input('bbox', 'int64', ['batch', 'seq', 4]),
      attention_mask: g.input('attention_mask', 'int64', ['batch', 'seq']),
      pixel_values: g.input('pixel_values', 'float32', ['batch', 3, 32, 32]),
    };
    const seed = g.input('seed', 'int64', []);
    const out = buildLayoutLMv3(g, tiny, params, inputs, { training: true, dropoutSeed: seed, dropoutSaltBase: 100 });
    expect(out.dropoutSalts).toBe(dropoutSites(tiny));
    expect(dropoutSites(tiny)).toBe(2 + 3 * tiny.num_hidden_layers);
    expect(dropoutSites({ ...tiny, visual_embed: false })).toBe(1 + 3 * tiny.num_hidden_layers);
  });

  test('params may be keyed with or without the layoutlmv3. prefix; a missing one is named', () => {
    const g = new GraphBuilder('bare');
    const params = new Map(backboneParameters(tiny).map((p) => [p.name.replace(/^layoutlmv3\./, ''), g.input(p.name, 'float32', p.shape)]));
    const inputs = {
      input_ids: g.input('input_ids', 'int64', ['batch', 'seq']),
      bbox: g.input('bbox', 'int64', ['batch', 'seq', 4]),
      attention_mask: g.input('attention_mask', 'int64', ['batch', 'seq']),
    };
    expect(() => buildLayoutLMv3(g, tiny, params, inputs)).toThrow(/no pixel_values input/);
    const text = { ...tiny, visual_embed: false };
    const out = buildLayoutLMv3(g, text, params, inputs);
    expect(out.hidden.shape).toEqual(['batch', 'seq', 32]);
    params.delete('encoder.layer.1.output.dense.weight');
    expect(() => buildLayoutLMv3(new GraphBuilder('x'), text, params, inputs)).toThrow(HybridocError);
    expect(() => buildLayoutLMv3(g, text, params, inputs)).toThrow("no parameter 'layoutlmv3.encoder.layer.1.output.dense.weight'");
  });
});

describe('forward FLOPs', () => {
  test('base at 512 text + 197 visual tokens, counted by hand', () => {
    const f = backboneForwardFlops(loadModelConfig('base').backbone);
    const S = 709;
    const perLayer = 4 * 2 * S * 768 * 768 + 2 * 2 * S * S * 768 + 2 * 2 * S * 768 * 3072;
    expect(f.sequence).toBe(S);
    expect(f.parts.patchEmbed).toBe(2 * 196 * 768 * 3 * 16 * 16);
    expect(f.total).toBe(12 * perLayer + 2 * 196 * 768 * 768);
    expect(f.perToken).toBeCloseTo(f.total / S, 6);
    // about 2 x (encoder weights 85M) per token, plus attention
    expect(f.perToken / 1e6).toBeGreaterThan((2 * 85e6) / 1e6);
    expect(f.perToken / 1e6).toBeLessThan(220);
    const text = backboneForwardFlops({ ...loadModelConfig('base').backbone, visual_embed: false });
    expect([text.sequence, text.parts.patchEmbed]).toEqual([512, 0]);
  });
});

describe('hybridoc inspect on a model config', () => {
  test('base preset: 125,326,976 backbone parameters in 212 tensors, structural check ok', () => {
    const r = runCli(['inspect', 'config/models/base.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('backbone parameters: 125,326,976 in 212 tensors');
    expect(r.stdout).toMatch(/pixel_values\s+float32\s+\[batch, 3, 224, 224\]/);
    expect(r.stdout).toContain('structural check: ok');
  });

  test('--json on the text-only form of tiny', () => {
    const r = runCli(['inspect', 'tests/fixtures/parity/tiny-text/config.json', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.backbone).toMatchObject({ parameters: 48256, tensors: 44, visual_tokens: 0 });
    expect(j.feeds.map((f: { name: string }) => f.name)).toEqual(['input_ids', 'bbox', 'attention_mask']);
    expect(j.check).toEqual({ ok: true, problems: [] });
  });
});
