// autodiff: reverse-mode gradients over builder graphs, custom-gradient blocks, reproducible dropout,
// and the clean-up pass run before graphs are written.
export { gradients, gradientRule, type GradientsOptions } from './gradients.js';
export {
  customGradientBlock,
  customGradientBlocks,
  type CustomGradientBlock,
  type CustomGradientBlockSpec,
  type CustomBackward,
} from './custom-gradient.js';
export { reproducibleDropout, DROPOUT_HASH_MODULUS } from './dropout.js';
export { optimizeForWriting, type OptimizeResult } from './dead-code.js';
export { isDifferentiableInput, type GradientRule, type GradContext, type InputGradients } from './rule.js';
export { GRADIENT_RULES, DIFFERENTIABLE_RULES, NON_DIFFERENTIABLE_RULES } from './rules/index.js';
export { unbroadcast, shapeOf, zerosLike, staticShape, sameShape } from './grad-math.js';
