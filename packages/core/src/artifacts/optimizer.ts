/**
 * AdamW as graph nodes: global-norm gradient clipping, then PyTorch's AdamW update (decoupled weight decay,
 * bias correction from the step fed to the graph), for every trainable parameter at once. The learning rate,
 * step, weight decay and clip norm are graph inputs, so a TypeScript schedule sets them per step; beta1, beta2
 * and eps are fixed when the graph is built and recorded in the manifest.
 *
 * Per step, with t = step + 1 and every parameter p with gradient g:
 *   norm  = sqrt(sum over all g of sum(g^2))                      (reported as grad_norm, before clipping)
 *   g    <- g x min(1, max_grad_norm / (norm + 1e-6))             (when max_grad_norm > 0)
 *   m    <- beta1 m + (1 - beta1) g
 *   v    <- beta2 v + (1 - beta2) g^2
 *   p    <- p x (1 - lr x weight_decay)                          (only parameters that decay)
 *   p    <- p - (lr / (1 - beta1^t)) x m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * which is torch.optim.AdamW (amsgrad off) after torch.nn.utils.clip_grad_norm_.
 *
 * The update is memory-bound (one pass over every parameter-sized tensor per op), so the per-step scalars are
 * folded first and each parameter costs 13 elementwise ops (12 without decay), not the 15 of the formulas
 * as written: with x = (1 - beta1) c g (c the clip coefficient), k = (1 - beta2) / (1 - beta1)^2,
 * s = lr sqrt(1 - beta2^t) / (1 - beta1^t) and e = eps sqrt(1 - beta2^t):
 *   m <- beta1 m + x;   v <- beta2 v + k x^2;   p <- p (1 - lr wd) - s m / (sqrt(v) + e)
 * which is the same update up to float rounding (sqrt(v)/sqrt(bc2) + eps = (sqrt(v) + eps sqrt(bc2)) / sqrt(bc2)).
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { TensorRef } from '../onnx/types.js';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  /**
   * Parameters without weight decay, as name patterns: `*` matches any run of characters, anything else
   * itself; a pattern matches the whole name. Default: biases, layer-norm weights, the prototype head's
   * temperature.
   */
  noDecay: readonly string[];
}

/** Biases, every LayerNorm / norm weight, and the learnable temperature: no weight decay (as HF Trainer). */
export const DEFAULT_NO_DECAY: readonly string[] = ['*.bias', '*LayerNorm.weight', '*.norm.weight', 'norm.weight', '*.logit_scale'];

export const DEFAULT_ADAMW: Readonly<AdamWConfig> = { beta1: 0.9, beta2: 0.999, eps: 1e-8, noDecay: DEFAULT_NO_DECAY };

/** Added to the norm before dividing, as torch.nn.utils.clip_grad_norm_ does. */
export const CLIP_EPSILON = 1e-6;

const patternCache = new Map<string, RegExp>();

/** Whether `name` matches a `*` pattern as a whole. */
export function matchesNamePattern(name: string, pattern: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    patternCache.set(pattern, re);
  }
  return re.test(name);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether a parameter decays (its name matches none of the no-decay patterns). */
export function usesWeightDecay(name: string, noDecay: readonly string[] = DEFAULT_NO_DECAY): boolean {
  return !noDecay.some((p) => matchesNamePattern(name, p));
}

/** The per-step scalars, as graph tensors of the parameters' float dtype (step: int64). */
export interface OptimizerFeeds {
  lr: TensorRef;
  step: TensorRef;
  weightDecay: TensorRef;
  maxGradNorm: TensorRef;
}

/** One parameter to update: its value, gradient and Adam moments, all of one shape. */
export interface AdamWSlot {
  name: string;
  param: TensorRef;
  grad: TensorRef;
  m: TensorRef;
  v: TensorRef;
  decay: boolean;
}

export interface AdamWUpdate {
  name: string;
  param: TensorRef;
  m: TensorRef;
  v: TensorRef;
}

/** Names for the updated tensors of a parameter (the nodes computing them get exactly these names). */
export type UpdateNames = (param: string) => { param: string; m: string; v: string };

