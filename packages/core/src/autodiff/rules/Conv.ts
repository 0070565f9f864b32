import { HybridocError } from '../../util/errors.js';
import { staticShape } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/**
 * Conv (group 1, no dilation, explicit or VALID padding, any spatial rank with static shapes):
 * dX is the transposed convolution of dy with W; dW correlates X with dy (a Conv over the batch axis with
 * dy as the kernel, dilated by the strides); dB sums dy over batch and space.
 */
export const Conv: GradientRule = {
  opType: 'Conv',
  inputs: ['X', 'W', 'B'],
  differentiable: ['X', 'W', 'B'],
  nonDifferentiable: [],
  grad: ({ g, dy, x, inputs, needs, int, ints, string, node }) => {
    const X = x(0);
    const W = x(1);
    const fail = (why: string) => new HybridocError(`Conv gradient (node '${node.name}'): ${why}`);
    const xs = staticShape(X.shape);
    const ws = staticShape(W.shape);
    const ys = staticShape(dy.shape);
    if (!xs || !ws || !ys) throw fail('needs static shapes for X, W and the output');
    const k = xs.length - 2;
    if (int('group', 1) !== 1) throw fail('only group = 1 is supported');
    if ((ints('dilations') ?? []).some((d) => d !== 1)) throw fail('dilations are not supported');
    const autoPad = string('auto_pad', 'NOTSET');
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw fail(`auto_pad ${autoPad} is not supported`);
    const strides = ints('strides') ?? new Array<number>(k).fill(1);
    const pads = autoPad === 'VALID' ? new Array<number>(2 * k).fill(0) : (ints('pads') ?? new Array<number>(2 * k).fill(0));
    const kernel = ws.slice(2);
    let dX = null;
    if (needs(0)) {
      const outputPadding = kernel.map((kd, i) => xs[2 + i] - (strides[i] * (ys[2 + i] - 1) + kd - pads[i] - pads[k + i]));
      dX = g.node('ConvTranspose', [dy, W], { strides, pads, output_padding: outputPadding, kernel_shape: kernel }, [
        { dtype: X.dtype, shape: xs },
      ])[0];
    }
    let dW = null;
    if (needs(1)) {
      const swap = [1, 0, ...kernel.map((_, i) => 2 + i)];
      const full = g.conv(g.transpose(X, swap), g.transpose(dy, swap), null, { pads, dilations: strides });
      const fs = staticShape(full.shape)!;
      const cropped = fs.slice(2).some((d, i) => d !== kernel[i])
        ? g.slice(
            full,
            kernel.map(() => 0),
            kernel,
            kernel.map((_, i) => 2 + i),
          )
        : full;
      dW = g.transpose(cropped, swap);
    }
    const b = inputs[2];
    const dB = b && needs(2) ? g.reduceSum(dy, [0, ...kernel.map((_, i) => 2 + i)], { keepdims: false }) : null;
    return [dX, dW, dB];
  },
};
