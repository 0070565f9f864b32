// Small forward graphs for whole-model gradient checks: an MLP and one transformer block (embeddings,
// self-attention with a padding mask and softmax, layer norms, GELU through Erf, residuals, dropout).
// Parameters are graph inputs, as in the project's training graphs.
import { GraphBuilder, reproducibleDropout, seededUniform, tensor, type HostTensor, type TensorRef } from '@hybridoc/core';

export interface SampleModel {
  g: GraphBuilder;
  loss: TensorRef;
  params: string[];
  feeds: Record<string, HostTensor>;
}

type ParamInit = { name: string; dims: number[]; scale?: number; offset?: number };

function declareParams(g: GraphBuilder, specs: ParamInit[], seed: number, feeds: Record<string, HostTensor>): Record<string, TensorRef> {
  const rnd = seededUniform(seed);
  const out: Record<string, TensorRef> = {};
  for (const s of specs) {
    out[s.name] = g.input(s.name, 'float64', s.dims);
    const n = s.dims.reduce((a, d) => a * d, 1);
    feeds[s.name] = tensor(
      'float64',
      s.dims,
      Array.from({ length: n }, () => (s.offset ?? 0) + (s.scale ?? 0.5) * (2 * rnd() - 1)),
    );
  }
  return out;
}

/** Mean negative log-likelihood of int64 labels [N] under log-probabilities [N, C]. */
function nll(g: GraphBuilder, logProbs: TensorRef, labels: TensorRef): TensorRef {
  const picked = g.gatherElements(logProbs, g.unsqueeze(labels, [-1]), { axis: -1 });
  return g.neg(g.reduceMean(picked, null, { keepdims: false }), { name: 'loss' });
}

/** x [4, 5] -> Gemm + bias -> relu -> MatMul + bias -> tanh -> MatMul -> log-softmax -> NLL. */
export function buildMlp(): SampleModel {
  const g = new GraphBuilder('mlp');
  const feeds: Record<string, HostTensor> = {};
  const rnd = seededUniform(7);
  const x = g.input('x', 'float64', ['batch', 5]);
  feeds.x = tensor(
    'float64',
    [4, 5],
    Array.from({ length: 20 }, () => 2 * rnd() - 1),
  );
  const labels = g.input('labels', 'int64', ['batch']);
  feeds.labels = tensor('int64', [4], [0, 2, 1, 2]);
  const p = declareParams(
    g,
    [
      { name: 'l1.weight', dims: [5, 8] },
      { name: 'l1.bias', dims: [8], scale: 0.1 },
      { name: 'l2.weight', dims: [8, 6] },
      { name: 'l2.bias', dims: [6], scale: 0.1 },
      { name: 'out.weight', dims: [6, 3] },
    ],
    11,
    feeds,
  );
  const h1 = g.relu(g.gemm(x, p['l1.weight'], p['l1.bias']));
  const h2 = g.tanh(g.add(g.matmul(h1, p['l2.weight']), p['l2.bias']));
  const loss = nll(g, g.logSoftmax(g.matmul(h2, p['out.weight'])), labels);
  return { g, loss, params: Object.keys(p), feeds };
}

export const BLOCK = { batch: 2, seq: 4, hidden: 8, heads: 2, ffn: 16, vocab: 10, labels: 5 };

/** GELU(x) = 0.5 x (1 + erf(x / sqrt 2)); Erf has no double kernel in ORT, so it runs in float32. */
function gelu(g: GraphBuilder, x: TensorRef): TensorRef {
  const e = g.cast(g.erf(g.cast(g.mul(x, Math.SQRT1_2), 'float32')), 'float64');
  return g.mul(g.mul(x, 0.5), g.add(e, 1));
}

