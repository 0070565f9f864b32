import { HybridocError } from '../util/errors.js';
import type { ProviderName } from './backend.js';

/**
 * Turn ONNX Runtime's session-creation failures into one line that says which provider failed and what is
 * missing (see shared/reference/onnxruntime-js-facts.md for what each failure looks like).
 */
export function providerStartError(backend: string, provider: ProviderName, err: unknown, label?: string): HybridocError {
  const raw = err instanceof Error ? err.message : String(err);
  const where = label ? `${label}: ` : '';
  let why: string;
  if (provider === 'cuda' && /shared library|providers_cuda|providers_shared|libcudart|libcublas|libcudnn/i.test(raw)) {
    why =
      'the CUDA provider libraries are not installed (onnxruntime-node ships CPU binaries only); on a machine with an NVIDIA GPU and network, run `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install`';
  } else if (provider === 'webgpu' && /adapter|vulkan|dawn|webgpu/i.test(raw)) {
    why = 'no usable GPU adapter (the bundled WebGPU provider is Dawn over Vulkan: it needs libvulkan.so.1 and a GPU Vulkan driver)';
  } else if (/not (supported|found)|unknown|invalid.*(backend|provider)|no available backend/i.test(raw)) {
    why = `this build of ${backend} does not offer it`;
  } else {
    return new HybridocError(`${where}cannot create an ONNX Runtime session on ${backend}/${provider}: ${firstLine(raw)}`);
  }
  return new HybridocError(`${where}execution provider '${provider}' on ${backend} cannot start: ${why} [${firstLine(raw).slice(0, 160)}]`);
}

export function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .find((l) => l.trim().length > 0)
      ?.trim() ?? s
  );
}
