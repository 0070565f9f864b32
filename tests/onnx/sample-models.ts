// Small built models shared by the serialization, inspect and official-checker tests.
import { GraphBuilder, type ModelOptions } from '@hybridoc/core';

/** An encoder-ish block: embeddings, attention scores, layer norm, GELU (erf), classifier; 3 initializers. */
export function denseModel(options: ModelOptions = { schemaHash: 'abc123', preset: 'tiny' }) {
  const b = new GraphBuilder('dense_block');
  const ids = b.input('input_ids', 'int64', ['batch', 'seq']);
  const emb = b.initializer('embeddings.word_embeddings.weight', {
    dtype: 'float32',
    dims: [10, 8],
    data: Float32Array.from({ length: 80 }, (_, i) => Math.sin(i)),
  });
  const ln = b.initializer('embeddings.LayerNorm.weight', { dtype: 'float32', dims: [8], data: new Float32Array(8).fill(1) });
  const cls = b.initializer('classifier.weight', {
    dtype: 'float32',
    dims: [8, 3],
    data: Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)),
  });
  const h = b.scope('embeddings', () => b.layerNormalization(b.gather(emb, ids), ln, null, { epsilon: 1e-5 }));
  const scores = b.scope('attention', () => b.softmax(b.div(b.matmul(h, b.transpose(h, [0, 2, 1])), Math.sqrt(8))));
  const ctx = b.matmul(scores, h);
  const gelu = b.mul(b.mul(ctx, 0.5), b.add(b.erf(b.div(ctx, Math.SQRT2)), 1));
  const logits = b.matmul(gelu, cls, { name: 'classifier' });
  b.output(logits, { name: 'logits' });
  b.output(b.argMax(logits, { axis: -1, keepdims: false }), { name: 'labels' });
  return b.toModel(options);
}

/** A Loop (running product with a scan output) and an outer-scope read. */
export function loopModel() {
  const b = new GraphBuilder('loop_model');
  const x = b.input('x', 'float64', [4]);
  const n = b.input('n', 'int64', []);
  const { states, scanOutputs } = b.loop(
    { tripCount: n, cond: true, carried: [b.constant([1, 1, 1, 1], { dtype: 'float64' })] },
    (g, _i, _c, [acc]) => {
      const next = g.mul(acc, x);
      return { cond: g.less(g.reduceMax(next, null, { keepdims: false }), 1e6), carried: [next], scanOutputs: [next] };
    },
  );
  b.output(states[0], { name: 'product' });
  b.output(scanOutputs[0], { name: 'powers' });
  return b.toModel();
}

/** A Scan (Viterbi-style max-plus recurrence with argmax back-pointers). */
export function scanModel() {
  const b = new GraphBuilder('scan_model');
  const em = b.input('emissions', 'float32', ['seq', 5]);
  const trans = b.initializer('transitions', {
    dtype: 'float32',
    dims: [5, 5],
    data: Float32Array.from({ length: 25 }, (_, i) => (i % 7) / 7),
  });
  const start = b.reshape(b.slice(em, [0], [1]), [5]);
  const { states, scanOutputs } = b.scan({ states: [start], scanInputs: [b.slice(em, [1], [Infinity])] }, (g, [score], [e]) => {
    const cand = g.add(g.unsqueeze(score, [1]), trans);
    return { states: [g.add(g.reduceMax(cand, [0], { keepdims: false }), e)], scanOutputs: [g.argMax(cand, { axis: 0, keepdims: false })] };
  });
  b.output(states[0], { name: 'final_scores' });
  b.output(scanOutputs[0], { name: 'backpointers' });
  return b.toModel();
}