/** Token + position embeddings -> pre-norm self-attention block + GELU FFN -> classifier -> NLL. */
export function buildTransformerBlock(options: { dropout?: number; tanhGelu?: boolean } = {}): SampleModel {
  const { batch, seq, hidden, heads, ffn, vocab, labels: nLabels } = BLOCK;
  const d = hidden / heads;
  const g = new GraphBuilder('block');
  const feeds: Record<string, HostTensor> = {};
  const ids = g.input('input_ids', 'int64', ['batch', seq]);
  feeds.input_ids = tensor('int64', [batch, seq], [1, 5, 5, 9, 3, 0, 7, 1]);
  const mask = g.input('attention_mask', 'int64', ['batch', seq]);
  feeds.attention_mask = tensor('int64', [batch, seq], [1, 1, 1, 1, 1, 1, 1, 0]);
  const labels = g.input('labels', 'int64', ['batch', seq]);
  feeds.labels = tensor('int64', [batch, seq], [0, 4, 2, 1, 3, 3, 0, 2]);
  const seed = g.input('dropout_seed', 'int64', []);
  feeds.dropout_seed = tensor('int64', [], [1234]);
  const ln = (name: string) => [
    { name: `${name}.weight`, dims: [hidden], scale: 0.2, offset: 1 },
    { name: `${name}.bias`, dims: [hidden], scale: 0.1 },
  ];
  const linear = (name: string, i: number, o: number) => [
    { name: `${name}.weight`, dims: [i, o], scale: 1 / Math.sqrt(i) },
    { name: `${name}.bias`, dims: [o], scale: 0.1 },
  ];
  const p = declareParams(
    g,
    [
      { name: 'embeddings.word', dims: [vocab, hidden] },
      { name: 'embeddings.position', dims: [seq, hidden], scale: 0.1 },
      ...ln('attention.norm'),
      ...linear('attention.query', hidden, hidden),
      ...linear('attention.key', hidden, hidden),
      ...linear('attention.value', hidden, hidden),
      ...linear('attention.output', hidden, hidden),
      ...ln('ffn.norm'),
      ...linear('ffn.intermediate', hidden, ffn),
      ...linear('ffn.output', ffn, hidden),
      ...ln('final.norm'),
      ...linear('classifier', hidden, nLabels),
    ],
    23,
    feeds,
  );
  const dense = (x: TensorRef, name: string) => g.add(g.matmul(x, p[`${name}.weight`]), p[`${name}.bias`]);
  const norm = (x: TensorRef, name: string) => g.layerNormalization(x, p[`${name}.weight`], p[`${name}.bias`], { epsilon: 1e-5 });
  const drop = (x: TensorRef, salt: number) => (options.dropout ? reproducibleDropout(g, x, options.dropout, seed, salt, true) : x);

  const x0 = g.add(g.gather(p['embeddings.word'], ids), p['embeddings.position']);
  // attention
  const h = norm(x0, 'attention.norm');
  const split = (t: TensorRef) => g.transpose(g.reshape(t, [0, seq, heads, d]), [0, 2, 1, 3]);
  const q = split(dense(h, 'attention.query'));
  const k = split(dense(h, 'attention.key'));
  const v = split(dense(h, 'attention.value'));
  const bias = g.mul(g.sub(1, g.cast(g.unsqueeze(mask, [1, 2]), 'float64')), -1e4);
  const scores = g.add(g.mul(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(d)), bias);
  const probs = drop(g.softmax(scores), 1);
  const ctx = g.reshape(g.transpose(g.matmul(probs, v), [0, 2, 1, 3]), [0, seq, hidden]);
  const x1 = g.add(x0, drop(dense(ctx, 'attention.output'), 2));
  // feed-forward
  const act = (t: TensorRef) => (options.tanhGelu ? g.mul(g.mul(t, 0.5), g.add(g.tanh(g.mul(t, 0.79788456)), 1)) : gelu(g, t));
  const f = dense(act(dense(norm(x1, 'ffn.norm'), 'ffn.intermediate')), 'ffn.output');
  const x2 = g.add(x1, drop(f, 3));
  // classifier and loss over unmasked tokens
  const logProbs = g.logSoftmax(dense(norm(x2, 'final.norm'), 'classifier'));
  const picked = g.squeeze(g.gatherElements(logProbs, g.unsqueeze(labels, [-1]), { axis: -1 }), [-1]);
  const weight = g.cast(mask, 'float64');
  const loss = g.neg(g.div(g.reduceSum(g.mul(picked, weight), null, { keepdims: false }), g.reduceSum(weight, null, { keepdims: false })), {
    name: 'loss',
  });
  return { g, loss, params: Object.keys(p), feeds };
}