/**
 * Appends clipping and the AdamW update of every slot; returns the pre-clip global norm and new values.
 * With `names`, the nodes producing the new values are named so (outside any scope), so they can be graph
 * outputs without renaming or an Identity copy.
 */
export function appendClippedAdamW(
  g: GraphBuilder,
  slots: readonly AdamWSlot[],
  feeds: OptimizerFeeds,
  config: Pick<AdamWConfig, 'beta1' | 'beta2' | 'eps'>,
  names?: UpdateNames,
): { gradNorm: TensorRef; updates: AdamWUpdate[] } {
  if (slots.length === 0) throw new Error('appendClippedAdamW: no trainable parameters');
  const dtype = slots[0].param.dtype;
  const shared = g.scope('adamw', () => {
    const squares = slots.map((s) => g.reduceSumSquare(s.grad, null, { keepdims: false, name: 'grad_sq' }));
    const gradNorm = g.sqrt(squares.length === 1 ? squares[0] : g.sum(squares, { name: 'grad_sq_total' }), { name: 'grad_norm' });
    const one = g.constant(1, { dtype, name: 'one' });
    const clip = g.where(
      g.greater(feeds.maxGradNorm, 0),
      g.min([g.div(feeds.maxGradNorm, g.add(gradNorm, CLIP_EPSILON)), one], { name: 'clip_ratio' }),
      one,
      { name: 'clip_coef' },
    );
    const c = (value: number, name: string) => g.constant(value, { dtype, name });
    const beta1 = c(config.beta1, 'beta1');
    const beta2 = c(config.beta2, 'beta2');
    const t = g.add(g.cast(feeds.step, dtype), one, { name: 't' });
    const bias1 = g.sub(one, g.pow(beta1, t), { name: 'bias_correction1' });
    const bias2Sqrt = g.sqrt(g.sub(one, g.pow(beta2, t)), { name: 'bias_correction2_sqrt' });
    return {
      gradNorm,
      beta1,
      beta2,
      /** (1 - beta1) x clip: scales the gradient into m's increment */
      gradScale: g.mul(c(1 - config.beta1, 'one_minus_beta1'), clip, { name: 'grad_scale' }),
      /** (1 - beta2) / (1 - beta1)^2: v's increment from m's, squared */
      vScale: c((1 - config.beta2) / (1 - config.beta1) ** 2, 'v_scale'),
      eps: g.mul(c(config.eps, 'eps'), bias2Sqrt, { name: 'eps_scaled' }),
      stepSize: g.div(g.mul(feeds.lr, bias2Sqrt), bias1, { name: 'step_size' }),
      decayFactor: g.sub(one, g.mul(feeds.lr, feeds.weightDecay), { name: 'decay_factor' }),
    };
  });
  const updates = slots.map((s) => {
    const out = names?.(s.name);
    const scoped = <T>(fn: () => T) => g.scope(`adamw/${s.name}`, fn);
    const x = scoped(() => g.mul(s.grad, shared.gradScale, { name: 'm_increment' }));
    const m = g.add(
      scoped(() => g.mul(s.m, shared.beta1, { name: 'm_decayed' })),
      x,
      out ? { name: out.m } : {},
    );
    const v = g.add(
      scoped(() => g.mul(s.v, shared.beta2, { name: 'v_decayed' })),
      scoped(() => g.mul(g.mul(x, x), shared.vScale, { name: 'v_increment' })),
      out ? { name: out.v } : {},
    );
    const step = scoped(() => {
      const denom = g.add(g.sqrt(v), shared.eps, { name: 'denom' });
      const decayed = s.decay ? g.mul(s.param, shared.decayFactor, { name: 'decayed' }) : s.param;
      return { decayed, delta: g.mul(g.div(m, denom), shared.stepSize, { name: 'delta' }) };
    });
    const param = g.sub(step.decayed, step.delta, out ? { name: out.param } : {});
    return { name: s.name, param, m, v };
  });
  return { gradNorm: shared.gradNorm, updates };
}
